//! The moderation family, as Lemmy-family servers send and expect it: `Lock`/`Undo{Lock}`,
//! `Add`/`Remove` on the featured and moderators collections, `Block`/`Undo{Block}` (bans).
//! Removal is a `Delete` with a reason (in `content`); reports are in `reports`. What each
//! does on arrival is in `federation::moderation`.

use activitypub_federation::kinds::activity::{BlockType, UndoType};
use activitypub_federation::{
    fetch::object_id::ObjectId, protocol::helpers::deserialize_one_or_many,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::content::ObjectRef;
use crate::federation::actors::DbPerson;

/// `Lock` (Lemmy: no new comments).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum LockType {
    /// `Lock`.
    Lock,
}

/// A moderator locks a thread (Lemmy's `Lock` of a `Page`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lock {
    /// The moderator.
    pub actor: ObjectId<DbPerson>,
    /// The post.
    pub object: ObjectRef,
    /// `Lock`.
    #[serde(rename = "type")]
    pub kind: LockType,
    /// The activity id.
    pub id: Url,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    /// The moderator's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
}

/// A moderator unlocks a thread.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoLock {
    /// The moderator.
    pub actor: ObjectId<DbPerson>,
    /// The lock undone.
    pub object: Lock,
    /// `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// The activity id.
    pub id: Url,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
}

/// `Add` or `Remove`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum FeatureKind {
    /// Into a collection.
    Add,
    /// Out of it.
    Remove,
}

/// `Add` to or `Remove` from one of a group's collections: a thread pinned or unpinned (the
/// featured collection), or a moderator added or removed (the moderators collection).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Feature {
    /// The moderator.
    pub actor: ObjectId<DbPerson>,
    /// The post, or the person.
    pub object: ObjectRef,
    /// The collection.
    pub target: Url,
    /// Add or Remove.
    #[serde(rename = "type")]
    pub kind: FeatureKind,
    /// The activity id.
    pub id: Url,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
}

impl Feature {
    /// Whether this changes the moderators (else it pins or unpins).
    pub fn is_moderator_change(&self) -> bool {
        self.target.path().ends_with("/moderators")
    }
}

/// A moderator bans a person from a group (Lemmy's `Block` with the community as target).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    /// The moderator.
    pub actor: ObjectId<DbPerson>,
    /// The person banned.
    pub object: ObjectRef,
    /// The group (a Lemmy site ban names the instance here, and is not ours to act on).
    pub target: Url,
    /// `Block`.
    #[serde(rename = "type")]
    pub kind: BlockType,
    /// The activity id.
    pub id: Url,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    /// Remove everything they wrote in the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_data: Option<bool>,
    /// The reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// When the ban ends (Lemmy 0.19.4 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    /// When the ban ends (the older name, still read by Lemmy 0.19).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
}

/// A moderator lifts a ban.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoBlock {
    /// The moderator.
    pub actor: ObjectId<DbPerson>,
    /// The ban lifted.
    pub object: Block,
    /// `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// The activity id.
    pub id: Url,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    /// Restore what the ban removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_data: Option<bool>,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
}
