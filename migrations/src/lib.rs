//! Cohort's database migrations, for SQLite and PostgreSQL.
//!
//! Each migration is a file `mYYYYMMDD_NNNNNN_verb_noun.rs`. A migration that has landed on
//! main is never edited: change the schema with a new one.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_core_tables;
mod m20261123_000002_create_federation_tables;
mod m20261123_000003_create_deliveries;
mod m20261123_000004_create_activities;
mod m20261123_000005_create_destination_queue;
mod m20261201_000006_create_instance_blocks;
mod m20261201_000007_create_scheduled_jobs;
mod m20261202_000008_add_interop_fields;
mod m20261202_000009_create_rate_limits;
mod m20261202_000010_create_instance_allows;
mod m20261202_000011_add_removals;
mod m20261202_000012_add_registration;
mod m20261202_000013_add_moderation;
mod m20261203_000030_create_notification_reads;
mod m20261203_000031_add_group_rules;
mod m20261206_000032_index_activity_ids;
mod m20261206_000033_add_questions;
mod m20261206_000034_create_health_rollups;
mod m20261206_000035_add_answer_activity;
mod m20261206_000036_add_health_write_triggers;
mod m20261206_000037_create_search_index;
mod m20261206_000038_create_pages;
mod m20261206_000039_federate_pages;
mod m20261206_000040_index_pages;
mod m20261207_000041_add_languages;
mod m20261207_000042_learn_peer_software;
mod m20261207_000043_add_mail;
mod m20261207_000044_add_sso;
mod m20261207_000045_add_members_only;
mod m20261207_000046_create_media;
mod m20261208_000047_create_inbound;

/// Fills the health rollups from stored content (the upgrade's step; `cohort bench health`
/// uses it after a bulk load).
pub use m20261206_000034_create_health_rollups::backfill as backfill_health;
/// The triggers that keep the post and reply rollups, and their removal (`cohort bench
/// health` loads data without them and measures a write with and without them).
pub use m20261206_000036_add_health_write_triggers::{
    drop_write_triggers as drop_health_triggers, write_triggers as health_triggers,
};

/// The full-text index's upkeep for every kind of document (posts and replies, migration 37;
/// pages, migration 40): its triggers, filling it, rebuilding it for another language
/// (`storage::search` at start-up, `cohort bench search`).
pub mod search_index {
    use sea_orm_migration::{
        prelude::{ConnectionTrait, DbErr},
        sea_orm::DatabaseBackend,
    };

    use super::{
        m20261206_000037_create_search_index as posts, m20261206_000040_index_pages as pages,
    };

    pub use posts::{DEFAULT_LANGUAGE, DEFAULT_TOKENIZER};

    /// The triggers that keep the index of posts, replies and pages.
    pub fn create_triggers(backend: DatabaseBackend) -> Vec<String> {
        let mut out = posts::create_triggers(backend);
        out.extend(pages::create_triggers(backend));
        out
    }

    /// Drops every trigger that keeps the index (it then stands still).
    pub fn drop_triggers(backend: DatabaseBackend) -> Vec<String> {
        let mut out = posts::drop_triggers(backend);
        out.extend(pages::drop_triggers(backend));
        out
    }

    /// Indexes every live post, reply and page (into empty index tables).
    pub async fn fill<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
        posts::fill(conn).await?;
        pages::fill(conn).await
    }

    /// Empties the index and indexes everything again, after the language or tokenizer in
    /// `search_settings` changed (on SQLite the FTS5 table is made again with `tokenizer`).
    pub async fn rebuild<C: ConnectionTrait>(conn: &C, tokenizer: &str) -> Result<(), DbErr> {
        posts::clear(conn, tokenizer).await?;
        fill(conn).await
    }
}

/// Runs Cohort's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_core_tables::Migration),
            Box::new(m20261123_000002_create_federation_tables::Migration),
            Box::new(m20261123_000003_create_deliveries::Migration),
            Box::new(m20261123_000004_create_activities::Migration),
            Box::new(m20261123_000005_create_destination_queue::Migration),
            Box::new(m20261201_000006_create_instance_blocks::Migration),
            Box::new(m20261201_000007_create_scheduled_jobs::Migration),
            Box::new(m20261202_000008_add_interop_fields::Migration),
            Box::new(m20261202_000009_create_rate_limits::Migration),
            Box::new(m20261202_000010_create_instance_allows::Migration),
            Box::new(m20261202_000011_add_removals::Migration),
            Box::new(m20261202_000012_add_registration::Migration),
            Box::new(m20261202_000013_add_moderation::Migration),
            Box::new(m20261203_000030_create_notification_reads::Migration),
            Box::new(m20261203_000031_add_group_rules::Migration),
            Box::new(m20261206_000032_index_activity_ids::Migration),
            Box::new(m20261206_000033_add_questions::Migration),
            Box::new(m20261206_000034_create_health_rollups::Migration),
            Box::new(m20261206_000035_add_answer_activity::Migration),
            Box::new(m20261206_000036_add_health_write_triggers::Migration),
            Box::new(m20261206_000037_create_search_index::Migration),
            Box::new(m20261206_000038_create_pages::Migration),
            Box::new(m20261206_000039_federate_pages::Migration),
            Box::new(m20261206_000040_index_pages::Migration),
            Box::new(m20261207_000041_add_languages::Migration),
            Box::new(m20261207_000042_learn_peer_software::Migration),
            Box::new(m20261207_000043_add_mail::Migration),
            Box::new(m20261207_000044_add_sso::Migration),
            Box::new(m20261207_000045_add_members_only::Migration),
            Box::new(m20261207_000046_create_media::Migration),
            Box::new(m20261208_000047_create_inbound::Migration),
        ]
    }
}
