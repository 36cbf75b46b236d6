//! A member joins and leaves groups, here or on other servers; people on other servers
//! follow groups here.

use activitypub_federation::{config::Data, traits::Actor as _};

use super::Unit;
use crate::{
    domain::{accounts::CurrentUser, now},
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
    storage::followers::upsert(
        &c.db,
        group.id,
        person.model.id,
        false,
        Some(follow.id.to_string()),
        destination,
        now(),
    )
    .await?;
    outbox::accept_follow(c, group, inbox, follow).await?;
    unit.commit().await
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
