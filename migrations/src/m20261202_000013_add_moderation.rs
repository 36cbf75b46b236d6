//! Moderation: bans from a group (with an optional end), the public per-group log of
//! moderators' actions, reports (`Flag`) and their resolution, and each member's own blocks
//! of people and instances.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

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

#[derive(DeriveIden)]
enum GroupBans {
    Table,
    GroupId,
    PersonId,
    Reason,
    ExpiresAt,
    BannedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ModLog {
    Table,
    Id,
    GroupId,
    ModeratorId,
    Action,
    PostId,
    ReplyId,
    PersonId,
    Reason,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    ApId,
    GroupId,
    ReporterId,
    PostId,
    ReplyId,
    PersonId,
    Reason,
    CreatedAt,
    ResolvedAt,
    ResolvedBy,
}

#[derive(DeriveIden)]
enum PersonBlocks {
    Table,
    PersonId,
    BlockedId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PersonInstanceBlocks {
    Table,
    PersonId,
    Host,
    CreatedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(GroupBans::Table)
                .col(big_integer(GroupBans::GroupId))
                .col(big_integer(GroupBans::PersonId))
                .col(text_null(GroupBans::Reason))
                .col(timestamp_with_time_zone_null(GroupBans::ExpiresAt))
                .col(big_integer_null(GroupBans::BannedBy))
                .col(timestamp_with_time_zone(GroupBans::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(GroupBans::GroupId)
                        .col(GroupBans::PersonId),
                )
                .foreign_key(&mut fk(
                    "fk_group_bans_group",
                    (GroupBans::Table, GroupBans::GroupId),
                    (Groups::Table, Groups::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_group_bans_person",
                    (GroupBans::Table, GroupBans::PersonId),
                    (Persons::Table, Persons::Id),
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ModLog::Table)
                .col(big_pk_auto(ModLog::Id))
                .col(big_integer(ModLog::GroupId))
                .col(big_integer_null(ModLog::ModeratorId))
                .col(text(ModLog::Action))
                .col(big_integer_null(ModLog::PostId))
                .col(big_integer_null(ModLog::ReplyId))
                .col(big_integer_null(ModLog::PersonId))
                .col(text_null(ModLog::Reason))
                .col(timestamp_with_time_zone_null(ModLog::ExpiresAt))
                .col(timestamp_with_time_zone(ModLog::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_mod_log_group",
                    (ModLog::Table, ModLog::GroupId),
                    (Groups::Table, Groups::Id),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mod_log_group")
                .table(ModLog::Table)
                .col(ModLog::GroupId)
                .col(ModLog::Id)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Reports::Table)
                .col(big_pk_auto(Reports::Id))
                .col(text_uniq(Reports::ApId))
                .col(big_integer(Reports::GroupId))
                .col(big_integer(Reports::ReporterId))
                .col(big_integer_null(Reports::PostId))
                .col(big_integer_null(Reports::ReplyId))
                .col(big_integer_null(Reports::PersonId))
                .col(text(Reports::Reason))
                .col(timestamp_with_time_zone(Reports::CreatedAt))
                .col(timestamp_with_time_zone_null(Reports::ResolvedAt))
                .col(big_integer_null(Reports::ResolvedBy))
                .foreign_key(&mut fk(
                    "fk_reports_group",
                    (Reports::Table, Reports::GroupId),
                    (Groups::Table, Groups::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_reports_reporter",
                    (Reports::Table, Reports::ReporterId),
                    (Persons::Table, Persons::Id),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_reports_group")
                .table(Reports::Table)
                .col(Reports::GroupId)
                .col(Reports::Id)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PersonBlocks::Table)
                .col(big_integer(PersonBlocks::PersonId))
                .col(big_integer(PersonBlocks::BlockedId))
                .col(timestamp_with_time_zone(PersonBlocks::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(PersonBlocks::PersonId)
                        .col(PersonBlocks::BlockedId),
                )
                .foreign_key(&mut fk(
                    "fk_person_blocks_person",
                    (PersonBlocks::Table, PersonBlocks::PersonId),
                    (Persons::Table, Persons::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_person_blocks_blocked",
                    (PersonBlocks::Table, PersonBlocks::BlockedId),
                    (Persons::Table, Persons::Id),
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PersonInstanceBlocks::Table)
                .col(big_integer(PersonInstanceBlocks::PersonId))
                .col(text(PersonInstanceBlocks::Host))
                .col(timestamp_with_time_zone(PersonInstanceBlocks::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(PersonInstanceBlocks::PersonId)
                        .col(PersonInstanceBlocks::Host),
                )
                .foreign_key(&mut fk(
                    "fk_person_instance_blocks_person",
                    (PersonInstanceBlocks::Table, PersonInstanceBlocks::PersonId),
                    (Persons::Table, Persons::Id),
                ))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PersonInstanceBlocks::Table.into_iden(),
            PersonBlocks::Table.into_iden(),
            Reports::Table.into_iden(),
            ModLog::Table.into_iden(),
            GroupBans::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
