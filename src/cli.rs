//! What the `cohort` command does besides serving: migrations and administration.

use std::io::{BufRead, IsTerminal};

use crate::{
    config::Config,
    domain::{Ctx, Instance, accounts, instances},
    error::{Error, Result},
    maintenance, storage,
};

/// Connects to the configured database and applies pending migrations.
pub async fn open(config: &Config) -> Result<Ctx> {
    let db = storage::connect(&config.database).await?;
    storage::migrate(&db).await?;
    Ok(Ctx::new(db, Instance::from_config(config)))
}

/// `cohort migrate`: applies pending migrations; returns how many ran.
pub async fn migrate(config: &Config) -> Result<usize> {
    let db = storage::connect(&config.database).await?;
    Ok(storage::migrate(&db).await?)
}

/// Where `create-user` gets the password.
pub enum PasswordSource {
    /// The first line of standard input.
    Stdin,
    /// Asked twice at the terminal.
    Prompt,
}

/// Reads the new password from its source.
pub fn read_password(source: PasswordSource) -> Result<String> {
    match source {
        PasswordSource::Stdin => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Error::Internal(format!("cannot read standard input: {e}")))?;
            Ok(line.trim_end_matches(['\r', '\n']).to_string())
        }
        PasswordSource::Prompt => {
            if !std::io::stdin().is_terminal() {
                return Err(Error::invalid(
                    "password",
                    "no terminal to ask for it: pass --password-stdin and pipe it in",
                ));
            }
            let first = rpassword::prompt_password("Password: ")
                .map_err(|e| Error::Internal(format!("cannot read password: {e}")))?;
            let again = rpassword::prompt_password("Password again: ")
                .map_err(|e| Error::Internal(format!("cannot read password: {e}")))?;
            if first != again {
                return Err(Error::invalid("password", "the two passwords differ"));
            }
            Ok(first)
        }
    }
}

/// `cohort admin create-user`: creates a local account whatever the registration mode.
pub async fn create_user(
    config: &Config,
    name: &str,
    password: &str,
    admin: bool,
) -> Result<String> {
    let ctx = open(config).await?;
    let person = accounts::create(&ctx, name, password, admin).await?;
    Ok(person.ap_id)
}

/// Connects to a database that must already be migrated (administration commands do not
/// change the schema behind a running server's back).
async fn connect_migrated(config: &Config) -> Result<sea_orm::DatabaseConnection> {
    let db = storage::connect(&config.database).await?;
    if !storage::is_migrated(&db).await? {
        return Err(Error::BadRequest(
            "the database is not migrated; run `cohort migrate` first".into(),
        ));
    }
    Ok(db)
}

/// A context over a database that must already be migrated.
async fn ctx_migrated(config: &Config) -> Result<Ctx> {
    Ok(Ctx::new(
        connect_migrated(config).await?,
        Instance::from_config(config),
    ))
}

/// `cohort admin reset-password`: sets a new password and ends the account's sessions;
/// returns how many ended.
pub async fn reset_password(config: &Config, name: &str, password: &str) -> Result<u64> {
    accounts::reset_password(&ctx_migrated(config).await?, name, password).await
}

/// `cohort admin block-instance`: returns the host blocked and whether it was new. Running
/// servers honour it within seconds (`storage::snapshot::REFRESH`).
pub async fn block_instance(
    config: &Config,
    host: &str,
    reason: Option<&str>,
) -> Result<(String, bool)> {
    instances::block(&ctx_migrated(config).await?, host, reason).await
}

/// `cohort admin unblock-instance`: returns the host.
pub async fn unblock_instance(config: &Config, host: &str) -> Result<String> {
    instances::unblock(&ctx_migrated(config).await?, host).await
}

/// `cohort admin applications`: waiting sign-ups (name, e-mail, answer, when).
pub async fn applications(config: &Config) -> Result<Vec<accounts::Application>> {
    accounts::applications(&ctx_migrated(config).await?).await
}

/// `cohort admin approve` / `reject`.
pub async fn decide(config: &Config, name: &str, approve: bool) -> Result<()> {
    accounts::decide(&ctx_migrated(config).await?, name, approve).await
}

