//! Votes: +1, -1, or 0 to withdraw; one vote per person per post or reply.

use crate::error::Code;
use sea_orm::TransactionTrait;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Ctx, accounts::CurrentUser, content::ContentRef, now, ranking, views::VoteView};
use crate::{
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, persons},
        votes::Target,
    },
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

/// Who may be refused by this server's own rules: a person here always; a person elsewhere
/// only in a group hosted here, since a group elsewhere applies its own rules before it
/// relays a vote (its bans, which a copy here may not yet know).
fn enforced_here(voter: &persons::Model, group: &groups::Model) -> bool {
    voter.local || group.local
}

/// The one rule for a vote, whoever casts it (a member here through the API or a page, or a
/// person elsewhere through the inbox): only on a post or reply that is not deleted, and not
/// by someone banned from its group. `value` is 1, -1, or 0 to withdraw; `activity_id` is
/// the `Like`/`Dislike` that carried a remote vote. A post's hot rank follows its score.
pub async fn cast(
    ctx: &Ctx,
    voter: &persons::Model,
    on: ContentRef,
    value: i16,
    activity_id: Option<String>,
) -> Result<VoteView> {
    let (target, id, post_created_at, group_id, deleted) = match on {
        ContentRef::Post(id) => {
            let post = storage::posts::find(&ctx.db, id)
                .await?
                .ok_or(Error::NotFound("post"))?;
            let deleted = post.deleted_at.is_some().then_some("this post was deleted");
            (
                Target::Post,
                post.id,
                Some(post.created_at),
                post.group_id,
                deleted,
            )
        }
        ContentRef::Reply(id) => {
            let reply = storage::replies::find(&ctx.db, id)
                .await?
                .ok_or(Error::NotFound("reply"))?;
            let post = storage::posts::find(&ctx.db, reply.post_id)
                .await?
                .ok_or(Error::NotFound("reply"))?;
            let deleted = reply
                .deleted_at
                .is_some()
                .then_some("this reply was deleted");
            (Target::Reply, reply.id, None, post.group_id, deleted)
        }
    };
    let group = storage::groups::find(&ctx.db, group_id)
        .await?
        .ok_or(Error::NotFound("group"))?;
    if enforced_here(voter, &group) {
        // Outside a members-only group, nothing of it is there (not even that it was deleted).
        super::members::ensure_member_in_thread(ctx, &group, voter.id, "post or reply").await?;
    }
    if let Some(why) = deleted {
        return Err(Error::refused(Code::Deleted, why));
    }
    if enforced_here(voter, &group) {
        super::moderation::ensure_not_banned(ctx, group.id, voter.id).await?;
    }
    let txn = ctx.db.begin().await?;
    let counts = storage::votes::set(&txn, target, id, voter.id, value, activity_id, now())
        .await?
        .ok_or_else(|| Error::refused(Code::Deleted, "this was deleted"))?;
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

/// A member here votes on a post.
pub async fn on_post(
    ctx: &Ctx,
    user: &CurrentUser,
    post_id: i64,
    input: VoteInput,
) -> Result<VoteView> {
    let value = check(input.value)?;
    cast(ctx, &user.person, ContentRef::Post(post_id), value, None).await
}

/// A member here votes on a reply.
pub async fn on_reply(
    ctx: &Ctx,
    user: &CurrentUser,
    reply_id: i64,
    input: VoteInput,
) -> Result<VoteView> {
    let value = check(input.value)?;
    cast(ctx, &user.person, ContentRef::Reply(reply_id), value, None).await
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
