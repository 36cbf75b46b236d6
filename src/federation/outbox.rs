//! What a local action sends. A member's activity about a group's content goes to the group:
//! straight into the followers' inboxes as an `Announce` when the group is hosted here, or to
//! the group's inbox when it is hosted elsewhere (which then announces it).

use activitypub_federation::{
    fetch::object_id::ObjectId,
    kinds::activity::{AcceptType, AnnounceType, DeleteType, FollowType, RejectType, UndoType},
    traits::{Actor as _, Object as _},
};
use url::Url;

use super::{
    Urls,
    actors::{DbGroup, DbPerson},
    documents::{self, addressed_to, url},
    objects::{Content, id_of},
    protocol::content::{
        Announce, Announced, CreateOrUpdate, CreateOrUpdateKind, Delete, GroupActivity, ObjectRef,
        UndoVote, Vote, VoteKind,
    },
    protocol::{
        Object, Tag,
        follow::{Accept, Follow, RejectFollow},
    },
};
use crate::{
    delivery,
    domain::{Ctx, accounts::CurrentUser, content::ContentRef},
    error::{Error, Result},
    services::Services,
    storage::{
        self,
        entities::{groups, persons},
    },
};

/// A new activity id on this instance.
pub fn new_id(ctx: &Ctx, kind: &str) -> Result<Url> {
    url(&ctx.instance.activity_url(kind))
}

/// Sends `activity` (by `actor`) on its way: announced here, or to the remote group.
pub(crate) async fn to_group(
    ctx: &Services,
    group: &groups::Model,
    actor: &Url,
    activity: GroupActivity,
    new_post: Option<&Content>,
) -> Result<()> {
    if group.local {
        return announce(ctx, group, activity, new_post).await;
    }
    let g = DbGroup::new(group.clone())?;
    let id = activity_id(&activity).clone();
    delivery::send(ctx, &activity, &id, actor, vec![g.shared_inbox_or_inbox()]).await
}

fn activity_id(a: &GroupActivity) -> &Url {
    a.id()
}

/// A group hosted here relays `activity` to its followers, unchanged, in an `Announce`. For a
/// new post it also announces the post itself, the form Mastodon shows in timelines (never
/// for replies, which would flood them), to the followers whose software needs it.
pub async fn announce(
    ctx: &Services,
    group: &groups::Model,
    activity: GroupActivity,
    new_post: Option<&Content>,
) -> Result<()> {
    if !storage::followers::has_remote(&ctx.db, group.id).await? {
        return Ok(());
    }
    announce_to_followers(ctx, group, activity, new_post).await
}

/// [`announce`] for a caller that has already found the group has remote followers (before
/// its unit opened, so the check is not made under the unit's write lock).
pub async fn announce_to_followers(
    ctx: &Services,
    group: &groups::Model,
    activity: GroupActivity,
    new_post: Option<&Content>,
) -> Result<()> {
    let g = DbGroup::new(group.clone())?;
    let followers = url(&ctx.instance.group_collection_url(&group.name, "followers"))?;
    let wrapped = Announce {
        actor: ObjectId::from(g.id().clone()),
        object: Announced::Activity(Box::new(activity)),
        kind: AnnounceType::Announce,
        id: new_id(ctx, "announce")?,
        to: vec![addressed_to(group)?],
        cc: vec![followers.clone()],
    };
    delivery::send_to_followers(ctx, &wrapped, &wrapped.id, g.id(), group.id).await?;
    if let Some(post) = new_post {
        let page = post.clone().to_document(ctx).await?;
        let plain = Announce {
            actor: ObjectId::from(g.id().clone()),
            object: Announced::Object(Box::new(documents::post_as_note(page))),
            kind: AnnounceType::Announce,
            id: new_id(ctx, "announce")?,
            to: vec![addressed_to(group)?],
            cc: vec![followers],
        };
        delivery::send_to_microblog_followers(ctx, &plain, &plain.id, g.id(), group.id).await?;
    }
    Ok(())
}

async fn content_by_id(ctx: &Services, id: ContentRef) -> Result<Content> {
    match id {
        ContentRef::Post(id) => {
            let p = storage::posts::find(&ctx.db, id)
                .await?
                .ok_or(Error::NotFound("post"))?;
            let u = url(&p.ap_id)?;
            Ok(Content::Post(p, u))
        }
        ContentRef::Reply(id) => {
            let r = storage::replies::find(&ctx.db, id)
                .await?
                .ok_or(Error::NotFound("reply"))?;
            let u = url(&r.ap_id)?;
            Ok(Content::Reply(r, u))
        }
    }
}

