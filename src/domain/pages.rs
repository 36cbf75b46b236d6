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

/// Longest slug, in characters.
pub const MAX_SLUG_CHARS: usize = 64;
/// Longest edit summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 300;

/// Who may edit a group's pages (and write new ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PageEditors {
    /// Its moderators only.
    Moderators,
    /// Its members, here or elsewhere, and its moderators (the default).
    Members,
    /// Anyone signed in here, and its members elsewhere.
    SignedIn,
}

impl PageEditors {
    /// As stored in `groups.page_editors`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Moderators => "moderators",
            Self::Members => "members",
            Self::SignedIn => "signed_in",
        }
    }

    /// A group's setting (an unknown value reads as the default).
    pub fn of(group: &groups::Model) -> Self {
        match group.page_editors.as_str() {
            "moderators" => Self::Moderators,
            "signed_in" => Self::SignedIn,
            _ => Self::Members,
        }
    }
}

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

/// The revert request (moderators).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageRevert {
    /// The revision whose text the page takes again.
    pub revision: i64,
    /// Why (shown in the history after "Reverted to revision N").
    #[serde(default)]
    #[schema(max_length = 300)]
    pub summary: String,
}

/// What a moderator does to a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PageAction {
    /// Only moderators may edit it.
    Lock,
    /// Editors may edit it again.
    Unlock,
    /// Hidden from everyone but moderators.
    Remove,
    /// Shown again.
    Restore,
}

/// The page-moderation request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageModeration {
    /// What to do.
    pub action: PageAction,
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

/// One revision of a page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionView {
    /// Its number, from 1.
    pub number: i64,
    /// Who saved it (gone when their account was erased).
    pub author: Option<PersonRef>,
    /// The title it gave the page.
    pub title: String,
    /// Why.
    pub summary: String,
    /// The revision a revert went back to.
    pub reverts: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The markdown body (only when one revision is asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Its text was hidden by a moderator: only moderators see its title, summary and text.
    pub removed: bool,
}

/// How a line of a diff differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiffOp {
    /// In both.
    Same,
    /// Only in the newer.
    Added,
    /// Only in the older.
    Removed,
}

/// A line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DiffLine {
    /// How it differs.
    pub op: DiffOp,
    /// The line, without its line break.
    pub text: String,
}

/// What changed between two revisions, line by line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageDiff {
    /// The older revision.
    pub from: i64,
    /// The newer.
    pub to: i64,
    /// The older title.
    pub from_title: String,
    /// The newer title.
    pub to_title: String,
    /// The body's lines.
    pub lines: Vec<DiffLine>,
}

/// What an edit did.
#[derive(Debug, Clone)]
pub enum Saved {
    /// Saved (or nothing changed): the page as it is now.
    Page(PageView),
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

/// The web path of a group's page.
pub fn path(group: &groups::Model, slug: &str) -> String {
    if group.local {
        format!("/g/{}/pages/{slug}", group.name)
    } else {
        format!("/g/{}@{}/pages/{slug}", group.name, group.domain)
    }
}

/// The body as HTML: markdown rendered and sanitised, `[[slug]]` made a link to that page.
pub fn render(group: &groups::Model, body: &str) -> String {
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
    text::render_markdown(&source)
}

/// What a viewer may do with a group's pages, found once per request (not once per page).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rights {
    /// They may moderate the group (edit locked pages, see removed ones).
    pub moderator: bool,
    /// The group's setting lets them write and edit its pages (and no ban stops them).
    pub editor: bool,
}

impl Rights {
    /// Whether they may edit `page` (none: write a new page).
    pub fn may_edit(self, page: Option<&pages::Model>) -> bool {
        self.moderator || (self.editor && !page.is_some_and(|p| p.locked || p.removed))
    }
}

