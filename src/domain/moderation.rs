//! Moderation: who may act on a group, what each moderator action does here, the public mod
//! log, bans and their checks. Reports are in `reports`.
//!
//! Every action, whether taken here through the API or received from another instance, goes
//! through [`apply`], which changes what is stored and writes the mod log entry. Who may act
//! is checked before: [`authorize`] for a local member, `federation::moderation` for a
//! remote actor.

use crate::error::Code;
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Ctx, accounts::CurrentUser, groups::find_by_handle, now, text, views::PersonRef};
use crate::{
    error::{Error, Result},
    storage::{
        self,
        entities::{group_bans, groups, persons, posts, replies},
        moderation::LogEntry,
        posts::Flag,
    },
};

/// Longest moderator's reason or report, in characters.
pub const MAX_REASON_CHARS: usize = 1000;

/// What a moderator's action is about.
#[derive(Debug, Clone)]
pub enum Target {
    /// A thread.
    Post(posts::Model),
    /// A reply.
    Reply(replies::Model),
}

impl Target {
    /// The ActivityPub id of what is acted on.
    pub fn ap_id(&self) -> &str {
        match self {
            Self::Post(p) => &p.ap_id,
            Self::Reply(r) => &r.ap_id,
        }
    }

    /// Its author.
    pub fn author_id(&self) -> i64 {
        match self {
            Self::Post(p) => p.author_id,
            Self::Reply(r) => r.author_id,
        }
    }
}

/// A moderator's action.
#[derive(Debug, Clone)]
pub enum Act {
    /// Remove a post or reply (its text kept, so it can be restored).
    Remove {
        /// What.
        target: Target,
        /// Why.
        reason: Option<String>,
    },
    /// Undo a removal.
    Restore {
        /// What.
        target: Target,
        /// Why.
        reason: Option<String>,
    },
    /// Lock (`true`) or unlock a thread.
    Lock {
        /// The thread.
        post: posts::Model,
        /// Locked or not.
        locked: bool,
        /// Why.
        reason: Option<String>,
    },
    /// Pin (`true`) or unpin a thread.
    Pin {
        /// The thread.
        post: posts::Model,
        /// Pinned or not.
        pinned: bool,
    },
    /// Ban a person from the group.
    Ban {
        /// Who.
        person: persons::Model,
        /// Why.
        reason: Option<String>,
        /// Until when (`None`: until lifted).
        expires_at: Option<DateTime<Utc>>,
        /// Also remove everything they wrote in the group.
        remove_content: bool,
    },
    /// Lift a ban.
    Unban {
        /// Who.
        person: persons::Model,
        /// Also restore what the ban removed.
        restore_content: bool,
    },
    /// Make someone a moderator.
    AddModerator(persons::Model),
    /// Take someone off the moderators.
    RemoveModerator(persons::Model),
}

impl Act {
    /// The name the mod log uses.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Remove {
                target: Target::Post(_),
                ..
            } => "remove_post",
            Self::Remove {
                target: Target::Reply(_),
                ..
            } => "remove_reply",
            Self::Restore {
                target: Target::Post(_),
                ..
            } => "restore_post",
            Self::Restore {
                target: Target::Reply(_),
                ..
            } => "restore_reply",
            Self::Lock { locked: true, .. } => "lock",
            Self::Lock { locked: false, .. } => "unlock",
            Self::Pin { pinned: true, .. } => "pin",
            Self::Pin { pinned: false, .. } => "unpin",
            Self::Ban { .. } => "ban",
            Self::Unban { .. } => "unban",
            Self::AddModerator(_) => "add_moderator",
            Self::RemoveModerator(_) => "remove_moderator",
        }
    }

    fn log_entry(&self, group_id: i64, moderator_id: Option<i64>) -> LogEntry {
        let mut e = LogEntry {
            group_id,
            moderator_id,
            action: self.name(),
            ..Default::default()
        };
        match self {
            Self::Remove { target, reason } | Self::Restore { target, reason } => {
                match target {
                    Target::Post(p) => e.post_id = Some(p.id),
                    Target::Reply(r) => {
                        e.post_id = Some(r.post_id);
                        e.reply_id = Some(r.id);
                    }
                }
                e.person_id = Some(target.author_id());
                e.reason.clone_from(reason);
            }
            Self::Lock { post, reason, .. } => {
                e.post_id = Some(post.id);
                e.reason.clone_from(reason);
            }
            Self::Pin { post, .. } => e.post_id = Some(post.id),
            Self::Ban {
                person,
                reason,
                expires_at,
                ..
            } => {
                e.person_id = Some(person.id);
                e.reason.clone_from(reason);
                e.expires_at = *expires_at;
            }
            Self::Unban { person, .. }
            | Self::AddModerator(person)
            | Self::RemoveModerator(person) => e.person_id = Some(person.id),
        }
        e
    }
}

