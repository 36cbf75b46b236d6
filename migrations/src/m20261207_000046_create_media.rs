//! Pictures and files: what people upload and the cached copies of remote images.
//!
//! - `media`: one stored file with its thumbnail. `key` names it in the store and in its
//!   URL (`/media/{key}.{ext}`, the thumbnail `/media/{key}_t.{ext}`). An upload has its
//!   `owner_id` (a person here); a cached copy of a remote image has `remote_url` (its
//!   SHA-256 in `remote_hash`, unique) and no owner. `bytes` counts the file and its
//!   thumbnail (quotas add it up); `used_at` is when a cached copy was last shown (the
//!   least recently shown go first when the cache is full). `removed`: a moderator took it
//!   down (served no more; the files are deleted).
//! - `media_links`: which post or reply (kind 0 a post, 1 a reply, 2 a page) shows which
//!   upload, rewritten on every save; what no link, avatar, icon or banner refers to is
//!   deleted a day after its upload.
//! - `persons.avatar_id`, `groups.icon_id`, `groups.banner_id`: uploads here;
//!   `persons.avatar_url`, `groups.icon_url`, `groups.banner_url`: what a remote actor
//!   names (shown through the cache).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
    Key,
    OwnerId,
    Kind,
    ContentType,
    Ext,
    Bytes,
    Width,
    Height,
    Alt,
    Name,
    RemoteUrl,
    RemoteHash,
    CreatedAt,
    UsedAt,
    Removed,
}

#[derive(DeriveIden)]
enum MediaLinks {
    Table,
    MediaId,
    Kind,
    ObjectId,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
    AvatarId,
    AvatarUrl,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    IconId,
    IconUrl,
    BannerId,
    BannerUrl,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Media::Table)
                .col(big_pk_auto(Media::Id))
                .col(text(Media::Key).unique_key())
                .col(big_integer_null(Media::OwnerId))
                .col(text(Media::Kind))
                .col(text(Media::ContentType))
                .col(text(Media::Ext))
                .col(big_integer(Media::Bytes))
                .col(integer_null(Media::Width))
                .col(integer_null(Media::Height))
                .col(text(Media::Alt).default(""))
                .col(text(Media::Name).default(""))
                .col(text_null(Media::RemoteUrl))
                .col(text_null(Media::RemoteHash).unique_key())
                .col(timestamp_with_time_zone(Media::CreatedAt))
                .col(timestamp_with_time_zone(Media::UsedAt))
                .col(boolean(Media::Removed).default(false))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_media_owner")
                        .from(Media::Table, Media::OwnerId)
                        .to(Persons::Table, Persons::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_media_owner")
                .table(Media::Table)
                .col(Media::OwnerId)
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_media_used")
                .table(Media::Table)
                .col(Media::UsedAt)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MediaLinks::Table)
                .col(big_integer(MediaLinks::MediaId))
                .col(small_integer(MediaLinks::Kind))
                .col(big_integer(MediaLinks::ObjectId))
                .primary_key(
                    Index::create()
                        .col(MediaLinks::Kind)
                        .col(MediaLinks::ObjectId)
                        .col(MediaLinks::MediaId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_media_links_media")
                        .from(MediaLinks::Table, MediaLinks::MediaId)
                        .to(Media::Table, Media::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_media_links_media")
                .table(MediaLinks::Table)
                .col(MediaLinks::MediaId)
                .take(),
        )
        .await?;
        for col in [Persons::AvatarId, Persons::AvatarUrl] {
            let def = match col {
                Persons::AvatarId => big_integer_null(col),
                _ => text_null(col),
            };
            m.alter_table(
                Table::alter()
                    .table(Persons::Table)
                    .add_column(def)
                    .to_owned(),
            )
            .await?;
        }
        for col in [
            Groups::IconId,
            Groups::IconUrl,
            Groups::BannerId,
            Groups::BannerUrl,
        ] {
            let def = match col {
                Groups::IconId | Groups::BannerId => big_integer_null(col),
                _ => text_null(col),
            };
            m.alter_table(
                Table::alter()
                    .table(Groups::Table)
                    .add_column(def)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Persons::AvatarId, Persons::AvatarUrl] {
            m.alter_table(
                Table::alter()
                    .table(Persons::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for col in [
            Groups::IconId,
            Groups::IconUrl,
            Groups::BannerId,
            Groups::BannerUrl,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Groups::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(MediaLinks::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Media::Table).to_owned())
            .await
    }
}
