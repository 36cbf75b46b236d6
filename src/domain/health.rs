//! Community health: how a group (or every group hosted here) is doing over the last 12
//! weeks, week by week. Aggregates only: counts, shares and medians, and which instances
//! take part; nothing about any one person.
//!
//! Definitions (README "Reading the health page" says the same for people):
//! - a week runs Monday 00:00 to Monday 00:00 UTC; the last of the 12 is the current one,
//!   still under way;
//! - **active members**: distinct people (of any instance) who posted, replied or voted in
//!   the group that week; on the instance's page, in any group hosted here, each once;
//! - **posts, replies**: written that week (later deletions are not taken back out);
//! - **questions**: posts marked as questions asked that week and not deleted;
//!   **answered**: those of them that now have an accepted answer;
//! - **median time to first reply**: over the posts of that week that have a reply by
//!   someone other than their author, the wait for the first such reply;
//!   **median time to accepted answer**: over that week's answered questions, the wait from
//!   the question to the acceptance;
//! - **other instances**: a reply or an accepted answer whose author's instance is not the
//!   group's home instance (the one that hosts it: this one for a group hosted here, its
//!   own server for a group followed from elsewhere, whose page shows what reached this
//!   instance). On the instance's page the home instance is this one.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Ctx, accounts::CurrentUser, groups, now};
use crate::{
    error::{Error, Result},
    storage::{
        self,
        entities::groups as group_rows,
        health::{Scope, week_of, week_start},
    },
};

/// Weeks on a health page.
pub const WEEKS: i64 = 12;

/// One week of a health report.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct HealthWeek {
    /// The Monday the week starts on (UTC)
    pub week_start: NaiveDate,
    /// False for the current week, still under way
    pub complete: bool,
    /// Distinct people who posted, replied or voted
    pub active_members: i64,
    /// Posts written
    pub posts: i64,
    /// Replies written
    pub replies: i64,
    /// Replies whose author is on another instance than the home one
    pub replies_from_other_instances: i64,
    /// `replies_from_other_instances / replies`; none without replies
    pub other_instance_reply_share: Option<f64>,
    /// Questions asked (not deleted)
    pub questions: i64,
    /// Of those, questions that have an accepted answer now
    pub questions_answered: i64,
    /// `questions_answered / questions`; none without questions
    pub answered_share: Option<f64>,
    /// Accepted answers (to this week's questions) written on another instance
    pub answers_from_other_instances: i64,
    /// `answers_from_other_instances / questions_answered`; none without answers
    pub other_instance_answer_share: Option<f64>,
    /// Posts of this week that got a reply from someone other than their author
    pub posts_replied: i64,
    /// Median seconds from such a post to its first reply by someone else
    pub median_first_reply_seconds: Option<i64>,
    /// Median seconds from a question of this week to its accepted answer
    pub median_answer_seconds: Option<i64>,
}

/// One instance's part in the conversation over the whole period.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct InstanceShare {
    /// `host[:port]`
    pub domain: String,
    /// The home instance (see the report's `home`)
    pub home: bool,
    /// Posts its people wrote
    pub posts: i64,
    /// Replies its people wrote
    pub replies: i64,
    /// Accepted answers its people wrote (to questions of the period)
    pub accepted_answers: i64,
}

/// The period as a whole.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct HealthTotals {
    /// Posts written
    pub posts: i64,
    /// Replies written
    pub replies: i64,
    /// Replies from other instances
    pub replies_from_other_instances: i64,
    /// Their share of the replies
    pub other_instance_reply_share: Option<f64>,
    /// Questions asked
    pub questions: i64,
    /// Questions with an accepted answer
    pub questions_answered: i64,
    /// Their share of the questions
    pub answered_share: Option<f64>,
    /// Accepted answers from other instances
    pub answers_from_other_instances: i64,
    /// Their share of the accepted answers
    pub other_instance_answer_share: Option<f64>,
}

/// A group's (or the instance's) health over the last 12 weeks
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct HealthReport {
    /// `group` or `instance`
    pub scope: String,
    /// The group's handle (`name@host`); none for the instance
    pub group: Option<String>,
    /// The group's title, or this instance's domain
    pub title: String,
    /// The home instance: where "other instances" are counted from
    pub home: String,
    /// When the report was made
    pub generated_at: DateTime<Utc>,
    /// The 12 weeks, oldest first; the last is the current week
    pub weeks: Vec<HealthWeek>,
    /// Sums over the 12 weeks
    pub totals: HealthTotals,
    /// The instances whose people wrote here, most posts and replies first
    pub instances: Vec<InstanceShare>,
}

/// Who may see a group's health page: its moderators and members, and everyone when the
/// group is public. Every group is public today (the figures are aggregates of what its
/// public pages already show), so this only checks that the group exists; a private group
/// would check membership here.
pub async fn group_report(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    handle: &str,
) -> Result<HealthReport> {
    let group = groups::find_by_handle(ctx, handle).await?;
    super::members::ensure_readable(ctx, &group, viewer).await?;
    report(ctx, Some(&group), now()).await
}

