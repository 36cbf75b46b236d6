//! Which hosts have an unreachable destination, as of a moment ago.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use crate::storage;

/// The hosts that have a destination marked unreachable, re-read from the database at most
/// every [`UNREACHABLE_REFRESH`], so that an inbound activity costs no query to learn that its
/// server is (as nearly always) not among them.
#[derive(Debug, Default)]
pub struct UnreachableHosts {
    cached: std::sync::RwLock<Option<(Instant, Arc<std::collections::HashSet<String>>)>>,
}

/// How stale [`UnreachableHosts`] may be.
const UNREACHABLE_REFRESH: Duration = Duration::from_secs(2);

impl UnreachableHosts {
    /// Whether `host` has an unreachable destination (on a database error: assume it may).
    pub async fn contains(&self, db: &sea_orm::DatabaseConnection, host: &str) -> bool {
        let fresh = self.cached.read().ok().and_then(|c| {
            c.as_ref()
                .filter(|(t, _)| t.elapsed() < UNREACHABLE_REFRESH)
                .map(|(_, s)| s.clone())
        });
        let set = match fresh {
            Some(s) => s,
            None => match storage::queue::unreachable_hosts(db).await {
                Ok(hosts) => {
                    let s = Arc::new(hosts);
                    if let Ok(mut c) = self.cached.write() {
                        *c = Some((Instant::now(), s.clone()));
                    }
                    s
                }
                Err(_) => return true,
            },
        };
        set.contains(host)
    }

    /// `host` was just heard from.
    pub fn forget(&self, host: &str) {
        if let Ok(mut c) = self.cached.write()
            && let Some((t, s)) = c.as_ref()
        {
            let mut s = (**s).clone();
            s.remove(host);
            *c = Some((*t, Arc::new(s)));
        }
    }
}
