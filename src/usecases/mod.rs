//! One function per thing a person, a moderator or a remote server does.
//!
//! Each use case runs in one [`Unit`] of work: it checks the rule (`domain`), writes
//! (`storage`) and queues the activity that tells other servers (`federation::outbox` →
//! `delivery::send`) in ONE database transaction, a transactional outbox. A failure anywhere
//! answers an error and leaves nothing stored and nothing queued; success means stored and
//! queued, so a crash after the answer loses nothing and a crash before it leaves nothing to
//! retry twice. The JSON API, the web pages and the inbox call these functions, so the rules
//! (bans, locks, depth, rate limits) apply once, here.
//!
//! What happens over the network (fetching a remote person named in a ban, a reply's missing
//! parents) is done before the unit starts: a transaction never waits on another server.

use std::sync::Arc;

use sea_orm::{DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait};

use crate::{
    error::{Error, Result},
    services::Services,
    storage::{self, Db},
};

pub mod content;
pub mod membership;
pub mod moderation;

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
        txn.commit().await?;
        // Reads memoised inside the unit saw its own writes; they are committed now, but a
        // memo must never outlive what it read.
        storage::memo::clear();
        wake.notify_waiters();
        Ok(())
    }
}
