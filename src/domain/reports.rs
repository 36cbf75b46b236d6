//! Reports: a member's report (`Flag`) of a post, a reply, a knowledge-base page or a person
//! to a group's moderators, stored once per `Flag` id wherever it arrives, listed for the moderators and
//! the reporter, and resolved by a moderator.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Ctx,
    accounts::CurrentUser,
    content::ContentRef,
    groups::find_by_handle,
    moderation::{Target, authorize, reason, target},
    now,
    views::{GroupRef, PersonRef},
};
use crate::{
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, pages, persons, reports},
        moderation::ReportScope,
    },
};

/// The report request: a post, a reply, or a person in a group.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReport {
    /// A post.
    #[serde(default)]
    pub post_id: Option<i64>,
    /// A reply.
    #[serde(default)]
    pub reply_id: Option<i64>,
    /// A page of a group's knowledge base (its local id).
    #[serde(default)]
    pub page_id: Option<i64>,
    /// A person (`user@host`), reported to the moderators of `group`.
    #[serde(default)]
    pub person: Option<String>,
    /// The group whose moderators get a report of a person.
    #[serde(default)]
    pub group: Option<String>,
    /// A picture or file the reported post, reply or page shows (its key or address): the
    /// report names it, for its moderators to remove.
    #[serde(default)]
    pub media: Option<String>,
    /// Why.
    #[schema(max_length = 1000)]
    pub reason: String,
}

/// What a report is about, resolved.
#[derive(Debug, Clone)]
pub enum Reported {
    /// Content.
    Content(Target),
    /// A page of the knowledge base, with its ActivityPub id.
    Page(Box<pages::Model>, String),
    /// A person.
    Person(persons::Model),
}

impl Reported {
    /// The ActivityPub id of what is reported.
    pub fn ap_id(&self) -> &str {
        match self {
            Self::Content(t) => t.ap_id(),
            Self::Page(_, id) => id,
            Self::Person(p) => &p.ap_id,
        }
    }
}

/// A report as moderators and the reporter see it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Report)]
pub struct ReportView {
    /// Local id.
    pub id: i64,
    /// The `Flag` activity's id (the same on every instance it reached).
    pub ap_id: String,
    /// The group whose moderators it is for.
    pub group: GroupRef,
    /// Who reported.
    pub reporter: Option<PersonRef>,
    /// The reported post (or the thread of the reported reply).
    pub post_id: Option<i64>,
    /// The reported reply.
    pub reply_id: Option<i64>,
    /// The reported page.
    pub page: Option<ReportedPage>,
    /// The reported person (or the author of the reported content).
    pub person: Option<PersonRef>,
    /// Why.
    pub reason: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When a moderator resolved it.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who resolved it.
    pub resolved_by: Option<PersonRef>,
}

/// A reported page, as a report shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportedPage {
    /// Local id.
    pub id: i64,
    /// Its address in the group.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Its web page.
    pub path: String,
}

/// Stores a report (a local member's, or one received): once per `ap_id`.
pub async fn store_report(
    ctx: &Ctx,
    ap_id: &str,
    group: &groups::Model,
    reporter_id: i64,
    reported: &Reported,
    reason: String,
) -> Result<reports::Model> {
    let (post_id, reply_id, person_id) = match reported {
        Reported::Content(Target::Post(p)) => (Some(p.id), None, Some(p.author_id)),
        Reported::Content(Target::Reply(r)) => (Some(r.post_id), Some(r.id), Some(r.author_id)),
        Reported::Page(..) => (None, None, None),
        Reported::Person(p) => (None, None, Some(p.id)),
    };
    let page_id = match reported {
        Reported::Page(p, _) => Some(p.id),
        _ => None,
    };
    Ok(storage::moderation::add_report(
        &ctx.db,
        reports::Model {
            id: 0,
            ap_id: ap_id.to_string(),
            group_id: group.id,
            reporter_id,
            post_id,
            reply_id,
            person_id,
            page_id,
            reason,
            created_at: now(),
            resolved_at: None,
            resolved_by: None,
        },
    )
    .await?)
}

