//! Languages: the one a person reads the interface in, and the one a post or reply is written
//! in (what other servers send as `contentMap`'s key or Lemmy's `language`, and read back).
//!
//! - `local_users.language`: the interface language the person chose in their settings; none
//!   means "as my browser asks" (`Accept-Language`), then the instance's default.
//! - `posts.language`, `replies.language`: a BCP 47 tag (`en`, `de`, `pt-BR`) or none when
//!   unknown; shown as the element's `lang`, sent as `contentMap`'s key.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LocalUsers {
    Table,
    Language,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Language,
}

#[derive(DeriveIden)]
enum Replies {
    Table,
    Language,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table(LocalUsers::Table)
                .add_column(text_null(LocalUsers::Language))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(text_null(Posts::Language))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Replies::Table)
                .add_column(text_null(Replies::Language))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            (
                LocalUsers::Table.into_iden(),
                LocalUsers::Language.into_iden(),
            ),
            (Posts::Table.into_iden(), Posts::Language.into_iden()),
            (Replies::Table.into_iden(), Replies::Language.into_iden()),
        ] {
            m.alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
