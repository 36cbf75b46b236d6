//! An account here linked to a subject of an OpenID provider.
use sea_orm::entity::prelude::*;

/// One row of `identities`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub local_user_id: i64,
    /// The provider's id in the configuration.
    pub provider: String,
    /// The ID token's `sub`.
    pub subject: String,
    /// The address the provider gave at the last sign-in.
    pub email: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_login_at: DateTimeUtc,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
