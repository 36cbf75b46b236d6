//! A member writes, edits, deletes and votes on posts and replies.

use super::Unit;
use crate::{
    domain::{
        accounts::CurrentUser,
        content::ContentRef,
        posts::{self, NewPost, PostEdit},
        replies::{self, NewReply, ReplyEdit},
        views::{PostView, ReplyView, VoteView},
        votes::{self, VoteInput},
    },
    error::Result,
    federation::outbox,
    services::Services,
};

/// A member writes a post in a group (here or elsewhere); it is stored and sent in one unit.
pub async fn create_post(
    ctx: &Services,
    user: &CurrentUser,
    group_handle: &str,
    input: NewPost,
) -> Result<PostView> {
    let unit = Unit::begin(ctx).await?;
    let view = posts::create(unit.ctx(), user, group_handle, input).await?;
    outbox::post_created(unit.ctx(), view.id).await?;
    unit.commit().await?;
    Ok(view)
}

/// A member answers a post (or a reply in its thread).
pub async fn reply(
    ctx: &Services,
    user: &CurrentUser,
    post_id: i64,
    input: NewReply,
) -> Result<ReplyView> {
    let unit = Unit::begin(ctx).await?;
    let view = replies::create(unit.ctx(), user, post_id, input).await?;
    outbox::reply_created(unit.ctx(), view.id).await?;
    unit.commit().await?;
    Ok(view)
}

/// The author edits a post.
pub async fn edit_post(
    ctx: &Services,
    user: &CurrentUser,
    post_id: i64,
    input: PostEdit,
) -> Result<PostView> {
    let unit = Unit::begin(ctx).await?;
    let view = posts::edit(unit.ctx(), user, post_id, input).await?;
    outbox::edited(unit.ctx(), ContentRef::Post(post_id)).await?;
    unit.commit().await?;
    Ok(view)
}

/// The author edits a reply.
pub async fn edit_reply(
    ctx: &Services,
    user: &CurrentUser,
    reply_id: i64,
    input: ReplyEdit,
) -> Result<ReplyView> {
    let unit = Unit::begin(ctx).await?;
    let view = replies::edit(unit.ctx(), user, reply_id, input).await?;
    outbox::edited(unit.ctx(), ContentRef::Reply(reply_id)).await?;
    unit.commit().await?;
    Ok(view)
}

/// The author deletes a post or reply; anyone else's is a moderator's removal and is sent as
/// one.
pub async fn delete(ctx: &Services, user: &CurrentUser, id: ContentRef) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    let removal = match id {
        ContentRef::Post(p) => posts::delete(unit.ctx(), user, p).await?,
        ContentRef::Reply(r) => replies::delete(unit.ctx(), user, r).await?,
    };
    outbox::delete_done(unit.ctx(), user, id, removal).await?;
    unit.commit().await
}

/// A member votes (1, -1, or 0 to withdraw) on a post or reply.
pub async fn vote(
    ctx: &Services,
    user: &CurrentUser,
    id: ContentRef,
    input: VoteInput,
) -> Result<VoteView> {
    let value = input.value;
    let unit = Unit::begin(ctx).await?;
    let view = match id {
        ContentRef::Post(p) => votes::on_post(unit.ctx(), user, p, input).await?,
        ContentRef::Reply(r) => votes::on_reply(unit.ctx(), user, r, input).await?,
    };
    outbox::voted(unit.ctx(), user, id, value).await?;
    unit.commit().await?;
    Ok(view)
}
