//! Questions: accepting a reply as a question's answer, taking it back, and a group's
//! questions waiting for an answer with its counts.

use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::{
        groups,
        questions::{self, AcceptAnswer, QuestionCounts},
        views::PostView,
    },
    error::{ErrorBody, Result},
    http::{
        AppState,
        api::openapi::{HandlePath, IdPath, JsonBody, SignedIn},
        extract::{ApiJson, ApiPath, Auth, MaybeAuth},
    },
    usecases::questions as usecase,
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(accept, withdraw))
        .routes(routes!(group_questions))
}

const TAG: &str = "questions";

/// Accept a reply as the question's answer (or change it)
///
/// The question's author or a moderator of its group (an administrator here, for a group
/// hosted here) may; any live reply in the thread, at any depth. It is sent to the group as
/// `ChooseAnswer`, as PieFed does.
#[utoipa::path(
    put,
    path = "/posts/{id}/answer",
    tag = TAG,
    operation_id = "acceptAnswer",
    security(("bearer" = [])),
    params(IdPath),
    request_body = AcceptAnswer,
    responses(
        (status = 200, description = "The question, with its answer", body = PostView),
        (status = 403, description = "Not the author or a moderator (`forbidden`), or banned from the group (`banned`)", body = ErrorBody),
        (status = 404, description = "Unknown post or reply", body = ErrorBody),
        (status = 409, description = "A discussion (`not_a_question`), a reply in another thread (`not_in_thread`), or a deleted question or reply (`deleted`)", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn accept(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AcceptAnswer>,
) -> Result<Json<PostView>> {
    Ok(Json(
        usecase::accept(&s.ctx, &user, id, input.reply_id).await?,
    ))
}

/// Take back the question's accepted answer
///
/// Sent as `Undo{ChooseAnswer}`. A question without an answer is answered as it is.
#[utoipa::path(
    delete,
    path = "/posts/{id}/answer",
    tag = TAG,
    operation_id = "withdrawAnswer",
    security(("bearer" = [])),
    params(IdPath),
    responses(
        (status = 200, description = "The question, without an answer", body = PostView),
        (status = 403, description = "Not the author or a moderator (`forbidden`), or banned from the group (`banned`)", body = ErrorBody),
        (status = 404, description = "Unknown post", body = ErrorBody),
        (status = 409, description = "A discussion (`not_a_question`) or a deleted question (`deleted`)", body = ErrorBody),
        SignedIn,
    )
)]
async fn withdraw(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PostView>> {
    Ok(Json(usecase::withdraw(&s.ctx, &user, id).await?))
}

/// A question waiting for an answer.
#[derive(Debug, Serialize, ToSchema)]
struct WaitingQuestion {
    /// The question.
    #[serde(flatten)]
    post: PostView,
    /// How long it has waited, as people read it ("3 days").
    waited: String,
}

/// A group's questions: how many, and those waiting for an answer.
#[derive(Debug, Serialize, ToSchema)]
struct GroupQuestions {
    /// All, answered, unanswered.
    counts: QuestionCounts,
    /// Unanswered open questions, oldest first (at most 10).
    waiting: Vec<WaitingQuestion>,
}

/// A group's questions: counts, and those waiting for an answer, oldest first
///
/// The questions themselves are listed by `GET /groups/{handle}/posts?questions=…`.
#[utoipa::path(
    get,
    path = "/groups/{handle}/questions",
    tag = TAG,
    operation_id = "groupQuestions",
    security((), ("bearer" = [])),
    params(HandlePath),
    responses(
        (status = 403, description = "A members-only group the caller is not a member of (`members_only`)", body = ErrorBody),
        (status = 200, description = "Counts and waiting questions", body = GroupQuestions),
        (status = 404, description = "Unknown group", body = ErrorBody),
        SignedIn,
    )
)]
async fn group_questions(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<GroupQuestions>> {
    let group = groups::find_by_handle(&s.ctx, &handle).await?;
    crate::domain::members::ensure_readable(&s.ctx, &group, viewer.as_ref()).await?;
    let counts = questions::counts(&s.ctx, &group).await?;
    let waiting = questions::waiting(&s.ctx, viewer.as_ref(), Some(&group))
        .await?
        .into_iter()
        .map(|w| WaitingQuestion {
            post: w.post,
            waited: w.waited,
        })
        .collect();
    Ok(Json(GroupQuestions { counts, waiting }))
}
