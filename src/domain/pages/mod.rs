//! The knowledge base: a group's pages. A page has a title, a stable slug and a markdown body;
//! who may edit it is the group's choice ([`PageEditors`]). Every save is a numbered revision
//! (author, time, summary); an edit names the revision it was made on, and one made on an
//! older revision than the newest is refused as a conflict, with what changed since, never
//! saved over it. Moderators revert to an older revision (a new revision with its text),
//! lock a page (then only they edit it), and remove and restore it.
//!
//! `[[slug]]` in a body links to the group's page of that slug.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Ctx, accounts::CurrentUser, groups::find_by_handle, moderation, now, text};
use crate::{
    error::{Code, Error, Result},
    storage::{
        self,
        entities::{groups, page_revisions, pages, persons},
        pages::Save,
    },
};

use super::views::PersonRef;

mod federated;
mod history;
mod moderators;
mod rights;
mod threads;

pub use federated::*;
pub use history::*;
pub use moderators::*;
pub use rights::*;
pub use threads::*;

/// Longest slug, in characters.
pub const MAX_SLUG_CHARS: usize = 64;
/// Longest edit summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 300;

/// The new-page request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPage {
    /// Title.
    #[schema(max_length = 200)]
    pub title: String,
    /// The page's address in the group (`[a-z0-9]` words joined by `-`); made from the title
    /// when absent.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)]
    pub slug: Option<String>,
    /// Markdown body; `[[slug]]` links to another page of the group.
    #[schema(max_length = 100000)]
    pub body: String,
    /// Why (shown in the history).
    #[serde(default)]
    #[schema(max_length = 300)]
    pub summary: String,
}

/// The edit-page request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageEdit {
    /// The revision the edit was made on: the page's newest, or the edit is refused as a
    /// conflict.
    pub base_revision: i64,
    /// New title (absent: as it is).
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// The whole new markdown body.
    #[schema(max_length = 100000)]
    pub body: String,
    /// Why (shown in the history).
    #[serde(default)]
    #[schema(max_length = 300)]
    pub summary: String,
}

/// A page as readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageView {
    /// Local id.
    pub id: i64,
    /// The group's handle.
    pub group: String,
    /// Its address in the group.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// The body as sanitised HTML, `[[slug]]` links made.
    pub body_html: String,
    /// The number of its newest revision (what an edit names as its base).
    pub revision: i64,
    /// Only moderators may edit it.
    pub locked: bool,
    /// Removed by a moderator (shown to moderators only).
    pub removed: bool,
    /// Whether the viewer may edit it.
    pub may_edit: bool,
    /// Its web page.
    pub path: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
}

/// What writing a new page did.
#[derive(Debug, Clone)]
pub enum Written {
    /// Written here (the group is hosted here): the page.
    Page(PageView),
    /// Sent to the group's own instance, which keeps its pages: the edit as sent.
    Sent(ProposalView),
}

/// What an edit did.
#[derive(Debug, Clone)]
pub enum Saved {
    /// Saved (or nothing changed): the page as it is now.
    Page(PageView),
    /// Sent to the group's own instance, which keeps its pages: the edit as sent.
    Sent(ProposalView),
    /// Made on an older revision than the newest: nothing saved; the page as it is now, and
    /// what changed since the edit's base.
    Conflict {
        /// The page now.
        current: PageView,
        /// From the edit's base to the newest revision.
        diff: PageDiff,
    },
}

/// `title` as a slug: lowercase letters and digits, other runs of characters as `-`.
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= MAX_SLUG_CHARS {
            break;
        }
    }
    out.trim_matches('-').to_string()
}

fn check_slug(slug: &str) -> Result<()> {
    let ok = !slug.is_empty()
        && slug.len() <= MAX_SLUG_CHARS
        && slug.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "slug",
            "a slug is 1–64 lowercase letters and digits, words joined by single hyphens",
        ))
    }
}

fn summary(raw: &str) -> String {
    text::plain_line(raw, MAX_SUMMARY_CHARS)
}

/// An editor's save of `title` and `body` (not a revert).
fn new_save(
    instance: &crate::domain::Instance,
    group: &groups::Model,
    editor: Editor<'_>,
    title: String,
    body: String,
    why: &str,
) -> Save {
    Save {
        body_html: render(instance, group, &body),
        title,
        body,
        author_id: editor.person.id,
        summary: summary(why),
        reverts: None,
        now: now(),
    }
}

/// The web path of a group's page.
pub fn path(group: &groups::Model, slug: &str) -> String {
    if group.local {
        format!("/g/{}/pages/{slug}", group.name)
    } else {
        format!("/g/{}@{}/pages/{slug}", group.name, group.domain)
    }
}