fn addressing(object: &Object, group: &groups::Model) -> Result<(Vec<Url>, Vec<Url>, Url)> {
    let group_id = url(&group.ap_id)?;
    let mut cc = object.cc.clone();
    if !cc.contains(&group_id) && !object.to.contains(&group_id) {
        cc.push(group_id.clone());
    }
    Ok((object.to.clone(), cc, group_id))
}

async fn create_or_update(
    ctx: &Services,
    content: Content,
    kind: CreateOrUpdateKind,
) -> Result<()> {
    let group = content.group(ctx).await?;
    let new_post = kind == CreateOrUpdateKind::Create && matches!(content, Content::Post(..));
    let object = content.clone().to_document(ctx).await?;
    let (to, cc, audience) = addressing(&object, &group)?;
    let actor = object.attributed_to.clone();
    // The remote author a reply answers is addressed in it (see `documents::reply`): deliver
    // it to them too, so a Mastodon user who replied sees the answer without following.
    let mentioned: Vec<Url> = object
        .tags()
        .into_iter()
        .filter_map(|t| match t {
            Tag::Mention { href, .. } => Some(href),
            _ => None,
        })
        .collect();
    let activity = CreateOrUpdate {
        actor: ObjectId::from(actor.clone()),
        object,
        kind,
        id: new_id(
            ctx,
            if kind == CreateOrUpdateKind::Create {
                "create"
            } else {
                "update"
            },
        )?,
        to,
        cc,
        audience: Some(audience),
    };
    // An inbox that gets the activity anyway (the group's followers, or the remote group's
    // own server) is not sent a second copy, which Lemmy would refuse as already received.
    let covered: std::collections::HashSet<String> = if group.local {
        storage::followers::inboxes(&ctx.db, group.id).await?
    } else {
        let g = DbGroup::new(group.clone())?;
        [g.shared_inbox_or_inbox().to_string(), g.inbox().to_string()]
            .into_iter()
            .collect()
    };
    let mut inboxes = vec![];
    let members_only = crate::domain::members::is_members_only(&group);
    for person in &mentioned {
        if let Some(p) = storage::persons::find_by_ap_id(&ctx.db, person.as_str()).await?
            && !p.local
            // A members-only group's content goes to its members only: to a member of a
            // group here, and never straight to anyone for a group elsewhere (it relays).
            && (!members_only
                || (group.local && crate::domain::members::is_member(ctx, &group, p.id).await?))
        {
            let inbox = DbPerson::new(p)?.shared_inbox_or_inbox();
            if !covered.contains(inbox.as_str()) && !inboxes.contains(&inbox) {
                inboxes.push(inbox);
            }
        }
    }
    if !inboxes.is_empty() {
        delivery::send(ctx, &activity, &activity.id, &actor, inboxes).await?;
    }
    to_group(
        ctx,
        &group,
        &actor,
        GroupActivity::CreateOrUpdate(Box::new(activity)),
        new_post.then_some(&content),
    )
    .await
}

/// A local member wrote a post.
pub async fn post_created(ctx: &Services, post_id: i64) -> Result<()> {
    create_or_update(
        ctx,
        content_by_id(ctx, ContentRef::Post(post_id)).await?,
        CreateOrUpdateKind::Create,
    )
    .await
}

/// A local member wrote a reply.
pub async fn reply_created(ctx: &Services, reply_id: i64) -> Result<()> {
    create_or_update(
        ctx,
        content_by_id(ctx, ContentRef::Reply(reply_id)).await?,
        CreateOrUpdateKind::Create,
    )
    .await
}

/// A local member edited a post or reply.
pub async fn edited(ctx: &Services, id: ContentRef) -> Result<()> {
    create_or_update(
        ctx,
        content_by_id(ctx, id).await?,
        CreateOrUpdateKind::Update,
    )
    .await
}

