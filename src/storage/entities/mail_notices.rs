//! Something a person here is to hear of by mail: a reply to them, a mention, their answer
//! accepted. Recorded with the content, mailed at once or daily.
use sea_orm::entity::prelude::*;

/// One row of `mail_notices`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub local_user_id: i64,
    /// `reply`, `mention` or `accepted`.
    pub kind: String,
    /// The content it is about: `p{post id}` or `r{reply id}` (one notice per event).
    pub subject: String,
    pub post_id: i64,
    pub reply_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub mailed_at: Option<DateTimeUtc>,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
