//! The search page: words searched in posts, replies and pages (ranked, with snippets and filters,
//! `domain::search`) and in group names; or a handle or address looked up on its instance.

use axum::{extract::State, http::StatusCode};
use minijinja::context;

use super::{
    accounts::{form_error, is_user_error},
    groups::group_path,
    render::{PageResult, page, path_segment, tr},
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

/// The kinds a search can be narrowed to (`domain::search::SearchKind`), with the catalogue
/// key of each one's label.
const KINDS: [(&str, &str); 7] = [
    ("post", "search-kind-post"),
    ("question", "search-kind-question"),
    ("answered", "search-kind-answered"),
    ("unanswered", "search-kind-unanswered"),
    ("discussion", "search-kind-discussion"),
    ("reply", "search-kind-reply"),
    ("page", "search-kind-page"),
];

/// An error the page shows that the handler words itself: message `key` of the catalogue.
fn own_error(lang: &str, key: &str) -> minijinja::Value {
    context! { message => tr(lang, key) }
}

/// `GET /search`: the form, and the results of the words asked for with the filters chosen.
pub(super) async fn search(
    State(s): State<AppState>,
    viewer: Viewer,
    WebQuery(req): WebQuery<search::SearchRequest>,
) -> PageResult {
    let text = req.q.trim().to_string();
    let kinds: Vec<minijinja::Value> = KINDS
        .iter()
        .map(|(value, key)| context! { value => value, label => tr(viewer.lang, key) })
        .collect();
    let show =
        |status, groups: Option<Vec<_>>, hits: Option<_>, error: Option<minijinja::Value>| {
            page(
                &s.ctx.instance.domain,
                &viewer,
                status,
                "search.html",
                context! {
                    q => &text, f => &req, groups => groups, hits => hits, error => error,
                    kinds => &kinds,
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
                Some(own_error(viewer.lang, "search-login-to-look-up")),
            );
        }
        match resolve::resolve_for(&s.federation.to_request_data(), viewer.user.as_ref(), &text)
            .await
        {
            Ok(found) => return Ok(done(&page_of(&found))),
            Err(e) if is_user_error(&e) || matches!(e, Error::Upstream(_)) => {
                let status = e.status();
                let error = match e {
                    Error::NotFound(_) => own_error(viewer.lang, "search-not-found"),
                    Error::Upstream(_) => own_error(viewer.lang, "search-upstream"),
                    other => form_error(&other),
                };
                return show(status, None, None, Some(error));
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Groups by name on the first page only; they are not paged.
    let first = req.cursor.as_deref().is_none_or(str::is_empty);
    let result = async {
        let groups = match first {
            true => Some(feeds::search_groups(&s.ctx, viewer.user.as_ref(), &text).await?),
            false => None,
        };
        let hits = search::search(&s.ctx, viewer.user.as_ref(), &req).await?;
        Ok::<_, Error>((groups, hits))
    }
    .await;
    match result {
        Ok((groups, hits)) => show(StatusCode::OK, groups, Some(hits), None),
        Err(e) if is_user_error(&e) => show(e.status(), None, None, Some(form_error(&e))),
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
    /// Every kind offered is one the domain knows, and has a label.
    #[test]
    fn every_kind_has_a_label() {
        let catalogue = crate::i18n::catalogue().unwrap();
        for (value, key) in super::KINDS {
            let kind: crate::domain::search::SearchKind =
                serde_json::from_value(serde_json::json!(value)).unwrap();
            assert_eq!(serde_json::json!(kind), serde_json::json!(value));
            assert!(catalogue.has("en", key), "{key}");
        }
    }

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