/// What `user` (none: signed out) may do with `group`'s pages. Only a group hosted here has
/// its pages edited here.
pub async fn rights(
    ctx: &Ctx,
    group: &groups::Model,
    user: Option<&CurrentUser>,
) -> Result<Rights> {
    let Some(user) = user.filter(|_| group.local) else {
        return Ok(Rights::default());
    };
    if moderation::may_moderate(ctx, group, user.person.id, user.is_admin).await? {
        return Ok(Rights {
            moderator: true,
            editor: true,
        });
    }
    if storage::moderation::ban_in_force(&ctx.db, group.id, user.person.id, now())
        .await?
        .is_some()
    {
        return Ok(Rights::default());
    }
    let editor = match PageEditors::of(group) {
        PageEditors::Moderators => false,
        PageEditors::SignedIn => true,
        PageEditors::Members => storage::followers::find(&ctx.db, group.id, user.person.id)
            .await?
            .is_some_and(|f| !f.pending),
    };
    Ok(Rights {
        moderator: false,
        editor,
    })
}

async fn authorize_edit(
    ctx: &Ctx,
    group: &groups::Model,
    page: Option<&pages::Model>,
    user: &CurrentUser,
) -> Result<()> {
    if !group.local {
        return Err(Error::forbidden(
            "a group on another instance keeps its pages there",
        ));
    }
    moderation::ensure_not_banned(ctx, group.id, user.person.id).await?;
    if page.is_some_and(|p| p.locked)
        && !moderation::may_moderate(ctx, group, user.person.id, user.is_admin).await?
    {
        return Err(Error::refused(
            Code::Locked,
            "this page is locked: only the group's moderators may edit it",
        ));
    }
    if !rights(ctx, group, Some(user)).await?.may_edit(page) {
        return Err(Error::forbidden(match PageEditors::of(group) {
            PageEditors::Moderators => "only the group's moderators may edit its pages",
            PageEditors::Members => "only the group's members may edit its pages",
            PageEditors::SignedIn => "you may not edit this group's pages",
        }));
    }
    Ok(())
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
    let rights = rights(ctx, &group, viewer).await?;
    Ok(storage::pages::of_group(&ctx.db, group.id)
        .await?
        .iter()
        .filter(|p| !p.removed || rights.moderator)
        .map(|p| view(&group, p, rights))
        .collect())
}

/// `user` writes a new page in the group of `handle`.
pub async fn create(
    ctx: &Ctx,
    user: &CurrentUser,
    handle: &str,
    input: NewPage,
) -> Result<PageView> {
    let group = find_by_handle(ctx, handle).await?;
    create_in(ctx, user, &group, input).await
}

async fn create_in(
    ctx: &Ctx,
    user: &CurrentUser,
    group: &groups::Model,
    input: NewPage,
) -> Result<PageView> {
    authorize_edit(ctx, group, None, user).await?;
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
    let links = linked_posts(&body, &ctx.instance.domain);
    let page = storage::pages::create(
        &ctx.db,
        group.id,
        &slug,
        Save {
            body_html: render(group, &body),
            title,
            body,
            author_id: user.person.id,
            summary: summary(&input.summary),
            reverts: None,
            now: now(),
        },
    )
    .await?;
    storage::pages::set_links(&ctx.db, page.id, &links).await?;
    view_for(ctx, Some(user), group, &page).await
}

/// The threads of this instance a text links to: `/posts/{id}` as a relative link (after
/// `(`, `"`, a space or at the start) or under this instance's address.
pub fn linked_posts(body: &str, domain: &str) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    let (https, http) = (format!("https://{domain}"), format!("http://{domain}"));
    let mut from = 0;
    while let Some(at) = body[from..].find("/posts/") {
        let start = from + at;
        let digits: String = body[start + 7..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let before = &body[..start];
        let ours = before.is_empty()
            || before.ends_with(['(', '"', ' ', '\n'])
            || before.ends_with(&https)
            || before.ends_with(&http);
        if ours
            && let Ok(id) = digits.parse::<i64>()
            && !out.contains(&id)
        {
            out.push(id);
        }
        from = start + 7;
    }
    out
}

/// What makes a page of a thread (all optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageFromThread {
    /// Title (absent: the thread's).
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// Address (absent: made from the title).
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)]
    pub slug: Option<String>,
}

