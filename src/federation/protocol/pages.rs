//! Knowledge-base pages as they federate (FEP-1b12, with the group's instance as the page's
//! home). A page is an `Article` whose id is `{group id}/pages/{slug}`; its text is the
//! revision it names (`cohort:revision`), and `cohort:history` is the collection of its
//! revisions (each a `cohort:Revision`).
//!
//! - A member sends `Create{Article}` (a new page) or `Update{Article}` (an edit, naming the
//!   revision it was made on in `cohort:baseRevision`) to the group. The group checks it,
//!   stores the revision and announces the activity to its followers, or answers the member
//!   with `Reject` (a conflict, or an edit the group does not allow) and stores nothing.
//! - A moderator's lock or removal is an `Update{Article}` of the same revision with
//!   `cohort:locked` / `cohort:removed` changed.
//!
//! The extension terms are in Cohort's namespace (see [`super::context`]); Lemmy reads an
//! `Article` as a post and ignores them. What each does on arrival is in `inbox::pages`.

use activitypub_federation::{
    fetch::object_id::ObjectId, kinds::activity::RejectType,
    protocol::helpers::deserialize_one_or_many,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{Source, content::CreateOrUpdateKind, content::ObjectRef};
use crate::federation::actors::{DbGroup, DbPerson};

/// The `Article` type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum ArticleType {
    /// `Article`.
    #[default]
    Article,
}

/// The revision type, `cohort:Revision`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum RevisionType {
    /// `cohort:Revision`.
    #[default]
    #[serde(rename = "cohort:Revision")]
    Revision,
}

/// A page of a group's knowledge base, at one revision.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    /// `Article`.
    #[serde(rename = "type")]
    pub kind: ArticleType,
    /// `{group id}/pages/{slug}`.
    pub id: Url,
    /// Who wrote the page's first revision (a person: the Lemmy family requires one).
    pub attributed_to: Url,
    /// Public.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// The group.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    /// The group.
    pub audience: Url,
    /// The title.
    pub name: String,
    /// The body as HTML.
    pub content: String,
    /// `text/html`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The body as markdown (what a Cohort instance stores).
    pub source: Source,
    /// The page for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    /// When the page was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// When this revision was saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// The page's revisions, an `OrderedCollection` of `cohort:Revision`, newest first.
    #[serde(rename = "cohort:history")]
    pub history: Url,
    /// The number of the revision this text is (1 for a new page).
    #[serde(rename = "cohort:revision")]
    pub revision: i64,
    /// In an edit sent to the group: the revision it was made on.
    #[serde(
        rename = "cohort:baseRevision",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub base_revision: Option<i64>,
    /// Why the revision was saved (shown in the history).
    #[serde(
        rename = "cohort:editSummary",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub edit_summary: Option<String>,
    /// A moderator's revert: the revision whose text this is again.
    #[serde(
        rename = "cohort:reverts",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reverts: Option<i64>,
    /// Only the group's moderators may edit it.
    #[serde(rename = "cohort:locked", default)]
    pub locked: bool,
    /// Removed by a moderator (followers hide it).
    #[serde(rename = "cohort:removed", default)]
    pub removed: bool,
    /// Older revisions whose text a moderator removed.
    #[serde(
        rename = "cohort:removedRevisions",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub removed_revisions: Vec<i64>,
}

/// `Create` (a new page) or `Update` (an edit, a revert, a moderator's lock or removal) of a
/// page, by the person who made it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageActivity {
    /// Who writes, edits or moderates.
    pub actor: ObjectId<DbPerson>,
    /// The page.
    pub object: Article,
    /// `Create` or `Update`.
    #[serde(rename = "type")]
    pub kind: CreateOrUpdateKind,
    /// The activity id.
    pub id: Url,
    /// Public.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// The group.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    /// The group.
    pub audience: Url,
}

/// The group refuses a member's page activity: nothing of it was stored.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reject {
    /// The group.
    pub actor: ObjectId<DbGroup>,
    /// The refused activity (embedded when we send it; its id is what is read).
    pub object: ObjectRef,
    /// `Reject`.
    #[serde(rename = "type")]
    pub kind: RejectType,
    /// The activity id.
    pub id: Url,
    /// Who made the refused activity.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// Why, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Why, for software: `conflict` (the page was saved since the edit's base), `forbidden`,
    /// `locked`, `taken` (a new page's slug is in use), `invalid`.
    #[serde(
        rename = "cohort:reason",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reason: Option<String>,
    /// On a conflict: the page's newest revision.
    #[serde(
        rename = "cohort:revision",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub revision: Option<i64>,
}

/// One revision of a page, an item of its history collection.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    /// `cohort:Revision`.
    #[serde(rename = "type")]
    pub kind: RevisionType,
    /// `{page id}/revisions/{number}`.
    pub id: Url,
    /// The page.
    #[serde(rename = "cohort:revisionOf")]
    pub revision_of: Url,
    /// Its number, from 1.
    #[serde(rename = "cohort:revision")]
    pub number: i64,
    /// Who saved it (none: an account since deleted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributed_to: Option<Url>,
    /// When.
    pub published: DateTime<Utc>,
    /// Why.
    #[serde(
        rename = "cohort:editSummary",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub edit_summary: Option<String>,
    /// A revert's target.
    #[serde(
        rename = "cohort:reverts",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reverts: Option<i64>,
    /// The title then (absent when a moderator removed the revision's text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The markdown then (absent when removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// A moderator removed its text.
    #[serde(rename = "cohort:removed", default)]
    pub removed: bool,
}
