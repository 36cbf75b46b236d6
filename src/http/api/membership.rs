//! Joining and leaving groups, here or on other instances.

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
        extract::{ApiPath, Auth},
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups/{handle}/join", post(join).delete(leave))
        .route("/me/groups", get(mine))
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
    let state = follow::join(&s.federation.to_request_data(), &user, &handle).await?;
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
    follow::leave(&s.federation.to_request_data(), &user, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn mine(State(s): State<AppState>, Auth(user): Auth) -> Result<Json<Vec<MembershipView>>> {
    Ok(Json(follow::memberships(&s.ctx, &user).await?))
}
