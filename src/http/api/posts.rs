//! One post: its thread, edits, deletion, votes, and new replies to it.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};

use crate::{
    domain::{
        posts, replies,
        views::{PostDetail, PostView, ReplyView, VoteView},
        votes,
    },
    error::Result,
    federation::outbox,
    http::{
        AppState,
        extract::{ApiJson, ApiPath, Auth, MaybeAuth},
    },
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
    let view = posts::edit(&s.ctx, &user, id, input).await?;
    outbox::edited(&s.federation.to_request_data(), Some(id), None).await?;
    Ok(Json(view))
}

async fn remove(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    // Someone else's is removed by a moderator, and federates as that.
    let removal = posts::delete(&s.ctx, &user, id).await?;
    outbox::delete_done(
        &s.federation.to_request_data(),
        &user,
        Some(id),
        None,
        removal,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reply(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<replies::NewReply>,
) -> Result<(StatusCode, Json<ReplyView>)> {
    let view = replies::create(&s.ctx, &user, id, input).await?;
    outbox::reply_created(&s.federation.to_request_data(), view.id).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn vote(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<votes::VoteInput>,
) -> Result<Json<VoteView>> {
    let value = input.value;
    let view = votes::on_post(&s.ctx, &user, id, input).await?;
    outbox::voted(
        &s.federation.to_request_data(),
        &user,
        Some(id),
        None,
        value,
    )
    .await?;
    Ok(Json(view))
}
