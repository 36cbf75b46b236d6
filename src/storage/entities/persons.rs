//! A person: a local account's public face, or a remote actor we know of.
use sea_orm::entity::prelude::*;

/// One row of `persons`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persons")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub username: String,
    pub domain: String,
    pub local: bool,
    pub display_name: Option<String>,
    pub inbox_url: Option<String>,
    pub shared_inbox_url: Option<String>,
    pub public_key: Option<String>,
    pub private_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the account was deleted (its server sent `Delete` of it); its content is gone.
    pub deleted_at: Option<DateTimeUtc>,
    /// The avatar uploaded here (`media.id`), for a person here.
    pub avatar_id: Option<i64>,
    /// The avatar a remote actor names (`icon`), shown through the media cache.
    pub avatar_url: Option<String>,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
