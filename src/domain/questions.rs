//! Questions and accepted answers: a post is a question or a discussion (every post in a
//! group in Q&A mode is a question); a question's author, or a moderator of its group, accepts
//! one reply anywhere in its thread as the answer, changes it, or takes it back. The rule takes
//! the acting person as a `persons::Model`, so a person elsewhere (whose `ChooseAnswer` arrives
//! in the inbox) goes through the same checks as a member here.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Ctx,
    accounts::CurrentUser,
    feeds::{ReplyInContext, post_views, reply_views},
    groups::find_by_handle,
    moderation, now,
    posts::{hidden_authors, load},
    views::{AnswerView, GroupView, PersonRef, PostKind, PostView},
};
use crate::{
    error::{Code, Error, Result},
    storage::{
        self,
        entities::{groups, persons, posts, replies},
        questions::{Answer, QuestionFilter},
    },
};

/// The accept-an-answer request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptAnswer {
    /// The reply accepted: any reply in the question's thread, at any depth.
    pub reply_id: i64,
}

/// How many questions a group has, answered and not.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct QuestionCounts {
    /// Every live question.
    pub questions: u64,
    /// Those with an accepted answer.
    pub answered: u64,
    /// Those without one.
    pub unanswered: u64,
}

/// A question waiting for an answer, and for how long.
#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    /// The question.
    pub post: PostView,
    /// How long it has waited, as people read it ("3 days").
    pub waited: String,
}

/// What accepting did, for the use case to send on.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The question, as it was before.
    pub post: posts::Model,
    /// Its group.
    pub group: groups::Model,
    /// The reply accepted.
    pub reply: replies::Model,
    /// False when that reply was already the answer (nothing stored, nothing to send).
    pub changed: bool,
}

/// What taking an answer back undid, for the use case to send on.
#[derive(Debug, Clone)]
pub struct Withdrawn {
    /// The question, as it was before.
    pub post: posts::Model,
    /// Its group.
    pub group: groups::Model,
    /// The reply that was the answer (gone when it was purged since).
    pub reply: Option<replies::Model>,
    /// Who had accepted it.
    pub chooser: Option<persons::Model>,
}

/// Whether a new post in `group` is a question: always in Q&A mode, else as its author chose.
pub fn is_question(group: &groups::Model, kind: Option<PostKind>) -> bool {
    group.qa_mode || kind == Some(PostKind::Question)
}

/// Whether `actor` may choose the answer of `post`: its author, or someone who may moderate
/// its group (`is_admin` counts only for a person here, and only in a group hosted here).
pub async fn may_choose(
    ctx: &Ctx,
    post: &posts::Model,
    group: &groups::Model,
    actor: &persons::Model,
    is_admin: bool,
) -> Result<bool> {
    Ok(post.author_id == actor.id
        || moderation::may_moderate(ctx, group, actor.id, is_admin && actor.local).await?)
}

async fn authorize(
    ctx: &Ctx,
    post: &posts::Model,
    group: &groups::Model,
    actor: &persons::Model,
    is_admin: bool,
) -> Result<()> {
    // Membership is this server's to check for its own people and its own groups; a choice
    // relayed by a group elsewhere was checked there.
    if actor.local || group.local {
        super::members::ensure_member_in_thread(ctx, group, actor.id, "post").await?;
    }
    if !post.question {
        return Err(Error::refused(
            Code::NotAQuestion,
            "this post is a discussion, not a question",
        ));
    }
    if post.deleted_at.is_some() {
        return Err(Error::refused(Code::Deleted, "this question was deleted"));
    }
    moderation::ensure_not_banned(ctx, group.id, actor.id).await?;
    if !may_choose(ctx, post, group, actor, is_admin).await? {
        return Err(Error::forbidden(
            "only the question's author or the group's moderators may choose its answer",
        ));
    }
    Ok(())
}

/// Refuses `actor` (someone elsewhere) unless they may choose the answer of question
/// `post_id`, as [`accept`] and [`withdraw`] would.
pub async fn authorize_choice(ctx: &Ctx, post_id: i64, actor: &persons::Model) -> Result<()> {
    let (post, group) = load(ctx, post_id).await?;
    authorize(ctx, &post, &group, actor, false).await
}

