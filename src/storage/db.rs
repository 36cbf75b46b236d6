//! The database as the rules see it: the connection pool, or one open transaction that
//! everything a use case does shares.
//!
//! A use case (`crate::usecases`) opens a transaction and hands the rules a [`Db::Txn`]:
//! every read then sees the use case's own writes, every `begin()` inside the rules becomes a
//! savepoint of that one transaction, and the outgoing activity is queued in it too. So a
//! change and the activity that tells other servers about it commit together or not at all
//! (a transactional outbox). Everything else (reads for pages, the delivery workers, the
//! admin commands) uses the pool.
//!
//! On SQLite the pool is split ([`Db::Split`]): statements that only read (`SELECT`) go to a
//! pool of readers, and every write and every transaction goes through ONE writer
//! connection. SQLite allows one writer at a time anyway; with the writes spread over the
//! pool, each connection found its page cache stale after another's commit (WAL mode drops
//! a connection's cache when the database changed under it) and read its pages again, which
//! cost a reply more than the work itself. One writer keeps its cache, and writers queue on
//! the pool's fair semaphore instead of SQLite's sleeping busy handler.

use std::{future::Future, pin::Pin, sync::Arc};

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, IsolationLevel, QueryResult, Statement, TransactionError, TransactionOptions,
    TransactionTrait,
};

/// The pool, or a transaction shared by one use case.
#[derive(Clone, Debug)]
pub enum Db {
    /// The connection pool: each statement or transaction takes a connection.
    Pool(DatabaseConnection),
    /// SQLite's readers and its one writer (see the module's text).
    Split {
        /// Connections for statements that only read.
        read: DatabaseConnection,
        /// The one connection every write and every transaction goes through.
        write: DatabaseConnection,
    },
    /// One open transaction; `begin()` on it opens a savepoint.
    Txn(Arc<DatabaseTransaction>),
}

impl Db {
    /// SQLite's readers and writer, `write` a pool of one connection.
    pub fn split(read: DatabaseConnection, write: DatabaseConnection) -> Self {
        Self::Split { read, write }
    }

    /// The pool this handle was made from, when it is one (SQLite's readers when split).
    pub fn pool(&self) -> Option<&DatabaseConnection> {
        match self {
            Self::Pool(p) | Self::Split { read: p, .. } => Some(p),
            Self::Txn(_) => None,
        }
    }

    /// Where writes and transactions go: the pool, or SQLite's one writer; `None` inside a
    /// use case's transaction.
    pub fn writer(&self) -> Option<&DatabaseConnection> {
        match self {
            Self::Pool(p) | Self::Split { write: p, .. } => Some(p),
            Self::Txn(_) => None,
        }
    }

    /// Closes the pool (a transaction is left to its use case).
    pub async fn close(self) -> Result<(), DbErr> {
        match self {
            Self::Pool(p) => p.close().await,
            Self::Split { read, write } => {
                read.close().await?;
                write.close().await
            }
            Self::Txn(_) => Ok(()),
        }
    }

    /// Whether this handle is inside a use case's transaction (its writes are not visible
    /// to anyone else until the use case commits).
    pub fn in_transaction(&self) -> bool {
        matches!(self, Self::Txn(_))
    }
}

impl From<DatabaseConnection> for Db {
    fn from(pool: DatabaseConnection) -> Self {
        Self::Pool(pool)
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Self::Pool(c) | Self::Split { write: c, .. } => c.get_database_backend(),
            Self::Txn(t) => t.get_database_backend(),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Self::Pool(c) | Self::Split { write: c, .. } => c.execute_raw(stmt).await,
            Self::Txn(t) => t.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Self::Pool(c) | Self::Split { write: c, .. } => c.execute_unprepared(sql).await,
            Self::Txn(t) => t.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Self::Pool(c) => c.query_one_raw(stmt).await,
            Self::Split { read, write } => route(&stmt.sql, read, write).query_one_raw(stmt).await,
            Self::Txn(t) => t.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Self::Pool(c) => c.query_all_raw(stmt).await,
            Self::Split { read, write } => route(&stmt.sql, read, write).query_all_raw(stmt).await,
            Self::Txn(t) => t.query_all_raw(stmt).await,
        }
    }
}

#[async_trait::async_trait]
impl TransactionTrait for Db {
    type Transaction = DatabaseTransaction;

    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        match self {
            Self::Pool(c) | Self::Split { write: c, .. } => c.begin().await,
            Self::Txn(t) => t.begin().await,
        }
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<DatabaseTransaction, DbErr> {
        match self {
            Self::Pool(c) | Self::Split { write: c, .. } => {
                c.begin_with_config(isolation_level, access_mode).await
            }
            Self::Txn(t) => t.begin_with_config(isolation_level, access_mode).await,
        }
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, DbErr> {
        match self {
            Self::Pool(c) | Self::Split { write: c, .. } => c.begin_with_options(options).await,
            Self::Txn(t) => t.begin_with_options(options).await,
        }
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        match self {
            Self::Pool(c) | Self::Split { write: c, .. } => c.transaction(callback).await,
            Self::Txn(t) => t.transaction(callback).await,
        }
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        match self {
            Self::Pool(c) | Self::Split { write: c, .. } => {
                c.transaction_with_config(callback, isolation_level, access_mode)
                    .await
            }
            Self::Txn(t) => {
                t.transaction_with_config(callback, isolation_level, access_mode)
                    .await
            }
        }
    }
}

/// The connection a query goes to on a split SQLite pool: the readers for a statement that
/// only reads (it starts with `SELECT`), the writer for anything else (`INSERT … RETURNING`
/// is a query too).
fn route<'a>(
    sql: &str,
    read: &'a DatabaseConnection,
    write: &'a DatabaseConnection,
) -> &'a DatabaseConnection {
    if only_reads(sql) { read } else { write }
}

/// True when `sql` is a `SELECT` (possibly after whitespace or an opening parenthesis).
fn only_reads(sql: &str) -> bool {
    let start = sql.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    start
        .get(..6)
        .is_some_and(|w| w.eq_ignore_ascii_case("select"))
}

#[cfg(test)]
mod tests {
    use super::only_reads;

    #[test]
    fn only_a_select_goes_to_the_readers() {
        assert!(only_reads("SELECT 1"));
        assert!(only_reads("  select \"id\" FROM posts"));
        assert!(only_reads("(SELECT 1) UNION (SELECT 2)"));
        assert!(!only_reads(
            "INSERT INTO posts (id) VALUES (1) RETURNING id"
        ));
        assert!(!only_reads("UPDATE posts SET title = 'SELECT'"));
        assert!(!only_reads("WITH x AS (SELECT 1) DELETE FROM posts"));
        assert!(!only_reads("PRAGMA optimize"));
        assert!(!only_reads("SEL"));
    }
}
