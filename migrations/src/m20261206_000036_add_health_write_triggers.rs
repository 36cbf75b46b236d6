//! The health rollups of posts and replies are kept by database triggers instead of by the
//! storage functions that write them: the same rows (see migration 34), but the three
//! statements of a reply's upkeep (its week under its author's instance, who took part, the
//! post's first reply by someone else) run inside the database with the insert, not as three
//! more round trips from the writer. They still run in the writer's transaction, so a
//! rolled-back write leaves no trace, and every path that stores a post or a reply counts.
//!
//! Votes stay with the storage function `votes::set`: a changed vote counts in the week it
//! was changed, a time the row does not keep.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in write_triggers(db.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in drop_write_triggers(db.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}

/// Whole seconds since the epoch of a timestamp, in SQL (rounded down, as `timestamp()`).
fn epoch(backend: DatabaseBackend, col: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("CAST(FLOOR(EXTRACT(EPOCH FROM {col})) AS BIGINT)"),
        _ => format!("CAST(strftime('%s', {col}) AS INTEGER)"),
    }
}

/// The week number of a timestamp (weeks start on Monday 00:00 UTC; see migration 34).
fn week(backend: DatabaseBackend, col: &str) -> String {
    format!("(({} + 259200) / 604800)", epoch(backend, col))
}

/// What storing post `NEW` adds: one post in its week under its author's instance, and its
/// author took part that week.
fn post_upkeep(b: DatabaseBackend) -> String {
    let w = week(b, "NEW.created_at");
    format!(
        "INSERT INTO health_weekly (group_id, week, domain, posts, replies) \
         SELECT NEW.group_id, {w}, pe.domain, 1, 0 FROM persons pe WHERE pe.id = NEW.author_id \
         ON CONFLICT (group_id, week, domain) DO UPDATE SET posts = health_weekly.posts + 1; \
         INSERT INTO health_active (group_id, week, person_id) \
         SELECT NEW.group_id, {w}, NEW.author_id WHERE 1 = 1 \
         ON CONFLICT (group_id, week, person_id) DO NOTHING;"
    )
}

/// What storing reply `NEW` adds: one reply in its thread's group and week under its author's
/// instance, its author took part, and — when someone other than the post's author wrote it —
/// the post's wait for a first reply, the earliest one winning whatever order replies arrive
/// in.
fn reply_upkeep(b: DatabaseBackend) -> String {
    let w = week(b, "NEW.created_at");
    let (re, pe) = (epoch(b, "NEW.created_at"), epoch(b, "p.created_at"));
    format!(
        "INSERT INTO health_weekly (group_id, week, domain, posts, replies) \
         SELECT p.group_id, {w}, pe.domain, 0, 1 FROM posts p, persons pe \
         WHERE p.id = NEW.post_id AND pe.id = NEW.author_id \
         ON CONFLICT (group_id, week, domain) DO UPDATE SET replies = health_weekly.replies + 1; \
         INSERT INTO health_active (group_id, week, person_id) \
         SELECT p.group_id, {w}, NEW.author_id FROM posts p WHERE p.id = NEW.post_id \
         ON CONFLICT (group_id, week, person_id) DO NOTHING; \
         INSERT INTO health_first_replies (post_id, group_id, week, seconds) \
         SELECT p.id, p.group_id, {pw}, CASE WHEN {re} < {pe} THEN 0 ELSE {re} - {pe} END \
         FROM posts p WHERE p.id = NEW.post_id AND p.author_id <> NEW.author_id \
         ON CONFLICT (post_id) DO UPDATE SET seconds = excluded.seconds \
         WHERE excluded.seconds < health_first_replies.seconds;",
        pw = week(b, "p.created_at"),
    )
}

/// The statements that create the triggers keeping the post and reply rollups. Public so
/// that `cohort bench health` can load data in bulk without them and measure a write with
/// and without them.
pub fn write_triggers(b: DatabaseBackend) -> Vec<String> {
    [
        ("health_post_written", "posts", post_upkeep(b)),
        ("health_reply_written", "replies", reply_upkeep(b)),
    ]
    .into_iter()
    .flat_map(|(name, table, body)| match b {
        DatabaseBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN {body} RETURN NULL; END $$"
            ),
            format!(
                "CREATE TRIGGER {name} AFTER INSERT ON {table} FOR EACH ROW \
                 EXECUTE FUNCTION {name}()"
            ),
        ],
        _ => vec![format!(
            "CREATE TRIGGER {name} AFTER INSERT ON {table} BEGIN {body} END"
        )],
    })
    .collect()
}

/// The statements that drop what [`write_triggers`] creates.
pub fn drop_write_triggers(b: DatabaseBackend) -> Vec<String> {
    match b {
        DatabaseBackend::Postgres => vec![
            "DROP TRIGGER IF EXISTS health_post_written ON posts".into(),
            "DROP FUNCTION IF EXISTS health_post_written()".into(),
            "DROP TRIGGER IF EXISTS health_reply_written ON replies".into(),
            "DROP FUNCTION IF EXISTS health_reply_written()".into(),
        ],
        _ => vec![
            "DROP TRIGGER IF EXISTS health_post_written".into(),
            "DROP TRIGGER IF EXISTS health_reply_written".into(),
        ],
    }
}
