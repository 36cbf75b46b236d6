//! The persistent outgoing queue: one row per (activity, destination inbox) still to deliver.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    ActivityId,
    Signer,
    Inbox,
    Body,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Deliveries::Table)
                .col(big_pk_auto(Deliveries::Id))
                .col(text(Deliveries::ActivityId))
                .col(text(Deliveries::Signer))
                .col(text(Deliveries::Inbox))
                .col(text(Deliveries::Body))
                .col(integer(Deliveries::Attempts).default(0))
                .col(timestamp_with_time_zone(Deliveries::NextAttemptAt))
                .col(text_null(Deliveries::LastError))
                .col(timestamp_with_time_zone(Deliveries::CreatedAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_deliveries_due")
                .table(Deliveries::Table)
                .col(Deliveries::NextAttemptAt)
                .col(Deliveries::Id)
                .take(),
        )
        .await?;
        // Per-destination order: only the oldest row of each inbox is ever claimed.
        m.create_index(
            Index::create()
                .name("ix_deliveries_inbox")
                .table(Deliveries::Table)
                .col(Deliveries::Inbox)
                .col(Deliveries::Id)
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Deliveries::Table).take())
            .await
    }
}
