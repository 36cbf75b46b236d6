//! The database as the rules see it: the connection pool, or one open transaction that
//! everything a use case does shares.
//!
//! A use case (`crate::usecases`) opens a transaction and hands the rules a [`Db::Txn`]:
//! every read then sees the use case's own writes, every `begin()` inside the rules becomes a
//! savepoint of that one transaction, and the outgoing activity is queued in it too. So a
//! change and the activity that tells other servers about it commit together or not at all
//! (a transactional outbox). Everything else (reads for pages, the delivery workers, the
//! admin commands) uses [`Db::Pool`].

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
    /// One open transaction; `begin()` on it opens a savepoint.
    Txn(Arc<DatabaseTransaction>),
}

impl Db {
    /// The pool this handle was made from, when it is one.
    pub fn pool(&self) -> Option<&DatabaseConnection> {
        match self {
            Self::Pool(p) => Some(p),
            Self::Txn(_) => None,
        }
    }

    /// Closes the pool (a transaction is left to its use case).
    pub async fn close(self) -> Result<(), DbErr> {
        match self {
            Self::Pool(p) => p.close().await,
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
            Self::Pool(c) => c.get_database_backend(),
            Self::Txn(t) => t.get_database_backend(),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Self::Pool(c) => c.execute_raw(stmt).await,
            Self::Txn(t) => t.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Self::Pool(c) => c.execute_unprepared(sql).await,
            Self::Txn(t) => t.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Self::Pool(c) => c.query_one_raw(stmt).await,
            Self::Txn(t) => t.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Self::Pool(c) => c.query_all_raw(stmt).await,
            Self::Txn(t) => t.query_all_raw(stmt).await,
        }
    }
}

#[async_trait::async_trait]
impl TransactionTrait for Db {
    type Transaction = DatabaseTransaction;

    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        match self {
            Self::Pool(c) => c.begin().await,
            Self::Txn(t) => t.begin().await,
        }
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<DatabaseTransaction, DbErr> {
        match self {
            Self::Pool(c) => c.begin_with_config(isolation_level, access_mode).await,
            Self::Txn(t) => t.begin_with_config(isolation_level, access_mode).await,
        }
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, DbErr> {
        match self {
            Self::Pool(c) => c.begin_with_options(options).await,
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
            Self::Pool(c) => c.transaction(callback).await,
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
            Self::Pool(c) => {
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
