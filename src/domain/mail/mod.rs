//! E-mail, as people meet it: confirming an address, resetting a password by mail, hearing
//! of replies, mentions and accepted answers (at once, daily, or never), the weekly digest,
//! and stopping any of it with one click.
//!
//! The rules only queue: every mail is rendered ([`compose`]) and written to
//! `mail_queue` in the caller's transaction, and `crate::mail` sends it later. So a crash or
//! a relay that is down delays mail and never loses it, and a rolled-back change mails
//! nothing. Notices are recorded with the content that causes them (`record_content`,
//! `record_accepted`, called by the use cases in their unit) and turned into mails by the
//! mail worker, at once or in the daily summary.
//!
//! Tokens are 32 random bytes, mailed in a link; only their SHA-256 is stored, each is used
//! once (`storage::mail::take_token`) and expires ([`VERIFY_HOURS`], [`RESET_MINUTES`]).

pub mod compose;

use chrono::Duration;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{
    Ctx, accounts::CurrentUser, content::ContentRef, hex, names::Username, now, random_hex,
};
use crate::{
    error::{Code, Error, Result},
    storage::{
        self,
        entities::local_users,
        mail::{NewMail, SettingsChange},
    },
};

/// How long an address-confirmation link works.
pub const VERIFY_HOURS: i64 = 48;
/// How long a password-reset link works.
pub const RESET_MINUTES: i64 = 60;
/// At most one confirmation or reset mail per account in this many seconds.
pub const RESEND_AFTER_SECONDS: i64 = 120;
/// Most people one post or reply can notify by mentioning them.
pub const MAX_MENTIONS: usize = 20;

/// How a person hears of replies, mentions and accepted answers by mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NoticeMode {
    /// One mail shortly after each (several close together share one).
    Immediately,
    /// One mail a day with everything since the last.
    Daily,
    /// Not by mail (the notifications page still shows them).
    Never,
}

impl NoticeMode {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediately => "immediately",
            Self::Daily => "daily",
            Self::Never => "never",
        }
    }

    /// From storage; anything else reads as `immediately`, the default.
    pub fn parse(s: &str) -> Self {
        match s {
            "daily" => Self::Daily,
            "never" => Self::Never,
            _ => Self::Immediately,
        }
    }
}

/// Which mails a one-click unsubscribe link stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum List {
    /// Replies, mentions and accepted answers.
    Notices,
    /// The weekly digest.
    Digest,
}

impl List {
    /// As written in links.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notices => "notices",
            Self::Digest => "digest",
        }
    }
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The interface language of `user`'s mails.
pub fn language_of(ctx: &Ctx, user: &local_users::Model) -> String {
    user.language
        .clone()
        .filter(|l| crate::i18n::supported(l).is_some())
        .unwrap_or_else(|| ctx.instance.language.clone())
}

/// A fresh `Message-ID`, kept on every attempt of one mail.
pub fn message_id(ctx: &Ctx) -> String {
    let host = ctx.instance.domain.split(':').next().unwrap_or("localhost");
    format!("<{}.{}@{host}>", random_hex(12), now().timestamp())
}

fn unavailable() -> Error {
    Error::refused(
        Code::MailUnavailable,
        "this instance sends no e-mail; ask its administrator",
    )
}

fn bad_link() -> Error {
    Error::invalid("token", "this link is unknown, used or expired")
}

/// Queues a rendered mail for `user`.
pub(crate) async fn queue(
    ctx: &Ctx,
    user: &local_users::Model,
    to: &str,
    kind: &'static str,
    draft: compose::Draft,
    unsubscribe_url: Option<String>,
) -> Result<()> {
    storage::mail::enqueue(
        &ctx.db,
        NewMail {
            local_user_id: Some(user.id),
            to: to.to_string(),
            kind,
            subject: draft.subject,
            text: draft.text,
            html: draft.html,
            unsubscribe_url,
            message_id: message_id(ctx),
        },
        now(),
    )
    .await?;
    Ok(())
}

/// Mails `user` (named `username`) a link that confirms their address. Nothing without a
/// relay or an address.
pub async fn send_verification(ctx: &Ctx, user: &local_users::Model, username: &str) -> Result<()> {
    let Some(email) = user.email.as_deref().filter(|_| ctx.instance.mail) else {
        return Ok(());
    };
    let token = random_hex(32);
    let t = now();
    storage::mail::add_token(
        &ctx.db,
        &token_hash(&token),
        user.id,
        "verify",
        email,
        t,
        t + Duration::hours(VERIFY_HOURS),
    )
    .await?;
    let url = format!("{}/account/verify?token={token}", ctx.instance.base_url());
    let lang = language_of(ctx, user);
    let draft = compose::verification(&lang, &ctx.instance.domain, username, &url, VERIFY_HOURS);
    queue(ctx, user, email, "verify", draft, None).await
}