/// The handle of person `id`, as a page attributes them.
fn attribution(people: &HashMap<i64, persons::Model>, id: i64) -> String {
    people
        .get(&id)
        .map(|p| format!("@{}@{}", p.username, p.domain))
        .unwrap_or_else(|| "someone".into())
}

/// Markdown of a post or reply: its source, or the text of its HTML when it came without one.
fn source_of(body: &str, body_html: &str) -> String {
    if body.trim().is_empty() {
        super::questions::excerpt(body, body_html, text::MAX_BODY_CHARS / 2)
    } else {
        body.to_string()
    }
}

/// `user` makes a new page of thread `post_id` in its group: the question (or post) and its
/// accepted answer, each attributed, and a link back to the thread (so the thread lists the
/// page). Who may is who may write the group's pages.
pub async fn from_thread(
    ctx: &Ctx,
    user: &CurrentUser,
    post_id: i64,
    input: PageFromThread,
) -> Result<PageView> {
    let (post, group) = super::posts::load(ctx, post_id).await?;
    if post.deleted_at.is_some() || post.removed {
        return Err(Error::refused(
            Code::Deleted,
            "this thread was deleted or removed",
        ));
    }
    let answer = match post.answer_id {
        Some(id) => storage::replies::find(&ctx.db, id)
            .await?
            .filter(|a| a.deleted_at.is_none() && !a.removed),
        None => None,
    };
    let people = storage::persons::by_ids(
        &ctx.db,
        std::iter::once(post.author_id).chain(answer.as_ref().map(|a| a.author_id)),
    )
    .await?;
    let mut body = format!(
        "{}\n\n— {}, in the thread [{}](/posts/{})\n",
        source_of(&post.body, &post.body_html),
        attribution(&people, post.author_id),
        post.title.replace(['[', ']'], ""),
        post.id
    );
    if let Some(a) = &answer {
        body.push_str(&format!(
            "\n## The accepted answer\n\n{}\n\n— {}\n",
            source_of(&a.body, &a.body_html),
            attribution(&people, a.author_id)
        ));
    }
    let input = NewPage {
        title: input.title.unwrap_or_else(|| post.title.clone()),
        slug: input.slug,
        body,
        summary: format!("From the thread \"{}\"", text::plain_line(&post.title, 100)),
    };
    create_in(ctx, user, &group, input).await
}

/// The pages that link to thread `post_id`.
pub async fn linking_to(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    post_id: i64,
) -> Result<Vec<PageView>> {
    let (_, group) = super::posts::load(ctx, post_id).await?;
    let rights = rights(ctx, &group, viewer).await?;
    Ok(storage::pages::linking_to(&ctx.db, post_id)
        .await?
        .iter()
        .map(|p| view(&group, p, rights))
        .collect())
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
    authorize_edit(ctx, &group, Some(&page), user).await?;
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
        return conflict(ctx, user, &group, &page, input.base_revision).await;
    }
    if title == page.title && body == page.body {
        return Ok(Saved::Page(view_for(ctx, Some(user), &group, &page).await?));
    }
    let saved = storage::pages::save(
        &ctx.db,
        page.id,
        page.revision,
        Save {
            body_html: render(&group, &body),
            title,
            body,
            author_id: user.person.id,
            summary: summary(&input.summary),
            reverts: None,
            now: now(),
        },
    )
    .await?;
    let (group, page) = load(ctx, Some(user), handle, slug).await?;
    if saved.is_none() {
        // Someone saved between the read and the write.
        return conflict(ctx, user, &group, &page, input.base_revision).await;
    }
    let links = linked_posts(&page.body, &ctx.instance.domain);
    storage::pages::set_links(&ctx.db, page.id, &links).await?;
    Ok(Saved::Page(view_for(ctx, Some(user), &group, &page).await?))
}

async fn conflict(
    ctx: &Ctx,
    user: &CurrentUser,
    group: &groups::Model,
    page: &pages::Model,
    base: i64,
) -> Result<Saved> {
    let moderator = moderation::may_moderate(ctx, group, user.person.id, user.is_admin).await?;
    Ok(Saved::Conflict {
        diff: diff_of(ctx, page, base, page.revision, moderator, false).await?,
        current: view_for(ctx, Some(user), group, page).await?,
    })
}