/// `actor` accepts reply `reply_id` as the answer of question `post_id` (replacing any
/// other). `activity` is the id of the `ChooseAnswer` that says so, kept so that taking it
/// back can name it.
pub async fn accept(
    ctx: &Ctx,
    actor: &persons::Model,
    is_admin: bool,
    post_id: i64,
    reply_id: i64,
    activity: Option<String>,
) -> Result<Choice> {
    let (post, group) = load(ctx, post_id).await?;
    authorize(ctx, &post, &group, actor, is_admin).await?;
    let reply = storage::replies::find(&ctx.db, reply_id)
        .await?
        .ok_or(Error::NotFound("reply"))?;
    if reply.post_id != post.id {
        return Err(Error::refused(
            Code::NotInThread,
            "that reply is not in this question's thread",
        ));
    }
    if reply.deleted_at.is_some() {
        return Err(Error::refused(
            Code::Deleted,
            "that reply was deleted or removed",
        ));
    }
    let changed = post.answer_id != Some(reply.id);
    if changed {
        storage::questions::set_answer(
            &ctx.db,
            post.id,
            Some(Answer {
                reply_id: reply.id,
                by: actor.id,
                at: now(),
                activity,
            }),
        )
        .await?;
    }
    Ok(Choice {
        post,
        group,
        reply,
        changed,
    })
}

/// `actor` takes back the accepted answer of question `post_id`; `None` when it had none.
pub async fn withdraw(
    ctx: &Ctx,
    actor: &persons::Model,
    is_admin: bool,
    post_id: i64,
) -> Result<Option<Withdrawn>> {
    let (post, group) = load(ctx, post_id).await?;
    authorize(ctx, &post, &group, actor, is_admin).await?;
    let Some(answer) = post.answer_id else {
        return Ok(None);
    };
    let reply = storage::replies::find(&ctx.db, answer).await?;
    let chooser = match post.answered_by {
        Some(id) => storage::persons::find(&ctx.db, id).await?,
        None => None,
    };
    storage::questions::set_answer(&ctx.db, post.id, None).await?;
    Ok(Some(Withdrawn {
        post,
        group,
        reply,
        chooser,
    }))
}

/// A moderator (or an admin here) turns Q&A mode on or off in a group hosted here. Posts
/// written before keep their kind.
pub async fn set_qa_mode(
    ctx: &Ctx,
    user: &CurrentUser,
    group_handle: &str,
    on: bool,
) -> Result<GroupView> {
    let group = find_by_handle(ctx, group_handle).await?;
    if !group.local {
        return Err(Error::forbidden(
            "a group on another instance is edited there",
        ));
    }
    moderation::authorize(ctx, user, &group).await?;
    if group.qa_mode != on {
        storage::groups::set_qa_mode(&ctx.db, group.id, on, now()).await?;
    }
    super::groups::view(ctx, group_handle).await
}

