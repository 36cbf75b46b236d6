//! Moderators' actions received, in the shapes Lemmy-family servers send: removal and restore
//! (`Delete` with a `summary` reason, `Undo`), `Lock` and `Undo{Lock}`, pins (`Add`/`Remove` on
//! the featured collection), moderator changes (`Add`/`Remove` on the moderators collection),
//! bans (`Block`/`Undo{Block}` targeting the group, with `removeData` and an end time); reports
//! (`Flag`) and their resolution (`Resolve`) are in `reports`.
//!
//! An action for a group hosted here arrives from its actor, who must be one of the group's
//! moderators; one relayed by a remote group is that group's word, for that group's own
//! content. Here it is read into a `domain::moderation::Act` against what is stored;
//! `usecases::moderation::act_remote` checks who may, applies, logs and relays it.

use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use url::Url;

use crate::{
    domain::{
        Ctx,
        moderation::{self, Act, Target},
    },
    error::Result,
    federation::{
        actors::DbPerson,
        objects::Content,
        protocol::{content::GroupActivity, moderation::FeatureKind},
    },
    services::Services,
    storage::{
        self,
        entities::{groups, persons},
    },
    usecases,
};

/// A moderator's reason or a report's, as another server wrote it: one line (control
/// characters become spaces, invisible direction and spacing characters go), at most
/// [`moderation::MAX_REASON_CHARS`]; `None` when nothing is left.
pub(super) fn remote_reason(raw: Option<&str>) -> Option<String> {
    let line: String = raw?
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !crate::domain::text::is_disguising(*c))
        .take(moderation::MAX_REASON_CHARS)
        .collect();
    let line = line.trim();
    (!line.is_empty()).then(|| line.to_string())
}

/// The group a collection URL (`…/moderators`, `…/featured`) belongs to.
async fn group_of_collection(ctx: &Ctx, collection: &Url) -> Result<Option<groups::Model>> {
    let s = collection.as_str();
    let Some((group, _)) = s.rsplit_once('/') else {
        return Ok(None);
    };
    Ok(storage::groups::find_by_ap_id(&ctx.db, group).await?)
}

pub(super) async fn group_by_id(ctx: &Ctx, id: &Url) -> Result<Option<groups::Model>> {
    Ok(storage::groups::find_by_ap_id(&ctx.db, id.as_str()).await?)
}

/// The group a moderation activity that is not about a stored post or reply concerns: the
/// moderators collection's group, the ban's target, the report's group. `None`: not ours.
pub(super) async fn target_group(
    data: &Data<Services>,
    activity: &GroupActivity,
) -> Result<Option<groups::Model>> {
    match activity {
        GroupActivity::Feature(f) if f.is_moderator_change() => {
            group_of_collection(data, &f.target).await
        }
        GroupActivity::Block(b) => group_by_id(data, &b.target).await,
        GroupActivity::UndoBlock(u) => group_by_id(data, &u.object.target).await,
        GroupActivity::Flag(f) => super::reports::flag_group(data, f).await,
        GroupActivity::Resolve(r) => super::reports::flag_group(data, &r.object).await,
        _ => Ok(None),
    }
}

pub(super) async fn person(
    data: &Data<Services>,
    id: &ObjectId<DbPerson>,
) -> Result<persons::Model> {
    Ok(id.dereference(data).await?.model)
}

async fn person_at(data: &Data<Services>, id: &Url) -> Result<persons::Model> {
    person(data, &ObjectId::from(id.clone())).await
}

/// The stored post or reply at `id`, as a moderation target.
pub(super) async fn stored_target(data: &Data<Services>, id: &Url) -> Result<Option<Target>> {
    Ok(Content::find(data, id).await?.map(|c| match c {
        Content::Post(p, _) => Target::Post(p),
        Content::Reply(r, _) => Target::Reply(r),
    }))
}