/// `cohort admin invite`: a new invitation's code.
pub async fn invite(config: &Config, days: i64) -> Result<String> {
    accounts::invite(&ctx_migrated(config).await?, days).await
}

/// `cohort admin allow-instance`: returns the host allowed and whether it was new.
pub async fn allow_instance(config: &Config, host: &str) -> Result<(String, bool)> {
    instances::allow(&ctx_migrated(config).await?, host).await
}

/// `cohort admin disallow-instance`: returns the host.
pub async fn disallow_instance(config: &Config, host: &str) -> Result<String> {
    instances::disallow(&ctx_migrated(config).await?, host).await
}

/// `cohort admin federation`: every known instance and its state.
pub async fn federation_report(config: &Config) -> Result<storage::peers::Report> {
    let ctx = ctx_migrated(config).await?;
    let blocked: std::collections::HashSet<String> = instances::blocks(&ctx)
        .await?
        .into_iter()
        .map(|b| b.host)
        .collect();
    Ok(storage::peers::report(&ctx.db, |h| instances::is_blocked(&blocked, h)).await?)
}

/// The federation report as text for people.
pub fn format_federation_report(r: &storage::peers::Report) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<32} {:<20} {:>6} {:>6} {:>9} {:>9} {:>7} {:>7}  state",
        "instance", "software", "people", "groups", "followers", "following", "inboxes", "failing"
    );
    for p in &r.instances {
        let state = if p.blocked {
            "blocked".to_string()
        } else if p.unreachable > 0 {
            format!("{} unreachable", p.unreachable)
        } else if p.failing > 0 {
            format!("failing: {}", p.last_error.as_deref().unwrap_or("-"))
        } else {
            p.last_delivery_at
                .map_or_else(|| "-".into(), |t| format!("last delivery {t}"))
        };
        let _ = writeln!(
            out,
            "{:<32} {:<20} {:>6} {:>6} {:>9} {:>9} {:>7} {:>7}  {state}",
            p.host,
            p.software.as_deref().unwrap_or("-"),
            p.people,
            p.groups,
            p.followers,
            p.following,
            p.inboxes,
            p.failing
        );
    }
    if !r.blocks.is_empty() {
        let _ = writeln!(out, "\nblocked:");
        for b in &r.blocks {
            let _ = writeln!(
                out,
                "  {}  since {}  {}",
                b.host,
                b.created_at,
                b.reason.as_deref().unwrap_or("")
            );
        }
    }
    out
}

/// `cohort admin purge`: the hourly clean-up now, optionally with a shorter retention.
pub async fn purge(config: &Config, older_than_days: Option<i64>) -> Result<maintenance::Purged> {
    maintenance::purge_older_than(&ctx_migrated(config).await?, older_than_days).await
}

/// `cohort admin backup FILE`: a consistent copy of the database, taken while it runs, then
/// the media: with the disk store the files are copied into `FILE.media/` (after the
/// database, so every file a row of the copy names is there: a row is written before its
/// files, and files are never changed, only added and deleted); with an S3 bucket what to do
/// is said (the bucket's own versioning or replication, or a sync of it). Returns what was done.
pub async fn backup(config: &Config, target: &std::path::Path) -> Result<String> {
    let db = connect_migrated(config).await?;
    storage::backup::write(&db, &config.database.url, target)
        .await
        .map_err(|e| match e {
            storage::backup::BackupError::Database(e) => Error::Database(e),
            other => Error::BadRequest(other.to_string()),
        })?;
    let mut said = format!("backup written to {}", target.display());
    match config.media.store {
        crate::config::MediaStore::Disk => {
            let from = config.media.disk_dir(&config.database.url);
            let to = std::path::PathBuf::from(format!("{}.media", target.display()));
            let copied = copy_files(&from, &to)
                .map_err(|e| Error::Internal(format!("media copy to {}: {e}", to.display())))?;
            said.push_str(&format!(
                "\nmedia: {copied} file(s) copied from {} to {}",
                from.display(),
                to.display()
            ));
        }
        crate::config::MediaStore::S3 => said.push_str(&format!(
            "\nmedia: in the bucket {}; back it up with the bucket's versioning or replication, \
             or copy it after this backup (e.g. `aws s3 sync s3://{} DIR`)",
            config.media.s3_bucket, config.media.s3_bucket
        )),
    }
    Ok(said)
}

