//! Full-text search: the ranked query over the index of posts and replies, their snippets,
//! and the index's language. The index itself (`search_documents`, PostgreSQL's `tsvector`
//! column, SQLite's FTS5 table `search_text`) is kept by database triggers, described in
//! migration `m20261206_000037_create_search_index`.
//!
//! A hit's score is `relevance × recency × answer`, computed in SQL so that it orders the
//! rows and makes the keyset of the next page:
//! - relevance: SQLite `-bm25()` (title weighted 4, body 1); PostgreSQL `ts_rank_cd()` (title
//!   weight A = 1.0, body B = 0.4, divided by 1 + log of the length);
//! - recency: `1 + 1 / (1 + age / 30 days)`, age counted from `as_of` (the first page's time,
//!   carried in the cursor, so every page of one search ranks alike): new text counts up to
//!   twice, a year-old text about 1.08 times;
//! - answer: 1.5 for a reply accepted as its question's answer, 1.25 for an answered
//!   question.
//!
//! PostgreSQL ranks the newest [`WINDOW`] matches only (unless a filter applies after
//! ranking); SQLite ranks them all.

use std::collections::HashMap;

use migration::search_index;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, TransactionSession, TransactionTrait, Value};

use super::queue::stmt;

/// The characters that open and close a highlighted match in a snippet (Unicode private
/// use: they never mean anything in text; the caller escapes the rest and turns these into
/// markup).
pub const MARK_START: char = '\u{E000}';
/// See [`MARK_START`].
pub const MARK_END: char = '\u{E001}';

/// What a document is; the number is part of its key (`doc = id * 4 + kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// A post: title and body.
    Post = 0,
    /// A reply: body.
    Reply = 1,
}

impl DocKind {
    fn from_i16(v: i16) -> Option<Self> {
        match v {
            0 => Some(Self::Post),
            1 => Some(Self::Reply),
            _ => None,
        }
    }
}

/// Which documents a search keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindFilter {
    /// Posts of any kind.
    Post,
    /// Questions, answered or not.
    Question,
    /// Questions with an accepted answer.
    Answered,
    /// Questions without one.
    Unanswered,
    /// Posts that are not questions.
    Discussion,
    /// Replies.
    Reply,
}

/// The filters of a search (all optional; together they all apply).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only in this group.
    pub group_id: Option<i64>,
    /// Only by this person.
    pub author_id: Option<i64>,
    /// Only by people of this instance (`persons.domain`).
    pub domain: Option<String>,
    /// Only this kind.
    pub kind: Option<KindFilter>,
    /// Written at or after (seconds since the epoch).
    pub from: Option<i64>,
    /// Written before (seconds since the epoch).
    pub until: Option<i64>,
}

/// What to look for: phrases that must all match (or any, see `any`) (each a word or several in a row, as the
/// language's tokenizer splits them), and code words whose exact text (lowercase) must
/// appear too.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    /// Each must match, as a phrase.
    pub phrases: Vec<String>,
    /// Each must appear literally (case-insensitively, ASCII) in the title or body.
    pub exact: Vec<String>,
    /// Any one phrase matching is enough (the more the better), instead of all.
    pub any: bool,
}

/// Where the previous page ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct After {
    /// The last hit's score.
    pub score: f64,
    /// The last hit's document key.
    pub doc: i64,
}

/// One ranked hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The document key (`id * 4 + kind`).
    pub doc: i64,
    /// Post or reply.
    pub kind: DocKind,
    /// The post's or reply's id.
    pub object_id: i64,
    /// The thread's post.
    pub post_id: i64,
    /// The score it was ranked by.
    pub score: f64,
}

/// A hit's text with its matches between [`MARK_START`] and [`MARK_END`], unescaped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snippet {
    /// The whole title (posts; empty for replies).
    pub title: String,
    /// A few words of the body around the matches.
    pub body: String,
}

/// The full-text query as the backend reads it: FTS5's syntax (each phrase quoted) or the
/// text `websearch_to_tsquery` reads (each phrase quoted).
fn match_text(backend: DbBackend, terms: &Terms) -> String {
    terms
        .phrases
        .iter()
        .map(|p| match backend {
            DbBackend::Postgres => format!("\"{}\"", p.replace('"', " ")),
            _ => format!("\"{}\"", p.replace('"', "\"\"")),
        })
        .collect::<Vec<_>>()
        .join(match (terms.any, backend) {
            (false, _) => " ",
            (true, DbBackend::Postgres) => " or ",
            (true, _) => " OR ",
        })
}

