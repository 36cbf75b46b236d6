//! One outgoing e-mail, rendered whole, waiting for, or done with, its SMTP delivery.
use sea_orm::entity::prelude::*;

/// One row of `mail_queue`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_queue")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub local_user_id: Option<i64>,
    pub to_address: String,
    /// `verify`, `reset`, `notices` or `digest`.
    pub kind: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// The one-click unsubscribe address (RFC 8058), for notices and digests.
    pub unsubscribe_url: Option<String>,
    /// `<…@domain>`, the same on every attempt.
    #[sea_orm(unique)]
    pub message_id: String,
    pub created_at: DateTimeUtc,
    pub next_attempt_at: DateTimeUtc,
    pub attempts: i32,
    pub leased_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    pub failed_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
