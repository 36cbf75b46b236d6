//! Moderators' actions over ActivityPub, in the shapes Lemmy-family servers send and expect:
//! removal and restore (`Delete` with a `summary` reason, `Undo`; in `content`), `Lock` and
//! `Undo{Lock}`, pins (`Add`/`Remove` on the featured collection), moderator changes
//! (`Add`/`Remove` on the moderators collection), bans (`Block`/`Undo{Block}` targeting the
//! group, with `removeData` and an end time), reports (`Flag`) and their resolution
//! (`Resolve`), which are in `reports`.
//!
//! An action for a group hosted here arrives from its actor, who must be one of the group's
//! moderators; it is applied and relayed by the group to its followers. An action relayed by
//! a remote group is that group's word, for that group's own content. A moderator here acting
//! on a remote group sends the action to the group, which relays it. Every applied action is
//! written to the group's mod log (`domain::moderation::apply`).

pub use super::protocol::moderation::{
    Block, Feature, FeatureKind, Lock, LockType, UndoBlock, UndoLock,
};
use crate::error::Code;
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::{BlockType, DeleteType, UndoType},
};
use chrono::{DateTime, Utc};
use url::Url;

use super::{
    activities::new_id,
    actors::DbPerson,
    content::{Delete, GroupActivity, ObjectRef, UndoDelete},
    documents::url,
    objects::Content,
    outbox,
    protocol::PUBLIC,
};
use crate::services::{Services, Unit};
use crate::{
    domain::{
        Ctx,
        moderation::{self, Act, Done, Target},
    },
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, persons},
    },
};

/// A moderator's reason or a report's, as another server wrote it: one line (control
/// characters become spaces, invisible direction and spacing characters go), at most
/// [`moderation::MAX_REASON_CHARS`]; `None` when nothing is left.
pub(super) fn remote_reason(raw: Option<&str>) -> Option<String> {
    let line: String = raw?
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !crate::domain::text::is_disguising(*c))
        .take(moderation::MAX_REASON_CHARS)
        .collect();
    let line = line.trim();
    (!line.is_empty()).then(|| line.to_string())
}

/// The group a collection URL (`…/moderators`, `…/featured`) belongs to.
async fn group_of_collection(ctx: &Ctx, collection: &Url) -> Result<Option<groups::Model>> {
    let s = collection.as_str();
    let Some((group, _)) = s.rsplit_once('/') else {
        return Ok(None);
    };
    Ok(storage::groups::find_by_ap_id(&ctx.db, group).await?)
}

pub(super) async fn group_by_id(ctx: &Ctx, id: &Url) -> Result<Option<groups::Model>> {
    Ok(storage::groups::find_by_ap_id(&ctx.db, id.as_str()).await?)
}

/// The group a moderation activity that is not about a stored post or reply concerns: the
/// moderators collection's group, the ban's target, the report's group. `None`: not ours.
pub(super) async fn target_group(
    data: &Data<Services>,
    activity: &GroupActivity,
) -> Result<Option<groups::Model>> {
    match activity {
        GroupActivity::Feature(f) if f.is_moderator_change() => {
            group_of_collection(data, &f.target).await
        }
        GroupActivity::Block(b) => group_by_id(data, &b.target).await,
        GroupActivity::UndoBlock(u) => group_by_id(data, &u.object.target).await,
        GroupActivity::Flag(f) => super::reports::flag_group(data, f).await,
        GroupActivity::Resolve(r) => super::reports::flag_group(data, &r.object).await,
        _ => Ok(None),
    }
}

pub(super) async fn person(
    data: &Data<Services>,
    id: &ObjectId<DbPerson>,
) -> Result<persons::Model> {
    Ok(id.dereference(data).await?.model)
}

async fn person_at(data: &Data<Services>, id: &Url) -> Result<persons::Model> {
    person(data, &ObjectId::from(id.clone())).await
}

/// The stored post or reply at `id`, as a moderation target.
pub(super) async fn stored_target(data: &Data<Services>, id: &Url) -> Result<Option<Target>> {
    Ok(Content::find(data, id).await?.map(|c| match c {
        Content::Post(p, _) => Target::Post(p),
        Content::Reply(r, _) => Target::Reply(r),
    }))
}

async fn stored_post(
    data: &Data<Services>,
    id: &Url,
) -> Result<Option<storage::entities::posts::Model>> {
    match stored_target(data, id).await? {
        Some(Target::Post(p)) => Ok(Some(p)),
        // Lemmy 1.0 also locks a single comment; here only threads lock, so there is
        // nothing to do.
        Some(Target::Reply(_)) | None => Ok(None),
    }
}

