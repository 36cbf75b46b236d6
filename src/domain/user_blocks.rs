//! A member's own blocks of people and instances: what they wrote is hidden from that member
//! (listings leave it out; in a thread it shows as hidden). Nothing is sent anywhere: a
//! block is private to the one who made it.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Ctx, accounts::CurrentUser, instances::parse_host, now, views::PersonRef};
use crate::{
    error::{Error, Result},
    storage::{self, entities::persons, user_blocks::Blocked},
};

/// A member's blocks.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Blocks)]
pub struct BlocksView {
    /// Blocked people.
    pub people: Vec<PersonRef>,
    /// Blocked instances.
    pub instances: Vec<String>,
}

/// What `user` blocks.
pub async fn list(ctx: &Ctx, user: &CurrentUser) -> Result<BlocksView> {
    let (people, hosts) = storage::user_blocks::of(&ctx.db, user.person.id).await?;
    let found = storage::persons::by_ids(&ctx.db, people.iter().map(|b| b.blocked_id)).await?;
    Ok(BlocksView {
        people: people
            .iter()
            .filter_map(|b| found.get(&b.blocked_id).map(PersonRef::from))
            .collect(),
        instances: hosts.into_iter().map(|h| h.host).collect(),
    })
}

/// `user` blocks `person`.
pub async fn block_person(ctx: &Ctx, user: &CurrentUser, person: &persons::Model) -> Result<()> {
    if person.id == user.person.id {
        return Err(Error::invalid("person", "you cannot block yourself"));
    }
    storage::user_blocks::block_person(&ctx.db, user.person.id, person.id, now()).await?;
    Ok(())
}

/// `user` unblocks `person`; 404 when they did not block them.
pub async fn unblock_person(ctx: &Ctx, user: &CurrentUser, person: &persons::Model) -> Result<()> {
    if storage::user_blocks::unblock_person(&ctx.db, user.person.id, person.id).await? {
        Ok(())
    } else {
        Err(Error::NotFound("block"))
    }
}

/// `user` blocks an instance (`host` or `host:port`, or a handle or URL on it); returns the
/// host blocked.
pub async fn block_instance(ctx: &Ctx, user: &CurrentUser, raw: &str) -> Result<String> {
    let host = parse_host(raw)?;
    if host == ctx.instance.domain {
        return Err(Error::invalid("host", "you cannot block your own instance"));
    }
    storage::user_blocks::block_instance(&ctx.db, user.person.id, &host, now()).await?;
    Ok(host)
}

/// `user` unblocks an instance; 404 when they did not block it.
pub async fn unblock_instance(ctx: &Ctx, user: &CurrentUser, raw: &str) -> Result<()> {
    let host = parse_host(raw)?;
    if storage::user_blocks::unblock_instance(&ctx.db, user.person.id, &host).await? {
        Ok(())
    } else {
        Err(Error::NotFound("block"))
    }
}

/// What the viewer (if signed in) has blocked.
pub async fn of_viewer(ctx: &Ctx, viewer: Option<&CurrentUser>) -> Result<Blocked> {
    match viewer {
        Some(u) => Ok(storage::user_blocks::blocked(&ctx.db, u.person.id).await?),
        None => Ok(Blocked::default()),
    }
}
