//! Notifications: replies to what a person wrote, posts or replies that mention them, and
//! reminders of their questions still without an accepted answer.
//! Derived from the content tables on each read, so nothing extra is written when content
//! arrives (locally or federated) and nothing can fall out of step with it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{
    Ctx,
    accounts::CurrentUser,
    feeds::{ReplyInContext, post_views, reply_views},
    views::PostView,
};
use crate::{error::Result, storage};

/// Most notifications of each kind read per page view.
pub const MAX_NOTIFICATIONS: u64 = 50;

/// Why something is a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An answer to the person's post or reply.
    Reply,
    /// A post or reply that mentions the person.
    Mention,
    /// A reminder: the person's question has waited a while without an accepted answer.
    Nudge,
}

/// One notification.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// Reply or mention.
    pub kind: Kind,
    /// When the content was written.
    pub at: DateTime<Utc>,
    /// The reply, when it is one.
    pub reply: Option<ReplyInContext>,
    /// The post, when a post mentions the person.
    pub post: Option<PostView>,
}

/// Whether `text` mentions `@username` as a whole name (not `@username_2`), optionally
/// followed by `@host` naming this instance (`local_domain`).
pub fn mentions(text: &str, username: &str, local_domain: &str) -> bool {
    let needle = format!("@{username}");
    let lower = text.to_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(&needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = lower[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '@'));
        let rest = &lower[end..];
        let after_ok = match rest.chars().next() {
            None => true,
            Some(c) if c.is_alphanumeric() || c == '_' => false,
            Some('@') => {
                let host: String = rest[1..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
                    .collect();
                host.trim_end_matches('.') == local_domain
            }
            Some(_) => true,
        };
        if before_ok && after_ok {
            return true;
        }
        from = end;
    }
    false
}

/// The person's notifications, newest first.
pub async fn list(ctx: &Ctx, user: &CurrentUser) -> Result<Vec<Notification>> {
    let me = &user.person;
    let mention_in = |body: &str, html: &str| {
        mentions(body, &me.username, &ctx.instance.domain)
            || html.contains(&format!("\"{}\"", me.ap_id))
    };
    let answers = storage::feeds::replies_to(&ctx.db, me.id, MAX_NOTIFICATIONS).await?;
    let answer_ids: std::collections::HashSet<i64> = answers.iter().map(|r| r.id).collect();
    let reply_mentions: Vec<_> = storage::feeds::reply_mention_candidates(
        &ctx.db,
        me.id,
        &me.username,
        &me.ap_id,
        MAX_NOTIFICATIONS,
    )
    .await?
    .into_iter()
    .filter(|r| !answer_ids.contains(&r.id) && mention_in(&r.body, &r.body_html))
    .collect();
    let post_mentions: Vec<_> = storage::feeds::post_mention_candidates(
        &ctx.db,
        me.id,
        &me.username,
        &me.ap_id,
        MAX_NOTIFICATIONS,
    )
    .await?
    .into_iter()
    .filter(|p| mention_in(&p.body, &p.body_html))
    .collect();
    let mut out = Vec::new();
    for r in reply_views(ctx, Some(user), answers).await? {
        out.push(Notification {
            kind: Kind::Reply,
            at: r.reply.created_at,
            reply: Some(r),
            post: None,
        });
    }
    for r in reply_views(ctx, Some(user), reply_mentions).await? {
        out.push(Notification {
            kind: Kind::Mention,
            at: r.reply.created_at,
            reply: Some(r),
            post: None,
        });
    }
    let nudges = storage::questions::nudges_for(&ctx.db, me.id, MAX_NOTIFICATIONS).await?;
    let nudged_at: std::collections::HashMap<i64, DateTime<Utc>> = nudges
        .iter()
        .filter_map(|p| Some((p.id, p.nudged_at?)))
        .collect();
    for p in post_views(ctx, Some(user), nudges).await? {
        if let Some(at) = nudged_at.get(&p.id) {
            out.push(Notification {
                kind: Kind::Nudge,
                at: *at,
                reply: None,
                post: Some(p),
            });
        }
    }
    for p in post_views(ctx, Some(user), post_mentions).await? {
        out.push(Notification {
            kind: Kind::Mention,
            at: p.created_at,
            reply: None,
            post: Some(p),
        });
    }
    out.sort_by_key(|n| std::cmp::Reverse(n.at));
    out.truncate(usize::try_from(MAX_NOTIFICATIONS).unwrap_or(usize::MAX));
    Ok(out)
}

/// The person's notifications, with which are new (newer than the newest they were shown
/// before); records that they have now been shown these.
pub async fn read(
    ctx: &Ctx,
    user: &CurrentUser,
) -> Result<(Vec<Notification>, Option<DateTime<Utc>>)> {
    let seen = storage::notifications::seen_at(&ctx.db, user.person.id).await?;
    let list = list(ctx, user).await?;
    // Marked up to the newest shown, not "now": one arriving meanwhile stays new.
    if let Some(newest) = list.first().map(|n| n.at)
        && seen.is_none_or(|s| newest > s)
    {
        storage::notifications::mark_seen(&ctx.db, user.person.id, newest).await?;
    }
    Ok((list, seen))
}

/// How many notifications are newer than the newest the person was shown.
pub async fn unread(ctx: &Ctx, user: &CurrentUser) -> Result<usize> {
    let seen = storage::notifications::seen_at(&ctx.db, user.person.id).await?;
    Ok(list(ctx, user)
        .await?
        .iter()
        .filter(|n| seen.is_none_or(|s| n.at > s))
        .count())
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn whole_names_only() {
        assert!(mentions("thanks @ann!", "ann", "here.example"));
        assert!(mentions("@Ann, see this", "ann", "here.example"));
        assert!(mentions("cc @ann@here.example.", "ann", "here.example"));
        assert!(!mentions(
            "cc @ann@elsewhere.example",
            "ann",
            "here.example"
        ));
        assert!(!mentions("@annabel", "ann", "here.example"));
        assert!(!mentions("@ann_2", "ann", "here.example"));
        assert!(!mentions("mail ann@here.example", "ann", "here.example"));
        assert!(!mentions("x@ann", "ann", "here.example"));
        assert!(mentions("@annabel and @ann", "ann", "here.example"));
    }
}
