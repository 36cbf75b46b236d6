//! The JSON REST API under `/api/v1`, described by `openapi.json` (served at
//! `/api/v1/openapi.json`). Each resource module contributes its routes.

use axum::Router;

use super::AppState;

mod accounts;
mod groups;
mod membership;
mod moderation;
mod openapi;
mod posts;
mod replies;

/// All `/api/v1` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(accounts::router())
        .merge(groups::router())
        .merge(membership::router())
        .merge(moderation::router())
        .merge(posts::router())
        .merge(replies::router())
        .merge(openapi::router())
}