/// A member reports a post, a reply, or a person (to a group's moderators). Returns the
/// stored report, the group, and what was reported, for sending on.
pub async fn report(
    ctx: &Ctx,
    user: &CurrentUser,
    input: NewReport,
    person: Option<persons::Model>,
) -> Result<(reports::Model, groups::Model, Reported)> {
    let reason = reason(Some(&input.reason))?
        .ok_or_else(|| Error::invalid("reason", "say why you report this"))?;
    let (reported, group) = match (input.post_id, input.reply_id, person) {
        (None, None, None) if input.page_id.is_some() => {
            let page = storage::pages::find_by_id(&ctx.db, input.page_id.unwrap_or_default())
                .await?
                .filter(|p| !p.removed)
                .ok_or(Error::NotFound("page"))?;
            let group = storage::groups::find(&ctx.db, page.group_id)
                .await?
                .ok_or(Error::NotFound("page"))?;
            let id = super::pages::page_id(&group, &page.slug);
            (Reported::Page(Box::new(page), id), group)
        }
        (Some(id), None, None) if input.page_id.is_none() => {
            let (t, g) = target(ctx, ContentRef::Post(id)).await?;
            (Reported::Content(t), g)
        }
        (None, Some(id), None) if input.page_id.is_none() => {
            let (t, g) = target(ctx, ContentRef::Reply(id)).await?;
            (Reported::Content(t), g)
        }
        (None, None, Some(p)) if input.page_id.is_none() => {
            let handle = input
                .group
                .as_deref()
                .ok_or_else(|| Error::invalid("group", "name the group whose moderators get it"))?;
            (Reported::Person(p), find_by_handle(ctx, handle).await?)
        }
        _ => {
            return Err(Error::invalid(
                "post_id",
                "report exactly one of post_id, reply_id, page_id or person",
            ));
        }
    };
    // Nothing of a members-only group is reported by someone who may not read it (its
    // existence included); reporting a person there stays open.
    if !matches!(reported, Reported::Person(_))
        && !super::members::may_read(ctx, &group, Some(user)).await?
    {
        return Err(Error::NotFound(match reported {
            Reported::Page(..) => "page",
            _ => "post or reply",
        }));
    }
    if let Reported::Content(t) = &reported
        && t.author_id() == user.person.id
    {
        return Err(Error::invalid(
            "post_id",
            "you cannot report what you wrote",
        ));
    }
    let reason = match input
        .media
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(named) => format!(
            "{reason}\n\nPicture: {}",
            reported_media(ctx, &reported, named).await?
        ),
        None => reason,
    };
    let ap_id = ctx.instance.activity_url("flag");
    let row = store_report(ctx, &ap_id, &group, user.person.id, &reported, reason).await?;
    Ok((row, group, reported))
}

/// The address of the upload `named` (a key, or an address ending in one) if what is
/// reported shows it.
async fn reported_media(ctx: &Ctx, reported: &Reported, named: &str) -> Result<String> {
    let last = named.rsplit('/').next().unwrap_or_default();
    let key = last.split(['.', '_']).next().unwrap_or_default();
    let shown = match reported {
        Reported::Content(Target::Post(p)) => Some((super::media::POST, p.id)),
        Reported::Content(Target::Reply(r)) => Some((super::media::REPLY, r.id)),
        Reported::Page(p, _) => Some((super::media::PAGE, p.id)),
        Reported::Person(_) => None,
    };
    let not_shown = || Error::invalid("media", "not a picture or file of what is reported");
    let m = storage::media::by_key(&ctx.db, key)
        .await?
        .ok_or_else(not_shown)?;
    let uses = storage::media::uses(&ctx.db, m.id).await?;
    if shown.is_none_or(|s| !uses.contains(&s)) {
        return Err(not_shown());
    }
    Ok(super::media::file_url(ctx, &m))
}