/// On PostgreSQL, how many of the newest matches are ranked (see `find`): `ts_rank_cd` reads
/// every candidate's `tsvector` (about 3 µs each here), so a common word over a million
/// documents (200,000 matches) would cost most of a second; the recency boost favours the
/// newest anyway. Measured by `cohort bench search`.
pub const WINDOW: u64 = 1000;

/// The text a code word is looked for in: the hit's title and body (markdown and HTML), in
/// lowercase; `t` is the thread's post, `r` the reply.
const EXACT_TEXT: &str = "lower(CASE WHEN d.kind = 0 THEN t.title || ' ' || t.body || ' ' || \
     t.body_html ELSE r.body || ' ' || r.body_html END)";

/// The best hits after `after`, best first, at most `limit`, scored as of `as_of` (seconds).
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    language: &str,
    terms: &Terms,
    filters: &Filters,
    as_of: i64,
    after: Option<After>,
    limit: u64,
) -> Result<Vec<Hit>, DbErr> {
    let backend = conn.get_database_backend();
    let pg = backend == DbBackend::Postgres;
    // The filters on the document itself, which can narrow the PostgreSQL window.
    let mut doc_where = String::new();
    let mut doc_values: Vec<Value> = Vec::new();
    let mut doc_cond = |cond: &str, value: Option<Value>| {
        doc_where.push_str(" AND ");
        doc_where.push_str(cond);
        doc_values.extend(value);
    };
    if let Some(g) = filters.group_id {
        doc_cond("d.group_id = ?", Some(g.into()));
    }
    if let Some(a) = filters.author_id {
        doc_cond("d.author_id = ?", Some(a.into()));
    }
    if let Some(from) = filters.from {
        doc_cond("d.created >= ?", Some(from.into()));
    }
    if let Some(until) = filters.until {
        doc_cond("d.created < ?", Some(until.into()));
    }
    match filters.kind {
        Some(KindFilter::Post) => doc_cond("d.kind = 0", None),
        Some(KindFilter::Reply) => doc_cond("d.kind = 1", None),
        _ => {}
    }
    // PostgreSQL ranks the newest WINDOW matches only, unless a filter it cannot apply
    // before ranking (the thread's kind, the author's instance, a code word) could leave
    // the window without the hits that filter wants.
    let windowed = pg
        && filters.domain.is_none()
        && terms.exact.is_empty()
        && matches!(
            filters.kind,
            None | Some(KindFilter::Post) | Some(KindFilter::Reply)
        );
    // In the order the placeholders appear: the score's `as_of`, then the source's.
    let mut values: Vec<Value> = vec![as_of.into()];
    // The matches with their relevance and the document's columns, as `d(doc, kind,
    // object_id, post_id, group_id, author_id, created, rel)`. On PostgreSQL they come from
    // the one read of `search_documents` that matched them (a second join to it could make
    // the planner scan the whole table and its vectors).
    const COLUMNS: &str =
        "d.doc, d.kind, d.object_id, d.post_id, d.group_id, d.author_id, d.created";
    let source = if windowed {
        values.extend([
            language.into(),
            match_text(backend, terms).into(),
            as_of.into(),
        ]);
        values.append(&mut doc_values);
        format!(
            "(SELECT {COLUMNS}, CAST(ts_rank_cd(d.vector, d.q, 1) AS DOUBLE PRECISION) AS rel \
             FROM (SELECT {COLUMNS}, d.vector, q.q FROM search_documents d, \
             websearch_to_tsquery(CAST(? AS regconfig), ?) AS q(q) \
             WHERE d.vector @@ q.q AND d.created <= ?{doc_where} \
             ORDER BY d.created DESC, d.doc DESC LIMIT {WINDOW}) d) d"
        )
    } else if pg {
        values.extend([language.into(), match_text(backend, terms).into()]);
        format!(
            "(SELECT {COLUMNS}, CAST(ts_rank_cd(d.vector, q.q, 1) AS DOUBLE PRECISION) AS rel \
             FROM search_documents d, websearch_to_tsquery(CAST(? AS regconfig), ?) AS q(q) \
             WHERE d.vector @@ q.q) d"
        )
    } else {
        values.push(match_text(backend, terms).into());
        format!(
            "(SELECT {COLUMNS}, m.rel FROM (SELECT rowid AS doc, -bm25(search_text, 4.0, 1.0) \
             AS rel FROM search_text WHERE search_text MATCH ?) m \
             JOIN search_documents d ON d.doc = m.doc) d"
        )
    };
    let age = if pg {
        "GREATEST(? - d.created, 0)"
    } else {
        "max(? - d.created, 0)"
    };
    let mut sql = format!(
        "SELECT doc, kind, object_id, post_id, score FROM (SELECT d.doc, d.kind, d.object_id, \
         d.post_id, d.rel * (1.0 + 1.0 / (1.0 + CAST({age} AS DOUBLE PRECISION) / 2592000.0)) \
         * CAST(CASE WHEN d.kind = 1 AND t.answer_id = d.object_id THEN 1.5 \
         WHEN d.kind = 0 AND t.answer_id IS NOT NULL THEN 1.25 ELSE 1.0 END \
         AS DOUBLE PRECISION) AS score \
         FROM {source} JOIN posts t ON t.id = d.post_id"
    );
    if filters.domain.is_some() {
        sql.push_str(" JOIN persons a ON a.id = d.author_id");
    }
    if !terms.exact.is_empty() {
        sql.push_str(" LEFT JOIN replies r ON d.kind = 1 AND r.id = d.object_id");
    }
    sql.push_str(" WHERE t.deleted_at IS NULL AND NOT t.removed");
    if !windowed {
        sql.push_str(&doc_where);
        values.append(&mut doc_values);
    }
    let mut and = |cond: &str, value: Option<Value>| {
        sql.push_str(" AND ");
        sql.push_str(cond);
        values.extend(value);
    };
    if let Some(domain) = &filters.domain {
        and("a.domain = ?", Some(domain.clone().into()));
    }
    if let Some(kind) = filters.kind {
        let cond = match kind {
            KindFilter::Question => "d.kind = 0 AND t.question",
            KindFilter::Answered => "d.kind = 0 AND t.question AND t.answer_id IS NOT NULL",
            KindFilter::Unanswered => "d.kind = 0 AND t.question AND t.answer_id IS NULL",
            KindFilter::Discussion => "d.kind = 0 AND NOT t.question",
            // Applied with the document's own filters above.
            KindFilter::Post | KindFilter::Reply => "1 = 1",
        };
        and(cond, None);
    }
    for word in &terms.exact {
        let find = if pg { "strpos" } else { "instr" };
        and(
            &format!("{find}({EXACT_TEXT}, ?) > 0"),
            Some(word.to_lowercase().into()),
        );
    }
    sql.push_str(") s");
    if let Some(a) = after {
        sql.push_str(" WHERE score < ? OR (score = ? AND doc < ?)");
        values.extend([a.score.into(), a.score.into(), a.doc.into()]);
    }
    sql.push_str(" ORDER BY score DESC, doc DESC LIMIT ?");
    values.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
    let rows = conn.query_all_raw(stmt(backend, &sql, values)).await?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: i16 = row.try_get("", "kind")?;
        let Some(kind) = DocKind::from_i16(kind) else {
            continue;
        };
        hits.push(Hit {
            doc: row.try_get("", "doc")?,
            kind,
            object_id: row.try_get("", "object_id")?,
            post_id: row.try_get("", "post_id")?,
            score: row.try_get("", "score")?,
        });
    }
    Ok(hits)
}

