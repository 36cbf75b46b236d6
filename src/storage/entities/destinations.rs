//! A remote inbox this instance delivers to, with its place in the outgoing queue.
use sea_orm::entity::prelude::*;

/// One row of `destinations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "destinations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub inbox: String,
    pub host: String,
    pub delivered_seq: i64,
    pub next_attempt_at: DateTimeUtc,
    pub attempts: i32,
    pub failing_since: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub unreachable_since: Option<DateTimeUtc>,
    pub last_success_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub single_delivery: bool,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