/// What a moderator's activity asks for, read against what is stored. `None`: it concerns
/// something we do not hold, so there is nothing to do.
async fn requested_act(data: &Data<Services>, activity: &GroupActivity) -> Result<Option<Act>> {
    Ok(match activity {
        GroupActivity::Delete(d) => {
            stored_target(data, d.object.id())
                .await?
                .map(|target| Act::Remove {
                    target,
                    reason: remote_reason(d.summary.as_deref()),
                })
        }
        GroupActivity::UndoDelete(u) => {
            stored_target(data, u.object.object.id())
                .await?
                .map(|target| Act::Restore {
                    target,
                    reason: None,
                })
        }
        GroupActivity::Lock(l) => stored_post(data, l.object.id())
            .await?
            .map(|post| Act::Lock {
                post,
                locked: true,
                reason: remote_reason(l.summary.as_deref()),
            }),
        GroupActivity::UndoLock(u) => {
            stored_post(data, u.object.object.id())
                .await?
                .map(|post| Act::Lock {
                    post,
                    locked: false,
                    reason: None,
                })
        }
        GroupActivity::Feature(f) if f.is_moderator_change() => {
            let p = person_at(data, f.object.id()).await?;
            Some(match f.kind {
                FeatureKind::Add => Act::AddModerator(p),
                FeatureKind::Remove => Act::RemoveModerator(p),
            })
        }
        GroupActivity::Feature(f) => stored_post(data, f.object.id())
            .await?
            .map(|post| Act::Pin {
                post,
                pinned: f.kind == FeatureKind::Add,
            }),
        GroupActivity::Block(b) => Some(Act::Ban {
            person: person_at(data, b.object.id()).await?,
            reason: remote_reason(b.summary.as_deref()),
            expires_at: b.end_time.or(b.expires),
            remove_content: b.remove_data.unwrap_or(false),
        }),
        GroupActivity::UndoBlock(u) => Some(Act::Unban {
            person: person_at(data, u.object.object.id()).await?,
            restore_content: u.restore_data.unwrap_or(false),
        }),
        _ => None,
    })
}

/// Acts on a moderator's activity (everything but the author's own deletion, which `content`
/// handles). `direct`: sent to a group hosted here by its actor, who must moderate it;
/// otherwise relayed by the group it concerns (already checked), whose word it is.
pub(super) async fn receive(
    data: &Data<Services>,
    group: &groups::Model,
    direct: bool,
    activity: GroupActivity,
) -> Result<()> {
    match &activity {
        GroupActivity::Flag(f) => {
            return super::reports::receive_flag(data, group, direct, f.clone()).await;
        }
        GroupActivity::Resolve(r) => {
            return super::reports::receive_resolve(data, group, direct, r.clone()).await;
        }
        _ => {}
    }
    let moderator = person(data, &ObjectId::from(activity.actor().clone())).await?;
    if direct && !storage::groups::is_moderator(&data.db, group.id, moderator.id).await? {
        return Err(Error::forbidden("only the group's moderators may do that"));
    }
    let Some(act) = requested_act(data, &activity).await? else {
        return Ok(());
    };
    if let Act::Ban { person, .. } = &act
        && direct
        && storage::groups::is_moderator(&data.db, group.id, person.id).await?
    {
        return Err(Error::refused(
            Code::InvalidActivity,
            "a moderator cannot be banned; remove them from the moderators first",
        ));
    }
    // Applied, logged and relayed in one unit (everything from the network is at hand).
    let unit = Unit::begin(data).await?;
    if moderation::apply(unit.ctx(), group, Some(moderator.id), &act).await? && group.local {
        outbox::announce(unit.ctx(), group, activity, None).await?;
    }
    unit.commit().await
}