/// Confirms the address a verification link was mailed to; returns it.
pub async fn verify(ctx: &Ctx, token: &str) -> Result<String> {
    if token.len() != 64 {
        return Err(bad_link());
    }
    let taken = storage::mail::take_token(&ctx.db, &token_hash(token), "verify", now())
        .await?
        .ok_or_else(bad_link)?;
    // The address may have changed since the link was mailed: then it proves nothing.
    if !storage::mail::mark_verified(&ctx.db, taken.local_user_id, &taken.email, now()).await? {
        return Err(bad_link());
    }
    Ok(taken.email)
}

/// Mails a new confirmation link to account `username` if it waits for one (and none went
/// out in the last [`RESEND_AFTER_SECONDS`]). Says nothing about whether it did, so the
/// answer does not tell who has an account.
pub async fn resend_verification(ctx: &Ctx, username: &str) -> Result<()> {
    if !ctx.instance.mail {
        return Err(unavailable());
    }
    let Ok(name) = Username::parse(username.trim()) else {
        return Ok(());
    };
    let Some((_, user)) = storage::persons::find_local_account(&ctx.db, name.as_str()).await?
    else {
        return Ok(());
    };
    if user.email.is_none() || user.email_verified_at.is_some() {
        return Ok(());
    }
    let since = now() - Duration::seconds(RESEND_AFTER_SECONDS);
    if storage::mail::token_since(&ctx.db, user.id, "verify", since).await? {
        return Ok(());
    }
    send_verification(ctx, &user, name.as_str()).await
}

/// Whether `user` may sign in as far as their address goes: when the instance requires a
/// confirmed address, an account that gave one must have confirmed it (accounts an
/// administrator made without an address are not held back).
pub fn check_verified(ctx: &Ctx, user: &local_users::Model) -> Result<()> {
    if ctx.instance.verify_email && user.email.is_some() && user.email_verified_at.is_none() {
        return Err(Error::refused(
            Code::EmailUnverified,
            "confirm your e-mail address first: open the link we mailed you, or have it sent again",
        ));
    }
    Ok(())
}

/// Mails a password-reset link to the account named `login` (an account name or its
/// address). The answer is the same whether or not such an account exists; at most one
/// link per account per [`RESEND_AFTER_SECONDS`].
pub async fn request_reset(ctx: &Ctx, login: &str) -> Result<()> {
    if !ctx.instance.mail {
        return Err(unavailable());
    }
    let login = login.trim().to_ascii_lowercase();
    if login.is_empty() || login.len() > 254 {
        return Err(Error::invalid(
            "login",
            "give your account name or e-mail address",
        ));
    }
    let found = if login.contains('@') {
        match storage::mail::user_by_email(&ctx.db, &login).await? {
            Some(user) => storage::persons::find(&ctx.db, user.person_id)
                .await?
                .map(|p| (p, user)),
            None => None,
        }
    } else {
        match Username::parse(&login) {
            Ok(name) => storage::persons::find_local_account(&ctx.db, name.as_str()).await?,
            Err(_) => None,
        }
    };
    let Some((person, user)) = found else {
        return Ok(());
    };
    let Some(email) = user.email.clone() else {
        return Ok(());
    };
    let t = now();
    if storage::mail::token_since(
        &ctx.db,
        user.id,
        "reset",
        t - Duration::seconds(RESEND_AFTER_SECONDS),
    )
    .await?
    {
        return Ok(());
    }
    let token = random_hex(32);
    storage::mail::add_token(
        &ctx.db,
        &token_hash(&token),
        user.id,
        "reset",
        &email,
        t,
        t + Duration::minutes(RESET_MINUTES),
    )
    .await?;
    let url = format!("{}/password/reset?token={token}", ctx.instance.base_url());
    let lang = language_of(ctx, &user);
    let draft = compose::reset(
        &lang,
        &ctx.instance.domain,
        &person.username,
        &url,
        RESET_MINUTES,
    );
    queue(ctx, &user, &email, "reset", draft, None).await
}

/// Sets a new password with a reset link's token: the token is used up, every session of the
/// account ends, and (the link having reached the address) the address counts as confirmed.
/// A password that breaks the rules is refused before the token is used.
pub async fn reset(ctx: &Ctx, token: &str, password: &str) -> Result<()> {
    super::accounts::check_password(password)?;
    if token.len() != 64 {
        return Err(bad_link());
    }
    let taken = storage::mail::take_token(&ctx.db, &token_hash(token), "reset", now())
        .await?
        .ok_or_else(bad_link)?;
    let hash = super::accounts::hash_password(password.to_string()).await?;
    storage::persons::set_password_hash(&ctx.db, taken.local_user_id, &hash).await?;
    storage::mail::drop_tokens(&ctx.db, taken.local_user_id, "reset").await?;
    storage::mail::mark_verified(&ctx.db, taken.local_user_id, &taken.email, now()).await?;
    Ok(())
}

