//! Full-text search over what this instance knows: posts (title and body), replies and the
//! knowledge base's pages (title and body), local and federated, ranked by relevance with
//! recency and accepted answers as a boost (the formula is in `storage::search`), with
//! highlighted snippets, filters and keyset pages. Also the answered questions and the
//! group's pages a person is offered while writing a question ([`similar`]).
//!
//! What a search can never find: deleted or removed posts and replies, replies in a deleted
//! or removed thread, removed pages (the index holds live content only, kept by triggers;
//! the thread is checked when reading), and, as in every listing, authors from refused
//! instances or whom the viewer blocked (`posts::hidden_authors`; a page's author is the
//! person who wrote it first). Every group is public, so there is no group a viewer may not
//! search.
//!
//! How text is read: the query is cut into words and `"quoted phrases"`; every one must
//! match (stemmed as the configured language says, so "spawning" finds "spawn"). A word with
//! punctuation inside — a code word or a name such as `tokio::spawn`, `ERR_SSL_PROTOCOL`,
//! `@ann@example.org`, `c++` — is matched as a phrase of the tokens the tokenizer cuts it
//! into *and* must appear literally (case-insensitively) in the title or body, so it is
//! found exactly.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    Ctx,
    accounts::CurrentUser,
    names::Handle,
    pages,
    pagination::{self, Cursor, CursorKey, Page},
    posts::hidden_authors,
    text,
    views::{GroupRef, PersonRef},
};
use crate::{
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, pages as page_rows, persons, posts, replies},
        search::{After, DocKind, Filters, Hit, KindFilter, MARK_END, MARK_START, Snippet, Terms},
    },
};

/// Longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words and phrases in one search.
pub const MAX_TERMS: usize = 12;
/// Similar questions (and pages) offered while writing one.
pub const SIMILAR: u64 = 5;

/// A search, as the API's query string and the web form ask it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchRequest {
    /// Words (all must match) and `"quoted phrases"`
    #[serde(default)]
    pub q: String,
    /// Only in this group: `name` (here) or `name@host`
    #[serde(default)]
    pub group: Option<String>,
    /// Only this kind: post | question | answered | unanswered | discussion | reply | page
    #[serde(default)]
    #[param(value_type = Option<SearchKind>, inline)]
    pub kind: Option<String>,
    /// Only by people of this instance (its domain, such as `example.org`)
    #[serde(default)]
    pub instance: Option<String>,
    /// Only by this person (a page: who wrote it first): `name` (here) or `name@host`
    #[serde(default)]
    pub author: Option<String>,
    /// Written on or after this day (`YYYY-MM-DD`, UTC; a page: last saved)
    #[serde(default)]
    pub from: Option<String>,
    /// Written on or before this day (`YYYY-MM-DD`, UTC; a page: last saved)
    #[serde(default)]
    pub until: Option<String>,
    /// `next_cursor` of the previous page
    #[serde(default)]
    pub cursor: Option<String>,
    /// Items per page, 1–100 (default 20)
    #[serde(default)]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// The kinds a search can be narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
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
    /// Pages of the groups' knowledge bases.
    Page,
}

impl SearchKind {
    /// Parses the `kind` parameter (absent or empty: every kind).
    pub fn parse(raw: Option<&str>) -> Result<Option<Self>> {
        Ok(Some(match raw.map(str::trim) {
            None | Some("") => return Ok(None),
            Some("post") => Self::Post,
            Some("question") => Self::Question,
            Some("answered") => Self::Answered,
            Some("unanswered") => Self::Unanswered,
            Some("discussion") => Self::Discussion,
            Some("reply") => Self::Reply,
            Some("page") => Self::Page,
            Some(_) => {
                return Err(Error::invalid(
                    "kind",
                    "must be one of post, question, answered, unanswered, discussion, reply, page",
                ));
            }
        }))
    }

    fn filter(self) -> KindFilter {
        match self {
            Self::Post => KindFilter::Post,
            Self::Question => KindFilter::Question,
            Self::Answered => KindFilter::Answered,
            Self::Unanswered => KindFilter::Unanswered,
            Self::Discussion => KindFilter::Discussion,
            Self::Reply => KindFilter::Reply,
            Self::Page => KindFilter::Page,
        }
    }
}

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HitKind {
    /// A post (its title and body matched).
    Post,
    /// A reply (its body matched).
    Reply,
    /// A page of a group's knowledge base (its title and body matched).
    Page,
}

