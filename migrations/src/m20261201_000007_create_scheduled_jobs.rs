//! Periodic background jobs shared by every process on one database.
//!
//! A process runs a job only after moving its `next_run_at` forward in one conditional
//! UPDATE (`WHERE name = ? AND next_run_at <= now`), so however many processes share the
//! database, each period's run happens once. `last_*` record the last run for operators.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ScheduledJobs {
    Table,
    Name,
    NextRunAt,
    LastStartedAt,
    LastFinishedAt,
    LastRunBy,
    LastOutcome,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ScheduledJobs::Table)
                .col(text(ScheduledJobs::Name).primary_key())
                .col(timestamp_with_time_zone(ScheduledJobs::NextRunAt))
                .col(timestamp_with_time_zone_null(ScheduledJobs::LastStartedAt))
                .col(timestamp_with_time_zone_null(ScheduledJobs::LastFinishedAt))
                .col(text_null(ScheduledJobs::LastRunBy))
                .col(text_null(ScheduledJobs::LastOutcome))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ScheduledJobs::Table).take())
            .await
    }
}
