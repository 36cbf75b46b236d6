//! A group's moderators act (remove, lock, pin, ban, appoint), and members report; so do
//! moderators and members on other servers, under the same rules.

use super::Unit;
use crate::{
    domain::{
        accounts::CurrentUser,
        content::ContentRef,
        moderation::{self, Act, Done, NewBan},
        now,
        reports::{self, NewReport, ReportView, Reported},
    },
    error::{Code, Error, Result},
    federation::{
        moderation as fed, outbox, protocol::content::GroupActivity, reports as fed_reports,
    },
    services::Services,
    storage::{
        self,
        entities::{groups, persons, reports as report_rows},
    },
};

/// What a moderator does. People named here were resolved (fetched if need be) before.
#[derive(Debug)]
pub enum Action {
    /// Remove (`remove: true`) or restore a post or reply.
    Remove {
        /// What.
        id: ContentRef,
        /// Remove or restore.
        remove: bool,
        /// Why, shown in the mod log.
        reason: Option<String>,
    },
    /// Lock or unlock a thread.
    Lock {
        /// The post.
        post_id: i64,
        /// Lock or unlock.
        locked: bool,
        /// Why.
        reason: Option<String>,
    },
    /// Pin or unpin a thread.
    Pin {
        /// The post.
        post_id: i64,
        /// Pin or unpin.
        pinned: bool,
    },
    /// Ban a person from a group.
    Ban {
        /// The group's handle.
        group: String,
        /// Who.
        person: persons::Model,
        /// Until when, why, and whether to remove what they wrote.
        input: NewBan,
    },
    /// Lift a ban.
    Unban {
        /// The group's handle.
        group: String,
        /// Who.
        person: persons::Model,
        /// Restore what the ban removed.
        restore_content: bool,
    },
    /// Appoint a moderator.
    AddModerator {
        /// The group's handle.
        group: String,
        /// Who.
        person: persons::Model,
    },
    /// Remove a moderator.
    RemoveModerator {
        /// The group's handle.
        group: String,
        /// Who.
        person: persons::Model,
    },
}

/// A moderator acts: the rule is checked, the change stored and logged, and the activity
/// queued, in one unit. An action that changes nothing is neither logged nor sent.
/// Returns what was done.
pub async fn act(ctx: &Services, user: &CurrentUser, action: Action) -> Result<Done> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let done = match action {
        Action::Remove { id, remove, reason } => {
            moderation::remove(c, user, id, remove, reason).await?
        }
        Action::Lock {
            post_id,
            locked,
            reason,
        } => moderation::lock(c, user, post_id, locked, reason).await?,
        Action::Pin { post_id, pinned } => moderation::pin(c, user, post_id, pinned).await?,
        Action::Ban {
            group,
            person,
            input,
        } => moderation::ban(c, user, &group, person, input).await?,
        Action::Unban {
            group,
            person,
            restore_content,
        } => moderation::unban(c, user, &group, person, restore_content).await?,
        Action::AddModerator { group, person } => {
            moderation::add_moderator(c, user, &group, person).await?
        }
        Action::RemoveModerator { group, person } => {
            moderation::remove_moderator(c, user, &group, person).await?
        }
    };
    fed::publish(c, &user.person, &done).await?;
    unit.commit().await?;
    Ok(done)
}

/// A member reports a post, a reply or a person to a group's moderators; the report is
/// stored and sent (to the group's server, or to this group's remote moderators) in one unit.
pub async fn report(
    ctx: &Services,
    user: &CurrentUser,
    input: NewReport,
    person: Option<persons::Model>,
) -> Result<ReportView> {
    let unit = Unit::begin(ctx).await?;
    let (row, group, reported) = reports::report(unit.ctx(), user, input, person).await?;
    fed_reports::publish_report(unit.ctx(), &user.person, &row, &group, &reported).await?;
    let view = reports::report_views(unit.ctx(), vec![row])
        .await?
        .pop()
        .ok_or_else(|| Error::Internal("a stored report has no group".into()))?;
    unit.commit().await?;
    Ok(view)
}

