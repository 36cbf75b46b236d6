//! Prometheus metrics, served at `/metrics` in the text exposition format.
//!
//! Counters live in this process (each process of a scaled-out instance reports its own, as
//! Prometheus expects); the queue gauges are read from the database at scrape time, so every
//! process reports the same, instance-wide values. Labels are bounded: route templates, not
//! paths; activity types from a fixed list.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

/// Activity types counted by name; anything else counts as `other`.
const KNOWN_TYPES: &[&str] = &[
    "Create", "Update", "Delete", "Like", "Dislike", "Undo", "Announce", "Follow", "Accept",
    "Reject", "Add", "Remove", "Block", "Flag",
];

/// What a delivery attempt came to.
#[derive(Debug, Clone, Copy)]
pub enum DeliveryOutcome {
    /// 2xx.
    Delivered,
    /// Refused for good.
    Refused,
    /// To be retried.
    Failed,
}

/// This process's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    http: Mutex<BTreeMap<(String, String, u16), u64>>,
    inbound: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    delivered: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
}

impl Metrics {
    /// One HTTP request answered.
    pub fn http(&self, method: &str, route: &str, status: u16) {
        if let Ok(mut m) = self.http.lock() {
            *m.entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
    }

    /// One inbound activity of type `kind`, with its outcome (`accepted`, `refused`, `error`).
    pub fn inbound(&self, kind: Option<&str>, outcome: &'static str) {
        let kind = kind
            .and_then(|k| KNOWN_TYPES.iter().find(|t| **t == k).copied())
            .unwrap_or("other");
        if let Ok(mut m) = self.inbound.lock() {
            *m.entry((kind, outcome)).or_default() += 1;
        }
    }

    /// One delivery attempt.
    pub fn delivery(&self, outcome: DeliveryOutcome) {
        let c = match outcome {
            DeliveryOutcome::Delivered => &self.delivered,
            DeliveryOutcome::Refused => &self.refused,
            DeliveryOutcome::Failed => &self.failed,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text: this process's counters and the instance's queue gauges.
    pub async fn render(&self, db: &crate::storage::Db) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP cohort_http_requests_total HTTP requests answered, by route template and status.\n\
             # TYPE cohort_http_requests_total counter"
        );
        if let Ok(m) = self.http.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "cohort_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP cohort_inbound_activities_total Activities received at an inbox, by type and outcome.\n\
             # TYPE cohort_inbound_activities_total counter"
        );
        if let Ok(m) = self.inbound.lock() {
            for ((kind, outcome), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "cohort_inbound_activities_total{{type=\"{kind}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP cohort_deliveries_total Delivery attempts by this process, by outcome.\n\
             # TYPE cohort_deliveries_total counter"
        );
        for (name, c) in [
            ("delivered", &self.delivered),
            ("refused", &self.refused),
            ("failed", &self.failed),
        ] {
            let _ = writeln!(
                out,
                "cohort_deliveries_total{{outcome=\"{name}\"}} {}",
                c.load(Ordering::Relaxed)
            );
        }
        match crate::storage::queue::report(db).await {
            Ok(r) => {
                let age = r
                    .oldest_pending
                    .map_or(0.0, |t| {
                        (chrono::Utc::now() - t).num_milliseconds() as f64 / 1000.0
                    })
                    .max(0.0);
                let failing = r
                    .failing
                    .iter()
                    .filter(|f| f.unreachable_since.is_none())
                    .count();
                for (name, help, value) in [
                    (
                        "cohort_delivery_queue_depth",
                        "Deliveries still to make, instance-wide.",
                        r.pending as f64,
                    ),
                    (
                        "cohort_delivery_queue_oldest_seconds",
                        "Age of the oldest pending activity.",
                        age,
                    ),
                    (
                        "cohort_delivery_destinations",
                        "Destination inboxes known.",
                        r.destinations as f64,
                    ),
                    (
                        "cohort_delivery_destinations_failing",
                        "Destinations whose last attempt failed.",
                        failing as f64,
                    ),
                    (
                        "cohort_delivery_destinations_unreachable",
                        "Destinations skipped until heard from.",
                        r.unreachable as f64,
                    ),
                ] {
                    let _ = writeln!(
                        out,
                        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
                    );
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "metrics: reading the queue failed");
            }
        }
        out
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_types_are_other_and_labels_are_escaped() {
        let m = Metrics::default();
        m.inbound(Some("Create"), "accepted");
        m.inbound(Some("EmojiReact"), "refused");
        m.inbound(None, "refused");
        let inbound = m.inbound.lock().unwrap();
        assert_eq!(inbound[&("Create", "accepted")], 1);
        assert_eq!(inbound[&("other", "refused")], 2);
        assert_eq!(escape("a\"b\\c"), "a\\\"b\\\\c");
    }
}
