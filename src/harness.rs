//! Real processes and real peers for the delivery tests and `cohort bench`: a `cohort serve`
//! child process, an API client for it, and loopback sink servers that stand in for many
//! remote instances, check every request's HTTP signature and count what arrives.
//!
//! Each sink is a distinct instance: its own address in 127.0.0.0/8 (Linux routes the whole
//! block to loopback), so its inbox URL, `Host` header and signature differ from every other
//! sink's, and the sender opens a connection per sink as it would per server.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::Stdio,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use serde_json::{Value, json};
use tokio::{net::TcpListener, process::Child, sync::Notify};

use crate::{
    config::DatabaseConfig,
    domain::now,
    error::{Error, Result},
    federation::signing::{self, PublicKey},
    storage::{self, persons::RemotePerson},
};

/// The `n`th sink's address: 127.0.1.1, 127.0.1.2, … (250 per /24).
pub fn sink_ip(n: usize) -> String {
    format!("127.0.{}.{}", 1 + n / 250, 1 + n % 250)
}

/// What the sinks have seen.
#[derive(Default)]
pub struct SinkLog {
    /// (sink host, activity id) → times received.
    pub received: Mutex<HashMap<(String, String), u32>>,
    /// Deliveries accepted (good signature).
    pub total: AtomicU64,
    /// Requests refused for a bad or missing signature or digest.
    pub bad: AtomicU64,
    /// When the first and the latest accepted delivery arrived.
    pub first_last: Mutex<Option<(Instant, Instant)>>,
    /// Per activity id: sinks reached, and when the latest of them was.
    pub per_activity: Mutex<HashMap<String, (u64, Instant)>>,
    /// Notified on every accepted delivery.
    pub arrived: Notify,
}

impl SinkLog {
    /// Accepted deliveries so far.
    pub fn count(&self) -> u64 {
        self.total.load(Ordering::SeqCst)
    }

    /// Distinct (sink, activity) pairs received.
    pub fn distinct(&self) -> u64 {
        self.received.lock().map(|m| m.len() as u64).unwrap_or(0)
    }

    /// Pairs received more than once.
    pub fn duplicates(&self) -> u64 {
        self.received
            .lock()
            .map(|m| {
                m.values()
                    .filter(|&&n| n > 1)
                    .map(|&n| u64::from(n - 1))
                    .sum()
            })
            .unwrap_or(0)
    }

    /// Distinct activities each sink host received.
    pub fn per_host(&self) -> HashMap<String, Vec<String>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        if let Ok(m) = self.received.lock() {
            for (host, activity) in m.keys() {
                out.entry(host.clone()).or_default().push(activity.clone());
            }
        }
        out
    }

    /// Waits until `n` distinct deliveries have been accepted or `deadline` passes; returns
    /// how many there are.
    pub async fn wait_for(&self, n: u64, deadline: Duration) -> u64 {
        let end = Instant::now() + deadline;
        loop {
            let notified = self.arrived.notified();
            let c = self.distinct();
            if c >= n || Instant::now() >= end {
                return c;
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
        }
    }
}

struct SinkState {
    log: Arc<SinkLog>,
    keys: Mutex<HashMap<String, Arc<PublicKey>>>,
    client: reqwest::Client,
    delay: Duration,
}

/// Loopback servers that accept deliveries for any number of sink hosts on one port.
pub struct Sinks {
    /// The port every sink listens on.
    pub port: u16,
    /// What they have seen.
    pub log: Arc<SinkLog>,
    task: tokio::task::JoinHandle<()>,
}

impl Sinks {
    /// Starts the sinks; each answers after `delay` (to make a fan-out last).
    pub async fn start(delay: Duration) -> Result<Self> {
        let listener = TcpListener::bind("0.0.0.0:0").await?;
        let port = listener.local_addr()?.port();
        let log = Arc::new(SinkLog::default());
        let state = Arc::new(SinkState {
            log: log.clone(),
            keys: Mutex::default(),
            client: reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Internal(e.to_string()))?,
            delay,
        });
        let app = Router::new()
            .route("/inbox", post(sink_inbox))
            .with_state(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { port, log, task })
    }

    /// The `n`th sink's inbox URL.
    pub fn inbox(&self, n: usize) -> String {
        format!("http://{}:{}/inbox", sink_ip(n), self.port)
    }

    /// The `n`th sink's host, as its `Host` header says.
    pub fn host(&self, n: usize) -> String {
        format!("{}:{}", sink_ip(n), self.port)
    }
}

