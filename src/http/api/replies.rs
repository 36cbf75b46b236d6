//! One reply: reading, edits, deletion, votes.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};

use crate::{
    domain::{
        moderation::ContentId,
        replies,
        views::{ReplyView, VoteView},
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
    Ok(Json(content::edit_reply(&s.ctx, &user, id, input).await?))
}

async fn remove(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    // Someone else's is removed by a moderator, and federates as that.
    content::delete(&s.ctx, &user, ContentId::Reply(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn vote(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<votes::VoteInput>,
) -> Result<Json<VoteView>> {
    Ok(Json(
        content::vote(&s.ctx, &user, ContentId::Reply(id), input).await?,
    ))
}
