//! Atom feeds (RFC 4287) for feed readers, written with the `atom_syndication` crate: a
//! group's newest posts (`/g/{handle}/feed.atom`), its questions waiting for an answer
//! (`/g/{handle}/waiting.atom`), a person's posts (`/u/{handle}/feed.atom`) and a thread's
//! replies (`/posts/{id}/feed.atom`). Each lists what the page it belongs to shows a visitor
//! who is signed out: nothing deleted, removed or hidden; the HTML is the sanitised body the
//! pages show, and a post with a content warning shows the warning, not the body. The pages
//! link their feed with `<link rel="alternate" type="application/atom+xml">`.

use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text};
use axum::{
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, FixedOffset, Utc};

use super::session::WebPath;
use crate::{
    domain::{
        feeds, groups,
        pagination::PostSort,
        posts, questions,
        views::{PersonRef, PostKind, PostView, ReplyNode},
    },
    error::{Error, Result},
    http::AppState,
};

/// Entries in a feed.
const ENTRIES: u64 = 30;

/// The media type of an Atom document.
pub const ATOM: &str = "application/atom+xml; charset=utf-8";

fn at(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.fixed_offset()
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    Link {
        href,
        rel: rel.into(),
        mime_type: mime.map(str::to_owned),
        ..Default::default()
    }
}

fn author(p: Option<&PersonRef>) -> Vec<Person> {
    vec![Person {
        name: p.map_or_else(
            || "someone".to_string(),
            |p| p.display_name.clone().unwrap_or_else(|| p.handle.clone()),
        ),
        uri: p.map(|p| p.ap_id.clone()),
        ..Default::default()
    }]
}

/// Message `key` with string `args`, in the request's language (a feed reader's
/// `Accept-Language`, else the instance's): feeds are read signed out.
fn words(key: &str, args: &[(&str, &str)]) -> String {
    super::charts::msg(super::render::page_lang_now(), key, args)
}

/// The body, or only its content warning when it has one (a reader shows no warning).
fn body(html: &str, warning: Option<&str>) -> Content {
    let value = match warning {
        Some(w) => format!(
            "<p>{}</p>",
            crate::domain::text::escape(&words("feed-warning", &[("warning", w)]))
        ),
        None => html.to_string(),
    };
    Content {
        value: Some(value),
        content_type: Some("html".into()),
        ..Default::default()
    }
}

fn post_entry(base: &str, p: &PostView) -> Entry {
    let mut categories = vec![];
    if p.kind == PostKind::Question {
        categories.push(Category {
            term: if p.answer.is_some() {
                "answered"
            } else {
                "question"
            }
            .into(),
            ..Default::default()
        });
    }
    Entry {
        title: Text::plain(p.title.clone()),
        id: p.ap_id.clone(),
        updated: at(p.updated_at.unwrap_or(p.created_at)),
        published: Some(at(p.created_at)),
        authors: author(p.author.as_ref()),
        links: vec![link(
            format!("{base}/posts/{}", p.id),
            "alternate",
            Some("text/html"),
        )],
        categories,
        content: Some(body(&p.body_html, p.content_warning.as_deref())),
        ..Default::default()
    }
}

/// A feed of `entries`: `page` is the HTML page it belongs to, `path` its own address.
fn feed(base: &str, title: String, page: &str, path: &str, entries: Vec<Entry>) -> Response {
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(|| at(DateTime::<Utc>::UNIX_EPOCH));
    let feed = Feed {
        title: Text::plain(title),
        id: format!("{base}{path}"),
        updated,
        links: vec![
            link(
                format!("{base}{path}"),
                "self",
                Some("application/atom+xml"),
            ),
            link(format!("{base}{page}"), "alternate", Some("text/html")),
        ],
        entries,
        ..Default::default()
    };
    let mut r = feed.to_string().into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ATOM));
    // Titles are in the reader's language.
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    r
}

fn base(s: &AppState) -> String {
    s.ctx.instance.base_url()
}