/// Whether `person` may moderate `group` here: one of its moderators, or, for a group hosted
/// here, an instance administrator.
pub async fn may_moderate(
    ctx: &Ctx,
    group: &groups::Model,
    person_id: i64,
    is_admin: bool,
) -> Result<bool> {
    Ok((is_admin && group.local)
        || storage::groups::is_moderator(&ctx.db, group.id, person_id).await?)
}

/// `Err(403)` unless `user` may moderate `group`.
pub async fn authorize(ctx: &Ctx, user: &CurrentUser, group: &groups::Model) -> Result<()> {
    if may_moderate(ctx, group, user.person.id, user.is_admin).await? {
        Ok(())
    } else {
        Err(Error::forbidden("only the group's moderators may do that"))
    }
}

/// Applies a moderator's action to what is stored and logs it; false when it changed nothing
/// (already so), in which case nothing is logged or sent on.
pub async fn apply(
    ctx: &Ctx,
    group: &groups::Model,
    moderator_id: Option<i64>,
    act: &Act,
) -> Result<bool> {
    let t = now();
    let txn = ctx.db.begin().await?;
    let changed = match act {
        Act::Remove { target, .. } => match target {
            Target::Post(p) => {
                let live = p.deleted_at.is_none();
                storage::posts::mark_removed(&txn, p.id, t).await?;
                live
            }
            Target::Reply(r) => {
                let live = r.deleted_at.is_none();
                storage::replies::mark_removed(&txn, r, t).await?;
                live
            }
        },
        Act::Restore { target, .. } => match target {
            Target::Post(p) => storage::posts::restore(&txn, p.id).await?,
            Target::Reply(r) => storage::replies::restore(&txn, r).await?,
        },
        Act::Lock { post, locked, .. } => {
            storage::posts::set_flag(&txn, post.id, Flag::Locked, *locked).await?;
            post.locked != *locked
        }
        Act::Pin { post, pinned } => {
            storage::posts::set_flag(&txn, post.id, Flag::Pinned, *pinned).await?;
            post.pinned != *pinned
        }
        Act::Ban {
            person,
            reason,
            expires_at,
            remove_content,
        } => {
            storage::moderation::ban(
                &txn,
                group_bans::Model {
                    group_id: group.id,
                    person_id: person.id,
                    reason: reason.clone(),
                    expires_at: *expires_at,
                    banned_by: moderator_id,
                    created_at: t,
                },
            )
            .await?;
            if *remove_content {
                let (posts, replies) =
                    storage::moderation::content_of(&txn, group.id, person.id, false).await?;
                for p in posts {
                    storage::posts::mark_removed(&txn, p.id, t).await?;
                }
                for r in replies {
                    storage::replies::mark_removed(&txn, &r, t).await?;
                }
            }
            true
        }
        Act::Unban {
            person,
            restore_content,
        } => {
            let lifted = storage::moderation::unban(&txn, group.id, person.id).await?;
            if *restore_content {
                let (posts, replies) =
                    storage::moderation::content_of(&txn, group.id, person.id, true).await?;
                for p in posts {
                    storage::posts::restore(&txn, p.id).await?;
                }
                for r in replies {
                    storage::replies::restore(&txn, &r).await?;
                }
            }
            lifted
        }
        Act::AddModerator(p) => storage::moderation::add_moderator(&txn, group.id, p.id, t).await?,
        Act::RemoveModerator(p) => {
            storage::moderation::remove_moderator(&txn, group.id, p.id).await?
        }
    };
    if changed {
        storage::moderation::log(&txn, act.log_entry(group.id, moderator_id), t).await?;
    }
    txn.commit().await?;
    Ok(changed)
}

