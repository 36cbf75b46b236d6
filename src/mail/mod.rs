//! Sending mail: the worker every `cohort serve` process runs.
//!
//! Each turn it (1) turns waiting notices of people who hear of them at once into mails, (2)
//! once a day (claimed in `scheduled_jobs`, so in one process) does the same for those who
//! chose a daily mail, (3) once a week queues the digests, and (4) sends what is due in
//! `mail_queue` through the SMTP relay (`lettre`). It wakes when a use case commits (the
//! delivery wake-up) and every few seconds.
//!
//! **Nothing lost, nothing doubled.** A mail is a row before it is anything else. Sending
//! leases the row (`storage::mail::claim_due`), so two processes never send one row; the row
//! is marked sent when the relay has accepted it. A temporary failure (the relay down, a 4xx)
//! retries with a doubling wait; a permanent one (5xx) stops, and marks the address failing so
//! no more notices or digests are queued for it; after three days of temporary failures the
//! mail is given up. The one window left is a crash between the relay's acceptance and the
//! mark (a few milliseconds): the mail is then sent again, with the same `Message-ID`, which
//! mail clients use to show it once.
//!
//! Turning notices into a mail is one transaction that marks exactly the notices it mails
//! (`mark_notices_mailed` counts them; a process that lost the race rolls back), so each
//! notice is mailed once whichever process gets there.

use std::{collections::BTreeMap, time::Duration};

use chrono::Duration as Span;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{HeaderName, HeaderValue},
    },
    transport::smtp::authentication::Credentials,
};
use tokio::sync::watch;

use crate::{
    config::{MailConfig, MailSecurity},
    domain::{
        mail::{self as rules, List, NoticeMode, compose},
        now,
        text::plain_line,
    },
    error::{Error, Result},
    services::{Services, Unit},
    storage::{self, entities::mail_queue},
};

/// How often the worker looks for work when nothing wakes it.
const POLL: Duration = Duration::from_secs(5);
/// How long the worker waits after a wake-up before it reads, so a burst of commits costs
/// one turn.
const SETTLE: Duration = Duration::from_millis(200);
/// How often the worker asks whether the daily and weekly jobs are due.
const JOBS_POLL: Duration = Duration::from_secs(60);
/// Mails sent per turn (then the next turn comes at once).
const BATCH: u64 = 20;
/// How long a claimed mail is held (longer than the relay's timeouts allow a send to take).
fn lease(config: &MailConfig) -> Span {
    Span::seconds((config.timeout_seconds as i64) * 4 + 30)
}
/// A mail failing temporarily for longer is given up.
pub const GIVE_UP_AFTER: Span = Span::days(3);
/// The longest wait between two attempts.
const MAX_RETRY: Span = Span::hours(1);
/// The daily notices job and the weekly digest in `scheduled_jobs`.
pub const DAILY_JOB: &str = "mail-daily";
/// See [`DAILY_JOB`].
pub const DIGEST_JOB: &str = "mail-digest";
/// Most items in each list of a digest.
const DIGEST_ITEMS: i64 = 5;
/// Longest excerpt of a reply in a notices mail, in characters.
const EXCERPT_CHARS: usize = 280;

/// The SMTP side: the relay and the sender's address.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    config: MailConfig,
}

