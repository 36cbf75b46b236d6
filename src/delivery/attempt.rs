//! One destination's turn: sign and POST its activities in order, classify each answer, and
//! work out when to try again (back-off, `Retry-After`, unreachable).

use std::{
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant, SystemTime},
};

use tokio::sync::{Semaphore, mpsc};
use url::Url;

use crate::{
    domain::now,
    error::{Error, Result},
    federation::{
        Urls as _,
        signing::{self, PrivateKey},
    },
    services::Services,
    storage::{
        self,
        entities::destinations,
        queue::{Due, Outcome},
    },
};

/// Longest back-off between retries.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// A destination failing for this long is marked unreachable.
pub const UNREACHABLE_AFTER: chrono::Duration = chrono::Duration::days(3);
/// How often a destination's progress is recorded while it is being served.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// Response bytes read (and discarded) so that the connection can be reused.
const DRAIN_LIMIT: usize = 64 * 1024;

/// Back-off before attempt `attempts + 1`: 2 s, 4 s, 8 s … capped at an hour.
pub fn backoff(attempts: i32) -> Duration {
    let secs = 2u64.saturating_pow(u32::try_from(attempts.clamp(1, 20)).unwrap_or(20));
    Duration::from_secs(secs).min(MAX_BACKOFF)
}

/// A `Retry-After` value: delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// What one attempt came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Attempt {
    /// 2xx.
    Delivered,
    /// Refused for good (a 4xx other than 408 and 429, or a destination never to contact).
    Refused(String),
    /// Worth trying again, no sooner than `retry_after` if the peer said so.
    Retry {
        /// What went wrong.
        error: String,
        /// The peer's `Retry-After`.
        retry_after: Option<Duration>,
    },
}

/// Classifies a response status.
pub fn classify(status: u16, retry_after: Option<Duration>, detail: &str) -> Attempt {
    match status {
        200..=299 => Attempt::Delivered,
        408 | 429 => Attempt::Retry {
            error: format!("HTTP {status}{detail}"),
            retry_after,
        },
        400..=499 => Attempt::Refused(format!("HTTP {status}{detail}")),
        _ => Attempt::Retry {
            error: format!("HTTP {status}{detail}"),
            retry_after,
        },
    }
}

/// Whether `url`'s host is an IP address literal that is internal (a name is checked when it
/// resolves, by the client's resolver; a literal never reaches the resolver).
pub(super) fn names_internal_address(url: &Url) -> bool {
    let literal = match url.host() {
        Some(url::Host::Ipv4(v4)) => Some(std::net::IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(std::net::IpAddr::V6(v6)),
        _ => None,
    };
    literal.is_some_and(is_internal)
}

/// Whether an address is one a production server must never be made to contact.
fn is_internal(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] >= 240
        }
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(v4.into()))
        }
    }
}

/// The signing and sending half, shared by the dispatcher's tasks.
pub(super) struct Sender {
    pub(super) ctx: Services,
    pub(super) client: reqwest::Client,
    pub(super) timeout: Duration,
    pub(super) debug: bool,
    /// Signing is CPU work: at most one signature per core at a time.
    pub(super) cpu: Semaphore,
    /// Set when the process is stopping: finish the attempt in hand, start no other.
    pub(super) stopping: std::sync::atomic::AtomicBool,
}

impl Sender {
    async fn key(&self, signer: &str) -> Result<Arc<PrivateKey>> {
        let ctx = &self.ctx;
        ctx.keys
            .private(signer, async || {
                if let Some(p) = storage::persons::find_by_ap_id(&ctx.db, signer)
                    .await?
                    .filter(|p| p.local)
                {
                    return p
                        .private_key
                        .ok_or(Error::Internal("a person without keys".into()));
                }
                if let Some(g) = storage::groups::find_by_ap_id(&ctx.db, signer)
                    .await?
                    .filter(|g| g.local)
                {
                    return g
                        .private_key
                        .ok_or(Error::Internal("a group without keys".into()));
                }
                if signer == ctx.instance.instance_actor_url() {
                    return Ok(crate::domain::keys::instance(ctx).await?.private_pem);
                }
                Err(Error::Internal(format!("no local signer {signer}")))
            })
            .await
    }

    /// Signs and POSTs one activity.
    async fn attempt(&self, inbox: &Url, signer: &str, body: Arc<str>) -> Attempt {
        match inbox.scheme() {
            "https" => {}
            "http" if self.debug => {}
            s => return Attempt::Refused(format!("{s}: inboxes must be https")),
        }
        if !self.debug && names_internal_address(inbox) {
            return Attempt::Refused("an internal address".into());
        }
        let key = match self.key(signer).await {
            Ok(k) => k,
            Err(e) => return Attempt::Refused(format!("cannot sign: {e}")),
        };
        let headers = {
            let _cpu = self.cpu.acquire().await;
            let (inbox, body) = (inbox.clone(), body.clone());
            let key_id = format!("{signer}#main-key");
            tokio::task::spawn_blocking(move || {
                signing::sign_post(&key, &key_id, &inbox, body.as_bytes(), SystemTime::now())
            })
            .await
        };
        let headers = match headers {
            Ok(Ok(h)) => h,
            Ok(Err(e)) => return Attempt::Refused(format!("cannot sign: {e}")),
            Err(e) => {
                return Attempt::Retry {
                    error: format!("signing task: {e}"),
                    retry_after: None,
                };
            }
        };
        let mut request = self
            .client
            .post(inbox.clone())
            .timeout(self.timeout)
            .header("content-type", crate::federation::ACTIVITY_JSON)
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                return Attempt::Retry {
                    error: format!("{e}"),
                    retry_after: None,
                };
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let mut detail = Vec::new();
        let mut read = 0;
        while read < DRAIN_LIMIT {
            match response.chunk().await {
                Ok(Some(c)) => {
                    read += c.len();
                    if detail.len() < 200 {
                        detail.extend_from_slice(&c[..c.len().min(200 - detail.len())]);
                    }
                }
                _ => break,
            }
        }
        let detail = if (200..300).contains(&status) || detail.is_empty() {
            String::new()
        } else {
            format!(": {}", String::from_utf8_lossy(&detail).trim())
        };
        classify(status, retry_after, &detail)
    }

