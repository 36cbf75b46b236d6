//! Home, people's profiles, notifications and search.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use minijinja::context;
use serde::Deserialize;

use super::{
    accounts::is_user_error,
    groups::group_path,
    render::{PageResult, error_page, page, path_segment},
    session::{Viewer, WebQuery, done},
};
use crate::{
    domain::{feeds, names::Handle, notifications},
    error::Error,
    federation::{follow, resolve},
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

#[derive(Debug, Deserialize)]
pub(super) struct SearchQuery {
    q: Option<String>,
}

/// Whether a query names something to look up on its instance (a handle or an address)
/// rather than words to search for.
fn is_lookup(q: &str) -> bool {
    q.starts_with("https://")
        || q.starts_with("http://")
        || (!q.contains(char::is_whitespace)
            && (q.starts_with('@') || q.starts_with('!') || q.contains('@'))
            && Handle::parse(q.trim_start_matches(['@', '!'])).is_ok())
}

pub(super) async fn search(
    State(s): State<AppState>,
    viewer: Viewer,
    WebQuery(q): WebQuery<SearchQuery>,
) -> PageResult {
    let text = q.q.as_deref().map(str::trim).unwrap_or("");
    let show = |status, results: Option<feeds::SearchResults>, error: Option<String>| {
        page(
            &s.ctx.instance.domain,
            &viewer,
            status,
            "search.html",
            context! { q => text, results => results, error => error },
        )
    };
    if text.is_empty() {
        return show(StatusCode::OK, None, None);
    }
    if is_lookup(text) {
        if viewer.user.is_none() {
            return show(
                StatusCode::OK,
                None,
                Some("Log in to look things up on other instances.".into()),
            );
        }
        match resolve::resolve(&s.federation.to_request_data(), text).await {
            Ok(found) => return Ok(done(&page_of(&found))),
            Err(e) if is_user_error(&e) || matches!(e, Error::Upstream(_)) => {
                let status = e.status();
                let message = match e {
                    Error::NotFound(_) => {
                        "Nothing was found at that handle or address.".to_string()
                    }
                    Error::Upstream(_) => {
                        "That instance did not answer; try again later.".to_string()
                    }
                    other => other.body().message,
                };
                return show(status, None, Some(message));
            }
            Err(e) => return Err(e.into()),
        }
    }
    match feeds::search(&s.ctx, viewer.user.as_ref(), text).await {
        Ok(r) => show(StatusCode::OK, Some(r), None),
        Err(e) if is_user_error(&e) => show(e.status(), None, Some(e.body().message)),
        Err(e) => Err(e.into()),
    }
}

/// This instance's page for something found by a lookup.
fn page_of(found: &resolve::Resolved) -> String {
    match found {
        resolve::Resolved::Person { person } => {
            if person.local {
                format!("/u/{}", path_segment(&person.username))
            } else {
                format!("/u/{}", path_segment(&person.handle))
            }
        }
        resolve::Resolved::Group { group } => format!("/g/{}", path_segment(&group_path(group))),
        resolve::Resolved::Post { post } => format!("/posts/{}", post.id),
        resolve::Resolved::Reply { reply } => format!("/replies/{}", reply.id),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lookups_are_handles_and_addresses() {
        for q in [
            "@ann@b.example",
            "!rust@b.example",
            "rust@b.example",
            "https://b.example/g/x",
        ] {
            assert!(super::is_lookup(q), "{q}");
        }
        for q in ["rust", "borrow checker", "email me at a@b c"] {
            assert!(!super::is_lookup(q), "{q}");
        }
    }
}
