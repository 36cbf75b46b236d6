//! What the `cohort` command does besides serving: migrations and administration.

use std::io::{BufRead, IsTerminal};

use crate::{
    config::Config,
    domain::{Ctx, Instance, accounts},
    error::{Error, Result},
    storage,
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

/// `cohort admin queue --retry …`: makes destinations due now (all failing ones when `inboxes`
/// is empty); returns how many.
pub async fn queue_retry(config: &Config, inboxes: &[String]) -> Result<u64> {
    let db = connect_migrated(config).await?;
    Ok(storage::queue::retry_now(&db, inboxes, crate::domain::now()).await?)
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