/// The highlighted title and body snippet of each of `docs` that `terms` match.
pub async fn snippets<C: ConnectionTrait>(
    conn: &C,
    language: &str,
    terms: &Terms,
    docs: &[i64],
) -> Result<HashMap<i64, Snippet>, DbErr> {
    if docs.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = conn.get_database_backend();
    let list = vec!["?"; docs.len()].join(", ");
    let (sql, mut values): (String, Vec<Value>) = match backend {
        DbBackend::Postgres => {
            let marks = format!("StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\"");
            (
                format!(
                    "SELECT d.doc, \
                     ts_headline(c.c, CASE WHEN d.kind = 0 THEN t.title ELSE '' END, q.q, ?) AS title, \
                     ts_headline(c.c, CASE WHEN d.kind = 0 THEN \
                     (CASE WHEN t.body <> '' THEN t.body ELSE t.body_html END) \
                     ELSE (CASE WHEN r.body <> '' THEN r.body ELSE r.body_html END) END, q.q, ?) \
                     AS body \
                     FROM search_documents d CROSS JOIN (SELECT CAST(? AS regconfig) AS c) c \
                     CROSS JOIN LATERAL websearch_to_tsquery(c.c, ?) AS q(q) \
                     JOIN posts t ON t.id = d.post_id \
                     LEFT JOIN replies r ON d.kind = 1 AND r.id = d.object_id \
                     WHERE d.doc IN ({list})"
                ),
                vec![
                    format!("HighlightAll=true, {marks}").into(),
                    format!(
                        "MaxWords=28, MinWords=12, ShortWord=2, MaxFragments=2, \
                         FragmentDelimiter=\" … \", {marks}"
                    )
                    .into(),
                    language.into(),
                    match_text(backend, terms).into(),
                ],
            )
        }
        _ => (
            format!(
                "SELECT rowid AS doc, highlight(search_text, 0, ?, ?) AS title, \
                 snippet(search_text, 1, ?, ?, '…', 40) AS body FROM search_text \
                 WHERE search_text MATCH ? AND rowid IN ({list})"
            ),
            vec![
                MARK_START.to_string().into(),
                MARK_END.to_string().into(),
                MARK_START.to_string().into(),
                MARK_END.to_string().into(),
                match_text(backend, terms).into(),
            ],
        ),
    };
    values.extend(docs.iter().map(|d| Value::from(*d)));
    let rows = conn.query_all_raw(stmt(backend, &sql, values)).await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        out.insert(
            row.try_get::<i64>("", "doc")?,
            Snippet {
                title: row
                    .try_get::<Option<String>>("", "title")?
                    .unwrap_or_default(),
                body: row
                    .try_get::<Option<String>>("", "body")?
                    .unwrap_or_default(),
            },
        );
    }
    Ok(out)
}

