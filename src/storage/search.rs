//! Full-text search: the ranked query over the index of posts, replies and the knowledge
//! base's pages, their snippets, and the index's language. The index itself
//! (`search_documents`, PostgreSQL's `tsvector` column, SQLite's FTS5 table `search_text`) is
//! kept by database triggers, described in migrations `m20261206_000037_create_search_index`
//! and `m20261206_000040_index_pages`.
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
//! ranking), looked for in a slice of time first (see [`find`]); SQLite ranks them all.

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
    /// A page of a group's knowledge base: title and body.
    Page = 2,
}

impl DocKind {
    fn from_i16(v: i16) -> Option<Self> {
        match v {
            0 => Some(Self::Post),
            1 => Some(Self::Reply),
            2 => Some(Self::Page),
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
    /// Pages of the knowledge base.
    Page,
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
    /// Never in these groups (the members-only groups the viewer may not read).
    pub closed_groups: Vec<i64>,
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
    /// Post, reply or page.
    pub kind: DocKind,
    /// The post's, reply's or page's id.
    pub object_id: i64,
    /// The thread's post (0 for a page).
    pub post_id: i64,
    /// The score it was ranked by.
    pub score: f64,
}

/// A hit's text with its matches between [`MARK_START`] and [`MARK_END`], unescaped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snippet {
    /// The whole title (posts and pages; empty for replies).
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
/// lowercase; `t` is the thread's post, `r` the reply, `page` the page.
const EXACT_TEXT: &str = "lower(CASE WHEN d.kind = 0 THEN t.title || ' ' || t.body || ' ' || \
     t.body_html WHEN d.kind = 2 THEN page.title || ' ' || page.body || ' ' || page.body_html \
     ELSE r.body || ' ' || r.body_html END)";

/// On PostgreSQL, the window is taken from a time slice expected to hold this many times
/// [`WINDOW`] matches (see `find`).
const SLICE_MARGIN: f64 = 2.0;

/// The best hits after `after`, best first, at most `limit`, scored as of `as_of` (seconds).
///
/// On PostgreSQL, when no filter narrows the documents, the window of the newest [`WINDOW`]
/// matches is looked for in a slice of time first: `search_estimate` gives the planner's
/// estimate of the matches, and the slice is the newest part of the indexed time that should
/// hold [`SLICE_MARGIN`] windows of them (assuming matches spread evenly over time). The GIN
/// index's matches are then ANDed with the BRIN index's block ranges of the slice, so only
/// the slice's matches are read, not every match of a middling word (thousands of rows,
/// each a page read). A slice that holds fewer than a window (matches bunched in older
/// times) is given up and the whole index searched, as for a rare word. A filter that
/// applies only after ranking (the thread's kind, the author's instance, a code word) is
/// applied to the window too; only when it leaves the page short of a full window's
/// matches are all matches ranked, so such a filter never comes back empty or short
/// because of the window. The statements are
/// planned with their values (`plan_cache_mode = force_custom_plan`): a prepared
/// statement's generic plan cannot tell a rare word from a common one.
pub async fn find<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    language: &str,
    terms: &Terms,
    filters: &Filters,
    as_of: i64,
    after: Option<After>,
    limit: u64,
) -> Result<Vec<Hit>, DbErr> {
    let query = Ranked {
        language,
        terms,
        filters,
        as_of,
        after,
        limit,
    };
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(query.run(conn, Window::Every).await?.0);
    }
    let txn = conn.begin().await?;
    txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
        .await?;
    let mut tries = Vec::with_capacity(3);
    if query.doc_filters().0.is_empty()
        && let Some(floor) = slice_floor(&txn, language, terms, as_of).await?
    {
        tries.push(Window::Since(floor));
    }
    tries.push(Window::Newest);
    let later = query.filters_after_ranking();
    if later {
        tries.push(Window::Every);
    }
    let mut hits = Vec::new();
    let mut i = 0;
    while let Some(&window) = tries.get(i) {
        let (found, held) = query.run(&txn, window).await?;
        hits = found;
        let full = held >= WINDOW;
        let done = match window {
            Window::Every => true,
            // A slice that held fewer than a window: the whole time instead.
            Window::Since(_) if !full => false,
            // The filters applied after ranking left a short page of a full window (or
            // nothing, which tells nothing of the window): every match instead.
            _ if later && (hits.len() as u64) < limit && (full || hits.is_empty()) => {
                i = tries.len() - 2;
                false
            }
            _ => true,
        };
        if done {
            break;
        }
        i += 1;
    }
    txn.commit().await?;
    Ok(hits)
}

/// Which matches a ranked query ranks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Window {
    /// The newest [`WINDOW`] written at or after this time (seconds).
    Since(i64),
    /// The newest [`WINDOW`].
    Newest,
    /// All of them.
    Every,
}

