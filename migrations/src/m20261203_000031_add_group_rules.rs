//! A group's rules, apart from its description: markdown and its sanitised HTML.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Groups {
    Table,
    Rules,
    RulesHtml,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Groups::Rules, Groups::RulesHtml] {
            m.alter_table(
                Table::alter()
                    .table(Groups::Table)
                    .add_column(text(col).default(""))
                    .take(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Groups::RulesHtml, Groups::Rules] {
            m.alter_table(Table::alter().table(Groups::Table).drop_column(col).take())
                .await?;
        }
        Ok(())
    }
}