impl Mailer {
    /// The relay `config` names; `None` when it names none.
    pub fn from_config(config: &MailConfig, domain: &str) -> Result<Option<Self>> {
        let host = config.smtp_host.trim();
        if host.is_empty() {
            return Ok(None);
        }
        let bad =
            |e: lettre::transport::smtp::Error| Error::Internal(format!("mail relay {host}: {e}"));
        let builder = match config.security {
            MailSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(bad)?
            }
            MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(bad)?,
            MailSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        let mut builder = builder
            .port(config.smtp_port)
            .timeout(Some(Duration::from_secs(config.timeout_seconds)));
        if !config.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                config.username.clone(),
                config.password.clone(),
            ));
        }
        let from = if config.from.trim().is_empty() {
            let host = domain.split(':').next().unwrap_or("localhost");
            format!("Cohort <noreply@{host}>")
        } else {
            config.from.clone()
        };
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| Error::Internal(format!("mail.from {from:?}: {e}")))?;
        Ok(Some(Self {
            transport: builder.build(),
            from,
            config: config.clone(),
        }))
    }

    /// The message of a queued row: both parts, its `Message-ID`, and for notices and
    /// digests the RFC 8058 one-click unsubscribe headers.
    fn message(&self, row: &mail_queue::Model) -> std::result::Result<Message, String> {
        let to = row
            .to_address
            .parse::<Mailbox>()
            .map_err(|e| format!("bad address {:?}: {e}", row.to_address))?;
        let mut message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .date_now()
            .multipart(MultiPart::alternative_plain_html(
                row.text_body.clone(),
                row.html_body.clone(),
            ))
            .map_err(|e| format!("message: {e}"))?;
        let headers = message.headers_mut();
        if let Some(url) = &row.unsubscribe_url {
            headers.insert_raw(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ));
            headers.insert_raw(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
        }
        if row.kind == "notices" || row.kind == "digest" {
            headers.insert_raw(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".into(),
            ));
        }
        Ok(message)
    }

    /// Sends every due mail (a batch at a time); returns how many the relay took.
    pub async fn send_due(&self, ctx: &Services) -> Result<usize> {
        let mut sent = 0;
        loop {
            let t = now();
            let rows = storage::mail::claim_due(&ctx.db, t, t + lease(&self.config), BATCH).await?;
            let n = rows.len();
            for row in rows {
                sent += usize::from(self.send_one(ctx, &row).await?);
            }
            if (n as u64) < BATCH {
                return Ok(sent);
            }
        }
    }

    async fn send_one(&self, ctx: &Services, row: &mail_queue::Model) -> Result<bool> {
        let message = match self.message(row) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(mail = row.id, error = %e, "mail cannot be built; given up");
                storage::mail::mark_failed(&ctx.db, row, now(), &e, false).await?;
                return Ok(false);
            }
        };
        match self.transport.send(message).await {
            Ok(_) => {
                storage::mail::mark_sent(&ctx.db, row.id, now()).await?;
                tracing::info!(mail = row.id, kind = %row.kind, "mail sent");
                Ok(true)
            }
            Err(e) if e.is_permanent() => {
                let error = e.to_string();
                tracing::warn!(mail = row.id, error = %error, "mail refused for good");
                storage::mail::mark_failed(&ctx.db, row, now(), &error, true).await?;
                Ok(false)
            }
            Err(e) => {
                let error = e.to_string();
                let t = now();
                if t - row.created_at > GIVE_UP_AFTER {
                    tracing::warn!(mail = row.id, error = %error, "mail given up");
                    storage::mail::mark_failed(&ctx.db, row, t, &error, false).await?;
                } else {
                    let wait = retry_after(&self.config, row.attempts);
                    tracing::info!(mail = row.id, error = %error, retry_in = wait.num_seconds(), "mail delayed");
                    storage::mail::mark_retry(&ctx.db, row.id, t + wait, &error).await?;
                }
                Ok(false)
            }
        }
    }
}

/// The wait before attempt `attempts + 1`: `retry_seconds`, doubling, at most an hour.
pub fn retry_after(config: &MailConfig, attempts: i32) -> Span {
    let doublings = attempts.clamp(1, 20) - 1;
    let seconds = (config.retry_seconds as i64).saturating_mul(1_i64 << doublings);
    Span::seconds(seconds).min(MAX_RETRY)
}

/// Turns the waiting notices of people whose setting is `mode` into mails (one per person);
/// returns how many mails were queued.
pub async fn compose_notices(ctx: &Services, mode: NoticeMode) -> Result<usize> {
    let mut queued = 0;
    loop {
        let waiting = storage::mail::waiting_notices(&ctx.db, mode.as_str(), 500).await?;
        if waiting.is_empty() {
            return Ok(queued);
        }
        let full = waiting.len() == 500;
        let mut by_user: BTreeMap<i64, Vec<_>> = BTreeMap::new();
        for n in waiting {
            by_user.entry(n.local_user_id).or_default().push(n);
        }
        for (user_id, notices) in by_user {
            queued += usize::from(compose_for(ctx, user_id, &notices).await?);
        }
        if !full {
            return Ok(queued);
        }
    }
}