/// `GET /g/{handle}/feed.atom`: the group's newest posts.
pub(super) async fn group(
    State(s): State<AppState>,
    WebPath(handle): WebPath<String>,
) -> Result<Response> {
    let g = groups::view(&s.ctx, &handle).await?;
    let list = posts::list(
        &s.ctx,
        None,
        &handle,
        PostSort::New,
        None,
        Some(ENTRIES),
        questions::parse_filter(None)?,
    )
    .await?;
    let b = base(&s);
    let entries = list
        .items
        .iter()
        .filter(|p| !p.deleted)
        .map(|p| post_entry(&b, p))
        .collect();
    let page = format!("/g/{handle}");
    Ok(feed(
        &b,
        g.title.clone(),
        &page,
        &format!("{page}/feed.atom"),
        entries,
    ))
}

/// `GET /g/{handle}/waiting.atom`: the group's questions waiting for an answer, longest
/// waiting first.
pub(super) async fn waiting(
    State(s): State<AppState>,
    WebPath(handle): WebPath<String>,
) -> Result<Response> {
    let g = groups::find_by_handle(&s.ctx, &handle).await?;
    // Feeds are what a signed-out visitor sees: nothing of a members-only group.
    crate::domain::members::ensure_readable(&s.ctx, &g, None).await?;
    let waiting = questions::waiting(&s.ctx, None, Some(&g)).await?;
    let b = base(&s);
    let entries = waiting.iter().map(|w| post_entry(&b, &w.post)).collect();
    let page = format!("/g/{handle}");
    Ok(feed(
        &b,
        words("feed-waiting", &[("group", &g.title)]),
        &page,
        &format!("{page}/waiting.atom"),
        entries,
    ))
}

/// `GET /u/{handle}/feed.atom`: a person's posts (`name` here, `name@host` elsewhere).
pub(super) async fn person(
    State(s): State<AppState>,
    WebPath(raw): WebPath<String>,
) -> Result<Response> {
    let (name, domain) = match raw.trim_start_matches('@').rsplit_once('@') {
        Some((n, d)) => (n.to_string(), d.to_ascii_lowercase()),
        None => (raw.clone(), s.ctx.instance.domain.clone()),
    };
    let profile = feeds::profile(&s.ctx, None, &name, &domain).await?;
    let b = base(&s);
    let entries = profile
        .posts
        .iter()
        .filter(|p| !p.deleted)
        .map(|p| post_entry(&b, p))
        .collect();
    let page = format!("/u/{raw}");
    let who = profile
        .person
        .display_name
        .clone()
        .unwrap_or_else(|| profile.person.handle.clone());
    Ok(feed(
        &b,
        words("feed-person", &[("person", &who)]),
        &page,
        &format!("{page}/feed.atom"),
        entries,
    ))
}

/// `GET /posts/{id}/feed.atom`: a thread's replies, newest first.
pub(super) async fn thread(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
) -> Result<Response> {
    let detail = posts::detail(&s.ctx, None, id).await?;
    if detail.post.deleted {
        return Err(Error::NotFound("post"));
    }
    let mut replies = vec![];
    let mut stack: Vec<&ReplyNode> = detail.replies.iter().collect();
    while let Some(n) = stack.pop() {
        stack.extend(n.children.iter());
        if !n.reply.deleted && !n.reply.hidden {
            replies.push(&n.reply);
        }
    }
    replies.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
    let b = base(&s);
    let page = format!("/posts/{id}");
    let entries = replies
        .iter()
        .take(ENTRIES as usize)
        .map(|r| {
            let who = author(r.author.as_ref());
            Entry {
                title: Text::plain(words("feed-replied", &[("person", &who[0].name)])),
                id: r.ap_id.clone(),
                updated: at(r.updated_at.unwrap_or(r.created_at)),
                published: Some(at(r.created_at)),
                authors: who,
                links: vec![link(
                    format!("{b}{page}#r{}", r.id),
                    "alternate",
                    Some("text/html"),
                )],
                content: Some(body(&r.body_html, r.content_warning.as_deref())),
                ..Default::default()
            }
        })
        .collect();
    Ok(feed(
        &b,
        words("feed-thread", &[("title", &detail.post.title)]),
        &page,
        &format!("{page}/feed.atom"),
        entries,
    ))
}
