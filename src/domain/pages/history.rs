//! A page's history: its revisions (a removed one's text for moderators only), the line
//! diff between any two, and a moderator removing or restoring an older revision's text.

use super::*;

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
    elsewhere(&group)?;
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
pub(super) async fn diff_of(
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
