//! A member joins and leaves groups, here or on other servers; people on other servers
//! follow groups here.

use activitypub_federation::{config::Data, traits::Actor as _};

use super::Unit;
use crate::{
    domain::{accounts::CurrentUser, members, now},
    error::{Error, Result},
    federation::{
        actors::DbPerson,
        follow::{self, Membership},
        outbox,
        protocol::follow::Follow,
    },
    services::Services,
    storage::{
        self,
        entities::{groups, persons},
    },
};

/// Joins the group named by `handle` (`name`, `name@host`, or an id URL). A remote group is
/// looked up first (over the network, outside the unit); then the pending membership and the
/// `Follow` are stored and queued in one unit.
pub async fn join(data: &Data<Services>, user: &CurrentUser, handle: &str) -> Result<Membership> {
    let group = follow::resolve_group(data, handle).await?;
    let unit = Unit::begin(data).await?;
    let state = follow::join(unit.ctx(), user, group).await?;
    unit.commit().await?;
    Ok(state)
}

/// Leaves the group named by `handle`; for a remote group the `Undo{Follow}` is queued in the
/// same unit that ends the membership.
pub async fn leave(data: &Data<Services>, user: &CurrentUser, handle: &str) -> Result<()> {
    let group = follow::resolve_group(data, handle).await?;
    let unit = Unit::begin(data).await?;
    follow::leave(unit.ctx(), user, group).await?;
    unit.commit().await
}

/// A person on another server follows a group hosted here: the follower is stored and the
/// group's `Accept` queued in one unit. Their server's queue destination exists before the
/// follow does, so no activity of the group made in between is skipped.
pub async fn follow_remote(
    ctx: &Services,
    group: &groups::Model,
    person: &DbPerson,
    follow: Follow,
) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let inbox = person.shared_inbox_or_inbox();
    let destination =
        storage::queue::ensure_destinations(&c.db, std::slice::from_ref(&inbox.to_string()), now())
            .await?
            .get(inbox.as_str())
            .copied();
    // A members-only group: the request waits for a moderator, and nothing of the group is
    // delivered to that server (deliveries go to accepted followers only) until it is
    // approved. A member following again (a repeated Follow) is accepted again.
    let waits = members::is_members_only(group)
        && storage::followers::find(&c.db, group.id, person.model.id)
            .await?
            .is_none_or(|f| f.pending);
    storage::followers::upsert(
        &c.db,
        group.id,
        person.model.id,
        waits,
        Some(follow.id.to_string()),
        destination,
        now(),
    )
    .await?;
    if !waits {
        outbox::accept_follow(c, group, inbox, follow).await?;
    }
    unit.commit().await
}

/// A moderator approves or refuses a request to join a members-only group hosted here; a
/// person elsewhere is answered with `Accept` or `Reject` of their `Follow` in the same unit.
pub async fn decide(
    ctx: &Services,
    user: &CurrentUser,
    handle: &str,
    person_id: i64,
    approve: bool,
) -> Result<()> {
    let group = crate::domain::groups::find_by_handle(ctx, handle).await?;
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let decided = members::decide(c, user, &group, person_id, approve).await?;
    if !decided.person.local {
        let person = DbPerson::new(decided.person.clone())?;
        let inbox = person.shared_inbox_or_inbox();
        let follow = outbox::follow_of(
            c,
            &group,
            &decided.person,
            decided.follow.follow_ap_id.as_deref(),
        )?;
        if decided.approved {
            outbox::accept_follow(c, &group, inbox, follow).await?;
        } else {
            outbox::reject_follow(c, &group, inbox, follow).await?;
        }
    }
    unit.commit().await
}

/// A group elsewhere refused the request of `person` (a member here) to join it, or ended
/// their membership: the follow is gone. False: no follow of theirs has that id.
pub async fn follow_rejected(ctx: &Services, group_ap_id: &str, follow_id: &str) -> Result<bool> {
    let Some(follow) = storage::followers::find_by_follow_ap_id(&ctx.db, follow_id).await? else {
        return Ok(false);
    };
    let group = storage::groups::find(&ctx.db, follow.group_id).await?;
    if group.is_none_or(|g| g.ap_id != group_ap_id || g.local) {
        return Err(Error::forbidden(
            "only the group followed may refuse the follow",
        ));
    }
    storage::followers::remove(&ctx.db, follow.group_id, follow.person_id).await?;
    Ok(true)
}

/// A person here joins a members-only group with an invitation link.
pub async fn join_by_invite(
    ctx: &Services,
    user: &CurrentUser,
    token: &str,
) -> Result<groups::Model> {
    let unit = Unit::begin(ctx).await?;
    let group = members::redeem(unit.ctx(), user, token).await?;
    unit.commit().await?;
    Ok(group)
}

/// A remote group accepted the follow of `person` (a member here). Only a follow asked for
/// becomes real. True: the group's first member here, whose history is worth fetching.
pub async fn follow_accepted(ctx: &Services, group_id: i64, person_id: i64) -> Result<bool> {
    if storage::followers::find(&ctx.db, group_id, person_id)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    let newly = storage::followers::accept(&ctx.db, group_id, person_id).await?;
    Ok(newly && storage::followers::count_accepted(&ctx.db, group_id).await? == 1)
}

/// A person on another server stops following a group (named by ids; unknown ones are
/// nothing to undo).
pub async fn unfollow_remote(ctx: &Services, group_ap_id: &str, person_ap_id: &str) -> Result<()> {
    let group = storage::groups::find_by_ap_id(&ctx.db, group_ap_id).await?;
    let person = storage::persons::find_by_ap_id(&ctx.db, person_ap_id).await?;
    if let (Some(g), Some(p)) = (group, person) {
        storage::followers::remove(&ctx.db, g.id, p.id).await?;
    }
    Ok(())
}

/// `Undo` naming a follow by its id only: ends it, when it is `person`'s own. False: no
/// follow has that id.
pub async fn unfollow_by_id(
    ctx: &Services,
    person: &persons::Model,
    follow_id: &str,
) -> Result<bool> {
    let Some(follow) = storage::followers::find_by_follow_ap_id(&ctx.db, follow_id).await? else {
        return Ok(false);
    };
    if follow.person_id != person.id {
        return Err(Error::forbidden("only the follower may undo a follow"));
    }
    storage::followers::remove(&ctx.db, follow.group_id, follow.person_id).await?;
    Ok(true)
}
