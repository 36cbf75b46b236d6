//! Rate limits: how many sign-ups, log-ins, posts and inbound activities are allowed per
//! window, and for whom. Counted in the database (`storage::limits`), so every process on one
//! database shares the same counts; a refused request is 429 with `Retry-After`.

use super::Ctx;
use crate::error::{Error, Result};

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
    let count = crate::storage::limits::hit(&ctx.db, &bucket, start).await?;
    if count > i64::from(allowed) {
        return Err(Error::TooManyRequests {
            what: limit.what(),
            retry_after: u64::try_from(start + window - now).unwrap_or(1).max(1),
        });
    }
    Ok(())
}
