//! Configuration: documented defaults, overlaid by a TOML file, overlaid by `COHORT_*`
//! environment variables.
//!
//! Every key has a default, so `cohort serve` with no file and no variables runs. Each key
//! `section.name` can also be set as `COHORT_SECTION_NAME` (`listen` as `COHORT_LISTEN`,
//! `database.url` as `COHORT_DATABASE_URL`). The environment names are derived from the same
//! tree as the file, so they cannot drift apart. Unknown keys, in the file or in the
//! environment, are an error that names the key: a typo must not silently fall back to a
//! default. `cohort.example.toml` lists every key with its default.

use std::{fmt, path::Path};

use serde::{Deserialize, Serialize};

/// The whole configuration of one Cohort instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port the HTTP server binds, e.g. `127.0.0.1:8080` or `0.0.0.0:80`.
    pub listen: String,
    /// Public host (and port, if not the default) in every ActivityPub id, e.g. `example.org`.
    pub domain: String,
    /// The interface language when neither the person's setting nor their browser picks one
    /// of the shipped languages (`en`, `de`, `fr`).
    pub language: String,
    /// Where the data lives.
    pub database: DatabaseConfig,
    /// Federation with other servers.
    pub federation: FederationConfig,
    /// The outgoing queue.
    pub delivery: DeliveryConfig,
    /// `[inbound]`
    pub inbound: InboundConfig,
    /// Who may create an account.
    pub registration: RegistrationConfig,
    /// HTTP server limits.
    pub http: HttpConfig,
    /// `[limits]`
    pub limits: LimitsConfig,
    /// `[questions]`
    pub questions: QuestionsConfig,
    /// `[search]`
    pub search: SearchConfig,
    /// `[mail]`
    pub mail: MailConfig,
    /// `[media]`
    pub media: MediaConfig,
    /// `[[oidc]]`: the OpenID Connect providers people may sign in with (file only).
    pub oidc: Vec<OidcProviderConfig>,
    /// Logging.
    pub log: LogConfig,
}

/// `[database]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH?mode=rwc` (embedded) or `postgres://user@host/db`.
    pub url: String,
    /// Largest number of pooled connections.
    pub max_connections: u32,
}

/// `[federation]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationConfig {
    /// Test mode: ids use `http://` and loopback/private peers are allowed. Never in production.
    pub debug: bool,
    /// Which instances to federate with: `open` (all), `blocklist` (all but the blocked
    /// ones) or `allowlist` (only the allowed ones, and never a blocked one).
    pub policy: FederationPolicy,
    /// Serve ActivityPub documents only to requests signed by a fetchable actor ("authorized
    /// fetch"); the instance actor stays public. HTML pages and discovery are not affected.
    pub require_signed_fetch: bool,
}

/// `[delivery]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// Destinations this process delivers to at once (each receives its activities one at a
    /// time, in order).
    pub concurrency: usize,
    /// Seconds a process holds a claimed destination before another may take it over (after
    /// a crash, pending deliveries resume within this time). At least 3 × `timeout_seconds`.
    pub lease_seconds: u64,
    /// Seconds to wait for a remote inbox to answer.
    pub timeout_seconds: u64,
}

/// `[inbound]`: the durable queue of received activities.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InboundConfig {
    /// Activities this process acts on at once (0: it only stores what arrives and leaves
    /// acting on it to other processes sharing the database).
    pub workers: usize,
    /// Queued activities at which the inbox answers 429 with `Retry-After` instead of
    /// storing more.
    pub max_backlog: u64,
    /// Seconds a process holds a claimed activity before another may take it over (after a
    /// crash, it is acted on within this time).
    pub lease_seconds: u64,
    /// Attempts before an activity that keeps failing is parked.
    pub attempts: u32,
}

/// Which instances this one federates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FederationPolicy {
    /// Every instance; instance blocks are kept but not applied.
    Open,
    /// Every instance except the blocked ones (`cohort admin block-instance`).
    Blocklist,
    /// Only the allowed instances (`cohort admin allow-instance`), minus any blocked.
    Allowlist,
}

