//! Reports over ActivityPub: a member's `Flag` of a post, a reply or a person, sent to the
//! group; a group hosted here passes it (and a moderator's `Resolve`), announced, to its
//! remote moderators' servers and the reporter's, as Lemmy 0.20 does. Mastodon's `Flag`
//! (from its instance actor, naming no group, several objects) is read too.

pub use super::protocol::reports::{Flag, Reportable, Resolve, ResolveType};
use crate::error::Code;
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::{AnnounceType, FlagType},
    traits::{Actor as _, Object as _},
};
use url::Url;

use super::{
    activities::new_id,
    actors::{DbGroup, DbPerson},
    content::{Announce, Announced, GroupActivity},
    documents::url,
    moderation::{group_by_id, person, remote_reason, stored_target},
    objects::Content,
};
use crate::services::{Services, Unit};
use crate::{
    delivery,
    domain::{
        moderation::Target,
        now,
        reports::{self, Reported},
    },
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, persons, reports as report_rows},
    },
};

impl Flag {
    fn objects(&self) -> Vec<&Url> {
        match &self.object {
            Reportable::One(u) => vec![u],
            Reportable::Many(v) => v.iter().collect(),
        }
    }

    fn reason(&self) -> String {
        remote_reason(self.summary.as_deref().or(self.content.as_deref()))
            .unwrap_or_else(|| "(no reason given)".into())
    }

    /// The group it names: `to` or `audience`.
    fn named_groups(&self) -> impl Iterator<Item = &Url> {
        self.to.iter().chain(self.audience.iter())
    }
}

pub(super) async fn flag_group(data: &Data<Services>, f: &Flag) -> Result<Option<groups::Model>> {
    for g in f.named_groups() {
        if let Some(g) = group_by_id(data, g).await? {
            return Ok(Some(g));
        }
    }
    // Mastodon names no group: the group of the first reported thing we hold.
    for o in f.objects() {
        if let Some(c) = Content::find(data, o).await? {
            return Ok(Some(c.group(data).await?));
        }
    }
    Ok(None)
}

async fn reported(data: &Data<Services>, f: &Flag) -> Result<Option<Reported>> {
    for o in f.objects() {
        if let Some(t) = stored_target(data, o).await? {
            return Ok(Some(Reported::Content(t)));
        }
    }
    // A person: the first object that names one we know (Mastodon lists the account first).
    for o in f.objects() {
        if let Some(p) = storage::persons::find_by_ap_id(&data.db, o.as_str()).await? {
            return Ok(Some(Reported::Person(p)));
        }
    }
    Ok(None)
}

pub(super) async fn receive_flag(
    data: &Data<Services>,
    group: &groups::Model,
    direct: bool,
    flag: Flag,
) -> Result<()> {
    let Some(what) = reported(data, &flag).await? else {
        return Ok(());
    };
    if let Reported::Content(t) = &what
        && stored_group_id(data, t).await? != group.id
    {
        return Err(Error::refused(
            Code::InvalidActivity,
            "the report names another group's content",
        ));
    }
    let reporter = person(data, &flag.actor).await?;
    // Stored and passed on in one unit.
    let unit = Unit::begin(data).await?;
    let report = reports::store_report(
        unit.ctx(),
        flag.id.as_str(),
        group,
        reporter.id,
        &what,
        flag.reason(),
    )
    .await?;
    if direct && group.local {
        forward_to_moderators(unit.ctx(), group, &report, GroupActivity::Flag(flag)).await?;
    }
    unit.commit().await
}

async fn stored_group_id(data: &Data<Services>, t: &Target) -> Result<i64> {
    Ok(match t {
        Target::Post(p) => p.group_id,
        Target::Reply(r) => {
            storage::posts::find(&data.db, r.post_id)
                .await?
                .ok_or(Error::NotFound("post"))?
                .group_id
        }
    })
}

pub(super) async fn receive_resolve(
    data: &Data<Services>,
    group: &groups::Model,
    direct: bool,
    resolve: Resolve,
) -> Result<()> {
    let Some(report) =
        storage::moderation::find_report_by_ap_id(&data.db, resolve.object.id.as_str()).await?
    else {
        return Ok(());
    };
    if report.group_id != group.id {
        return Err(Error::refused(
            Code::InvalidActivity,
            "the resolution names another group's report",
        ));
    }
    let moderator = person(data, &resolve.actor).await?;
    if direct && !storage::groups::is_moderator(&data.db, group.id, moderator.id).await? {
        return Err(Error::forbidden(
            "only the group's moderators may resolve a report",
        ));
    }
    let unit = Unit::begin(data).await?;
    let c = unit.ctx();
    let changed =
        storage::moderation::resolve_report(&c.db, report.id, moderator.id, now()).await?;
    if changed && direct && group.local {
        forward_to_moderators(c, group, &report, GroupActivity::Resolve(resolve)).await?;
    }
    unit.commit().await
}

/// A group hosted here passes a report (or its resolution) on, announced, to the servers of
/// its remote moderators and of the reporter, so that it reaches the moderators wherever they
/// are and the reporter's instance keeps it current.
async fn forward_to_moderators(
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
    let reported = match (report.reply_id, report.post_id, report.person_id) {
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
