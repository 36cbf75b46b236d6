//! The public log of moderators' actions in each group.
use sea_orm::entity::prelude::*;

/// One row of `mod_log`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mod_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub group_id: i64,
    pub moderator_id: Option<i64>,
    pub action: String,
    pub post_id: Option<i64>,
    pub reply_id: Option<i64>,
    pub person_id: Option<i64>,
    pub reason: Option<String>,
    pub expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
