//! Rate-limit counters shared by every process on one database: one row per bucket (what is
//! limited and for whom, e.g. `login:203.0.113.9`) and fixed window (its start, in Unix
//! seconds), counted up in one upsert.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    Bucket,
    WindowStart,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RateLimits::Table)
                .col(text(RateLimits::Bucket))
                .col(big_integer(RateLimits::WindowStart))
                .col(integer(RateLimits::Count).default(0))
                .primary_key(
                    Index::create()
                        .col(RateLimits::Bucket)
                        .col(RateLimits::WindowStart),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_rate_limits_window")
                .table(RateLimits::Table)
                .col(RateLimits::WindowStart)
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RateLimits::Table).take())
            .await
    }
}