/// A moderator resolves a report; the resolution is sent where the report went.
pub async fn resolve_report(ctx: &Services, user: &CurrentUser, id: i64) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    let (report, group, changed) = reports::resolve(unit.ctx(), user, id).await?;
    if changed {
        fed_reports::publish_resolve(unit.ctx(), &user.person, &report, &group).await?;
    }
    unit.commit().await
}

/// A moderator's action from another server, as the inbox read it (`Act`, the people and
/// posts it names already stored). `direct`: the moderator sent it to a group hosted here, so
/// they must moderate it, and the group relays it; otherwise the group that hosts it relayed
/// it (the inbox checked that), and it is that group's word. Applied, logged and relayed in
/// one unit, by the rule a local action goes through (`domain::moderation::apply`).
pub async fn act_remote(
    ctx: &Services,
    group: &groups::Model,
    moderator: &persons::Model,
    act: Act,
    direct: bool,
    activity: GroupActivity,
) -> Result<()> {
    if direct && !storage::groups::is_moderator(&ctx.db, group.id, moderator.id).await? {
        return Err(Error::forbidden("only the group's moderators may do that"));
    }
    if let Act::Ban { person, .. } = &act
        && direct
        && storage::groups::is_moderator(&ctx.db, group.id, person.id).await?
    {
        return Err(Error::refused(
            Code::InvalidActivity,
            "a moderator cannot be banned; remove them from the moderators first",
        ));
    }
    let unit = Unit::begin(ctx).await?;
    if moderation::apply(unit.ctx(), group, Some(moderator.id), &act).await? && group.local {
        outbox::announce(unit.ctx(), group, activity, None).await?;
    }
    unit.commit().await
}

/// A report from another server (`flag`: its id and, when it was sent to a group hosted
/// here, the activity to pass on to the group's remote moderators): stored once per id and
/// passed on in one unit. It may only name this group's content.
pub async fn report_remote(
    ctx: &Services,
    group: &groups::Model,
    reporter: &persons::Model,
    what: &Reported,
    reason: String,
    flag_id: &str,
    forward: Option<GroupActivity>,
) -> Result<()> {
    let own = match what {
        Reported::Content(t) => reports::group_of(ctx, t).await? == group.id,
        Reported::Page(p, _) => p.group_id == group.id,
        Reported::Person(_) => true,
    };
    if !own {
        return Err(Error::refused(
            Code::InvalidActivity,
            "the report names another group's content",
        ));
    }
    let unit = Unit::begin(ctx).await?;
    let report =
        reports::store_report(unit.ctx(), flag_id, group, reporter.id, what, reason).await?;
    if let Some(activity) = forward
        && group.local
    {
        fed_reports::forward_to_moderators(unit.ctx(), group, &report, activity).await?;
    }
    unit.commit().await
}

/// A moderator on another server resolves a report of `group`. `direct`: sent to a group
/// hosted here, so they must moderate it, and it is passed on where the report went.
pub async fn resolve_remote(
    ctx: &Services,
    group: &groups::Model,
    moderator: &persons::Model,
    report: &report_rows::Model,
    direct: bool,
    activity: GroupActivity,
) -> Result<()> {
    if report.group_id != group.id {
        return Err(Error::refused(
            Code::InvalidActivity,
            "the resolution names another group's report",
        ));
    }
    if direct && !storage::groups::is_moderator(&ctx.db, group.id, moderator.id).await? {
        return Err(Error::forbidden(
            "only the group's moderators may resolve a report",
        ));
    }
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let changed =
        storage::moderation::resolve_report(&c.db, report.id, moderator.id, now()).await?;
    if changed && direct && group.local {
        fed_reports::forward_to_moderators(c, group, report, activity).await?;
    }
    unit.commit().await
}
