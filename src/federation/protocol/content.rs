//! The content family (FEP-1b12): a member's `Create`/`Update`/`Delete` of a post or reply,
//! `Like`/`Dislike` and their `Undo`, and the group's `Announce` that relays them; a person's
//! boost (`Announce`) and its `Undo`. What each does on arrival is in `inbox::content`.

use activitypub_federation::kinds::activity::{AnnounceType, DeleteType, UndoType};
use activitypub_federation::{
    fetch::object_id::ObjectId, protocol::helpers::deserialize_one_or_many,
};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::federation::actors::{DbGroup, DbPerson};

use super::Object;
use super::moderation::{Block, Feature, Lock, UndoBlock, UndoLock};
use super::pages::PageActivity;
use super::questions::{ChooseAnswer, UndoChooseAnswer};
use super::reports::{Flag, Resolve};

/// `Create` or `Update`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum CreateOrUpdateKind {
    /// A new post or reply.
    Create,
    /// An edit.
    Update,
}

/// `Like` (up-vote) or `Dislike` (down-vote).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum VoteKind {
    /// +1.
    Like,
    /// -1.
    Dislike,
}

/// An object given by id or embedded (Mastodon embeds a Tombstone in Delete).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ObjectRef {
    /// Just the id.
    Id(Url),
    /// An embedded object; only its id is used.
    Embedded {
        /// The id.
        id: Url,
    },
}

impl ObjectRef {
    /// The referenced id.
    pub fn id(&self) -> &Url {
        match self {
            Self::Id(u) | Self::Embedded { id: u } => u,
        }
    }
}

/// `Create` or `Update` of a post or reply.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrUpdate {
    /// The author.
    pub actor: ObjectId<DbPerson>,
    /// The post (`Page`) or reply (`Note`).
    pub object: Object,
    /// Create or Update.
    #[serde(rename = "type")]
    pub kind: CreateOrUpdateKind,
    /// The activity id.
    pub id: Url,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    /// The group (FEP-1b12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
}

/// `Delete` of a post or reply by its author.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delete {
    /// Who deletes.
    pub actor: ObjectId<DbPerson>,
    /// What is deleted.
    pub object: ObjectRef,
    /// `Delete`.
    #[serde(rename = "type")]
    pub kind: DeleteType,
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
    /// A moderator's reason for a removal (Lemmy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// `Like` or `Dislike` of a post or reply.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Vote {
    /// Who votes.
    pub actor: ObjectId<DbPerson>,
    /// What is voted on.
    pub object: ObjectRef,
    /// Like or Dislike.
    #[serde(rename = "type")]
    pub kind: VoteKind,
    /// The activity id.
    pub id: Url,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
}

/// `Undo` of a vote.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoVote {
    /// Who withdraws the vote.
    pub actor: ObjectId<DbPerson>,
    /// The vote withdrawn.
    pub object: Vote,
    /// `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// The activity id.
    pub id: Url,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
}

/// `Undo` of a `Delete`: a moderator restores what they removed (Lemmy sends it announced by
/// the community), or an author undeletes.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoDelete {
    /// Who restores.
    pub actor: ObjectId<DbPerson>,
    /// The deletion undone.
    pub object: Delete,
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

/// `Undo` naming what it withdraws by id only, as Mitra sends it (`"object": "<Like id>"`):
/// the id is looked up among what is stored, a vote (relayed or not, like `UndoVote`), and
/// when sent directly also a boost or a follow. Read after every shape that embeds its object.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoById {
    /// Who withdraws it: only the author of the named activity may.
    pub actor: ObjectId<DbPerson>,
    /// The id of the activity withdrawn.
    pub object: Url,
    /// `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// The activity id.
    pub id: Url,
}

/// The activities a group relays to its followers.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum GroupActivity {
    /// A vote withdrawn (tried before `Vote`-less shapes).
    UndoVote(UndoVote),
    /// A lock withdrawn.
    UndoLock(UndoLock),
    /// A ban lifted.
    UndoBlock(UndoBlock),
    /// A deletion or removal undone.
    UndoDelete(UndoDelete),
    /// An accepted answer taken back (PieFed's `Undo{ChooseAnswer}`).
    UndoChooseAnswer(Box<UndoChooseAnswer>),
    /// A reply accepted as its question's answer (PieFed's `ChooseAnswer`).
    ChooseAnswer(Box<ChooseAnswer>),
    /// A thread locked.
    Lock(Lock),
    /// A thread pinned or unpinned, or a moderator added or removed.
    Feature(Feature),
    /// A person banned from the group.
    Block(Block),
    /// A report.
    Flag(Flag),
    /// A report resolved.
    Resolve(Resolve),
    /// A knowledge-base page written, edited or moderated (before `CreateOrUpdate`: an
    /// `Article` with `cohort:history` is a page, any other `Article` a post).
    Page(Box<PageActivity>),
    /// A new or edited post or reply.
    CreateOrUpdate(Box<CreateOrUpdate>),
    /// A deletion.
    Delete(Delete),
    /// A vote.
    Vote(Vote),
    /// A vote (or, sent directly, a boost or follow) withdrawn by its id; last, so that
    /// every embedded form is read as what it is.
    UndoById(UndoById),
}