/// The instance's page: every group hosted here. Administrators only.
pub async fn instance_report(ctx: &Ctx, user: &CurrentUser) -> Result<HealthReport> {
    if !user.is_admin {
        return Err(Error::forbidden(
            "the instance's health page is for administrators",
        ));
    }
    report(ctx, None, now()).await
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The instance `domain`'s line in the list, made on first use.
fn part<'a>(
    by_domain: &'a mut BTreeMap<String, InstanceShare>,
    home: &str,
    domain: &str,
) -> &'a mut InstanceShare {
    by_domain
        .entry(domain.to_string())
        .or_insert_with(|| InstanceShare {
            domain: domain.to_string(),
            home: domain == home,
            posts: 0,
            replies: 0,
            accepted_answers: 0,
        })
}

/// The report for `group` (or every group hosted here) as of `at`.
pub async fn report(
    ctx: &Ctx,
    group: Option<&group_rows::Model>,
    at: DateTime<Utc>,
) -> Result<HealthReport> {
    let db = &ctx.db;
    let (scope, home) = match group {
        Some(g) => (Scope::Group(g.id), g.domain.clone()),
        None => (Scope::Local, ctx.instance.domain.clone()),
    };
    let last = week_of(at);
    let first = last - (WEEKS - 1);
    let weekly = storage::health::weekly(db, scope, first, last).await?;
    let active = storage::health::active(db, scope, first, last).await?;
    let replied = storage::health::first_reply_medians(db, scope, first, last).await?;
    let questions = storage::health::questions(db, scope, first, last).await?;
    let answered = storage::health::answer_medians(db, scope, first, last).await?;

    let mut weeks: Vec<HealthWeek> = (first..=last)
        .map(|w| HealthWeek {
            week_start: week_start(w).date_naive(),
            complete: w < last,
            active_members: 0,
            posts: 0,
            replies: 0,
            replies_from_other_instances: 0,
            other_instance_reply_share: None,
            questions: 0,
            questions_answered: 0,
            answered_share: None,
            answers_from_other_instances: 0,
            other_instance_answer_share: None,
            posts_replied: 0,
            median_first_reply_seconds: None,
            median_answer_seconds: None,
        })
        .collect();
    let n_weeks = weeks.len();
    let slot = |w: i64| usize::try_from(w - first).ok().filter(|&i| i < n_weeks);
    let mut by_domain: BTreeMap<String, InstanceShare> = BTreeMap::new();
    for row in weekly {
        let Some(i) = slot(row.week) else { continue };
        let w = &mut weeks[i];
        w.posts += row.posts;
        w.replies += row.replies;
        if row.domain != home {
            w.replies_from_other_instances += row.replies;
        }
        let e = part(&mut by_domain, &home, &row.domain);
        e.posts += row.posts;
        e.replies += row.replies;
    }
    for (week, n) in active {
        if let Some(i) = slot(week) {
            weeks[i].active_members = n;
        }
    }
    for (week, n, seconds) in replied {
        if let Some(i) = slot(week) {
            weeks[i].posts_replied = n;
            weeks[i].median_first_reply_seconds = Some(seconds);
        }
    }
    for (week, _, seconds) in answered {
        if let Some(i) = slot(week) {
            weeks[i].median_answer_seconds = Some(seconds);
        }
    }
    for q in questions {
        let Some(i) = slot(q.week) else { continue };
        let w = &mut weeks[i];
        w.questions += q.asked;
        w.questions_answered += q.answered;
        if let Some(domain) = q.answer_domain.filter(|_| q.answered > 0) {
            if domain != home {
                w.answers_from_other_instances += q.answered;
            }
            part(&mut by_domain, &home, &domain).accepted_answers += q.answered;
        }
    }
    let mut totals = HealthTotals::default();
    for w in weeks.iter_mut() {
        w.other_instance_reply_share = share(w.replies_from_other_instances, w.replies);
        w.answered_share = share(w.questions_answered, w.questions);
        w.other_instance_answer_share = share(w.answers_from_other_instances, w.questions_answered);
        totals.posts += w.posts;
        totals.replies += w.replies;
        totals.replies_from_other_instances += w.replies_from_other_instances;
        totals.questions += w.questions;
        totals.questions_answered += w.questions_answered;
        totals.answers_from_other_instances += w.answers_from_other_instances;
    }
    totals.other_instance_reply_share = share(totals.replies_from_other_instances, totals.replies);
    totals.answered_share = share(totals.questions_answered, totals.questions);
    totals.other_instance_answer_share = share(
        totals.answers_from_other_instances,
        totals.questions_answered,
    );
    let mut instances: Vec<InstanceShare> = by_domain.into_values().collect();
    instances.sort_by(|a, b| {
        (b.posts + b.replies, b.accepted_answers)
            .cmp(&(a.posts + a.replies, a.accepted_answers))
            .then_with(|| a.domain.cmp(&b.domain))
    });
    Ok(HealthReport {
        scope: if group.is_some() { "group" } else { "instance" }.into(),
        group: group.map(|g| format!("{}@{}", g.name, g.domain)),
        title: group.map_or_else(|| ctx.instance.domain.clone(), |g| g.title.clone()),
        home,
        generated_at: at,
        weeks,
        totals,
        instances,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn shares() {
        assert_eq!(super::share(1, 0), None);
        assert_eq!(super::share(1, 4), Some(0.25));
    }
}
