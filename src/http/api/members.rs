//! Members-only groups: the member list, requests to join and their approval, invitation
//! links.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::{
        groups,
        members::{self, InviteView, JoinRequest},
        views::{GroupView, PersonRef},
    },
    error::{ErrorBody, Result},
    federation::resolve,
    http::{
        AppState,
        api::openapi::{HandlePath, IdPath, JsonBody, Moderation, PersonPath, SignedIn},
        extract::{ApiJson, ApiPath, Auth, MaybeAuth},
    },
    usecases::membership,
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list_members))
        .routes(routes!(requests))
        .routes(routes!(approve, refuse))
        .routes(routes!(invites, create_invite))
        .routes(routes!(revoke_invite))
        .routes(routes!(accept_invite))
}

const TAG: &str = "membership";

/// Most members listed.
const MEMBERS_LISTED: u64 = 1000;

/// A group's members (of a members-only group: for its members only)
#[utoipa::path(
    get,
    path = "/groups/{handle}/members",
    tag = TAG,
    operation_id = "listMembers",
    security((), ("bearer" = [])),
    params(HandlePath),
    responses(
        (status = 200, description = "Its approved members, by when they joined (at most 1,000)", body = Vec<PersonRef>),
        (status = 403, description = "A members-only group the caller is not a member of (`members_only`)", body = ErrorBody),
        (status = 404, description = "Unknown group", body = ErrorBody),
        SignedIn,
    )
)]
async fn list_members(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<Vec<PersonRef>>> {
    let group = groups::find_by_handle(&s.ctx, &handle).await?;
    Ok(Json(
        members::members(&s.ctx, viewer.as_ref(), &group, MEMBERS_LISTED).await?,
    ))
}

/// The requests to join a group waiting for its moderators, oldest first
#[utoipa::path(
    get,
    path = "/groups/{handle}/requests",
    tag = TAG,
    operation_id = "joinRequests",
    security(("bearer" = [])),
    params(HandlePath),
    responses(
        (status = 200, description = "The requests; `new_instance`: approving sends the group's content to a server that has none of it yet", body = Vec<JoinRequest>),
        Moderation,
        SignedIn,
    )
)]
async fn requests(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<Vec<JoinRequest>>> {
    let group = groups::find_by_handle(&s.ctx, &handle).await?;
    Ok(Json(members::requests(&s.ctx, &user, &group).await?))
}

async fn decide(
    s: &AppState,
    user: &crate::domain::accounts::CurrentUser,
    handle: &str,
    person: &str,
    approve: bool,
) -> Result<StatusCode> {
    let data = s.federation.to_request_data();
    let person = resolve::person(&data, person).await?;
    membership::decide(&s.ctx, user, handle, person.id, approve).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A moderator approves a request to join: the person is a member (a person elsewhere gets the group's `Accept`)
#[utoipa::path(
    post,
    path = "/groups/{handle}/requests/{person}",
    tag = TAG,
    operation_id = "approveJoinRequest",
    security(("bearer" = [])),
    params(HandlePath, PersonPath),
    responses((status = 204, description = "Approved"), Moderation, SignedIn)
)]
async fn approve(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, person)): ApiPath<(String, String)>,
) -> Result<StatusCode> {
    decide(&s, &user, &handle, &person, true).await
}

/// A moderator refuses a request to join (a person elsewhere gets the group's `Reject`)
#[utoipa::path(
    delete,
    path = "/groups/{handle}/requests/{person}",
    tag = TAG,
    operation_id = "refuseJoinRequest",
    security(("bearer" = [])),
    params(HandlePath, PersonPath),
    responses((status = 204, description = "Refused; the request is gone"), Moderation, SignedIn)
)]
async fn refuse(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, person)): ApiPath<(String, String)>,
) -> Result<StatusCode> {
    decide(&s, &user, &handle, &person, false).await
}

/// A group's working invitation links (their tokens are not shown again)
#[utoipa::path(
    get,
    path = "/groups/{handle}/invites",
    tag = TAG,
    operation_id = "groupInvites",
    security(("bearer" = [])),
    params(HandlePath),
    responses((status = 200, description = "The links, newest first", body = Vec<InviteView>), Moderation, SignedIn)
)]
async fn invites(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<Vec<InviteView>>> {
    let group = groups::find_by_handle(&s.ctx, &handle).await?;
    Ok(Json(members::invites(&s.ctx, &user, &group).await?))
}

/// How long a new invitation link works.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewInvite {
    /// Days, 1–90 (default 14).
    #[schema(minimum = 1, maximum = 90)]
    days: Option<i64>,
}

/// A moderator makes an invitation link to a members-only group: whoever signs in here and opens it is a member at once
#[utoipa::path(
    post,
    path = "/groups/{handle}/invites",
    tag = TAG,
    operation_id = "createGroupInvite",
    security(("bearer" = [])),
    params(HandlePath),
    request_body = NewInvite,
    responses(
        (status = 201, description = "The link (`url`, shown this once)", body = InviteView),
        Moderation,
        JsonBody,
        SignedIn,
    )
)]
async fn create_invite(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
    ApiJson(input): ApiJson<NewInvite>,
) -> Result<(StatusCode, Json<InviteView>)> {
    let group = groups::find_by_handle(&s.ctx, &handle).await?;
    let view = members::create_invite(&s.ctx, &user, &group, input.days).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A moderator revokes an invitation link
#[utoipa::path(
    delete,
    path = "/groups/{handle}/invites/{id}",
    tag = TAG,
    operation_id = "revokeGroupInvite",
    security(("bearer" = [])),
    params(HandlePath, IdPath),
    responses((status = 204, description = "Revoked"), Moderation, SignedIn)
)]
async fn revoke_invite(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode> {
    let group = groups::find_by_handle(&s.ctx, &handle).await?;
    members::revoke_invite(&s.ctx, &user, &group, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{token}`: an invitation link's last part.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
struct TokenPath {
    /// The token of an invitation link (`/invite/{token}`)
    #[allow(dead_code)]
    token: String,
}

/// Join a members-only group with an invitation link's token
#[utoipa::path(
    post,
    path = "/invites/{token}",
    tag = TAG,
    operation_id = "acceptGroupInvite",
    security(("bearer" = [])),
    params(TokenPath),
    responses(
        (status = 200, description = "A member now", body = GroupView),
        (status = 403, description = "Banned from the group (`banned`)", body = ErrorBody),
        (status = 404, description = "No such link, or it expired or was revoked", body = ErrorBody),
        SignedIn,
    )
)]
async fn accept_invite(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<GroupView>> {
    let group = membership::join_by_invite(&s.ctx, &user, &token).await?;
    Ok(Json(
        groups::view(&s.ctx, &format!("{}@{}", group.name, group.domain)).await?,
    ))
}