/// What a local moderator's action did: the group it was in, the action, and whether it
/// changed anything (only then is it sent on).
#[derive(Debug)]
pub struct Done {
    /// The group.
    pub group: groups::Model,
    /// The action.
    pub act: Act,
    /// Whether anything changed.
    pub changed: bool,
}

/// A moderator's reason: trimmed, at most [`MAX_REASON_CHARS`], `None` when empty.
pub fn reason(raw: Option<&str>) -> Result<Option<String>> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => text::title("reason", r, MAX_REASON_CHARS).map(Some),
    }
}

async fn post_and_group(ctx: &Ctx, id: i64) -> Result<(posts::Model, groups::Model)> {
    super::posts::load(ctx, id).await
}

async fn reply_and_group(ctx: &Ctx, id: i64) -> Result<(replies::Model, groups::Model)> {
    let reply = storage::replies::find(&ctx.db, id)
        .await?
        .ok_or(Error::NotFound("reply"))?;
    let (_, group) = post_and_group(ctx, reply.post_id).await?;
    Ok((reply, group))
}

use super::content::ContentRef;

pub(super) async fn target(ctx: &Ctx, id: ContentRef) -> Result<(Target, groups::Model)> {
    Ok(match id {
        ContentRef::Post(id) => {
            let (p, g) = post_and_group(ctx, id).await?;
            (Target::Post(p), g)
        }
        ContentRef::Reply(id) => {
            let (r, g) = reply_and_group(ctx, id).await?;
            (Target::Reply(r), g)
        }
    })
}

async fn act_as(ctx: &Ctx, user: &CurrentUser, group: groups::Model, act: Act) -> Result<Done> {
    authorize(ctx, user, &group).await?;
    let changed = apply(ctx, &group, Some(user.person.id), &act).await?;
    Ok(Done {
        group,
        act,
        changed,
    })
}

/// A moderator removes (`remove == true`) or restores a post or reply.
pub async fn remove(
    ctx: &Ctx,
    user: &CurrentUser,
    id: ContentRef,
    remove: bool,
    reason: Option<String>,
) -> Result<Done> {
    let (target, group) = target(ctx, id).await?;
    authorize(ctx, user, &group).await?;
    if !remove
        && !matches!(&target, Target::Post(p) if p.removed)
        && !matches!(&target, Target::Reply(r) if r.removed)
    {
        return Err(Error::refused(
            Code::NotRemoved,
            "only what a moderator removed can be restored",
        ));
    }
    let act = if remove {
        Act::Remove { target, reason }
    } else {
        Act::Restore { target, reason }
    };
    act_as(ctx, user, group, act).await
}

/// A moderator locks or unlocks a thread.
pub async fn lock(
    ctx: &Ctx,
    user: &CurrentUser,
    post_id: i64,
    locked: bool,
    reason: Option<String>,
) -> Result<Done> {
    let (post, group) = post_and_group(ctx, post_id).await?;
    act_as(
        ctx,
        user,
        group,
        Act::Lock {
            post,
            locked,
            reason,
        },
    )
    .await
}