/// `[registration]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistrationConfig {
    /// `open` (anyone may sign up), `approval` (an administrator approves each sign-up),
    /// `invite` (only with an invitation from `cohort admin invite`) or `closed` (only
    /// `cohort admin create-user`).
    pub mode: RegistrationMode,
    /// In `approval` mode, the question every applicant answers.
    pub question: String,
    /// When not empty, sign-up needs an e-mail address in one of these domains (or their
    /// subdomains), e.g. the organisation's own.
    pub email_domains: Vec<String>,
    /// Sign-up needs an e-mail address, and the account can sign in only once the address
    /// is confirmed through the link mailed to it. Needs `[mail]`.
    pub verify_email: bool,
    /// Sign-in and sign-up with a password. `false`: only through the `[[oidc]]` providers
    /// (single sign-on is then the only way in; `cohort admin` still works).
    pub password_login: bool,
}

/// Whether the public sign-up call is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationMode {
    /// Anyone may create an account.
    Open,
    /// Anyone may apply; an administrator approves (`cohort admin approve`).
    Approval,
    /// Only with an invitation (`cohort admin invite`).
    Invite,
    /// Accounts are created by an administrator only.
    Closed,
}

/// `[http]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub body_limit: usize,
}

/// `[limits]`: rate limits, counted in the database so every process shares them. 0 turns
/// a limit off.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Sign-ups per hour from one client address.
    pub signups_per_hour: u32,
    /// Log-in attempts per minute from one client address.
    pub logins_per_minute: u32,
    /// Posts and replies per minute by one account.
    pub posts_per_minute: u32,
    /// Activities per minute received from one remote instance.
    pub inbound_per_minute: u32,
    /// The header a reverse proxy puts the client's address in (e.g. `x-forwarded-for`,
    /// whose last entry is used); empty: the connection's own address.
    pub client_address_header: String,
}

/// `[questions]`: questions and their accepted answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuestionsConfig {
    /// Days after which a question whose author has accepted no answer gets one reminder
    /// (a notification to its author), 1–365.
    pub nudge_after_days: u32,
}

impl Default for QuestionsConfig {
    fn default() -> Self {
        Self {
            nudge_after_days: 7,
        }
    }
}

/// `[search]`: the full-text search's language. A change rebuilds the index at the next
/// start (in one transaction; a few seconds per 100,000 posts and replies).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// PostgreSQL: the text search configuration (`english`, `french`, `simple` for no
    /// stemming, … as `\dF` lists them).
    pub language: String,
    /// SQLite: the FTS5 tokenizer (`porter unicode61 remove_diacritics 2` stems English;
    /// `unicode61 remove_diacritics 2` does not stem).
    pub sqlite_tokenizer: String,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            language: migration::search_index::DEFAULT_LANGUAGE.into(),
            sqlite_tokenizer: migration::search_index::DEFAULT_TOKENIZER.into(),
        }
    }
}

/// One `[[oidc]]` provider: an OpenID Connect issuer (Entra ID, Okta, Google Workspace,
/// Keycloak …) discovered from its `/.well-known/openid-configuration`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcProviderConfig {
    /// Short id in this instance's addresses (`/login/sso/{id}`): lowercase letters, digits,
    /// `-`. The provider's redirect URI is `https://DOMAIN/login/sso/{id}/callback`.
    pub id: String,
    /// The button's label: "Log in with {name}".
    pub name: String,
    /// The issuer URL, exactly as the provider's metadata says it.
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret registered at the provider.
    #[serde(default)]
    pub client_secret: String,
    /// Scopes asked for besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The ID token claim a new account's name is proposed from.
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    /// When not empty, only people whose (verified) address is in one of these domains or
    /// their subdomains may sign in through this provider.
    #[serde(default)]
    pub email_domains: Vec<String>,
    /// Trust this provider's verified addresses: a first sign-in whose verified address is an
    /// existing account's is linked to that account.
    #[serde(default)]
    pub link_by_email: bool,
}