/// Whether `user` is to hear of notices by mail now.
fn hears_notices(user: &local_users::Model) -> bool {
    user.approved
        && user.email.is_some()
        && user.email_verified_at.is_some()
        && user.email_failed_at.is_none()
        && NoticeMode::parse(&user.mail_notices) != NoticeMode::Never
}

/// The local names `text` mentions (`@name`, or `@name@` this instance), at most
/// [`MAX_MENTIONS`], lowercased, each once.
pub fn mentioned_names(text: &str, local_domain: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut names: Vec<String> = Vec::new();
    for (at, _) in lower.match_indices('@') {
        let name: String = lower[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.len() < 3 || name.len() > 32 || names.contains(&name) {
            continue;
        }
        if super::notifications::mentions(&lower[at..], &name, local_domain)
            && super::notifications::mentions(text, &name, local_domain)
        {
            names.push(name);
            if names.len() == MAX_MENTIONS {
                break;
            }
        }
    }
    names
}

/// Records the notices new content causes: its parent's author hears of a reply, and the
/// people here it mentions hear of it; never its own author, and only people who get
/// notices by mail. Called in the unit that stores the content; nothing without a relay.
pub async fn record_content(ctx: &Ctx, id: ContentRef) -> Result<()> {
    if !ctx.instance.mail {
        return Ok(());
    }
    let (post_id, reply_id, author, body, parent_author) = match id {
        ContentRef::Post(p) => {
            let Some(post) = storage::posts::find(&ctx.db, p).await? else {
                return Ok(());
            };
            (post.id, None, post.author_id, post.body, None)
        }
        ContentRef::Reply(r) => {
            let Some(reply) = storage::replies::find(&ctx.db, r).await? else {
                return Ok(());
            };
            let parent_author = match reply.parent_id {
                Some(parent) => storage::replies::find(&ctx.db, parent)
                    .await?
                    .map(|p| p.author_id),
                None => storage::posts::find(&ctx.db, reply.post_id)
                    .await?
                    .map(|p| p.author_id),
            };
            (
                reply.post_id,
                Some(reply.id),
                reply.author_id,
                reply.body,
                parent_author,
            )
        }
    };
    let t = now();
    let mut told = vec![author];
    if let Some(parent_author) = parent_author.filter(|a| *a != author)
        && let Some(user) = storage::mail::user_of_person(&ctx.db, parent_author).await?
        && hears_notices(&user)
    {
        storage::mail::add_notice(&ctx.db, user.id, "reply", post_id, reply_id, t).await?;
        told.push(parent_author);
    }
    for name in mentioned_names(&body, &ctx.instance.domain) {
        let Some((person, user)) = storage::persons::find_local_account(&ctx.db, &name).await?
        else {
            continue;
        };
        if told.contains(&person.id) || !hears_notices(&user) {
            continue;
        }
        storage::mail::add_notice(&ctx.db, user.id, "mention", post_id, reply_id, t).await?;
        told.push(person.id);
    }
    Ok(())
}

/// Records that the author of reply `reply_id` hears their answer to `post_id` was
/// accepted (unless they accepted it themselves).
pub async fn record_accepted(ctx: &Ctx, post_id: i64, reply_id: i64, by: i64) -> Result<()> {
    if !ctx.instance.mail {
        return Ok(());
    }
    let Some(reply) = storage::replies::find(&ctx.db, reply_id).await? else {
        return Ok(());
    };
    if reply.author_id == by {
        return Ok(());
    }
    if let Some(user) = storage::mail::user_of_person(&ctx.db, reply.author_id).await?
        && hears_notices(&user)
    {
        storage::mail::add_notice(&ctx.db, user.id, "accepted", post_id, Some(reply_id), now())
            .await?;
    }
    Ok(())
}

/// A person's mail settings, as `GET /api/v1/me/mail` shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailSettings {
    /// Whether this instance sends mail at all.
    pub available: bool,
    /// The address, if any.
    pub email: Option<String>,
    /// Whether the address is confirmed.
    pub verified: bool,
    /// Whether the last mail to it failed for good.
    pub failed: bool,
    /// Replies, mentions and accepted answers.
    pub notices: NoticeMode,
    /// The weekly digest.
    pub digest: bool,
}

/// What a person changes of their mail settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MailSettingsInput {
    /// A new address (`""` removes it); a confirmation link is mailed to a new one.
    #[serde(default)]
    pub email: Option<String>,
    /// Replies, mentions and accepted answers.
    #[serde(default)]
    pub notices: Option<NoticeMode>,
    /// The weekly digest.
    #[serde(default)]
    pub digest: Option<bool>,
}