/// Views of report rows.
pub async fn report_views(ctx: &Ctx, rows: Vec<reports::Model>) -> Result<Vec<ReportView>> {
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.reporter_id), r.person_id, r.resolved_by])
        .flatten()
        .collect();
    let people = storage::persons::by_ids(&ctx.db, ids).await?;
    let mut groups = std::collections::HashMap::new();
    for r in &rows {
        if let std::collections::hash_map::Entry::Vacant(e) = groups.entry(r.group_id)
            && let Some(g) = storage::groups::find(&ctx.db, r.group_id).await?
        {
            e.insert(g);
        }
    }
    let person = |id: Option<i64>| id.and_then(|i| people.get(&i)).map(PersonRef::from);
    let mut pages = std::collections::HashMap::new();
    for id in rows.iter().filter_map(|r| r.page_id) {
        if let Some(p) = storage::pages::find_by_id(&ctx.db, id).await? {
            pages.insert(id, p);
        }
    }
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let group = groups.get(&r.group_id)?;
            Some(ReportView {
                id: r.id,
                group: GroupRef::from(group),
                page: r
                    .page_id
                    .and_then(|id| pages.get(&id))
                    .map(|p| ReportedPage {
                        id: p.id,
                        slug: p.slug.clone(),
                        title: p.title.clone(),
                        path: super::pages::path(group, &p.slug),
                    }),
                reporter: person(Some(r.reporter_id)),
                person: person(r.person_id),
                resolved_by: person(r.resolved_by),
                ap_id: r.ap_id,
                post_id: r.post_id,
                reply_id: r.reply_id,
                reason: r.reason,
                created_at: r.created_at,
                resolved_at: r.resolved_at,
            })
        })
        .collect())
}

/// Most reports one listing shows.
const REPORTS_LIMIT: u64 = 200;

/// A group's reports, for its moderators; unresolved ones unless `include_resolved`.
pub async fn group_reports(
    ctx: &Ctx,
    user: &CurrentUser,
    group_handle: &str,
    include_resolved: bool,
) -> Result<Vec<ReportView>> {
    let group = find_by_handle(ctx, group_handle).await?;
    authorize(ctx, user, &group).await?;
    let rows = storage::moderation::reports(
        &ctx.db,
        ReportScope::Group(group.id),
        include_resolved,
        REPORTS_LIMIT,
    )
    .await?;
    report_views(ctx, rows).await
}

/// The reports a member made; for an administrator, every report stored here.
pub async fn my_reports(ctx: &Ctx, user: &CurrentUser) -> Result<Vec<ReportView>> {
    let scope = if user.is_admin {
        ReportScope::All
    } else {
        ReportScope::Reporter(user.person.id)
    };
    let rows = storage::moderation::reports(&ctx.db, scope, true, REPORTS_LIMIT).await?;
    report_views(ctx, rows).await
}

/// A moderator resolves a report. Returns the report and its group, and whether it was
/// open until now.
pub async fn resolve(
    ctx: &Ctx,
    user: &CurrentUser,
    id: i64,
) -> Result<(reports::Model, groups::Model, bool)> {
    let report = storage::moderation::find_report(&ctx.db, id)
        .await?
        .ok_or(Error::NotFound("report"))?;
    let group = storage::groups::find(&ctx.db, report.group_id)
        .await?
        .ok_or(Error::NotFound("report"))?;
    authorize(ctx, user, &group).await?;
    let changed =
        storage::moderation::resolve_report(&ctx.db, report.id, user.person.id, now()).await?;
    Ok((report, group, changed))
}

/// The group (id) a post or reply belongs to.
pub async fn group_of(ctx: &Ctx, t: &Target) -> Result<i64> {
    Ok(match t {
        Target::Post(p) => p.group_id,
        Target::Reply(r) => {
            storage::posts::find(&ctx.db, r.post_id)
                .await?
                .ok_or(Error::NotFound("post"))?
                .group_id
        }
    })
}