/// The start of a text as plain text: markdown as written, or HTML without its tags.
pub fn excerpt(body: &str, body_html: &str, max: usize) -> String {
    let text = if body.trim().is_empty() {
        let mut out = String::with_capacity(body_html.len());
        let mut in_tag = false;
        for c in body_html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    out.push(' ');
                }
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    } else {
        body.to_string()
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let one_line = words.join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Longest answer excerpt shown with its question, in characters.
pub const EXCERPT_CHARS: usize = 280;

/// Fills in the accepted answers of `views` (the views of `rows`, by id). An answer whose
/// reply was deleted since is not shown; one whose author the viewer does not see is shown
/// without its author and text.
pub async fn attach_answers(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    views: &mut [PostView],
    rows: &[posts::Model],
) -> Result<()> {
    let answered: HashMap<i64, &posts::Model> = rows
        .iter()
        .filter(|p| p.question && p.answer_id.is_some())
        .map(|p| (p.id, p))
        .collect();
    if answered.is_empty() {
        return Ok(());
    }
    let replies: HashMap<i64, replies::Model> = storage::questions::replies_by_ids(
        &ctx.db,
        answered.values().filter_map(|p| p.answer_id).collect(),
    )
    .await?
    .into_iter()
    .filter(|r| r.deleted_at.is_none())
    .map(|r| (r.id, r))
    .collect();
    let people = storage::persons::by_ids(
        &ctx.db,
        replies
            .values()
            .map(|r| r.author_id)
            .chain(answered.values().filter_map(|p| p.answered_by)),
    )
    .await?;
    let hidden = hidden_authors(ctx, viewer, &people).await?;
    for v in views.iter_mut() {
        let Some(p) = answered.get(&v.id) else {
            continue;
        };
        let (Some(r), Some(at)) = (p.answer_id.and_then(|id| replies.get(&id)), p.answered_at)
        else {
            continue;
        };
        let shown = !hidden.contains(&r.author_id);
        v.answer = Some(AnswerView {
            reply_id: r.id,
            ap_id: r.ap_id.clone(),
            author: people
                .get(&r.author_id)
                .filter(|_| shown)
                .map(PersonRef::from),
            excerpt: if shown {
                excerpt(&r.body, &r.body_html, EXCERPT_CHARS)
            } else {
                String::new()
            },
            link: format!("/posts/{}#r{}", p.id, r.id),
            accepted_at: at,
            accepted_by: p
                .answered_by
                .and_then(|id| people.get(&id))
                .map(PersonRef::from),
        });
    }
    Ok(())
}

/// Reads `?questions=` on a group's post list: absent (every post), `all` (every question),
/// `answered` or `unanswered`.
pub fn parse_filter(raw: Option<&str>) -> Result<QuestionFilter> {
    match raw.map(str::trim) {
        None | Some("") => Ok(QuestionFilter::Any),
        Some("all") => Ok(QuestionFilter::All),
        Some("answered") => Ok(QuestionFilter::Answered),
        Some("unanswered") => Ok(QuestionFilter::Unanswered),
        Some(_) => Err(Error::invalid(
            "questions",
            "must be all, answered or unanswered",
        )),
    }
}

/// How many questions a group has, answered and not.
pub async fn counts(ctx: &Ctx, group: &groups::Model) -> Result<QuestionCounts> {
    let (questions, answered) = storage::questions::counts(&ctx.db, group.id).await?;
    Ok(QuestionCounts {
        questions,
        answered,
        unanswered: questions.saturating_sub(answered),
    })
}

/// Most questions listed as waiting for an answer.
pub const WAITING: u64 = 10;

/// How long since `since`, as people read it.
pub fn waited(since: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let d = at - since;
    let n = |v: i64, unit: &str| format!("{v} {unit}{}", if v == 1 { "" } else { "s" });
    if d < Duration::hours(1) {
        n(d.num_minutes().max(1), "minute")
    } else if d < Duration::days(1) {
        n(d.num_hours(), "hour")
    } else {
        n(d.num_days(), "day")
    }
}

/// Questions waiting for an answer, oldest first: in `group`, or without one in the groups
/// the viewer joined (every group for a visitor).
pub async fn waiting(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    group: Option<&groups::Model>,
) -> Result<Vec<Waiting>> {
    let member = match (group, viewer) {
        (None, Some(u)) => Some(u.person.id),
        _ => None,
    };
    let rows = storage::questions::waiting(&ctx.db, group.map(|g| g.id), member, WAITING).await?;
    let t = now();
    Ok(post_views(ctx, viewer, rows)
        .await?
        .into_iter()
        .map(|post| Waiting {
            waited: waited(post.created_at, t),
            post,
        })
        .collect())
}

/// Most accepted answers listed on a profile.
pub const PROFILE_ANSWERS: u64 = 20;

/// A person's replies accepted as answers, newest acceptance first.
pub async fn accepted_of(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    person_id: i64,
) -> Result<Vec<ReplyInContext>> {
    let rows = storage::questions::accepted_of(&ctx.db, person_id, PROFILE_ANSWERS).await?;
    reply_views(ctx, viewer, rows.into_iter().map(|(_, r)| r).collect()).await
}

/// Reminds the authors of questions that have waited `nudge_after_days` without an accepted
/// answer, once each (the hourly clean-up calls this). Returns how many were reminded.
pub async fn nudge(ctx: &Ctx, at: DateTime<Utc>) -> Result<u64> {
    let cutoff = at - Duration::days(i64::from(ctx.instance.nudge_after_days));
    let mut total = 0;
    loop {
        let due = storage::questions::due_nudges(&ctx.db, cutoff, 500).await?;
        if due.is_empty() {
            return Ok(total);
        }
        let ids: Vec<i64> = due.iter().map(|p| p.id).collect();
        total += storage::questions::mark_nudged(&ctx.db, &ids, at).await?;
        if due.len() < 500 {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_plain_and_short() {
        assert_eq!(excerpt("", "<p>a &amp; <b>b</b></p>", 50), "a & b");
        assert_eq!(excerpt("one\n\ntwo", "", 50), "one two");
        assert_eq!(excerpt("abcdef", "", 3), "abc…");
    }

    #[test]
    fn waits_read_as_people_say_them() {
        let t = now();
        assert_eq!(waited(t - Duration::days(3), t), "3 days");
        assert_eq!(waited(t - Duration::hours(1), t), "1 hour");
        assert_eq!(waited(t, t), "1 minute");
    }
}
