//! Questions and their accepted answers: the answer written on the post, the question
//! filters and counts of a group, the questions waiting for an answer, a person's accepted
//! answers, and the reminders (nudges) to authors.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
    sea_query::{Expr, ExprTrait, Query},
};

use super::entities::{posts, replies};

/// Which of a group's posts a listing shows, as far as questions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuestionFilter {
    /// Every post, question or discussion.
    #[default]
    Any,
    /// Every question.
    All,
    /// Questions with an accepted answer.
    Answered,
    /// Questions without one.
    Unanswered,
}

/// Narrows a query on posts to `filter`.
pub fn filtered(q: Select<posts::Entity>, filter: QuestionFilter) -> Select<posts::Entity> {
    match filter {
        QuestionFilter::Any => q,
        QuestionFilter::All => q.filter(posts::Column::Question.eq(true)),
        QuestionFilter::Answered => q
            .filter(posts::Column::Question.eq(true))
            .filter(posts::Column::AnswerId.is_not_null()),
        QuestionFilter::Unanswered => q
            .filter(posts::Column::Question.eq(true))
            .filter(posts::Column::AnswerId.is_null()),
    }
}

/// The accepted answer as stored on its question.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The reply.
    pub reply_id: i64,
    /// Who accepted it (a person id).
    pub by: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The `ChooseAnswer` activity's id.
    pub activity: Option<String>,
}

/// Writes (or with `None` clears) a question's accepted answer.
pub async fn set_answer<C: ConnectionTrait>(
    conn: &C,
    post_id: i64,
    answer: Option<Answer>,
) -> Result<(), DbErr> {
    super::memo::clear();
    let (reply, by, at, activity) = match answer {
        Some(a) => (Some(a.reply_id), Some(a.by), Some(a.at), a.activity),
        None => (None, None, None, None),
    };
    conn.execute(
        Query::update()
            .table(posts::Entity)
            .value(posts::Column::AnswerId, reply)
            .value(posts::Column::AnsweredBy, by)
            .value(posts::Column::AnsweredAt, at)
            .value(posts::Column::AnswerActivity, activity)
            .and_where(Expr::col(posts::Column::Id).eq(post_id)),
    )
    .await?;
    Ok(())
}

/// A deleted or removed reply is no longer its question's answer: the question waits again
/// (restoring the reply does not make it the answer again; someone chooses anew).
pub async fn forget_answer<C: ConnectionTrait>(
    conn: &C,
    reply: &super::entities::replies::Model,
) -> Result<(), DbErr> {
    conn.execute(
        Query::update()
            .table(posts::Entity)
            .value(posts::Column::AnswerId, Option::<i64>::None)
            .value(posts::Column::AnsweredBy, Option::<i64>::None)
            .value(posts::Column::AnsweredAt, Option::<DateTime<Utc>>::None)
            .value(posts::Column::AnswerActivity, Option::<String>::None)
            .and_where(Expr::col(posts::Column::Id).eq(reply.post_id))
            .and_where(Expr::col(posts::Column::AnswerId).eq(reply.id)),
    )
    .await?;
    Ok(())
}

/// Makes a post a question (or a discussion).
pub async fn set_question<C: ConnectionTrait>(
    conn: &C,
    post_id: i64,
    question: bool,
) -> Result<(), DbErr> {
    super::memo::clear();
    conn.execute(
        Query::update()
            .table(posts::Entity)
            .value(posts::Column::Question, question)
            .and_where(Expr::col(posts::Column::Id).eq(post_id)),
    )
    .await?;
    Ok(())
}

fn live_in(group_id: i64) -> Select<posts::Entity> {
    posts::Entity::find()
        .filter(posts::Column::GroupId.eq(group_id))
        .filter(posts::Column::DeletedAt.is_null())
}

/// How many live questions a group has: all, answered, unanswered.
pub async fn counts<C: ConnectionTrait>(conn: &C, group_id: i64) -> Result<(u64, u64), DbErr> {
    let all = filtered(live_in(group_id), QuestionFilter::All)
        .count(conn)
        .await?;
    let answered = filtered(live_in(group_id), QuestionFilter::Answered)
        .count(conn)
        .await?;
    Ok((all, answered))
}