/// The oldest `created` of a slice that should hold [`SLICE_MARGIN`] windows of matches, or
/// none when the whole index should (a rarer query).
async fn slice_floor<C: ConnectionTrait>(
    conn: &C,
    language: &str,
    terms: &Terms,
    as_of: i64,
) -> Result<Option<i64>, DbErr> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(stmt(
            backend,
            "SELECT search_estimate(websearch_to_tsquery(CAST(? AS regconfig), ?)) AS matches, \
             (SELECT MIN(created) FROM search_documents) AS oldest",
            vec![language.into(), match_text(backend, terms).into()],
        ))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let matches: Option<f64> = row.try_get("", "matches")?;
    let oldest: Option<i64> = row.try_get("", "oldest")?;
    let (Some(matches), Some(oldest)) = (matches, oldest) else {
        return Ok(None);
    };
    let share = SLICE_MARGIN * WINDOW as f64 / matches;
    if !share.is_finite() || share >= 1.0 || oldest >= as_of {
        return Ok(None);
    }
    Ok(Some(
        as_of - ((as_of - oldest) as f64 * share).ceil() as i64,
    ))
}

/// One ranked query (see [`find`]).
struct Ranked<'a> {
    language: &'a str,
    terms: &'a Terms,
    filters: &'a Filters,
    as_of: i64,
    after: Option<After>,
    limit: u64,
}

