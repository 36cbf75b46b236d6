//! Prometheus metrics, served at `/metrics` in the OpenMetrics text format (`prometheus-client`).
//!
//! Counters live in this process (each process of a scaled-out instance reports its own, as
//! Prometheus expects); the queue gauges are read from the database at scrape time, so every
//! process reports the same, instance-wide values. Labels are bounded: route templates, not
//! paths; activity types from a fixed list.

use prometheus_client::{
    encoding::text::encode,
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};
use std::sync::atomic::AtomicU64;

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

/// Labels of one series: name and value pairs, in the order they are written.
type Labels<V, const N: usize> = [(&'static str, V); N];

/// This process's counters, and the instance's queue gauges set at each scrape.
#[derive(Debug)]
pub struct Metrics {
    http: Family<Labels<String, 3>, Counter>,
    inbound: Family<Labels<&'static str, 2>, Counter>,
    deliveries: Family<Labels<&'static str, 1>, Counter>,
    queue_depth: Gauge,
    oldest_pending: Gauge<f64, AtomicU64>,
    destinations: Gauge,
    failing: Gauge,
    unreachable: Gauge,
    inbound_lag: Histogram,
    inbound_queued: Gauge,
    inbound_parked: Gauge,
    inbound_refused: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            http: Family::default(),
            inbound: Family::default(),
            deliveries: Family::default(),
            queue_depth: Gauge::default(),
            oldest_pending: Gauge::default(),
            destinations: Gauge::default(),
            failing: Gauge::default(),
            unreachable: Gauge::default(),
            inbound_lag: Histogram::new(LAG_BUCKETS.iter().copied()),
            inbound_queued: Gauge::default(),
            inbound_parked: Gauge::default(),
            inbound_refused: Gauge::default(),
        }
    }
}

/// Buckets of the time from an activity's 202 to its being acted on, in seconds.
const LAG_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0,
];

impl Metrics {
    /// One HTTP request answered.
    pub fn http(&self, method: &str, route: &str, status: u16) {
        self.http
            .get_or_create(&[
                ("method", method.to_string()),
                ("route", route.to_string()),
                ("status", status.to_string()),
            ])
            .inc();
    }

    /// One inbound activity of type `kind`, with its outcome: at the inbox `queued` (checked
    /// and stored), `ignored` (a type not acted on), `accepted` (acted on at once), `refused`
    /// or `error`; by the queue's workers `accepted` (acted on), `refused` (by a rule),
    /// `error` (to be tried again) or `parked`.
    pub fn inbound(&self, kind: Option<&str>, outcome: &'static str) {
        let kind = kind
            .and_then(|k| KNOWN_TYPES.iter().find(|t| **t == k).copied())
            .unwrap_or("other");
        self.inbound
            .get_or_create(&[("type", kind), ("outcome", outcome)])
            .inc();
    }

    /// One queued activity acted on, `lag` seconds after it was stored.
    pub fn inbound_done(&self, lag: f64) {
        self.inbound_lag.observe(lag);
    }

    /// One delivery attempt.
    pub fn delivery(&self, outcome: DeliveryOutcome) {
        let outcome = match outcome {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::Refused => "refused",
            DeliveryOutcome::Failed => "failed",
        };
        self.deliveries.get_or_create(&[("outcome", outcome)]).inc();
    }

    /// The OpenMetrics text: this process's counters and the instance's queue gauges, read
    /// from the database now (left at their last values, with a warning, when that fails).
    pub async fn render(&self, db: &crate::storage::Db) -> String {
        match crate::storage::queue::report(db).await {
            Ok(r) => {
                let age = r.oldest_pending.map_or(0.0, |t| {
                    (chrono::Utc::now() - t).num_milliseconds() as f64 / 1000.0
                });
                let failing = r.failing.iter();
                let failing = failing.filter(|f| f.unreachable_since.is_none()).count();
                self.queue_depth.set(count(r.pending));
                self.oldest_pending.set(age.max(0.0));
                self.destinations.set(count(r.destinations));
                self.failing.set(count(failing));
                self.unreachable.set(count(r.unreachable));
            }
            Err(e) => {
                tracing::warn!(error = %e, "metrics: reading the queue failed");
            }
        }
        match crate::storage::inbound::counts(db).await {
            Ok((queued, parked, refused)) => {
                self.inbound_queued.set(count(queued));
                self.inbound_parked.set(count(parked));
                self.inbound_refused.set(count(refused));
            }
            Err(e) => tracing::warn!(error = %e, "metrics: reading the inbound queue failed"),
        }
        let mut out = String::new();
        if let Err(e) = encode(&mut out, &self.registry()) {
            tracing::warn!(error = %e, "metrics: encoding failed");
        }
        out
    }
}

impl Metrics {
    /// The registry to encode: every series, under `cohort_`. Every delivery outcome is
    /// reported, at 0 until it happens.
    fn registry(&self) -> Registry {
        for outcome in ["delivered", "refused", "failed"] {
            let _ = self.deliveries.get_or_create(&[("outcome", outcome)]);
        }
        let mut r = Registry::with_prefix("cohort");
        r.register(
            "http_requests",
            "HTTP requests answered, by route template and status",
            self.http.clone(),
        );
        r.register(
            "inbound_activities",
            "Activities received at an inbox, by type and outcome",
            self.inbound.clone(),
        );
        r.register(
            "inbound_lag_seconds",
            "Time from an activity's 202 to its being acted on, by this process's workers",
            self.inbound_lag.clone(),
        );
        r.register(
            "inbound_queue_depth",
            "Received activities waiting to be acted on, instance-wide",
            self.inbound_queued.clone(),
        );
        r.register(
            "inbound_parked",
            "Received activities parked after their last attempt (cohort admin inbound)",
            self.inbound_parked.clone(),
        );
        r.register(
            "inbound_refused",
            "Received activities refused while acted on, kept a week",
            self.inbound_refused.clone(),
        );
        r.register(
            "deliveries",
            "Delivery attempts by this process, by outcome",
            self.deliveries.clone(),
        );
        r.register(
            "delivery_queue_depth",
            "Deliveries still to make, instance-wide",
            self.queue_depth.clone(),
        );
        r.register(
            "delivery_queue_oldest_seconds",
            "Age of the oldest pending activity",
            self.oldest_pending.clone(),
        );
        r.register(
            "delivery_destinations",
            "Destination inboxes known",
            self.destinations.clone(),
        );
        r.register(
            "delivery_destinations_failing",
            "Destinations whose last attempt failed",
            self.failing.clone(),
        );
        r.register(
            "delivery_destinations_unreachable",
            "Destinations skipped until heard from",
            self.unreachable.clone(),
        );
        r
    }
}

/// A count as a gauge value.
fn count(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
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
        m.http("GET", "/a\"b\\c", 200);
        let inbound = |kind| {
            m.inbound
                .get_or_create(&[("type", kind), ("outcome", "refused")])
        };
        assert_eq!(inbound("other").get(), 2);
        assert_eq!(inbound("Create").get(), 0);
        let mut out = String::new();
        encode(&mut out, &m.registry()).unwrap();
        assert!(out.contains(r#"route="/a\"b\\c""#), "{out}");
    }
}
