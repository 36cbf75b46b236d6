//! A question's author (or a moderator) accepts a reply as its answer, changes it, takes it
//! back; a moderator turns a group's Q&A mode on or off.

use url::Url;

use super::Unit;
use crate::{
    domain::{
        accounts::CurrentUser,
        posts,
        questions::{self, Choice, Withdrawn},
        views::{GroupView, PostView},
    },
    error::Result,
    federation::{
        documents::url,
        protocol::questions::AnswerActivity,
        questions::{choose_answer, choose_answer_id, publish, undo_choose_answer},
    },
    services::Services,
    storage::entities::persons,
};

/// `actor` accepts reply `reply_id` as the answer of question `post_id`, in one unit: the
/// rule, the write, and the `ChooseAnswer` sent to the group. `is_admin` is whether `actor` is
/// an administrator here. `received` is the id of the `ChooseAnswer` when it came from
/// another server (it is stored, and nothing new is sent: the inbox relays the original).
pub async fn accept_answer(
    ctx: &Services,
    actor: &persons::Model,
    is_admin: bool,
    post_id: i64,
    reply_id: i64,
    received: Option<&Url>,
) -> Result<Choice> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let id = match received {
        Some(id) => id.clone(),
        None => choose_answer_id(c)?,
    };
    let choice =
        questions::accept(c, actor, is_admin, post_id, reply_id, Some(id.to_string())).await?;
    if choice.changed && received.is_none() {
        let activity = choose_answer(id, actor, &choice.reply, &choice.group)?;
        publish(
            c,
            &choice.group,
            &url(&actor.ap_id)?,
            AnswerActivity::Choose(Box::new(activity)),
        )
        .await?;
    }
    unit.commit().await?;
    Ok(choice)
}

/// `actor` takes back the accepted answer of question `post_id`, in one unit; the `Undo`
/// embeds the `ChooseAnswer` that accepted it, under its stored id. `received`: as in
/// [`accept_answer`] (the `Undo`'s id).
pub async fn withdraw_answer(
    ctx: &Services,
    actor: &persons::Model,
    is_admin: bool,
    post_id: i64,
    received: Option<&Url>,
) -> Result<Option<Withdrawn>> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let withdrawn = questions::withdraw(c, actor, is_admin, post_id).await?;
    if let Some(w) = &withdrawn
        && received.is_none()
        && let Some(reply) = &w.reply
    {
        // The choice as it was sent: its id and its actor (who accepted, perhaps not the
        // person taking it back). One stored without an id gets a fresh one.
        let id = match w.post.answer_activity.as_deref() {
            Some(s) => url(s)?,
            None => choose_answer_id(c)?,
        };
        let chooser = w.chooser.as_ref().unwrap_or(actor);
        let original = choose_answer(id, chooser, reply, &w.group)?;
        let undo = undo_choose_answer(c, actor, original)?;
        publish(
            c,
            &w.group,
            &url(&actor.ap_id)?,
            AnswerActivity::Undo(Box::new(undo)),
        )
        .await?;
    }
    unit.commit().await?;
    Ok(withdrawn)
}

/// A member here accepts an answer; the question as it is now.
pub async fn accept(
    ctx: &Services,
    user: &CurrentUser,
    post_id: i64,
    reply_id: i64,
) -> Result<PostView> {
    accept_answer(ctx, &user.person, user.is_admin, post_id, reply_id, None).await?;
    question_view(ctx, user, post_id).await
}

/// A member here takes an answer back; the question as it is now.
pub async fn withdraw(ctx: &Services, user: &CurrentUser, post_id: i64) -> Result<PostView> {
    withdraw_answer(ctx, &user.person, user.is_admin, post_id, None).await?;
    question_view(ctx, user, post_id).await
}

async fn question_view(ctx: &Services, user: &CurrentUser, post_id: i64) -> Result<PostView> {
    let (post, group) = posts::load(ctx, post_id).await?;
    posts::view_one(ctx, Some(user), &post, &group).await
}

/// A moderator (or an admin here) turns a group's Q&A mode on or off. Followers read it in
/// the group's actor document (`questionAnswer`) when they next fetch it.
pub async fn set_qa_mode(
    ctx: &Services,
    user: &CurrentUser,
    group_handle: &str,
    on: bool,
) -> Result<GroupView> {
    let unit = Unit::begin(ctx).await?;
    let view = questions::set_qa_mode(unit.ctx(), user, group_handle, on).await?;
    unit.commit().await?;
    Ok(view)
}