/// Copies the files of directory `from` (not below it: the store is flat) into `to`, which
/// must not exist; returns how many. A missing `from` copies nothing.
fn copy_files(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<usize> {
    if to.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "exists; backups never overwrite",
        ));
    }
    std::fs::create_dir_all(to)?;
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok(0);
    };
    let mut n = 0;
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
            n += 1;
        }
    }
    Ok(n)
}

/// `cohort admin queue --retry …`: makes destinations due now (all failing ones when `inboxes`
/// is empty); returns how many.
pub async fn queue_retry(config: &Config, inboxes: &[String]) -> Result<u64> {
    let db = connect_migrated(config).await?;
    Ok(storage::queue::retry_now(&db, inboxes, crate::domain::now()).await?)
}

/// The inbound queue's state (`cohort admin inbound`).
#[derive(Debug, serde::Serialize)]
pub struct InboundReport {
    /// Activities waiting to be acted on.
    pub queued: u64,
    /// Parked after their last attempt.
    pub parked: u64,
    /// Refused while acted on (kept a week).
    pub refused: u64,
    /// The latest parked and refused ones, newest first.
    pub stuck: Vec<storage::inbound::Stuck>,
}

/// `cohort admin inbound`: first puts the parked activities `retry` back in the queue and
/// forgets those in `drop` (an unknown number is an error), then reports the queue.
pub async fn inbound(config: &Config, retry: &[i64], drop: &[i64]) -> Result<InboundReport> {
    let db = connect_migrated(config).await?;
    for id in retry {
        if !storage::inbound::requeue(&db, *id, crate::domain::now()).await? {
            return Err(Error::BadRequest(format!("no parked activity {id}")));
        }
    }
    for id in drop {
        if !storage::inbound::drop_stuck(&db, *id).await? {
            return Err(Error::BadRequest(format!(
                "no parked or refused activity {id}"
            )));
        }
    }
    let (queued, parked, refused) = storage::inbound::counts(&db).await?;
    let stuck = storage::inbound::stuck(&db, 50).await?;
    Ok(InboundReport {
        queued,
        parked,
        refused,
        stuck,
    })
}

/// The inbound report as text for people.
pub fn format_inbound_report(r: &InboundReport) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "{} queued, {} parked, {} refused (kept a week)\n",
        r.queued, r.parked, r.refused
    );
    for s in &r.stuck {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            s.id,
            s.state,
            s.received_at.format("%Y-%m-%d %H:%M:%S"),
            s.code.as_deref().unwrap_or("-"),
            s.ap_id,
            s.error.as_deref().unwrap_or("-")
        );
    }
    out
}

/// `cohort admin identities`: every account linked to a single sign-on provider.
pub async fn identities(config: &Config) -> Result<Vec<crate::domain::sso::IdentityLine>> {
    let db = connect_migrated(config).await?;
    let ctx = crate::domain::Ctx::new(db, crate::domain::Instance::from_config(config));
    crate::domain::sso::identities(&ctx).await
}

/// `cohort admin unlink-identity USERNAME PROVIDER`.
pub async fn unlink_identity(config: &Config, username: &str, provider: &str) -> Result<()> {
    let db = connect_migrated(config).await?;
    let ctx = crate::domain::Ctx::new(db, crate::domain::Instance::from_config(config));
    crate::domain::sso::unlink(&ctx, username, provider).await
}

/// `cohort admin mail-bounced`: each address a later bounce named, with how many accounts
/// stop getting mail at it and how many waiting mails to it were given up.
pub async fn mail_bounced(
    config: &Config,
    addresses: &[String],
) -> Result<Vec<(String, u64, u64)>> {
    for a in addresses {
        let a = a.trim();
        if a.len() > 254 || a.split('@').count() != 2 || a.starts_with('@') || a.ends_with('@') {
            return Err(crate::error::Error::invalid(
                "address",
                format!("{a:?} is not an e-mail address"),
            ));
        }
    }
    let db = connect_migrated(config).await?;
    let mut out = Vec::with_capacity(addresses.len());
    for a in addresses {
        let (accounts, mails) = storage::mail::bounced(&db, a.trim(), crate::domain::now()).await?;
        out.push((a.trim().to_string(), accounts, mails));
    }
    Ok(out)
}

