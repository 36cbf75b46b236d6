//! The HTTP face of federation, for other servers: the id URLs (ActivityPub JSON or, for
//! browsers, the page; chosen here by `Accept`), discovery (WebFinger, host-meta, NodeInfo)
//! and the inboxes. What they serve and how an activity is checked and acted on live in
//! `federation/`, which knows nothing of this layer.

pub mod discovery;
pub mod ids;
pub mod inbox;
pub mod pages;

pub use ids::{instance_actor, require_signed_fetch, router};
