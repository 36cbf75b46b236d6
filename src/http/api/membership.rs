//! Joining and leaving groups, here or on other instances, and finding things elsewhere.

use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    error::{ErrorBody, Result},
    federation::follow::{self, Membership, MembershipView},
    http::{
        AppState,
        api::openapi::{HandlePath, JsonBody, SignedIn},
        extract::{ApiJson, ApiPath, Auth},
    },
    usecases::membership,
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(join, leave))
        .routes(routes!(mine))
        .routes(routes!(resolve))
}

const TAG: &str = "membership";

/// Where the caller now stands with the group.
#[derive(Serialize, ToSchema)]
#[schema(as = JoinState)]
struct State_ {
    /// Joined, or pending the group's Accept.
    state: Membership,
}

/// Join a group. A local group is joined at once (200); a group on another instance gets a Follow and is joined when it accepts (202, `pending`)
#[utoipa::path(
    post,
    path = "/groups/{handle}/join",
    tag = TAG,
    operation_id = "joinGroup",
    security(("bearer" = [])),
    params(HandlePath),
    responses(
        (status = 200, description = "Joined", body = State_),
        (status = 202, description = "Follow sent; pending", body = State_),
        (status = 404, description = "No such group here or on its host", body = ErrorBody),
        (status = 502, description = "The group's server could not be reached (`upstream_unavailable`)", body = ErrorBody),
        SignedIn,
    )
)]
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

/// Leave a group (Undo{Follow} for a remote one); idempotent
#[utoipa::path(
    delete,
    path = "/groups/{handle}/join",
    tag = TAG,
    operation_id = "leaveGroup",
    security(("bearer" = [])),
    params(HandlePath),
    responses(
        (status = 204, description = "Left"),
        (status = 404, description = "No such group", body = ErrorBody),
        SignedIn,
    )
)]
async fn leave(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode> {
    membership::leave(&s.federation.to_request_data(), &user, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Find a person, group, post or reply by handle (`@user@host`, `!group@host`, `group@host`) or URL, fetching and storing it if it is elsewhere
///
/// A query that is neither a handle nor a URL is a 400.
#[utoipa::path(
    post,
    path = "/resolve",
    tag = TAG,
    operation_id = "resolve",
    security(("bearer" = [])),
    request_body = crate::federation::resolve::ResolveQuery,
    responses(
        (status = 200, description = "Found; `type` says which of person, group, post, reply is set", body = crate::federation::resolve::Resolved),
        (status = 404, description = "Nothing there", body = ErrorBody),
        (status = 502, description = "The server it is on could not be reached (`upstream_unavailable`)", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn resolve(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiJson(q): ApiJson<crate::federation::resolve::ResolveQuery>,
) -> Result<Json<crate::federation::resolve::Resolved>> {
    Ok(Json(
        crate::federation::resolve::resolve_for(
            &s.federation.to_request_data(),
            Some(&user),
            &q.query,
        )
        .await?,
    ))
}

/// The groups the signed-in account joined or asked to join
#[utoipa::path(
    get,
    path = "/me/groups",
    tag = TAG,
    operation_id = "myGroups",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Memberships", body = Vec<MembershipView>),
        SignedIn,
    )
)]
async fn mine(State(s): State<AppState>, Auth(user): Auth) -> Result<Json<Vec<MembershipView>>> {
    Ok(Json(follow::memberships(&s.ctx, &user).await?))
}
