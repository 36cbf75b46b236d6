//! Knowledge-base pages over ActivityPub (wire types in `protocol::pages`): the `Article`
//! and history documents of a page kept here, what a save here sends (the group announces
//! it), what a member here sends to a group hosted elsewhere (a proposal), and the `Reject`
//! a group here answers a refused edit with.

use activitypub_federation::{
    fetch::object_id::ObjectId,
    kinds::activity::{AnnounceType, DeleteType, RejectType, UndoType},
    traits::{Actor as _, Object as _},
};
use url::Url;

use super::{
    actors::{DbGroup, DbPerson},
    documents::url,
    outbox::{self, new_id},
    protocol::{
        OrderedCollection, Source,
        content::{
            Announce, Announced, CreateOrUpdateKind, Delete, GroupActivity, ObjectRef, UndoDelete,
        },
        pages::{Article, ArticleType, PageActivity, Reject, Revision, RevisionType},
    },
};
use crate::{
    delivery,
    domain::{
        Ctx,
        pages::{Refusal, page_id},
    },
    error::{Error, Result},
    services::Services,
    storage::{
        self,
        entities::{groups, page_proposals, pages, persons},
    },
};

/// The page's history collection: `{page id}/history`.
fn history_id(page: &str) -> Result<Url> {
    url(&format!("{page}/history"))
}

/// The id of revision `number` of a page: `{page id}/revisions/{number}`.
fn revision_id(page: &str, number: i64) -> Result<Url> {
    url(&format!("{page}/revisions/{number}"))
}

/// The person who wrote `page` (its creator), by id; the group when their account is gone.
async fn creator(ctx: &Ctx, group: &groups::Model, page: &pages::Model) -> Result<Url> {
    let person = match page.creator_id {
        Some(id) => storage::persons::find(&ctx.db, id).await?,
        None => None,
    };
    url(person.as_ref().map_or(&group.ap_id, |p| &p.ap_id))
}

/// The `Article` of a page of a group hosted here, at its newest revision.
pub async fn article(ctx: &Ctx, group: &groups::Model, page: &pages::Model) -> Result<Article> {
    let id = page_id(group, &page.slug);
    let newest = storage::pages::revision(&ctx.db, page.id, page.revision).await?;
    let group_id = url(&group.ap_id)?;
    Ok(Article {
        kind: ArticleType::Article,
        id: url(&id)?,
        attributed_to: creator(ctx, group, page).await?,
        to: vec![super::documents::addressed_to(group)?],
        cc: vec![group_id.clone()],
        audience: group_id,
        name: page.title.clone(),
        content: crate::media::remote::unproxied(&page.body_html, &ctx.instance),
        media_type: Some("text/html".into()),
        source: Source::markdown(&page.body),
        url: Some(url(&id)?),
        published: Some(page.created_at),
        updated: Some(page.updated_at),
        history: history_id(&id)?,
        revision: page.revision,
        base_revision: None,
        edit_summary: newest
            .as_ref()
            .map(|r| r.summary.clone())
            .filter(|s| !s.is_empty()),
        reverts: newest.and_then(|r| r.reverts),
        locked: page.locked,
        removed: page.removed,
        removed_revisions: storage::pages::removed_revisions(&ctx.db, page.id).await?,
    })
}

