//! Questions and accepted answers: a post is a question or a discussion; a question may have
//! one accepted reply (at any depth), chosen by its author or a moderator; a group in Q&A mode
//! makes every new post a question.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posts {
    Table,
    GroupId,
    Question,
    AnswerId,
    AnsweredAt,
    AnsweredBy,
    NudgedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    QaMode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(boolean(Posts::Question).default(false))
                .take(),
        )
        .await?;
        // The accepted reply, when it was accepted and by whom (a person id); none of them
        // is a foreign key, so a reply's hard deletion by the clean-up never blocks.
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(big_integer_null(Posts::AnswerId))
                .take(),
        )
        .await?;
        for col in [Posts::AnsweredAt, Posts::NudgedAt] {
            m.alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .add_column(timestamp_with_time_zone_null(col))
                    .take(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(big_integer_null(Posts::AnsweredBy))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Groups::Table)
                .add_column(boolean(Groups::QaMode).default(false))
                .take(),
        )
        .await?;
        // "Questions waiting for an answer" in a group: unanswered first, oldest first.
        m.create_index(
            Index::create()
                .name("idx_posts_questions")
                .table(Posts::Table)
                .col(Posts::GroupId)
                .col(Posts::Question)
                .col(Posts::AnsweredAt)
                .col(Posts::CreatedAt)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_posts_questions")
                .table(Posts::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Groups::Table)
                .drop_column(Groups::QaMode)
                .take(),
        )
        .await?;
        for col in [
            Posts::AnsweredBy,
            Posts::NudgedAt,
            Posts::AnsweredAt,
            Posts::AnswerId,
            Posts::Question,
        ] {
            m.alter_table(Table::alter().table(Posts::Table).drop_column(col).take())
                .await?;
        }
        Ok(())
    }
}