fn default_scopes() -> Vec<String> {
    vec!["email".into(), "profile".into()]
}

fn default_username_claim() -> String {
    "preferred_username".into()
}

/// `[mail]`: the SMTP relay mail goes out through. With no `smtp_host`, Cohort sends no
/// mail and the features that need it say so (a password is then reset by an administrator).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The relay's host name; empty: no mail.
    pub smtp_host: String,
    /// The relay's port (587 for `starttls`, 465 for `tls`, 25 for `none`).
    pub smtp_port: u16,
    /// `starttls` (upgrade a plain connection; required), `tls` (TLS from the start) or
    /// `none` (plain text: only for a relay on the same host or a test server).
    pub security: MailSecurity,
    /// The user name to authenticate with; empty: no authentication.
    pub username: String,
    /// The password to authenticate with.
    pub password: String,
    /// The sender, e.g. `Cohort <cohort@example.org>`; empty: `Cohort <noreply@DOMAIN>`.
    pub from: String,
    /// Seconds to wait for the relay at each step.
    pub timeout_seconds: u64,
    /// Seconds before the first retry after a temporary failure; each retry waits twice as
    /// long (at most an hour), and after three days the mail is given up.
    pub retry_seconds: u64,
}

/// `[media]`: pictures and files people upload, and the cached copies of remote images.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MediaConfig {
    /// Where files are kept: `disk` (the directory `dir`) or `s3` (an S3-compatible bucket,
    /// the `s3_*` keys). Several processes share either.
    pub store: MediaStore,
    /// The directory of the `disk` store; empty: `media/` beside the SQLite file, or in the
    /// working directory with PostgreSQL.
    pub dir: String,
    /// The bucket of the `s3` store.
    pub s3_bucket: String,
    /// The S3 endpoint, e.g. `https://s3.eu-west-1.amazonaws.com` or a MinIO server's URL;
    /// empty: AWS for `s3_region`.
    pub s3_endpoint: String,
    /// The bucket's region.
    pub s3_region: String,
    /// The access key id (empty: taken from the environment, `AWS_ACCESS_KEY_ID`).
    pub s3_access_key_id: String,
    /// The secret access key (empty: `AWS_SECRET_ACCESS_KEY`).
    pub s3_secret_access_key: String,
    /// Largest upload, bytes.
    pub max_upload_bytes: u64,
    /// Most pixels of an uploaded image (width × height); more is refused before decoding.
    pub max_pixels: u64,
    /// Longest side of the display size every image is re-encoded to, pixels.
    pub display_size: u32,
    /// Longest side of the thumbnail, pixels.
    pub thumbnail_size: u32,
    /// Documents people may upload besides images, by content type; only `application/pdf`
    /// is known. Empty: images only.
    pub documents: Vec<String>,
    /// What one person may keep uploaded, bytes (0: no limit).
    pub person_quota_bytes: u64,
    /// What the instance keeps of uploads in all, bytes (0: no limit).
    pub instance_quota_bytes: u64,
    /// How much the cached copies of remote images may take, bytes; the least recently
    /// shown go first.
    pub remote_cache_bytes: u64,
}

/// Where media files are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaStore {
    /// A directory.
    Disk,
    /// An S3-compatible bucket.
    S3,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            store: MediaStore::Disk,
            dir: String::new(),
            s3_bucket: String::new(),
            s3_endpoint: String::new(),
            s3_region: "us-east-1".into(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            max_upload_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
            display_size: 1600,
            thumbnail_size: 400,
            documents: vec!["application/pdf".into()],
            person_quota_bytes: 500 * 1024 * 1024,
            instance_quota_bytes: 0,
            remote_cache_bytes: 1024 * 1024 * 1024,
        }
    }
}

