//! Periodic clean-up ("housekeeping") and what `cohort admin purge` shares with it; the
//! reminders to authors of questions still without an accepted answer.
//!
//! Every `cohort serve` process runs [`run`], but each hour's clean-up happens in only one of
//! them: the run is claimed in the database first (`storage::jobs::claim`), so several
//! processes on one PostgreSQL never repeat it.

use std::time::Duration;

use chrono::Duration as Span;
use serde::Serialize;

use crate::{
    domain::{Ctx, now},
    error::{Error, Result},
    storage,
};

/// The name of the clean-up job in `scheduled_jobs`.
pub const HOUSEKEEPING: &str = "housekeeping";

/// How often the clean-up runs (across all processes).
pub const HOUSEKEEPING_EVERY: Span = Span::hours(1);

/// How often each process asks whether the clean-up is due.
const POLL: Duration = Duration::from_secs(60);

/// Remembered inbound ids only need to outlast senders' retries (and the 12 h signature
/// window); sent activities stay fetchable by id for a quarter.
pub const RECEIVED_KEPT: Span = Span::days(30);
/// See [`RECEIVED_KEPT`].
pub const SENT_KEPT: Span = Span::days(90);
/// Sent and failed mails stay a month (what was sent to whom, for the administrator).
pub const MAIL_KEPT: Span = Span::days(30);
/// Queue rows outlive the three days after which a failing destination is skipped.
pub const QUEUE_KEPT: Span = Span::days(7);

/// What one clean-up removed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Purged {
    /// Expired sessions.
    pub sessions: u64,
    /// Remembered ids of received activities.
    pub received: u64,
    /// Sent activities (no longer fetchable by id).
    pub sent: u64,
    /// Queue rows: delivered direct rows and activities past the queue's retention, and
    /// received activities refused over [`QUEUE_KEPT`] ago.
    pub queue: u64,
    /// Rate-limit windows over a day old.
    pub limits: u64,
    /// Group bans that have ended.
    pub bans: u64,
    /// Health rollup rows naming who took part, older than the 13 weeks kept.
    pub health: u64,
    /// Mails sent or given up, and mail tokens expired, over [`MAIL_KEPT`] ago.
    pub mail: u64,
}

impl std::fmt::Display for Purged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} expired session(s), {} received activity id(s), {} sent activities, {} queue row(s), {} rate-limit window(s), {} ended ban(s), {} old health row(s), {} old mail row(s)",
            self.sessions,
            self.received,
            self.sent,
            self.queue,
            self.limits,
            self.bans,
            self.health,
            self.mail
        )
    }
}

/// Removes expired sessions, received ids older than `received_kept`, sent activities older
/// than `sent_kept`, and queue rows older than [`QUEUE_KEPT`] (or already delivered).
pub async fn purge(ctx: &Ctx, received_kept: Span, sent_kept: Span) -> Result<Purged> {
    let t = now();
    Ok(Purged {
        sessions: storage::sessions::purge_expired(&ctx.db, t).await?
            + storage::sso::purge(&ctx.db, t).await?,
        received: storage::received::purge_before(&ctx.db, t - received_kept).await?,
        sent: storage::sent::purge_before(&ctx.db, t - sent_kept).await?,
        queue: storage::queue::purge(&ctx.db, t - QUEUE_KEPT).await?
            + storage::inbound::purge_refused(&ctx.db, t - QUEUE_KEPT).await?,
        limits: storage::limits::purge(&ctx.db, (t - Span::days(1)).timestamp()).await?,
        bans: storage::moderation::purge_expired_bans(&ctx.db, t).await?,
        // Who took part in which week is kept only for the health pages' 12 weeks (and the
        // one ending): only counts of it are ever shown.
        health: storage::health::purge_active(
            &ctx.db,
            storage::health::week_of(t) - crate::domain::health::WEEKS,
        )
        .await?,
        mail: storage::mail::purge(&ctx.db, t - MAIL_KEPT).await?,
    })
}

/// `cohort admin purge --older-than DAYS`: like the hourly clean-up, with one retention for
/// received and sent activities. Fewer than [`QUEUE_KEPT`] days is refused: a sent activity
/// must stay stored while the queue may still deliver it.
pub async fn purge_older_than(ctx: &Ctx, days: Option<i64>) -> Result<Purged> {
    let Some(days) = days else {
        return purge(ctx, RECEIVED_KEPT, SENT_KEPT).await;
    };
    if days < QUEUE_KEPT.num_days() {
        return Err(Error::invalid(
            "older-than",
            format!(
                "must be at least {} days: the delivery queue may still send younger activities",
                QUEUE_KEPT.num_days()
            ),
        ));
    }
    let kept = Span::days(days);
    purge(ctx, kept, kept).await
}

/// Reminds the authors of questions that have waited `questions.nudge_after_days` without
/// an accepted answer, once each, as of `at` (the hourly job passes the current time).
/// Returns how many were reminded.
pub async fn nudge_questions(ctx: &Ctx, at: chrono::DateTime<chrono::Utc>) -> Result<u64> {
    crate::domain::questions::nudge(ctx, at).await
}

/// The hourly job: the clean-up, the uploads nothing refers to, then the question
/// reminders. What it did, for the record.
pub async fn hourly(ctx: &crate::services::Services) -> Result<String> {
    let p = purge(ctx, RECEIVED_KEPT, SENT_KEPT).await?;
    let media = crate::usecases::media::clean_up(ctx).await?;
    let nudged = nudge_questions(ctx, now()).await?;
    Ok(format!(
        "{p}, {media} unused upload(s), {nudged} question reminder(s)"
    ))
}

/// The clean-up loop of one process; `who` names this process in `scheduled_jobs`.
pub async fn run(ctx: crate::services::Services, who: String) {
    let mut tick = tokio::time::interval(POLL);
    loop {
        tick.tick().await;
        let t = now();
        match storage::jobs::claim(&ctx.db, HOUSEKEEPING, &who, t, t + HOUSEKEEPING_EVERY).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "could not claim the clean-up");
                continue;
            }
        }
        let outcome = match hourly(&ctx).await {
            Ok(p) => {
                tracing::info!(job = HOUSEKEEPING, purged = %p, "scheduled job ran");
                format!("ok: {p}")
            }
            Err(e) => {
                tracing::warn!(job = HOUSEKEEPING, error = %e, "scheduled job failed");
                format!("failed: {e}")
            }
        };
        if let Err(e) = storage::jobs::finish(&ctx.db, HOUSEKEEPING, now(), &outcome).await {
            tracing::warn!(error = %e, "could not record the clean-up");
        }
    }
}
