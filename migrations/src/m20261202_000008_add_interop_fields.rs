//! What other servers send that Cohort now keeps: content warnings, locked and pinned threads,
//! boosts (shares) and deleted accounts.
//!
//! SQLite alters one column per statement, so each column is its own `ALTER TABLE`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posts {
    Table,
    ContentWarning,
    Locked,
    Pinned,
}

#[derive(DeriveIden)]
enum Replies {
    Table,
    ContentWarning,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    DeletedAt,
}

/// One row per boost (Mastodon `Announce` by a person) of a post or reply.
#[derive(DeriveIden)]
enum Shares {
    Table,
    ApId,
    PersonId,
    ObjectApId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let add =
            |table: DynIden, col: ColumnDef| Table::alter().table(table).add_column(col).take();
        m.alter_table(add(
            Posts::Table.into_iden(),
            text_null(Posts::ContentWarning).take(),
        ))
        .await?;
        m.alter_table(add(
            Posts::Table.into_iden(),
            boolean(Posts::Locked).default(false).take(),
        ))
        .await?;
        m.alter_table(add(
            Posts::Table.into_iden(),
            boolean(Posts::Pinned).default(false).take(),
        ))
        .await?;
        m.alter_table(add(
            Replies::Table.into_iden(),
            text_null(Replies::ContentWarning).take(),
        ))
        .await?;
        m.alter_table(add(
            Persons::Table.into_iden(),
            timestamp_with_time_zone_null(Persons::DeletedAt).take(),
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Shares::Table)
                .col(text(Shares::ApId).primary_key())
                .col(big_integer(Shares::PersonId))
                .col(text(Shares::ObjectApId))
                .col(timestamp_with_time_zone(Shares::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_shares_person")
                        .from(Shares::Table, Shares::PersonId)
                        .to(Persons::Table, Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_shares_person_object")
                .table(Shares::Table)
                .col(Shares::PersonId)
                .col(Shares::ObjectApId)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_shares_object")
                .table(Shares::Table)
                .col(Shares::ObjectApId)
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Shares::Table).take())
            .await?;
        let drop =
            |table: DynIden, col: DynIden| Table::alter().table(table).drop_column(col).take();
        m.alter_table(drop(
            Persons::Table.into_iden(),
            Persons::DeletedAt.into_iden(),
        ))
        .await?;
        m.alter_table(drop(
            Replies::Table.into_iden(),
            Replies::ContentWarning.into_iden(),
        ))
        .await?;
        for col in [Posts::Pinned, Posts::Locked, Posts::ContentWarning] {
            m.alter_table(drop(Posts::Table.into_iden(), col.into_iden()))
                .await?;
        }
        Ok(())
    }
}
