//! `/media/remote/{mac}.{address}`: a remote image shown through this server
//! (`crate::media::remote`).

use axum::{extract::State, http::HeaderMap, response::Response};

use super::send;
use crate::{
    error::{Error, Result},
    http::{AppState, extract::ApiPath},
    media::remote,
};

/// Serves the cached copy of the signed address, fetching it first if needed.
pub async fn serve(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiPath(signed): ApiPath<String>,
) -> Result<Response> {
    let url = remote::verify(&s.ctx.instance, &signed).ok_or(Error::NotFound("media"))?;
    show(&s, &headers, &url).await
}

/// Serves the cached copy of remote image `url` (fetched now if there is none).
pub async fn show(s: &AppState, headers: &HeaderMap, url: &str) -> Result<Response> {
    let m = remote::copy_of(&s.ctx, url)
        .await?
        .ok_or(Error::NotFound("media"))?;
    // A copy of another server's public picture: it may be kept for a day.
    send(s, headers, &m, false, "public, max-age=86400").await
}
