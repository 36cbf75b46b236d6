//! HTTP: the router, shared state and extractors. Handlers are a few lines each and call
//! `domain`; all error mapping happens in `crate::error`.

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use tower_http::trace::TraceLayer;

use crate::services::Services;

pub mod activitypub;
pub mod api;
pub mod extract;
pub mod media;
pub mod web;

/// What every handler can reach.
pub struct Shared {
    /// The domain context.
    pub ctx: Services,
    /// The federation library's configuration (HTTP client, signing, fetch limits).
    pub federation: activitypub_federation::config::FederationConfig<Services>,
    /// Largest request body, bytes.
    pub body_limit: usize,
}

/// Shared state as handlers receive it.
pub type AppState = Arc<Shared>;

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let limit = state.body_limit;
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .nest("/api/v1", api::router())
        .merge(web::router())
        .merge(media::router())
        .merge(
            activitypub::router().route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                activitypub::require_signed_fetch,
            )),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_request,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::session::ensure_secret,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::security_headers,
        ))
        .layer(axum::middleware::from_fn(refuse_nul))
        .layer(DefaultBodyLimit::max(limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn home(
    axum::extract::State(s): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    // Lemmy looks for an instance's actor at its root: give ActivityPub clients the
    // instance actor (whose id, `/actor`, they then use).
    if crate::federation::wants_activity_json(&headers) {
        return match activitypub::instance_actor(axum::extract::State(s)).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        };
    }
    let mut r = web::home(&s, &headers).await;
    r.headers_mut()
        .insert(header::VARY, axum::http::HeaderValue::from_static("Accept"));
    r
}

/// A NUL anywhere in the path or query is never meaningful here, and PostgreSQL cannot
/// even compare text containing one: 400 before any handler sees it.
async fn refuse_nul(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let target = req.uri().path_and_query().map_or("", |p| p.as_str());
    if target.contains("%00") || target.contains('\0') {
        return crate::error::Error::BadRequest("the request URI contains a NUL character".into())
            .into_response();
    }
    next.run(req).await
}

/// Counts every answered request by method, route template and status.
async fn count_request(
    axum::extract::State(s): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let response = next.run(req).await;
    s.ctx
        .metrics
        .http(&method, &route, response.status().as_u16());
    response
}

/// `GET /metrics`: the OpenMetrics text exposition (see `metrics`).
async fn metrics(axum::extract::State(s): axum::extract::State<AppState>) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        s.ctx.metrics.render(&s.ctx.db).await,
    )
}

/// `GET /healthz`: the process is up and answering. Touches nothing else, so a liveness probe
/// never restarts a healthy process because its database is slow.
async fn healthz() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({"status": "ok"})),
    )
}

/// `GET /readyz`: ready for traffic when the database answers and every migration is applied;
/// 503 with the reason otherwise (a load balancer then sends requests elsewhere).
async fn readyz(axum::extract::State(s): axum::extract::State<AppState>) -> impl IntoResponse {
    let checked = match s.ctx.db.pool() {
        Some(pool) => crate::storage::is_migrated(pool).await,
        None => Err(sea_orm::DbErr::Custom(
            "the server's context holds a transaction".into(),
        )),
    };
    let (status, body) = match checked {
        Ok(true) => (StatusCode::OK, serde_json::json!({"status": "ready"})),
        Ok(false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({"status": "unavailable", "reason": "migrations are pending"}),
        ),
        Err(e) if crate::storage::is_newer_schema(&e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({"status": "unavailable",
                "reason": "the database was migrated by a newer version of Cohort; upgrade this process"}),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({"status": "unavailable", "reason": "the database does not answer"}),
            )
        }
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
}

/// Whether a request comes from a browser wanting a page (not an API or ActivityPub client).
fn wants_page(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

async fn not_found(
    axum::extract::State(s): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    if wants_page(&headers) {
        // Read the session only for its language: the page is in the person's own.
        let _ = web::session::Viewer::from_headers(&s, &headers, "/").await;
        return web::not_found_page();
    }
    (
        StatusCode::NOT_FOUND,
        axum::Json(crate::error::ErrorBody {
            error: "no_route",
            message: "there is nothing at this address".into(),
            field: None,
        }),
    )
        .into_response()
}

async fn method_not_allowed() -> impl IntoResponse {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(crate::error::ErrorBody {
            error: "method_not_allowed",
            message: "this address does not accept that method".into(),
            field: None,
        }),
    )
}
