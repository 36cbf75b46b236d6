//! A member joins and leaves groups, here or on other servers.

use activitypub_federation::config::Data;

use super::Unit;
use crate::{
    domain::accounts::CurrentUser,
    error::Result,
    federation::follow::{self, Membership},
    services::Services,
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
