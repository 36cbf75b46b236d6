//! Support for Cohort's own test suites (`tests/` and `federation-tests/`): a fresh database
//! per test and a real server on a free loopback port.
//!
//! Set `TEST_DATABASE_URL` to a PostgreSQL server (e.g. `postgres://postgres@127.0.0.1:5432`)
//! to run on PostgreSQL: each test then creates its own database and drops it afterwards.
//! Without it, each test gets its own SQLite file in a temporary directory.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use crate::{Application, Config, services::Services};

pub mod actors;
pub mod oidc;
pub mod pictures;
pub mod s3;
pub mod smtp;

pub use pictures::multipart;

/// The environment variable naming the PostgreSQL server for tests.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// A database that exists for one test.
pub struct TestDatabase {
    /// The URL the application should use.
    pub url: String,
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// Creates a fresh database on the backend the environment selects.
    pub async fn new() -> Self {
        match std::env::var(TEST_DATABASE_URL) {
            Ok(server) if server.starts_with("postgres") => Self::postgres(&server).await,
            _ => Self::sqlite(),
        }
    }

    /// True when running on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("cohort.db").display()
        );
        Self {
            url,
            postgres: None,
            _dir: Some(dir),
        }
    }

    async fn postgres(server: &str) -> Self {
        let name = format!("cohort_test_{}", crate::domain::random_hex(8));
        let mut admin = url::Url::parse(server).expect("TEST_DATABASE_URL is a URL");
        admin.set_path("/postgres");
        let conn = Database::connect(admin.as_str())
            .await
            .expect("connect to the PostgreSQL server in TEST_DATABASE_URL");
        conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let mut url = admin.clone();
        url.set_path(&format!("/{name}"));
        Self {
            url: url.to_string(),
            postgres: Some((admin.to_string(), name)),
            _dir: None,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Drop may run inside a runtime; do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(conn) = Database::connect(&admin).await {
                    let _ = conn
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}

/// A running Cohort server for one test.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// `localhost:PORT`, the instance's public domain.
    pub domain: String,
    /// Direct access to the domain and database.
    pub ctx: Services,
    /// An HTTP client.
    pub client: reqwest::Client,
    /// The router the server answers with, for tests that walk its routes.
    pub router: axum::Router,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    /// The media directory when the test set none (with PostgreSQL there is no SQLite file
    /// to keep it beside).
    _media: Option<tempfile::TempDir>,
    // Declared last: dropped after the server has been told to stop.
    db: TestDatabase,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// The body parsed as JSON (`Null` when empty or not JSON).
    pub json: Value,
    /// The body as text.
    pub text: String,
}

impl TestApp {
    /// Starts a server with a fresh database, federation debug mode on.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server with a fresh database after letting `adjust` change the config.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let db = TestDatabase::new().await;
        Self::spawn_on(db, adjust).await
    }

    /// Starts a server on an existing test database.
    pub async fn spawn_on(db: TestDatabase, adjust: impl FnOnce(&mut Config)) -> Self {
        crate::install_crypto_provider();
        // With RUST_LOG set, show the servers' logs in the test output.
        if std::env::var_os("RUST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_test_writer()
                .try_init();
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let port = listener.local_addr().expect("address").port();
        let mut config = Config {
            listen: format!("127.0.0.1:{port}"),
            domain: format!("localhost:{port}"),
            ..Config::default()
        };
        config.database.url = db.url.clone();
        config.database.max_connections = 5;
        config.federation.debug = true;
        // Tests script many sign-ups and posts from one address: no rate limits unless a
        // test sets them (tests/api/limits.rs).
        config.limits.signups_per_hour = 0;
        config.limits.logins_per_minute = 0;
        config.limits.posts_per_minute = 0;
        config.limits.inbound_per_minute = 0;
        adjust(&mut config);
        let media = (config.media.dir.is_empty() && db.is_postgres()).then(|| {
            let dir = tempfile::tempdir().expect("temporary media directory");
            config.media.dir = dir.path().display().to_string();
            dir
        });
        let app = Application::build_on(config, listener)
            .await
            .expect("build application");
        let ctx = app.ctx().clone();
        let router = app.router();
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(async move {
            let _ = app
                .run_until(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Self {
            address: format!("http://127.0.0.1:{port}"),
            domain: format!("localhost:{port}"),
            ctx,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            router,
            shutdown: Some(tx),
            server: Some(server),
            _media: media,
            db,
        }
    }

    /// True when this test runs on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.db.is_postgres()
    }

    /// The database URL, for a second server on the same database.
    pub fn database_url(&self) -> &str {
        &self.db.url
    }

    /// Waits until the inbound queue's workers have tried every activity stored so far (an
    /// inbox answers 202 once an activity is stored; a test that then looks for its effect
    /// waits here first). Panics after 30 s.
    pub async fn settle(&self) {
        let start = Instant::now();
        while !matches!(crate::storage::inbound::untried(&self.ctx.db).await, Ok(0)) {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out after 30 s waiting for the inbound queue to be acted on"
            );
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
    }

    /// The refusal of received activity `ap_id` by a rule while it was acted on: its HTTP
    /// status and error code (after [`TestApp::settle`]).
    pub async fn refusal(&self, ap_id: &str) -> Option<(u16, String)> {
        self.settle().await;
        crate::storage::inbound::refusal(&self.ctx.db, ap_id)
            .await
            .expect("read the inbound queue")
            .map(|(status, code, _)| (u16::try_from(status).unwrap_or_default(), code))
    }

    /// Sends a request to `path` (under the server's address) with an optional bearer token
    /// and JSON body.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        read(req.send().await.expect("request sent")).await
    }

    /// GET.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.request("GET", path, token, None).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request("POST", path, token, Some(&body)).await
    }

    /// Sends a `multipart/form-data` form (`parts`: name, file name for a file, bytes).
    pub async fn send_form(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        parts: &[(&str, Option<&str>, &[u8])],
    ) -> Reply {
        let (content_type, body) = multipart(parts);
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.address))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("request sent")).await
    }

    /// Uploads `bytes` as `name` with `alt` (`POST /api/v1/media`).
    pub async fn upload(&self, token: &str, name: &str, bytes: &[u8], alt: &str) -> Reply {
        self.send_form(
            "POST",
            "/api/v1/media",
            Some(token),
            &[("file", Some(name), bytes), ("alt", None, alt.as_bytes())],
        )
        .await
    }

    /// The value of the `/metrics` line that starts with `series` (name and labels), 0 when
    /// absent.
    pub async fn metric(&self, series: &str) -> u64 {
        let text = self.get("/metrics", None).await.text;
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Signs up `username` and signs in; returns the bearer token.
    pub async fn user(&self, username: &str) -> String {
        let password = "a long password";
        let r = self
            .post(
                "/api/v1/accounts",
                None,
                serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(r.status, 201, "sign-up of {username}: {}", r.text);
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(r.status, 200, "login of {username}: {}", r.text);
        r.json["token"].as_str().expect("token").to_string()
    }

    /// Creates a group as the holder of `token`; returns its JSON.
    pub async fn group(&self, token: &str, name: &str) -> Value {
        let r = self
            .post(
                "/api/v1/groups",
                Some(token),
                serde_json::json!({"name": name, "title": format!("The {name} group"), "description": "About *it*."}),
            )
            .await;
        assert_eq!(r.status, 201, "create group {name}: {}", r.text);
        r.json
    }

    /// Creates a members-only group as the holder of `token`; returns its JSON.
    pub async fn members_only_group(&self, token: &str, name: &str) -> Value {
        let r = self
            .post(
                "/api/v1/groups",
                Some(token),
                serde_json::json!({"name": name, "title": format!("The {name} team"), "visibility": "members"}),
            )
            .await;
        assert_eq!(r.status, 201, "create group {name}: {}", r.text);
        assert_eq!(r.json["visibility"], "members");
        r.json
    }

    /// Writes a post in group `handle`; returns its JSON.
    pub async fn post_in(&self, token: &str, handle: &str, title: &str, body: &str) -> Value {
        let r = self
            .post(
                &format!("/api/v1/groups/{handle}/posts"),
                Some(token),
                serde_json::json!({"title": title, "body": body}),
            )
            .await;
        assert_eq!(r.status, 201, "post in {handle}: {}", r.text);
        r.json
    }

    /// Stores `name@host`, a person of another instance (no key), as if fetched from it.
    pub async fn remote_person(
        &self,
        host: &str,
        name: &str,
    ) -> crate::storage::entities::persons::Model {
        crate::storage::persons::upsert_remote(
            &self.ctx.db,
            crate::storage::persons::RemotePerson {
                ap_id: format!("https://{host}/u/{name}"),
                username: name.into(),
                domain: host.into(),
                display_name: None,
                inbox_url: format!("https://{host}/u/{name}/inbox"),
                shared_inbox_url: None,
                public_key: String::new(),
            },
            chrono::Utc::now(),
        )
        .await
        .expect("store a remote person")
    }

    /// Replies to post `post_id` (under `parent` if given); returns its JSON.
    pub async fn reply_to(
        &self,
        token: &str,
        post_id: i64,
        parent: Option<i64>,
        body: &str,
    ) -> Value {
        let r = self
            .post(
                &format!("/api/v1/posts/{post_id}/replies"),
                Some(token),
                serde_json::json!({"body": body, "parent_id": parent}),
            )
            .await;
        assert_eq!(r.status, 201, "reply to {post_id}: {}", r.text);
        r.json
    }
}

impl TestApp {
    /// Stops the server (it stops accepting, idle connections close), as a network failure
    /// would look to a browser.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let handle = server.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(2), server)
                .await
                .is_err()
            {
                handle.abort();
            }
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// The `id` field of a JSON object, as a number.
pub fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id field")
}

/// Reads a response whole.
pub async fn read(resp: reqwest::Response) -> Reply {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, json, text }
}

