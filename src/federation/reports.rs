//! Reports over ActivityPub, outgoing: a member's `Flag` of a post, a reply or a person, sent
//! to the group; a group hosted here passes it (and a moderator's `Resolve`), announced, to
//! its remote moderators' servers and the reporter's, as Lemmy 0.20 does. Receiving them is
//! `inbox::reports`.

pub use super::protocol::reports::{Flag, Reportable, Resolve, ResolveType};
use activitypub_federation::{
    fetch::object_id::ObjectId,
    kinds::activity::{AnnounceType, FlagType},
    traits::{Actor as _, Object as _},
};
use url::Url;

use super::{
    actors::{DbGroup, DbPerson},
    documents::url,
    outbox::new_id,
    protocol::content::{Announce, Announced, GroupActivity},
};
use crate::services::Services;
use crate::{
    delivery,
    domain::reports::Reported,
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, persons, reports as report_rows},
    },
};

/// A group hosted here passes a report (or its resolution) on, announced, to the servers of
/// its remote moderators and of the reporter, so that it reaches the moderators wherever they
/// are and the reporter's instance keeps it current.
pub async fn forward_to_moderators(
    data: &Services,
    group: &groups::Model,
    report: &report_rows::Model,
    activity: GroupActivity,
) -> Result<()> {
    let mods = storage::groups::moderators(&data.db, &[group.id]).await?;
    let mut people: Vec<persons::Model> = mods.get(&group.id).cloned().unwrap_or_default();
    if let Some(r) = storage::persons::find(&data.db, report.reporter_id).await? {
        people.push(r);
    }
    let mut inboxes: Vec<Url> = vec![];
    let mut addressed: Vec<Url> = vec![];
    for p in people.into_iter().filter(|p| !p.local) {
        addressed.push(url(&p.ap_id)?);
        let inbox = DbPerson::new(p)?.shared_inbox_or_inbox();
        if !inboxes.contains(&inbox) {
            inboxes.push(inbox);
        }
    }
    if inboxes.is_empty() {
        return Ok(());
    }
    let g = DbGroup::new(group.clone())?;
    let wrapped = Announce {
        actor: ObjectId::from(g.id().clone()),
        object: Announced::Activity(Box::new(activity)),
        kind: AnnounceType::Announce,
        id: new_id(data, "announce")?,
        // Not public: addressed to the moderators and the reporter it is delivered to.
        to: addressed,
        cc: vec![],
    };
    delivery::send(data, &wrapped, &wrapped.id, g.id(), inboxes).await
}

fn flag_for(
    reporter: &Url,
    group: &groups::Model,
    report: &report_rows::Model,
    reported: &str,
) -> Result<Flag> {
    let group_id = url(&group.ap_id)?;
    Ok(Flag {
        actor: ObjectId::from(reporter.clone()),
        to: vec![group_id.clone()],
        object: Reportable::One(url(reported)?),
        summary: Some(report.reason.clone()),
        content: None,
        kind: FlagType::Flag,
        id: url(&report.ap_id)?,
        audience: Some(group_id),
    })
}

/// Sends a local member's report to the group's moderators: to the group's server when it is
/// remote, else straight to the servers of its remote moderators.
pub async fn publish_report(
    data: &Services,
    reporter: &persons::Model,
    report: &report_rows::Model,
    group: &groups::Model,
    what: &Reported,
) -> Result<()> {
    let actor = url(&reporter.ap_id)?;
    let flag = flag_for(&actor, group, report, what.ap_id())?;
    if group.local {
        return forward_to_moderators(data, group, report, GroupActivity::Flag(flag)).await;
    }
    let g = DbGroup::new(group.clone())?;
    delivery::send(
        data,
        &flag,
        &flag.id,
        &actor,
        vec![g.shared_inbox_or_inbox()],
    )
    .await
}

/// Sends a local moderator's resolution of a report on, as [`publish_report`] does.
pub async fn publish_resolve(
    data: &Services,
    moderator: &persons::Model,
    report: &report_rows::Model,
    group: &groups::Model,
) -> Result<()> {
    let reporter = storage::persons::find(&data.db, report.reporter_id)
        .await?
        .ok_or(Error::NotFound("reporter"))?;
    let page = match report.page_id {
        Some(id) => storage::pages::find_by_id(&data.db, id).await?,
        None => None,
    };
    let reported = match (report.reply_id, report.post_id, report.person_id) {
        _ if page.is_some() => page.map(|p| crate::domain::pages::page_id(group, &p.slug)),
        (Some(id), _, _) => storage::replies::find(&data.db, id).await?.map(|r| r.ap_id),
        (None, Some(id), _) => storage::posts::find(&data.db, id).await?.map(|p| p.ap_id),
        (None, None, Some(id)) => storage::persons::find(&data.db, id).await?.map(|p| p.ap_id),
        _ => None,
    }
    .ok_or(Error::NotFound("reported object"))?;
    let actor = url(&moderator.ap_id)?;
    let group_id = url(&group.ap_id)?;
    let resolve = Resolve {
        actor: ObjectId::from(actor.clone()),
        to: vec![group_id.clone()],
        object: flag_for(&url(&reporter.ap_id)?, group, report, &reported)?,
        kind: ResolveType::Resolve,
        id: new_id(data, "resolve")?,
        audience: Some(group_id),
    };
    if group.local {
        return forward_to_moderators(data, group, report, GroupActivity::Resolve(resolve)).await;
    }
    let g = DbGroup::new(group.clone())?;
    delivery::send(
        data,
        &resolve,
        &resolve.id,
        &actor,
        vec![g.shared_inbox_or_inbox()],
    )
    .await
}
