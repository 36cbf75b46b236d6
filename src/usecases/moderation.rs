//! A group's moderators act (remove, lock, pin, ban, appoint), and members report.

use super::Unit;
use crate::{
    domain::{
        accounts::CurrentUser,
        content::ContentRef,
        moderation::{self, Done, NewBan},
        reports::{self, NewReport, ReportView},
    },
    error::{Error, Result},
    federation::{moderation as fed, reports as fed_reports},
    services::Services,
    storage::entities::persons,
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