impl MediaConfig {
    /// The directory of the disk store for a database at `database_url`.
    pub fn disk_dir(&self, database_url: &str) -> std::path::PathBuf {
        if !self.dir.trim().is_empty() {
            return self.dir.trim().into();
        }
        let file = database_url
            .strip_prefix("sqlite://")
            .or_else(|| database_url.strip_prefix("sqlite:"))
            .map(|rest| rest.split('?').next().unwrap_or_default())
            .filter(|f| !f.is_empty() && *f != ":memory:");
        match file.map(std::path::Path::new).and_then(|f| f.parent()) {
            Some(parent) => parent.join("media"),
            None => "media".into(),
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// A plain connection upgraded with STARTTLS, which must succeed.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption (a relay on loopback, a test server).
    None,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_host: String::new(),
            smtp_port: 587,
            security: MailSecurity::Starttls,
            username: String::new(),
            password: String::new(),
            from: String::new(),
            timeout_seconds: 30,
            retry_seconds: 60,
        }
    }
}

/// `[log]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A `tracing` filter such as `info` or `cohort=debug,info`. `RUST_LOG` overrides it.
    pub filter: String,
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            domain: "localhost:8080".into(),
            language: "en".into(),
            database: DatabaseConfig::default(),
            federation: FederationConfig::default(),
            delivery: DeliveryConfig::default(),
            inbound: InboundConfig::default(),
            registration: RegistrationConfig::default(),
            http: HttpConfig::default(),
            limits: LimitsConfig::default(),
            questions: QuestionsConfig::default(),
            search: SearchConfig::default(),
            mail: MailConfig::default(),
            media: MediaConfig::default(),
            oidc: Vec::new(),
            log: LogConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://cohort.db?mode=rwc".into(),
            max_connections: 10,
        }
    }
}

#[allow(clippy::derivable_impls)] // kept explicit: the default is a documented decision
impl Default for FederationConfig {
    fn default() -> Self {
        Self {
            debug: false,
            policy: FederationPolicy::Blocklist,
            require_signed_fetch: false,
        }
    }
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            concurrency: 64,
            lease_seconds: 60,
            timeout_seconds: 10,
        }
    }
}

impl Default for InboundConfig {
    fn default() -> Self {
        Self {
            workers: 16,
            max_backlog: 100_000,
            lease_seconds: 60,
            attempts: 5,
        }
    }
}

impl Default for RegistrationConfig {
    fn default() -> Self {
        Self {
            mode: RegistrationMode::Open,
            question: "Why do you want to join, and what would you like to learn?".into(),
            email_domains: vec![],
            verify_email: false,
            password_login: true,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit: 1024 * 1024,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            signups_per_hour: 10,
            logins_per_minute: 20,
            posts_per_minute: 30,
            inbound_per_minute: 6000,
            client_address_header: String::new(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            filter: "info".into(),
            format: LogFormat::Text,
        }
    }
}

/// A configuration that could not be loaded; the message names the file, key or variable.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The prefix of every environment variable Cohort reads as configuration.
pub const ENV_PREFIX: &str = "COHORT_";

impl Config {
    /// Loads the configuration as `cohort` does: defaults, then `file` (or `cohort.toml` in
    /// the working directory when it exists), then the `COHORT_*` variables of this process.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let text = match file {
            Some(path) => Some((
                path.display().to_string(),
                std::fs::read_to_string(path).map_err(|e| {
                    ConfigError(format!("cannot read config file {}: {e}", path.display()))
                })?,
            )),
            None => match std::fs::read_to_string("cohort.toml") {
                Ok(text) => Some(("cohort.toml".to_string(), text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(ConfigError(format!("cannot read cohort.toml: {e}"))),
            },
        };
        Self::from_sources(
            text.as_ref()
                .map(|(name, text)| (name.as_str(), text.as_str())),
            std::env::vars(),
        )
    }

