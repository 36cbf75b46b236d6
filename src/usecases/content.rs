//! A member writes, edits, deletes and votes on posts and replies; so does a person on another
//! server, under the same rules.

use url::Url;

use super::Unit;
use crate::{
    domain::{
        accounts::CurrentUser,
        content::{self as domain_content, ContentRef},
        mail, media, now,
        posts::{self, NewPost, PostEdit},
        replies::{self, NewReply, ReplyEdit},
        views::{PostView, ReplyView, VoteView},
        votes::{self, VoteInput},
    },
    error::{Error, Result},
    federation::{
        objects::{Content, Prepared, apply_update},
        outbox,
        protocol::content::{CreateOrUpdate, GroupActivity},
    },
    services::Services,
    storage::{
        self,
        entities::{groups, persons},
    },
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
    media::link_content(unit.ctx(), ContentRef::Post(view.id)).await?;
    outbox::post_created(unit.ctx(), view.id).await?;
    mail::record_content(unit.ctx(), ContentRef::Post(view.id)).await?;
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
    media::link_content(unit.ctx(), ContentRef::Reply(view.id)).await?;
    outbox::reply_created(unit.ctx(), view.id).await?;
    mail::record_content(unit.ctx(), ContentRef::Reply(view.id)).await?;
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
    media::link_content(unit.ctx(), ContentRef::Post(post_id)).await?;
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
    media::link_content(unit.ctx(), ContentRef::Reply(reply_id)).await?;
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

// What people on other servers do: the inbox (`inbox::content`) has checked who sent the
// activity and translated it; what needs the network (the author, the group, the parents) was
// fetched before. The same rules apply as to a member here, and the relay by a group hosted
// here is queued in the same unit as the change.

/// A post or reply written (`editor: None`) or edited by `editor` on another server, as
/// `Content::prepare` left it: stored, the edit applied (only the author's), and relayed to
/// the followers of a group hosted here, in one unit. An edit older than what is stored, or
/// of something deleted, changes nothing.
pub async fn receive_remote(
    ctx: &Services,
    group: &groups::Model,
    prepared: Prepared,
    editor: Option<&persons::Model>,
    activity: Box<CreateOrUpdate>,
) -> Result<()> {
    // Asked before the unit (a follower whose follow commits meanwhile starts after it, as
    // one arriving a moment later would).
    let relays = group.local && storage::followers::has_remote(&ctx.db, group.id).await?;
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let is_new = !matches!(prepared, Prepared::Stored(_));
    // An Update may overtake its Create, or race it: store what we are given, then apply the
    // edit either way (applying it twice is harmless).
    let content = prepared.insert(c).await?;
    let new_post = match editor {
        Some(editor) => {
            domain_content::ensure_author(content.author_id(), editor.id, "edit")?;
            // An edit is addressed as its group requires, as the original was.
            crate::federation::objects::addressed_for(&activity.object, group)?;
            if content.is_deleted_row() || !content.older_than(activity.object.updated) {
                return unit.commit().await;
            }
            apply_update(c, &content, &activity.object).await?;
            false
        }
        None => {
            if is_new {
                mail::record_content(c, content.id_ref()).await?;
            }
            is_new && matches!(content, Content::Post(..))
        }
    };
    if relays {
        let new_post = new_post.then_some(&content);
        outbox::announce_to_followers(c, group, GroupActivity::CreateOrUpdate(activity), new_post)
            .await?;
    }
    unit.commit().await
}

/// The author on another server deletes their post or reply: the text is erased (the rule
/// a member here obeys, `domain::content::delete_own`) and the deletion relayed, in one unit.
pub async fn delete_remote(
    ctx: &Services,
    author: &persons::Model,
    content: &Content,
    activity: GroupActivity,
) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    domain_content::delete_own(unit.ctx(), author.id, content.id_ref()).await?;
    relay_if_local(unit.ctx(), content, activity).await?;
    unit.commit().await
}

/// A vote by a person on another server (`value` 0: withdrawn), under the rule a local one
/// obeys (`domain::votes::cast`: locked or deleted threads, bans), stored and relayed in one
/// unit.
pub async fn vote_remote(
    ctx: &Services,
    voter: &persons::Model,
    content: &Content,
    value: i16,
    ap_id: Option<String>,
    activity: GroupActivity,
) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    votes::cast(unit.ctx(), voter, content.id_ref(), value, ap_id).await?;
    relay_if_local(unit.ctx(), content, activity).await?;
    unit.commit().await
}

/// A person on another server boosts `object` (by the boost's id): counted as a share of
/// content held here; a boost of anything else is none of our business.
pub async fn boost_remote(
    ctx: &Services,
    person: &persons::Model,
    boost_id: &str,
    object: &Url,
) -> Result<()> {
    if Content::find(ctx, object).await?.is_some() {
        storage::shares::add(&ctx.db, boost_id, person.id, object.as_str(), now()).await?;
    }
    Ok(())
}

/// A person on another server withdraws their boost `boost_id`. False: no boost has that id.
pub async fn unboost_remote(
    ctx: &Services,
    person: &persons::Model,
    boost_id: &str,
) -> Result<bool> {
    let Some(share) = storage::shares::find(&ctx.db, boost_id).await? else {
        return Ok(false);
    };
    if share.person_id != person.id {
        return Err(Error::forbidden("only the booster may withdraw a boost"));
    }
    storage::shares::remove(&ctx.db, boost_id, share.person_id).await?;
    Ok(true)
}

/// Relays `activity` if `content` lives in a group hosted here.
async fn relay_if_local(ctx: &Services, content: &Content, activity: GroupActivity) -> Result<()> {
    let group = content.group(ctx).await?;
    if group.local {
        outbox::announce(ctx, &group, activity, None).await?;
    }
    Ok(())
}
