//! Home, people's profiles, notifications and search.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use minijinja::context;

use super::{
    render::{PageResult, error_page, page},
    session::Viewer,
};
use crate::{
    domain::{feeds, notifications},
    federation::follow,
    http::AppState,
};

/// The home page: your groups and what is new in them; for a visitor, what this instance is.
pub async fn home(s: &AppState, headers: &HeaderMap) -> Response {
    let viewer = match Viewer::from_headers(s, headers, "/").await {
        Ok(v) => v,
        Err(e) => return error_page(&e),
    };
    render_home(s, &viewer).await.into_response()
}

async fn render_home(s: &AppState, viewer: &Viewer) -> PageResult {
    let posts = feeds::home(&s.ctx, viewer.user.as_ref()).await?;
    let waiting = crate::domain::questions::waiting(&s.ctx, viewer.user.as_ref(), None).await?;
    let (memberships, unread) = match &viewer.user {
        Some(u) => (
            follow::memberships(&s.ctx, u).await?,
            notifications::unread(&s.ctx, u).await?,
        ),
        None => (Vec::new(), 0),
    };
    page(
        &s.ctx.instance.domain,
        viewer,
        StatusCode::OK,
        "home.html",
        context! { posts => posts, memberships => memberships, unread => unread, waiting => waiting },
    )
}

/// A person's page: `/u/{name}` here, `/u/{name@host}` for someone elsewhere.
pub async fn person_page(s: &AppState, headers: &HeaderMap, here: &str, raw: &str) -> Response {
    let viewer = match Viewer::from_headers(s, headers, here).await {
        Ok(v) => v,
        Err(e) => return error_page(&e),
    };
    let (name, domain) = match raw.trim_start_matches('@').rsplit_once('@') {
        Some((n, d)) => (n.to_string(), d.to_ascii_lowercase()),
        None => (raw.to_string(), s.ctx.instance.domain.clone()),
    };
    let result = async {
        let profile = feeds::profile(&s.ctx, viewer.user.as_ref(), &name, &domain).await?;
        page(
            &s.ctx.instance.domain,
            &viewer,
            StatusCode::OK,
            "person.html",
            context! { profile => profile },
        )
    }
    .await;
    result.into_response()
}

pub(super) async fn notifications_page(State(s): State<AppState>, viewer: Viewer) -> PageResult {
    let user = viewer.require()?;
    let (list, seen) = notifications::read(&s.ctx, user).await?;
    let new: Vec<bool> = list.iter().map(|n| seen.is_none_or(|t| n.at > t)).collect();
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "notifications.html",
        context! { notifications => list, new => new },
    )
}
