//! A reply to a post or to another reply.
use sea_orm::entity::prelude::*;

/// One row of `replies`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "replies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    /// 0 for an answer to the post, parent's depth + 1 otherwise.
    pub depth: i32,
    pub author_id: i64,
    pub body: String,
    pub body_html: String,
    pub local: bool,
    pub upvotes: i32,
    pub downvotes: i32,
    pub score: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    /// A content warning shown before the body.
    pub content_warning: Option<String>,
    /// Deleted by a moderator's removal: the text is kept so it can be restored.
    pub removed: bool,
    /// The language it is written in (BCP 47), when known.
    pub language: Option<String>,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
