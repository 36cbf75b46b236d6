//! What software each other instance runs, learnt from its NodeInfo, so that a new post goes
//! to each destination in as few deliveries as it reads.
//!
//! - `peer_software`: one row per host (`host[:port]`, as `destinations.host`): the NodeInfo
//!   `software.name` and `version` (none when it could not be learnt), whether that software
//!   reads a post from the group's `Announce{Create{Page}}` alone (`single_delivery`: the
//!   Lemmy family and Cohort), when it was checked and when to check again.
//! - `destinations.single_delivery`: the host's `single_delivery`, copied onto each of its
//!   inboxes so that the queue's claim needs no join.
//! - `outgoing.microblog_only`: an activity only microblog software needs (the plain
//!   `Announce{Note}` of a new post, for Mastodon-style timelines); skipped for destinations
//!   with `single_delivery`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PeerSoftware {
    Table,
    Host,
    Software,
    Version,
    SingleDelivery,
    CheckedAt,
    NextCheckAt,
}

#[derive(DeriveIden)]
enum Destinations {
    Table,
    SingleDelivery,
}

#[derive(DeriveIden)]
enum Outgoing {
    Table,
    MicroblogOnly,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PeerSoftware::Table)
                .col(text(PeerSoftware::Host).primary_key())
                .col(text_null(PeerSoftware::Software))
                .col(text_null(PeerSoftware::Version))
                .col(boolean(PeerSoftware::SingleDelivery).default(false))
                .col(timestamp_with_time_zone_null(PeerSoftware::CheckedAt))
                .col(timestamp_with_time_zone(PeerSoftware::NextCheckAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_peer_software_next_check")
                .table(PeerSoftware::Table)
                .col(PeerSoftware::NextCheckAt)
                .to_owned(),
        )
        .await?;
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table(Destinations::Table)
                .add_column(boolean(Destinations::SingleDelivery).default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Outgoing::Table)
                .add_column(boolean(Outgoing::MicroblogOnly).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Outgoing::Table)
                .drop_column(Outgoing::MicroblogOnly)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Destinations::Table)
                .drop_column(Destinations::SingleDelivery)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(PeerSoftware::Table).to_owned())
            .await
    }
}