fn settings_of(ctx: &Ctx, user: &local_users::Model) -> MailSettings {
    MailSettings {
        available: ctx.instance.mail,
        email: user.email.clone(),
        verified: user.email_verified_at.is_some(),
        failed: user.email_failed_at.is_some(),
        notices: NoticeMode::parse(&user.mail_notices),
        digest: user.mail_digest,
    }
}

async fn local_user(ctx: &Ctx, user: &CurrentUser) -> Result<local_users::Model> {
    storage::persons::find_local_user(&ctx.db, user.local_user_id)
        .await?
        .ok_or(Error::Unauthenticated)
}

/// The signed-in person's mail settings.
pub async fn settings(ctx: &Ctx, user: &CurrentUser) -> Result<MailSettings> {
    Ok(settings_of(ctx, &local_user(ctx, user).await?))
}

/// Changes the signed-in person's mail settings; a new address is mailed a confirmation
/// link (and gets no other mail until it is confirmed).
pub async fn save_settings(
    ctx: &Ctx,
    user: &CurrentUser,
    input: MailSettingsInput,
) -> Result<MailSettings> {
    let before = local_user(ctx, user).await?;
    let email = match input.email.as_deref().map(str::trim) {
        None => None,
        Some("") => {
            if ctx.instance.verify_email || !ctx.instance.email_domains.is_empty() {
                return Err(Error::invalid(
                    "email",
                    "this instance needs an address on every account",
                ));
            }
            Some(None)
        }
        Some(raw) => {
            let email = super::accounts::check_email(raw, &ctx.instance.email_domains)?;
            (before.email.as_deref() != Some(email.as_str())).then_some(Some(email))
        }
    };
    let changed_address = matches!(email, Some(Some(_)));
    storage::mail::save_settings(
        &ctx.db,
        before.id,
        SettingsChange {
            email,
            notices: input.notices.map(NoticeMode::as_str),
            digest: input.digest,
        },
    )
    .await?;
    let after = local_user(ctx, user).await?;
    if changed_address {
        storage::mail::drop_tokens(&ctx.db, after.id, "verify").await?;
        send_verification(ctx, &after, &user.person.username).await?;
    }
    Ok(settings_of(ctx, &after))
}

/// The account a one-click unsubscribe key belongs to: its name.
pub async fn unsubscribe_target(ctx: &Ctx, key: &str) -> Result<String> {
    let user = key_owner(ctx, key).await?;
    Ok(storage::persons::find(&ctx.db, user.person_id)
        .await?
        .ok_or(Error::NotFound("unsubscribe link"))?
        .username)
}

async fn key_owner(ctx: &Ctx, key: &str) -> Result<local_users::Model> {
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::NotFound("unsubscribe link"));
    }
    storage::mail::user_by_key(&ctx.db, key)
        .await?
        .ok_or(Error::NotFound("unsubscribe link"))
}

/// Stops `list` for the owner of `key` (RFC 8058 one-click: no sign-in); returns the name.
pub async fn unsubscribe(ctx: &Ctx, key: &str, list: List) -> Result<String> {
    let user = key_owner(ctx, key).await?;
    let change = match list {
        List::Notices => SettingsChange {
            notices: Some(NoticeMode::Never.as_str()),
            ..Default::default()
        },
        List::Digest => SettingsChange {
            digest: Some(false),
            ..Default::default()
        },
    };
    storage::mail::save_settings(&ctx.db, user.id, change).await?;
    unsubscribe_target(ctx, key).await
}

/// The one-click unsubscribe address of `user` for `list` (its key is made the first time).
pub async fn unsubscribe_url(ctx: &Ctx, user: &local_users::Model, list: List) -> Result<String> {
    let key = match &user.mail_key {
        Some(k) => k.clone(),
        None => storage::mail::ensure_key(&ctx.db, user.id, &random_hex(32)).await?,
    };
    Ok(format!(
        "{}/mail/unsubscribe/{key}?list={}",
        ctx.instance.base_url(),
        list.as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_found_once_and_only_local_ones() {
        let names = mentioned_names(
            "@ann and @Bob@a.example, @carl@b.example, @ann again, me@dan.org, @x",
            "a.example",
        );
        assert_eq!(names, ["ann", "bob"]);
        let many: String = (0..30).map(|i| format!("@user{i:02} ")).collect();
        assert_eq!(mentioned_names(&many, "a.example").len(), MAX_MENTIONS);
    }

    #[test]
    fn notice_modes_read_back() {
        for m in [
            NoticeMode::Immediately,
            NoticeMode::Daily,
            NoticeMode::Never,
        ] {
            assert_eq!(NoticeMode::parse(m.as_str()), m);
        }
        assert_eq!(NoticeMode::parse("weird"), NoticeMode::Immediately);
    }
}
