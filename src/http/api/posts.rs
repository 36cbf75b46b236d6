//! One post: its thread, edits, deletion, votes, and new replies to it.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};

use crate::{
    domain::{
        moderation::ContentId,
        posts, replies,
        views::{PostDetail, PostView, ReplyView, VoteView},
        votes,
    },
    error::Result,
    http::{
        AppState,
        extract::{ApiJson, ApiPath, Auth, MaybeAuth},
    },
    usecases::content,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/posts/{id}", get(show).patch(edit).delete(remove))
        .route("/posts/{id}/replies", post(reply))
        .route("/posts/{id}/vote", post(vote))
}

async fn show(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PostDetail>> {
    Ok(Json(posts::detail(&s.ctx, viewer.as_ref(), id).await?))
}

async fn edit(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<posts::PostEdit>,
) -> Result<Json<PostView>> {
    Ok(Json(content::edit_post(&s.ctx, &user, id, input).await?))
}

async fn remove(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    // Someone else's is removed by a moderator, and federates as that.
    content::delete(&s.ctx, &user, ContentId::Post(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reply(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<replies::NewReply>,
) -> Result<(StatusCode, Json<ReplyView>)> {
    let view = content::reply(&s.ctx, &user, id, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn vote(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<votes::VoteInput>,
) -> Result<Json<VoteView>> {
    Ok(Json(
        content::vote(&s.ctx, &user, ContentId::Post(id), input).await?,
    ))
}
