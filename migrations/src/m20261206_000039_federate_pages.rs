//! Pages federate (FEP-1b12): a page's home is its group's instance. A member here who edits
//! (or writes) a page of a group hosted elsewhere sends the edit to the group; the group
//! checks it and announces the saved revision, or answers `Reject`. Until then the edit is a
//! proposal kept here, so nothing the member wrote is lost whatever the answer.
//!
//! - `page_proposals(id, activity_id, group_id, slug, person_id, base_revision, title, body,
//!   summary, state, reason, created_at, updated_at)`: one row per edit sent; `activity_id`
//!   is the `Create`/`Update` sent (unique: the group's answer names it); `base_revision` is
//!   the revision it was made on (none for a new page); `state` is `sent`, `accepted` (the
//!   group announced it) or `refused` (the group's `Reject`, with its `reason`).
//! - `reports.page_id`: a report (`Flag`) of a page, to its group's moderators (no foreign
//!   key, which SQLite cannot add to a table; a page goes only with its group, whose reports
//!   go with it).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PageProposals {
    Table,
    Id,
    ActivityId,
    GroupId,
    Slug,
    PersonId,
    BaseRevision,
    Title,
    Body,
    Summary,
    State,
    Reason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    PageId,
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
        m.create_table(
            Table::create()
                .table(PageProposals::Table)
                .col(big_pk_auto(PageProposals::Id))
                .col(text(PageProposals::ActivityId))
                .col(big_integer(PageProposals::GroupId))
                .col(text(PageProposals::Slug))
                .col(big_integer(PageProposals::PersonId))
                .col(big_integer_null(PageProposals::BaseRevision))
                .col(text(PageProposals::Title))
                .col(text(PageProposals::Body))
                .col(text(PageProposals::Summary))
                .col(text(PageProposals::State).default("sent"))
                .col(text_null(PageProposals::Reason))
                .col(timestamp_with_time_zone(PageProposals::CreatedAt))
                .col(timestamp_with_time_zone(PageProposals::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_page_proposals_group")
                        .from(PageProposals::Table, PageProposals::GroupId)
                        .to(Groups::Table, Groups::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_page_proposals_person")
                        .from(PageProposals::Table, PageProposals::PersonId)
                        .to(Persons::Table, Persons::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_page_proposals_activity")
                .table(PageProposals::Table)
                .col(PageProposals::ActivityId)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_page_proposals_page")
                .table(PageProposals::Table)
                .col(PageProposals::GroupId)
                .col(PageProposals::Slug)
                .col(PageProposals::PersonId)
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Reports::Table)
                .add_column(big_integer_null(Reports::PageId))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Reports::Table)
                .drop_column(Reports::PageId)
                .take(),
        )
        .await?;
        m.drop_table(Table::drop().table(PageProposals::Table).take())
            .await
    }
}
