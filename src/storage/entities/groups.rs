//! A group (local, or a remote one we know of).
use sea_orm::entity::prelude::*;

/// One row of `groups`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub name: String,
    pub domain: String,
    pub local: bool,
    pub title: String,
    pub description: String,
    pub description_html: String,
    pub inbox_url: Option<String>,
    pub shared_inbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub public_key: Option<String>,
    pub private_key: Option<String>,
    pub creator_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Markdown rules (local groups).
    pub rules: String,
    /// The rules as sanitised HTML.
    pub rules_html: String,
    /// Q&A mode: every new post is a question.
    pub qa_mode: bool,
    /// Who may edit its pages: `moderators`, `members` or `signed_in`.
    pub page_editors: String,
    /// `public`, or `members`: only approved members read it (see `domain::groups::Visibility`).
    pub visibility: String,
    /// The icon and the banner uploaded here (`media.id`), for a group here.
    pub icon_id: Option<i64>,
    pub banner_id: Option<i64>,
    /// The icon and the banner a remote group's actor names, shown through the media cache.
    pub icon_url: Option<String>,
    pub banner_url: Option<String>,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
