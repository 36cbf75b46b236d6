//! What every adapter (the API, the web pages, the inbox, the delivery workers) is given:
//! the rules' context ([`Ctx`]: the database, the instance, its block list) and this
//! process's own machinery: parsed keys, the unreachable-host snapshot, the counters and the
//! delivery wake-up. The rules (`domain/`) see only `Ctx`; a `&Services` is a `&Ctx` to them.

use std::{ops::Deref, sync::Arc};

use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use tokio::sync::Notify;

use crate::{
    delivery::UnreachableHosts,
    domain::Ctx,
    error::{Error, Result},
    federation::signing::KeyCache,
    metrics::Metrics,
    storage::{self, Db},
};

/// The rules' context plus this process's caches, counters and wake-ups.
#[derive(Debug, Clone)]
pub struct Services {
    /// The rules' context.
    pub ctx: Ctx,
    /// Wakes this process's delivery workers when something is queued.
    pub delivery_wake: Arc<Notify>,
    /// Parsed signing and verification keys.
    pub keys: Arc<KeyCache>,
    /// Hosts with destinations marked unreachable, as of a moment ago.
    pub unreachable: Arc<UnreachableHosts>,
    /// This process's counters.
    pub metrics: Arc<Metrics>,
    /// The single sign-on providers (discovered metadata cached per process).
    pub sso: Arc<crate::sso::Providers>,
    /// Where pictures and files are kept (set by the application; see [`Services::media`]).
    pub media_store: Option<Arc<crate::media::Media>>,
    /// The inbound queue's writer, depth and wake-up (`inbox::queue`).
    pub inbound: Arc<crate::inbox::queue::Inbound>,
}

impl Services {
    /// Fresh caches and counters around `ctx`.
    pub fn new(ctx: Ctx) -> Self {
        Self {
            ctx,
            delivery_wake: Default::default(),
            keys: Default::default(),
            unreachable: Default::default(),
            metrics: Default::default(),
            sso: Default::default(),
            media_store: None,
            inbound: Default::default(),
        }
    }

    /// The media store.
    pub fn media(&self) -> Result<&crate::media::Media> {
        self.media_store
            .as_deref()
            .ok_or_else(|| Error::Internal("no media store is configured".into()))
    }
}

impl Deref for Services {
    type Target = Ctx;

    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl From<Ctx> for Services {
    fn from(ctx: Ctx) -> Self {
        Self::new(ctx)
    }
}

/// One use case's transaction. Everything done through [`Unit::ctx`] reads and writes inside
/// it; [`Unit::commit`] makes it all visible at once and wakes the delivery workers.
/// Dropped without a commit (an error, a panic, a cancelled request), it rolls back.
pub struct Unit {
    ctx: Services,
    txn: Arc<DatabaseTransaction>,
}

impl Unit {
    /// Opens the transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
    /// a use case reads before it writes, and a deferred transaction that read could fail to
    /// upgrade its lock if another writer committed meanwhile. On PostgreSQL it is an
    /// ordinary transaction; the queue's advisory lock is taken only when the activity is
    /// queued, the last step, so writers wait on each other only for the commit.
    pub async fn begin(ctx: &Services) -> Result<Self> {
        let Db::Pool(pool) = &ctx.ctx.db else {
            return Err(Error::Internal(
                "a use case started inside another use case".into(),
            ));
        };
        let txn = pool
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        // Acting on a queued activity, whose row is deleted in this same transaction: on
        // PostgreSQL the commit need not wait for the disk (a commit lost in a crash of the
        // database server takes the row's deletion with it, so the activity is acted on
        // again), and the server flushes many such commits at once.
        if crate::inbox::queue::acting() && txn.get_database_backend() == DbBackend::Postgres {
            txn.execute_unprepared("SET LOCAL synchronous_commit TO OFF")
                .await?;
        }
        let txn = Arc::new(txn);
        let mut inner = ctx.clone();
        inner.ctx.db = Db::Txn(Arc::clone(&txn));
        Ok(Self { ctx: inner, txn })
    }

    /// The context whose database is this unit's transaction.
    pub fn ctx(&self) -> &Services {
        &self.ctx
    }

    /// Commits, then wakes this process's delivery workers (on PostgreSQL the queue's
    /// `NOTIFY`, sent inside the transaction, wakes every process at the commit).
    pub async fn commit(self) -> Result<()> {
        let Self { ctx, txn } = self;
        let wake = Arc::clone(&ctx.delivery_wake);
        drop(ctx);
        let txn = Arc::try_unwrap(txn).map_err(|_| {
            Error::Internal("a use case's transaction is still in use at commit".into())
        })?;
        crate::inbox::queue::finish_in(&txn).await?;
        txn.commit().await?;
        // Reads memoised inside the unit saw its own writes; they are committed now, but a
        // memo must never outlive what it read.
        storage::memo::clear();
        wake.notify_waiters();
        Ok(())
    }
}