    /// Sends a claimed destination's activities in order, stopping at the first failure that
    /// is worth retrying, or when `budget` is spent (the rest waits for the next claim).
    pub(super) async fn serve(
        &self,
        dest: destinations::Model,
        items: Vec<(Due, Option<Arc<str>>)>,
        budget: Duration,
        progress: &mpsc::UnboundedSender<Outcome>,
    ) -> Outcome {
        let started = Instant::now();
        let mut reported = started;
        let mut delivered_seq = dest.delivered_seq;
        let mut delivered_at = None;
        let inbox = Url::parse(&dest.inbox);
        // Once per turn, not per activity: a blocked instance is skipped without signing.
        let blocked = self.ctx.blocked.contains(&self.ctx.db, &dest.host).await;
        for (due, body) in items {
            if started.elapsed() > budget || self.stopping.load(Ordering::Relaxed) {
                break;
            }
            let outcome = match (&inbox, body) {
                _ if matches!(blocked, Ok(true)) => {
                    Attempt::Refused("the instance is blocked".into())
                }
                _ if blocked.is_err() => Attempt::Retry {
                    error: "could not read the blocked instances".into(),
                    retry_after: None,
                },
                (Err(e), _) => Attempt::Refused(format!("invalid inbox: {e}")),
                // Purged before it could be sent: nothing left to send.
                (_, None) => Attempt::Refused("the activity is no longer stored".into()),
                (Ok(inbox), Some(body)) => self.attempt(inbox, &due.signer, body).await,
            };
            self.ctx.metrics.delivery(match &outcome {
                Attempt::Delivered => crate::metrics::DeliveryOutcome::Delivered,
                Attempt::Refused(_) => crate::metrics::DeliveryOutcome::Refused,
                Attempt::Retry { .. } => crate::metrics::DeliveryOutcome::Failed,
            });
            match outcome {
                Attempt::Delivered => {
                    tracing::debug!(inbox = %dest.inbox, activity = %due.activity_id, "delivered");
                    delivered_at = Some(now());
                }
                Attempt::Refused(why) => {
                    tracing::info!(inbox = %dest.inbox, activity = %due.activity_id, %why, "delivery refused; not retried");
                }
                Attempt::Retry { error, retry_after } => {
                    let t = now();
                    // Progress in this round means the destination is alive: count afresh.
                    let (attempts, since) = if delivered_at.is_some() {
                        (1, t)
                    } else {
                        (dest.attempts + 1, dest.failing_since.unwrap_or(t))
                    };
                    let wait =
                        backoff(attempts).max(retry_after.unwrap_or_default().min(MAX_RETRY_AFTER));
                    let unreachable = t - since >= UNREACHABLE_AFTER;
                    if unreachable {
                        tracing::warn!(inbox = %dest.inbox, %error, "destination unreachable; skipped until heard from");
                    } else {
                        tracing::info!(inbox = %dest.inbox, attempts, %error, retry_in = ?wait, "delivery failed; will retry");
                    }
                    return Outcome {
                        dest: dest.id,
                        delivered_seq,
                        next_attempt_at: t + chrono::Duration::from_std(wait)
                            .unwrap_or(chrono::Duration::hours(1)),
                        attempts,
                        failing_since: Some(since),
                        last_error: Some(error),
                        unreachable_since: unreachable.then_some(t),
                        delivered_at,
                    };
                }
            }
            delivered_seq = due.seq;
            // Record progress now and then, still holding the lease, so that a crash
            // repeats little.
            if reported.elapsed() >= PROGRESS_EVERY {
                reported = Instant::now();
                let _ = progress.send(Outcome {
                    dest: dest.id,
                    delivered_seq,
                    next_attempt_at: dest.next_attempt_at,
                    attempts: dest.attempts,
                    failing_since: dest.failing_since,
                    last_error: dest.last_error.clone(),
                    unreachable_since: None,
                    delivered_at,
                });
            }
        }
        Outcome {
            dest: dest.id,
            delivered_seq,
            next_attempt_at: now(),
            attempts: 0,
            failing_since: None,
            last_error: None,
            unreachable_since: None,
            delivered_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert!(backoff(5) < backoff(6));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = SystemTime::now();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        let later = now + Duration::from_secs(300);
        let d = parse_retry_after(&httpdate::fmt_http_date(later), now).unwrap();
        assert!(d <= Duration::from_secs(300) && d >= Duration::from_secs(298));
        assert_eq!(
            parse_retry_after(&httpdate::fmt_http_date(now - Duration::from_secs(60)), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn statuses_that_retry_and_statuses_that_are_final() {
        assert_eq!(classify(202, None, ""), Attempt::Delivered);
        for s in [400, 401, 403, 404, 410, 422] {
            assert!(matches!(classify(s, None, ""), Attempt::Refused(_)), "{s}");
        }
        for s in [301, 408, 429, 500, 502, 503] {
            assert!(
                matches!(classify(s, None, ""), Attempt::Retry { .. }),
                "{s}"
            );
        }
        let wait = Some(Duration::from_secs(30));
        assert_eq!(
            classify(429, wait, ""),
            Attempt::Retry {
                error: "HTTP 429".into(),
                retry_after: wait
            }
        );
    }

    #[test]
    fn internal_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["1.1.1.1", "2606:4700::1111"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }
}