/// The body as HTML: markdown rendered and sanitised, `[[slug]]` made a link to that page,
/// pictures on other servers shown through this one.
pub fn render(instance: &crate::domain::Instance, group: &groups::Model, body: &str) -> String {
    let mut source = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("[[") {
        let Some(len) = rest[start + 2..].find("]]") else {
            break;
        };
        let inner = &rest[start + 2..start + 2 + len];
        source.push_str(&rest[..start]);
        if check_slug(inner).is_ok() {
            source.push_str(&format!("[{inner}]({})", path(group, inner)));
        } else {
            source.push_str(&rest[start..start + 4 + len]);
        }
        rest = &rest[start + 4 + len..];
    }
    source.push_str(rest);
    crate::media::remote::proxied(&text::render_markdown(&source), instance)
}

/// The group of `handle` and its page `slug`; a removed page is found only by someone who
/// may moderate the group.
pub async fn load(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    handle: &str,
    slug: &str,
) -> Result<(groups::Model, pages::Model)> {
    let group = find_by_handle(ctx, handle).await?;
    super::members::ensure_readable(ctx, &group, viewer).await?;
    let page = storage::pages::find(&ctx.db, group.id, slug)
        .await?
        .ok_or(Error::NotFound("page"))?;
    if page.removed && !moderates(ctx, &group, viewer).await? {
        return Err(Error::NotFound("page"));
    }
    Ok((group, page))
}

async fn moderates(ctx: &Ctx, group: &groups::Model, viewer: Option<&CurrentUser>) -> Result<bool> {
    match viewer {
        Some(u) => moderation::may_moderate(ctx, group, u.person.id, u.is_admin).await,
        None => Ok(false),
    }
}

/// The view of `page` for someone with `rights`.
pub fn view(group: &groups::Model, page: &pages::Model, rights: Rights) -> PageView {
    PageView {
        id: page.id,
        group: format!("{}@{}", group.name, group.domain),
        slug: page.slug.clone(),
        title: page.title.clone(),
        body: page.body.clone(),
        body_html: page.body_html.clone(),
        revision: page.revision,
        locked: page.locked,
        removed: page.removed,
        may_edit: rights.may_edit(Some(page)),
        path: path(group, &page.slug),
        created_at: page.created_at,
        updated_at: page.updated_at,
    }
}

/// The view of `page` for `editor`.
pub async fn view_as(
    ctx: &Ctx,
    editor: Editor<'_>,
    group: &groups::Model,
    page: &pages::Model,
) -> Result<PageView> {
    Ok(view(group, page, rights_of(ctx, group, editor).await?))
}

/// The view of `page` for `viewer`.
pub async fn view_for(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    group: &groups::Model,
    page: &pages::Model,
) -> Result<PageView> {
    Ok(view(group, page, rights(ctx, group, viewer).await?))
}

/// A group's pages, by title (removed ones only for its moderators).
pub async fn list(ctx: &Ctx, viewer: Option<&CurrentUser>, handle: &str) -> Result<Vec<PageView>> {
    let group = find_by_handle(ctx, handle).await?;
    super::members::ensure_readable(ctx, &group, viewer).await?;
    let rights = rights(ctx, &group, viewer).await?;
    Ok(storage::pages::of_group(&ctx.db, group.id)
        .await?
        .iter()
        .filter(|p| !p.removed || rights.moderator)
        .map(|p| view(&group, p, rights))
        .collect())
}

/// `user` writes a new page in the group of `handle` (of a group hosted elsewhere: sends it
/// there).
pub async fn create(
    ctx: &Ctx,
    user: &CurrentUser,
    handle: &str,
    input: NewPage,
) -> Result<Written> {
    let group = find_by_handle(ctx, handle).await?;
    create_in(ctx, user.into(), &group, input).await
}

/// `editor` writes a new page in `group`: stored when the group is hosted here, else kept
/// as a proposal to send to the group.
pub(crate) async fn create_in(
    ctx: &Ctx,
    editor: Editor<'_>,
    group: &groups::Model,
    input: NewPage,
) -> Result<Written> {
    if group.local {
        authorize_edit(ctx, group, None, editor).await?;
    } else {
        // A group elsewhere decides, but a members-only one is written in by members only.
        crate::domain::members::ensure_member(ctx, group, editor.person.id).await?;
    }
    let title = text::title("title", &input.title, text::MAX_TITLE_CHARS)?;
    let slug = match input.slug {
        Some(s) => {
            check_slug(&s)?;
            s
        }
        None => {
            let s = slugify(&title);
            if s.is_empty() {
                return Err(Error::invalid(
                    "slug",
                    "the title makes no slug: give one (lowercase letters, digits, hyphens)",
                ));
            }
            s
        }
    };
    let body = text::body("body", &input.body, text::MAX_BODY_CHARS, true)?;
    if storage::pages::find(&ctx.db, group.id, &slug)
        .await?
        .is_some()
    {
        return Err(Error::refused(
            Code::NameTaken,
            format!("the group has a page at \"{slug}\" already"),
        ));
    }
    if !group.local {
        let draft = Draft {
            slug,
            base_revision: None,
            title,
            body,
            summary: summary(&input.summary),
        };
        return propose(ctx, editor, group, draft).await.map(Written::Sent);
    }
    let links = linked_posts(&body, &ctx.instance.domain);
    let page = storage::pages::create(
        &ctx.db,
        group.id,
        &slug,
        new_save(&ctx.instance, group, editor, title, body, &input.summary),
    )
    .await?;
    storage::pages::set_links(&ctx.db, page.id, &links).await?;
    view_as(ctx, editor, group, &page).await.map(Written::Page)
}