/// A moderator reverts a page to the text of revision `input.revision` (a new revision).
pub async fn revert(
    ctx: &Ctx,
    user: &CurrentUser,
    handle: &str,
    slug: &str,
    input: PageRevert,
) -> Result<PageView> {
    let (group, page) = load(ctx, Some(user), handle, slug).await?;
    if !group.local {
        return Err(Error::forbidden(
            "a group on another instance keeps its pages there",
        ));
    }
    moderation::authorize(ctx, user, &group).await?;
    let old = storage::pages::revision(&ctx.db, page.id, input.revision)
        .await?
        .ok_or(Error::NotFound("revision"))?;
    let why = summary(&input.summary);
    let summary = if why.is_empty() {
        format!("Reverted to revision {}", old.number)
    } else {
        format!("Reverted to revision {}: {why}", old.number)
    };
    storage::pages::save(
        &ctx.db,
        page.id,
        page.revision,
        Save {
            body_html: render(&group, &old.body),
            title: old.title,
            body: old.body,
            author_id: user.person.id,
            summary,
            reverts: Some(old.number),
            now: now(),
        },
    )
    .await?
    .ok_or_else(|| {
        Error::refused(
            Code::EditConflict,
            "the page was saved meanwhile: try again",
        )
    })?;
    let (group, page) = load(ctx, Some(user), handle, slug).await?;
    let links = linked_posts(&page.body, &ctx.instance.domain);
    storage::pages::set_links(&ctx.db, page.id, &links).await?;
    view_for(ctx, Some(user), &group, &page).await
}

/// A moderator locks, unlocks, removes or restores a page.
pub async fn moderate(
    ctx: &Ctx,
    user: &CurrentUser,
    handle: &str,
    slug: &str,
    action: PageAction,
) -> Result<PageView> {
    let (group, page) = load(ctx, Some(user), handle, slug).await?;
    moderation::authorize(ctx, user, &group).await?;
    let (mut locked, mut removed) = (page.locked, page.removed);
    match action {
        PageAction::Lock => locked = true,
        PageAction::Unlock => locked = false,
        PageAction::Remove => removed = true,
        PageAction::Restore => removed = false,
    }
    storage::pages::set_state(&ctx.db, page.id, locked, removed).await?;
    let (group, page) = load(ctx, Some(user), handle, slug).await?;
    view_for(ctx, Some(user), &group, &page).await
}

/// A moderator sets who may edit a local group's pages.
pub async fn set_editors(
    ctx: &Ctx,
    user: &CurrentUser,
    handle: &str,
    editors: PageEditors,
) -> Result<()> {
    let group = find_by_handle(ctx, handle).await?;
    if !group.local {
        return Err(Error::forbidden(
            "a group on another instance is edited there",
        ));
    }
    moderation::authorize(ctx, user, &group).await?;
    storage::pages::set_editors(&ctx.db, group.id, editors.as_str()).await?;
    Ok(())
}

/// `r` as `viewer` may see it: a removed revision's title, summary and text only for
/// moderators (`moderator`).
fn revision_view(
    r: &page_revisions::Model,
    authors: &HashMap<i64, persons::Model>,
    with_body: bool,
    moderator: bool,
) -> RevisionView {
    let shown = !r.removed || moderator;
    let text = |t: &str| if shown { t.to_string() } else { String::new() };
    RevisionView {
        number: r.number,
        author: r
            .author_id
            .and_then(|a| authors.get(&a))
            .map(PersonRef::from),
        title: text(&r.title),
        summary: text(&r.summary),
        reverts: r.reverts,
        created_at: r.created_at,
        body: (with_body && shown).then(|| r.body.clone()),
        removed: r.removed,
    }
}

