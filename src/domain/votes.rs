//! Votes: +1, -1, or 0 to withdraw; one vote per person per post or reply.

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Ctx, accounts::CurrentUser, now, ranking, views::VoteView};
use crate::{
    error::{Error, Result},
    storage::{self, votes::Target},
};

/// The vote request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VoteInput {
    /// 1 (up), -1 (down) or 0 (withdraw).
    #[schema(minimum = -1, maximum = 1)]
    pub value: i64,
}

fn check(value: i64) -> Result<i16> {
    match value {
        -1 => Ok(-1),
        0 => Ok(0),
        1 => Ok(1),
        _ => Err(Error::invalid("value", "must be 1, -1 or 0")),
    }
}

/// Records the vote on a live object; for a post (`created_at` given) the hot rank follows.
async fn record(
    ctx: &Ctx,
    user: &CurrentUser,
    target: Target,
    id: i64,
    value: i16,
    post_created_at: Option<DateTime<Utc>>,
) -> Result<VoteView> {
    let txn = ctx.db.begin().await?;
    let counts = storage::votes::set(&txn, target, id, user.person.id, value, None, now())
        .await?
        .ok_or_else(|| Error::conflict("deleted", "this was deleted"))?;
    if let Some(created_at) = post_created_at {
        storage::votes::set_hot_rank(&txn, id, ranking::hot_rank(counts.score(), created_at))
            .await?;
    }
    txn.commit().await?;
    Ok(VoteView {
        score: counts.score(),
        upvotes: counts.up,
        downvotes: counts.down,
        my_vote: (value != 0).then_some(value),
    })
}

/// Votes on a post; its hot rank follows.
pub async fn on_post(
    ctx: &Ctx,
    user: &CurrentUser,
    post_id: i64,
    input: VoteInput,
) -> Result<VoteView> {
    let value = check(input.value)?;
    let post = storage::posts::find(&ctx.db, post_id)
        .await?
        .ok_or(Error::NotFound("post"))?;
    if post.deleted_at.is_some() {
        return Err(Error::conflict("deleted", "this post was deleted"));
    }
    super::moderation::ensure_not_banned(ctx, post.group_id, user.person.id).await?;
    record(
        ctx,
        user,
        Target::Post,
        post.id,
        value,
        Some(post.created_at),
    )
    .await
}

/// Votes on a reply.
pub async fn on_reply(
    ctx: &Ctx,
    user: &CurrentUser,
    reply_id: i64,
    input: VoteInput,
) -> Result<VoteView> {
    let value = check(input.value)?;
    let reply = storage::replies::find(&ctx.db, reply_id)
        .await?
        .ok_or(Error::NotFound("reply"))?;
    if reply.deleted_at.is_some() {
        return Err(Error::conflict("deleted", "this reply was deleted"));
    }
    if let Some(post) = storage::posts::find(&ctx.db, reply.post_id).await? {
        super::moderation::ensure_not_banned(ctx, post.group_id, user.person.id).await?;
    }
    record(ctx, user, Target::Reply, reply.id, value, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_three_values() {
        assert_eq!(check(1).unwrap(), 1);
        assert_eq!(check(-1).unwrap(), -1);
        assert_eq!(check(0).unwrap(), 0);
        for bad in [2, -2, 100, i64::MAX] {
            let e = check(bad).unwrap_err();
            assert!(matches!(e, Error::Invalid { ref field, .. } if field == "value"));
        }
    }
}
