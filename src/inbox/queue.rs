//! The durable inbound queue, between the inbox's checks and the use cases.
//!
//! - **Accepting** ([`Inbound::enqueue`]): the inbox, once it has checked the signature, the
//!   actor, the instance's policy and the rate limit, hands the raw activity to this
//!   process's writer, which stores everything that arrived meanwhile in one transaction
//!   (group commit) and only then lets each request answer 202. A queue deeper than
//!   `inbound.max_backlog` is answered 429 with `Retry-After`.
//! - **Acting** ([`work`]): every process claims due rows (`storage::inbound::claim`: one
//!   object's activities in arrival order, a reply after its parent, `SKIP LOCKED` between
//!   processes) and acts on each in its own task, up to `inbound.workers` at once. The row
//!   is deleted inside the use case's own transaction ([`finish_in`], called by
//!   `Unit::commit`): the change and the row's removal commit together, so a crash never
//!   acts on an activity twice, and a lease that runs out hands an unfinished row to the next
//!   claim.
//! - **Outcomes**: refused by a rule (a 4xx): kept a week as `refused`, with its status, code
//!   and reason, logged and counted; failing otherwise (a remote server down, a database
//!   error, a panic): tried again after 2 s, 10 s, 1 min, 5 min…, then parked after
//!   `inbound.attempts` with its error (`cohort admin inbound`, `/metrics`).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use activitypub_federation::{config::Data, traits::Activity as _};
use futures::FutureExt;
use sea_orm::ConnectionTrait;
use serde_json::Value;
use tokio::sync::{Notify, Semaphore, mpsc, oneshot, watch};

use crate::{
    config::InboundConfig,
    domain::now,
    error::{Error, Result},
    federation::protocol::follow::InboxActivity,
    services::Services,
    storage::{self, inbound::NewActivity},
};

/// Requests waiting for the writer at most; beyond, the inbox waits for room.
const CHANNEL: usize = 4096;
/// Rows stored in one transaction at most.
const WRITE_BATCH: usize = 512;
/// Rows claimed in one statement at most.
const CLAIM_BATCH: usize = 64;
/// How often an idle worker looks for work another process stored.
const IDLE_POLL: Duration = Duration::from_millis(200);
/// How often the depth is read again from the database (other processes store and act too).
const DEPTH_REFRESH: Duration = Duration::from_secs(2);

struct Pending {
    activity: NewActivity,
    stored: oneshot::Sender<std::result::Result<(), String>>,
}

/// This process's side of the queue: the writer's channel, the depth as last known, and the
/// workers' wake-up.
#[derive(Debug)]
pub struct Inbound {
    tx: mpsc::Sender<PendingBox>,
    rx: Mutex<Option<mpsc::Receiver<PendingBox>>>,
    depth: AtomicU64,
    max_backlog: AtomicU64,
    wake: Notify,
}

/// A request waiting to be stored (boxed so the channel stays small).
struct PendingBox(Box<Pending>);

impl std::fmt::Debug for PendingBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.activity.ap_id)
    }
}

impl Default for Inbound {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel(CHANNEL);
        Self {
            tx,
            rx: Mutex::new(Some(rx)),
            depth: AtomicU64::new(0),
            max_backlog: AtomicU64::new(InboundConfig::default().max_backlog),
            wake: Notify::new(),
        }
    }
}

impl Inbound {
    /// Sets the backlog at which the inbox answers 429.
    pub fn set_max_backlog(&self, n: u64) {
        self.max_backlog.store(n, Ordering::Relaxed);
    }

    /// Queued activities, as last known to this process.
    pub fn depth(&self) -> u64 {
        self.depth.load(Ordering::Relaxed)
    }