/// A page's history, newest first.
pub async fn history(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    handle: &str,
    slug: &str,
) -> Result<Vec<RevisionView>> {
    let (group, page) = load(ctx, viewer, handle, slug).await?;
    let moderator = moderates(ctx, &group, viewer).await?;
    let revisions = storage::pages::revisions(&ctx.db, page.id).await?;
    let authors =
        storage::persons::by_ids(&ctx.db, revisions.iter().filter_map(|r| r.author_id)).await?;
    Ok(revisions
        .iter()
        .map(|r| revision_view(r, &authors, false, moderator))
        .collect())
}

/// One revision of a page, with its text (a removed one's only for moderators).
pub async fn revision(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    handle: &str,
    slug: &str,
    number: i64,
) -> Result<RevisionView> {
    let (group, page) = load(ctx, viewer, handle, slug).await?;
    let moderator = moderates(ctx, &group, viewer).await?;
    let r = storage::pages::revision(&ctx.db, page.id, number)
        .await?
        .ok_or(Error::NotFound("revision"))?;
    let authors = storage::persons::by_ids(&ctx.db, r.author_id).await?;
    Ok(revision_view(&r, &authors, true, moderator))
}

/// What a moderator does to a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevisionAction {
    /// Hide its title, summary and text from everyone but moderators.
    Remove,
    /// Show them again.
    Restore,
}

/// A moderator removes or restores revision `number` of a page (not the newest: revert
/// first, so the page never reads as hidden text).
pub async fn moderate_revision(
    ctx: &Ctx,
    user: &CurrentUser,
    handle: &str,
    slug: &str,
    number: i64,
    action: RevisionAction,
) -> Result<RevisionView> {
    let (group, page) = load(ctx, Some(user), handle, slug).await?;
    moderation::authorize(ctx, user, &group).await?;
    if storage::pages::revision(&ctx.db, page.id, number)
        .await?
        .is_none()
    {
        return Err(Error::NotFound("revision"));
    }
    if number == page.revision && action == RevisionAction::Remove {
        return Err(Error::invalid(
            "number",
            "the newest revision is the page itself: revert to an older one first",
        ));
    }
    storage::pages::set_revision_removed(
        &ctx.db,
        page.id,
        number,
        action == RevisionAction::Remove,
    )
    .await?;
    revision(ctx, Some(user), handle, slug, number).await
}

/// What changed between revisions `from` and `to` of a page.
pub async fn diff(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    handle: &str,
    slug: &str,
    from: i64,
    to: i64,
) -> Result<PageDiff> {
    let (group, page) = load(ctx, viewer, handle, slug).await?;
    let moderator = moderates(ctx, &group, viewer).await?;
    diff_of(ctx, &page, from, to, moderator, true).await
}

/// The diff of two revisions. A removed revision counts as empty for someone who is not a
/// moderator, or (`refuse`) is refused.
async fn diff_of(
    ctx: &Ctx,
    page: &pages::Model,
    from: i64,
    to: i64,
    moderator: bool,
    refuse: bool,
) -> Result<PageDiff> {
    let mut texts = Vec::with_capacity(2);
    for number in [from, to] {
        let r = storage::pages::revision(&ctx.db, page.id, number)
            .await?
            .ok_or(Error::NotFound("revision"))?;
        if r.removed && !moderator {
            if refuse {
                return Err(Error::refused(
                    Code::Deleted,
                    format!("revision {number} was removed by a moderator"),
                ));
            }
            texts.push((String::new(), String::new()));
        } else {
            texts.push((r.title, r.body));
        }
    }
    let (new_title, new_body) = texts.pop().unwrap_or_default();
    let (old_title, old_body) = texts.pop().unwrap_or_default();
    Ok(PageDiff {
        from,
        to,
        lines: line_diff(&old_body, &new_body),
        from_title: old_title,
        to_title: new_title,
    })
}

/// The lines of `new` against `old` (`similar`'s Myers diff).
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    use similar::{ChangeTag, TextDiff};
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            op: match c.tag() {
                ChangeTag::Equal => DiffOp::Same,
                ChangeTag::Insert => DiffOp::Added,
                ChangeTag::Delete => DiffOp::Removed,
            },
            text: c.value().trim_end_matches(['\n', '\r']).to_string(),
        })
        .collect()
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
