//! Reports (`Flag`) of posts, replies and people, for a group'\''s moderators.
use sea_orm::entity::prelude::*;

/// One row of `reports`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub group_id: i64,
    pub reporter_id: i64,
    pub post_id: Option<i64>,
    pub reply_id: Option<i64>,
    pub person_id: Option<i64>,
    /// A reported page of the knowledge base.
    pub page_id: Option<i64>,
    pub reason: String,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by: Option<i64>,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
