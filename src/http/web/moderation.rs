//! A group's public mod log as a page.

use axum::{extract::State, http::StatusCode};
use minijinja::context;
use serde::Deserialize;

use super::{
    render::{PageResult, page},
    session::{Viewer, WebPath, WebQuery},
};
use crate::{
    domain::{groups, moderation},
    http::AppState,
};

#[derive(Debug, Deserialize)]
pub(super) struct LogQuery {
    before: Option<i64>,
}

/// `GET /g/{handle}/modlog`: what the group's moderators did, newest first, with why.
pub(super) async fn modlog(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(handle): WebPath<String>,
    WebQuery(q): WebQuery<LogQuery>,
) -> PageResult {
    let group = groups::view(&s.ctx, &handle).await?;
    let log = moderation::modlog(&s.ctx, &handle, q.before, Some(50)).await?;
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "modlog.html",
        context! { group => group, path => handle, entries => log.items, next_before => log.next_before },
    )
}
