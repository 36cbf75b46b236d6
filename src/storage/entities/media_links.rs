//! Which post, reply or page shows which upload.
use sea_orm::entity::prelude::*;

/// One row of `media_links`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media_links")]
pub struct Model {
    /// 0 a post, 1 a reply, 2 a page.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: i16,
    #[sea_orm(primary_key, auto_increment = false)]
    pub object_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub media_id: i64,
}

/// No relations are navigated through the ORM; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
