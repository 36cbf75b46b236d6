//! One reply: reading, edits, deletion, votes.

use axum::{Json, extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::{
        content::ContentRef,
        replies,
        views::{ReplyView, VoteView},
        votes,
    },
    error::{ErrorBody, Result},
    http::{
        AppState,
        api::openapi::{IdPath, JsonBody, SignedIn},
        extract::{ApiJson, ApiPath, Auth, MaybeAuth},
    },
    usecases::content,
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(show, edit, remove))
        .routes(routes!(vote))
}

const TAG: &str = "replies";

/// One reply
#[utoipa::path(
    get,
    path = "/replies/{id}",
    tag = TAG,
    operation_id = "getReply",
    security((), ("bearer" = [])),
    params(IdPath),
    responses(
        (status = 200, description = "The reply", body = ReplyView),
        (status = 404, description = "Unknown reply", body = ErrorBody),
        SignedIn,
    )
)]
async fn show(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReplyView>> {
    Ok(Json(replies::get(&s.ctx, viewer.as_ref(), id).await?))
}

/// Edit a reply (author only)
#[utoipa::path(
    patch,
    path = "/replies/{id}",
    tag = TAG,
    operation_id = "editReply",
    security(("bearer" = [])),
    params(IdPath),
    request_body = replies::ReplyEdit,
    responses(
        (status = 200, description = "Edited", body = ReplyView),
        (status = 403, description = "Not the author", body = ErrorBody),
        (status = 404, description = "Unknown reply", body = ErrorBody),
        (status = 409, description = "Deleted (`deleted`)", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn edit(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<replies::ReplyEdit>,
) -> Result<Json<ReplyView>> {
    Ok(Json(content::edit_reply(&s.ctx, &user, id, input).await?))
}

/// Delete a reply (author, group moderator or admin); its answers stay
///
/// Anyone but the author deleting it is a moderator's removal, federated as such.
#[utoipa::path(
    delete,
    path = "/replies/{id}",
    tag = TAG,
    operation_id = "deleteReply",
    security(("bearer" = [])),
    params(IdPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "Unknown reply", body = ErrorBody),
        SignedIn,
    )
)]
async fn remove(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    // Someone else's is removed by a moderator, and federates as that.
    content::delete(&s.ctx, &user, ContentRef::Reply(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Vote on a reply
#[utoipa::path(
    post,
    path = "/replies/{id}/vote",
    tag = TAG,
    operation_id = "voteReply",
    security(("bearer" = [])),
    params(IdPath),
    request_body = votes::VoteInput,
    responses(
        (status = 200, description = "New totals", body = VoteView),
        (status = 403, description = "Banned from the group (`banned`)", body = ErrorBody),
        (status = 404, description = "Unknown reply", body = ErrorBody),
        (status = 409, description = "Deleted (`deleted`)", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn vote(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<votes::VoteInput>,
) -> Result<Json<VoteView>> {
    Ok(Json(
        content::vote(&s.ctx, &user, ContentRef::Reply(id), input).await?,
    ))
}