/// Makes the index use `language` (PostgreSQL's text search configuration) and `tokenizer`
/// (SQLite's FTS5 tokenizer) and, when either differs from what it was built with, rebuilds
/// it in one transaction. Returns whether it rebuilt. An unknown language or tokenizer is
/// an error (the database's own).
pub async fn configure<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    language: &str,
    tokenizer: &str,
) -> Result<bool, DbErr> {
    let backend = conn.get_database_backend();
    let txn = conn.begin().await?;
    if backend == DbBackend::Postgres {
        // Several processes may start at once: one rebuilds, the others then see it done.
        txn.execute_unprepared("LOCK TABLE search_settings IN EXCLUSIVE MODE")
            .await?;
    }
    let row = txn
        .query_one_raw(stmt(
            backend,
            "SELECT language, tokenizer FROM search_settings WHERE id = 1",
            vec![],
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("search_settings has no row".into()))?;
    let (was_language, was_tokenizer): (String, String) =
        (row.try_get("", "language")?, row.try_get("", "tokenizer")?);
    let changed = match backend {
        DbBackend::Postgres => was_language != language,
        _ => was_tokenizer != tokenizer,
    };
    if !changed {
        return Ok(false);
    }
    txn.execute_raw(stmt(
        backend,
        "UPDATE search_settings SET language = ?, tokenizer = ? WHERE id = 1",
        vec![language.into(), tokenizer.into()],
    ))
    .await?;
    search_index::rebuild(&txn, tokenizer).await?;
    txn.commit().await?;
    Ok(true)
}

/// Turns the index's upkeep on or off (the triggers; `cohort bench search` compares writes
/// with and without it). Off, the index stands still until it is turned on and rebuilt.
pub async fn set_upkeep<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    on: bool,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    // One transaction, so one connection whose view of the schema is current; on SQLite it
    // takes the write lock with its first statement, so it never has to upgrade a read
    // (which SQLite refuses, "database is locked", while the server's workers write).
    let txn = conn.begin().await?;
    txn.execute_unprepared("UPDATE search_settings SET id = id WHERE id = 1")
        .await?;
    let mut statements = match backend {
        DbBackend::Postgres => search_index::drop_triggers(backend),
        // The triggers there are, each dropped by name: a `DROP TRIGGER IF EXISTS` run
        // again on a connection can be a no-op compiled before the trigger existed.
        _ => txn
            .query_all_raw(stmt(
                backend,
                "SELECT name FROM sqlite_master WHERE type = 'trigger' \
                 AND name LIKE 'search_%'",
                vec![],
            ))
            .await?
            .iter()
            .map(|row| {
                row.try_get::<String>("", "name")
                    .map(|n| format!("DROP TRIGGER {n}"))
            })
            .collect::<Result<_, _>>()?,
    };
    if on {
        statements.extend(search_index::create_triggers(backend));
    }
    for sql in statements {
        txn.execute_unprepared(&sql).await?;
    }
    txn.commit().await
}

/// How many documents the index holds.
pub async fn count<C: ConnectionTrait>(conn: &C) -> Result<i64, DbErr> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(stmt(
            backend,
            "SELECT COUNT(*) AS n FROM search_documents",
            vec![],
        ))
        .await?;
    Ok(row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0))
}
