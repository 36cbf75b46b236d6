//! The outgoing queue: one row per activity, a cursor per destination inbox.
//!
//! Writing an activity costs O(1) rows however many servers follow the group: `outgoing`
//! gets one row (its body is the copy in `sent_activities`, kept for fetching by id), and
//! explicitly addressed activities one `outgoing_direct` row per named inbox. An activity with
//! `group_id` is due at every destination that follows that group when it is delivered.
//!
//! Each destination's `delivered_seq` says that every activity at or below it has been dealt
//! with for that inbox. Activities are stored in commit order (on PostgreSQL an advisory lock
//! serialises the short enqueue transaction; SQLite has one writer), so a destination never
//! sees activity `n + 1` while `n` is still invisible, and its cursor never skips one.
//!
//! Order and isolation: a destination is claimed whole, by one worker at a time, which sends
//! its activities one after another in `seq` order; different destinations proceed in
//! parallel, so a slow or failing one holds up only itself.
//!
//! Claiming pushes `next_attempt_at` one lease ahead in the statement that selects the due
//! destinations (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several processes never claim the
//! same one). The worker writes the new cursor and releases the destination when done. If
//! its process dies the lease runs out and the destination is claimed again from its stored
//! cursor: nothing is lost on a crash.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, Set,
    Statement, TransactionSession, TransactionTrait, Value,
    sea_query::{Expr, OnConflict},
};
use serde::Serialize;

use super::entities::{destinations, outgoing, outgoing_direct, sent_activities};

/// Lock key that serialises enqueueing on PostgreSQL ("cohort" in ASCII).
const ENQUEUE_LOCK: i64 = 0x636f_686f_7274;

/// The PostgreSQL notification channel on which enqueueing wakes every process's dispatcher.
pub const WORK_CHANNEL: &str = "cohort_delivery";

/// "Destination `d` has work": a direct activity past its cursor, or an activity of a group
/// it follows past its cursor (index probes only).
const HAS_WORK: &str = "(EXISTS (SELECT 1 FROM outgoing_direct od \
       WHERE od.destination_id = d.id AND od.seq > d.delivered_seq) \
     OR EXISTS (SELECT 1 FROM group_followers f \
       JOIN outgoing o ON o.group_id = f.group_id AND o.seq > d.delivered_seq \
         AND NOT (o.microblog_only AND d.single_delivery) \
       WHERE f.destination_id = d.id AND f.pending = FALSE))";

/// (destination, seq) pairs past each destination's cursor; `{dests}` restricts the
/// destinations (a condition on `d`).
const PENDING_PAIRS: &str = "SELECT d.id AS dest, o.seq AS seq FROM destinations d \
       JOIN group_followers f ON f.destination_id = d.id AND f.pending = FALSE \
       JOIN outgoing o ON o.group_id = f.group_id AND o.seq > d.delivered_seq \
         AND NOT (o.microblog_only AND d.single_delivery) \
       WHERE {dests} \
     UNION \
     SELECT d.id AS dest, od.seq AS seq FROM outgoing_direct od \
       JOIN destinations d ON d.id = od.destination_id \
       WHERE {dests} AND od.seq > d.delivered_seq";

/// Builds a statement from SQL written with `?` placeholders (numbered for PostgreSQL).
pub(super) fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_string()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// `host[:port]` of an inbox URL, lowercased.
pub fn host_of(inbox: &str) -> String {
    url::Url::parse(inbox)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{}:{p}", h.to_ascii_lowercase()),
                None => h.to_ascii_lowercase(),
            })
        })
        .unwrap_or_default()
}

/// Makes sure each inbox has a destination; a new one starts after every activity already
/// stored (it follows from now on). Returns the destinations' ids by inbox.
pub async fn ensure_destinations<C: ConnectionTrait>(
    conn: &C,
    inboxes: &[String],
    now: DateTime<Utc>,
) -> Result<HashMap<String, i64>, DbErr> {
    let backend = conn.get_database_backend();
    for inbox in inboxes {
        let host = host_of(inbox);
        conn.execute_raw(stmt(
            backend,
            "INSERT INTO destinations \
               (inbox, host, delivered_seq, next_attempt_at, attempts, created_at, \
                single_delivery) \
             SELECT ?, ?, COALESCE((SELECT MAX(seq) FROM outgoing), 0), ?, 0, ?, \
               COALESCE((SELECT s.single_delivery FROM peer_software s WHERE s.host = ?), \
                 FALSE) \
             WHERE NOT EXISTS (SELECT 1 FROM destinations WHERE inbox = ?) \
             ON CONFLICT (inbox) DO NOTHING",
            vec![
                inbox.clone().into(),
                host.clone().into(),
                now.into(),
                now.into(),
                host.into(),
                inbox.clone().into(),
            ],
        ))
        .await?;
    }
    let mut ids = HashMap::new();
    for chunk in inboxes.chunks(500) {
        for d in destinations::Entity::find()
            .filter(destinations::Column::Inbox.is_in(chunk.iter().cloned()))
            .all(conn)
            .await?
        {
            ids.insert(d.inbox, d.id);
        }
    }
    Ok(ids)
}