/// Live, open questions without an accepted answer, oldest first: in one group, or in the
/// groups `member` joined (accepted follows), or everywhere.
pub async fn waiting<C: ConnectionTrait>(
    conn: &C,
    group_id: Option<i64>,
    member: Option<i64>,
    limit: u64,
) -> Result<Vec<posts::Model>, DbErr> {
    let mut q = filtered(
        posts::Entity::find().filter(posts::Column::DeletedAt.is_null()),
        QuestionFilter::Unanswered,
    )
    .filter(posts::Column::Locked.eq(false))
    .order_by_asc(posts::Column::CreatedAt)
    .order_by_asc(posts::Column::Id)
    .limit(limit);
    if let Some(g) = group_id {
        q = q.filter(posts::Column::GroupId.eq(g));
    }
    if let Some(me) = member {
        q = q.filter(posts::Column::GroupId.in_subquery(super::feeds::joined_groups(me)));
    }
    q.all(conn).await
}

/// Replies by `person_id` accepted as answers, newest acceptance first, with their
/// questions.
pub async fn accepted_of<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    limit: u64,
) -> Result<Vec<(posts::Model, replies::Model)>, DbErr> {
    let questions = posts::Entity::find()
        .filter(posts::Column::DeletedAt.is_null())
        .filter(
            posts::Column::AnswerId.in_subquery(
                Query::select()
                    .column(replies::Column::Id)
                    .from(replies::Entity)
                    .and_where(Expr::col(replies::Column::AuthorId).eq(person_id))
                    .and_where(Expr::col(replies::Column::DeletedAt).is_null())
                    .to_owned(),
            ),
        )
        .order_by_desc(posts::Column::AnsweredAt)
        .limit(limit)
        .all(conn)
        .await?;
    let ids: Vec<i64> = questions.iter().filter_map(|p| p.answer_id).collect();
    let answers: std::collections::HashMap<i64, replies::Model> = replies::Entity::find()
        .filter(replies::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    Ok(questions
        .into_iter()
        .filter_map(|p| {
            let r = answers.get(&p.answer_id?)?.clone();
            Some((p, r))
        })
        .collect())
}

/// Replies by id (the accepted answers of a page of posts).
pub async fn replies_by_ids<C: ConnectionTrait>(
    conn: &C,
    ids: Vec<i64>,
) -> Result<Vec<replies::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    replies::Entity::find()
        .filter(replies::Column::Id.is_in(ids))
        .all(conn)
        .await
}

/// Local live questions written before `cutoff` that have no accepted answer and whose
/// author was never reminded.
pub async fn due_nudges<C: ConnectionTrait>(
    conn: &C,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<posts::Model>, DbErr> {
    filtered(
        posts::Entity::find()
            .filter(posts::Column::DeletedAt.is_null())
            .filter(posts::Column::Local.eq(true))
            .filter(posts::Column::NudgedAt.is_null())
            .filter(posts::Column::CreatedAt.lte(cutoff)),
        QuestionFilter::Unanswered,
    )
    .order_by_asc(posts::Column::Id)
    .limit(limit)
    .all(conn)
    .await
}

/// Records that the authors of `ids` were reminded at `at` (each once: a row already
/// marked keeps its time). Returns how many were marked.
pub async fn mark_nudged<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    super::memo::clear();
    Ok(conn
        .execute(
            Query::update()
                .table(posts::Entity)
                .value(posts::Column::NudgedAt, at)
                .and_where(Expr::col(posts::Column::Id).is_in(ids.iter().copied()))
                .and_where(Expr::col(posts::Column::NudgedAt).is_null()),
        )
        .await?
        .rows_affected())
}

/// `person_id`'s questions they were reminded of and that still have no accepted answer,
/// newest reminder first.
pub async fn nudges_for<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    limit: u64,
) -> Result<Vec<posts::Model>, DbErr> {
    filtered(
        posts::Entity::find()
            .filter(posts::Column::AuthorId.eq(person_id))
            .filter(posts::Column::DeletedAt.is_null())
            .filter(posts::Column::NudgedAt.is_not_null()),
        QuestionFilter::Unanswered,
    )
    .order_by_desc(posts::Column::NudgedAt)
    .limit(limit)
    .all(conn)
    .await
}