/// A moderator pins or unpins a thread.
pub async fn pin(ctx: &Ctx, user: &CurrentUser, post_id: i64, pinned: bool) -> Result<Done> {
    let (post, group) = post_and_group(ctx, post_id).await?;
    act_as(ctx, user, group, Act::Pin { post, pinned }).await
}

/// The ban request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewBan {
    /// Who: `user@host`, `@user@host`, a local name, or an actor URL.
    pub person: String,
    /// Why.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
    /// When the ban ends (RFC 3339); absent: until lifted.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Also remove everything they wrote in the group.
    #[serde(default)]
    pub remove_content: bool,
}

/// A moderator bans `person` from a group.
pub async fn ban(
    ctx: &Ctx,
    user: &CurrentUser,
    group_handle: &str,
    person: persons::Model,
    input: NewBan,
) -> Result<Done> {
    let reason = reason(input.reason.as_deref())?;
    let group = find_by_handle(ctx, group_handle).await?;
    authorize(ctx, user, &group).await?;
    if let Some(t) = input.expires_at
        && t <= now()
    {
        return Err(Error::invalid("expires_at", "is in the past"));
    }
    if person.id == user.person.id {
        return Err(Error::invalid("person", "you cannot ban yourself"));
    }
    if storage::groups::is_moderator(&ctx.db, group.id, person.id).await? {
        return Err(Error::refused(
            Code::IsModerator,
            "a moderator cannot be banned; remove them from the moderators first",
        ));
    }
    let act = Act::Ban {
        person,
        reason,
        expires_at: input.expires_at,
        remove_content: input.remove_content,
    };
    act_as(ctx, user, group, act).await
}

/// A moderator lifts a ban.
pub async fn unban(
    ctx: &Ctx,
    user: &CurrentUser,
    group_handle: &str,
    person: persons::Model,
    restore_content: bool,
) -> Result<Done> {
    let group = find_by_handle(ctx, group_handle).await?;
    authorize(ctx, user, &group).await?;
    if storage::moderation::ban_in_force(&ctx.db, group.id, person.id, now())
        .await?
        .is_none()
    {
        return Err(Error::NotFound("ban"));
    }
    act_as(
        ctx,
        user,
        group,
        Act::Unban {
            person,
            restore_content,
        },
    )
    .await
}

/// A moderator adds a moderator.
pub async fn add_moderator(
    ctx: &Ctx,
    user: &CurrentUser,
    group_handle: &str,
    person: persons::Model,
) -> Result<Done> {
    let group = find_by_handle(ctx, group_handle).await?;
    authorize(ctx, user, &group).await?;
    if storage::moderation::ban_in_force(&ctx.db, group.id, person.id, now())
        .await?
        .is_some()
    {
        return Err(Error::refused(
            Code::IsBanned,
            "that person is banned from this group",
        ));
    }
    act_as(ctx, user, group, Act::AddModerator(person)).await
}

/// A moderator takes a moderator off: themselves, or one added after them (an administrator:
/// anyone). The last moderator of a group stays.
pub async fn remove_moderator(
    ctx: &Ctx,
    user: &CurrentUser,
    group_handle: &str,
    person: persons::Model,
) -> Result<Done> {
    let group = find_by_handle(ctx, group_handle).await?;
    authorize(ctx, user, &group).await?;
    let Some(theirs) = storage::moderation::moderator_since(&ctx.db, group.id, person.id).await?
    else {
        return Err(Error::NotFound("moderator"));
    };
    if person.id != user.person.id && !(user.is_admin && group.local) {
        let mine = storage::moderation::moderator_since(&ctx.db, group.id, user.person.id).await?;
        if mine.is_none_or(|m| m > theirs) {
            return Err(Error::forbidden(
                "only a moderator added before them may remove a moderator",
            ));
        }
    }
    if group.local && storage::moderation::moderator_count(&ctx.db, group.id).await? <= 1 {
        return Err(Error::refused(
            Code::LastModerator,
            "a group keeps at least one moderator",
        ));
    }
    act_as(ctx, user, group, Act::RemoveModerator(person)).await
}

