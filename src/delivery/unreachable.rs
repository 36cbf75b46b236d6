//! Which hosts have an unreachable destination, as of a moment ago.

use crate::storage::{self, snapshot::HostSnapshot};

/// The hosts that have a destination marked unreachable, re-read from the database at most
/// every [`storage::snapshot::REFRESH`], so that an inbound activity costs no query to learn
/// that its server is (as nearly always) not among them.
#[derive(Debug)]
pub struct UnreachableHosts(HostSnapshot);

impl Default for UnreachableHosts {
    fn default() -> Self {
        Self(HostSnapshot::new(|db| {
            Box::pin(storage::queue::unreachable_hosts(db))
        }))
    }
}

impl UnreachableHosts {
    /// Whether `host` has an unreachable destination (on a database error: assume it may).
    pub async fn contains(&self, db: &crate::storage::Db, host: &str) -> bool {
        self.0.get(db).await.map_or(true, |s| s.contains(host))
    }

    /// `host` was just heard from.
    pub fn forget(&self, host: &str) {
        self.0.forget(host);
    }
}
