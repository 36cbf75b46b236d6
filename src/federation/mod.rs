//! ActivityPub: the wire types, the documents this instance serves, discovery (WebFinger,
//! host-meta, NodeInfo) and the routes that serve them.
//!
//! No SQL here: documents are built from `domain`/`storage` reads. One URL per thing serves
//! ActivityPub JSON to `Accept: application/activity+json` (or `application/ld+json`) and
//! HTML to browsers, with `Vary: Accept`.

use axum::http::{HeaderMap, header};

use crate::domain::Instance;

pub mod actors;
pub mod backfill;
pub mod documents;
pub mod follow;
pub mod moderation;
pub mod objects;
pub mod outbox;
pub mod pages;
pub mod protocol;
pub mod questions;
pub mod reports;
pub mod resolve;
pub mod rfc9421;
pub mod signing;

/// The media type of ActivityPub documents.
pub const ACTIVITY_JSON: &str = "application/activity+json";

/// True when the client asks for ActivityPub JSON rather than a page.
///
/// Mastodon sends `application/activity+json`; others send
/// `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
/// (<https://www.w3.org/TR/activitypub/#retrieving-objects>).
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let media = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            media == ACTIVITY_JSON || media == "application/ld+json"
        })
}

/// The URLs of this instance's actors and collections.
pub trait Urls {
    /// The instance actor.
    fn instance_actor_url(&self) -> String;
    /// The shared inbox.
    fn shared_inbox_url(&self) -> String;
    /// A local person's inbox.
    fn person_inbox_url(&self, username: &str) -> String;
    /// A local person's outbox.
    fn person_outbox_url(&self, username: &str) -> String;
    /// A local group's inbox.
    fn group_inbox_url(&self, name: &str) -> String;
    /// A local group's collection: `outbox`, `followers`, `moderators` or `featured`.
    fn group_collection_url(&self, name: &str, collection: &str) -> String;
}

impl Urls for Instance {
    fn instance_actor_url(&self) -> String {
        format!("{}/actor", self.base_url())
    }
    fn shared_inbox_url(&self) -> String {
        format!("{}/inbox", self.base_url())
    }
    fn person_inbox_url(&self, username: &str) -> String {
        format!("{}/inbox", self.person_url(username))
    }
    fn person_outbox_url(&self, username: &str) -> String {
        format!("{}/outbox", self.person_url(username))
    }
    fn group_inbox_url(&self, name: &str) -> String {
        format!("{}/inbox", self.group_url(name))
    }
    fn group_collection_url(&self, name: &str, collection: &str) -> String {
        format!("{}/{collection}", self.group_url(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn negotiation() {
        let mut h = HeaderMap::new();
        assert!(!wants_activity_json(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml"),
        );
        assert!(!wants_activity_json(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/activity+json"),
        );
        assert!(wants_activity_json(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
            ),
        );
        assert!(wants_activity_json(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html, application/activity+json;q=0.9"),
        );
        assert!(wants_activity_json(&h));
    }
}
