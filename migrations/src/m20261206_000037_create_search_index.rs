//! Full-text search over posts and replies: one index of "documents", each a post (title and
//! body) or a reply (body), kept by database triggers in the writer's transaction.
//!
//! - `search_documents(doc, kind, object_id, post_id, group_id, author_id, created)`: one row
//!   per live (not deleted, not removed) post or reply. `doc = object_id * 4 + kind`, kind 0
//!   a post, 1 a reply (2 is kept for the group pages of the knowledge base, 3 spare), so
//!   every kind shares one key space and one ranked list. `created` is in seconds since the
//!   epoch (the ranking's recency and the date filters read it without date functions).
//! - PostgreSQL: `search_documents.vector`, a `tsvector` (title weight A, body weight B) with
//!   a GIN index, made with the text search configuration named in `search_settings`; a BRIN
//!   index on `created` for time slices, and `search_estimate(tsquery)`, the planner's
//!   estimate of how many documents a query matches.
//! - SQLite: `search_text`, an FTS5 table (`title`, `body`) whose rowid is `doc`, tokenized as
//!   `search_settings.tokenizer` says (FTS5 fixes the tokenizer when the table is made, so a
//!   change of configuration rebuilds it: `search_index::rebuild`, after [`clear`]).
//!
//! The body indexed is the markdown source, or for content that came without one (Mastodon
//! and most microblogs send HTML only) the sanitised HTML: PostgreSQL's parser skips its tags;
//! SQLite's tokenizer reads them as words.
//!
//! Why triggers: posts and replies are written, edited, erased (`mark_deleted`, an account's
//! erasure), removed and restored by moderators from many code paths, local and federated;
//! a trigger sees every one of them in the writer's own transaction, so the index can never
//! disagree with what is stored. They fire only when the indexed text or the liveness
//! changes (not on the counter updates every reply and vote makes). A generated column would
//! do the same for the text on PostgreSQL, but not for liveness, nor on SQLite's FTS5.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchDocuments {
    Table,
    Doc,
    Kind,
    ObjectId,
    PostId,
    GroupId,
    AuthorId,
    Created,
}

#[derive(DeriveIden)]
enum SearchSettings {
    Table,
    Id,
    Language,
    Tokenizer,
    Upkeep,
}

/// The PostgreSQL text search configuration used until the configuration names another.
pub const DEFAULT_LANGUAGE: &str = "english";
/// The SQLite FTS5 tokenizer used until the configuration names another.
pub const DEFAULT_TOKENIZER: &str = "porter unicode61 remove_diacritics 2";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SearchSettings::Table)
                .col(integer(SearchSettings::Id).primary_key())
                .col(text(SearchSettings::Language))
                .col(text(SearchSettings::Tokenizer))
                .col(boolean(SearchSettings::Upkeep).default(true))
                .take(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(SearchSettings::Table)
                .columns([
                    SearchSettings::Id,
                    SearchSettings::Language,
                    SearchSettings::Tokenizer,
                ])
                .values_panic([1.into(), DEFAULT_LANGUAGE.into(), DEFAULT_TOKENIZER.into()])
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SearchDocuments::Table)
                .col(big_integer(SearchDocuments::Doc).primary_key())
                .col(small_integer(SearchDocuments::Kind))
                .col(big_integer(SearchDocuments::ObjectId))
                .col(big_integer(SearchDocuments::PostId))
                .col(big_integer(SearchDocuments::GroupId))
                .col(big_integer(SearchDocuments::AuthorId))
                .col(big_integer(SearchDocuments::Created))
                .take(),
        )
        .await?;
        // The newest matches first (PostgreSQL ranks a window of them).
        m.create_index(
            Index::create()
                .name("ix_search_documents_created")
                .table(SearchDocuments::Table)
                .col(SearchDocuments::Created)
                .col(SearchDocuments::Doc)
                .take(),
        )
        .await?;
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let text_index = match backend {
            DatabaseBackend::Postgres => vec![
                "ALTER TABLE search_documents ADD COLUMN vector tsvector NOT NULL".to_string(),
                "CREATE INDEX ix_search_documents_vector ON search_documents USING GIN (vector)"
                    .into(),
                // Rows arrive in time order, so a block range's `created` values are close
                // together: a time slice is a few ranges, ANDed with the GIN index's
                // matches before the rows are read (see `storage::search::find`).
                "CREATE INDEX ix_search_documents_created_brin ON search_documents \
                 USING BRIN (created) WITH (pages_per_range = 16, autosummarize = on)"
                    .into(),
                ESTIMATE_FUNCTION.into(),
            ],
            _ => vec![fts_table(DEFAULT_TOKENIZER)],
        };
        for sql in text_index.iter().chain(&create_triggers(backend)) {
            db.execute_unprepared(sql).await?;
        }
        fill(db).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        for sql in drop_triggers(backend) {
            db.execute_unprepared(&sql).await?;
        }
        if backend == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS search_estimate(tsquery)")
                .await?;
        } else {
            db.execute_unprepared("DROP TABLE IF EXISTS search_text")
                .await?;
        }
        m.drop_table(Table::drop().table(SearchDocuments::Table).take())
            .await?;
        m.drop_table(Table::drop().table(SearchSettings::Table).take())
            .await
    }
}

