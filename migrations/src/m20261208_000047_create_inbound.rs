//! The durable inbound queue: an activity is stored here, raw, once its signature and sender
//! have been checked, and the inbox answers 202; workers act on it later (`inbox::queue`).
//!
//! - `ap_id`: the activity's id, unique (a copy that arrives while the first waits is
//!   dropped).
//! - `object_key`: what the activity is about (the object a Create, Update or Delete names;
//!   the activity an Undo, Accept or Reject names; its own id otherwise), and `after_key`:
//!   the object a new reply answers. A row is claimed only when no earlier queued row has
//!   its `object_key`, and no queued row has its `after_key` as `object_key` (an earlier
//!   one, or for a minute a later one): one object's activities are acted on in the order
//!   they arrived, and a reply after its parent even when it arrived first.
//! - `state`: `queued`, `parked` (failed `attempts` times; kept with its `error` until an
//!   admin retries or drops it) or `refused` (a rule refused it while it was acted on; kept a
//!   week with its `status`, `code` and `error`, for the admin and the sender's re-sends).
//! - `lease_until`: a worker holds the row until then; if its process dies, the row is
//!   claimed again once the lease is over.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Inbound {
    Table,
    Id,
    ApId,
    ObjectKey,
    AfterKey,
    Actor,
    Body,
    ReceivedAt,
    State,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    Status,
    Code,
    Error,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Inbound::Table)
                .col(big_integer(Inbound::Id).auto_increment().primary_key())
                .col(text(Inbound::ApId).unique_key())
                .col(text(Inbound::ObjectKey))
                .col(text_null(Inbound::AfterKey))
                .col(text(Inbound::Actor))
                .col(text(Inbound::Body))
                .col(timestamp_with_time_zone(Inbound::ReceivedAt))
                .col(text(Inbound::State).default("queued"))
                .col(integer(Inbound::Attempts).default(0))
                .col(timestamp_with_time_zone(Inbound::NextAttemptAt))
                .col(timestamp_with_time_zone_null(Inbound::LeaseUntil))
                .col(small_integer_null(Inbound::Status))
                .col(text_null(Inbound::Code))
                .col(text_null(Inbound::Error))
                .to_owned(),
        )
        .await?;
        // The claim's window: the oldest queued rows, in order (partial: parked and refused
        // rows are not in it).
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_inbound_queued ON inbound (id) WHERE state = 'queued'",
            )
            .await?;
        // The claim's ordering checks: an earlier queued row about the same object, one
        // index probe each.
        m.create_index(
            Index::create()
                .name("idx_inbound_object_key")
                .table(Inbound::Table)
                .col(Inbound::ObjectKey)
                .col(Inbound::State)
                .col(Inbound::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Inbound::Table).to_owned())
            .await
    }
}