    /// Builds the configuration from an optional `(name, TOML text)` and environment pairs.
    pub fn from_sources(
        file: Option<(&str, &str)>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut tree = toml::Table::try_from(Config::default())
            .map_err(|e| ConfigError(format!("internal: defaults do not serialise: {e}")))?;
        if let Some((name, text)) = file {
            let overlay: toml::Table = toml::from_str(text)
                .map_err(|e| ConfigError(format!("{name}: {}", e.message())))?;
            merge(&mut tree, overlay, name, "")?;
        }
        let mut env: Vec<_> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        env.sort();
        for (var, value) in env {
            apply_env(&mut tree, &var, &value)?;
        }
        let config: Config = tree
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError(e.message().to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Every configuration key as `(dotted.key, COHORT_VARIABLE)`, sorted by key.
    pub fn keys() -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Ok(tree) = toml::Table::try_from(Config::default()) {
            collect_keys(&tree, "", &mut out);
        }
        out
    }

    /// The URL scheme of this instance's ids: `http` only in federation debug mode.
    pub fn scheme(&self) -> &'static str {
        if self.federation.debug {
            "http"
        } else {
            "https"
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let parsed = url::Url::parse(&format!("http://{}/", self.domain)).ok();
        let ok = parsed.as_ref().is_some_and(|u| {
            let host = u.host_str().unwrap_or_default();
            let rebuilt = match u.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.to_string(),
            };
            !host.is_empty() && rebuilt == self.domain.to_ascii_lowercase()
        });
        if !ok {
            return Err(ConfigError(format!(
                "domain: {:?} is not a host[:port] such as example.org or localhost:8080",
                self.domain
            )));
        }
        if !(self.database.url.starts_with("sqlite:")
            || self.database.url.starts_with("postgres://")
            || self.database.url.starts_with("postgresql://"))
        {
            return Err(ConfigError(
                "database.url: must start with sqlite:, postgres:// or postgresql://".into(),
            ));
        }
        if self.delivery.concurrency == 0 {
            return Err(ConfigError(
                "delivery.concurrency: must be at least 1".into(),
            ));
        }
        if self.delivery.timeout_seconds == 0
            || self.delivery.lease_seconds < self.delivery.timeout_seconds.saturating_mul(3)
        {
            return Err(ConfigError(
                "delivery.lease_seconds: must be at least 3 × delivery.timeout_seconds (> 0)"
                    .into(),
            ));
        }
        if self.inbound.lease_seconds == 0 || self.inbound.attempts == 0 {
            return Err(ConfigError(
                "inbound.lease_seconds and inbound.attempts: must be at least 1".into(),
            ));
        }
        let media = &self.media;
        if media.store == MediaStore::S3 && media.s3_bucket.trim().is_empty() {
            return Err(ConfigError(
                "media.s3_bucket: the s3 store needs a bucket".into(),
            ));
        }
        if media.thumbnail_size == 0 || media.display_size < media.thumbnail_size {
            return Err(ConfigError(
                "media.display_size: must be at least media.thumbnail_size (> 0)".into(),
            ));
        }
        if media.max_upload_bytes == 0 || media.max_pixels == 0 {
            return Err(ConfigError(
                "media.max_upload_bytes, media.max_pixels: must be at least 1".into(),
            ));
        }
        if let Some(d) = media
            .documents
            .iter()
            .find(|d| d.as_str() != "application/pdf")
        {
            return Err(ConfigError(format!(
                "media.documents: {d:?} is not a known document type (only application/pdf)"
            )));
        }
        if self.database.max_connections == 0 {
            return Err(ConfigError(
                "database.max_connections: must be at least 1".into(),
            ));
        }
        if self.http.body_limit < 1024 {
            return Err(ConfigError(
                "http.body_limit: must be at least 1024 bytes".into(),
            ));
        }
        if !(1..=365).contains(&self.questions.nudge_after_days) {
            return Err(ConfigError(
                "questions.nudge_after_days: must be between 1 and 365".into(),
            ));
        }
        let lang = &self.search.language;
        if lang.is_empty()
            || lang.len() > 63
            || !lang
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(ConfigError(
                "search.language: must be a text search configuration's name such as english"
                    .into(),
            ));
        }
        if crate::i18n::supported(&self.language) != Some(self.language.as_str()) {
            let shipped: Vec<_> = crate::i18n::LANGUAGES.iter().map(|l| l.code).collect();
            return Err(ConfigError(format!(
                "language: {:?} is not one of the shipped languages ({})",
                self.language,
                shipped.join(", ")
            )));
        }
        let tok = &self.search.sqlite_tokenizer;
        if tok.trim().is_empty() || tok.len() > 200 || tok.chars().any(char::is_control) {
            return Err(ConfigError(
                "search.sqlite_tokenizer: must be an FTS5 tokenizer such as \"porter unicode61\""
                    .into(),
            ));
        }
        let mut ids = std::collections::BTreeSet::new();
        for p in &self.oidc {
            let id_ok = !p.id.is_empty()
                && p.id.len() <= 32
                && p.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !id_ok || !ids.insert(p.id.as_str()) {
                return Err(ConfigError(format!(
                    "oidc: id {:?} must be unique, 1-32 of a-z, 0-9 and -",
                    p.id
                )));
            }
            let issuer = url::Url::parse(&p.issuer)
                .map_err(|e| ConfigError(format!("oidc {}: issuer {:?}: {e}", p.id, p.issuer)))?;
            if issuer.scheme() != "https" && !self.federation.debug {
                return Err(ConfigError(format!(
                    "oidc {}: issuer must be https (http only in federation debug mode)",
                    p.id
                )));
            }
            if p.client_id.trim().is_empty() || p.name.trim().is_empty() {
                return Err(ConfigError(format!(
                    "oidc {}: needs a name and a client_id",
                    p.id
                )));
            }
            if !crate::sso::USERNAME_CLAIMS.contains(&p.username_claim.as_str()) {
                return Err(ConfigError(format!(
                    "oidc {}: username_claim must be one of {}",
                    p.id,
                    crate::sso::USERNAME_CLAIMS.join(", ")
                )));
            }
        }
        if !self.registration.password_login && self.oidc.is_empty() {
            return Err(ConfigError(
                "registration.password_login = false needs at least one [[oidc]] provider".into(),
            ));
        }
        if self.registration.verify_email && self.mail.smtp_host.trim().is_empty() {
            return Err(ConfigError(
                "registration.verify_email: needs a mail relay (mail.smtp_host) to send the links"
                    .into(),
            ));
        }
        if !self.mail.from.is_empty() && self.mail.from.parse::<lettre::message::Mailbox>().is_err()
        {
            return Err(ConfigError(format!(
                "mail.from: {:?} must be an address such as \"Cohort <cohort@example.org>\"",
                self.mail.from
            )));
        }
        if self.mail.timeout_seconds == 0 || self.mail.retry_seconds == 0 {
            return Err(ConfigError(
                "mail.timeout_seconds and mail.retry_seconds: must be at least 1".into(),
            ));
        }
        if !self.listen.contains(':') {
            return Err(ConfigError(format!(
                "listen: {:?} must be address:port such as 127.0.0.1:8080",
                self.listen
            )));
        }
        Ok(())
    }
}

