//! A set of host names read from the database and kept for a moment, so that the hot paths
//! (every inbound activity, every delivery) can ask "is this host among them?" without a
//! query, while every process still sees a change made by another (or by `cohort admin`)
//! within [`REFRESH`].

use std::{
    collections::HashSet,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use futures::future::BoxFuture;
use sea_orm::DbErr;

/// How stale a [`HostSnapshot`] may be.
pub const REFRESH: Duration = Duration::from_secs(2);

/// Reads the whole set.
pub type Loader =
    for<'a> fn(&'a crate::storage::Db) -> BoxFuture<'a, Result<HashSet<String>, DbErr>>;

/// A host set re-read from the database at most every [`REFRESH`].
pub struct HostSnapshot {
    load: Loader,
    cached: RwLock<Option<(Instant, Arc<HashSet<String>>)>>,
}

impl std::fmt::Debug for HostSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostSnapshot").finish_non_exhaustive()
    }
}

impl HostSnapshot {
    /// A snapshot that `load` fills.
    pub fn new(load: Loader) -> Self {
        Self {
            load,
            cached: RwLock::new(None),
        }
    }

    /// The set as of at most [`REFRESH`] ago.
    pub async fn get(&self, db: &crate::storage::Db) -> Result<Arc<HashSet<String>>, DbErr> {
        let fresh = self.cached.read().ok().and_then(|c| {
            c.as_ref()
                .filter(|(t, _)| t.elapsed() < REFRESH)
                .map(|(_, s)| s.clone())
        });
        if let Some(s) = fresh {
            return Ok(s);
        }
        let s = Arc::new((self.load)(db).await?);
        if let Ok(mut c) = self.cached.write() {
            *c = Some((Instant::now(), s.clone()));
        }
        Ok(s)
    }

    /// Removes `host` from the cached copy (this process just changed it in the database).
    pub fn forget(&self, host: &str) {
        if let Ok(mut c) = self.cached.write()
            && let Some((t, s)) = c.as_ref()
        {
            let mut s = (**s).clone();
            s.remove(host);
            *c = Some((*t, Arc::new(s)));
        }
    }

    /// Drops the cached copy: the next question reads the database.
    pub fn invalidate(&self) {
        if let Ok(mut c) = self.cached.write() {
            *c = None;
        }
    }
}
