//! A page of a group's knowledge base, as it reads now.
use sea_orm::entity::prelude::*;

/// One row of `pages`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub group_id: i64,
    pub slug: String,
    pub title: String,
    pub body: String,
    pub body_html: String,
    /// The number of its newest revision.
    pub revision: i64,
    pub creator_id: Option<i64>,
    pub locked: bool,
    pub removed: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
