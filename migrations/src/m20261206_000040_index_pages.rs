//! The knowledge base's pages in the full-text index (migration
//! `m20261206_000037_create_search_index`) as its third kind of document: `kind = 2`,
//! `doc = page id * 4 + 2`, title and body, kept by triggers on `pages` in the writer's
//! transaction exactly as posts and replies are (SQLite's read the `search_settings.upkeep`
//! flag; PostgreSQL's are dropped and made again by `storage::search::set_upkeep`).
//!
//! A page's row: `post_id` 0 (a page is no thread: the search joins posts with a LEFT JOIN
//! and no post has id 0), `author_id` its creator (0 if that person is gone), and `created`
//! its last save (`updated_at`): a page is kept up to date, and its recency, the date filters
//! and PostgreSQL's window of the newest matches read it as of its newest revision. Only a
//! page that is not removed is indexed; removing one forgets it, restoring it indexes it
//! again, an edit replaces its text.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::m20261206_000037_create_search_index::{body, drop_kept, epoch, keep_triggers, vector};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in create_triggers(db.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        fill(db).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in drop_triggers(db.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        db.execute_unprepared("DELETE FROM search_documents WHERE kind = 2")
            .await?;
        if db.get_database_backend() != DatabaseBackend::Postgres {
            db.execute_unprepared("DELETE FROM search_text WHERE rowid % 4 = 2")
                .await?;
        }
        Ok(())
    }
}

/// The statements that index the page rows `from` selects as `page` (`FROM … page WHERE …`).
fn inserts(backend: DatabaseBackend, from: &str) -> Vec<String> {
    let row = format!(
        "page.id * 4 + 2, 2, page.id, 0, page.group_id, COALESCE(page.creator_id, 0), {}",
        epoch(backend, "page.updated_at")
    );
    let head =
        "INSERT INTO search_documents (doc, kind, object_id, post_id, group_id, author_id, created";
    match backend {
        DatabaseBackend::Postgres => vec![format!(
            "{head}, vector) SELECT {row}, {} {from}",
            vector("page", true)
        )],
        _ => vec![
            format!("{head}) SELECT {row} {from}"),
            format!(
                "INSERT INTO search_text (rowid, title, body) SELECT page.id * 4 + 2, page.title, \
                 {} {from}",
                body("page")
            ),
        ],
    }
}

/// Indexes every page that is not removed (after the index was emptied).
pub async fn fill<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    for sql in inserts(
        conn.get_database_backend(),
        "FROM pages page WHERE NOT page.removed",
    ) {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// The triggers that keep the pages' documents: on insert; on an update of the text, the
/// removal, the creator (erased: `SET NULL`) or the time of the last save; on delete.
pub fn create_triggers(backend: DatabaseBackend) -> Vec<String> {
    let watched = [
        "title",
        "body",
        "body_html",
        "creator_id",
        "removed",
        "updated_at",
    ];
    let row = ["id", "group_id"]
        .iter()
        .chain(&watched)
        .map(|c| format!("NEW.{c} AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let ins = inserts(
        backend,
        &format!("FROM (SELECT {row}) page WHERE NOT page.removed"),
    )
    .join("; ");
    keep_triggers(backend, "pages", 2, &watched, &ins)
}

/// Drops the triggers that keep the pages' documents.
pub fn drop_triggers(backend: DatabaseBackend) -> Vec<String> {
    drop_kept(backend, "pages")
}
