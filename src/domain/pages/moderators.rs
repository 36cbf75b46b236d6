//! Moderators and a group's pages: reverting to an older revision, locking, removing and
//! restoring a page, and choosing who may edit the group's pages.

use super::*;

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

/// Moderators act on a page at its home: refused for a group hosted elsewhere.
pub(super) fn elsewhere(group: &groups::Model) -> Result<()> {
    if group.local {
        Ok(())
    } else {
        Err(Error::forbidden(
            "a group on another instance moderates its pages there",
        ))
    }
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
    elsewhere(&group)?;
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
            body_html: render(&ctx.instance, &group, &old.body),
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
    elsewhere(&group)?;
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
