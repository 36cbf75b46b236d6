//! The ActivityPub documents of a knowledge-base page kept here: the page (`Article`), its
//! history (an `OrderedCollection` of revisions) and one revision. The web handlers of the
//! same URLs (`web::pages`) call these when `Accept` asks for ActivityPub JSON.

use axum::{
    http::{HeaderMap, StatusCode, Uri},
    response::Response,
};

use super::ids::activity_json;
use crate::{
    error::{Error, Result},
    federation::pages,
    http::AppState,
    storage::{
        self,
        entities::{groups, pages as rows},
    },
};

/// The request asking (a members-only group's pages are fetched only by its members'
/// servers: `ids::fetchable`).
pub struct Asked<'a> {
    /// Its URI.
    pub uri: &'a Uri,
    /// Its headers (the signature).
    pub headers: &'a HeaderMap,
}

/// A page of a group hosted here, not removed, if the server asking may fetch it.
async fn load(
    s: &AppState,
    asked: Asked<'_>,
    name: &str,
    slug: &str,
) -> Result<(groups::Model, rows::Model)> {
    let group = storage::groups::find_by_name(&s.ctx.db, name, &s.ctx.instance.domain)
        .await?
        .filter(|g| g.local)
        .ok_or(Error::NotFound("page"))?;
    super::ids::fetchable(s, &group, "GET", asked.uri, asked.headers).await?;
    let page = storage::pages::find(&s.ctx.db, group.id, slug)
        .await?
        .filter(|p| !p.removed)
        .ok_or(Error::NotFound("page"))?;
    Ok((group, page))
}

/// `GET /g/{name}/pages/{slug}` as ActivityPub: the `Article`.
pub async fn article(s: &AppState, asked: Asked<'_>, name: &str, slug: &str) -> Result<Response> {
    let (group, page) = load(s, asked, name, slug).await?;
    activity_json(StatusCode::OK, pages::article(&s.ctx, &group, &page).await?)
}

/// `GET /g/{name}/pages/{slug}/history` as ActivityPub: every revision, newest first.
pub async fn history(s: &AppState, asked: Asked<'_>, name: &str, slug: &str) -> Result<Response> {
    let (group, page) = load(s, asked, name, slug).await?;
    activity_json(StatusCode::OK, pages::history(&s.ctx, &group, &page).await?)
}

/// `GET /g/{name}/pages/{slug}/revisions/{number}` as ActivityPub.
pub async fn revision(
    s: &AppState,
    asked: Asked<'_>,
    name: &str,
    slug: &str,
    number: i64,
) -> Result<Response> {
    let (group, page) = load(s, asked, name, slug).await?;
    activity_json(
        StatusCode::OK,
        pages::revision(&s.ctx, &group, &page, number).await?,
    )
}
