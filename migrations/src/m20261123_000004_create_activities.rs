//! Activities this instance sent, kept so that their ids can be fetched.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SentActivities {
    Table,
    ApId,
    Body,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SentActivities::Table)
                .col(text(SentActivities::ApId).primary_key())
                .col(text(SentActivities::Body))
                .col(timestamp_with_time_zone(SentActivities::CreatedAt))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SentActivities::Table).take())
            .await
    }
}
