//! Federation state: the instance actor's keys, who follows which group, and the ids of
//! activities already received (for de-duplication).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InstanceKeys {
    Table,
    Id,
    PublicKey,
    PrivateKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GroupFollowers {
    Table,
    GroupId,
    PersonId,
    Pending,
    FollowApId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReceivedActivities {
    Table,
    ApId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row (id = 1): the keys of the instance's Application actor.
        m.create_table(
            Table::create()
                .table(InstanceKeys::Table)
                .col(integer(InstanceKeys::Id).primary_key())
                .col(text(InstanceKeys::PublicKey))
                .col(text(InstanceKeys::PrivateKey))
                .col(timestamp_with_time_zone(InstanceKeys::CreatedAt))
                .take(),
        )
        .await?;

        // A person (local or remote) following a group (local or remote). `pending` until the
        // group's Accept arrives (for remote groups) or is sent (for local ones).
        m.create_table(
            Table::create()
                .table(GroupFollowers::Table)
                .col(big_integer(GroupFollowers::GroupId))
                .col(big_integer(GroupFollowers::PersonId))
                .col(boolean(GroupFollowers::Pending))
                .col(text_null(GroupFollowers::FollowApId))
                .col(timestamp_with_time_zone(GroupFollowers::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(GroupFollowers::GroupId)
                        .col(GroupFollowers::PersonId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_group_followers_group")
                        .from(GroupFollowers::Table, GroupFollowers::GroupId)
                        .to(Groups::Table, Groups::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_group_followers_person")
                        .from(GroupFollowers::Table, GroupFollowers::PersonId)
                        .to(Persons::Table, Persons::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;

        // Ids of inbound activities already handled: a replayed or re-delivered activity is
        // recognised and acknowledged without acting twice.
        m.create_table(
            Table::create()
                .table(ReceivedActivities::Table)
                .col(text(ReceivedActivities::ApId).primary_key())
                .col(timestamp_with_time_zone(ReceivedActivities::CreatedAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_received_activities_created")
                .table(ReceivedActivities::Table)
                .col(ReceivedActivities::CreatedAt)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ReceivedActivities::Table).take())
            .await?;
        m.drop_table(Table::drop().table(GroupFollowers::Table).take())
            .await?;
        m.drop_table(Table::drop().table(InstanceKeys::Table).take())
            .await
    }
}