async fn compose_for(
    ctx: &Services,
    user_id: i64,
    notices: &[storage::entities::mail_notices::Model],
) -> Result<bool> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let ids: Vec<i64> = notices.iter().map(|n| n.id).collect();
    if storage::mail::mark_notices_mailed(&c.db, &ids, now()).await? != ids.len() as u64 {
        // Another process is mailing these; it will mail them all.
        return Ok(false);
    }
    let Some(user) = storage::persons::find_local_user(&c.db, user_id).await? else {
        unit.commit().await?;
        return Ok(false);
    };
    let Some(person) = storage::persons::find(&c.db, user.person_id).await? else {
        unit.commit().await?;
        return Ok(false);
    };
    let (Some(email), true) = (
        user.email.clone(),
        user.email_verified_at.is_some()
            && user.email_failed_at.is_none()
            && NoticeMode::parse(&user.mail_notices) != NoticeMode::Never,
    ) else {
        // The person changed their mind (or address) since: the notices are dropped.
        unit.commit().await?;
        return Ok(false);
    };
    let blocked = storage::user_blocks::blocked(&c.db, person.id).await?;
    // What they may read now: nothing of a members-only group they left or were let go from.
    let sight = crate::domain::members::sight_of(c, Some((person.id, user.is_admin))).await?;
    let mut lines = Vec::new();
    for n in notices {
        if let Some(line) = notice_line(c, n, &blocked, &sight).await? {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        unit.commit().await?;
        return Ok(false);
    }
    let lang = rules::language_of(c, &user);
    let settings_url = format!("{}/settings#mail-h", c.instance.base_url());
    let unsubscribe_url = rules::unsubscribe_url(c, &user, List::Notices).await?;
    let draft = compose::notices(
        &lang,
        &c.instance.domain,
        &person.username,
        &lines,
        &settings_url,
        &unsubscribe_url,
    );
    rules::queue(c, &user, &email, "notices", draft, Some(unsubscribe_url)).await?;
    unit.commit().await?;
    Ok(true)
}

/// One line of a notices mail; none when the content is gone, removed, by someone the
/// person blocked, or in a members-only group they are not a member of.
async fn notice_line(
    ctx: &Services,
    n: &storage::entities::mail_notices::Model,
    blocked: &storage::user_blocks::Blocked,
    sight: &crate::domain::members::Sight,
) -> Result<Option<compose::NoticeLine>> {
    let Some(post) = storage::posts::find(&ctx.db, n.post_id).await? else {
        return Ok(None);
    };
    if post.deleted_at.is_some() || post.removed || !sight.sees(post.group_id) {
        return Ok(None);
    }
    let (author_id, body, url) = match n.reply_id {
        Some(r) => {
            let Some(reply) = storage::replies::find(&ctx.db, r).await? else {
                return Ok(None);
            };
            if reply.deleted_at.is_some() || reply.removed {
                return Ok(None);
            }
            (
                reply.author_id,
                reply.body,
                format!("{}#r{}", ctx.instance.post_url(post.id), reply.id),
            )
        }
        None => (
            post.author_id,
            post.body.clone(),
            ctx.instance.post_url(post.id),
        ),
    };
    let Some(author) = storage::persons::find(&ctx.db, author_id).await? else {
        return Ok(None);
    };
    if n.kind != "accepted" && blocked.hides(author.id, &author.domain) {
        return Ok(None);
    }
    let who = match author
        .display_name
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        Some(name) => plain_line(name, 64),
        None if author.local => author.username.clone(),
        None => format!("{}@{}", author.username, author.domain),
    };
    let excerpt = if n.kind == "accepted" {
        String::new()
    } else {
        let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut e = plain_line(&flat, EXCERPT_CHARS);
        if flat.chars().count() > EXCERPT_CHARS {
            e.push('…');
        }
        e
    };
    Ok(Some(compose::NoticeLine {
        kind: n.kind.clone(),
        who,
        title: plain_line(&post.title, 200),
        url,
        excerpt,
    }))
}

