//! A post: the start of a thread in a group.
use sea_orm::entity::prelude::*;

/// One row of `posts`. Vote counts, reply count and ranks are kept up to date by
/// `storage::votes` and `storage::replies` so listing never aggregates.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub group_id: i64,
    pub author_id: i64,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub local: bool,
    pub upvotes: i32,
    pub downvotes: i32,
    pub score: i32,
    pub hot_rank: f64,
    pub reply_count: i32,
    pub last_activity_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    /// A content warning shown before the body (ActivityPub `summary` with `sensitive`).
    pub content_warning: Option<String>,
    /// No new replies are accepted.
    pub locked: bool,
    /// Shown first in its group (Lemmy `stickied`, the featured collection).
    pub pinned: bool,
    /// Deleted by a moderator's removal: the text is kept so it can be restored.
    pub removed: bool,
    /// A question (its thread can have one accepted answer), not a discussion.
    pub question: bool,
    /// The accepted answer: a reply in this thread, at any depth.
    pub answer_id: Option<i64>,
    /// When the answer was accepted (none while it has none).
    pub answered_at: Option<DateTimeUtc>,
    /// Who accepted it (a person id: the question's author or a moderator).
    pub answered_by: Option<i64>,
    /// When the author was reminded that the question has no accepted answer yet.
    pub nudged_at: Option<DateTimeUtc>,
    /// The id of the `ChooseAnswer` activity that accepted the answer (an `Undo` names it).
    pub answer_activity: Option<String>,
    /// The language it is written in (BCP 47), when known.
    pub language: Option<String>,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
