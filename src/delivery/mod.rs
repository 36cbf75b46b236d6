//! Outgoing delivery. `send` stores an activity and its recipients in the database before the
//! request that made it returns; the dispatcher of each `cohort serve` process claims due
//! destinations (see `storage::queue` for the claim protocol), signs and sends their
//! activities in order, and records the outcome. Nothing is held only in memory: a crash
//! loses at most the in-flight attempts, which are made again when their lease runs out.
//!
//! Retries: network errors, timeouts, 3xx, 5xx, 408 and 429 are tried again after an
//! exponential back-off (2 s, 4 s … capped at an hour) or the peer's `Retry-After`, whichever
//! is longer (capped at a day). Other 4xx are final. A destination that has failed for
//! [`UNREACHABLE_AFTER`] is marked unreachable and skipped until an activity arrives from
//! its host (`storage::queue::heard_from`).

use std::{
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant, SystemTime},
};

use serde::Serialize;
use tokio::sync::{Semaphore, mpsc, watch};
use url::Url;

use crate::{
    config::DeliveryConfig,
    domain::{Ctx, now},
    error::{Error, Result},
    federation::{
        Urls as _,
        actors::authority,
        protocol::WithContext,
        signing::{self, PrivateKey},
    },
    storage::{
        self,
        entities::destinations,
        queue::{Due, NewActivity, Outcome},
    },
};

/// Longest back-off between retries.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// A destination failing for this long is marked unreachable.
pub const UNREACHABLE_AFTER: chrono::Duration = chrono::Duration::days(3);
/// Activities handed to one destination per claim.
const PER_DESTINATION: u64 = 32;
/// How often an idle dispatcher looks for retries that became due, and for work queued by
/// other processes (work queued by this process wakes it at once).
const IDLE_POLL: Duration = Duration::from_secs(1);
/// Outcomes written per transaction, at most.
const RECORD_BATCH: usize = 512;
/// How often a destination's progress is recorded while it is being served.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// Response bytes read (and discarded) so that the connection can be reused.
const DRAIN_LIMIT: usize = 64 * 1024;

/// Stores `activity` (fetchable by its id from then on) for delivery to `inboxes` (inboxes
/// on this instance are skipped), and wakes the workers. Returns once it is stored.
pub async fn send<A: Serialize>(
    ctx: &Ctx,
    activity: &A,
    activity_id: &Url,
    signer: &Url,
    inboxes: Vec<Url>,
) -> Result<()> {
    enqueue(ctx, activity, activity_id, signer, None, inboxes).await
}

/// Stores `activity` for delivery to every server that follows local group `group_id`: one
/// row, however many followers. Returns once it is stored.
pub async fn send_to_followers<A: Serialize>(
    ctx: &Ctx,
    activity: &A,
    activity_id: &Url,
    signer: &Url,
    group_id: i64,
) -> Result<()> {
    enqueue(ctx, activity, activity_id, signer, Some(group_id), vec![]).await
}

async fn enqueue<A: Serialize>(
    ctx: &Ctx,
    activity: &A,
    activity_id: &Url,
    signer: &Url,
    group_id: Option<i64>,
    inboxes: Vec<Url>,
) -> Result<()> {
    let body = serde_json::to_string(&WithContext::new(activity))
        .map_err(|e| Error::Internal(format!("serialising activity: {e}")))?;
    let mut targets: Vec<String> = inboxes
        .into_iter()
        .filter(|u| authority(u).is_ok_and(|a| a != ctx.instance.domain))
        .map(|u| u.to_string())
        .collect();
    targets.sort();
    targets.dedup();
    storage::queue::enqueue(
        &ctx.db,
        NewActivity {
            activity_id: activity_id.as_str(),
            signer: signer.as_str(),
            body: &body,
            group_id,
            inboxes: &targets,
        },
        now(),
    )
    .await?;
    ctx.delivery_wake.notify_waiters();
    Ok(())
}

/// The hosts that have a destination marked unreachable, re-read from the database at most
/// every [`UNREACHABLE_REFRESH`], so that an inbound activity costs no query to learn that its
/// server is (as nearly always) not among them.
#[derive(Debug, Default)]
pub struct UnreachableHosts {
    cached: std::sync::RwLock<Option<(Instant, Arc<std::collections::HashSet<String>>)>>,
}