/// An activity to queue.
pub struct NewActivity<'a> {
    /// Its id.
    pub activity_id: &'a str,
    /// The local actor whose key signs it.
    pub signer: &'a str,
    /// Its JSON.
    pub body: &'a str,
    /// Deliver to every destination following this group.
    pub group_id: Option<i64>,
    /// Only for the group's followers on microblog software (see
    /// `domain::software::one_delivery_is_enough`): skipped where one delivery is enough.
    pub microblog_only: bool,
    /// And to these inboxes.
    pub inboxes: &'a [String],
}

/// Stores an activity for delivery in one transaction: its body (fetchable by id from then
/// on), its queue row and its explicit destinations. Returns its sequence number.
pub async fn enqueue<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    a: NewActivity<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        // Held to commit: sequence numbers become visible in the order they are taken.
        txn.execute_raw(stmt(
            backend,
            "SELECT pg_advisory_xact_lock(?)",
            vec![ENQUEUE_LOCK.into()],
        ))
        .await?;
    }
    // First statement on SQLite is a write, so the transaction holds the write lock.
    super::sent::keep(&txn, a.activity_id, a.body, now).await?;
    let dests = ensure_destinations(&txn, a.inboxes, now).await?;
    let seq = outgoing::Entity::insert(outgoing::ActiveModel {
        activity_id: Set(a.activity_id.to_string()),
        signer: Set(a.signer.to_string()),
        group_id: Set(a.group_id),
        microblog_only: Set(a.microblog_only),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    if !dests.is_empty() {
        outgoing_direct::Entity::insert_many(dests.values().map(|&id| {
            outgoing_direct::ActiveModel {
                destination_id: Set(id),
                seq: Set(seq),
            }
        }))
        .on_conflict(
            OnConflict::columns([
                outgoing_direct::Column::DestinationId,
                outgoing_direct::Column::Seq,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    if backend == DbBackend::Postgres {
        // Delivered at commit, to every process listening (`delivery::listen_for_work`).
        txn.execute_raw(stmt(
            backend,
            "SELECT pg_notify(?, '')",
            vec![WORK_CHANNEL.into()],
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(seq)
}

/// Claims up to `limit` destinations that are due and have work, leasing them until
/// `lease_until`.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<destinations::Model>, DbErr> {
    let backend = conn.get_database_backend();
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE destinations SET next_attempt_at = ? WHERE id IN ( \
           SELECT d.id FROM destinations d \
           WHERE d.next_attempt_at <= ? AND d.unreachable_since IS NULL AND {HAS_WORK} \
           ORDER BY d.next_attempt_at, d.id LIMIT ? {lock}) \
         AND next_attempt_at <= ? RETURNING *"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows = destinations::Entity::find()
        .from_raw_sql(stmt(
            backend,
            &sql,
            vec![lease_until.into(), now.into(), limit.into(), now.into()],
        ))
        .all(conn)
        .await?;
    rows.sort_by_key(|d| d.id);
    Ok(rows)
}

/// One activity due at one destination.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Due {
    /// The destination's id.
    pub dest: i64,
    /// The activity's place in the queue.
    pub seq: i64,
    /// The activity's id.
    pub activity_id: String,
    /// The local actor whose key signs it.
    pub signer: String,
}

/// The next (at most `per_destination`) activities due at each of `dests`, in order.
pub async fn due_for<C: ConnectionTrait>(
    conn: &C,
    dests: &[i64],
    per_destination: u64,
) -> Result<HashMap<i64, Vec<Due>>, DbErr> {
    let mut out: HashMap<i64, Vec<Due>> = HashMap::new();
    let backend = conn.get_database_backend();
    for chunk in dests.chunks(400) {
        let cond = format!("d.id IN ({})", placeholders(chunk.len()));
        let pairs = PENDING_PAIRS.replace("{dests}", &cond);
        let sql = format!(
            "WITH pend AS ({pairs}), ranked AS ( \
               SELECT dest, seq, ROW_NUMBER() OVER (PARTITION BY dest ORDER BY seq) AS rn \
               FROM pend) \
             SELECT r.dest AS dest, o.seq AS seq, o.activity_id AS activity_id, \
               o.signer AS signer \
             FROM ranked r JOIN outgoing o ON o.seq = r.seq WHERE r.rn <= ? \
             ORDER BY r.dest, r.seq"
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 2 + 1);
        for _ in 0..2 {
            values.extend(chunk.iter().map(|&id| Value::from(id)));
        }
        values.push(i64::try_from(per_destination).unwrap_or(i64::MAX).into());
        for due in Due::find_by_statement(stmt(backend, &sql, values))
            .all(conn)
            .await?
        {
            out.entry(due.dest).or_default().push(due);
        }
    }
    Ok(out)
}

/// The stored JSON of each activity id (absent when it has been purged).
pub async fn bodies<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
) -> Result<HashMap<String, String>, DbErr> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for a in sent_activities::Entity::find()
            .filter(sent_activities::Column::ApId.is_in(chunk.iter().cloned()))
            .all(conn)
            .await?
        {
            out.insert(a.ap_id, a.body);
        }
    }
    Ok(out)
}

/// What a worker did with a claimed destination; writing it releases the claim.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The destination.
    pub dest: i64,
    /// Everything at or below this is dealt with (delivered, or refused for good).
    pub delivered_seq: i64,
    /// When to look at it again (now, or after a back-off).
    pub next_attempt_at: DateTime<Utc>,
    /// Consecutive failed attempts (0 after a success).
    pub attempts: i32,
    /// Since when it has been failing, if it is.
    pub failing_since: Option<DateTime<Utc>>,
    /// The last failure, if it is failing.
    pub last_error: Option<String>,
    /// Set when it has failed for so long that it is skipped until heard from again.
    pub unreachable_since: Option<DateTime<Utc>>,
    /// Set when something was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// Writes outcomes, all in one transaction.
pub async fn record<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    outcomes: &[Outcome],
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    for o in outcomes {
        let mut update = destinations::Entity::update_many()
            .col_expr(
                destinations::Column::DeliveredSeq,
                Expr::value(o.delivered_seq),
            )
            .col_expr(
                destinations::Column::NextAttemptAt,
                Expr::value(o.next_attempt_at),
            )
            .col_expr(destinations::Column::Attempts, Expr::value(o.attempts))
            .col_expr(
                destinations::Column::FailingSince,
                Expr::value(o.failing_since),
            )
            .col_expr(
                destinations::Column::LastError,
                Expr::value(o.last_error.clone()),
            )
            .col_expr(
                destinations::Column::UnreachableSince,
                Expr::value(o.unreachable_since),
            );
        if let Some(t) = o.delivered_at {
            update = update.col_expr(destinations::Column::LastSuccessAt, Expr::value(t));
        }
        update
            .filter(destinations::Column::Id.eq(o.dest))
            .exec(&txn)
            .await?;
    }
    txn.commit().await
}

/// A destination on `host` that was marked unreachable has been heard from: deliver to it
/// again. Reads first, so the common case (nothing to do) takes no write lock.
pub async fn heard_from<C: ConnectionTrait>(
    conn: &C,
    host: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let unreachable = destinations::Entity::find()
        .filter(destinations::Column::Host.eq(host))
        .filter(destinations::Column::UnreachableSince.is_not_null())
        .one(conn)
        .await?;
    if unreachable.is_none() {
        return Ok(false);
    }
    destinations::Entity::update_many()
        .col_expr(
            destinations::Column::UnreachableSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            destinations::Column::FailingSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(destinations::Column::Attempts, Expr::value(0))
        .col_expr(destinations::Column::NextAttemptAt, Expr::value(now))
        .filter(destinations::Column::Host.eq(host))
        .filter(destinations::Column::UnreachableSince.is_not_null())
        .exec(conn)
        .await?;
    Ok(true)
}

/// Makes destinations due now: those whose inbox is in `inboxes`, or, when it is empty, every
/// failing or unreachable one. Their back-off restarts; the time they started failing is kept,
/// so one that still fails after three days is marked unreachable again. Returns how many.
pub async fn retry_now<C: ConnectionTrait>(
    db: &C,
    inboxes: &[String],
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut update = destinations::Entity::update_many()
        .col_expr(destinations::Column::NextAttemptAt, Expr::value(now))
        .col_expr(destinations::Column::Attempts, Expr::value(0))
        .col_expr(
            destinations::Column::UnreachableSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    update = if inboxes.is_empty() {
        update.filter(
            sea_orm::Condition::any()
                .add(destinations::Column::Attempts.gt(0))
                .add(destinations::Column::UnreachableSince.is_not_null()),
        )
    } else {
        update.filter(destinations::Column::Inbox.is_in(inboxes.iter().cloned()))
    };
    let n = update.exec(db).await?.rows_affected;
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(stmt(
            DbBackend::Postgres,
            "SELECT pg_notify(?, '')",
            vec![WORK_CHANNEL.into()],
        ))
        .await?;
    }
    Ok(n)
}

/// Hosts with a destination marked unreachable.
pub async fn unreachable_hosts<C: ConnectionTrait>(
    conn: &C,
) -> Result<std::collections::HashSet<String>, DbErr> {
    Ok(destinations::Entity::find()
        .filter(destinations::Column::UnreachableSince.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.host)
        .collect())
}

/// The queue at a glance, for `cohort admin queue`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Destinations known.
    pub destinations: u64,
    /// Deliveries still to make (an activity due at a destination counts once).
    pub pending: u64,
    /// When the oldest still-pending activity was stored.
    pub oldest_pending: Option<DateTime<Utc>>,
    /// Destinations skipped until they are heard from again.
    pub unreachable: u64,
    /// Destinations whose last attempt failed, or that are unreachable, worst first.
    pub failing: Vec<Failing>,
}

/// A destination in trouble.
#[derive(Debug, Clone, Serialize)]
pub struct Failing {
    /// Its inbox.
    pub inbox: String,
    /// Deliveries waiting for it.
    pub pending: u64,
    /// Consecutive failed attempts.
    pub attempts: i32,
    /// Failing since.
    pub failing_since: Option<DateTime<Utc>>,
    /// Next attempt (meaningless while unreachable).
    pub next_attempt_at: DateTime<Utc>,
    /// Marked unreachable at.
    pub unreachable_since: Option<DateTime<Utc>>,
    /// The last error.
    pub last_error: Option<String>,
}

#[derive(Debug, FromQueryResult)]
struct PendingRow {
    dest: i64,
    n: i64,
    oldest: Option<DateTime<Utc>>,
}

/// Depth, oldest pending activity and failing destinations.
pub async fn report<C: ConnectionTrait>(conn: &C) -> Result<Report, DbErr> {
    let backend = conn.get_database_backend();
    let pairs = PENDING_PAIRS.replace("{dests}", "1 = 1");
    let sql = format!(
        "SELECT pend.dest AS dest, COUNT(*) AS n, MIN(o.created_at) AS oldest \
         FROM ({pairs}) pend JOIN outgoing o ON o.seq = pend.seq GROUP BY pend.dest"
    );
    let per_dest: HashMap<i64, PendingRow> =
        PendingRow::find_by_statement(stmt(backend, &sql, vec![]))
            .all(conn)
            .await?
            .into_iter()
            .map(|r| (r.dest, r))
            .collect();
    let all = destinations::Entity::find().all(conn).await?;
    let pending = per_dest.values().map(|r| r.n.max(0) as u64).sum();
    let oldest_pending = per_dest.values().filter_map(|r| r.oldest).min();
    let mut failing: Vec<Failing> = all
        .iter()
        .filter(|d| d.attempts > 0 || d.unreachable_since.is_some())
        .map(|d| Failing {
            inbox: d.inbox.clone(),
            pending: per_dest.get(&d.id).map_or(0, |r| r.n.max(0) as u64),
            attempts: d.attempts,
            failing_since: d.failing_since,
            next_attempt_at: d.next_attempt_at,
            unreachable_since: d.unreachable_since,
            last_error: d.last_error.clone(),
        })
        .collect();
    failing.sort_by(|a, b| (a.failing_since, &a.inbox).cmp(&(b.failing_since, &b.inbox)));
    Ok(Report {
        destinations: all.len() as u64,
        pending,
        oldest_pending,
        unreachable: all.iter().filter(|d| d.unreachable_since.is_some()).count() as u64,
        failing,
    })
}

/// Deliveries still to make, over all destinations.
pub async fn pending<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    Ok(report(conn).await?.pending)
}

/// Forgets what no destination needs any more: direct rows behind their destination's cursor,
/// and queue rows older than `before` (the retention; longer than a destination may fail
/// before it is marked unreachable).
pub async fn purge<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let direct = conn
        .execute_unprepared(
            "DELETE FROM outgoing_direct WHERE seq <= (SELECT d.delivered_seq \
             FROM destinations d WHERE d.id = outgoing_direct.destination_id)",
        )
        .await?
        .rows_affected();
    let old = outgoing::Entity::delete_many()
        .filter(outgoing::Column::CreatedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected;
    Ok(direct + old)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        let s = stmt(DbBackend::Postgres, "a = ? AND b IN (?, ?)", vec![]);
        assert_eq!(s.sql, "a = $1 AND b IN ($2, $3)");
        let s = stmt(DbBackend::Sqlite, "a = ?", vec![]);
        assert_eq!(s.sql, "a = ?");
    }

    #[test]
    fn hosts_of_inboxes() {
        assert_eq!(host_of("https://Example.org/inbox"), "example.org");
        assert_eq!(host_of("http://127.0.0.9:81/inbox"), "127.0.0.9:81");
    }
}
