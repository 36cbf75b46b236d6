//! A question's author (or a moderator) accepts a reply as its answer, changes it, takes it
//! back; a moderator turns a group's Q&A mode on or off.

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
        outbox,
        protocol::content::GroupActivity,
        protocol::questions::AnswerActivity,
        questions::{choose_answer, choose_answer_id, publish, undo_choose_answer},
    },
    services::Services,
    storage::entities::{persons, replies},
};

/// `actor` (a person here; `is_admin`: an administrator here) accepts reply `reply_id` as the
/// answer of question `post_id`, in one unit: the rule, the write, and the `ChooseAnswer`
/// sent to the group. A person elsewhere goes through [`choose_remote`].
pub async fn accept_answer(
    ctx: &Services,
    actor: &persons::Model,
    is_admin: bool,
    post_id: i64,
    reply_id: i64,
) -> Result<Choice> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let id = choose_answer_id(c)?;
    let choice =
        questions::accept(c, actor, is_admin, post_id, reply_id, Some(id.to_string())).await?;
    if choice.changed {
        crate::domain::mail::record_accepted(c, post_id, reply_id, actor.id).await?;
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

/// `actor` (a person here) takes back the accepted answer of question `post_id`, in one unit;
/// the `Undo` embeds the `ChooseAnswer` that accepted it, under its stored id. A person
/// elsewhere goes through [`withdraw_remote`].
pub async fn withdraw_answer(
    ctx: &Services,
    actor: &persons::Model,
    is_admin: bool,
    post_id: i64,
) -> Result<Option<Withdrawn>> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let withdrawn = questions::withdraw(c, actor, is_admin, post_id).await?;
    if let Some(w) = &withdrawn
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
    accept_answer(ctx, &user.person, user.is_admin, post_id, reply_id).await?;
    question_view(ctx, user, post_id).await
}

/// A member here takes an answer back; the question as it is now.
pub async fn withdraw(ctx: &Services, user: &CurrentUser, post_id: i64) -> Result<PostView> {
    withdraw_answer(ctx, &user.person, user.is_admin, post_id).await?;
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

/// A person on another server (the question's author or a moderator of the group, checked
/// here as for a member here) accepts `reply` as its question's answer: the `ChooseAnswer`
/// they sent (to a group hosted here, or relayed by the group that hosts it) is stored with
/// the choice and, by a group hosted here, relayed to its followers, in one unit. The same
/// choice again changes nothing and is not relayed again.
pub async fn choose_remote(
    ctx: &Services,
    actor: &persons::Model,
    reply: &replies::Model,
    activity: GroupActivity,
) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let id = activity.id().to_string();
    let choice = questions::accept(c, actor, false, reply.post_id, reply.id, Some(id)).await?;
    if choice.changed {
        crate::domain::mail::record_accepted(c, reply.post_id, reply.id, actor.id).await?;
    }
    if choice.changed && choice.group.local {
        outbox::announce(c, &choice.group, activity, None).await?;
    }
    unit.commit().await
}

/// A person on another server takes back the accepted answer `reply` (checked like the
/// choice: the question's author or a moderator). PieFed's `Undo` embeds a `ChooseAnswer`
/// with a fresh id, so it is matched by the reply it names: one that is not the accepted
/// answer (any more) changes nothing.
pub async fn withdraw_remote(
    ctx: &Services,
    actor: &persons::Model,
    reply: &replies::Model,
    activity: GroupActivity,
) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let (post, _) = posts::load(c, reply.post_id).await?;
    if post.answer_id != Some(reply.id) {
        // Checked all the same, so a forged Undo is refused rather than ignored.
        questions::authorize_choice(c, reply.post_id, actor).await?;
        return unit.commit().await;
    }
    let withdrawn = questions::withdraw(c, actor, false, reply.post_id).await?;
    if let Some(w) = withdrawn
        && w.group.local
    {
        outbox::announce(c, &w.group, activity, None).await?;
    }
    unit.commit().await
}
