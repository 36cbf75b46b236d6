//! A moderator's removal keeps the text (`removed`), so it can be restored (`Undo{Delete}`);
//! an author's own deletion still erases it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posts {
    Table,
    Removed,
}

#[derive(DeriveIden)]
enum Replies {
    Table,
    Removed,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(boolean(Posts::Removed).default(false))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Replies::Table)
                .add_column(boolean(Replies::Removed).default(false))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Replies::Table)
                .drop_column(Replies::Removed)
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .drop_column(Posts::Removed)
                .take(),
        )
        .await
    }
}
