//! Reports received: a member's `Flag` of a post, a reply or a person, sent to a group, and a
//! moderator's `Resolve`; Mastodon's `Flag` (from its instance actor, naming no group, several
//! objects) is read too. `usecases::moderation::{report_remote, resolve_remote}` store them
//! and pass them on.

use activitypub_federation::config::Data;
use url::Url;

use super::moderation::{group_by_id, person, remote_reason, stored_target};
use crate::{
    domain::reports::Reported,
    error::Result,
    federation::{
        objects::Content,
        protocol::{
            content::GroupActivity,
            reports::{Flag, Reportable, Resolve},
        },
    },
    services::Services,
    storage::{self, entities::groups},
    usecases,
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
        if let Some((_, g)) = page_at(data, o).await? {
            return Ok(Some(g));
        }
    }
    Ok(None)
}

/// The page stored here whose ActivityPub id is `id` (`{group id}/pages/{slug}`), with its
/// group.
async fn page_at(
    data: &Data<Services>,
    id: &Url,
) -> Result<Option<(storage::entities::pages::Model, groups::Model)>> {
    let Some((group_id, _)) = id.as_str().rsplit_once("/pages/") else {
        return Ok(None);
    };
    let Some(group) = storage::groups::find_by_ap_id(&data.db, group_id).await? else {
        return Ok(None);
    };
    let Some(slug) = crate::domain::pages::slug_in(&group.ap_id, id.as_str()) else {
        return Ok(None);
    };
    Ok(storage::pages::find(&data.db, group.id, &slug)
        .await?
        .map(|p| (p, group)))
}

async fn reported(data: &Data<Services>, f: &Flag) -> Result<Option<Reported>> {
    for o in f.objects() {
        if let Some(t) = stored_target(data, o).await? {
            return Ok(Some(Reported::Content(t)));
        }
    }
    for o in f.objects() {
        if let Some((page, _)) = page_at(data, o).await? {
            return Ok(Some(Reported::Page(Box::new(page), o.to_string())));
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
    let reporter = person(data, &flag.actor).await?;
    let (id, reason) = (flag.id.to_string(), flag.reason());
    let forward = direct.then_some(GroupActivity::Flag(flag));
    usecases::moderation::report_remote(data, group, &reporter, &what, reason, &id, forward).await
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
    let moderator = person(data, &resolve.actor).await?;
    let activity = GroupActivity::Resolve(resolve);
    usecases::moderation::resolve_remote(data, group, &moderator, &report, direct, activity).await
}
