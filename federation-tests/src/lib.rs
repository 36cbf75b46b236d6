//! Several real Cohort instances on loopback, each with its own database, port and domain,
//! driven only through their public HTTP APIs.
//!
//! Run on SQLite by default; with `TEST_DATABASE_URL` set to a PostgreSQL server, every
//! instance gets its own fresh PostgreSQL database.

use cohort::testing::TestApp;

/// A set of running instances.
pub struct Cluster {
    /// The instances, in start order.
    pub instances: Vec<TestApp>,
}

impl Cluster {
    /// Starts `n` independent instances.
    pub async fn start(n: usize) -> Self {
        let mut instances = Vec::with_capacity(n);
        for _ in 0..n {
            instances.push(TestApp::spawn().await);
        }
        Self { instances }
    }
}
