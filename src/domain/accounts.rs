//! Accounts: sign-up, sign-in with bearer tokens, and who is asking.

use crate::error::Code;
use std::sync::LazyLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use chrono::Duration;
use rand::RngCore;
use sea_orm::{DbErr, SqlErr, TransactionTrait};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{Ctx, hex, names::Username, now, random_hex, views::AccountView};
use crate::{
    config::RegistrationMode,
    error::{Error, Result},
    storage::{self, entities::persons, persons::NewLocalAccount},
};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted, in bytes (bounds the hashing work an attacker can ask for).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// How long a sign-in lasts.
pub const SESSION_DAYS: i64 = 30;

/// The sign-up request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAccount {
    /// Wanted account name.
    #[schema(pattern = "^[a-z0-9_]{3,32}$")]
    pub username: String,
    /// Wanted password.
    #[schema(min_length = 8)]
    pub password: String,
    /// E-mail address (needed when sign-up is restricted to e-mail domains).
    #[serde(default)]
    pub email: Option<String>,
    /// The answer to the application question (approval mode).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub application: Option<String>,
    /// The invitation code (invite mode).
    #[serde(default)]
    pub invite: Option<String>,
}

/// Longest answer to the application question, in characters.
pub const MAX_APPLICATION_CHARS: usize = 2000;

/// What a sign-up adds to an account beyond its name and password.
#[derive(Debug, Default)]
pub(crate) struct Extra {
    pub(crate) email: Option<String>,
    pub(crate) application: Option<String>,
    pub(crate) approved: bool,
    pub(crate) invite_hash: Option<String>,
}

/// An e-mail address: one `@`, a name, a domain with a dot; no spaces or control characters.
pub(crate) fn check_email(raw: &str, domains: &[String]) -> Result<String> {
    let bad = || Error::invalid("email", "must be an e-mail address such as ann@example.org");
    let email = raw.trim().to_ascii_lowercase();
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (name, domain) = email.rsplit_once('@').ok_or_else(bad)?;
    if name.is_empty() || name.contains('@') || !domain.contains('.') || domain.starts_with('.') {
        return Err(bad());
    }
    if !domains.is_empty()
        && !domains
            .iter()
            .any(|d| domain == d || domain.ends_with(&format!(".{d}")))
    {
        return Err(Error::invalid(
            "email",
            format!("sign-up here needs an address at {}", domains.join(", ")),
        ));
    }
    Ok(email)
}

/// The sign-in request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Credentials {
    /// Account name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The signed-in person making a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// Their public face.
    pub person: persons::Model,
    /// Their credentials row.
    pub local_user_id: i64,
    /// Instance administrator.
    pub is_admin: bool,
    /// The interface language they chose, if any.
    pub language: Option<String>,
}

impl CurrentUser {
    /// The view `GET /me` returns.
    pub fn view(&self) -> AccountView {
        AccountView {
            id: self.person.id,
            username: self.person.username.clone(),
            handle: format!("{}@{}", self.person.username, self.person.domain),
            ap_id: self.person.ap_id.clone(),
            is_admin: self.is_admin,
            created_at: self.person.created_at,
        }
    }
}

pub(crate) fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::invalid(
            "password",
            format!("must be at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// Hashes a password with Argon2id (default parameters) on the blocking pool: it takes tens
/// of milliseconds of CPU by design and must not stall the async workers.
fn new_salt() -> Result<SaltString> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    SaltString::encode_b64(&bytes).map_err(|e| Error::Internal(format!("salt: {e}")))
}

pub(crate) async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = new_salt()?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("hashing task failed: {e}")))?
}

/// A hash of nothing in particular, checked when the account does not exist so that a
/// failed sign-in takes as long whether or not the name is taken.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    new_salt()
        .ok()
        .and_then(|salt| {
            Argon2::default()
                .hash_password(random_hex(16).as_bytes(), &salt)
                .ok()
                .map(|h| h.to_string())
        })
        .unwrap_or_default()
});

