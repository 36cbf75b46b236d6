//! The knowledge base: writing, editing, reverting and moderating a group's pages, each in one
//! unit. Pages do not federate yet: nothing is queued for other servers.

use super::Unit;
use crate::{
    domain::{
        accounts::CurrentUser,
        pages::{
            self, NewPage, PageAction, PageEdit, PageEditors, PageFromThread, PageRevert, PageView,
            RevisionAction, RevisionView, Saved,
        },
    },
    error::Result,
    services::Services,
};

/// `user` writes a new page in the group of `handle`.
pub async fn create(
    ctx: &Services,
    user: &CurrentUser,
    handle: &str,
    input: NewPage,
) -> Result<PageView> {
    let unit = Unit::begin(ctx).await?;
    let view = pages::create(unit.ctx(), user, handle, input).await?;
    unit.commit().await?;
    Ok(view)
}

/// `user` saves an edit of a page; an edit made on an older revision is a conflict and
/// stores nothing.
pub async fn edit(
    ctx: &Services,
    user: &CurrentUser,
    handle: &str,
    slug: &str,
    input: PageEdit,
) -> Result<Saved> {
    let unit = Unit::begin(ctx).await?;
    let saved = pages::edit(unit.ctx(), user, handle, slug, input).await?;
    unit.commit().await?;
    Ok(saved)
}

/// A moderator reverts a page to an older revision's text.
pub async fn revert(
    ctx: &Services,
    user: &CurrentUser,
    handle: &str,
    slug: &str,
    input: PageRevert,
) -> Result<PageView> {
    let unit = Unit::begin(ctx).await?;
    let view = pages::revert(unit.ctx(), user, handle, slug, input).await?;
    unit.commit().await?;
    Ok(view)
}

/// A moderator locks, unlocks, removes or restores a page.
pub async fn moderate(
    ctx: &Services,
    user: &CurrentUser,
    handle: &str,
    slug: &str,
    action: PageAction,
) -> Result<PageView> {
    let unit = Unit::begin(ctx).await?;
    let view = pages::moderate(unit.ctx(), user, handle, slug, action).await?;
    unit.commit().await?;
    Ok(view)
}

/// A moderator sets who may edit a group's pages.
pub async fn set_editors(
    ctx: &Services,
    user: &CurrentUser,
    handle: &str,
    editors: PageEditors,
) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    pages::set_editors(unit.ctx(), user, handle, editors).await?;
    unit.commit().await
}

/// `user` makes a new page of a thread (its question and accepted answer, attributed).
pub async fn from_thread(
    ctx: &Services,
    user: &CurrentUser,
    post_id: i64,
    input: PageFromThread,
) -> Result<PageView> {
    let unit = Unit::begin(ctx).await?;
    let view = pages::from_thread(unit.ctx(), user, post_id, input).await?;
    unit.commit().await?;
    Ok(view)
}

/// A moderator removes or restores an older revision's text.
pub async fn moderate_revision(
    ctx: &Services,
    user: &CurrentUser,
    handle: &str,
    slug: &str,
    number: i64,
    action: RevisionAction,
) -> Result<RevisionView> {
    let unit = Unit::begin(ctx).await?;
    let view = pages::moderate_revision(unit.ctx(), user, handle, slug, number, action).await?;
    unit.commit().await?;
    Ok(view)
}
