//! One function per thing a person, a moderator or a remote server does.
//!
//! Each use case runs in one [`Unit`] of work: it checks the rule (`domain`), writes
//! (`storage`) and queues the activity that tells other servers (`federation::outbox` →
//! `delivery::send`) in ONE database transaction, a transactional outbox. A failure anywhere
//! answers an error and leaves nothing stored and nothing queued; success means stored and
//! queued, so a crash after the answer loses nothing and a crash before it leaves nothing to
//! retry twice. The JSON API, the web pages and the inbox call these functions, so the rules
//! (bans, locks, depth, rate limits) apply once, here.
//!
//! What happens over the network (fetching a remote person named in a ban, a reply's missing
//! parents) is done before the unit starts: a transaction never waits on another server.

pub use crate::services::Unit;

pub mod accounts;
pub mod content;
pub mod media;
pub mod membership;
pub mod moderation;
pub mod pages;
pub mod questions;
