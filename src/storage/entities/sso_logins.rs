//! A single sign-on under way (see migration `m20261207_000044_add_sso`).
use sea_orm::entity::prelude::*;

/// One row of `sso_logins`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_logins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
    /// Set once the provider vouched for a person who has no account yet.
    pub subject: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    pub proposed_name: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
