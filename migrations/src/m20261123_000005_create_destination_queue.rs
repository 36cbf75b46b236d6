//! The outgoing queue as one row per activity plus a cursor per destination inbox, replacing
//! `deliveries` (one row per activity and inbox, each with a copy of the body).
//!
//! - `outgoing`: one row per sent activity, in commit order (`seq`). Its body is the copy in
//!   `sent_activities`. A row with `group_id` goes to every destination that follows that
//!   group at delivery time; `outgoing_direct` names the destinations of any other row.
//! - `group_followers.destination_id`: the destination a remote follower's activities go to
//!   (its shared inbox, else its inbox), so "the groups this destination follows" is an index
//!   lookup.
//! - `destinations`: one row per remote inbox, with `delivered_seq` (everything at or below
//!   it is done for this inbox), its retry state and whether it is unreachable.
//!
//! Pending `deliveries` rows are carried over as direct deliveries; destinations are made for
//! every inbox that follows a local group. `deliveries` is then dropped.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, Statement},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Destinations {
    Table,
    Id,
    Inbox,
    Host,
    DeliveredSeq,
    NextAttemptAt,
    Attempts,
    FailingSince,
    LastError,
    UnreachableSince,
    LastSuccessAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Outgoing {
    Table,
    Seq,
    ActivityId,
    Signer,
    GroupId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OutgoingDirect {
    Table,
    DestinationId,
    Seq,
}

#[derive(DeriveIden)]
enum GroupFollowers {
    Table,
    GroupId,
    DestinationId,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Destinations::Table)
                .col(big_pk_auto(Destinations::Id))
                .col(text(Destinations::Inbox).unique_key())
                .col(text(Destinations::Host))
                .col(big_integer(Destinations::DeliveredSeq).default(0))
                .col(timestamp_with_time_zone(Destinations::NextAttemptAt))
                .col(integer(Destinations::Attempts).default(0))
                .col(timestamp_with_time_zone_null(Destinations::FailingSince))
                .col(text_null(Destinations::LastError))
                .col(timestamp_with_time_zone_null(
                    Destinations::UnreachableSince,
                ))
                .col(timestamp_with_time_zone_null(Destinations::LastSuccessAt))
                .col(timestamp_with_time_zone(Destinations::CreatedAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_destinations_due")
                .table(Destinations::Table)
                .col(Destinations::NextAttemptAt)
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_destinations_host")
                .table(Destinations::Table)
                .col(Destinations::Host)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Outgoing::Table)
                .col(big_pk_auto(Outgoing::Seq))
                .col(text(Outgoing::ActivityId))
                .col(text(Outgoing::Signer))
                .col(big_integer_null(Outgoing::GroupId))
                .col(timestamp_with_time_zone(Outgoing::CreatedAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_outgoing_group_seq")
                .table(Outgoing::Table)
                .col(Outgoing::GroupId)
                .col(Outgoing::Seq)
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_outgoing_created")
                .table(Outgoing::Table)
                .col(Outgoing::CreatedAt)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OutgoingDirect::Table)
                .col(big_integer(OutgoingDirect::DestinationId))
                .col(big_integer(OutgoingDirect::Seq))
                .primary_key(
                    Index::create()
                        .col(OutgoingDirect::DestinationId)
                        .col(OutgoingDirect::Seq),
                )
                .take(),
        )
        .await?;
        // "Which groups does this destination follow".
        m.alter_table(
            Table::alter()
                .table(GroupFollowers::Table)
                .add_column(big_integer_null(GroupFollowers::DestinationId))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_group_followers_destination")
                .table(GroupFollowers::Table)
                .col(GroupFollowers::DestinationId)
                .col(GroupFollowers::GroupId)
                .take(),
        )
        .await?;
        let db = m.get_connection();

        // Carry pending deliveries over, oldest activity first, so their order holds.
        for sql in [
            "INSERT INTO sent_activities (ap_id, body, created_at) \
             SELECT d.activity_id, MIN(d.body), MIN(d.created_at) FROM deliveries d \
             WHERE NOT EXISTS (SELECT 1 FROM sent_activities s WHERE s.ap_id = d.activity_id) \
             GROUP BY d.activity_id",
            "INSERT INTO outgoing (activity_id, signer, created_at) \
             SELECT activity_id, MIN(signer), MIN(created_at) FROM deliveries \
             GROUP BY activity_id ORDER BY MIN(id)",
            "INSERT INTO destinations (inbox, host, delivered_seq, next_attempt_at, attempts, \
             created_at) \
             SELECT inbox, '', 0, MIN(created_at), 0, MIN(created_at) FROM deliveries \
             GROUP BY inbox",
            "INSERT INTO outgoing_direct (destination_id, seq) \
             SELECT DISTINCT t.id, o.seq FROM deliveries d \
             JOIN destinations t ON t.inbox = d.inbox \
             JOIN outgoing o ON o.activity_id = d.activity_id",
            // Every remote inbox that follows a group here gets a destination, nothing pending.
            "INSERT INTO destinations (inbox, host, delivered_seq, next_attempt_at, attempts, \
             created_at) \
             SELECT COALESCE(p.shared_inbox_url, p.inbox_url), '', \
             COALESCE((SELECT MAX(seq) FROM outgoing), 0), MIN(f.created_at), 0, \
             MIN(f.created_at) \
             FROM group_followers f JOIN persons p ON p.id = f.person_id \
             WHERE p.local = FALSE AND COALESCE(p.shared_inbox_url, p.inbox_url) IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM destinations x \
               WHERE x.inbox = COALESCE(p.shared_inbox_url, p.inbox_url)) \
             GROUP BY COALESCE(p.shared_inbox_url, p.inbox_url)",
            "UPDATE group_followers SET destination_id = (SELECT d.id FROM destinations d \
             JOIN persons p ON d.inbox = COALESCE(p.shared_inbox_url, p.inbox_url) \
             WHERE p.id = group_followers.person_id AND p.local = FALSE)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, inbox FROM destinations WHERE host = ''",
            ))
            .await?;
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let inbox: String = row.try_get("", "inbox")?;
            let update = Query::update()
                .table(Destinations::Table)
                .value(Destinations::Host, authority(&inbox))
                .and_where(Expr::col(Destinations::Id).eq(id))
                .to_owned();
            db.execute(&update).await?;
        }
        m.drop_table(Table::drop().table(Deliveries::Table).take())
            .await
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the destination queue cannot be turned back into per-inbox rows; restore a backup"
                .into(),
        ))
    }
}

/// `host[:port]` of a URL, lowercased; the whole string when it has no `//`.
fn authority(url: &str) -> String {
    let rest = url.split_once("//").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    let host = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    host.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::authority;

    #[test]
    fn authority_of_inboxes() {
        assert_eq!(authority("https://Example.org/inbox"), "example.org");
        assert_eq!(
            authority("http://127.0.0.1:8080/u/a/inbox"),
            "127.0.0.1:8080"
        );
        assert_eq!(authority("https://u@h.example?x"), "h.example");
    }
}