/// One search result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    /// Post, reply or page.
    pub kind: HitKind,
    /// The post's, reply's or page's id.
    pub id: i64,
    /// The thread's post (the post itself for a post; none for a page).
    pub post_id: Option<i64>,
    /// This instance's page of it: `/posts/{id}`, `/replies/{id}` or
    /// `/g/{group}/pages/{slug}`.
    pub path: String,
    /// The thread's title (a page's own).
    pub title: String,
    /// The title as HTML, with the matched words in `<mark>` (a post's or page's; a reply's
    /// thread title is only escaped). Escaped: no other markup.
    pub title_html: String,
    /// A few words of the body around the matches, as HTML with the matched words in
    /// `<mark>`. Escaped: no other markup.
    pub snippet_html: String,
    /// The group.
    pub group: GroupRef,
    /// Who wrote it (a page: who wrote it first).
    pub author: PersonRef,
    /// When (a page: when it was last saved).
    pub created_at: DateTime<Utc>,
    /// The thread is a question.
    pub question: bool,
    /// The thread is a question with an accepted answer.
    pub answered: bool,
    /// This reply is its question's accepted answer.
    pub accepted_answer: bool,
    /// The score it was ranked by (higher first; comparable within one search only).
    pub score: f64,
}

/// Words a similar-questions lookup leaves out: they say nothing about the subject.
const QUESTION_WORDS: &[&str] = &[
    "a", "about", "an", "and", "any", "are", "best", "can", "could", "do", "does", "for", "from",
    "get", "how", "i", "in", "into", "is", "it", "my", "of", "on", "or", "should", "the", "to",
    "use", "using", "what", "when", "where", "which", "who", "why", "with", "would", "you",
];

/// Cuts a query into phrases and code words (see the module docs).
pub fn parse_terms(q: &str) -> Result<Terms> {
    let q = q.trim();
    if q.chars().count() > MAX_QUERY_CHARS || q.contains('\0') {
        return Err(Error::invalid(
            "q",
            format!("give at most {MAX_QUERY_CHARS} characters to search for"),
        ));
    }
    let mut terms = Terms::default();
    for (i, part) in q.split('"').enumerate() {
        if i % 2 == 1 {
            // Inside quotes: one phrase.
            let phrase = part.split_whitespace().collect::<Vec<_>>().join(" ");
            if phrase.chars().any(char::is_alphanumeric) {
                terms.phrases.push(phrase);
            }
            continue;
        }
        for word in part.split_whitespace() {
            let word = word.trim_matches(|c: char| ".,;:!?()[]{}'`*".contains(c));
            if !word.chars().any(char::is_alphanumeric) {
                continue;
            }
            if word
                .chars()
                .any(|c| !c.is_alphanumeric() && c != '-' && c != '\'' && c != '’')
            {
                terms.exact.push(word.to_lowercase());
            }
            terms.phrases.push(word.to_string());
        }
    }
    if terms.phrases.is_empty() {
        return Err(Error::invalid("q", "give a word to search for"));
    }
    if terms.phrases.len() > MAX_TERMS {
        return Err(Error::invalid(
            "q",
            format!("give at most {MAX_TERMS} words or phrases"),
        ));
    }
    Ok(terms)
}

/// Seconds since the epoch of the start of day `raw` (`YYYY-MM-DD`), `days` later.
fn day(field: &str, raw: Option<&str>, days: i64) -> Result<Option<i64>> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| Error::invalid(field, "must be a day as YYYY-MM-DD"))?;
    Ok(date
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp() + days * 86_400))
}

