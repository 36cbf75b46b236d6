//! An edit of a page of a group hosted elsewhere, sent to the group and kept until it answers.
use sea_orm::entity::prelude::*;

/// One row of `page_proposals`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "page_proposals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The `Create` or `Update` sent.
    pub activity_id: String,
    pub group_id: i64,
    pub slug: String,
    pub person_id: i64,
    /// The revision it was made on (none: a new page).
    pub base_revision: Option<i64>,
    pub title: String,
    pub body: String,
    pub summary: String,
    /// `sent`, `accepted` or `refused`.
    pub state: String,
    /// The group's reason for a refusal.
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
