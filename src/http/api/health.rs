//! Community health figures (`domain::health`) as JSON: a group's, and the instance's for
//! administrators. The web pages (`/g/{handle}/health`, `/admin/health`) show the same
//! report as charts, tables and CSV.

use axum::{Json, extract::State};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::health::{self, HealthReport},
    error::{ErrorBody, Result},
    http::{
        AppState,
        api::openapi::{HandlePath, SignedIn},
        extract::{ApiPath, Auth, MaybeAuth},
    },
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(group_health))
        .routes(routes!(instance_health))
}

const TAG: &str = "health";

/// A group's health over the last 12 weeks: active members, posts and replies, questions answered, time to first reply and to an accepted answer, and how much comes from other instances
#[utoipa::path(
    get,
    path = "/groups/{handle}/health",
    tag = TAG,
    operation_id = "getGroupHealth",
    security((), ("bearer" = [])),
    params(HandlePath),
    responses(
        (status = 403, description = "A members-only group the caller is not a member of (`members_only`)", body = ErrorBody),
        (status = 200, description = "Weekly figures, oldest week first", body = HealthReport),
        (status = 404, description = "Unknown group", body = ErrorBody),
    )
)]
async fn group_health(
    State(s): State<AppState>,
    MaybeAuth(user): MaybeAuth,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<HealthReport>> {
    Ok(Json(
        health::group_report(&s.ctx, user.as_ref(), &handle).await?,
    ))
}

/// The instance's health over the last 12 weeks, across every group hosted here (administrators)
#[utoipa::path(
    get,
    path = "/admin/health",
    tag = TAG,
    operation_id = "getInstanceHealth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Weekly figures, oldest week first", body = HealthReport),
        (status = 403, description = "Not an administrator (`forbidden`)", body = ErrorBody),
        SignedIn,
    )
)]
async fn instance_health(
    State(s): State<AppState>,
    Auth(user): Auth,
) -> Result<Json<HealthReport>> {
    Ok(Json(health::instance_report(&s.ctx, &user).await?))
}
