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
    time::Duration,
};

use serde::Serialize;
use tokio::sync::{Semaphore, mpsc, watch};
use url::Url;

mod attempt;
pub mod software;
mod unreachable;

use attempt::Sender;
pub use attempt::{Attempt, UNREACHABLE_AFTER, backoff, classify, parse_retry_after};
pub use unreachable::UnreachableHosts;

use crate::{
    config::DeliveryConfig,
    domain::now,
    error::{Error, Result},
    federation::{actors::authority, protocol::WithContext},
    services::Services,
    storage::{
        self,
        queue::{Due, NewActivity, Outcome},
    },
};

/// Activities handed to one destination per claim.
const PER_DESTINATION: u64 = 32;
/// How often an idle dispatcher looks for retries that became due, and for work queued by
/// other processes (work queued by this process wakes it at once).
const IDLE_POLL: Duration = Duration::from_secs(1);
/// Outcomes written per transaction, at most.
const RECORD_BATCH: usize = 512;

/// Stores `activity` (fetchable by its id from then on) for delivery to `inboxes` (inboxes
/// on this instance are skipped), and wakes the workers. Returns once it is stored.
pub async fn send<A: Serialize>(
    ctx: &Services,
    activity: &A,
    activity_id: &Url,
    signer: &Url,
    inboxes: Vec<Url>,
) -> Result<()> {
    enqueue(ctx, activity, activity_id, signer, None, false, inboxes).await
}

/// Stores `activity` for delivery to every server that follows local group `group_id`: one
/// row, however many followers. Returns once it is stored.
pub async fn send_to_followers<A: Serialize>(
    ctx: &Services,
    activity: &A,
    activity_id: &Url,
    signer: &Url,
    group_id: i64,
) -> Result<()> {
    enqueue(
        ctx,
        activity,
        activity_id,
        signer,
        Some(group_id),
        false,
        vec![],
    )
    .await
}

/// [`send_to_followers`] for what only microblog software needs (the plain `Announce{Note}`
/// of a new post): skipped for followers whose software reads the post from the group's
/// `Announce{Create}` alone, as learnt from their NodeInfo (`delivery::software`); unknown
/// software gets it.
pub async fn send_to_microblog_followers<A: Serialize>(
    ctx: &Services,
    activity: &A,
    activity_id: &Url,
    signer: &Url,
    group_id: i64,
) -> Result<()> {
    enqueue(
        ctx,
        activity,
        activity_id,
        signer,
        Some(group_id),
        true,
        vec![],
    )
    .await
}

async fn enqueue<A: Serialize>(
    ctx: &Services,
    activity: &A,
    activity_id: &Url,
    signer: &Url,
    group_id: Option<i64>,
    microblog_only: bool,
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
            microblog_only,
            inboxes: &targets,
        },
        now(),
    )
    .await?;
    // Inside a use case the rows become visible at its commit, which wakes the workers then.
    if !ctx.db.in_transaction() {
        ctx.delivery_wake.notify_waiters();
    }
    Ok(())
}

/// Writes outcomes as they come, many per transaction, and wakes the dispatcher (a released
/// destination may have more to send).
async fn recorder(ctx: Services, mut rx: mpsc::UnboundedReceiver<Outcome>) {
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
pub async fn listen_for_work(ctx: Services) {
    let Some(pool) = ctx.db.pool() else {
        return;
    };
    if pool.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let pool = pool.get_postgres_connection_pool().clone();
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
    ctx: Services,
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
    let learner = tokio::spawn(software::learn(ctx.clone(), sender.client.clone(), debug));
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
    learner.abort();
    drop(tx);
    let _ = recorder.await;
}