    /// Stores `activity` durably (with whatever else arrived meanwhile, in one commit);
    /// returns once it is stored. A full queue is 429; a writer that is not running (a
    /// server shutting down) or a failed write is an error the sender retries.
    pub async fn enqueue(&self, activity: NewActivity) -> Result<()> {
        if self.depth() >= self.max_backlog.load(Ordering::Relaxed) {
            return Err(Error::TooManyRequests {
                what: "the inbound queue is full",
                retry_after: 30,
            });
        }
        let (stored, done) = oneshot::channel();
        self.tx
            .send(PendingBox(Box::new(Pending { activity, stored })))
            .await
            .map_err(|_| Error::Internal("the inbound queue is not running".into()))?;
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Error::Internal(format!("storing the activity: {e}"))),
            Err(_) => Err(Error::Internal("the inbound queue stopped".into())),
        }
    }
}

/// What an activity is about, and what it must come after (see the migration): read from
/// the raw JSON, so that the key is the same whatever wraps the activity.
pub fn keys(body: &Value) -> (String, Option<String>) {
    fn id_of(v: &Value) -> Option<&str> {
        v.as_str().or_else(|| v.get("id").and_then(Value::as_str))
    }
    fn key(v: &Value, depth: u8) -> (Option<String>, Option<String>) {
        let kind = v.get("type").and_then(Value::as_str).unwrap_or_default();
        let object = v.get("object").unwrap_or(&Value::Null);
        let own = id_of(v).map(str::to_owned);
        match kind {
            "Create" | "Update" | "Delete" => {
                let after = object
                    .get("inReplyTo")
                    .and_then(id_of)
                    .map(str::to_owned)
                    .filter(|_| kind == "Create");
                (id_of(object).map(str::to_owned).or(own), after)
            }
            "Undo" | "Accept" | "Reject" | "Announce" if depth < 3 => {
                if object.get("type").is_some() && object.get("object").is_some() {
                    key(object, depth + 1)
                } else {
                    (id_of(object).map(str::to_owned).or(own), None)
                }
            }
            _ => (own, None),
        }
    }
    // Keys are compared, never fetched; one a database could not store (a NUL) or too long
    // to index is dropped (the activity is then keyed by its own id).
    let usable = |k: Option<String>| {
        k.filter(|k| k.len() <= super::activities::MAX_ID_LEN && !k.chars().any(char::is_control))
    };
    let (key, after) = key(body, 0);
    (usable(key).unwrap_or_default(), usable(after))
}

/// Starts this process's writer (once; later calls do nothing).
pub fn start_writer(services: &Services) {
    let Some(rx) = services.inbound.rx.lock().ok().and_then(|mut rx| rx.take()) else {
        return;
    };
    tokio::spawn(write(services.clone(), rx));
}

/// The writer: takes what arrived, stores it in one transaction, answers each request.
async fn write(services: Services, mut rx: mpsc::Receiver<PendingBox>) {
    let Some(pool) = services.db.pool().cloned() else {
        tracing::error!("the inbound writer needs the connection pool");
        return;
    };
    let mut batch: Vec<PendingBox> = Vec::with_capacity(WRITE_BATCH);
    while rx.recv_many(&mut batch, WRITE_BATCH).await > 0 {
        let rows: Vec<NewActivity> = batch.iter().map(|p| p.0.activity.clone()).collect();
        let outcomes: Vec<std::result::Result<u64, String>> = match storage::inbound::store(
            &pool,
            &rows,
            now(),
        )
        .await
        {
            Ok(stored) => vec![Ok(stored)],
            // One row the database refuses must not fail the others: each again, alone.
            Err(e) if rows.len() > 1 => {
                tracing::warn!(error = %e, n = rows.len(), "storing a batch failed; one by one");
                let mut each = Vec::with_capacity(rows.len());
                for row in &rows {
                    let one = storage::inbound::store(&pool, std::slice::from_ref(row), now());
                    each.push(one.await.map_err(|e| e.to_string()));
                }
                each
            }
            Err(e) => vec![Err(e.to_string())],
        };
        let stored: u64 = outcomes.iter().filter_map(|o| o.as_ref().ok()).sum();
        if stored > 0 {
            services.inbound.depth.fetch_add(stored, Ordering::Relaxed);
            services.inbound.wake.notify_one();
        }
        for (i, p) in batch.drain(..).enumerate() {
            let answer = match outcomes.get(i).or(outcomes.first()) {
                Some(Err(e)) => {
                    tracing::error!(error = %e, activity = %p.0.activity.ap_id,
                        "storing a received activity failed");
                    Err(e.clone())
                }
                _ => Ok(()),
            };
            let _ = p.0.stored.send(answer);
        }
    }
}