async fn verify_password(password: String, hash: Option<String>) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        known && ok
    })
    .await
    .map_err(|e| Error::Internal(format!("verification task failed: {e}")))
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn name_taken(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Password sign-in and sign-up are off: single sign-on is the only way in.
fn password_off() -> Error {
    Error::refused(
        Code::SsoRefused,
        "this instance signs people in only through its identity provider",
    )
}

/// Public sign-up, as the registration mode allows: returns the person and whether the
/// account still waits for approval.
pub async fn register(ctx: &Ctx, input: NewAccount) -> Result<(persons::Model, bool)> {
    if !ctx.instance.password_login {
        return Err(password_off());
    }
    let mut extra = Extra {
        approved: true,
        ..Extra::default()
    };
    match ctx.instance.registration {
        RegistrationMode::Closed => {
            return Err(Error::Refused {
                code: Code::RegistrationClosed,
                message: "this instance does not accept sign-ups".into(),
            });
        }
        RegistrationMode::Open => {}
        RegistrationMode::Approval => {
            let answer = input.application.as_deref().unwrap_or_default().trim();
            if answer.is_empty() {
                return Err(Error::invalid(
                    "application",
                    format!(
                        "answer the question: {}",
                        ctx.instance.registration_question
                    ),
                ));
            }
            if answer.chars().count() > MAX_APPLICATION_CHARS || answer.contains('\0') {
                return Err(Error::invalid(
                    "application",
                    format!("must be at most {MAX_APPLICATION_CHARS} characters"),
                ));
            }
            extra.application = Some(answer.to_string());
            extra.approved = false;
        }
        RegistrationMode::Invite => {
            let code = input.invite.as_deref().unwrap_or_default().trim();
            if code.is_empty() || code.len() > 128 {
                return Err(Error::invalid("invite", "sign-up here needs an invitation"));
            }
            extra.invite_hash = Some(token_hash(code));
        }
    }
    let address_needed = !ctx.instance.email_domains.is_empty() || ctx.instance.verify_email;
    match (&input.email, address_needed) {
        (Some(e), _) => extra.email = Some(check_email(e, &ctx.instance.email_domains)?),
        (None, true) if ctx.instance.email_domains.is_empty() => {
            return Err(Error::invalid(
                "email",
                "sign-up here needs an e-mail address, to confirm it",
            ));
        }
        (None, true) => {
            return Err(Error::invalid(
                "email",
                format!(
                    "sign-up here needs an address at {}",
                    ctx.instance.email_domains.join(", ")
                ),
            ));
        }
        (None, false) => {}
    }
    let pending = !extra.approved;
    let person = create_with(ctx, &input.username, &input.password, false, extra).await?;
    // An address given is confirmed by mail (when the instance sends mail): notices and
    // digests go only to confirmed addresses, and `registration.verify_email` holds the
    // sign-in until then.
    if let Some(user) = storage::mail::user_of_person(&ctx.db, person.id).await? {
        super::mail::send_verification(ctx, &user, &person.username).await?;
    }
    Ok((person, pending))
}

/// A new invitation: its code, to give to the person invited (only its hash is kept), valid
/// for `days` days.
pub async fn invite(ctx: &Ctx, days: i64) -> Result<String> {
    if !(1..=365).contains(&days) {
        return Err(Error::invalid("days", "must be 1 to 365"));
    }
    let code = random_hex(16);
    let t = now();
    storage::persons::add_invite(&ctx.db, &token_hash(&code), t, t + Duration::days(days)).await?;
    Ok(code)
}

/// A sign-up waiting for approval.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Application {
    /// The account name.
    pub username: String,
    /// The e-mail address given.
    pub email: Option<String>,
    /// The answer to the application question.
    pub answer: Option<String>,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Sign-ups waiting for approval, oldest first.
pub async fn applications(ctx: &Ctx) -> Result<Vec<Application>> {
    Ok(storage::persons::pending_approval(&ctx.db)
        .await?
        .into_iter()
        .map(|(p, u)| Application {
            username: p.username,
            email: u.email,
            answer: u.application,
            created_at: u.created_at,
        })
        .collect())
}

/// Approves (`true`) or rejects (and removes) the waiting account `name`.
pub async fn decide(ctx: &Ctx, name: &str, approve: bool) -> Result<()> {
    let username = Username::parse(name)?;
    let (_, user) = storage::persons::find_local_account(&ctx.db, username.as_str())
        .await?
        .filter(|(_, u)| !u.approved)
        .ok_or(Error::NotFound("application"))?;
    let done = if approve {
        storage::persons::approve(&ctx.db, user.id).await?
    } else {
        storage::persons::reject(&ctx.db, user.id).await?
    };
    if done {
        Ok(())
    } else {
        Err(Error::NotFound("application"))
    }
}

/// Creates a local account, whatever the registration mode (the admin command uses this).
pub async fn create(
    ctx: &Ctx,
    username: &str,
    password: &str,
    is_admin: bool,
) -> Result<persons::Model> {
    let extra = Extra {
        approved: true,
        ..Extra::default()
    };
    create_with(ctx, username, password, is_admin, extra).await
}

pub(crate) async fn create_with(
    ctx: &Ctx,
    username: &str,
    password: &str,
    is_admin: bool,
    extra: Extra,
) -> Result<persons::Model> {
    let username = Username::parse(username)?;
    check_password(password)?;
    let taken = || {
        Error::refused(
            Code::NameTaken,
            format!("the username {} is taken", username.as_str()),
        )
    };
    if storage::persons::find_local_account(&ctx.db, username.as_str())
        .await?
        .is_some()
    {
        return Err(taken());
    }
    let password_hash = hash_password(password.to_string()).await?;
    let keys = super::keys::generate().await?;
    let txn = ctx.db.begin().await?;
    let created = storage::persons::insert_local_account(
        &txn,
        NewLocalAccount {
            username: username.as_str(),
            domain: &ctx.instance.domain,
            ap_id: ctx.instance.person_url(username.as_str()),
            password_hash,
            is_admin,
            keys,
            now: now(),
            email: extra.email,
            approved: extra.approved,
            application: extra.application,
        },
    )
    .await;
    match created {
        Ok((person, _)) => {
            if let Some(hash) = &extra.invite_hash
                && !storage::persons::use_invite(&txn, hash, person.id, now()).await?
            {
                return Err(Error::invalid(
                    "invite",
                    "this invitation is unknown, used or expired",
                ));
            }
            txn.commit().await?;
            Ok(person)
        }
        // Lost a race with another sign-up for the same name.
        Err(e) if name_taken(&e) => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

/// Sets a new password for a local account (the admin command uses this) and signs it out
/// everywhere; returns how many sessions ended.
pub async fn reset_password(ctx: &Ctx, username: &str, password: &str) -> Result<u64> {
    let username = Username::parse(username)?;
    check_password(password)?;
    let (_, user) = storage::persons::find_local_account(&ctx.db, username.as_str())
        .await?
        .ok_or(Error::NotFound("account"))?;
    let hash = hash_password(password.to_string()).await?;
    Ok(storage::persons::set_password_hash(&ctx.db, user.id, &hash).await?)
}

/// Checks a username and password and opens a session; returns its bearer token.
pub async fn login(ctx: &Ctx, input: Credentials) -> Result<String> {
    if !ctx.instance.password_login {
        return Err(password_off());
    }
    if input.password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::BadCredentials);
    }
    // A name that could not have been registered is an unknown account (and must not reach
    // the database unchecked).
    let account = match Username::parse(&input.username) {
        Ok(name) => storage::persons::find_local_account(&ctx.db, name.as_str()).await?,
        Err(_) => None,
    };
    let hash = account.as_ref().map(|(_, u)| u.password_hash.clone());
    if !verify_password(input.password, hash).await? {
        return Err(Error::BadCredentials);
    }
    let Some((_, user)) = account else {
        return Err(Error::BadCredentials);
    };
    open_session(ctx, &user).await
}

/// Opens a session for `user` (signed in by password or through a provider) if the account
/// may sign in: approved, and its address confirmed where the instance requires it.
pub async fn open_session(
    ctx: &Ctx,
    user: &storage::entities::local_users::Model,
) -> Result<String> {
    if !user.approved {
        return Err(Error::Refused {
            code: Code::PendingApproval,
            message: "this account waits for an administrator's approval".into(),
        });
    }
    super::mail::check_verified(ctx, user)?;
    let token = random_hex(32);
    let t = now();
    storage::sessions::create(
        &ctx.db,
        token_hash(&token),
        user.id,
        t,
        t + Duration::days(SESSION_DAYS),
    )
    .await?;
    Ok(token)
}

/// The user a bearer token belongs to.
pub async fn authenticate(ctx: &Ctx, token: &str) -> Result<CurrentUser> {
    if token.len() != 64 {
        return Err(Error::Unauthenticated);
    }
    let session = storage::sessions::find_valid(&ctx.db, &token_hash(token), now())
        .await?
        .ok_or(Error::Unauthenticated)?;
    let user = storage::persons::find_local_user(&ctx.db, session.local_user_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let person = storage::persons::find(&ctx.db, user.person_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    Ok(CurrentUser {
        person,
        local_user_id: user.id,
        is_admin: user.is_admin,
        language: user.language,
    })
}

/// Ends the session of a bearer token.
pub async fn logout(ctx: &Ctx, token: &str) -> Result<()> {
    storage::sessions::delete(&ctx.db, &token_hash(token)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        assert!(check_password("short").is_err());
        assert!(check_password("long enough").is_ok());
        assert!(check_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
    }

    #[tokio::test]
    async fn hashes_verify_and_reject() {
        let h = hash_password("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify_password("correct horse".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("wrong horse".into(), Some(h))
                .await
                .unwrap()
        );
        assert!(!verify_password("anything".into(), None).await.unwrap());
    }

    #[test]
    fn tokens_are_stored_hashed() {
        let t = random_hex(32);
        assert_eq!(t.len(), 64);
        assert_ne!(token_hash(&t), t);
        assert_eq!(token_hash(&t).len(), 64);
    }
}
