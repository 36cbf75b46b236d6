//! Instances this one federates with when `federation.policy` is `allowlist`
//! (`cohort admin allow-instance`). `host` matches as in `instance_blocks`: a host and its
//! subdomains, or `host:port` exactly.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InstanceAllows {
    Table,
    Host,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(InstanceAllows::Table)
                .col(text(InstanceAllows::Host).primary_key())
                .col(timestamp_with_time_zone(InstanceAllows::CreatedAt))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(InstanceAllows::Table).take())
            .await
    }
}
