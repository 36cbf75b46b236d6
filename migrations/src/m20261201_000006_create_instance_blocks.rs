//! Instances this one refuses to federate with (`cohort admin block-instance`).
//!
//! `host` is a host name (blocks it and its subdomains, on any port) or `host:port` (that
//! authority only), lowercase. Inbound activities from a blocked instance are refused, its
//! actors and objects are not fetched or stored, and nothing is delivered to it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InstanceBlocks {
    Table,
    Host,
    Reason,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(InstanceBlocks::Table)
                .col(text(InstanceBlocks::Host).primary_key())
                .col(text_null(InstanceBlocks::Reason))
                .col(timestamp_with_time_zone(InstanceBlocks::CreatedAt))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(InstanceBlocks::Table).take())
            .await
    }
}