tokio::task_local! {
    /// The queued row the current task is acting on.
    static ACTING_ON: Acting;
}

struct Acting {
    row: i64,
    /// Set once a unit has committed the row's removal.
    finished: Arc<AtomicBool>,
    /// The de-duplication keys `activities::once` named so far, and whether each is recorded.
    keys: Mutex<Vec<(String, bool)>>,
}

/// Called inside a use case's transaction just before it commits: when the use case acts on
/// a queued activity, the activity's row goes, and its de-duplication keys are recorded, in
/// the same commit (so it is never acted on again, and one write serves all three). Later
/// units of the same activity find it gone.
pub async fn finish_in<C: ConnectionTrait>(txn: &C) -> Result<()> {
    let Ok(Some((row, keys))) = ACTING_ON.try_with(|a| {
        (!a.finished.load(Ordering::Relaxed)).then(|| {
            let keys: Vec<String> = a
                .keys
                .lock()
                .map(|k| k.iter().map(|(key, _)| key.clone()).collect())
                .unwrap_or_default();
            (a.row, keys)
        })
    }) else {
        return Ok(());
    };
    storage::inbound::done(txn, &[row]).await?;
    let t = now();
    for key in &keys {
        storage::received::insert_if_new(txn, key, t).await?;
    }
    let _ = ACTING_ON.try_with(|a| {
        a.finished.store(true, Ordering::Relaxed);
        if let Ok(mut k) = a.keys.lock() {
            for (key, recorded) in k.iter_mut() {
                *recorded |= keys.contains(key);
            }
        }
    });
    Ok(())
}

/// `activities::once` names the key it de-duplicates by, before acting (so a unit that
/// commits records it).
pub fn name_key(key: &str) {
    let _ = ACTING_ON.try_with(|a| {
        if let Ok(mut k) = a.keys.lock() {
            k.push((key.to_owned(), false));
        }
    });
}

/// Whether `key` was recorded by a unit's commit (so `activities::once` need not).
pub fn recorded(key: &str) -> bool {
    ACTING_ON
        .try_with(|a| {
            a.keys
                .lock()
                .map(|k| k.iter().any(|(name, done)| *done && name == key))
                .unwrap_or(false)
        })
        .unwrap_or(false)
}

/// Whether the current task acts on a queued activity (its units may commit asynchronously
/// on PostgreSQL: the row they delete commits with them, so a lost commit is acted on again).
pub fn acting() -> bool {
    ACTING_ON.try_with(|_| ()).is_ok()
}