/// A page's history as a collection of its revisions, newest first (a removed revision's
/// title and text left out).
pub async fn history(
    ctx: &Ctx,
    group: &groups::Model,
    page: &pages::Model,
) -> Result<OrderedCollection<Revision>> {
    let id = page_id(group, &page.slug);
    let revisions = storage::pages::revisions(&ctx.db, page.id).await?;
    let authors =
        storage::persons::by_ids(&ctx.db, revisions.iter().filter_map(|r| r.author_id)).await?;
    let items = revisions
        .iter()
        .map(|r| {
            Ok(Revision {
                kind: RevisionType::Revision,
                id: revision_id(&id, r.number)?,
                revision_of: url(&id)?,
                number: r.number,
                attributed_to: r
                    .author_id
                    .and_then(|a| authors.get(&a))
                    .map(|p| url(&p.ap_id))
                    .transpose()?,
                published: r.created_at,
                edit_summary: Some(r.summary.clone()).filter(|s| !s.is_empty() && !r.removed),
                reverts: r.reverts,
                name: (!r.removed).then(|| r.title.clone()),
                source: (!r.removed).then(|| Source::markdown(&r.body)),
                removed: r.removed,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(OrderedCollection::of(
        history_id(&id)?,
        items.len() as u64,
        Some(items),
    ))
}

/// One revision of a page, as its history lists it.
pub async fn revision(
    ctx: &Ctx,
    group: &groups::Model,
    page: &pages::Model,
    number: i64,
) -> Result<Revision> {
    history(ctx, group, page)
        .await?
        .ordered_items
        .into_iter()
        .flatten()
        .find(|r| r.number == number)
        .ok_or(Error::NotFound("revision"))
}

/// A save here of page `page_id` by `actor` (a new page, an edit, a revert, a moderator's
/// lock or removal): the group announces it to its followers. A new page is also announced
/// as itself, the form Mastodon shows; its edits are not, so they never show twice.
pub async fn published(
    ctx: &Services,
    page_id: i64,
    actor: &persons::Model,
    kind: CreateOrUpdateKind,
) -> Result<()> {
    let page = storage::pages::find_by_id(&ctx.db, page_id)
        .await?
        .ok_or(Error::NotFound("page"))?;
    let group = storage::groups::find(&ctx.db, page.group_id)
        .await?
        .ok_or(Error::NotFound("group"))?;
    if !group.local || !storage::followers::has_remote(&ctx.db, group.id).await? {
        return Ok(());
    }
    let object = article(ctx, &group, &page).await?;
    let activity = PageActivity {
        actor: ObjectId::from(url(&actor.ap_id)?),
        to: object.to.clone(),
        cc: object.cc.clone(),
        audience: object.audience.clone(),
        object,
        kind,
        id: new_id(
            ctx,
            match kind {
                CreateOrUpdateKind::Create => "create",
                CreateOrUpdateKind::Update => "update",
            },
        )?,
    };
    announce(ctx, &group, activity).await
}

/// A moderator here removed (or restored) a page of a group here: besides the `Update`
/// (which Cohort instances read), the group announces the removal as the Lemmy family
/// removes a post, a moderator's `Delete` of the page's id (`Undo{Delete}` to restore), so
/// the post Lemmy made of the page goes (or comes back) too. Cohort instances find no post
/// or reply of that id and pass it by.
pub async fn removal(
    ctx: &Services,
    id: i64,
    moderator: &persons::Model,
    removed: bool,
) -> Result<()> {
    let page = storage::pages::find_by_id(&ctx.db, id)
        .await?
        .ok_or(Error::NotFound("page"))?;
    let group = storage::groups::find(&ctx.db, page.group_id)
        .await?
        .ok_or(Error::NotFound("group"))?;
    if !group.local || !storage::followers::has_remote(&ctx.db, group.id).await? {
        return Ok(());
    }
    let group_id = url(&group.ap_id)?;
    let actor = ObjectId::from(url(&moderator.ap_id)?);
    let delete = Delete {
        actor: actor.clone(),
        object: ObjectRef::Id(url(&page_id(&group, &page.slug))?),
        kind: DeleteType::Delete,
        id: new_id(ctx, "delete")?,
        to: vec![super::documents::addressed_to(&group)?],
        cc: vec![group_id.clone()],
        audience: Some(group_id.clone()),
        summary: Some("Removed from the group's knowledge base by a moderator".into()),
    };
    let activity = if removed {
        GroupActivity::Delete(delete)
    } else {
        GroupActivity::UndoDelete(UndoDelete {
            actor,
            object: delete,
            kind: UndoType::Undo,
            id: new_id(ctx, "undo")?,
            to: vec![super::documents::addressed_to(&group)?],
            cc: vec![group_id.clone()],
            audience: Some(group_id),
        })
    };
    outbox::announce_to_followers(ctx, &group, activity, None).await
}

/// The group here relays `activity` to its followers; a new page also as itself, to the
/// followers whose software needs that (Mastodon shows the `Article`; the Lemmy family
/// refuses it).
async fn announce(ctx: &Services, group: &groups::Model, activity: PageActivity) -> Result<()> {
    let plain = (activity.kind == CreateOrUpdateKind::Create && !activity.object.removed)
        .then(|| activity.object.clone());
    outbox::announce_to_followers(ctx, group, GroupActivity::Page(Box::new(activity)), None)
        .await?;
    if let Some(object) = plain {
        let g = DbGroup::new(group.clone())?;
        let followers = url(&format!("{}/followers", group.ap_id))?;
        let wrapped = Announce {
            actor: ObjectId::from(g.id().clone()),
            object: Announced::Page(Box::new(object)),
            kind: AnnounceType::Announce,
            id: new_id(ctx, "announce")?,
            to: vec![super::documents::addressed_to(group)?],
            cc: vec![followers],
        };
        delivery::send_to_microblog_followers(ctx, &wrapped, &wrapped.id, g.id(), group.id).await?;
    }
    Ok(())
}

/// The group here saved `activity`, a member's from elsewhere: it relays it to its
/// followers under its own id and actor, with the page as the group now has it (the
/// revision number and text the group stored, not the sender's claim).
pub async fn relay(
    ctx: &Services,
    group: &groups::Model,
    page: &pages::Model,
    mut activity: PageActivity,
) -> Result<()> {
    if !storage::followers::has_remote(&ctx.db, group.id).await? {
        return Ok(());
    }
    activity.object = article(ctx, group, page).await?;
    announce(ctx, group, activity).await
}

/// The group here refuses `activity` (by `person`, elsewhere): a `Reject` to them saying
/// why. Nothing of the activity was stored.
pub async fn reject(
    ctx: &Services,
    group: &groups::Model,
    person: &persons::Model,
    activity: &PageActivity,
    refusal: &Refusal,
) -> Result<()> {
    let g = DbGroup::new(group.clone())?;
    let p = DbPerson::new(person.clone())?;
    let reject = Reject {
        actor: ObjectId::from(g.id().clone()),
        object: ObjectRef::Id(activity.id.clone()),
        kind: RejectType::Reject,
        id: new_id(ctx, "reject")?,
        to: vec![activity.actor.inner().clone()],
        summary: Some(refusal.message.clone()),
        reason: Some(refusal.code.to_string()),
        revision: refusal.revision,
    };
    delivery::send(
        ctx,
        &reject,
        &reject.id,
        g.id(),
        vec![p.shared_inbox_or_inbox()],
    )
    .await
}

/// A member here sends their proposal (stored as `proposal`) to the group hosted
/// elsewhere: `Create{Article}` for a new page, `Update{Article}` naming its base revision.
pub async fn propose(ctx: &Services, proposal: &page_proposals::Model) -> Result<()> {
    let group = storage::groups::find(&ctx.db, proposal.group_id)
        .await?
        .ok_or(Error::NotFound("group"))?;
    let person = storage::persons::find(&ctx.db, proposal.person_id)
        .await?
        .ok_or(Error::NotFound("person"))?;
    let id = page_id(&group, &proposal.slug);
    let (kind, creator) = match proposal.base_revision {
        None => (CreateOrUpdateKind::Create, url(&person.ap_id)?),
        Some(_) => {
            let copy = storage::pages::find(&ctx.db, group.id, &proposal.slug)
                .await?
                .ok_or(Error::NotFound("page"))?;
            (
                CreateOrUpdateKind::Update,
                creator(ctx, &group, &copy).await?,
            )
        }
    };
    let group_id = url(&group.ap_id)?;
    let object = Article {
        kind: ArticleType::Article,
        id: url(&id)?,
        attributed_to: creator,
        to: vec![super::documents::addressed_to(&group)?],
        cc: vec![group_id.clone()],
        audience: group_id.clone(),
        name: proposal.title.clone(),
        content: crate::media::remote::unproxied(
            &crate::domain::pages::render(&ctx.instance, &group, &proposal.body),
            &ctx.instance,
        ),
        media_type: Some("text/html".into()),
        source: Source::markdown(&proposal.body),
        url: Some(url(&id)?),
        published: None,
        updated: Some(proposal.created_at),
        history: history_id(&id)?,
        revision: proposal.base_revision.map_or(1, |b| b + 1),
        base_revision: proposal.base_revision,
        edit_summary: Some(proposal.summary.clone()).filter(|s| !s.is_empty()),
        reverts: None,
        locked: false,
        removed: false,
        removed_revisions: vec![],
    };
    let mut object = object;
    if proposal.base_revision.is_some()
        && let Some(copy) = storage::pages::find(&ctx.db, group.id, &proposal.slug).await?
    {
        // The moderators' state as known here: an edit does not change it.
        object.locked = copy.locked;
        object.removed = copy.removed;
    }
    let actor = url(&person.ap_id)?;
    let activity = PageActivity {
        actor: ObjectId::from(actor.clone()),
        to: object.to.clone(),
        cc: object.cc.clone(),
        audience: group_id,
        object,
        kind,
        id: url(&proposal.activity_id)?,
    };
    let g = DbGroup::new(group)?;
    delivery::send(
        ctx,
        &activity,
        &activity.id,
        &actor,
        vec![g.shared_inbox_or_inbox()],
    )
    .await
}

/// Most revisions read from a page's history collection.
pub const MAX_HISTORY: usize = 200;

/// The revisions of a page of a group hosted elsewhere, read from its history collection at
/// its home (`{page id}/history`, nowhere else): those numbered below `below`, newest first,
/// at most [`MAX_HISTORY`]. Each is checked to be of this page (`{page id}/revisions/{n}`).
pub async fn fetch_history(
    data: &activitypub_federation::config::Data<Services>,
    article: &Article,
    below: i64,
) -> Result<Vec<Revision>> {
    let page = article.id.as_str();
    if article.history != history_id(page)? {
        return Err(Error::refused(
            crate::error::Code::InvalidObject,
            "a page's history is at {page id}/history",
        ));
    }
    let collection: OrderedCollection<serde_json::Value> =
        activitypub_federation::fetch::fetch_object_http(&article.history, data)
            .await?
            .object;
    let mut out = vec![];
    for item in collection.ordered_items.into_iter().flatten() {
        let Ok(r) = serde_json::from_value::<Revision>(item) else {
            continue;
        };
        if r.number < 1
            || r.number >= below
            || r.revision_of != article.id
            || r.id != revision_id(page, r.number)?
        {
            continue;
        }
        out.push(r);
        if out.len() == MAX_HISTORY {
            break;
        }
    }
    Ok(out)
}
