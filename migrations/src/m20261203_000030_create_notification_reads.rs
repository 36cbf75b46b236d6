//! How far each person has read their notifications (the newest one they were shown), so
//! the web interface can say what is new. Notifications themselves are derived from the
//! content tables; only this mark is stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NotificationReads {
    Table,
    PersonId,
    SeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(NotificationReads::Table)
                .col(big_integer(NotificationReads::PersonId).primary_key())
                .col(timestamp_with_time_zone(NotificationReads::SeenAt))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(NotificationReads::Table).take())
            .await
    }
}