/// The workers of this process: claim, act, finish; until `stopped`, then let the activities
/// in hand finish.
pub async fn work(data: Data<Services>, config: InboundConfig, mut stopped: watch::Receiver<bool>) {
    if config.workers == 0 {
        // Only storing: keep the depth (for the backlog limit) as other processes drain it.
        while !*stopped.borrow() {
            if let Ok(n) = storage::inbound::depth(&data.db).await {
                data.inbound.depth.store(n, Ordering::Relaxed);
            }
            tokio::select! {
                () = tokio::time::sleep(DEPTH_REFRESH) => {}
                _ = stopped.changed() => {}
            }
        }
        return;
    }
    let slots = Arc::new(Semaphore::new(config.workers));
    let lease = chrono::Duration::seconds(i64::try_from(config.lease_seconds).unwrap_or(60));
    let mut refreshed = tokio::time::Instant::now() - DEPTH_REFRESH;
    while !*stopped.borrow() {
        if refreshed.elapsed() >= DEPTH_REFRESH {
            refreshed = tokio::time::Instant::now();
            if let Ok(n) = storage::inbound::depth(&data.db).await {
                data.inbound.depth.store(n, Ordering::Relaxed);
            }
        }
        let free = slots.available_permits();
        if free == 0 {
            if let Ok(p) = Arc::clone(&slots).acquire_owned().await {
                drop(p);
            }
            continue;
        }
        let t = now();
        let claimed =
            storage::inbound::claim(&data.db, t, t + lease, free.min(CLAIM_BATCH) as u64).await;
        let rows = match claimed {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "claiming received activities failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if rows.is_empty() {
            tokio::select! {
                () = data.inbound.wake.notified() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
                _ = stopped.changed() => {}
            }
            continue;
        }
        for row in rows {
            let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
                return;
            };
            let data = data.reset_request_count();
            let attempts = config.attempts;
            tokio::spawn(async move {
                act_and_finish(&data, row, attempts).await;
                drop(permit);
                data.inbound.wake.notify_one();
            });
        }
    }
    // Let the activities in hand finish (their rows are leased; a hard stop is a crash).
    let _ = slots
        .acquire_many(u32::try_from(config.workers).unwrap_or(u32::MAX))
        .await;
}

/// The wait before attempt `n + 1` of an activity that failed `n` times.
fn backoff(n: i32) -> chrono::Duration {
    match n {
        ..=0 => chrono::Duration::seconds(2),
        1 => chrono::Duration::seconds(10),
        2 => chrono::Duration::minutes(1),
        3 => chrono::Duration::minutes(5),
        _ => chrono::Duration::minutes(30),
    }
}

/// Acts on one claimed row and records what became of it.
pub async fn act_and_finish(data: &Data<Services>, row: storage::inbound::Claimed, attempts: u32) {
    let finished = Arc::new(AtomicBool::new(false));
    let acting = Acting {
        row: row.id,
        finished: Arc::clone(&finished),
        keys: Mutex::new(Vec::new()),
    };
    let outcome = ACTING_ON
        .scope(
            acting,
            std::panic::AssertUnwindSafe(storage::memo::scope(act(data, &row.body))).catch_unwind(),
        )
        .await
        .unwrap_or_else(|_| Err(Error::Internal("acting on the activity panicked".into())));
    let kind = serde_json::from_str::<Value>(&row.body)
        .ok()
        .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned));
    let recorded = match &outcome {
        Ok(()) => {
            let lag = (now() - row.received_at).num_microseconds().unwrap_or(0) as f64 / 1e6;
            data.metrics.inbound_done(lag.max(0.0));
            data.metrics.inbound(kind.as_deref(), "accepted");
            // Deleted already when a unit committed it; otherwise (nothing to change here) now.
            if finished.load(Ordering::Relaxed) {
                Ok(())
            } else {
                storage::inbound::done(&data.db, &[row.id]).await
            }
        }
        Err(e) if permanent(e) => {
            tracing::info!(activity = %row.ap_id, error = %e, "received activity refused");
            data.metrics.inbound(kind.as_deref(), "refused");
            let body = e.body();
            storage::inbound::refuse(
                &data.db,
                row.id,
                e.status().as_u16(),
                body.error,
                &body.message,
            )
            .await
        }
        Err(e) if u32::try_from(row.attempts + 1).unwrap_or(u32::MAX) >= attempts => {
            tracing::warn!(activity = %row.ap_id, error = %e, attempts = row.attempts + 1,
                "received activity parked after its last attempt");
            data.metrics.inbound(kind.as_deref(), "parked");
            storage::inbound::park(&data.db, row.id, &e.to_string()).await
        }
        Err(e) => {
            tracing::info!(activity = %row.ap_id, error = %e, attempt = row.attempts + 1,
                "acting on a received activity failed; it will be tried again");
            data.metrics.inbound(kind.as_deref(), "error");
            storage::inbound::retry(
                &data.db,
                row.id,
                now() + backoff(row.attempts),
                &e.to_string(),
            )
            .await
        }
    };
    if let Err(e) = recorded {
        // The lease runs out and the row is claimed again.
        tracing::warn!(activity = %row.ap_id, error = %e, "recording a received activity's outcome failed");
    } else {
        // Whatever its outcome, the row is no longer queued (a retried one is counted again
        // at the next refresh).
        let _ = data
            .inbound
            .depth
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |d| {
                Some(d.saturating_sub(1))
            });
    }
}

