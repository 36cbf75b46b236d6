//! Full-text search: `GET /search` (posts, replies and pages, ranked, with snippets, filters
//! and keyset pages) and `GET /search/similar` (answered questions, and a group's pages, like
//! a draft's title).

use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::{
        groups,
        pagination::Page,
        search::{self, SearchHit, SearchRequest},
    },
    error::{ErrorBody, Result},
    http::{
        AppState,
        api::openapi::SignedIn,
        extract::{ApiQuery, MaybeAuth},
    },
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(find))
        .routes(routes!(similar))
}

const TAG: &str = "search";

/// Search posts, replies and pages
///
/// Every word and `"quoted phrase"` must match (stemmed: "spawning" finds "spawn"); a code
/// word such as `tokio::spawn` or `ERR_SSL_PROTOCOL` must also appear exactly. Ranked by
/// relevance (BM25 on SQLite, `ts_rank_cd` on PostgreSQL), newer text and accepted answers
/// first among equals. The groups' knowledge-base pages are found by their title and body
/// (`kind=page` keeps only them). Deleted and removed content, and authors the viewer does
/// not see (blocked instances, their own blocks), are never found; a page of results may
/// then hold fewer than `limit` items while `next_cursor` goes on.
#[utoipa::path(
    get,
    path = "/search",
    tag = TAG,
    operation_id = "search",
    security((), ("bearer" = [])),
    params(SearchRequest),
    responses(
        (status = 200, description = "A page of hits, best first", body = Page<SearchHit>),
        (status = 400, description = "No word to search for, too many, or an invalid filter, `cursor` or `limit` (`field` names it)", body = ErrorBody),
        (status = 404, description = "Unknown group or author", body = ErrorBody),
        SignedIn,
    )
)]
async fn find(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiQuery(req): ApiQuery<SearchRequest>,
) -> Result<Json<Page<SearchHit>>> {
    Ok(Json(search::search(&s.ctx, viewer.as_ref(), &req).await?))
}

/// What a similar-questions lookup takes.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SimilarQuery {
    /// The draft question's title
    title: String,
    /// Also this group's pages: `name` (here) or `name@host`
    #[serde(default)]
    group: Option<String>,
}

/// Answered questions and pages like a draft's title
///
/// Any of the title's words may match (question words such as "how" are left out); the
/// best five of the questions with an accepted answer and, with `group`, that group's
/// pages, for someone about to ask there.
#[utoipa::path(
    get,
    path = "/search/similar",
    tag = TAG,
    operation_id = "similarQuestions",
    security((), ("bearer" = [])),
    params(SimilarQuery),
    responses(
        (status = 200, description = "Up to five answered questions and pages, best first", body = Vec<SearchHit>),
        (status = 400, description = "No `title`", body = ErrorBody),
        (status = 404, description = "Unknown group", body = ErrorBody),
        SignedIn,
    )
)]
async fn similar(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiQuery(q): ApiQuery<SimilarQuery>,
) -> Result<Json<Vec<SearchHit>>> {
    let group = match q.group.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        Some(handle) => Some(groups::find_by_handle(&s.ctx, handle).await?.id),
        None => None,
    };
    Ok(Json(
        search::similar(&s.ctx, viewer.as_ref(), &q.title, group).await?,
    ))
}
