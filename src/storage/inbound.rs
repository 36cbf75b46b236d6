//! The durable inbound queue (table `inbound`; the migration explains each column). The
//! inbox stores verified activities here in batches ([`store`]); workers claim them
//! ([`claim`]), in order for one object, and finish each: gone once acted on ([`done`]),
//! retried later ([`retry`]), parked ([`park`]) or kept as refused ([`refuse`]).

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, FromQueryResult, TransactionSession, TransactionTrait, Value,
};
use serde::Serialize;

use super::queue::stmt;

/// A verified activity, to be stored.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// The activity's id.
    pub ap_id: String,
    /// What it is about (see the migration).
    pub object_key: String,
    /// The object it must come after (a new reply's parent).
    pub after_key: Option<String>,
    /// Its actor.
    pub actor: String,
    /// The body as received.
    pub body: String,
}

/// A claimed activity.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Claimed {
    /// The row.
    pub id: i64,
    /// The activity's id.
    pub ap_id: String,
    /// The body as received.
    pub body: String,
    /// Failed attempts so far.
    pub attempts: i32,
    /// When the inbox stored it.
    pub received_at: DateTime<Utc>,
}

/// A parked or refused activity, as `cohort admin inbound` lists it.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct Stuck {
    /// The row.
    pub id: i64,
    /// The activity's id.
    pub ap_id: String,
    /// `parked` or `refused`.
    pub state: String,
    /// Attempts made.
    pub attempts: i32,
    /// The HTTP status of a refusal.
    pub status: Option<i16>,
    /// The error code of a refusal.
    pub code: Option<String>,
    /// Why.
    pub error: Option<String>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// Stores `batch` in one transaction (one commit for many requests: group commit). An
/// activity already queued or parked, or already acted on (`received_activities`), is
/// skipped; one refused before is tried again (what refused it may have changed).
/// Returns how many were new.
pub async fn store<C: TransactionTrait>(
    db: &C,
    batch: &[NewActivity],
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    let sql = "INSERT INTO inbound \
        (ap_id, object_key, after_key, actor, body, received_at, state, attempts, next_attempt_at) \
        SELECT ?, ?, ?, ?, ?, ?, 'queued', 0, ? \
        WHERE NOT EXISTS (SELECT 1 FROM received_activities r WHERE r.ap_id = ?) \
        ON CONFLICT (ap_id) DO UPDATE SET state = 'queued', body = excluded.body, \
          attempts = 0, next_attempt_at = excluded.next_attempt_at, lease_until = NULL, \
          received_at = excluded.received_at, status = NULL, code = NULL, error = NULL \
        WHERE inbound.state = 'refused'";
    let mut stored = 0;
    for a in batch {
        let values: Vec<Value> = vec![
            a.ap_id.clone().into(),
            a.object_key.clone().into(),
            a.after_key.clone().into(),
            a.actor.clone().into(),
            a.body.clone().into(),
            now.into(),
            now.into(),
            a.ap_id.clone().into(),
        ];
        stored += txn
            .execute_raw(stmt(backend, sql, values))
            .await?
            .rows_affected();
    }
    txn.commit().await?;
    Ok(stored)
}

/// Due rows, oldest first, that one claim considers.
const WINDOW: u64 = 1024;

/// How long a reply waits for its parent's activity queued after it (a reply that arrived
/// first); then it is acted on anyway (the parent fetched), so no cycle blocks for good.
const PARENT_WAIT: chrono::Duration = chrono::Duration::seconds(60);

/// Claims up to `limit` due activities, leasing them until `lease_until`: the oldest first,
/// and only those with no earlier queued activity about the same object, nor a queued one
/// about the object they come after (earlier, or for [`PARENT_WAIT`] later: a reply that
/// arrived before its parent waits for it). `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
/// processes sharing the queue never claim the same row.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Claimed>, DbErr> {
    let backend = conn.get_database_backend();
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    // The ordering checks run only on a window of the oldest due rows (an index range), so
    // a claim costs the same however deep the queue and whatever the planner's statistics.
    let sql = format!(
        "UPDATE inbound SET lease_until = ? WHERE id IN ( \
           SELECT q.id FROM inbound q \
           WHERE q.id IN (SELECT w.id FROM inbound w WHERE w.state = 'queued' \
                            AND w.next_attempt_at <= ? \
                            AND (w.lease_until IS NULL OR w.lease_until <= ?) \
                          ORDER BY w.id LIMIT {WINDOW}) \
             AND NOT EXISTS (SELECT 1 FROM inbound p WHERE p.object_key = q.object_key \
                             AND p.state = 'queued' AND p.id < q.id) \
             AND (q.after_key IS NULL OR NOT EXISTS (SELECT 1 FROM inbound p \
                  WHERE p.object_key = q.after_key AND p.state = 'queued' AND p.id <> q.id \
                    AND (p.id < q.id OR q.received_at > ?))) \
           ORDER BY q.id LIMIT ? {lock}) \
         AND (lease_until IS NULL OR lease_until <= ?) \
         RETURNING id, ap_id, body, attempts, received_at"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows = Claimed::find_by_statement(stmt(
        backend,
        &sql,
        vec![
            lease_until.into(),
            now.into(),
            now.into(),
            (now - PARENT_WAIT).into(),
            limit.into(),
            now.into(),
        ],
    ))
    .all(conn)
    .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Removes acted-on rows.
pub async fn done<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let backend = conn.get_database_backend();
    conn.execute_raw(stmt(
        backend,
        &format!("DELETE FROM inbound WHERE id IN ({marks})"),
        ids.iter().map(|i| (*i).into()).collect(),
    ))
    .await?;
    Ok(())
}

