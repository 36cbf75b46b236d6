//! The knowledge base: writing, editing, reverting and moderating a group's pages, each in one
//! unit with what it sends. A save in a group hosted here is announced by the group to its
//! followers; an edit of a page of a group hosted elsewhere is kept as a proposal and sent to
//! the group (`federation::pages`). The group's answer arrives through the inbox:
//! [`receive_remote`] (a group here takes a member's edit from elsewhere, or refuses it with
//! `Reject`), [`mirror_remote`] (a group elsewhere announced a save), [`refused_remote`].

use super::Unit;
use crate::{
    domain::{
        accounts::CurrentUser,
        media,
        pages::{
            self, Incoming, Mirrored, NewPage, PageAction, PageEdit, PageEditors, PageFromThread,
            PageRevert, PageView, Past, ProposalView, Received, RevisionAction, RevisionView,
            Saved, Written,
        },
    },
    error::{Error, Result},
    federation::{
        self,
        protocol::{content::CreateOrUpdateKind, pages::PageActivity},
    },
    services::Services,
    storage::entities::{groups, persons},
};

/// Sends what writing a page did: the group here announces it, or the proposal goes to
/// the group elsewhere.
async fn send_written(ctx: &Services, person: &persons::Model, written: &Written) -> Result<()> {
    match written {
        Written::Page(v) => {
            federation::pages::published(ctx, v.id, person, CreateOrUpdateKind::Create).await
        }
        Written::Sent(p) => send_proposal(ctx, p).await,
    }
}

async fn send_proposal(ctx: &Services, p: &ProposalView) -> Result<()> {
    let (stored, _) = pages::proposal(ctx, &p.activity_id)
        .await?
        .ok_or(Error::NotFound("proposal"))?;
    federation::pages::propose(ctx, &stored).await
}

/// Announces a save of page `page_id` by `person` (an edit, a revert, a moderator's action).
async fn updated(ctx: &Services, person: &persons::Model, page_id: i64) -> Result<()> {
    federation::pages::published(ctx, page_id, person, CreateOrUpdateKind::Update).await
}

/// `user` writes a new page in the group of `handle`.
pub async fn create(
    ctx: &Services,
    user: &CurrentUser,
    handle: &str,
    input: NewPage,
) -> Result<Written> {
    let unit = Unit::begin(ctx).await?;
    let written = pages::create(unit.ctx(), user, handle, input).await?;
    if let Written::Page(v) = &written {
        media::link_page(unit.ctx(), v.id, user.person.id).await?;
    }
    send_written(unit.ctx(), &user.person, &written).await?;
    unit.commit().await?;
    Ok(written)
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
    let base = input.base_revision;
    let saved = pages::edit(unit.ctx(), user, handle, slug, input).await?;
    match &saved {
        Saved::Page(v) if v.revision > base => {
            media::link_page(unit.ctx(), v.id, user.person.id).await?;
            updated(unit.ctx(), &user.person, v.id).await?
        }
        Saved::Sent(p) => send_proposal(unit.ctx(), p).await?,
        Saved::Page(_) | Saved::Conflict { .. } => {}
    }
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
    media::link_page(unit.ctx(), view.id, user.person.id).await?;
    updated(unit.ctx(), &user.person, view.id).await?;
    unit.commit().await?;
    Ok(view)
}

/// A moderator locks, unlocks, removes or restores a page; a removal (or restore) is also
/// sent as the Lemmy family removes a post.
pub async fn moderate(
    ctx: &Services,
    user: &CurrentUser,
    handle: &str,
    slug: &str,
    action: PageAction,
) -> Result<PageView> {
    let unit = Unit::begin(ctx).await?;
    let (_, before) = pages::load(unit.ctx(), Some(user), handle, slug).await?;
    let view = pages::moderate(unit.ctx(), user, handle, slug, action).await?;
    updated(unit.ctx(), &user.person, view.id).await?;
    if before.removed != view.removed {
        federation::pages::removal(unit.ctx(), view.id, &user.person, view.removed).await?;
    }
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
) -> Result<Written> {
    let unit = Unit::begin(ctx).await?;
    let written = pages::from_thread(unit.ctx(), user, post_id, input).await?;
    if let Written::Page(v) = &written {
        media::link_page(unit.ctx(), v.id, user.person.id).await?;
    }
    send_written(unit.ctx(), &user.person, &written).await?;
    unit.commit().await?;
    Ok(written)
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
    let (_, page) = pages::load(unit.ctx(), Some(user), handle, slug).await?;
    updated(unit.ctx(), &user.person, page.id).await?;
    unit.commit().await?;
    Ok(view)
}

/// A group hosted here takes `person`'s page activity from elsewhere (`incoming`, read from
/// `activity`): stored and relayed to the group's followers, or refused with a `Reject` to
/// them and nothing stored. The same text again stores nothing and is answered with a
/// `Reject` saying so (`unchanged`).
pub async fn receive_remote(
    ctx: &Services,
    group: &groups::Model,
    person: &persons::Model,
    incoming: Incoming,
    activity: PageActivity,
) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    match pages::receive(c, group, person, incoming).await? {
        Received::Saved(page) => federation::pages::relay(c, group, &page, activity).await?,
        Received::Unchanged => {
            // Answered all the same, so the sender's proposal does not wait forever.
            let r = pages::Refusal {
                code: "unchanged",
                message: "the page already reads like this edit".into(),
                revision: None,
            };
            federation::pages::reject(c, group, person, &activity, &r).await?;
        }
        Received::Refused(r) => {
            tracing::info!(activity = %activity.id, code = r.code, reason = %r.message,
                "page activity refused");
            federation::pages::reject(c, group, person, &activity, &r).await?;
        }
    }
    unit.commit().await
}

/// A group hosted elsewhere announced a save of one of its pages: the copy here follows it;
/// `past` fills in older revisions it lacked; `proposal` names the activity when it was a
/// person here's edit (now accepted).
pub async fn mirror_remote(
    ctx: &Services,
    group: &groups::Model,
    author: &persons::Model,
    creator: &persons::Model,
    mirrored: Mirrored,
    past: &[Past],
    proposal: Option<&str>,
) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    pages::mirror(c, group, author, creator, mirrored, past).await?;
    if let Some(id) = proposal {
        pages::proposal_answered(c, id, None).await?;
    }
    unit.commit().await
}

/// A group hosted elsewhere refused the proposal sent as `activity_id`.
pub async fn refused_remote(ctx: &Services, activity_id: &str, reason: &str) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    pages::proposal_answered(unit.ctx(), activity_id, Some(reason)).await?;
    unit.commit().await
}