/// `Err(403 banned)` when `person_id` is banned from `group_id` now.
pub async fn ensure_not_banned(ctx: &Ctx, group_id: i64, person_id: i64) -> Result<()> {
    match storage::moderation::ban_in_force(&ctx.db, group_id, person_id, now()).await? {
        None => Ok(()),
        Some(b) => Err(Error::Refused {
            code: Code::Banned,
            message: match b.expires_at {
                Some(t) => format!("you are banned from this group until {}", t.to_rfc3339()),
                None => "you are banned from this group".into(),
            },
        }),
    }
}

/// One entry of a group's public mod log.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ModLogEntry)]
pub struct ModLogView {
    /// Entry id (newest first; `before` pages on).
    pub id: i64,
    /// What was done: `remove_post`, `restore_post`, `remove_reply`, `restore_reply`, `lock`,
    /// `unlock`, `pin`, `unpin`, `ban`, `unban`, `add_moderator`, `remove_moderator`.
    pub action: String,
    /// Who did it, when known.
    pub moderator: Option<PersonRef>,
    /// The thread concerned.
    pub post_id: Option<i64>,
    /// The reply concerned.
    pub reply_id: Option<i64>,
    /// The person concerned (the author of removed content, the banned, the moderator).
    pub person: Option<PersonRef>,
    /// The moderator's reason.
    pub reason: Option<String>,
    /// When a ban ends.
    pub expires_at: Option<DateTime<Utc>>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A page of the mod log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModLogPage {
    /// Entries, newest first.
    pub items: Vec<ModLogView>,
    /// Pass as `before` for the next page; absent on the last.
    pub next_before: Option<i64>,
}

/// A group's public mod log, newest first.
pub async fn modlog(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    group_handle: &str,
    before: Option<i64>,
    limit: Option<u64>,
) -> Result<ModLogPage> {
    let group = find_by_handle(ctx, group_handle).await?;
    super::members::ensure_readable(ctx, &group, viewer).await?;
    let limit = super::pagination::limit(limit)?;
    let mut rows = storage::moderation::log_page(&ctx.db, group.id, before, limit + 1).await?;
    let next_before = if rows.len() as u64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.moderator_id, r.person_id])
        .flatten()
        .collect();
    let people = storage::persons::by_ids(&ctx.db, ids).await?;
    let person = |id: Option<i64>| id.and_then(|i| people.get(&i)).map(PersonRef::from);
    Ok(ModLogPage {
        items: rows
            .into_iter()
            .map(|r| ModLogView {
                id: r.id,
                moderator: person(r.moderator_id),
                person: person(r.person_id),
                action: r.action,
                post_id: r.post_id,
                reply_id: r.reply_id,
                reason: r.reason,
                expires_at: r.expires_at,
                created_at: r.created_at,
            })
            .collect(),
        next_before,
    })
}

/// A ban in force, as moderators see it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Ban)]
pub struct BanView {
    /// Who.
    pub person: PersonRef,
    /// Why.
    pub reason: Option<String>,
    /// Until when; absent: until lifted.
    pub expires_at: Option<DateTime<Utc>>,
    /// Since when.
    pub created_at: DateTime<Utc>,
}

/// The bans in force in a group; for its moderators.
pub async fn bans(ctx: &Ctx, user: &CurrentUser, group_handle: &str) -> Result<Vec<BanView>> {
    let group = find_by_handle(ctx, group_handle).await?;
    authorize(ctx, user, &group).await?;
    let rows = storage::moderation::bans(&ctx.db, group.id, now()).await?;
    let people = storage::persons::by_ids(&ctx.db, rows.iter().map(|b| b.person_id)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|b| {
            Some(BanView {
                person: PersonRef::from(people.get(&b.person_id)?),
                reason: b.reason,
                expires_at: b.expires_at,
                created_at: b.created_at,
            })
        })
        .collect())
}
