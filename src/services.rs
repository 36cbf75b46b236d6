//! What every adapter (the API, the web pages, the inbox, the delivery workers) is given:
//! the rules' context ([`Ctx`]: the database, the instance, its block list) and this
//! process's own machinery: parsed keys, the unreachable-host snapshot, the counters and the
//! delivery wake-up. The rules (`domain/`) see only `Ctx`; a `&Services` is a `&Ctx` to them.

use std::{ops::Deref, sync::Arc};

use tokio::sync::Notify;

use crate::{
    delivery::UnreachableHosts, domain::Ctx, federation::signing::KeyCache, metrics::Metrics,
};

/// The rules' context plus this process's caches, counters and wake-ups.
#[derive(Debug, Clone)]
pub struct Services {
    /// The rules' context.
    pub ctx: Ctx,
    /// Wakes this process's delivery workers when something is queued.
    pub delivery_wake: Arc<Notify>,
    /// Parsed signing and verification keys.
    pub keys: Arc<KeyCache>,
    /// Hosts with destinations marked unreachable, as of a moment ago.
    pub unreachable: Arc<UnreachableHosts>,
    /// This process's counters.
    pub metrics: Arc<Metrics>,
}

impl Services {
    /// Fresh caches and counters around `ctx`.
    pub fn new(ctx: Ctx) -> Self {
        Self {
            ctx,
            delivery_wake: Default::default(),
            keys: Default::default(),
            unreachable: Default::default(),
            metrics: Default::default(),
        }
    }
}

impl Deref for Services {
    type Target = Ctx;

    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl From<Ctx> for Services {
    fn from(ctx: Ctx) -> Self {
        Self::new(ctx)
    }
}
