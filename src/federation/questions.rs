//! What choosing a question's answer sends, in PieFed's shapes: `ChooseAnswer{actor, object:
//! reply, audience: group, to: Public, cc: group}` to a remote group's inbox, or announced by
//! a group hosted here to its followers; taking it back, `Undo` with the original
//! `ChooseAnswer` embedded (the same id). The inbound side is not wired yet.

use activitypub_federation::{
    kinds::activity::{AnnounceType, UndoType},
    traits::{Actor as _, Object as _},
};
use url::Url;

use super::{
    Urls,
    actors::DbGroup,
    documents::url,
    outbox::new_id,
    protocol::questions::{
        AnnounceAnswer, AnswerActivity, ChooseAnswer, ChooseAnswerType, UndoChooseAnswer,
    },
};
use crate::{
    delivery,
    error::Result,
    services::Services,
    storage::{
        self,
        entities::{groups, persons, replies},
    },
};

/// A fresh id for a `ChooseAnswer` sent from here.
pub fn choose_answer_id(ctx: &Services) -> Result<Url> {
    new_id(ctx, "answer")
}

/// The `ChooseAnswer` by `actor` of `reply` in `group`, with id `id`.
pub fn choose_answer(
    id: Url,
    actor: &persons::Model,
    reply: &replies::Model,
    group: &groups::Model,
) -> Result<ChooseAnswer> {
    let group_id = url(&group.ap_id)?;
    Ok(ChooseAnswer {
        id,
        kind: ChooseAnswerType::ChooseAnswer,
        actor: url(&actor.ap_id)?,
        object: url(&reply.ap_id)?,
        audience: group_id.clone(),
        to: vec![super::documents::addressed_to(group)?],
        cc: vec![group_id],
    })
}

/// The `Undo` by `actor` of `choice`.
pub fn undo_choose_answer(
    ctx: &Services,
    actor: &persons::Model,
    choice: ChooseAnswer,
) -> Result<UndoChooseAnswer> {
    Ok(UndoChooseAnswer {
        id: new_id(ctx, "undo")?,
        kind: UndoType::Undo,
        actor: url(&actor.ap_id)?,
        audience: choice.audience.clone(),
        to: choice.to.clone(),
        cc: vec![choice.audience.clone()],
        object: choice,
    })
}

/// Sends `activity` (by `actor`) on its way: to the remote group's inbox, or announced by the
/// group hosted here to its followers.
pub async fn publish(
    ctx: &Services,
    group: &groups::Model,
    actor: &Url,
    activity: AnswerActivity,
) -> Result<()> {
    let g = DbGroup::new(group.clone())?;
    if !group.local {
        let id = activity.id().clone();
        return delivery::send(ctx, &activity, &id, actor, vec![g.shared_inbox_or_inbox()]).await;
    }
    if !storage::followers::has_remote(&ctx.db, group.id).await? {
        return Ok(());
    }
    let wrapped = AnnounceAnswer {
        id: new_id(ctx, "announce")?,
        kind: AnnounceType::Announce,
        actor: g.id().clone(),
        object: activity,
        to: vec![super::documents::addressed_to(group)?],
        cc: vec![url(&ctx
            .instance
            .group_collection_url(&group.name, "followers"))?],
    };
    delivery::send_to_followers(ctx, &wrapped, &wrapped.id, g.id(), group.id).await
}
