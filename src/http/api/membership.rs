//! Joining and leaving groups, here or on other instances, and finding things elsewhere.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};
use serde::Serialize;

use crate::{
    error::Result,
    federation::follow::{self, Membership, MembershipView},
    http::{
        AppState,
        extract::{ApiJson, ApiPath, Auth},
    },
    usecases::membership,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups/{handle}/join", post(join).delete(leave))
        .route("/me/groups", get(mine))
        .route("/resolve", post(resolve))
}

#[derive(Serialize)]
struct State_ {
    state: Membership,
}

async fn join(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
) -> Result<(StatusCode, Json<State_>)> {
    let state = membership::join(&s.federation.to_request_data(), &user, &handle).await?;
    let status = match state {
        Membership::Joined => StatusCode::OK,
        Membership::Pending => StatusCode::ACCEPTED,
    };
    Ok((status, Json(State_ { state })))
}

async fn leave(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode> {
    membership::leave(&s.federation.to_request_data(), &user, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn resolve(
    State(s): State<AppState>,
    _: Auth,
    ApiJson(q): ApiJson<crate::federation::resolve::ResolveQuery>,
) -> Result<Json<crate::federation::resolve::Resolved>> {
    Ok(Json(
        crate::federation::resolve::resolve(&s.federation.to_request_data(), &q.query).await?,
    ))
}

async fn mine(State(s): State<AppState>, Auth(user): Auth) -> Result<Json<Vec<MembershipView>>> {
    Ok(Json(follow::memberships(&s.ctx, &user).await?))
}