/// Sends on what a local delete did (`posts::delete`, `replies::delete`): the author's own
/// deletion as `Delete`, or, when `removal` says a moderator removed someone else's, that.
pub async fn delete_done(
    ctx: &Services,
    user: &CurrentUser,
    id: ContentRef,
    removal: Option<crate::domain::moderation::Done>,
) -> Result<()> {
    match removal {
        None => deleted(ctx, user, id).await,
        Some(done) => super::moderation::publish(ctx, &user.person, &done).await,
    }
}

/// A local post or reply was deleted by `user`.
pub async fn deleted(ctx: &Services, user: &CurrentUser, id: ContentRef) -> Result<()> {
    let content = content_by_id(ctx, id).await?;
    let group = content.group(ctx).await?;
    // Only the author's own deletion: a moderator's removal is sent by `moderation::publish`.
    if content.author_id() != user.person.id {
        return Ok(());
    }
    let actor = url(&user.person.ap_id)?;
    let group_id = url(&group.ap_id)?;
    let activity = Delete {
        actor: ObjectId::from(actor.clone()),
        object: ObjectRef::Id(id_of(&content)?),
        kind: DeleteType::Delete,
        id: new_id(ctx, "delete")?,
        to: vec![addressed_to(&group)?],
        cc: vec![group_id.clone()],
        audience: Some(group_id),
        summary: None,
    };
    to_group(ctx, &group, &actor, GroupActivity::Delete(activity), None).await
}

/// A local member voted (`value` 1, -1, or 0 to withdraw).
pub async fn voted(ctx: &Services, user: &CurrentUser, id: ContentRef, value: i64) -> Result<()> {
    let content = content_by_id(ctx, id).await?;
    let group = content.group(ctx).await?;
    let actor = url(&user.person.ap_id)?;
    let group_id = url(&group.ap_id)?;
    let vote = |kind: VoteKind| -> Result<Vote> {
        Ok(Vote {
            actor: ObjectId::from(actor.clone()),
            object: ObjectRef::Id(id_of(&content)?),
            kind,
            id: new_id(ctx, "vote")?,
            audience: Some(group_id.clone()),
        })
    };
    let activity = match value {
        1 => GroupActivity::Vote(vote(VoteKind::Like)?),
        -1 => GroupActivity::Vote(vote(VoteKind::Dislike)?),
        _ => GroupActivity::UndoVote(UndoVote {
            actor: ObjectId::from(actor.clone()),
            object: vote(VoteKind::Like)?,
            kind: UndoType::Undo,
            id: new_id(ctx, "undo")?,
            audience: Some(group_id.clone()),
        }),
    };
    to_group(ctx, &group, &actor, activity, None).await
}

/// A group hosted here accepts `follow`: the `Accept` goes to the follower's server.
pub async fn accept_follow(
    ctx: &Services,
    group: &groups::Model,
    follower_inbox: Url,
    follow: Follow,
) -> Result<()> {
    let group = DbGroup::new(group.clone())?;
    let accept = Accept {
        actor: ObjectId::from(group.id().clone()),
        id: new_id(ctx, "accept")?,
        kind: AcceptType::Accept,
        object: follow,
    };
    delivery::send(ctx, &accept, &accept.id, group.id(), vec![follower_inbox]).await
}

/// A members-only group hosted here refuses `follow` (its moderators turned the request
/// down): the `Reject` goes to the follower's server.
pub async fn reject_follow(
    ctx: &Services,
    group: &groups::Model,
    follower_inbox: Url,
    follow: Follow,
) -> Result<()> {
    let group = DbGroup::new(group.clone())?;
    let reject = RejectFollow {
        actor: ObjectId::from(group.id().clone()),
        id: new_id(ctx, "reject")?,
        kind: RejectType::Reject,
        object: follow,
    };
    delivery::send(ctx, &reject, &reject.id, group.id(), vec![follower_inbox]).await
}

/// The `Follow` a person's stored request was made with (its id as they sent it).
pub fn follow_of(
    ctx: &Services,
    group: &groups::Model,
    person: &persons::Model,
    follow_ap_id: Option<&str>,
) -> Result<Follow> {
    Ok(Follow {
        actor: ObjectId::from(url(&person.ap_id)?),
        object: ObjectId::from(url(&group.ap_id)?),
        kind: FollowType::Follow,
        id: match follow_ap_id {
            Some(id) => url(id)?,
            None => new_id(ctx, "follow")?,
        },
    })
}
