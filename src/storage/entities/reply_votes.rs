//! One person's vote on a reply: +1 or -1 (no row means no vote).
use sea_orm::entity::prelude::*;

/// One row of `reply_votes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reply_votes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub reply_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i64,
    pub value: i16,
    pub ap_id: Option<String>,
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