/// PostgreSQL: how many documents the planner expects a query to match, from the column's
/// statistics (the planner's own estimate, read with `EXPLAIN`; `EXECUTE` plans with the
/// query as a constant, which a prepared statement's generic plan does not). Costs a
/// planning, about a millisecond; counting the matches would read every one of them.
const ESTIMATE_FUNCTION: &str = "CREATE OR REPLACE FUNCTION search_estimate(q tsquery) \
     RETURNS double precision LANGUAGE plpgsql AS $$ DECLARE plan json; BEGIN \
     EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM search_documents \
     WHERE vector @@ %L::tsquery', q::text) INTO plan; \
     RETURN (plan->0->'Plan'->>'Plan Rows')::double precision; END $$";

/// The SQLite FTS5 table with `tokenizer` (as the `tokenize` option's value).
pub fn fts_table(tokenizer: &str) -> String {
    format!(
        "CREATE VIRTUAL TABLE search_text USING fts5(title, body, tokenize = '{}')",
        tokenizer.replace('\'', "''")
    )
}

/// Whole seconds since the epoch of a timestamp column (rounded down, as SQLite's
/// `strftime('%s')` does), in SQL.
pub(crate) fn epoch(backend: DatabaseBackend, col: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("CAST(FLOOR(EXTRACT(EPOCH FROM {col})) AS BIGINT)"),
        _ => format!("CAST(strftime('%s', {col}) AS INTEGER)"),
    }
}

/// The text of a body column pair: the markdown source, or the HTML when there is none.
pub(crate) fn body(row: &str) -> String {
    format!("CASE WHEN {row}.body <> '' THEN {row}.body ELSE {row}.body_html END")
}

/// The PostgreSQL `tsvector` of post or reply `row` (`title`: whether it has one).
pub(crate) fn vector(row: &str, title: bool) -> String {
    let cfg = "(SELECT CAST(language AS regconfig) FROM search_settings WHERE id = 1)";
    let body = format!("setweight(to_tsvector({cfg}, {}), 'B')", body(row));
    if title {
        format!("setweight(to_tsvector({cfg}, {row}.title), 'A') || {body}")
    } else {
        body
    }
}