/// How stale [`UnreachableHosts`] may be.
const UNREACHABLE_REFRESH: Duration = Duration::from_secs(2);

impl UnreachableHosts {
    /// Whether `host` has an unreachable destination (on a database error: assume it may).
    pub async fn contains(&self, db: &sea_orm::DatabaseConnection, host: &str) -> bool {
        let fresh = self.cached.read().ok().and_then(|c| {
            c.as_ref()
                .filter(|(t, _)| t.elapsed() < UNREACHABLE_REFRESH)
                .map(|(_, s)| s.clone())
        });
        let set = match fresh {
            Some(s) => s,
            None => match storage::queue::unreachable_hosts(db).await {
                Ok(hosts) => {
                    let s = Arc::new(hosts);
                    if let Ok(mut c) = self.cached.write() {
                        *c = Some((Instant::now(), s.clone()));
                    }
                    s
                }
                Err(_) => return true,
            },
        };
        set.contains(host)
    }

    /// `host` was just heard from.
    pub fn forget(&self, host: &str) {
        if let Ok(mut c) = self.cached.write()
            && let Some((t, s)) = c.as_ref()
        {
            let mut s = (**s).clone();
            s.remove(host);
            *c = Some((*t, Arc::new(s)));
        }
    }
}

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
struct Sender {
    ctx: Ctx,
    client: reqwest::Client,
    timeout: Duration,
    debug: bool,
    /// Signing is CPU work: at most one signature per core at a time.
    cpu: Semaphore,
    /// Set when the process is stopping: finish the attempt in hand, start no other.
    stopping: std::sync::atomic::AtomicBool,
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
        if !self.debug {
            let literal = match inbox.host() {
                Some(url::Host::Ipv4(v4)) => Some(std::net::IpAddr::V4(v4)),
                Some(url::Host::Ipv6(v6)) => Some(std::net::IpAddr::V6(v6)),
                _ => None,
            };
            if literal.is_some_and(is_internal) {
                return Attempt::Refused("an internal address".into());
            }
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
    async fn serve(
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
        for (due, body) in items {
            if started.elapsed() > budget || self.stopping.load(Ordering::Relaxed) {
                break;
            }
            let outcome = match (&inbox, body) {
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

/// Writes outcomes as they come, many per transaction, and wakes the dispatcher (a released
/// destination may have more to send).
async fn recorder(ctx: Ctx, mut rx: mpsc::UnboundedReceiver<Outcome>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < RECORD_BATCH {
            match rx.try_recv() {
                Ok(o) => batch.push(o),
                Err(_) => break,
            }
        }
        let mut tries = 0;
        loop {
            match storage::queue::record(&ctx.db, &batch).await {
                Ok(()) => break,
                Err(e) if tries < 5 => {
                    tries += 1;
                    tracing::warn!(error = %e, "recording delivery outcomes failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(e) => {
                    // The leases run out and the work is done again: duplicates, not losses.
                    tracing::error!(error = %e, "could not record delivery outcomes");
                    break;
                }
            }
        }
        ctx.delivery_wake.notify_waiters();
    }
}

/// On PostgreSQL, wakes this process's dispatcher whenever any process queues an activity
/// (`LISTEN` on [`storage::queue::WORK_CHANNEL`]), so work queued behind another process's
/// HTTP server starts at once rather than at the next idle poll. SQLite needs none: a
/// single-process database, and the poll covers the rest.
pub async fn listen_for_work(ctx: Ctx) {
    if ctx.db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let pool = ctx.db.get_postgres_connection_pool().clone();
    loop {
        match sea_orm::sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(storage::queue::WORK_CHANNEL).await {
                Ok(()) => {
                    // Anything queued while we were not listening.
                    ctx.delivery_wake.notify_waiters();
                    while listener.recv().await.is_ok() {
                        ctx.delivery_wake.notify_waiters();
                    }
                }
                Err(e) => tracing::warn!(error = %e, "LISTEN for delivery work failed"),
            },
            Err(e) => tracing::warn!(error = %e, "no connection to LISTEN for delivery work"),
        }
        tokio::time::sleep(IDLE_POLL).await;
    }
}

/// The delivery dispatcher of one process: runs until `stop` turns true, then lets in-flight
/// deliveries finish (for up to the lease) and records them.
pub async fn run(
    ctx: Ctx,
    client: reqwest::Client,
    config: DeliveryConfig,
    debug: bool,
    mut stop: watch::Receiver<bool>,
) {
    let concurrency = config.concurrency.max(1);
    let lease = Duration::from_secs(config.lease_seconds);
    let budget = lease / 3;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let sender = Arc::new(Sender {
        ctx: ctx.clone(),
        client,
        timeout: Duration::from_secs(config.timeout_seconds),
        debug,
        cpu: Semaphore::new(cores),
        stopping: false.into(),
    });
    let slots = Arc::new(Semaphore::new(concurrency));
    let (tx, rx) = mpsc::unbounded_channel();
    let recorder = tokio::spawn(recorder(ctx.clone(), rx));
    let listener = tokio::spawn(listen_for_work(ctx.clone()));
    let wake = ctx.delivery_wake.clone();
    while !*stop.borrow() {
        // Register interest before looking, so a wake-up between the claim and the wait is
        // not lost (`notify_waiters` only reaches futures already enabled).
        let notified = wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();

        let free = slots.available_permits();
        let t = now();
        let lease_until =
            t + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(1));
        let claimed = match storage::queue::claim(&ctx.db, t, lease_until, free as u64).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "claiming deliveries failed");
                tokio::select! {
                    () = tokio::time::sleep(IDLE_POLL) => {},
                    _ = stop.changed() => {},
                }
                continue;
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                () = &mut notified => {},
                () = tokio::time::sleep(IDLE_POLL) => {},
                _ = stop.changed() => {},
            }
            continue;
        }
        let full = claimed.len() >= free;
        let ids: Vec<i64> = claimed.iter().map(|d| d.id).collect();
        let loaded = async {
            let due = storage::queue::due_for(&ctx.db, &ids, PER_DESTINATION).await?;
            let mut activity_ids: Vec<String> = due
                .values()
                .flatten()
                .map(|d| d.activity_id.clone())
                .collect();
            activity_ids.sort();
            activity_ids.dedup();
            let bodies = storage::queue::bodies(&ctx.db, &activity_ids).await?;
            Ok::<_, sea_orm::DbErr>((due, bodies))
        }
        .await;
        let (mut due, bodies) = match loaded {
            Ok(x) => x,
            Err(e) => {
                // The claims lapse with their lease; nothing is lost.
                tracing::warn!(error = %e, "loading due deliveries failed");
                continue;
            }
        };
        let bodies: std::collections::HashMap<String, Arc<str>> =
            bodies.into_iter().map(|(k, v)| (k, Arc::from(v))).collect();
        for dest in claimed {
            let items: Vec<(Due, Option<Arc<str>>)> = due
                .remove(&dest.id)
                .unwrap_or_default()
                .into_iter()
                .map(|d| {
                    let body = bodies.get(&d.activity_id).cloned();
                    (d, body)
                })
                .collect();
            let Ok(permit) = slots.clone().acquire_owned().await else {
                break;
            };
            let (sender, tx) = (sender.clone(), tx.clone());
            tokio::spawn(async move {
                let outcome = sender.serve(dest, items, budget, &tx).await;
                let _ = tx.send(outcome);
                drop(permit);
            });
        }
        if full {
            // Every slot is busy: wait for one, then briefly for more, so that claims come in
            // batches rather than one query per finished delivery.
            if let Ok(p) = slots.acquire().await {
                drop(p);
            }
            let quarter = u32::try_from((concurrency / 4).max(1)).unwrap_or(1);
            let _ =
                tokio::time::timeout(Duration::from_millis(20), slots.acquire_many(quarter)).await;
        }
    }
    // Stopping: finish the attempts in flight (no new ones), then record them.
    sender.stopping.store(true, Ordering::Relaxed);
    let all = u32::try_from(concurrency).unwrap_or(u32::MAX);
    let grace = sender.timeout + Duration::from_secs(2);
    let _ = tokio::time::timeout(grace, slots.acquire_many(all)).await;
    listener.abort();
    drop(tx);
    let _ = recorder.await;
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
