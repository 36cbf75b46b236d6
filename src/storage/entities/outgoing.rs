//! One sent activity in the outgoing queue, in commit order.
use sea_orm::entity::prelude::*;

/// One row of `outgoing`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outgoing")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub activity_id: String,
    pub signer: String,
    pub group_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub microblog_only: bool,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
