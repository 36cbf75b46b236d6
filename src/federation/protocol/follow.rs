//! Following a group: `Follow`, `Accept`, `Undo{Follow}`; and [`InboxActivity`], every
//! activity an inbox accepts. What each does on arrival is in `inbox::activities`.

use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::{AcceptType, FollowType, RejectType, UndoType};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::federation::actors::{DbGroup, DbPerson};

/// `Follow` of a group by a person.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    /// Who follows.
    pub actor: ObjectId<DbPerson>,
    /// The group followed.
    pub object: ObjectId<DbGroup>,
    /// `Follow`.
    #[serde(rename = "type")]
    pub kind: FollowType,
    /// The activity id.
    pub id: Url,
}

/// `Accept` of a `Follow`, sent by the group.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Accept {
    /// The group accepting.
    pub actor: ObjectId<DbGroup>,
    /// The follow accepted, embedded.
    pub object: Follow,
    /// `Accept`.
    #[serde(rename = "type")]
    pub kind: AcceptType,
    /// The activity id.
    pub id: Url,
}

/// `Reject` of a `Follow`, sent by a members-only group whose moderators refused the request
/// (received, it is read as the page `Reject` is: by its object's id).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectFollow {
    /// The group refusing.
    pub actor: ObjectId<DbGroup>,
    /// The follow refused, embedded.
    pub object: Follow,
    /// `Reject`.
    #[serde(rename = "type")]
    pub kind: RejectType,
    /// The activity id.
    pub id: Url,
}

/// `Undo` of a `Follow`: the person leaves the group.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoFollow {
    /// Who leaves.
    pub actor: ObjectId<DbPerson>,
    /// The follow undone, embedded.
    pub object: Follow,
    /// `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// The activity id.
    pub id: Url,
}

/// Every activity an inbox accepts. Anything else is refused with 400.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum InboxActivity {
    /// A person follows a local group.
    Follow(Follow),
    /// A remote group accepted a local person's follow.
    Accept(Accept),
    /// A person stops following a local group.
    Undo(UndoFollow),
    /// A group relays an activity (or a post) to us, a follower.
    Announce(Box<super::content::Announce>),
    /// A member's activity about a group's content, sent to a group hosted here.
    Group(Box<super::content::GroupActivity>),
    /// A person withdraws a boost.
    UndoShare(super::content::UndoShare),
    /// A group refuses a page edit a person here sent it, or a request to join it.
    Reject(Box<super::pages::Reject>),
}
