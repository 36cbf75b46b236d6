//! The search page: words searched in posts, replies and pages (ranked, with snippets and filters,
//! `domain::search`) and in group names; or a handle or address looked up on its instance.

use axum::{extract::State, http::StatusCode};
use minijinja::context;

use super::{
    accounts::is_user_error,
    groups::group_path,
    render::{PageResult, page, path_segment},
    session::{Viewer, WebQuery, done},
};
use crate::{
    domain::{feeds, names::Handle, search},
    error::Error,
    federation::resolve,
    http::AppState,
};

/// Whether a query names something to look up on its instance (a handle or an address)
/// rather than words to search for.
fn is_lookup(q: &str) -> bool {
    q.starts_with("https://")
        || q.starts_with("http://")
        || (!q.contains(char::is_whitespace)
            && (q.starts_with('@') || q.starts_with('!') || q.contains('@'))
            && Handle::parse(q.trim_start_matches(['@', '!'])).is_ok())
}

/// `GET /search`: the form, and the results of the words asked for with the filters chosen.
pub(super) async fn search(
    State(s): State<AppState>,
    viewer: Viewer,
    WebQuery(req): WebQuery<search::SearchRequest>,
) -> PageResult {
    let text = req.q.trim().to_string();
    let show = |status, groups: Option<Vec<_>>, hits: Option<_>, error: Option<String>| {
        page(
            &s.ctx.instance.domain,
            &viewer,
            status,
            "search.html",
            context! {
                q => &text, f => &req, groups => groups, hits => hits, error => error,
                kinds => ["post", "question", "answered", "unanswered", "discussion", "reply", "page"],
            },
        )
    };
    if text.is_empty() {
        return show(StatusCode::OK, None, None, None);
    }
    if is_lookup(&text) {
        if viewer.user.is_none() {
            return show(
                StatusCode::OK,
                None,
                None,
                Some("Log in to look things up on other instances.".into()),
            );
        }
        match resolve::resolve(&s.federation.to_request_data(), &text).await {
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
                return show(status, None, None, Some(message));
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Groups by name on the first page only; they are not paged.
    let first = req.cursor.as_deref().is_none_or(str::is_empty);
    let result = async {
        let groups = match first {
            true => Some(feeds::search_groups(&s.ctx, &text).await?),
            false => None,
        };
        let hits = search::search(&s.ctx, viewer.user.as_ref(), &req).await?;
        Ok::<_, Error>((groups, hits))
    }
    .await;
    match result {
        Ok((groups, hits)) => show(StatusCode::OK, groups, Some(hits), None),
        Err(e) if is_user_error(&e) => show(e.status(), None, None, Some(e.body().message)),
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
