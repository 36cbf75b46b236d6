//! An activity this instance sent, by id.
use sea_orm::entity::prelude::*;

/// One row of `sent_activities`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sent_activities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ap_id: String,
    pub body: String,
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
