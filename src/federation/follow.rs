//! Joining and leaving groups. A local group is joined at once; a remote group is joined by a
//! `Follow` to its inbox, and the membership becomes real when its `Accept` arrives.

use activitypub_federation::{
    config::Data,
    fetch::{object_id::ObjectId, webfinger::webfinger_resolve_actor},
    kinds::activity::{FollowType, UndoType},
    traits::{Actor as _, Object as _},
};
use serde::Serialize;

use super::{
    actors::{DbGroup, DbPerson},
    documents::url,
    outbox::new_id,
    protocol::follow::{Follow, UndoFollow},
};
use crate::services::Services;
use crate::{
    delivery,
    domain::{Ctx, accounts::CurrentUser, names::Handle, now, views::GroupRef},
    error::{Error, Result},
    storage::{self, entities::groups},
};

/// Where a person stands with a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = MembershipState)]
pub enum Membership {
    /// Following; receives the group's activity.
    Joined,
    /// Follow sent, no Accept yet; or, in a members-only group, waiting for a moderator.
    Pending,
}

/// A group and the caller's standing in it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Membership)]
pub struct MembershipView {
    /// The group.
    pub group: GroupRef,
    /// Joined or pending.
    pub state: Membership,
}

/// The group a handle names: known here already, or found through WebFinger on its host
/// (and then stored).
pub async fn resolve_group(data: &Data<Services>, raw: &str) -> Result<groups::Model> {
    let handle = Handle::parse(raw)?;
    let domain = handle
        .host
        .clone()
        .unwrap_or_else(|| data.instance.domain.clone());
    if let Some(g) = storage::groups::find_by_name(&data.db, &handle.name, &domain).await? {
        return Ok(g);
    }
    if handle.is_local(&data.instance.domain) {
        return Err(Error::NotFound("group"));
    }
    let group: DbGroup = webfinger_resolve_actor(&format!("{}@{domain}", handle.name), data)
        .await
        .map_err(|e| match e {
            Error::Refused { code, .. } if code.status() == axum::http::StatusCode::BAD_REQUEST => {
                Error::NotFound("group")
            }
            Error::NotFound(_) => Error::NotFound("group"),
            other => other,
        })?;
    Ok(group.model)
}

/// Joins a resolved group (see [`resolve_group`]); returns the resulting state. For a
/// remote group, the pending membership and the `Follow` are written through `data`, which
/// inside a use case is one transaction.
pub async fn join(data: &Services, user: &CurrentUser, group: groups::Model) -> Result<Membership> {
    if group.local {
        // A members-only group here: the request waits for a moderator.
        return Ok(
            if crate::domain::members::join_local(data, user, &group).await? {
                Membership::Joined
            } else {
                Membership::Pending
            },
        );
    }
    if let Some(f) = storage::followers::find(&data.db, group.id, user.person.id).await?
        && !f.pending
    {
        return Ok(Membership::Joined);
    }
    let group = DbGroup::new(group)?;
    let person = DbPerson::new(user.person.clone())?;
    let follow = Follow {
        actor: ObjectId::from(person.id().clone()),
        object: ObjectId::from(group.id().clone()),
        kind: FollowType::Follow,
        id: new_id(data, "follow")?,
    };
    storage::followers::upsert(
        &data.db,
        group.model.id,
        user.person.id,
        true,
        Some(follow.id.to_string()),
        None,
        now(),
    )
    .await?;
    delivery::send(
        data,
        &follow,
        &follow.id,
        person.id(),
        vec![group.shared_inbox_or_inbox()],
    )
    .await?;
    Ok(Membership::Pending)
}

/// Leaves a resolved group (idempotent); for a remote group, tells it with `Undo{Follow}`.
pub async fn leave(data: &Services, user: &CurrentUser, group: groups::Model) -> Result<()> {
    let Some(follow) = storage::followers::find(&data.db, group.id, user.person.id).await? else {
        return Ok(());
    };
    storage::followers::remove(&data.db, group.id, user.person.id).await?;
    if group.local {
        return Ok(());
    }
    let group = DbGroup::new(group)?;
    let person = DbPerson::new(user.person.clone())?;
    let follow_id = match follow.follow_ap_id.as_deref() {
        Some(id) => url(id)?,
        None => new_id(data, "follow")?,
    };
    let undo = UndoFollow {
        actor: ObjectId::from(person.id().clone()),
        object: Follow {
            actor: ObjectId::from(person.id().clone()),
            object: ObjectId::from(group.id().clone()),
            kind: FollowType::Follow,
            id: follow_id,
        },
        kind: UndoType::Undo,
        id: new_id(data, "undo")?,
    };
    delivery::send(
        data,
        &undo,
        &undo.id,
        person.id(),
        vec![group.shared_inbox_or_inbox()],
    )
    .await
}

/// The groups a person has joined or asked to join.
pub async fn memberships(ctx: &Ctx, user: &CurrentUser) -> Result<Vec<MembershipView>> {
    let rows = storage::followers::of_person(&ctx.db, user.person.id).await?;
    Ok(rows
        .into_iter()
        .map(|(g, pending)| MembershipView {
            group: GroupRef::from(&g),
            state: if pending {
                Membership::Pending
            } else {
                Membership::Joined
            },
        })
        .collect())
}