/// The statements that index post `p` and reply `r` rows (`SELECT … FROM posts p` /
/// `FROM replies r JOIN posts p`), for the trigger bodies and the fill alike.
fn inserts(backend: DatabaseBackend, from_posts: &str, from_replies: &str) -> Vec<String> {
    let pg = backend == DatabaseBackend::Postgres;
    let (pv, rv) = if pg {
        (
            format!(
                ", vector) SELECT p.id * 4, 0, p.id, p.id, p.group_id, p.author_id, {}, {}",
                epoch(backend, "p.created_at"),
                vector("p", true)
            ),
            format!(
                ", vector) SELECT r.id * 4 + 1, 1, r.id, r.post_id, p.group_id, r.author_id, {}, {}",
                epoch(backend, "r.created_at"),
                vector("r", false)
            ),
        )
    } else {
        (
            format!(
                ") SELECT p.id * 4, 0, p.id, p.id, p.group_id, p.author_id, {}",
                epoch(backend, "p.created_at")
            ),
            format!(
                ") SELECT r.id * 4 + 1, 1, r.id, r.post_id, p.group_id, r.author_id, {}",
                epoch(backend, "r.created_at")
            ),
        )
    };
    let head =
        "INSERT INTO search_documents (doc, kind, object_id, post_id, group_id, author_id, created";
    let mut out = vec![
        format!("{head}{pv} {from_posts}"),
        format!("{head}{rv} {from_replies}"),
    ];
    if !pg {
        out.push(format!(
            "INSERT INTO search_text (rowid, title, body) SELECT p.id * 4, p.title, {} {from_posts}",
            body("p")
        ));
        out.push(format!(
            "INSERT INTO search_text (rowid, title, body) SELECT r.id * 4 + 1, '', {} {from_replies}",
            body("r")
        ));
    }
    out
}

