//! Reports: `Flag` (Lemmy, Mastodon) and its `Resolve` (Lemmy 0.20). What each does on
//! arrival is in `federation::reports`.

use activitypub_federation::kinds::activity::FlagType;
use activitypub_federation::{
    fetch::object_id::ObjectId, protocol::helpers::deserialize_one_or_many,
};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::federation::actors::DbPerson;

/// What a report names: one object (Lemmy), or a list (Mastodon: the account, then posts).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Reportable {
    /// One object.
    One(Url),
    /// Several; the first we hold is the one reported.
    Many(Vec<Url>),
}

/// A member reports a post, a reply or a person to a group's moderators.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Flag {
    /// The reporter.
    pub actor: ObjectId<DbPerson>,
    /// The group.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// What is reported.
    pub object: Reportable,
    /// The reason (Lemmy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The reason (Mastodon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `Flag`.
    #[serde(rename = "type")]
    pub kind: FlagType,
    /// The activity id: the report's identity everywhere it goes.
    pub id: Url,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
}

/// `Resolve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum ResolveType {
    /// `Resolve`.
    Resolve,
}

/// A moderator resolves a report (Lemmy 0.20's `Resolve` of a `Flag`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolve {
    /// The moderator.
    pub actor: ObjectId<DbPerson>,
    /// The group.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// The report.
    pub object: Flag,
    /// `Resolve`.
    #[serde(rename = "type")]
    pub kind: ResolveType,
    /// The activity id.
    pub id: Url,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
}
