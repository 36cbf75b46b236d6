//! What members write, named one way everywhere: [`ContentRef`] is the one typed reference
//! to "a post or a reply" that the rules, the use cases, the outbox and the moderation log
//! share. A new kind of content (an answer, a wiki page) becomes one more variant here, and
//! the compiler then lists every place that must learn about it.

use sea_orm::TransactionTrait;

use super::{Ctx, now};
use crate::{
    error::{Error, Result},
    storage,
};

/// A post or a reply, by its local row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentRef {
    /// A post (a thread's first entry).
    Post(i64),
    /// A reply in a thread.
    Reply(i64),
}

impl ContentRef {
    /// The kind's name, as errors and logs say it.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Post(_) => "post",
            Self::Reply(_) => "reply",
        }
    }

    /// The row id.
    pub fn id(self) -> i64 {
        match self {
            Self::Post(id) | Self::Reply(id) => id,
        }
    }
}

/// Only the author edits or deletes what they wrote (here or on another server); anyone
/// else's is a moderator's removal, which `moderation` rules on.
pub fn ensure_author(author_id: i64, person_id: i64, what: &str) -> Result<()> {
    if author_id == person_id {
        Ok(())
    } else {
        Err(Error::forbidden(format!("only the author may {what} this")))
    }
}

/// The author (`person_id`, here or elsewhere) deletes their post or reply: its text is
/// erased and a tombstone keeps the thread's shape. Deleting twice is fine.
pub async fn delete_own(ctx: &Ctx, person_id: i64, id: ContentRef) -> Result<()> {
    match id {
        ContentRef::Post(p) => {
            let (post, _) = super::posts::load(ctx, p).await?;
            ensure_author(post.author_id, person_id, "delete")?;
            storage::posts::mark_deleted(&ctx.db, post.id, now()).await?;
        }
        ContentRef::Reply(r) => {
            let reply = super::replies::load_reply(ctx, r).await?;
            ensure_author(reply.author_id, person_id, "delete")?;
            let txn = ctx.db.begin().await?;
            storage::replies::mark_deleted(&txn, &reply, now()).await?;
            txn.commit().await?;
        }
    }
    Ok(())
}
