//! A stored picture or file: an upload, or the cached copy of a remote image.
use sea_orm::entity::prelude::*;

/// One row of `media`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The name in the store and in the URL.
    #[sea_orm(unique)]
    pub key: String,
    /// Who uploaded it (none for a cached remote image).
    pub owner_id: Option<i64>,
    /// `image` or `document`.
    pub kind: String,
    pub content_type: String,
    /// The file name's extension (`jpg`, `png`, `pdf`).
    pub ext: String,
    /// The file and its thumbnail, bytes.
    pub bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// The alt text (images) or the description.
    pub alt: String,
    /// The name the file was uploaded with (documents are served under it).
    pub name: String,
    pub remote_url: Option<String>,
    #[sea_orm(unique)]
    pub remote_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub used_at: DateTimeUtc,
    pub removed: bool,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