impl Drop for Sinks {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn signer_key(state: &SinkState, key_id: &str) -> Option<Arc<PublicKey>> {
    if let Some(k) = state.keys.lock().ok()?.get(key_id).cloned() {
        return Some(k);
    }
    let actor = key_id.split('#').next()?;
    let doc: Value = state
        .client
        .get(actor)
        .header("accept", crate::federation::ACTIVITY_JSON)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let key = Arc::new(PublicKey::from_pem(doc["publicKey"]["publicKeyPem"].as_str()?).ok()?);
    state
        .keys
        .lock()
        .ok()?
        .insert(key_id.to_string(), key.clone());
    Some(key)
}

async fn sink_inbox(
    State(state): State<Arc<SinkState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if !state.delay.is_zero() {
        tokio::time::sleep(state.delay).await;
    }
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let checked = async {
        signing::verify_digest(headers.get("digest").and_then(|v| v.to_str().ok()), &body).ok()?;
        let sig = signing::Unverified::parse("POST", "/inbox", &headers, &host).ok()?;
        let key = signer_key(&state, sig.key_id()).await?;
        sig.verify(&key).ok()?;
        let activity: Value = serde_json::from_slice(&body).ok()?;
        activity["id"].as_str().map(str::to_string)
    }
    .await;
    let Some(id) = checked else {
        state.log.bad.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    };
    let t = Instant::now();
    if let Ok(mut m) = state.log.per_activity.lock() {
        let e = m.entry(id.clone()).or_insert((0, t));
        *e = (e.0 + 1, t);
    }
    if let Ok(mut m) = state.log.received.lock() {
        *m.entry((host, id)).or_default() += 1;
    }
    if let Ok(mut fl) = state.log.first_last.lock() {
        *fl = Some(fl.map_or((t, t), |(f, _)| (f, t)));
    }
    state.log.total.fetch_add(1, Ordering::SeqCst);
    state.log.arrived.notify_waiters();
    StatusCode::ACCEPTED
}

/// CPU time (user + system) of a process, from its `/proc/…/stat`.
pub fn cpu_time_of(stat_path: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// A free loopback port (bound and released).
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A `cohort serve` child process, in federation debug mode, configured through `COHORT_*`
/// variables.
pub struct Server {
    child: Child,
    /// `http://localhost:PORT`.
    pub base: String,
    /// The instance's domain, `localhost:PORT`.
    pub domain: String,
    /// What it has logged (stdout and stderr), line by line.
    pub log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

/// Keeps a child's output lines (the first 100,000).
fn collect_lines(
    out: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    log: Arc<Mutex<Vec<String>>>,
) {
    use tokio::io::AsyncBufReadExt;
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(out).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Ok(mut l) = log.lock()
                && l.len() < 100_000
            {
                l.push(line);
            }
        }
    });
}

