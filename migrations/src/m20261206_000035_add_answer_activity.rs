//! The id of the `ChooseAnswer` that accepted a question's answer, so that taking the answer
//! back can send an `Undo` naming it (PieFed embeds the original activity, id included).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posts {
    Table,
    AnswerActivity,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(text_null(Posts::AnswerActivity))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .drop_column(Posts::AnswerActivity)
                .take(),
        )
        .await?;
        Ok(())
    }
}
