//! The JSON REST API under `/api/v1`, described by an OpenAPI 3.1 document generated from the
//! handlers and their types (served at `/api/v1/openapi.json`, see [`openapi`]). Each resource
//! module contributes its routes, each added with `utoipa_axum::routes!` together with its
//! description.

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use super::AppState;

mod accounts;
mod groups;
mod health;
mod mail;
pub(crate) mod media;
mod members;
mod membership;
mod moderation;
pub mod openapi;
mod pages;
mod posts;
mod questions;
mod replies;
mod search;

/// Every `/api/v1` route with its description: the routes and the document are built from
/// this one list.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(accounts::router())
        .merge(groups::router())
        .merge(health::router())
        .merge(mail::router())
        .merge(media::router())
        .merge(members::router())
        .merge(membership::router())
        .merge(moderation::router())
        .merge(pages::router())
        .merge(posts::router())
        .merge(questions::router())
        .merge(replies::router())
        .merge(search::router())
        .merge(openapi::router())
}

/// All `/api/v1` routes.
pub fn router() -> Router<AppState> {
    openapi::prepare();
    routes().split_for_parts().0
}

/// The OpenAPI document of these routes, as served at `/api/v1/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    openapi::finish(routes().into_openapi())
}
