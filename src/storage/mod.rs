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

pub mod entities;
pub mod followers;
pub mod groups;
pub mod instance;
pub mod memo;
pub mod persons;
pub mod posts;
pub mod queue;
pub mod received;
pub mod replies;
pub mod sent;
pub mod sessions;
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

/// Applies every pending migration; returns how many ran.
pub async fn migrate(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    Migrator::up(db, None).await?;
    Ok(pending)
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
