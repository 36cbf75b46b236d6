//! Members-only groups.
//!
//! - `groups.visibility`: `public` (anyone reads it, as before) or `members` (only its
//!   approved members read its posts, replies, pages, member list and health). For a group
//!   elsewhere it is what its actor says (`manuallyApprovesFollowers`).
//! - `group_followers.pending` already holds a request to join: for a members-only group
//!   here it stays pending until a moderator approves it.
//! - `group_invites`: invitation links a moderator made; the SHA-256 of the token, who made
//!   it, until when it works, and how often it was used. A revoked link is deleted.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    Visibility,
}

#[derive(DeriveIden)]
enum GroupInvites {
    Table,
    Id,
    GroupId,
    TokenHash,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    Uses,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Groups::Table)
                .add_column(text(Groups::Visibility).default("public"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(GroupInvites::Table)
                .col(big_pk_auto(GroupInvites::Id))
                .col(big_integer(GroupInvites::GroupId))
                .col(text(GroupInvites::TokenHash).unique_key())
                .col(big_integer(GroupInvites::CreatedBy))
                .col(timestamp_with_time_zone(GroupInvites::CreatedAt))
                .col(timestamp_with_time_zone(GroupInvites::ExpiresAt))
                .col(big_integer(GroupInvites::Uses).default(0))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_group_invites_group")
                        .from(GroupInvites::Table, GroupInvites::GroupId)
                        .to(Groups::Table, Groups::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_group_invites_group")
                .table(GroupInvites::Table)
                .col(GroupInvites::GroupId)
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(GroupInvites::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Groups::Table)
                .drop_column(Groups::Visibility)
                .to_owned(),
        )
        .await
    }
}
