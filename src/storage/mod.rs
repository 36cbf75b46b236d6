//! Persistence: the sea-orm entities and the queries the domain runs, on SQLite or PostgreSQL.
//!
//! Queries that must stay correct under concurrent writers take their lock with their first
//! statement (a write), which serialises them on both backends: a row lock on PostgreSQL, the
//! database write lock on SQLite (where a read-then-write transaction could otherwise fail
//! to upgrade its lock).

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::config::DatabaseConfig;

pub use db::Db;

pub mod backup;
pub mod blocks;
pub mod db;
pub mod entities;
pub mod feeds;
pub mod followers;
pub mod group_invites;
pub mod groups;
pub mod health;
pub mod inbound;
pub mod instance;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod media;
pub mod memo;
pub mod moderation;
pub mod notifications;
pub mod pages;
pub mod peers;
pub mod persons;
pub mod posts;
pub mod questions;
pub mod queue;
pub mod received;
pub mod replies;
pub mod search;
pub mod sent;
pub mod sessions;
pub mod settings;
pub mod shares;
pub mod snapshot;
pub mod software;
pub mod sso;
pub mod user_blocks;
pub mod votes;

/// Opens the connection pool. SQLite runs in WAL mode (readers never wait for the writer)
/// with a busy timeout, so concurrent writers queue instead of failing.
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(config.url.clone());
    options
        .max_connections(config.max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        // Every statement at debug level: RUST_LOG=sqlx=debug shows them.
        .sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(15))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    Database::connect(options).await
}

/// Key of the PostgreSQL advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x636f_686f_7274; // "cohort"

/// Applies every pending migration; returns how many ran.
///
/// On PostgreSQL, where several processes may start at once (replicas of one instance), the
/// migrations run in one transaction holding an advisory lock: a second process waits, then
/// finds nothing pending, and a crash half-way leaves the schema as it was (PostgreSQL's DDL
/// is transactional). SQLite serves one process.
pub async fn migrate(db: &DatabaseConnection) -> Result<usize, DbErr> {
    use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await?;
        let pending = Migrator::get_pending_migrations(&txn).await?.len();
        Migrator::up(&txn, None).await?;
        txn.commit().await?;
        return Ok(pending);
    }
    let pending = Migrator::get_pending_migrations(db).await?.len();
    Migrator::up(db, None).await?;
    Ok(pending)
}

/// True when `e` says the database holds migrations this build does not know: a newer
/// version of Cohort migrated it (this process must be upgraded too).
pub fn is_newer_schema(e: &DbErr) -> bool {
    e.to_string()
        .contains("this migration has been applied but its file is missing")
}

/// True when the database has no pending migrations.
pub async fn is_migrated(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.is_empty())
}

/// A placeholder ActivityPub id, unique, for the instant between inserting a local row and
/// setting its real id (which contains the row's primary key) in the same transaction.
pub(crate) fn pending_ap_id() -> String {
    format!("urn:cohort:pending:{}", crate::domain::random_hex(16))
}
