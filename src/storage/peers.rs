//! What this instance knows of each other instance, for `cohort admin federation`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Statement};
use serde::Serialize;

use super::entities::{destinations, instance_blocks};

/// One other instance.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Peer {
    /// `host[:port]`.
    pub host: String,
    /// People of that instance stored here.
    pub people: i64,
    /// Groups of that instance stored here.
    pub groups: i64,
    /// Its people following groups hosted here.
    pub followers: i64,
    /// Local people following its groups (accepted or pending).
    pub following: i64,
    /// Its inboxes that we deliver to.
    pub inboxes: i64,
    /// Of those, the ones failing now.
    pub failing: i64,
    /// Of those, the ones marked unreachable.
    pub unreachable: i64,
    /// The last delivery it accepted.
    pub last_delivery_at: Option<DateTime<Utc>>,
    /// The last error one of its inboxes answered.
    pub last_error: Option<String>,
    /// Blocked by this instance (see `domain::instances` for what a block covers).
    pub blocked: bool,
    /// Its software and version, from its NodeInfo (`delivery::software`), when known.
    pub software: Option<String>,
    /// Whether a new post reaches it in one delivery (the Lemmy family) rather than two.
    pub single_delivery: bool,
}

/// The federation state at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Every instance known, by host.
    pub instances: Vec<Peer>,
    /// Every block, with its reason.
    pub blocks: Vec<instance_blocks::Model>,
}

#[derive(FromQueryResult)]
struct Counts {
    host: String,
    people: i64,
    groups: i64,
    followers: i64,
    following: i64,
}

const COUNTS: &str = "\
SELECT host, CAST(SUM(people) AS BIGINT) AS people, CAST(SUM(groups_n) AS BIGINT) AS groups, \
       CAST(SUM(followers) AS BIGINT) AS followers, CAST(SUM(following) AS BIGINT) AS following \
FROM ( \
  SELECT domain AS host, COUNT(*) AS people, 0 AS groups_n, 0 AS followers, 0 AS following \
    FROM persons WHERE local = FALSE GROUP BY domain \
  UNION ALL SELECT domain, 0, COUNT(*), 0, 0 FROM groups WHERE local = FALSE GROUP BY domain \
  UNION ALL SELECT p.domain, 0, 0, COUNT(*), 0 FROM group_followers f \
    JOIN persons p ON p.id = f.person_id JOIN groups g ON g.id = f.group_id \
    WHERE g.local = TRUE AND p.local = FALSE AND f.pending = FALSE GROUP BY p.domain \
  UNION ALL SELECT g.domain, 0, 0, 0, COUNT(*) FROM group_followers f \
    JOIN persons p ON p.id = f.person_id JOIN groups g ON g.id = f.group_id \
    WHERE g.local = FALSE AND p.local = TRUE GROUP BY g.domain \
) t GROUP BY host";

/// Every instance known here, with what is stored of it and how delivery to it goes.
pub async fn report<C: ConnectionTrait>(
    conn: &C,
    blocked: impl Fn(&str) -> bool,
) -> Result<Report, DbErr> {
    let mut peers: BTreeMap<String, Peer> = BTreeMap::new();
    let counts =
        Counts::find_by_statement(Statement::from_string(conn.get_database_backend(), COUNTS))
            .all(conn)
            .await?;
    for c in counts {
        let p = peers.entry(c.host.clone()).or_default();
        (p.people, p.groups, p.followers, p.following) =
            (c.people, c.groups, c.followers, c.following);
    }
    for d in destinations::Entity::find().all(conn).await? {
        let p = peers.entry(d.host.clone()).or_default();
        p.inboxes += 1;
        p.failing += i64::from(d.failing_since.is_some());
        p.unreachable += i64::from(d.unreachable_since.is_some());
        p.last_delivery_at = p.last_delivery_at.max(d.last_success_at);
        if d.failing_since.is_some() && d.last_error.is_some() {
            p.last_error = d.last_error;
        }
    }
    for s in super::software::list(conn).await? {
        let p = peers.entry(s.host).or_default();
        p.software = s.software.map(|name| match s.version {
            Some(v) => format!("{name} {v}"),
            None => name,
        });
        p.single_delivery = s.single_delivery;
    }
    let blocks = super::blocks::list(conn).await?;
    for b in &blocks {
        peers.entry(b.host.clone()).or_default();
    }
    let instances = peers
        .into_iter()
        .map(|(host, mut p)| {
            p.blocked = blocked(&host);
            p.host = host;
            p
        })
        .collect();
    Ok(Report { instances, blocks })
}
