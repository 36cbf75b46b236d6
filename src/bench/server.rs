//! What the page benchmarks share: a `cohort serve` in this process on a fresh database
//! (SQLite in a temporary directory, or a new PostgreSQL database), with no rate limits, one
//! signed-in member and the group `bench` they made; bulk loading (people of several
//! instances, rows in multi-row INSERTs), a deterministic generator, and the printout of
//! what an upkeep costs a write.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat};
use sea_orm::{ConnectionTrait, TransactionTrait};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use super::{ms, percentile};
use crate::{
    Application, Config,
    domain::{accounts, groups},
    error::{Error, Result},
    harness,
    services::Services,
    storage,
};

/// A running server and its seed.
pub struct Seeded {
    /// The server's services (database, instance).
    pub ctx: Services,
    /// Its loopback port.
    pub port: u16,
    /// The member's session token.
    pub token: String,
    /// The member.
    pub user: accounts::CurrentUser,
    url: String,
    _dir: tempfile::TempDir,
    stop: oneshot::Sender<()>,
    server: JoinHandle<()>,
}

impl Seeded {
    /// Starts the server (on PostgreSQL at `postgres`, else SQLite) and seeds `username`
    /// (an administrator when `admin`) and the group `bench`.
    pub async fn start(postgres: Option<&str>, username: &str, admin: bool) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = harness::create_database(postgres, dir.path()).await?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let mut config = Config {
            listen: format!("127.0.0.1:{port}"),
            domain: format!("localhost:{port}"),
            ..Config::default()
        };
        config.database.url = url.clone();
        // The pool's size (`BENCH_DB_CONNECTIONS`, else the default), to see what sharing
        // SQLite's writes across pooled connections costs.
        if let Some(n) = std::env::var("BENCH_DB_CONNECTIONS")
            .ok()
            .and_then(|n| n.parse().ok())
        {
            config.database.max_connections = n;
        }
        config.federation.debug = true;
        config.limits.posts_per_minute = 0;
        config.limits.logins_per_minute = 0;
        let app = Application::build_on(config, listener).await?;
        let ctx = app.ctx().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = app
                .run_until(async move {
                    let _ = stopped.await;
                })
                .await;
        });

        // The first clean-up runs as the server starts; on SQLite a benchmark's schema
        // change made while it runs can fail ("no such table"), so wait for it to end.
        let started = std::time::Instant::now();
        while !storage::jobs::list(&ctx.db)
            .await?
            .iter()
            .any(|j| j.name == crate::maintenance::HOUSEKEEPING && j.last_finished_at.is_some())
        {
            if started.elapsed() > Duration::from_secs(30) {
                return Err(err("the server's first clean-up did not finish in 30 s"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let password = "a long benchmark password";
        accounts::create(&ctx, username, password, admin).await?;
        let token = accounts::login(
            &ctx,
            accounts::Credentials {
                username: username.into(),
                password: password.into(),
            },
        )
        .await?;
        let user = accounts::authenticate(&ctx, &token).await?;
        groups::create(
            &ctx,
            &user,
            groups::NewGroup {
                name: "bench".into(),
                title: "Benchmark".into(),
                description: "A busy group.".into(),
                rules: String::new(),
                visibility: None,
            },
        )
        .await?;
        Ok(Self {
            ctx,
            port,
            token,
            user,
            url,
            _dir: dir,
            stop,
            server,
        })
    }

    /// Stops the server and drops its database, unless `BENCH_KEEP_DB` is set (to
    /// read the plans of its queries afterwards: the URL is printed; drop it yourself).
    pub async fn stop(self) -> Result<()> {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.server).await;
        if std::env::var_os("BENCH_KEEP_DB").is_some() {
            println!("kept the benchmark's database: {}", self.url);
            std::mem::forget(self._dir);
            return Ok(());
        }
        harness::drop_database(&self.url).await?;
        Ok(())
    }
}

/// A small deterministic generator (the data sets are the same every run).
pub(crate) struct Lcg(pub u64);

impl Lcg {
    /// The next 31 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A time (seconds since the epoch) as SQL text both databases read.
pub(crate) fn ts(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// Any failure, as an internal error.
pub(crate) fn err(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

/// Inserts `rows` (each a parenthesised tuple) into `head` in statements of `chunk` rows,
/// one transaction per 20 statements.
pub(crate) async fn bulk(
    db: &storage::Db,
    head: &str,
    rows: impl Iterator<Item = String>,
    chunk: usize,
) -> Result<()> {
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let txn = db.begin().await?;
        for _ in 0..20 {
            let batch: Vec<String> = rows.by_ref().take(chunk).collect();
            if batch.is_empty() {
                break;
            }
            txn.execute_unprepared(&format!("{head} VALUES {}", batch.join(",")))
                .await?;
        }
        txn.commit().await?;
    }
    Ok(())
}

/// Stores `per_instance` people of each of `instances` instances (the first is `home`, the
/// others `i{n}.example`) with ids from `base`: person `base + k` is `p{k % per_instance}` of
/// instance `k / per_instance`.
pub(crate) async fn seed_people(
    db: &storage::Db,
    home: &str,
    instances: usize,
    per_instance: usize,
    base: i64,
    created: i64,
) -> Result<()> {
    bulk(
        db,
        "INSERT INTO persons (id, ap_id, username, domain, local, created_at, updated_at)",
        (0..instances * per_instance).map(|i| {
            let (inst, n) = (i / per_instance, i % per_instance);
            let domain = if inst == 0 {
                home.to_string()
            } else {
                format!("i{inst}.example")
            };
            format!(
                "({}, 'https://{domain}/u/p{n}', 'p{n}', '{domain}', {}, '{t}', '{t}')",
                base + i as i64,
                inst == 0,
                t = ts(created)
            )
        }),
        1000,
    )
    .await
}

/// What autovacuum does after a bulk load on PostgreSQL (statistics, and the visibility map
/// that lets indexes answer without reading the table); `ANALYZE` on SQLite.
pub(crate) async fn analyze(db: &storage::Db) -> Result<()> {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    db.execute_unprepared(sql).await?;
    Ok(())
}

/// Prints what an upkeep costs a write: the times with it off and on (measured alternately
/// in one run), mean and p50 each way and the difference.
pub(crate) fn write_cost(label: &str, [off, on]: [Vec<Duration>; 2]) {
    let mean = |v: &[Duration]| v.iter().sum::<Duration>() / v.len().max(1) as u32;
    let (mean_off, mean_on) = (mean(&off), mean(&on));
    let (mut off, mut on) = (off, on);
    off.sort();
    on.sort();
    let (p_off, p_on) = (percentile(&off, 0.5), percentile(&on, 0.5));
    println!(
        "  {label:<40} off: mean {:>8} p50 {:>8}   on: mean {:>8} p50 {:>8}   cost {:+.1}% (mean), {:+.1}% (p50)",
        ms(mean_off),
        ms(p_off),
        ms(mean_on),
        ms(p_on),
        (mean_on.as_secs_f64() / mean_off.as_secs_f64().max(1e-9) - 1.0) * 100.0,
        (p_on.as_secs_f64() / p_off.as_secs_f64().max(1e-9) - 1.0) * 100.0,
    );
}