/// Polls `check` until it returns `Some`, or panics with `what` after `deadline`.
pub async fn eventually<T, F, Fut>(what: &str, deadline: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    let mut wait = Duration::from_millis(10);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            start.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}"
        );
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_millis(250));
    }
}

/// One RSA-2048 key per test process (generating keys is slow).
pub fn test_key() -> rsa::RsaPrivateKey {
    static KEY: std::sync::OnceLock<rsa::RsaPrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        use rsa::pkcs8::DecodePrivateKey;
        let pair = activitypub_federation::http_signatures::generate_actor_keypair()
            .expect("RSA key generation");
        rsa::RsaPrivateKey::from_pkcs8_pem(&pair.private_key).expect("a PKCS#8 key")
    })
    .clone()
}

/// A browser without a browser: a session cookie and the CSRF token of the web pages, for
/// the tests of forms.
pub struct Web<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    cookies: std::collections::BTreeMap<String, String>,
}

impl<'a> Web<'a> {
    /// Signs in as `name` (whose password is the one [`TestApp::user`] gives).
    pub async fn log_in(app: &'a TestApp, name: &str) -> Self {
        let mut w = Self {
            app,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("web request"),
            cookies: Default::default(),
        };
        let csrf = w.csrf("/login").await;
        let (status, _) = w
            .post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("username", name),
                    ("password", "a long password"),
                ],
            )
            .await;
        assert_eq!(status, 303);
        w
    }

    fn keep(&mut self, headers: &reqwest::header::HeaderMap) {
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().expect("web request");
            let pair = v.split(';').next().expect("web request");
            if let Some((k, val)) = pair.split_once('=') {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
    }

    /// The session's cookies, as a `Cookie` header value.
    pub fn cookie(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The HTML of `path`, with the session's cookies.
    pub async fn get(&mut self, path: &str) -> String {
        let r = self
            .http
            .get(format!("{}{path}", self.app.address))
            .header("accept", "text/html")
            .header("cookie", self.cookie())
            .send()
            .await
            .expect("web request");
        self.keep(r.headers());
        r.text().await.expect("web request")
    }

    /// The CSRF token of the first form on `path`.
    pub async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        let marker = "name=\"csrf\" value=\"";
        let start = page.find(marker).expect("a form") + marker.len();
        page[start..start + 64].to_string()
    }

    /// Posts `form` to `path`: the status, and the `Location` of a 303 or else the body.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let body = serde_urlencoded::to_string(form).expect("web request");
        self.send(path, "application/x-www-form-urlencoded", body.into_bytes())
            .await
    }

    /// Submits a `multipart/form-data` form (as a form with a file input sends it; `parts`
    /// as [`multipart`] takes them); answers as [`Web::post`].
    pub async fn post_multipart(
        &mut self,
        path: &str,
        parts: &[(&str, Option<&str>, &[u8])],
    ) -> (u16, String) {
        let (content_type, body) = multipart(parts);
        self.send(path, &content_type, body).await
    }

    async fn send(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
        let r = self
            .http
            .post(format!("{}{path}", self.app.address))
            .header("accept", "text/html")
            .header("cookie", self.cookie())
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("web request");
        self.keep(r.headers());
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().expect("web request").to_string())
            .unwrap_or_default();
        let body = r.text().await.expect("web request");
        (status, if status == 303 { location } else { body })
    }
}
