//! A destination named explicitly by an outgoing activity.
use sea_orm::entity::prelude::*;

/// One row of `outgoing_direct`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outgoing_direct")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub destination_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