/// The filters of a request, looked up (an unknown group or person is 404).
async fn filters(ctx: &Ctx, viewer: Option<&CurrentUser>, req: &SearchRequest) -> Result<Filters> {
    fn some(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    let mut f = Filters {
        kind: SearchKind::parse(req.kind.as_deref())?.map(SearchKind::filter),
        from: day("from", req.from.as_deref(), 0)?,
        until: day("until", req.until.as_deref(), 1)?,
        domain: some(&req.instance).map(|d| d.trim_start_matches('@').to_ascii_lowercase()),
        closed_groups: closed(ctx, viewer).await?,
        ..Filters::default()
    };
    if let Some(g) = some(&req.group) {
        f.group_id = Some(super::groups::find_by_handle(ctx, g).await?.id);
    }
    if let Some(a) = some(&req.author) {
        let h =
            Handle::parse(a).map_err(|_| Error::invalid("author", "must be name or name@host"))?;
        let host = h.host.unwrap_or_else(|| ctx.instance.domain.clone());
        let person = storage::feeds::person_by_handle(&ctx.db, &h.name, &host)
            .await?
            .ok_or(Error::NotFound("person"))?;
        f.author_id = Some(person.id);
    }
    Ok(f)
}

/// The members-only groups whose content `viewer` is never shown in a search.
async fn closed(ctx: &Ctx, viewer: Option<&CurrentUser>) -> Result<Vec<i64>> {
    let sight = super::members::sight(ctx, viewer).await?;
    let mut ids: Vec<i64> = sight.closed().iter().copied().collect();
    ids.sort_unstable();
    Ok(ids)
}

/// Searches posts, replies and pages: one page of hits, best first.
pub async fn search(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    req: &SearchRequest,
) -> Result<Page<SearchHit>> {
    let terms = parse_terms(&req.q)?;
    let limit = pagination::limit(req.limit)?;
    let (as_of, after) = match Cursor::decode_opt(req.cursor.as_deref())? {
        None => (super::now().timestamp(), None),
        Some(Cursor {
            key: CursorKey::Relevance { score, as_of },
            id,
        }) => (as_of, Some(After { score, doc: id })),
        Some(_) => {
            return Err(Error::invalid("cursor", "is not a cursor of this search"));
        }
    };
    let filters = filters(ctx, viewer, req).await?;
    let mut hits = storage::search::find(
        &ctx.db,
        &ctx.instance.search_language,
        &terms,
        &filters,
        as_of,
        after,
        limit + 1,
    )
    .await?;
    let more = hits.len() as u64 > limit;
    hits.truncate(limit as usize);
    let next_cursor = hits.last().filter(|_| more).map(|h| {
        Cursor {
            key: CursorKey::Relevance {
                score: h.score,
                as_of,
            },
            id: h.doc,
        }
        .encode()
    });
    Ok(Page {
        items: views(ctx, viewer, &terms, hits).await?,
        next_cursor,
    })
}

/// Questions with an accepted answer that look like `title`, and with `group_id` that
/// group's pages too (any of its words may match; the best [`SIMILAR`] of them first), for the
/// person writing a new question.
pub async fn similar(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    title: &str,
    group_id: Option<i64>,
) -> Result<Vec<SearchHit>> {
    let Ok(parsed) = parse_terms(title) else {
        return Ok(Vec::new());
    };
    let terms = Terms {
        phrases: parsed
            .phrases
            .into_iter()
            .filter(|w| !QUESTION_WORDS.contains(&w.to_lowercase().as_str()))
            .collect(),
        exact: Vec::new(),
        any: true,
    };
    if terms.phrases.is_empty() {
        return Ok(Vec::new());
    }
    let closed_groups = closed(ctx, viewer).await?;
    let answered = Filters {
        kind: Some(KindFilter::Answered),
        closed_groups: closed_groups.clone(),
        ..Filters::default()
    };
    let pages = group_id.map(|g| Filters {
        kind: Some(KindFilter::Page),
        group_id: Some(g),
        closed_groups,
        ..Filters::default()
    });
    // Scored as of the same time, the two lists rank alike: the best of both.
    let as_of = super::now().timestamp();
    let mut hits = Vec::new();
    for filters in std::iter::once(answered).chain(pages) {
        hits.extend(
            storage::search::find(
                &ctx.db,
                &ctx.instance.search_language,
                &terms,
                &filters,
                as_of,
                None,
                SIMILAR,
            )
            .await?,
        );
    }
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.doc.cmp(&a.doc)));
    hits.truncate(SIMILAR as usize);
    views(ctx, viewer, &terms, hits).await
}

/// What the views of a page of hits are made from, read at once.
struct Found {
    snippets: HashMap<i64, Snippet>,
    posts: HashMap<i64, posts::Model>,
    replies: HashMap<i64, replies::Model>,
    pages: HashMap<i64, page_rows::Model>,
    groups: HashMap<i64, groups::Model>,
    authors: HashMap<i64, persons::Model>,
    hidden: HashSet<i64>,
}