/// `user` saves an edit of a page, made on revision `input.base_revision`.
pub async fn edit(
    ctx: &Ctx,
    user: &CurrentUser,
    handle: &str,
    slug: &str,
    input: PageEdit,
) -> Result<Saved> {
    let (group, page) = load(ctx, Some(user), handle, slug).await?;
    edit_in(ctx, user.into(), &group, &page, input).await
}

/// `editor` saves an edit of `page`: stored when its group is hosted here, else kept as a
/// proposal to send to the group (a conflict with what is known here is shown at once).
pub(crate) async fn edit_in(
    ctx: &Ctx,
    editor: Editor<'_>,
    group: &groups::Model,
    page: &pages::Model,
    input: PageEdit,
) -> Result<Saved> {
    if group.local {
        authorize_edit(ctx, group, Some(page), editor).await?;
    } else {
        crate::domain::members::ensure_member(ctx, group, editor.person.id).await?;
    }
    let title = match &input.title {
        Some(t) => text::title("title", t, text::MAX_TITLE_CHARS)?,
        None => page.title.clone(),
    };
    let body = text::body("body", &input.body, text::MAX_BODY_CHARS, true)?;
    if input.base_revision < 1 || input.base_revision > page.revision {
        return Err(Error::invalid(
            "base_revision",
            format!("the page has revisions 1 to {}", page.revision),
        ));
    }
    if input.base_revision < page.revision {
        return conflict(ctx, editor, group, page, input.base_revision).await;
    }
    if title == page.title && body == page.body {
        return Ok(Saved::Page(view_as(ctx, editor, group, page).await?));
    }
    if !group.local {
        let draft = Draft {
            slug: page.slug.clone(),
            base_revision: Some(input.base_revision),
            title,
            body,
            summary: summary(&input.summary),
        };
        return propose(ctx, editor, group, draft).await.map(Saved::Sent);
    }
    let saved = storage::pages::save(
        &ctx.db,
        page.id,
        page.revision,
        new_save(&ctx.instance, group, editor, title, body, &input.summary),
    )
    .await?;
    let page = storage::pages::find(&ctx.db, group.id, &page.slug)
        .await?
        .ok_or(Error::NotFound("page"))?;
    if saved.is_none() {
        // Someone saved between the read and the write.
        return conflict(ctx, editor, group, &page, input.base_revision).await;
    }
    let links = linked_posts(&page.body, &ctx.instance.domain);
    storage::pages::set_links(&ctx.db, page.id, &links).await?;
    Ok(Saved::Page(view_as(ctx, editor, group, &page).await?))
}

async fn conflict(
    ctx: &Ctx,
    editor: Editor<'_>,
    group: &groups::Model,
    page: &pages::Model,
    base: i64,
) -> Result<Saved> {
    let moderator = moderation::may_moderate(ctx, group, editor.person.id, editor.is_admin).await?;
    Ok(Saved::Conflict {
        diff: diff_of(ctx, page, base, page.revision, moderator, false).await?,
        current: view_as(ctx, editor, group, page).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_made_from_titles() {
        assert_eq!(
            slugify("Getting started: TLS & certificates!"),
            "getting-started-tls-certificates"
        );
        assert_eq!(slugify("  --  "), "");
        assert!(check_slug("tls-2024").is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "é"] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn links_to_threads_here_are_found() {
        let body = "See [the thread](/posts/12), https://a.example/posts/7 and \
                    https://b.example/posts/9, /posts/12 again, /posts/x.";
        assert_eq!(linked_posts(body, "a.example"), [12, 7]);
    }

    #[test]
    fn a_diff_keeps_lines_in_order() {
        let d = line_diff("a\nb\nc\n", "a\nc\nd\n");
        let ops: Vec<_> = d.iter().map(|l| (l.op, l.text.as_str())).collect();
        assert_eq!(
            ops,
            [
                (DiffOp::Same, "a"),
                (DiffOp::Removed, "b"),
                (DiffOp::Same, "c"),
                (DiffOp::Added, "d")
            ]
        );
    }
}