/// Indexes every live post and reply (into empty index tables).
pub async fn fill<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    let statements = inserts(
        conn.get_database_backend(),
        "FROM posts p WHERE p.deleted_at IS NULL AND NOT p.removed",
        "FROM replies r JOIN posts p ON p.id = r.post_id \
         WHERE r.deleted_at IS NULL AND NOT r.removed",
    );
    for sql in statements {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// `NEW.c AS c, …` for the trigger's row: `columns` and what every post and reply has.
fn new_row(columns: &[&str]) -> String {
    let common = [
        "author_id",
        "created_at",
        "body",
        "body_html",
        "deleted_at",
        "removed",
    ];
    columns
        .iter()
        .chain(&common)
        .map(|c| format!("NEW.{c} AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The triggers that keep the index (see the module docs).
pub fn create_triggers(backend: DatabaseBackend) -> Vec<String> {
    // The row being written, seen as `p` (a post) or `r` with its post `p` (a reply).
    let (post_ins, reply_ins) = {
        let s = inserts(
            backend,
            &format!(
                "FROM (SELECT {}) p WHERE p.deleted_at IS NULL AND NOT p.removed",
                new_row(&["id", "group_id", "title"])
            ),
            &format!(
                "FROM (SELECT {}) r JOIN posts p ON p.id = r.post_id \
                 WHERE r.deleted_at IS NULL AND NOT r.removed",
                new_row(&["id", "post_id"])
            ),
        );
        let (mut post, mut reply) = (vec![s[0].clone()], vec![s[1].clone()]);
        if let (Some(pt), Some(rt)) = (s.get(2), s.get(3)) {
            post.push(pt.clone());
            reply.push(rt.clone());
        }
        (post.join("; "), reply.join("; "))
    };
    let post_cols = ["title", "body", "body_html", "deleted_at", "removed"];
    let reply_cols = ["body", "body_html", "deleted_at", "removed"];
    let mut out = keep_triggers(backend, "posts", 0, &post_cols, &post_ins);
    out.extend(keep_triggers(
        backend,
        "replies",
        1,
        &reply_cols,
        &reply_ins,
    ));
    out
}

/// The triggers on `table` that keep its documents of `kind` (`doc = id * 4 + kind`): after
/// an insert, `ins` (the statements that index the new row, `;`-separated); after an update
/// that changed one of `cols`, the old document forgotten and `ins`; after a delete, the old
/// document forgotten. SQLite's fire only while `search_settings.upkeep` is on.
pub(crate) fn keep_triggers(
    backend: DatabaseBackend,
    table: &str,
    kind: i64,
    cols: &[&str],
    ins: &str,
) -> Vec<String> {
    let of = cols.join(", ");
    let when = cols
        .iter()
        .map(|c| match backend {
            DatabaseBackend::Postgres => format!("OLD.{c} IS DISTINCT FROM NEW.{c}"),
            _ => format!("OLD.{c} IS NOT NEW.{c}"),
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    match backend {
        DatabaseBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION search_{table}_keep() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN IF TG_OP <> 'INSERT' THEN \
                 DELETE FROM search_documents WHERE doc = OLD.id * 4 + {kind}; END IF; \
                 IF TG_OP <> 'DELETE' THEN {ins}; END IF; RETURN NULL; END $$"
            ),
            format!(
                "CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} FOR EACH ROW \
                 EXECUTE FUNCTION search_{table}_keep()"
            ),
            format!(
                "CREATE TRIGGER search_{table}_update AFTER UPDATE OF {of} ON {table} \
                 FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION search_{table}_keep()"
            ),
            format!(
                "CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} FOR EACH ROW \
                 EXECUTE FUNCTION search_{table}_keep()"
            ),
        ],
        _ => {
            // SQLite's switch for the upkeep (`storage::search::set_upkeep`): a flag, not
            // dropping the triggers, because a pooled connection that compiled a dropped
            // trigger then fails its next write to the table ("no such table").
            let on = "(SELECT upkeep FROM search_settings WHERE id = 1)";
            let forget = format!(
                "DELETE FROM search_documents WHERE doc = OLD.id * 4 + {kind}; \
                 DELETE FROM search_text WHERE rowid = OLD.id * 4 + {kind};"
            );
            vec![
                format!(
                    "CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} \
                     WHEN {on} BEGIN {ins}; END"
                ),
                format!(
                    "CREATE TRIGGER search_{table}_update AFTER UPDATE OF {of} ON {table} \
                     WHEN {on} AND ({when}) BEGIN {forget} {ins}; END"
                ),
                format!(
                    "CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} \
                     WHEN {on} BEGIN {forget} END"
                ),
            ]
        }
    }
}

/// Drops the triggers that keep the index (the index then stands still).
pub fn drop_triggers(backend: DatabaseBackend) -> Vec<String> {
    let mut out = drop_kept(backend, "posts");
    out.extend(drop_kept(backend, "replies"));
    out
}

/// Drops the triggers [`keep_triggers`] made on `table`.
pub(crate) fn drop_kept(backend: DatabaseBackend, table: &str) -> Vec<String> {
    let mut out: Vec<String> = ["insert", "update", "delete"]
        .iter()
        .map(|when| match backend {
            DatabaseBackend::Postgres => {
                format!("DROP TRIGGER IF EXISTS search_{table}_{when} ON {table}")
            }
            _ => format!("DROP TRIGGER IF EXISTS search_{table}_{when}"),
        })
        .collect();
    if backend == DatabaseBackend::Postgres {
        out.push(format!("DROP FUNCTION IF EXISTS search_{table}_keep()"));
    }
    out
}

/// Empties the index, before it is filled again after the language or tokenizer in
/// `search_settings` changed (on SQLite the FTS5 table is made again with `tokenizer`).
pub async fn clear<C: ConnectionTrait>(conn: &C, tokenizer: &str) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    conn.execute_unprepared("DELETE FROM search_documents")
        .await?;
    if backend != DatabaseBackend::Postgres {
        conn.execute_unprepared("DROP TABLE IF EXISTS search_text")
            .await?;
        conn.execute_unprepared(&fts_table(tokenizer)).await?;
    }
    Ok(())
}
