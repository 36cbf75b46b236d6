//! The rules of Cohort: accounts, groups, posts, replies, votes.
//!
//! Nothing here knows about HTTP or JSON-LD. The REST API, the web pages and the federation
//! inbox all call these functions, so each rule (who may edit, what a delete leaves behind)
//! lives in one place.

use chrono::{DateTime, SubsecRound, Utc};
use rand::RngCore;

use crate::config::{Config, RegistrationMode};

pub mod accounts;
pub mod content;
pub mod feeds;
pub mod groups;
pub mod health;
pub mod instances;
pub mod keys;
pub mod languages;
pub mod limits;
pub mod mail;
pub mod media;
pub mod members;
pub mod moderation;
pub mod names;
pub mod notifications;
pub mod pages;
pub mod pagination;
pub mod posts;
pub mod questions;
pub mod ranking;
pub mod replies;
pub mod reports;
pub mod search;
pub mod settings;
pub mod software;
pub mod sso;
pub mod text;
pub mod user_blocks;
pub mod views;
pub mod votes;

/// Facts about this instance that the rules need.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Public `host[:port]`.
    pub domain: String,
    /// `https`, or `http` in federation debug mode.
    pub scheme: &'static str,
    /// Who may sign up.
    pub registration: RegistrationMode,
    /// The application question (approval mode).
    pub registration_question: String,
    /// E-mail domains sign-up is restricted to (empty: any, and no address needed).
    pub email_domains: Vec<String>,
    /// Whether ActivityPub documents are served only to signed requests.
    pub require_signed_fetch: bool,
    /// Rate limits.
    pub limits: crate::config::LimitsConfig,
    /// Which instances to federate with.
    pub policy: crate::config::FederationPolicy,
    /// Days after which an unanswered question's author is reminded once.
    pub nudge_after_days: u32,
    /// The text search configuration queries are parsed with on PostgreSQL (the index's own:
    /// `storage::search::configure` rebuilds the index when it changes).
    pub search_language: String,
    /// The interface language when neither the person nor their browser picks one.
    pub language: String,
    /// Whether a mail relay is configured (`[mail] smtp_host`): without one, nothing is
    /// queued and what needs mail says so.
    pub mail: bool,
    /// Sign-up needs a confirmed e-mail address (`registration.verify_email`).
    pub verify_email: bool,
    /// Password sign-in and sign-up are on (`registration.password_login`).
    pub password_login: bool,
    /// What one person may keep uploaded, bytes (0: no limit).
    pub media_person_quota: u64,
    /// What the instance keeps of uploads in all, bytes (0: no limit).
    pub media_instance_quota: u64,
    /// The key that signs the addresses of remote images shown through this server
    /// (`media::remote`), derived from the instance's private key when the server starts.
    pub media_key: [u8; 32],
}

impl Instance {
    /// The instance facts from a loaded configuration.
    pub fn from_config(config: &Config) -> Self {
        Self {
            domain: config.domain.to_ascii_lowercase(),
            scheme: config.scheme(),
            registration: config.registration.mode,
            registration_question: config.registration.question.clone(),
            email_domains: config
                .registration
                .email_domains
                .iter()
                .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
            require_signed_fetch: config.federation.require_signed_fetch,
            limits: config.limits.clone(),
            policy: config.federation.policy,
            nudge_after_days: config.questions.nudge_after_days,
            search_language: config.search.language.clone(),
            language: config.language.clone(),
            mail: !config.mail.smtp_host.trim().is_empty(),
            verify_email: config.registration.verify_email,
            password_login: config.registration.password_login,
            media_person_quota: config.media.person_quota_bytes,
            media_instance_quota: config.media.instance_quota_bytes,
            media_key: [0; 32],
        }
    }

    /// `scheme://domain`, with no trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.domain)
    }

    /// The ActivityPub id (and profile page) of a local person.
    pub fn person_url(&self, username: &str) -> String {
        format!("{}/u/{username}", self.base_url())
    }

    /// The ActivityPub id (and page) of a local group.
    pub fn group_url(&self, name: &str) -> String {
        format!("{}/g/{name}", self.base_url())
    }

    /// The ActivityPub id (and page) of a local post.
    pub fn post_url(&self, id: i64) -> String {
        format!("{}/posts/{id}", self.base_url())
    }

    /// The ActivityPub id (and page) of a local reply.
    pub fn reply_url(&self, id: i64) -> String {
        format!("{}/replies/{id}", self.base_url())
    }

    /// A new id for an activity of `kind` (`create`, `update`, …) sent from here.
    pub fn activity_url(&self, kind: &str) -> String {
        format!("{}/activities/{kind}/{}", self.base_url(), random_hex(16))
    }
}

/// What every domain operation needs: the database and the instance facts.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The database: the pool, or inside a use case the transaction it shares.
    pub db: crate::storage::Db,
    /// This instance.
    pub instance: Instance,
    /// Instances this one does not federate with, as of a moment ago.
    pub blocked: std::sync::Arc<instances::BlockedInstances>,
    /// This process's inbound rate-limit counts, added to the shared ones in batches.
    pub limits: std::sync::Arc<limits::Counters>,
}

impl Ctx {
    /// A context over `db` for `instance`.
    pub fn new(db: impl Into<crate::storage::Db>, instance: Instance) -> Self {
        Self {
            db: db.into(),
            blocked: std::sync::Arc::new(instances::BlockedInstances::new(
                instance.policy,
                &instance.domain,
            )),
            limits: Default::default(),
            instance,
        }
    }
}

/// `bytes` random bytes from the operating system's generator, as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex(&buf)
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The current time at the precision both databases store (microseconds), so a value read
/// back equals the value written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
