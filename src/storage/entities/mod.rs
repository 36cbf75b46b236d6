//! sea-orm entities, one per table, matching `migrations/`.
//!
//! These mirror the schema exactly (columns are described in the migration that made them);
//! rules about what may be written live in `domain/`.
#![allow(missing_docs)]

pub mod destinations;
pub mod group_bans;
pub mod group_followers;
pub mod group_invites;
pub mod group_moderators;
pub mod groups;
pub mod identities;
pub mod instance_allows;
pub mod instance_blocks;
pub mod instance_keys;
pub mod invites;
pub mod local_users;
pub mod mail_notices;
pub mod mail_queue;
pub mod mail_tokens;
pub mod media;
pub mod media_links;
pub mod mod_log;
pub mod notification_reads;
pub mod outgoing;
pub mod outgoing_direct;
pub mod page_proposals;
pub mod page_revisions;
pub mod pages;
pub mod person_blocks;
pub mod person_instance_blocks;
pub mod persons;
pub mod post_votes;
pub mod posts;
pub mod received_activities;
pub mod replies;
pub mod reply_votes;
pub mod reports;
pub mod scheduled_jobs;
pub mod sent_activities;
pub mod sessions;
pub mod shares;
pub mod sso_logins;
