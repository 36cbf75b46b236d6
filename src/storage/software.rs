//! What software each other instance runs (`peer_software`, learnt from its NodeInfo by
//! `delivery::software`), and the copy of its `single_delivery` on its destinations.
//!
//! Hosts are checked under a lease, as destinations are claimed: `claim_due` moves a host's
//! `next_check_at` past the lease before it is fetched, so two processes never check one host
//! at once, and a process that dies mid-check leaves the host due again when the lease ends.

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, FromQueryResult, TransactionSession, TransactionTrait,
};

use super::queue::stmt;

/// What was learnt of one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learnt {
    /// NodeInfo's `software.name`, lowercased.
    pub software: String,
    /// NodeInfo's `software.version`.
    pub version: Option<String>,
    /// Whether one delivery of a post is enough for it (`domain::software`).
    pub single_delivery: bool,
}

/// One host's row.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct PeerSoftware {
    /// `host[:port]`.
    pub host: String,
    /// Its software, when known.
    pub software: Option<String>,
    /// Its version, when known.
    pub version: Option<String>,
    /// Whether its destinations get one delivery of a post.
    pub single_delivery: bool,
    /// When its NodeInfo was last read, if ever.
    pub checked_at: Option<DateTime<Utc>>,
    /// When it is read again.
    pub next_check_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct Host {
    host: String,
}

/// Makes every destination host that has no row due now, then leases up to `limit` due hosts
/// that still have destinations until `lease_until` and returns them.
pub async fn claim_due<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    let backend = conn.get_database_backend();
    // A read first: the insert (a write) only when a host is new.
    let new = Host::find_by_statement(stmt(
        backend,
        "SELECT DISTINCT d.host AS host FROM destinations d \
         WHERE d.host <> '' AND NOT EXISTS (SELECT 1 FROM peer_software s WHERE s.host = d.host)",
        vec![],
    ))
    .all(conn)
    .await?;
    for h in new {
        conn.execute_raw(stmt(
            backend,
            "INSERT INTO peer_software (host, single_delivery, next_check_at) VALUES (?, FALSE, ?) \
             ON CONFLICT (host) DO NOTHING",
            vec![h.host.into(), now.into()],
        ))
        .await?;
    }
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = format!(
        "UPDATE peer_software SET next_check_at = ? WHERE host IN ( \
           SELECT s.host FROM peer_software s WHERE s.next_check_at <= ? \
             AND EXISTS (SELECT 1 FROM destinations d WHERE d.host = s.host) \
           ORDER BY s.next_check_at, s.host LIMIT ? {lock}) \
         AND next_check_at <= ? RETURNING host"
    );
    let hosts = Host::find_by_statement(stmt(
        backend,
        &sql,
        vec![lease_until.into(), now.into(), limit.into(), now.into()],
    ))
    .all(conn)
    .await?;
    Ok(hosts.into_iter().map(|h| h.host).collect())
}

/// Records a check of `host`: what was learnt (`None`: its NodeInfo could not be read, and
/// what was known before is kept), read again at `next_check_at`; its destinations follow.
pub async fn record<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    host: &str,
    learnt: Option<&Learnt>,
    now: DateTime<Utc>,
    next_check_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    match learnt {
        Some(l) => {
            txn.execute_raw(stmt(
                backend,
                "INSERT INTO peer_software \
                   (host, software, version, single_delivery, checked_at, next_check_at) \
                 VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (host) DO UPDATE SET software = excluded.software, \
                   version = excluded.version, single_delivery = excluded.single_delivery, \
                   checked_at = excluded.checked_at, next_check_at = excluded.next_check_at",
                vec![
                    host.into(),
                    l.software.clone().into(),
                    l.version.clone().into(),
                    l.single_delivery.into(),
                    now.into(),
                    next_check_at.into(),
                ],
            ))
            .await?;
        }
        None => {
            txn.execute_raw(stmt(
                backend,
                "INSERT INTO peer_software (host, single_delivery, next_check_at) \
                 VALUES (?, FALSE, ?) \
                 ON CONFLICT (host) DO UPDATE SET next_check_at = excluded.next_check_at",
                vec![host.into(), next_check_at.into()],
            ))
            .await?;
        }
    }
    txn.execute_raw(stmt(
        backend,
        "UPDATE destinations SET single_delivery = \
           (SELECT s.single_delivery FROM peer_software s WHERE s.host = ?) \
         WHERE host = ?",
        vec![host.into(), host.into()],
    ))
    .await?;
    txn.commit().await
}

/// Every host's row, by host.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<PeerSoftware>, DbErr> {
    PeerSoftware::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT host, software, version, single_delivery, checked_at, next_check_at \
         FROM peer_software ORDER BY host",
        vec![],
    ))
    .all(conn)
    .await
}

/// One host's row.
pub async fn find<C: ConnectionTrait>(conn: &C, host: &str) -> Result<Option<PeerSoftware>, DbErr> {
    PeerSoftware::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT host, software, version, single_delivery, checked_at, next_check_at \
         FROM peer_software WHERE host = ?",
        vec![host.into()],
    ))
    .one(conn)
    .await
}
