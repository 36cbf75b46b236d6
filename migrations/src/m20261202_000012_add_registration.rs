//! Registration modes: an account's e-mail address, whether it is approved yet, and its answer
//! to the application question; single-use invitations, kept as the SHA-256 of their code.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LocalUsers {
    Table,
    Email,
    Approved,
    Application,
}

#[derive(DeriveIden)]
enum Invites {
    Table,
    CodeHash,
    CreatedAt,
    ExpiresAt,
    UsedBy,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let add = |col: ColumnDef| {
            Table::alter()
                .table(LocalUsers::Table)
                .add_column(col)
                .take()
        };
        m.alter_table(add(text_null(LocalUsers::Email).take()))
            .await?;
        m.alter_table(add(boolean(LocalUsers::Approved).default(true).take()))
            .await?;
        m.alter_table(add(text_null(LocalUsers::Application).take()))
            .await?;
        m.create_table(
            Table::create()
                .table(Invites::Table)
                .col(text(Invites::CodeHash).primary_key())
                .col(timestamp_with_time_zone(Invites::CreatedAt))
                .col(timestamp_with_time_zone(Invites::ExpiresAt))
                .col(big_integer_null(Invites::UsedBy))
                .col(timestamp_with_time_zone_null(Invites::UsedAt))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Invites::Table).take())
            .await?;
        for col in [
            LocalUsers::Application,
            LocalUsers::Approved,
            LocalUsers::Email,
        ] {
            m.alter_table(
                Table::alter()
                    .table(LocalUsers::Table)
                    .drop_column(col)
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