/// The hits as views with their snippets, leaving out hidden authors.
async fn views(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    terms: &Terms,
    hits: Vec<Hit>,
) -> Result<Vec<SearchHit>> {
    let docs: Vec<i64> = hits.iter().map(|h| h.doc).collect();
    let of_kind = |kind: DocKind| hits.iter().filter(move |h| h.kind == kind);
    let snippets =
        storage::search::snippets(&ctx.db, &ctx.instance.search_language, terms, &docs).await?;
    let posts = storage::feeds::posts_by_ids(
        &ctx.db,
        hits.iter()
            .filter(|h| h.kind != DocKind::Page)
            .map(|h| h.post_id),
    )
    .await?;
    let replies =
        storage::feeds::replies_by_ids(&ctx.db, of_kind(DocKind::Reply).map(|h| h.object_id))
            .await?;
    let pages =
        storage::feeds::pages_by_ids(&ctx.db, of_kind(DocKind::Page).map(|h| h.object_id)).await?;
    let groups = storage::feeds::groups_by_ids(
        &ctx.db,
        posts
            .values()
            .map(|p| p.group_id)
            .chain(pages.values().map(|p| p.group_id)),
    )
    .await?;
    let authors = storage::persons::by_ids(
        &ctx.db,
        posts
            .values()
            .map(|p| p.author_id)
            .chain(replies.values().map(|r| r.author_id))
            .chain(pages.values().filter_map(|p| p.creator_id)),
    )
    .await?;
    let hidden: HashSet<i64> = hidden_authors(ctx, viewer, &authors).await?;
    let found = Found {
        snippets,
        posts,
        replies,
        pages,
        groups,
        authors,
        hidden,
    };
    Ok(hits.iter().filter_map(|h| found.view(h)).collect())
}

impl Found {
    /// The view of hit `h`; none when its author is hidden, or it is gone since it was
    /// found.
    fn view(&self, h: &Hit) -> Option<SearchHit> {
        let empty = Snippet::default();
        let snippet = self.snippets.get(&h.doc).unwrap_or(&empty);
        if h.kind == DocKind::Page {
            return self.page(h, snippet);
        }
        let post = self.posts.get(&h.post_id)?;
        let group = self.groups.get(&post.group_id)?;
        let (author_id, created_at, html_only, path, title_html) = match h.kind {
            DocKind::Post | DocKind::Page => (
                post.author_id,
                post.created_at,
                post.body.is_empty(),
                format!("/posts/{}", post.id),
                marked_html(&snippet.title, false),
            ),
            DocKind::Reply => {
                let r = self.replies.get(&h.object_id)?;
                (
                    r.author_id,
                    r.created_at,
                    r.body.is_empty(),
                    format!("/replies/{}", r.id),
                    text::escape(&post.title),
                )
            }
        };
        if self.hidden.contains(&author_id) || self.hidden.contains(&post.author_id) {
            return None;
        }
        Some(SearchHit {
            kind: match h.kind {
                DocKind::Reply => HitKind::Reply,
                DocKind::Post | DocKind::Page => HitKind::Post,
            },
            id: h.object_id,
            post_id: Some(post.id),
            path,
            title: post.title.clone(),
            title_html,
            snippet_html: marked_html(&snippet.body, html_only),
            group: GroupRef::from(group),
            author: PersonRef::from(self.authors.get(&author_id)?),
            created_at,
            question: post.question,
            answered: post.question && post.answer_id.is_some(),
            accepted_answer: h.kind == DocKind::Reply && post.answer_id == Some(h.object_id),
            score: h.score,
        })
    }

    /// The view of a page's hit `h`.
    fn page(&self, h: &Hit, snippet: &Snippet) -> Option<SearchHit> {
        let page = self.pages.get(&h.object_id)?;
        let group = self.groups.get(&page.group_id)?;
        let author = self.authors.get(&page.creator_id?)?;
        if self.hidden.contains(&author.id) {
            return None;
        }
        Some(SearchHit {
            kind: HitKind::Page,
            id: page.id,
            post_id: None,
            path: pages::path(group, &page.slug),
            title: page.title.clone(),
            title_html: marked_html(&snippet.title, false),
            snippet_html: marked_html(&snippet.body, page.body.is_empty()),
            group: GroupRef::from(group),
            author: PersonRef::from(author),
            created_at: page.updated_at,
            question: false,
            answered: false,
            accepted_answer: false,
            score: h.score,
        })
    }
}

