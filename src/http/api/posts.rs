//! One post: its thread, edits, deletion, votes, and new replies to it.

use axum::{Json, extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::{
        content::ContentRef,
        posts, replies,
        views::{PostDetail, PostView, ReplyView, VoteView},
        votes,
    },
    error::{ErrorBody, Result},
    http::{
        AppState,
        api::openapi::{IdPath, JsonBody, RateLimited, SignedIn},
        extract::{ApiJson, ApiPath, Auth, MaybeAuth},
    },
    usecases::content,
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(show, edit, remove))
        .routes(routes!(reply))
        .routes(routes!(vote))
}

const TAG: &str = "posts";

/// A post with its replies as a tree (a deleted post is a tombstone with `deleted: true`)
///
/// Signed in, the viewer's own votes are shown and replies by people or instances they block
/// are `hidden`.
#[utoipa::path(
    get,
    path = "/posts/{id}",
    tag = TAG,
    operation_id = "getPost",
    security((), ("bearer" = [])),
    params(IdPath),
    responses(
        (status = 200, description = "The thread", body = PostDetail),
        (status = 404, description = "Unknown post", body = ErrorBody),
        SignedIn,
    )
)]
async fn show(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PostDetail>> {
    Ok(Json(posts::detail(&s.ctx, viewer.as_ref(), id).await?))
}

/// Edit a post (author only)
#[utoipa::path(
    patch,
    path = "/posts/{id}",
    tag = TAG,
    operation_id = "editPost",
    security(("bearer" = [])),
    params(IdPath),
    request_body = posts::PostEdit,
    responses(
        (status = 200, description = "Edited", body = PostView),
        (status = 403, description = "Not the author", body = ErrorBody),
        (status = 404, description = "Unknown post", body = ErrorBody),
        (status = 409, description = "Deleted (`deleted`)", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn edit(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<posts::PostEdit>,
) -> Result<Json<PostView>> {
    Ok(Json(content::edit_post(&s.ctx, &user, id, input).await?))
}

/// Delete a post (author, group moderator or admin); replies stay
///
/// Anyone but the author deleting it is a moderator's removal, federated as such.
#[utoipa::path(
    delete,
    path = "/posts/{id}",
    tag = TAG,
    operation_id = "deletePost",
    security(("bearer" = [])),
    params(IdPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "Unknown post", body = ErrorBody),
        SignedIn,
    )
)]
async fn remove(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    // Someone else's is removed by a moderator, and federates as that.
    content::delete(&s.ctx, &user, ContentRef::Post(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reply to a post, or to a reply in its thread with `parent_id`
#[utoipa::path(
    post,
    path = "/posts/{id}/replies",
    tag = TAG,
    operation_id = "createReply",
    security(("bearer" = [])),
    params(IdPath),
    request_body = replies::NewReply,
    responses(
        (status = 201, description = "Created", body = ReplyView),
        (status = 403, description = "Banned from the group (`banned`)", body = ErrorBody),
        (status = 404, description = "Unknown post", body = ErrorBody),
        (status = 409, description = "Deleted (`deleted`), or the thread is locked (`locked`)", body = ErrorBody),
        JsonBody,
        SignedIn,
        RateLimited,
    )
)]
async fn reply(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<replies::NewReply>,
) -> Result<(StatusCode, Json<ReplyView>)> {
    let view = content::reply(&s.ctx, &user, id, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Vote on a post
#[utoipa::path(
    post,
    path = "/posts/{id}/vote",
    tag = TAG,
    operation_id = "votePost",
    security(("bearer" = [])),
    params(IdPath),
    request_body = votes::VoteInput,
    responses(
        (status = 200, description = "New totals", body = VoteView),
        (status = 403, description = "Banned from the group (`banned`)", body = ErrorBody),
        (status = 404, description = "Unknown post", body = ErrorBody),
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
        content::vote(&s.ctx, &user, ContentRef::Post(id), input).await?,
    ))
}
