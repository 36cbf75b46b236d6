//! One reply: reading, edits, deletion, votes.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};

use crate::{
    domain::{
        replies,
        views::{ReplyView, VoteView},
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
        .route("/replies/{id}", get(show).patch(edit).delete(remove))
        .route("/replies/{id}/vote", post(vote))
}

async fn show(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReplyView>> {
    Ok(Json(replies::get(&s.ctx, viewer.as_ref(), id).await?))
}

async fn edit(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<replies::ReplyEdit>,
) -> Result<Json<ReplyView>> {
    let view = replies::edit(&s.ctx, &user, id, input).await?;
    outbox::edited(&s.federation.to_request_data(), None, Some(id)).await?;
    Ok(Json(view))
}

async fn remove(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    // Someone else's is removed by a moderator, and federates as that.
    let removal = replies::delete(&s.ctx, &user, id).await?;
    outbox::delete_done(
        &s.federation.to_request_data(),
        &user,
        None,
        Some(id),
        removal,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn vote(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<votes::VoteInput>,
) -> Result<Json<VoteView>> {
    let value = input.value;
    let view = votes::on_reply(&s.ctx, &user, id, input).await?;
    outbox::voted(
        &s.federation.to_request_data(),
        &user,
        None,
        Some(id),
        value,
    )
    .await?;
    Ok(Json(view))
}
