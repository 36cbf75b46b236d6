//! The credentials and rights of a person who signs in here.
use sea_orm::entity::prelude::*;

/// One row of `local_users`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "local_users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub person_id: i64,
    pub password_hash: String,
    pub is_admin: bool,
    pub created_at: DateTimeUtc,
    /// The e-mail address given at sign-up, if any.
    pub email: Option<String>,
    /// False while a sign-up waits for an administrator's approval.
    pub approved: bool,
    /// The answer to the application question (approval mode).
    pub application: Option<String>,
    /// The interface language chosen in settings (`en`, `de` …); none: as the browser asks.
    pub language: Option<String>,
    /// When the address was confirmed through a mailed link.
    pub email_verified_at: Option<DateTimeUtc>,
    /// The last mail to the address failed permanently (no notices or digests until it
    /// changes or is confirmed again).
    pub email_failed_at: Option<DateTimeUtc>,
    /// How replies, mentions and accepted answers are mailed: `immediately`, `daily`, `never`.
    pub mail_notices: String,
    /// Whether the weekly digest is mailed.
    pub mail_digest: bool,
    /// The secret in one-click unsubscribe links (made with the first such mail).
    pub mail_key: Option<String>,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