/// Queues the weekly digest of every person who gets one and has something in it; returns
/// how many were queued.
pub async fn queue_digests(ctx: &Services) -> Result<usize> {
    let t = now();
    let (week_ago, month_ago) = (t - Span::days(7), t - Span::days(30));
    let mut after = 0;
    let mut queued = 0;
    loop {
        let users = storage::mail::digest_recipients(&ctx.db, after, 200).await?;
        let Some(last) = users.last() else {
            return Ok(queued);
        };
        after = last.id;
        for user in users {
            let Some(email) = user.email.clone() else {
                continue;
            };
            let Some(person) = storage::persons::find(&ctx.db, user.person_id).await? else {
                continue;
            };
            let [waiting, pages, helpful] =
                storage::mail::digest_rows(&ctx.db, person.id, week_ago, month_ago, DIGEST_ITEMS)
                    .await?;
            let base = ctx.instance.base_url();
            let item = |r: storage::mail::DigestRow| {
                let handle = if r.group_local {
                    r.group_name.clone()
                } else {
                    format!("{}@{}", r.group_name, r.group_domain)
                };
                let url = match &r.slug {
                    Some(slug) => format!("{base}/g/{handle}/pages/{slug}"),
                    None => ctx.instance.post_url(r.id),
                };
                compose::DigestItem {
                    title: plain_line(&r.title, 200),
                    group: handle,
                    url,
                }
            };
            let digest = compose::Digest {
                waiting: waiting.into_iter().map(item).collect(),
                pages: pages.into_iter().map(item).collect(),
                helpful: helpful.into_iter().map(item).collect(),
            };
            if digest.is_empty() {
                continue;
            }
            let lang = rules::language_of(ctx, &user);
            let unsubscribe_url = rules::unsubscribe_url(ctx, &user, List::Digest).await?;
            let draft = compose::digest(
                &lang,
                &ctx.instance.domain,
                &person.username,
                &digest,
                &format!("{base}/settings#mail-h"),
                &unsubscribe_url,
            );
            rules::queue(ctx, &user, &email, "digest", draft, Some(unsubscribe_url)).await?;
            queued += 1;
        }
    }
}

/// Runs a shared periodic job (`name`, every `every`) if it is due and this process claims it.
async fn periodic<F, Fut>(ctx: &Services, who: &str, name: &str, every: Span, job: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<usize>>,
{
    let t = now();
    match storage::jobs::claim(&ctx.db, name, who, t, t + every).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::warn!(job = name, error = %e, "could not claim a mail job");
            return;
        }
    }
    let outcome = match job().await {
        Ok(n) => format!("ok: {n} mail(s) queued"),
        Err(e) => {
            tracing::warn!(job = name, error = %e, "mail job failed");
            format!("failed: {e}")
        }
    };
    if let Err(e) = storage::jobs::finish(&ctx.db, name, now(), &outcome).await {
        tracing::warn!(job = name, error = %e, "could not record a mail job");
    }
}

/// The mail worker of one process, until `stop` turns true. Without a relay it does nothing
/// (nothing is queued then either).
///
/// It is woken by every commit (the delivery wake-up), so it gathers what a burst of commits
/// brings for [`SETTLE`] before it reads, and asks whether the shared daily and weekly jobs
/// are due at most once a minute (each ask is a write).
pub async fn run(
    ctx: Services,
    mailer: Option<Mailer>,
    who: String,
    mut stop: watch::Receiver<bool>,
) {
    let Some(mailer) = mailer else {
        return;
    };
    let mut jobs_checked: Option<tokio::time::Instant> = None;
    loop {
        // Registered before the work, so a commit during it is not missed.
        let wake = ctx.delivery_wake.notified();
        if let Err(e) = compose_notices(&ctx, NoticeMode::Immediately).await {
            tracing::warn!(error = %e, "could not compose notice mails");
        }
        if jobs_checked.is_none_or(|t| t.elapsed() >= JOBS_POLL) {
            jobs_checked = Some(tokio::time::Instant::now());
            periodic(&ctx, &who, DAILY_JOB, Span::days(1), || {
                compose_notices(&ctx, NoticeMode::Daily)
            })
            .await;
            periodic(&ctx, &who, DIGEST_JOB, Span::days(7), || {
                queue_digests(&ctx)
            })
            .await;
        }
        if let Err(e) = mailer.send_due(&ctx).await {
            tracing::warn!(error = %e, "could not send mail");
        }
        tokio::select! {
            () = wake => tokio::time::sleep(SETTLE).await,
            () = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_an_hour() {
        let c = MailConfig {
            retry_seconds: 60,
            ..MailConfig::default()
        };
        assert_eq!(retry_after(&c, 1).num_seconds(), 60);
        assert_eq!(retry_after(&c, 2).num_seconds(), 120);
        assert_eq!(retry_after(&c, 3).num_seconds(), 240);
        assert_eq!(retry_after(&c, 40).num_seconds(), 3600);
    }
}