/// A refusal (a 4xx other than 429) is for good; anything else may pass on a later try.
fn permanent(e: &Error) -> bool {
    let s = e.status();
    s.is_client_error() && s != axum::http::StatusCode::TOO_MANY_REQUESTS
}

/// Acts on a stored activity: its checks passed before it was stored.
async fn act(data: &Data<Services>, body: &str) -> Result<()> {
    let activity: InboxActivity = serde_json::from_str(body).map_err(|e| {
        Error::refused(
            crate::error::Code::InvalidActivity,
            format!("unreadable activity: {e}"),
        )
    })?;
    activity.receive(data).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_objects_activities_share_a_key_and_a_reply_names_its_parent() {
        let note = json!({"id": "https://m.example/n/1", "type": "Note",
            "inReplyTo": "https://c.example/posts/7"});
        let create = json!({"id": "https://m.example/n/1/activity", "type": "Create",
            "object": note});
        let update = json!({"id": "https://m.example/n/1#u", "type": "Update", "object": note});
        let delete = json!({"id": "https://m.example/n/1#d", "type": "Delete",
            "object": "https://m.example/n/1"});
        let relayed = json!({"id": "https://c.example/a/1", "type": "Announce",
            "object": create.clone()});
        let post = Some("https://c.example/posts/7".to_string());
        let n1 = "https://m.example/n/1".to_string();
        assert_eq!(keys(&create), (n1.clone(), post.clone()));
        assert_eq!(keys(&relayed), (n1.clone(), post));
        assert_eq!(keys(&update), (n1.clone(), None));
        assert_eq!(keys(&delete), (n1, None));

        // A Like and its Undo: the Like's id; a Follow and its Accept: the Follow's id.
        let like = json!({"id": "https://m.example/l/1", "type": "Like",
            "object": "https://c.example/posts/7"});
        let undo = json!({"id": "https://m.example/l/1#undo", "type": "Undo", "object": like});
        assert_eq!(keys(&like).0, "https://m.example/l/1");
        assert_eq!(keys(&undo).0, "https://m.example/l/1");
        let follow = json!({"id": "https://m.example/f/1", "type": "Follow",
            "object": "https://c.example/g/rust"});
        let accept = json!({"id": "https://c.example/a/2", "type": "Accept", "object": follow});
        assert_eq!(keys(&accept).0, "https://m.example/f/1");
        // An Undo naming its object by id only.
        let by_id = json!({"id": "https://m.example/u/2", "type": "Undo",
            "object": "https://m.example/l/1"});
        assert_eq!(keys(&by_id).0, "https://m.example/l/1");
    }

    #[test]
    fn keys_a_database_could_not_store_are_dropped() {
        let create = json!({"id": "https://m.example/a", "type": "Create",
            "object": {"id": "https://m.example/n\u{0}", "inReplyTo": "x".repeat(5000)}});
        assert_eq!(keys(&create), (String::new(), None));
        // Nesting is followed three deep at most.
        let mut v = json!({"id": "https://m.example/deep", "type": "Like"});
        for i in 0..10 {
            v = json!({"id": format!("https://m.example/u/{i}"), "type": "Undo", "object": v});
        }
        assert_eq!(keys(&v).0, "https://m.example/u/6");
    }
}