/// The activity a local moderator's action federates as.
fn activity_for(
    data: &Services,
    moderator: &Url,
    group: &groups::Model,
    act: &Act,
) -> Result<GroupActivity> {
    let group_id = url(&group.ap_id)?;
    let to = vec![url(PUBLIC)?];
    let cc = vec![group_id.clone()];
    let audience = Some(group_id.clone());
    let actor = ObjectId::<DbPerson>::from(moderator.clone());
    let collection = |name: &str| url(&format!("{}/{name}", group.ap_id));
    let delete = |target: &Target, reason: &Option<String>| -> Result<Delete> {
        Ok(Delete {
            actor: actor.clone(),
            object: ObjectRef::Id(url(target.ap_id())?),
            kind: DeleteType::Delete,
            id: new_id(data, "delete")?,
            to: to.clone(),
            cc: cc.clone(),
            audience: audience.clone(),
            summary: reason.clone(),
        })
    };
    let lock = |post: &storage::entities::posts::Model, reason: &Option<String>| -> Result<Lock> {
        Ok(Lock {
            actor: actor.clone(),
            object: ObjectRef::Id(url(&post.ap_id)?),
            kind: LockType::Lock,
            id: new_id(data, "lock")?,
            to: to.clone(),
            cc: cc.clone(),
            summary: reason.clone(),
            audience: audience.clone(),
        })
    };
    let feature = |object: &str, target: Url, add: bool| -> Result<Feature> {
        Ok(Feature {
            actor: actor.clone(),
            object: ObjectRef::Id(url(object)?),
            target,
            kind: if add {
                FeatureKind::Add
            } else {
                FeatureKind::Remove
            },
            id: new_id(data, if add { "add" } else { "remove" })?,
            to: to.clone(),
            cc: cc.clone(),
            audience: audience.clone(),
        })
    };
    let block = |person: &persons::Model,
                 reason: &Option<String>,
                 expires_at: Option<DateTime<Utc>>,
                 remove: bool|
     -> Result<Block> {
        Ok(Block {
            actor: actor.clone(),
            object: ObjectRef::Id(url(&person.ap_id)?),
            target: group_id.clone(),
            kind: BlockType::Block,
            id: new_id(data, "block")?,
            to: to.clone(),
            cc: cc.clone(),
            remove_data: Some(remove),
            summary: reason.clone(),
            end_time: expires_at,
            expires: expires_at,
            audience: audience.clone(),
        })
    };
    Ok(match act {
        Act::Remove { target, reason } => GroupActivity::Delete(delete(target, reason)?),
        Act::Restore { target, reason } => GroupActivity::UndoDelete(UndoDelete {
            actor: actor.clone(),
            object: delete(target, reason)?,
            kind: UndoType::Undo,
            id: new_id(data, "undo")?,
            to: to.clone(),
            cc: cc.clone(),
            audience: audience.clone(),
        }),
        Act::Lock {
            post,
            locked: true,
            reason,
        } => GroupActivity::Lock(lock(post, reason)?),
        Act::Lock { post, reason, .. } => GroupActivity::UndoLock(UndoLock {
            actor: actor.clone(),
            object: lock(post, reason)?,
            kind: UndoType::Undo,
            id: new_id(data, "undo")?,
            to: to.clone(),
            cc: cc.clone(),
            audience: audience.clone(),
        }),
        Act::Pin { post, pinned } => {
            GroupActivity::Feature(feature(&post.ap_id, collection("featured")?, *pinned)?)
        }
        Act::AddModerator(p) => {
            GroupActivity::Feature(feature(&p.ap_id, collection("moderators")?, true)?)
        }
        Act::RemoveModerator(p) => {
            GroupActivity::Feature(feature(&p.ap_id, collection("moderators")?, false)?)
        }
        Act::Ban {
            person,
            reason,
            expires_at,
            remove_content,
        } => GroupActivity::Block(block(person, reason, *expires_at, *remove_content)?),
        Act::Unban {
            person,
            restore_content,
        } => GroupActivity::UndoBlock(UndoBlock {
            actor: actor.clone(),
            object: block(person, &None, None, false)?,
            kind: UndoType::Undo,
            id: new_id(data, "undo")?,
            to: to.clone(),
            cc: cc.clone(),
            restore_data: Some(*restore_content),
            audience: audience.clone(),
        }),
    })
}

/// Sends a local moderator's action on: relayed by the group when it is hosted here, else to
/// the group's own server (which checks the moderator and relays it). Nothing is sent for an
/// action that changed nothing.
pub async fn publish(data: &Services, moderator: &persons::Model, done: &Done) -> Result<()> {
    if !done.changed {
        return Ok(());
    }
    let actor = url(&moderator.ap_id)?;
    let activity = activity_for(data, &actor, &done.group, &done.act)?;
    outbox::to_group(data, &done.group, &actor, activity, None).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn remote_reasons_are_one_bounded_line() {
        use super::remote_reason;
        assert_eq!(remote_reason(None), None);
        assert_eq!(remote_reason(Some("  \n\t ")), None);
        assert_eq!(
            remote_reason(Some("spam\nand\u{202E}more")).as_deref(),
            Some("spam andmore")
        );
        let long = "x".repeat(5000);
        assert_eq!(
            remote_reason(Some(&long)).map(|r| r.chars().count()),
            Some(1000)
        );
    }
}
