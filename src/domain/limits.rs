//! Rate limits: how many sign-ups, log-ins, posts and inbound activities are allowed per
//! window, and for whom. Counted in the database (`storage::limits`), so every process on one
//! database shares the same counts; a refused request is 429 with `Retry-After`.
//!
//! Sign-ups, log-ins and posts are counted in the database at every hit: they are rare, and an
//! attacker guessing passwords across processes must meet the exact allowance. Inbound
//! activities arrive by the thousand a second from a few instances, and one row per instance
//! and minute would be written at every one of them: they are counted in this process
//! ([`Counters`]) and added to the shared count in batches, at most [`FLUSH_HITS`] hits or
//! [`FLUSH_AFTER`] apart, and at every hit once this process's estimate passes the allowance.
//! So each process knows its own hits exactly and the others' at most a batch late: an
//! instance can exceed its allowance by at most one batch per other process, and an instance
//! known to be over it is refused without a write.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use super::Ctx;
use crate::error::{Error, Result};

/// Inbound hits a process counts before it adds them to the shared count.
pub const FLUSH_HITS: i64 = 32;
/// Longest a process keeps inbound hits to itself.
pub const FLUSH_AFTER: Duration = Duration::from_secs(1);
/// Windows kept in memory before the finished ones are forgotten.
const KEPT: usize = 4096;

/// This process's inbound counts, by bucket.
#[derive(Debug, Default)]
pub struct Counters {
    windows: Mutex<HashMap<String, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    /// The window's start (Unix seconds).
    start: i64,
    /// Hits here not yet added to the shared count.
    pending: i64,
    /// The shared count as last read (every process's hits, ours included).
    shared: i64,
    /// When `pending` was last added.
    flushed_at: Instant,
}

/// What one inbound hit needs: nothing (the estimate is `count`), or adding `hits` to the
/// shared count.
enum Step {
    Known(i64),
    Flush(i64),
}

impl Counters {
    fn step(&self, bucket: &str, start: i64, allowed: i64) -> Step {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= KEPT && !windows.contains_key(bucket) {
            windows.retain(|_, w| w.start >= start);
        }
        let fresh = Window {
            start,
            pending: 0,
            shared: 0,
            flushed_at: Instant::now(),
        };
        let w = windows.entry(bucket.to_string()).or_insert(fresh);
        if w.start != start {
            *w = fresh;
        }
        if w.shared > allowed {
            // Known to be over: refused, and not written again.
            return Step::Known(w.shared + w.pending + 1);
        }
        w.pending += 1;
        if w.pending >= FLUSH_HITS
            || w.flushed_at.elapsed() >= FLUSH_AFTER
            || w.shared + w.pending > allowed
        {
            let hits = w.pending;
            w.pending = 0;
            w.flushed_at = Instant::now();
            Step::Flush(hits)
        } else {
            Step::Known(w.shared + w.pending)
        }
    }

    /// Records the shared count read back after a flush; returns the estimate.
    fn read_back(&self, bucket: &str, start: i64, shared: i64) -> i64 {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        match windows.get_mut(bucket) {
            Some(w) if w.start == start => {
                w.shared = w.shared.max(shared);
                w.shared + w.pending
            }
            _ => shared,
        }
    }
}

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Sign-ups, per client address, per hour.
    Signup,
    /// Log-in attempts, per client address, per minute.
    Login,
    /// Posts and replies, per account, per minute.
    Post,
    /// Activities received, per remote instance, per minute.
    Inbound,
}

impl Limit {
    fn name(self) -> &'static str {
        match self {
            Self::Signup => "signup",
            Self::Login => "login",
            Self::Post => "post",
            Self::Inbound => "inbound",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::Signup => "sign-ups from this address",
            Self::Login => "log-in attempts from this address",
            Self::Post => "posts and replies by this account",
            Self::Inbound => "activities from this instance",
        }
    }

    /// The window, in seconds, and how many hits it allows (0: no limit).
    fn rule(self, ctx: &Ctx) -> (i64, u32) {
        let l = &ctx.instance.limits;
        match self {
            Self::Signup => (3600, l.signups_per_hour),
            Self::Login => (60, l.logins_per_minute),
            Self::Post => (60, l.posts_per_minute),
            Self::Inbound => (60, l.inbound_per_minute),
        }
    }
}

/// Counts one hit of `limit` for `key` (an address, an account id, a host) and refuses it
/// with 429 once the window's allowance is used up.
pub async fn check(ctx: &Ctx, limit: Limit, key: &str) -> Result<()> {
    let (window, allowed) = limit.rule(ctx);
    if allowed == 0 {
        return Ok(());
    }
    let now = super::now().timestamp();
    let start = now - now.rem_euclid(window);
    // Long keys (an IPv6 address, a host) are kept whole but bounded.
    let key: String = key.chars().take(200).collect();
    let bucket = format!("{}:{key}", limit.name());
    let count = if limit == Limit::Inbound {
        match ctx.limits.step(&bucket, start, i64::from(allowed)) {
            Step::Known(n) => n,
            Step::Flush(hits) => {
                let shared = crate::storage::limits::hit(&ctx.db, &bucket, start, hits).await?;
                ctx.limits.read_back(&bucket, start, shared)
            }
        }
    } else {
        crate::storage::limits::hit(&ctx.db, &bucket, start, 1).await?
    };
    if count > i64::from(allowed) {
        return Err(Error::TooManyRequests {
            what: limit.what(),
            retry_after: u64::try_from(start + window - now).unwrap_or(1).max(1),
        });
    }
    Ok(())
}