/// What `cohort admin mail` shows.
#[derive(Debug, serde::Serialize)]
pub struct MailReport {
    /// Waiting, sent and failed.
    pub counts: storage::mail::Counts,
    /// The newest mails (no bodies: those are the recipients' business).
    pub newest: Vec<MailLine>,
}

/// One mail in the report.
#[derive(Debug, serde::Serialize)]
pub struct MailLine {
    /// Its id.
    pub id: i64,
    /// `verify`, `reset`, `notices`, `digest`.
    pub kind: String,
    /// The address.
    pub to: String,
    /// `waiting`, `sent` or `failed`.
    pub state: &'static str,
    /// Attempts so far.
    pub attempts: i32,
    /// When it was queued.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The relay's last answer, when an attempt failed.
    pub last_error: Option<String>,
}

/// `cohort admin mail`: the mail queue's counts and its 20 newest mails.
pub async fn mail_report(config: &Config) -> Result<MailReport> {
    let db = connect_migrated(config).await?;
    let counts = storage::mail::counts(&db).await?;
    let newest = storage::mail::list(&db, 20)
        .await?
        .into_iter()
        .map(|m| MailLine {
            id: m.id,
            state: if m.sent_at.is_some() {
                "sent"
            } else if m.failed_at.is_some() {
                "failed"
            } else {
                "waiting"
            },
            kind: m.kind,
            to: m.to_address,
            attempts: m.attempts,
            created_at: m.created_at,
            last_error: m.last_error,
        })
        .collect();
    Ok(MailReport { counts, newest })
}

/// The mail report as text for people.
pub fn format_mail_report(r: &MailReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "waiting: {}  sent: {}  failed: {}",
        r.counts.waiting, r.counts.sent, r.counts.failed
    );
    for m in &r.newest {
        let _ = writeln!(
            out,
            "{:>6}  {:<7}  {:<7}  {:>2}  {}  {}{}",
            m.id,
            m.state,
            m.kind,
            m.attempts,
            m.created_at.format("%Y-%m-%d %H:%M"),
            m.to,
            m.last_error
                .as_deref()
                .map(|e| format!("  ({e})"))
                .unwrap_or_default()
        );
    }
    out
}

/// `cohort admin queue`: the outgoing queue's state.
pub async fn queue_report(config: &Config) -> Result<storage::queue::Report> {
    let db = connect_migrated(config).await?;
    Ok(storage::queue::report(&db).await?)
}

/// The queue report as text for people.
pub fn format_queue_report(r: &storage::queue::Report) -> String {
    use std::fmt::Write as _;
    let age = |t: chrono::DateTime<chrono::Utc>| {
        let s = (chrono::Utc::now() - t).num_seconds().max(0);
        match s {
            0..=119 => format!("{s}s"),
            120..=7199 => format!("{}m", s / 60),
            7200..=172_799 => format!("{}h", s / 3600),
            _ => format!("{}d", s / 86_400),
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "destinations:    {}", r.destinations);
    let _ = writeln!(out, "pending:         {}", r.pending);
    let _ = writeln!(
        out,
        "oldest pending:  {}",
        r.oldest_pending
            .map_or_else(|| "-".to_string(), |t| format!("{} ago ({t})", age(t)))
    );
    let _ = writeln!(out, "unreachable:     {}", r.unreachable);
    let _ = writeln!(out, "failing:         {}", r.failing.len());
    for f in &r.failing {
        let state = match f.unreachable_since {
            Some(t) => format!("unreachable for {}", age(t)),
            None => format!(
                "retry in {}s",
                (f.next_attempt_at - chrono::Utc::now())
                    .num_seconds()
                    .max(0)
            ),
        };
        let _ = writeln!(
            out,
            "  {}  pending {}  attempts {}  failing {}  {}  last error: {}",
            f.inbox,
            f.pending,
            f.attempts,
            f.failing_since.map_or_else(|| "-".into(), age),
            state,
            f.last_error.as_deref().unwrap_or("-"),
        );
    }
    out
}