impl Ranked<'_> {
    /// Whether a filter applies only after ranking (the thread's kind, the author's instance,
    /// a code word): it can leave a window's page short though older matches would fill it.
    fn filters_after_ranking(&self) -> bool {
        self.filters.domain.is_some()
            || !self.terms.exact.is_empty()
            || !matches!(
                self.filters.kind,
                None | Some(KindFilter::Post | KindFilter::Reply | KindFilter::Page)
            )
    }

    /// The filters on the document itself (which can narrow the PostgreSQL window), as SQL
    /// conditions each starting with ` AND `, and their values.
    fn doc_filters(&self) -> (String, Vec<Value>) {
        let filters = self.filters;
        let mut sql = String::new();
        let mut values: Vec<Value> = Vec::new();
        let mut cond = |c: &str, value: Option<Value>| {
            sql.push_str(" AND ");
            sql.push_str(c);
            values.extend(value);
        };
        if let Some(g) = filters.group_id {
            cond("d.group_id = ?", Some(g.into()));
        }
        if let Some(a) = filters.author_id {
            cond("d.author_id = ?", Some(a.into()));
        }
        for &g in &filters.closed_groups {
            cond("d.group_id <> ?", Some(g.into()));
        }
        if let Some(from) = filters.from {
            cond("d.created >= ?", Some(from.into()));
        }
        if let Some(until) = filters.until {
            cond("d.created < ?", Some(until.into()));
        }
        match filters.kind {
            Some(KindFilter::Post) => cond("d.kind = 0", None),
            Some(KindFilter::Reply) => cond("d.kind = 1", None),
            Some(KindFilter::Page) => cond("d.kind = 2", None),
            _ => {}
        }
        (sql, values)
    }

    /// The hits, and on PostgreSQL how many matches the window held (0 elsewhere, or when
    /// no hit is left after the filters).
    async fn run<C: ConnectionTrait>(
        &self,
        conn: &C,
        window: Window,
    ) -> Result<(Vec<Hit>, u64), DbErr> {
        let (terms, filters, as_of) = (self.terms, self.filters, self.as_of);
        let backend = conn.get_database_backend();
        let pg = backend == DbBackend::Postgres;
        let (mut doc_where, mut doc_values) = self.doc_filters();
        if let Window::Since(floor) = window {
            doc_where.push_str(" AND d.created >= ?");
            doc_values.push(floor.into());
        }
        let windowed = pg && window != Window::Every;
        // In the order the placeholders appear: the score's `as_of`, then the source's.
        let mut values: Vec<Value> = vec![as_of.into()];
        // The matches with their relevance and the document's columns, as `d(doc, kind,
        // object_id, post_id, group_id, author_id, created, rel, in_window)`. On PostgreSQL they
        // come from the one read of `search_documents` that matched them (a second join to
        // it could make the planner scan the whole table and its vectors).
        const COLUMNS: &str =
            "d.doc, d.kind, d.object_id, d.post_id, d.group_id, d.author_id, d.created";
        let source = if windowed {
            values.extend([
                self.language.into(),
                match_text(backend, terms).into(),
                as_of.into(),
            ]);
            values.append(&mut doc_values);
            format!(
                "(SELECT {COLUMNS}, CAST(ts_rank_cd(d.vector, d.q, 1) AS DOUBLE PRECISION) AS rel, \
                 COUNT(*) OVER () AS in_window \
                 FROM (SELECT {COLUMNS}, d.vector, q.q FROM search_documents d, \
                 websearch_to_tsquery(CAST(? AS regconfig), ?) AS q(q) \
                 WHERE d.vector @@ q.q AND d.created <= ?{doc_where} \
                 ORDER BY d.created DESC, d.doc DESC LIMIT {WINDOW}) d) d"
            )
        } else if pg {
            values.extend([self.language.into(), match_text(backend, terms).into()]);
            format!(
                "(SELECT {COLUMNS}, CAST(ts_rank_cd(d.vector, q.q, 1) AS DOUBLE PRECISION) AS rel, \
                 CAST(0 AS BIGINT) AS in_window \
                 FROM search_documents d, websearch_to_tsquery(CAST(? AS regconfig), ?) AS q(q) \
                 WHERE d.vector @@ q.q) d"
            )
        } else {
            values.push(match_text(backend, terms).into());
            format!(
                "(SELECT {COLUMNS}, m.rel, CAST(0 AS BIGINT) AS in_window FROM (SELECT rowid AS doc, \
                 -bm25(search_text, 4.0, 1.0) AS rel FROM search_text \
                 WHERE search_text MATCH ?) m JOIN search_documents d ON d.doc = m.doc) d"
            )
        };
        let age = if pg {
            "GREATEST(? - d.created, 0)"
        } else {
            "max(? - d.created, 0)"
        };
        let mut sql = format!(
            "SELECT doc, kind, object_id, post_id, score, in_window FROM (SELECT d.doc, d.kind, \
             d.object_id, d.post_id, d.in_window, d.rel * (1.0 + 1.0 / (1.0 + \
             CAST({age} AS DOUBLE PRECISION) / 2592000.0)) \
             * CAST(CASE WHEN d.kind = 1 AND t.answer_id = d.object_id THEN 1.5 \
             WHEN d.kind = 0 AND t.answer_id IS NOT NULL THEN 1.25 ELSE 1.0 END \
             AS DOUBLE PRECISION) AS score \
             FROM {source} LEFT JOIN posts t ON t.id = d.post_id"
        );
        if filters.domain.is_some() {
            sql.push_str(" JOIN persons a ON a.id = d.author_id");
        }
        if !terms.exact.is_empty() {
            sql.push_str(
                " LEFT JOIN replies r ON d.kind = 1 AND r.id = d.object_id \
                 LEFT JOIN pages page ON d.kind = 2 AND page.id = d.object_id",
            );
        }
        // A page has no thread (`post_id` 0): only a post's or reply's thread must be live.
        sql.push_str(" WHERE (d.kind = 2 OR t.deleted_at IS NULL AND NOT t.removed)");
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
                KindFilter::Post | KindFilter::Reply | KindFilter::Page => "1 = 1",
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
        if let Some(a) = self.after {
            sql.push_str(" WHERE score < ? OR (score = ? AND doc < ?)");
            values.extend([a.score.into(), a.score.into(), a.doc.into()]);
        }
        sql.push_str(" ORDER BY score DESC, doc DESC LIMIT ?");
        values.push(i64::try_from(self.limit).unwrap_or(i64::MAX).into());
        let rows = conn.query_all_raw(stmt(backend, &sql, values)).await?;
        let mut hits = Vec::with_capacity(rows.len());
        let mut window = 0u64;
        for row in rows {
            window = u64::try_from(row.try_get::<i64>("", "in_window")?).unwrap_or(0);
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
        Ok((hits, window))
    }
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
                     ts_headline(c.c, CASE WHEN d.kind = 0 THEN t.title \
                     WHEN d.kind = 2 THEN page.title ELSE '' END, q.q, ?) AS title, \
                     ts_headline(c.c, CASE WHEN d.kind = 0 THEN \
                     (CASE WHEN t.body <> '' THEN t.body ELSE t.body_html END) \
                     WHEN d.kind = 2 THEN \
                     (CASE WHEN page.body <> '' THEN page.body ELSE page.body_html END) \
                     ELSE (CASE WHEN r.body <> '' THEN r.body ELSE r.body_html END) END, q.q, ?) \
                     AS body \
                     FROM search_documents d CROSS JOIN (SELECT CAST(? AS regconfig) AS c) c \
                     CROSS JOIN LATERAL websearch_to_tsquery(c.c, ?) AS q(q) \
                     LEFT JOIN posts t ON t.id = d.post_id \
                     LEFT JOIN replies r ON d.kind = 1 AND r.id = d.object_id \
                     LEFT JOIN pages page ON d.kind = 2 AND page.id = d.object_id \
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

/// Turns the index's upkeep on or off (`cohort bench search` compares writes with and
/// without it). Off, the index stands still until it is turned on and rebuilt. On SQLite the
/// triggers read a flag (`search_settings.upkeep`); on PostgreSQL they are dropped and made
/// again.
pub async fn set_upkeep<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    on: bool,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    if backend != DbBackend::Postgres {
        conn.execute_raw(stmt(
            backend,
            "UPDATE search_settings SET upkeep = ? WHERE id = 1",
            vec![on.into()],
        ))
        .await?;
        return Ok(());
    }
    let txn = conn.begin().await?;
    let mut statements = search_index::drop_triggers(backend);
    if on {
        statements.extend(search_index::create_triggers(backend));
    }
    for sql in statements {
        txn.execute_unprepared(&sql).await?;
    }
    txn.commit().await
}

/// How many documents the index holds (every kind).
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