async fn stored_post(
    data: &Data<Services>,
    id: &Url,
) -> Result<Option<storage::entities::posts::Model>> {
    match stored_target(data, id).await? {
        Some(Target::Post(p)) => Ok(Some(p)),
        // Lemmy 1.0 also locks a single comment; here only threads lock, so there is
        // nothing to do.
        Some(Target::Reply(_)) | None => Ok(None),
    }
}

/// What a moderator's activity asks for, read against what is stored. `None`: it concerns
/// something we do not hold, so there is nothing to do.
async fn requested_act(data: &Data<Services>, activity: &GroupActivity) -> Result<Option<Act>> {
    Ok(match activity {
        GroupActivity::Delete(d) => {
            stored_target(data, d.object.id())
                .await?
                .map(|target| Act::Remove {
                    target,
                    reason: remote_reason(d.summary.as_deref()),
                })
        }
        GroupActivity::UndoDelete(u) => {
            stored_target(data, u.object.object.id())
                .await?
                .map(|target| Act::Restore {
                    target,
                    reason: None,
                })
        }
        GroupActivity::Lock(l) => stored_post(data, l.object.id())
            .await?
            .map(|post| Act::Lock {
                post,
                locked: true,
                reason: remote_reason(l.summary.as_deref()),
            }),
        GroupActivity::UndoLock(u) => {
            stored_post(data, u.object.object.id())
                .await?
                .map(|post| Act::Lock {
                    post,
                    locked: false,
                    reason: None,
                })
        }
        GroupActivity::Feature(f) if f.is_moderator_change() => {
            let p = person_at(data, f.object.id()).await?;
            Some(match f.kind {
                FeatureKind::Add => Act::AddModerator(p),
                FeatureKind::Remove => Act::RemoveModerator(p),
            })
        }
        GroupActivity::Feature(f) => stored_post(data, f.object.id())
            .await?
            .map(|post| Act::Pin {
                post,
                pinned: f.kind == FeatureKind::Add,
            }),
        GroupActivity::Block(b) => Some(Act::Ban {
            person: person_at(data, b.object.id()).await?,
            reason: remote_reason(b.summary.as_deref()),
            expires_at: b.end_time.or(b.expires),
            remove_content: b.remove_data.unwrap_or(false),
        }),
        GroupActivity::UndoBlock(u) => Some(Act::Unban {
            person: person_at(data, u.object.object.id()).await?,
            restore_content: u.restore_data.unwrap_or(false),
        }),
        _ => None,
    })
}

/// Acts on a moderator's activity (everything but the author's own deletion, which `content`
/// handles). `direct`: sent to a group hosted here by its actor, who must moderate it;
/// otherwise relayed by the group it concerns (already checked), whose word it is.
pub(super) async fn receive(
    data: &Data<Services>,
    group: &groups::Model,
    direct: bool,
    activity: GroupActivity,
) -> Result<()> {
    match &activity {
        GroupActivity::Flag(f) => {
            return super::reports::receive_flag(data, group, direct, f.clone()).await;
        }
        GroupActivity::Resolve(r) => {
            return super::reports::receive_resolve(data, group, direct, r.clone()).await;
        }
        _ => {}
    }
    let moderator = person(data, &ObjectId::from(activity.actor().clone())).await?;
    let Some(act) = requested_act(data, &activity).await? else {
        return Ok(());
    };
    usecases::moderation::act_remote(data, group, &moderator, act, direct, activity).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn remote_reasons_are_one_bounded_line() {
        use super::remote_reason;
        assert_eq!(remote_reason(None), None);
        assert_eq!(remote_reason(Some("  \n\t ")), None);
        assert_eq!(
            remote_reason(Some("spam\nand\u{202E}more")).as_deref(),
            Some("spam andmore")
        );
        let long = "x".repeat(5000);
        assert_eq!(
            remote_reason(Some(&long)).map(|r| r.chars().count()),
            Some(1000)
        );
    }
}