/// What an `Announce` carries: an activity (FEP-1b12), or a post itself (the form Mastodon
/// understands), embedded or by id.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Announced {
    /// A wrapped activity.
    Activity(Box<GroupActivity>),
    /// A knowledge-base page, announced as itself when it is new (before `Object`, which
    /// would read it as a post).
    Page(Box<super::pages::Article>),
    /// An embedded post.
    Object(Box<Object>),
    /// A post by id.
    Id(Url),
}

/// A group relaying an activity to its followers, or (Mastodon, Misskey) a person boosting a
/// post or reply.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Announce {
    /// The group, or the person boosting.
    pub actor: ObjectId<DbGroup>,
    /// What is relayed.
    pub object: Announced,
    /// `Announce`.
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    /// The activity id.
    pub id: Url,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// Addressing.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
}

/// What an `Undo` of a boost names: the `Announce` embedded, or its id.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum AnnounceRef {
    /// The boost, embedded (Mastodon, Misskey, GoToSocial).
    Embedded {
        /// Its id.
        id: Url,
        /// `Announce`.
        #[serde(rename = "type")]
        kind: AnnounceType,
    },
    /// The boost's id. (An inbox reads a bare id as `GroupActivity::UndoById` first, which
    /// looks it up among boosts too.)
    Id(Url),
}

/// A person withdrawing a boost.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoShare {
    /// Who boosted.
    pub actor: ObjectId<DbPerson>,
    /// The boost.
    pub object: AnnounceRef,
    /// `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// The activity id.
    pub id: Url,
}

impl GroupActivity {
    /// The activity's id.
    pub fn id(&self) -> &Url {
        match self {
            Self::CreateOrUpdate(a) => &a.id,
            Self::Page(a) => &a.id,
            Self::Delete(a) => &a.id,
            Self::Vote(a) => &a.id,
            Self::UndoVote(a) => &a.id,
            Self::Lock(a) => &a.id,
            Self::UndoLock(a) => &a.id,
            Self::UndoDelete(a) => &a.id,
            Self::Feature(a) => &a.id,
            Self::Block(a) => &a.id,
            Self::UndoBlock(a) => &a.id,
            Self::Flag(a) => &a.id,
            Self::Resolve(a) => &a.id,
            Self::UndoById(a) => &a.id,
            Self::ChooseAnswer(a) => &a.id,
            Self::UndoChooseAnswer(a) => &a.id,
        }
    }

    /// Who acts.
    pub fn actor(&self) -> &Url {
        match self {
            Self::CreateOrUpdate(a) => a.actor.inner(),
            Self::Page(a) => a.actor.inner(),
            Self::Delete(a) => a.actor.inner(),
            Self::Vote(a) => a.actor.inner(),
            Self::UndoVote(a) => a.actor.inner(),
            Self::Lock(a) => a.actor.inner(),
            Self::UndoLock(a) => a.actor.inner(),
            Self::UndoDelete(a) => a.actor.inner(),
            Self::Feature(a) => a.actor.inner(),
            Self::Block(a) => a.actor.inner(),
            Self::UndoBlock(a) => a.actor.inner(),
            Self::Flag(a) => a.actor.inner(),
            Self::Resolve(a) => a.actor.inner(),
            Self::UndoById(a) => a.actor.inner(),
            Self::ChooseAnswer(a) => &a.actor,
            Self::UndoChooseAnswer(a) => &a.actor,
        }
    }

    /// What identifies this activity for de-duplication: its id, and for an edit also the
    /// edit's time, since GoToSocial reuses one `…/activity#Update` id for every edit of a
    /// status.
    pub fn dedupe_key(&self) -> String {
        match self {
            Self::CreateOrUpdate(a) if a.kind == CreateOrUpdateKind::Update => {
                match a.object.updated {
                    Some(t) => format!("{} {}", a.id, t.to_rfc3339()),
                    None => a.id.to_string(),
                }
            }
            other => other.id().to_string(),
        }
    }

    /// Whether this is an account deleting itself (`Delete` whose object is its actor).
    pub fn is_account_deletion(&self) -> bool {
        matches!(self, Self::Delete(d) if d.object.id() == d.actor.inner())
    }
}
