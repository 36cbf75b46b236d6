//! A local moderator's action as the activity Lemmy-family servers expect: removal and
//! restore (`Delete` with a `summary` reason, `Undo`), `Lock` and `Undo{Lock}`, pins
//! (`Add`/`Remove` on the featured collection), moderator changes (`Add`/`Remove` on the
//! moderators collection), bans (`Block`/`Undo{Block}` targeting the group, with `removeData`
//! and an end time). A group hosted here relays it to its followers; a remote group gets it
//! from the moderator and relays it. Receiving them is `inbox::moderation`.

pub use super::protocol::moderation::{
    Block, Feature, FeatureKind, Lock, LockType, UndoBlock, UndoLock,
};
use activitypub_federation::{
    fetch::object_id::ObjectId,
    kinds::activity::{BlockType, DeleteType, UndoType},
};
use chrono::{DateTime, Utc};
use url::Url;

use super::{
    actors::DbPerson,
    documents::addressed_to,
    documents::url,
    outbox::{self, new_id},
    protocol::content::{Delete, GroupActivity, ObjectRef, UndoDelete},
};
use crate::services::Services;
use crate::{
    domain::moderation::{Act, Done, Target},
    error::Result,
    storage::{
        self,
        entities::{groups, persons},
    },
};

/// The activity a local moderator's action federates as.
fn activity_for(
    data: &Services,
    moderator: &Url,
    group: &groups::Model,
    act: &Act,
) -> Result<GroupActivity> {
    let group_id = url(&group.ap_id)?;
    let to = vec![addressed_to(group)?];
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