/// A snippet as safe HTML: everything escaped, the marks as balanced `<mark>` elements,
/// white space collapsed. `from_html`: the text is (a cut of) sanitised HTML whose tags are
/// dropped and whose common entities are read first.
pub fn marked_html(raw: &str, from_html: bool) -> String {
    let plain = if from_html {
        html_to_text(raw)
    } else {
        raw.to_string()
    };
    let mut out = String::with_capacity(plain.len() + 16);
    let (mut open, mut space) = (false, false);
    for c in plain.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            MARK_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            c => {
                let mut buf = [0u8; 4];
                out.push_str(&text::escape(c.encode_utf8(&mut buf)));
            }
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// The text of a cut of HTML: tags dropped (a cut-off tag at either end too; a block's
/// tag leaves a space, an inline one nothing), `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`,
/// `&#x27;` and `&nbsp;` read, an entity cut off at the end dropped.
fn html_to_text(html: &str) -> String {
    const INLINE: [&str; 12] = [
        "a", "abbr", "b", "code", "em", "i", "mark", "s", "small", "span", "strong", "u",
    ];
    // A cut may start inside a tag: drop up to the first '>' that comes before any '<'.
    let start = match (html.find('>'), html.find('<')) {
        (Some(gt), Some(lt)) if gt < lt => gt + 1,
        (Some(gt), None) => gt + 1,
        _ => 0,
    };
    let mut out = String::with_capacity(html.len());
    let mut rest = &html[start..];
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag = &rest[lt + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if !INLINE.contains(&name.as_str()) {
            out.push(' ');
        }
        match tag.find('>') {
            Some(gt) => rest = &tag[gt + 1..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    // An entity cut off by the snippet's end (before its ellipsis, if any).
    if let Some(amp) = out.rfind('&') {
        let tail = &out[amp + 1..];
        let word = tail.trim_end_matches('…');
        if !word.contains(';') && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '#') {
            let ellipsis = tail.ends_with('…');
            out.truncate(amp);
            if ellipsis {
                out.push('…');
            }
        }
    }
    const ENTITIES: [(&str, &str); 7] = [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&nbsp;", " "),
        ("&amp;", "&"),
    ];
    ENTITIES
        .iter()
        .fold(out, |text, (entity, c)| text.replace(entity, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_words_are_phrases_that_must_appear_exactly() {
        let t = parse_terms("why does tokio::spawn() fail with ERR_SSL_PROTOCOL?").unwrap();
        assert_eq!(
            t.phrases,
            [
                "why",
                "does",
                "tokio::spawn",
                "fail",
                "with",
                "ERR_SSL_PROTOCOL"
            ]
        );
        assert_eq!(t.exact, ["tokio::spawn", "err_ssl_protocol"]);
        let t = parse_terms("\"peer  review\" @ann@example.org well-known").unwrap();
        assert_eq!(t.phrases, ["peer review", "@ann@example.org", "well-known"]);
        assert_eq!(t.exact, ["@ann@example.org"]);
    }

    #[test]
    fn empty_and_oversized_queries_are_refused() {
        for bad in ["", "  ", "?!", "\"\"", &"x ".repeat(13), &"x".repeat(201)] {
            let e = parse_terms(bad).unwrap_err();
            assert!(
                matches!(e, Error::Invalid { ref field, .. } if field == "q"),
                "{bad}"
            );
        }
    }

    #[test]
    fn snippets_escape_everything_but_their_marks() {
        let raw = format!("a <script>alert(1)</script> {MARK_START}b{MARK_END} & c");
        assert_eq!(
            marked_html(&raw, false),
            "a &lt;script&gt;alert(1)&lt;/script&gt; <mark>b</mark> &amp; c"
        );
        // Unbalanced marks (a stray one in the text itself) stay balanced.
        let raw = format!("{MARK_END}x{MARK_START}y{MARK_START}z");
        assert_eq!(marked_html(&raw, false), "x<mark>yz</mark>");
    }

    #[test]
    fn html_snippets_lose_their_tags() {
        let raw = format!(
            "ref=\"x\">@<span>bob</span></a></span> I use {MARK_START}tokio{MARK_END} &amp; &lt;b&gt;<p>more</p><a hr"
        );
        assert_eq!(
            marked_html(&raw, true),
            "@bob I use <mark>tokio</mark> &amp; &lt;b&gt; more"
        );
        assert_eq!(
            marked_html("<p>fish &amp; chips &am…", true),
            "fish &amp; chips …"
        );
    }

    #[test]
    fn days_are_checked() {
        assert_eq!(day("from", Some("1970-01-02"), 0).unwrap(), Some(86_400));
        assert_eq!(day("until", Some("1970-01-01"), 1).unwrap(), Some(86_400));
        assert!(day("from", Some("yesterday"), 0).is_err());
        assert_eq!(day("from", Some(" "), 0).unwrap(), None);
    }
}