fn merge(
    base: &mut toml::Table,
    overlay: toml::Table,
    file: &str,
    prefix: &str,
) -> Result<(), ConfigError> {
    for (key, value) in overlay {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (base.get_mut(&key), value) {
            (None, _) => {
                return Err(ConfigError(format!("{file}: unknown key `{path}`")));
            }
            (Some(toml::Value::Table(inner)), toml::Value::Table(over)) => {
                merge(inner, over, file, &path)?;
            }
            (Some(toml::Value::Table(_)), _) => {
                return Err(ConfigError(format!("{file}: `{path}` must be a table")));
            }
            (Some(slot), value) => *slot = value,
        }
    }
    Ok(())
}

fn collect_keys(tree: &toml::Table, prefix: &str, out: &mut Vec<(String, String)>) {
    for (key, value) in tree {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => collect_keys(inner, &path, out),
            _ => {
                let var = format!(
                    "{ENV_PREFIX}{}",
                    path.replace('.', "_").to_ascii_uppercase()
                );
                out.push((path, var));
            }
        }
    }
}

fn apply_env(tree: &mut toml::Table, var: &str, value: &str) -> Result<(), ConfigError> {
    let Some((path, _)) = Config::keys().into_iter().find(|(_, v)| v == var) else {
        return Err(ConfigError(format!(
            "unknown environment variable {var} (known: {})",
            Config::keys()
                .into_iter()
                .map(|(_, v)| v)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let mut slot: &mut toml::Table = tree;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            let current = slot.get(part).cloned();
            let typed = match current {
                Some(toml::Value::Boolean(_)) => match value.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => toml::Value::Boolean(true),
                    "false" | "0" | "no" | "off" => toml::Value::Boolean(false),
                    _ => {
                        return Err(ConfigError(format!(
                            "{var}: expected true or false, got {value:?}"
                        )));
                    }
                },
                Some(toml::Value::Integer(_)) => value
                    .trim()
                    .parse::<i64>()
                    .map(toml::Value::Integer)
                    .map_err(|_| {
                        ConfigError(format!("{var}: expected a whole number, got {value:?}"))
                    })?,
                // A list from the environment is comma-separated.
                Some(toml::Value::Array(_)) => toml::Value::Array(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(|v| toml::Value::String(v.to_string()))
                        .collect(),
                ),
                _ => toml::Value::String(value.to_string()),
            };
            slot.insert(part.to_string(), typed);
        } else {
            slot = match slot.get_mut(part) {
                Some(toml::Value::Table(t)) => t,
                _ => return Err(ConfigError(format!("internal: {path} is not a table"))),
            };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_come_from_the_environment_comma_separated() {
        let mut tree = toml::Table::try_from(Config::default()).unwrap();
        apply_env(
            &mut tree,
            "COHORT_REGISTRATION_EMAIL_DOMAINS",
            "example.org, dept.example.net,",
        )
        .unwrap();
        let c: Config = tree.try_into().unwrap();
        assert_eq!(
            c.registration.email_domains,
            ["example.org", "dept.example.net"]
        );
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_run_without_any_file() {
        let c = Config::from_sources(None, env(&[])).unwrap();
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.domain, "localhost:8080");
        assert_eq!(c.database.url, "sqlite://cohort.db?mode=rwc");
        assert!(!c.federation.debug);
        assert_eq!(c.registration.mode, RegistrationMode::Open);
        assert_eq!(c.http.body_limit, 1_048_576);
    }

    #[test]
    fn file_then_env_overlay() {
        let file = "domain = \"example.org\"\n[database]\nurl = \"sqlite://x.db\"\n";
        let c = Config::from_sources(
            Some(("test.toml", file)),
            env(&[
                (
                    "COHORT_DATABASE_URL",
                    "postgres://postgres@127.0.0.1/cohort",
                ),
                ("COHORT_FEDERATION_DEBUG", "true"),
                ("COHORT_HTTP_BODY_LIMIT", "4096"),
                ("OTHER", "ignored"),
            ]),
        )
        .unwrap();
        assert_eq!(c.domain, "example.org");
        assert_eq!(c.database.url, "postgres://postgres@127.0.0.1/cohort");
        assert!(c.federation.debug);
        assert_eq!(c.http.body_limit, 4096);
        assert_eq!(c.scheme(), "http");
    }

    #[test]
    fn unknown_file_key_is_named() {
        let err = Config::from_sources(Some(("c.toml", "[database]\nurll = \"x\"\n")), env(&[]))
            .unwrap_err();
        assert!(err.0.contains("database.urll"), "{err}");
        let err = Config::from_sources(Some(("c.toml", "lisen = \"x\"\n")), env(&[])).unwrap_err();
        assert!(err.0.contains("`lisen`"), "{err}");
    }

    #[test]
    fn unknown_env_var_is_named() {
        let err = Config::from_sources(None, env(&[("COHORT_DATABSE_URL", "x")])).unwrap_err();
        assert!(err.0.contains("COHORT_DATABSE_URL"), "{err}");
    }

    #[test]
    fn bad_values_are_explained() {
        let err =
            Config::from_sources(None, env(&[("COHORT_FEDERATION_DEBUG", "maybe")])).unwrap_err();
        assert!(err.0.contains("COHORT_FEDERATION_DEBUG"), "{err}");
        let err =
            Config::from_sources(None, env(&[("COHORT_DOMAIN", "https://x.org/")])).unwrap_err();
        assert!(err.0.starts_with("domain"), "{err}");
        let err = Config::from_sources(None, env(&[("COHORT_REGISTRATION_MODE", "sometimes")]))
            .unwrap_err();
        assert!(
            err.0.contains("sometimes") || err.0.contains("variant"),
            "{err}"
        );
        let err =
            Config::from_sources(None, env(&[("COHORT_DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(err.0.starts_with("database.url"), "{err}");
    }

    #[test]
    fn the_required_environment_names_exist() {
        let vars: Vec<String> = Config::keys().into_iter().map(|(_, v)| v).collect();
        for name in [
            "COHORT_DATABASE_URL",
            "COHORT_LISTEN",
            "COHORT_DOMAIN",
            "COHORT_FEDERATION_DEBUG",
        ] {
            assert!(
                vars.iter().any(|v| v == name),
                "{name} missing from {vars:?}"
            );
        }
    }

    #[test]
    fn oidc_providers_come_from_the_file_and_are_checked() {
        let file = "[[oidc]]\nid = \"corp\"\nname = \"Corp\"\nissuer = \"https://id.example.org\"\nclient_id = \"c\"\n";
        let c = Config::from_sources(Some(("c.toml", file)), env(&[])).unwrap();
        assert_eq!(c.oidc.len(), 1);
        assert_eq!(c.oidc[0].scopes, ["email", "profile"]);
        assert_eq!(c.oidc[0].username_claim, "preferred_username");
        let http = file.replace("https://", "http://");
        let err = Config::from_sources(Some(("c.toml", &http)), env(&[])).unwrap_err();
        assert!(err.0.contains("https"), "{err}");
        let twice = format!("{file}{file}");
        let err = Config::from_sources(Some(("c.toml", &twice)), env(&[])).unwrap_err();
        assert!(err.0.contains("unique"), "{err}");
        let typo = format!("{file}clientid = \"x\"\n");
        assert!(Config::from_sources(Some(("c.toml", &typo)), env(&[])).is_err());
        let claim = format!("{file}username_claim = \"upn\"\n");
        let err = Config::from_sources(Some(("c.toml", &claim)), env(&[])).unwrap_err();
        assert!(err.0.contains("username_claim"), "{err}");
        let err = Config::from_sources(
            None,
            env(&[("COHORT_REGISTRATION_PASSWORD_LOGIN", "false")]),
        )
        .unwrap_err();
        assert!(err.0.contains("[[oidc]]"), "{err}");
    }

    #[test]
    fn example_file_documents_every_key_and_parses() {
        let text = include_str!("../cohort.example.toml");
        Config::from_sources(Some(("cohort.example.toml", text)), env(&[])).unwrap();
        let parsed: toml::Table = toml::from_str(text).unwrap();
        let mut documented = Vec::new();
        collect_keys(&parsed, "", &mut documented);
        assert_eq!(
            documented,
            Config::keys(),
            "cohort.example.toml must list every key"
        );
    }
}