/// Releases row `id` to be tried again at `at`, one attempt more, with the error.
pub async fn retry<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    at: DateTime<Utc>,
    error: &str,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    conn.execute_raw(stmt(
        backend,
        "UPDATE inbound SET attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL, \
         error = ? WHERE id = ?",
        vec![at.into(), error.into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// Parks row `id` with its error: it is not tried again until an admin retries it.
pub async fn park<C: ConnectionTrait>(conn: &C, id: i64, error: &str) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    conn.execute_raw(stmt(
        backend,
        "UPDATE inbound SET state = 'parked', attempts = attempts + 1, lease_until = NULL, \
         error = ? WHERE id = ?",
        vec![error.into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// Keeps row `id` as refused, with the status and code a sender would have been answered.
pub async fn refuse<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    status: u16,
    code: &str,
    error: &str,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let status = i16::try_from(status).unwrap_or(i16::MAX);
    conn.execute_raw(stmt(
        backend,
        "UPDATE inbound SET state = 'refused', lease_until = NULL, status = ?, code = ?, \
         error = ?, body = '' WHERE id = ?",
        vec![status.into(), code.into(), error.into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// Queued activities (claimed or not).
pub async fn depth<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    count(
        conn,
        "SELECT COUNT(*) AS n FROM inbound WHERE state = 'queued'",
    )
    .await
}

/// Queued activities not yet tried (claimed or not): zero once every stored activity has
/// been acted on at least once.
pub async fn untried<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    count(
        conn,
        "SELECT COUNT(*) AS n FROM inbound WHERE state = 'queued' AND attempts = 0",
    )
    .await
}

/// The count `sql` selects as `n`.
async fn count<C: ConnectionTrait>(conn: &C, sql: &str) -> Result<u64, DbErr> {
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let backend = conn.get_database_backend();
    let n = N::find_by_statement(stmt(backend, sql, vec![]))
        .one(conn)
        .await?
        .map_or(0, |n| n.n);
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Counts by state: queued, parked, refused.
pub async fn counts<C: ConnectionTrait>(conn: &C) -> Result<(u64, u64, u64), DbErr> {
    #[derive(FromQueryResult)]
    struct N {
        state: String,
        n: i64,
    }
    let backend = conn.get_database_backend();
    let rows = N::find_by_statement(stmt(
        backend,
        "SELECT state, COUNT(*) AS n FROM inbound GROUP BY state",
        vec![],
    ))
    .all(conn)
    .await?;
    let of = |s: &str| {
        rows.iter()
            .find(|r| r.state == s)
            .map_or(0, |r| u64::try_from(r.n).unwrap_or(0))
    };
    Ok((of("queued"), of("parked"), of("refused")))
}

/// The parked and refused activities, newest first.
pub async fn stuck<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<Stuck>, DbErr> {
    let backend = conn.get_database_backend();
    Stuck::find_by_statement(stmt(
        backend,
        "SELECT id, ap_id, state, attempts, status, code, error, received_at FROM inbound \
         WHERE state <> 'queued' ORDER BY id DESC LIMIT ?",
        vec![i64::try_from(limit).unwrap_or(i64::MAX).into()],
    ))
    .all(conn)
    .await
}

/// The refusal kept for activity `ap_id`, if it was refused: (status, code, error).
pub async fn refusal<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
) -> Result<Option<(i16, String, String)>, DbErr> {
    let backend = conn.get_database_backend();
    Ok(Stuck::find_by_statement(stmt(
        backend,
        "SELECT id, ap_id, state, attempts, status, code, error, received_at FROM inbound \
         WHERE ap_id = ? AND state = 'refused'",
        vec![ap_id.into()],
    ))
    .one(conn)
    .await?
    .map(|s| {
        (
            s.status.unwrap_or_default(),
            s.code.unwrap_or_default(),
            s.error.unwrap_or_default(),
        )
    }))
}

/// Puts a parked activity back in the queue (`cohort admin inbound --retry`); false when
/// there is no such parked row.
pub async fn requeue<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let backend = conn.get_database_backend();
    Ok(conn
        .execute_raw(stmt(
            backend,
            "UPDATE inbound SET state = 'queued', attempts = 0, next_attempt_at = ?, \
             lease_until = NULL WHERE id = ? AND state = 'parked'",
            vec![now.into(), id.into()],
        ))
        .await?
        .rows_affected()
        > 0)
}

/// Drops a parked or refused row (`cohort admin inbound --drop`); false when there is none.
pub async fn drop_stuck<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool, DbErr> {
    let backend = conn.get_database_backend();
    Ok(conn
        .execute_raw(stmt(
            backend,
            "DELETE FROM inbound WHERE id = ? AND state <> 'queued'",
            vec![id.into()],
        ))
        .await?
        .rows_affected()
        > 0)
}

/// Forgets refusals older than `before`.
pub async fn purge_refused<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let backend = conn.get_database_backend();
    Ok(conn
        .execute_raw(stmt(
            backend,
            "DELETE FROM inbound WHERE state = 'refused' AND received_at < ?",
            vec![before.into()],
        ))
        .await?
        .rows_affected())
}