impl Server {
    /// Starts `exe serve` on `port` for `domain`, with `database_url` and extra `COHORT_*`
    /// settings, and waits until it answers.
    pub async fn start(
        exe: &Path,
        port: u16,
        domain: &str,
        database_url: &str,
        settings: &[(&str, &str)],
    ) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let mut cmd = tokio::process::Command::new(exe);
        for (k, _) in std::env::vars() {
            if k.starts_with("COHORT_") {
                cmd.env_remove(k);
            }
        }
        cmd.arg("serve")
            .current_dir(dir.path())
            .env("COHORT_LISTEN", format!("127.0.0.1:{port}"))
            .env("COHORT_DOMAIN", domain)
            .env("COHORT_DATABASE_URL", database_url)
            .env("COHORT_FEDERATION_DEBUG", "true")
            .env("COHORT_LOG_FILTER", "warn")
            // Scripted load from one address: no rate limits unless `settings` set them.
            .env("COHORT_LIMITS_SIGNUPS_PER_HOUR", "0")
            .env("COHORT_LIMITS_LOGINS_PER_MINUTE", "0")
            .env("COHORT_LIMITS_POSTS_PER_MINUTE", "0")
            .env("COHORT_LIMITS_INBOUND_PER_MINUTE", "0")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        // HARNESS_SHOW_LOG=1 shows the server's log instead of collecting it.
        if std::env::var_os("HARNESS_SHOW_LOG").is_none() {
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        for (k, v) in settings {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        if let Some(out) = child.stdout.take() {
            collect_lines(out, log.clone());
        }
        if let Some(err) = child.stderr.take() {
            collect_lines(err, log.clone());
        }
        let server = Self {
            child,
            base: format!("http://localhost:{port}"),
            domain: domain.to_string(),
            log,
            _dir: dir,
        };
        let client = reqwest::Client::new();
        let end = Instant::now() + Duration::from_secs(60);
        loop {
            let up = client
                .get(format!("http://127.0.0.1:{port}/.well-known/nodeinfo"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if up {
                return Ok(server);
            }
            if Instant::now() > end {
                let log = server.log.lock().map(|l| l.join("\n")).unwrap_or_default();
                return Err(Error::Internal(format!(
                    "cohort serve did not start:\n{log}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Logged lines containing `text`.
    pub fn log_count(&self, text: &str) -> usize {
        self.log
            .lock()
            .map(|l| l.iter().filter(|line| line.contains(text)).count())
            .unwrap_or(0)
    }

    /// The process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Peak resident memory so far, in KiB (Linux `VmHWM`).
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// CPU time (user + system) the process has used so far.
    pub fn cpu_time(&self) -> Option<Duration> {
        cpu_time_of(&format!("/proc/{}/stat", self.pid()?))
    }

    /// SIGKILL: no clean-up, no graceful shutdown.
    pub async fn kill9(mut self) {
        let _ = self.child.kill().await;
    }

    /// SIGTERM, then waits for a clean exit.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .arg(pid.to_string())
                .status();
        }
        if tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// A client of one server's API.
pub struct Api {
    /// `http://host:port`.
    pub base: String,
    client: reqwest::Client,
}

impl Api {
    /// A client for `base`.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_string(),
            client: reqwest::Client::new(),
        }
    }

    /// POSTs JSON; the response JSON, or an error naming the status.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Result<Value> {
        let mut r = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await.map_err(|e| Error::Internal(e.to_string()))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(Error::Internal(format!("POST {path}: {status}: {text}")));
        }
        serde_json::from_str(&text).map_err(|e| Error::Internal(e.to_string()))
    }

    /// Signs up `name` and signs in; the bearer token.
    pub async fn user(&self, name: &str) -> Result<String> {
        let creds = json!({"username": name, "password": "a long password"});
        self.post("/api/v1/accounts", None, creds.clone()).await?;
        let r = self.post("/api/v1/auth/login", None, creds).await?;
        r["token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Error::Internal("no token".into()))
    }

    /// Creates group `name`.
    pub async fn group(&self, token: &str, name: &str) -> Result<Value> {
        self.post(
            "/api/v1/groups",
            Some(token),
            json!({"name": name, "title": format!("The {name} group"), "description": "x"}),
        )
        .await
    }

    /// Writes a post in group `name`.
    pub async fn post_in(&self, token: &str, name: &str, title: &str) -> Result<Value> {
        self.post(
            &format!("/api/v1/groups/{name}/posts"),
            Some(token),
            json!({"title": title, "body": format!("Body of {title}.")}),
        )
        .await
    }
}

/// Makes `count` remote followers of local group `group`, one per sink (each sink a distinct
/// instance with a shared inbox), straight in the database.
pub async fn seed_followers(
    database_url: &str,
    group: &str,
    domain: &str,
    sinks: &Sinks,
    count: usize,
) -> Result<()> {
    let db = storage::connect(&DatabaseConfig {
        url: database_url.to_string(),
        max_connections: 2,
    })
    .await?;
    let g = storage::groups::find_by_name(&db, group, domain)
        .await?
        .ok_or(Error::NotFound("group"))?;
    for n in 0..count {
        add_remote_follower(&db, g.id, &sinks.host(n), &sinks.inbox(n)).await?;
    }
    db.close().await?;
    Ok(())
}

/// Makes a member of the server at `host` (shared inbox `inbox`) follow group `group_id`,
/// straight in the database, as an accepted Follow would.
pub async fn add_remote_follower(
    db: &impl sea_orm::ConnectionTrait,
    group_id: i64,
    host: &str,
    inbox: &str,
) -> Result<()> {
    let p = storage::persons::upsert_remote(
        db,
        RemotePerson {
            ap_id: format!("http://{host}/users/member"),
            username: "member".into(),
            domain: host.to_string(),
            display_name: None,
            inbox_url: format!("http://{host}/users/member/inbox"),
            shared_inbox_url: Some(inbox.to_string()),
            public_key: "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n".into(),
        },
        now(),
    )
    .await?;
    let inbox = inbox.to_string();
    let dest = storage::queue::ensure_destinations(db, std::slice::from_ref(&inbox), now())
        .await?
        .get(&inbox)
        .copied();
    storage::followers::upsert(db, group_id, p.id, false, None, dest, now()).await?;
    Ok(())
}

/// The `cohort` executable next to the running one (for benches), or `CARGO_BIN_EXE_cohort`.
pub fn cohort_exe() -> PathBuf {
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("cohort"))
}

/// A throwaway database for one run: a SQLite file in `dir`, or a fresh PostgreSQL database
/// next to `postgres_url` (dropped by [`drop_database`]).
pub async fn create_database(postgres_url: Option<&str>, dir: &Path) -> Result<String> {
    match postgres_url {
        None => Ok(format!(
            "sqlite://{}?mode=rwc",
            dir.join("cohort.db").display()
        )),
        Some(base) => {
            use sea_orm::ConnectionTrait;
            let name = format!("cohort_run_{}", crate::domain::random_hex(6));
            let admin = sea_orm::Database::connect(format!("{base}/postgres")).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            admin.close().await?;
            Ok(format!("{base}/{name}"))
        }
    }
}

/// Drops a database made by [`create_database`] (nothing to do for SQLite).
pub async fn drop_database(url: &str) -> Result<()> {
    use sea_orm::ConnectionTrait;
    if let Some((base, name)) = url.rsplit_once('/')
        && url.starts_with("postgres")
    {
        let admin = sea_orm::Database::connect(format!("{base}/postgres")).await?;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
        admin.close().await?;
    }
    Ok(())
}
