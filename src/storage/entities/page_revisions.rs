//! One save of a page.
use sea_orm::entity::prelude::*;

/// One row of `page_revisions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "page_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub page_id: i64,
    pub number: i64,
    pub author_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub summary: String,
    /// The revision a revert went back to.
    pub reverts: Option<i64>,
    /// Its text hidden by a moderator.
    pub removed: bool,
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
