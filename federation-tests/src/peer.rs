//! A stand-in for another fediverse server, for interop tests: it serves the documents a real
//! server of that kind would (actors, objects, WebFinger) from the payload fixtures in
//! `tests/fixtures/<server>/`, signs what it delivers the way that server signs, and records
//! what Cohort delivers to it.
//!
//! This is not the other server's code: it replays the shapes that server sends (written from
//! its documentation and source, see `tests/fixtures/README.md`). What it checks is Cohort's
//! side of the exchange, end to end over HTTP: signature verification, parsing, storage,
//! threading, and what Cohort sends back.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime},
};

use axum::{
    Router,
    body::Bytes,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::get,
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use cohort::{
    federation::{rfc9421, signing},
    testing::{TestApp, eventually},
};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::Value;
use url::Url;

use crate::DEADLINE;

/// How a server signs its deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// draft-cavage `Signature`: the `algorithm` parameter it writes (none for `None`) and the
    /// headers it covers, in its order.
    Cavage(Option<&'static str>, &'static [&'static str]),
    /// RFC 9421 `Signature-Input`/`Signature` with `Content-Digest`.
    Rfc9421,
}

/// The servers whose payloads the fixtures hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Software {
    /// Mastodon 4.x.
    Mastodon,
    /// Lemmy 0.19.
    Lemmy,
    /// Mbin.
    Mbin,
    /// PieFed.
    PieFed,
    /// NodeBB 4.
    NodeBB,
    /// Misskey (and Sharkey, which sends the same shapes).
    Misskey,
    /// GoToSocial.
    GoToSocial,
    /// Mitra (a Mastodon-API microblog).
    Mitra,
}

impl Software {
    /// Its fixture directory, which is also the placeholder host `https://<dir>.example`.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Mastodon => "mastodon",
            Self::Lemmy => "lemmy",
            Self::Mbin => "mbin",
            Self::PieFed => "piefed",
            Self::NodeBB => "nodebb",
            Self::Misskey => "misskey",
            Self::GoToSocial => "gotosocial",
            Self::Mitra => "mitra",
        }
    }

    /// The `software.name` its NodeInfo gives (each server's nodeinfo code).
    pub fn nodeinfo_name(self) -> &'static str {
        self.dir()
    }

    /// Whether it reads a new post from the group's `Announce{Create{Page}}` alone (the
    /// Lemmy family: it refuses the plain `Announce{Note}` with a 400).
    pub fn reads_one_announce(self) -> bool {
        matches!(self, Self::Lemmy | Self::Mbin | Self::PieFed | Self::NodeBB)
    }

    /// How it signs a POST (from each server's source; see `docs/interop.md`).
    pub fn signing(self) -> Signing {
        match self {
            // app/lib/request.rb: rsa-sha256 over (request-target) host date digest
            // content-type.
            Self::Mastodon => Signing::Cavage(
                Some("rsa-sha256"),
                &["(request-target)", "host", "date", "digest", "content-type"],
            ),
            // activitypub_federation (http-signature-normalization): hs2019, every header it
            // sets, sorted.
            Self::Lemmy => Signing::Cavage(
                Some("hs2019"),
                &["(request-target)", "content-type", "date", "digest", "host"],
            ),
            Self::Mbin => Signing::Cavage(
                Some("rsa-sha256"),
                &["(request-target)", "host", "date", "digest"],
            ),
            Self::PieFed => Signing::Cavage(
                Some("rsa-sha256"),
                &["(request-target)", "host", "date", "digest", "content-type"],
            ),
            // NodeBB writes no algorithm at all.
            Self::NodeBB => Signing::Cavage(None, &["(request-target)", "host", "date", "digest"]),
            Self::Misskey => Signing::Cavage(
                Some("rsa-sha256"),
                &["(request-target)", "date", "host", "digest"],
            ),
            Self::GoToSocial => Signing::Cavage(
                Some("hs2019"),
                &["(request-target)", "host", "date", "digest"],
            ),
            // apx_core/src/http_signatures/create.rs: rsa-sha256 for an RSA key.
            Self::Mitra => Signing::Cavage(
                Some("rsa-sha256"),
                &["(request-target)", "host", "date", "digest"],
            ),
        }
    }
}

/// Ways to spoil a signature, for tests of what Cohort refuses.
/// Where an activity's fate was decided ([`Peer::outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// The inbox answered it (a refusal before it was stored, or 202 for a type ignored).
    AtTheInbox,
    /// It was stored (202) and then acted on by the inbound queue's workers.
    ActedOn,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Tamper {
    /// Sign as if this many seconds ago (negative: in the future).
    pub age: Option<i64>,
    /// Cover these headers instead of the server's own list (draft-cavage).
    pub covered: Option<&'static [&'static str]>,
    /// Write this `algorithm` instead (draft-cavage).
    pub algorithm: Option<&'static str>,
    /// Send and sign this `Digest` instead of the body's.
    pub digest: Option<&'static str>,
}

/// A request Cohort made to the peer.
#[derive(Debug, Clone)]
pub struct Received {
    /// The path it was sent to.
    pub path: String,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body, parsed.
    pub body: Value,
}

/// Marks a document slot that answers with a redirect.
const REDIRECT: &str = "__redirect_to";

/// What the peer's NodeInfo does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NodeInfo {
    /// Answers as the server does: `/.well-known/nodeinfo` links `/nodeinfo/2.1` (2.0 for
    /// NodeBB and Mitra, which serve that one), which names the software.
    #[default]
    Served,
    /// 404 (a server without NodeInfo).
    Missing,
    /// Answers after 30 seconds.
    Slow,
    /// Names the software after a megabyte of padding.
    Huge,
    /// Links a document at an internal address instead.
    Elsewhere,
}

#[derive(Default)]
struct Shared {
    documents: Mutex<HashMap<String, Value>>,
    received: Mutex<Vec<Received>>,
    fetches: Mutex<Vec<(String, HeaderMap)>>,
    nodeinfo: Mutex<(NodeInfo, String)>,
}

/// The NodeInfo path a server links, and its schema version.
fn nodeinfo_version(name: &str) -> &'static str {
    match name {
        "nodebb" | "mitra" => "2.0",
        _ => "2.1",
    }
}

async fn serve_nodeinfo(shared: &Shared, path: &str, host: &str) -> Option<Response> {
    let (mode, name) = shared.nodeinfo.lock().expect("lock").clone();
    let version = nodeinfo_version(&name);
    let doc_path = format!("/nodeinfo/{version}");
    if path != "/.well-known/nodeinfo" && path != doc_path {
        return None;
    }
    match mode {
        NodeInfo::Missing => return Some(StatusCode::NOT_FOUND.into_response()),
        NodeInfo::Slow => tokio::time::sleep(Duration::from_secs(30)).await,
        _ => {}
    }
    let json = [(header::CONTENT_TYPE, "application/json")];
    if path == "/.well-known/nodeinfo" {
        let href = if mode == NodeInfo::Elsewhere {
            format!("http://169.254.169.254{doc_path}")
        } else {
            format!("http://{host}{doc_path}")
        };
        let links = serde_json::json!({"links": [{
            "rel": format!("http://nodeinfo.diaspora.software/ns/schema/{version}"),
            "href": href,
        }]});
        return Some((json, links.to_string()).into_response());
    }
    let mut doc = serde_json::json!({
        "version": version,
        "software": {"name": name, "version": "1.0.0"},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": false,
        "usage": {"users": {"total": 1, "activeMonth": 1, "activeHalfyear": 1}, "localPosts": 0},
        "metadata": {},
    });
    if mode == NodeInfo::Huge {
        doc["metadata"]["padding"] = Value::String("x".repeat(1 << 20));
    }
    Some((json, doc.to_string()).into_response())
}

/// A running stand-in server.
pub struct Peer {
    /// Whose payloads it plays.
    pub software: Software,
    /// `http://localhost:PORT`.
    pub base: String,
    /// How it signs (defaults to [`Software::signing`]).
    pub signing: Signing,
    shared: Arc<Shared>,
    /// The key it signs with (PKCS#8 PEM); replace it to sign with a key the actors do not
    /// publish.
    pub private_pem: String,
    public_pem: String,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn fixture_text(software: Software, name: &str) -> String {
    let path = format!(
        "{}/../tests/fixtures/{}/{name}",
        env!("CARGO_MANIFEST_DIR"),
        software.dir()
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn serve_get(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    query: Query<HashMap<String, String>>,
) -> Response {
    let path = uri.path().to_string();
    shared
        .fetches
        .lock()
        .expect("lock")
        .push((path.clone(), headers.clone()));
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if let Some(r) = serve_nodeinfo(&shared, &path, host).await {
        return r;
    }
    let docs = shared.documents.lock().expect("lock");
    if path == "/.well-known/webfinger" {
        let Some(resource) = query.get("resource") else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        let name = resource
            .strip_prefix("acct:")
            .and_then(|r| r.split('@').next())
            .unwrap_or_default();
        let found = docs.values().find(|d| {
            d["preferredUsername"] == name && d.get("inbox").is_some() && d.get("id").is_some()
        });
        return match found {
            Some(actor) => (
                [(header::CONTENT_TYPE, "application/jrd+json")],
                serde_json::json!({
                    "subject": resource,
                    "links": [{"rel": "self", "type": "application/activity+json", "href": actor["id"]}]
                })
                .to_string(),
            )
                .into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    match docs.get(&path) {
        Some(Value::Null) => StatusCode::GONE.into_response(),
        Some(Value::Object(m)) if m.contains_key(REDIRECT) => (
            StatusCode::FOUND,
            [(header::LOCATION, m[REDIRECT].as_str().unwrap_or_default())],
        )
            .into_response(),
        Some(doc) => (
            [(header::CONTENT_TYPE, "application/activity+json")],
            doc.to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serve_post(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let Ok(body) = serde_json::from_slice(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    shared.received.lock().expect("lock").push(Received {
        path: uri.path().to_string(),
        headers,
        body,
    });
    StatusCode::ACCEPTED
}

impl Peer {
    /// Starts a stand-in for `software` on a free loopback port.
    pub async fn start(software: Software) -> Self {
        let shared = Arc::new(Shared::default());
        *shared.nodeinfo.lock().expect("lock") =
            (NodeInfo::Served, software.nodeinfo_name().to_string());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let app = Router::new()
            .fallback(get(serve_get).post(serve_post))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let key = cohort::testing::test_key();
        let private_pem = key.to_pkcs8_pem(LineEnding::LF).expect("PEM").to_string();
        let public_pem = rsa::RsaPublicKey::from(&key)
            .to_public_key_pem(LineEnding::LF)
            .expect("PEM");
        Self {
            software,
            base: format!("http://localhost:{port}"),
            signing: software.signing(),
            shared,
            private_pem,
            public_pem,
            server,
        }
    }

    /// The fixture `name` of this server, with its placeholder hosts made real: the server's
    /// own (`https://<dir>.example`) becomes this peer, `https://cohort.example` becomes
    /// `app`. `subs` are applied first (e.g. the fixture's post id → a real post's id).
    pub fn fixture(&self, name: &str, app: &TestApp, subs: &[(&str, &str)]) -> Value {
        let mut text = fixture_text(self.software, name);
        for (from, to) in subs {
            text = text.replace(from, to);
        }
        let text = text
            .replace(
                &format!("https://{}.example", self.software.dir()),
                &self.base,
            )
            .replace("https://cohort.example", &format!("http://{}", app.domain));
        let mut doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Some(key) = doc.get_mut("publicKey") {
            key["publicKeyPem"] = Value::String(self.public_pem.clone());
        }
        doc
    }

    /// Another person on this peer, shaped like `actor` (a server writes every actor alike):
    /// `path` replaces the path of `actor`'s id, its last segment the name. Served at once.
    pub fn another_actor(&self, actor: &Value, path: &str) -> Value {
        let id = actor["id"].as_str().expect("an actor id");
        let old_path = Url::parse(id).expect("id URL").path().to_string();
        let old_name = actor["preferredUsername"]
            .as_str()
            .expect("a preferredUsername")
            .to_string();
        let new_name = path.rsplit('/').next().unwrap_or(path);
        let text = actor
            .to_string()
            .replace(&old_path, path)
            .replace(&format!("\"{old_name}\""), &format!("\"{new_name}\""));
        let doc: Value = serde_json::from_str(&text).expect("JSON");
        self.publish(&doc);
        doc
    }

    /// Makes its NodeInfo do `mode`.
    pub fn set_nodeinfo(&self, mode: NodeInfo) {
        self.shared.nodeinfo.lock().expect("lock").0 = mode;
    }

    /// How many times Cohort asked for its NodeInfo links.
    pub fn nodeinfo_fetches(&self) -> usize {
        self.fetches()
            .iter()
            .filter(|(p, _)| p == "/.well-known/nodeinfo")
            .count()
    }

    /// Serves `doc` at the path of its `id` (an actor, an object).
    pub fn publish(&self, doc: &Value) {
        let id = doc["id"].as_str().expect("a document with an id");
        let path = Url::parse(id).expect("id URL").path().to_string();
        self.shared
            .documents
            .lock()
            .expect("lock")
            .insert(path, doc.clone());
    }

    /// The document this peer serves for `id`.
    pub fn document(&self, id: &str) -> Option<Value> {
        let path = Url::parse(id).ok()?.path().to_string();
        self.shared
            .documents
            .lock()
            .expect("lock")
            .get(&path)
            .filter(|d| !d.is_null())
            .cloned()
    }

    /// Signs `activity` as its own `actor` (which this peer must serve) and posts it to
    /// `path` on `app`.
    pub async fn send(&self, app: &TestApp, path: &str, activity: &Value) -> u16 {
        let actor = activity["actor"]
            .as_str()
            .and_then(|a| self.document(a))
            .unwrap_or_else(|| panic!("the peer serves no actor for {activity}"));
        self.deliver(app, path, &actor, activity).await
    }

    /// Answers `path` with `302 Found` to `location` from now on.
    pub fn redirect(&self, path: &str, location: &str) {
        self.shared
            .documents
            .lock()
            .expect("lock")
            .insert(path.to_string(), serde_json::json!({ REDIRECT: location }));
    }

    /// Answers 410 Gone for `id` from now on (a deleted account or object).
    pub fn gone(&self, id: &str) {
        let path = Url::parse(id).expect("id URL").path().to_string();
        self.shared
            .documents
            .lock()
            .expect("lock")
            .insert(path, Value::Null);
    }

    /// Serves fixture `name` (an actor) and returns it.
    pub fn actor(&self, name: &str, app: &TestApp) -> Value {
        let doc = self.fixture(name, app, &[]);
        self.publish(&doc);
        doc
    }

    /// What Cohort delivered to this peer so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("lock").clone()
    }

    /// The paths Cohort fetched from this peer, with the request headers.
    pub fn fetches(&self) -> Vec<(String, HeaderMap)> {
        self.shared.fetches.lock().expect("lock").clone()
    }

    /// Waits until Cohort has delivered an activity that `matches`; returns it.
    pub async fn wait_for(&self, what: &str, matches: impl Fn(&Value) -> bool) -> Received {
        eventually(what, DEADLINE, || async {
            self.received().into_iter().find(|r| matches(&r.body))
        })
        .await
    }

    /// Signs `activity` as `actor` (an actor document this peer serves) would and posts it to
    /// `path` on `app`; returns the status Cohort answered.
    pub async fn deliver(&self, app: &TestApp, path: &str, actor: &Value, activity: &Value) -> u16 {
        let body = serde_json::to_vec(activity).expect("JSON");
        let key_id = actor["publicKey"]["id"].as_str().expect("a key id");
        let headers = self.sign(app, path, key_id, &body, Tamper::default());
        self.post_raw(app, path, headers, body).await
    }

    /// The headers that sign a POST of `body` to `path` on `app` with key `key_id`, as this
    /// peer signs, changed as `tamper` says.
    pub fn sign(
        &self,
        app: &TestApp,
        path: &str,
        key_id: &str,
        body: &[u8],
        tamper: Tamper,
    ) -> Vec<(String, String)> {
        let key = signing::PrivateKey::from_pem(&self.private_pem).expect("key");
        let content_type = "application/activity+json";
        let mut headers = vec![("content-type".to_string(), content_type.to_string())];
        let now = SystemTime::now();
        let when = match tamper.age {
            Some(age) if age >= 0 => now - Duration::from_secs(age.unsigned_abs()),
            Some(age) => now + Duration::from_secs(age.unsigned_abs()),
            None => now,
        };
        match self.signing {
            Signing::Cavage(algorithm, covered) => {
                let covered: Vec<&str> = match tamper.covered {
                    Some(c) => c.to_vec(),
                    None => covered.to_vec(),
                };
                let algorithm = tamper.algorithm.or(algorithm);
                let date = httpdate::fmt_http_date(when);
                let digest = tamper
                    .digest
                    .map(str::to_string)
                    .unwrap_or_else(|| signing::digest_header(body));
                let mut lines = vec![];
                for h in &covered {
                    let value = match *h {
                        "(request-target)" => format!("post {path}"),
                        "host" => app.domain.clone(),
                        "date" => date.clone(),
                        "digest" => digest.clone(),
                        "content-type" => content_type.to_string(),
                        other => panic!("no value for {other}"),
                    };
                    lines.push(format!("{h}: {value}"));
                }
                let signature = B64.encode(key.sign(lines.join("\n").as_bytes()).expect("sign"));
                let algorithm = algorithm
                    .map(|a| format!("algorithm=\"{a}\","))
                    .unwrap_or_default();
                headers.push(("date".into(), date));
                headers.push(("digest".into(), digest));
                headers.push((
                    "signature".into(),
                    format!(
                        "keyId=\"{key_id}\",{algorithm}headers=\"{}\",signature=\"{signature}\"",
                        covered.join(" ")
                    ),
                ));
            }
            Signing::Rfc9421 => {
                let target = Url::parse(&format!("http://{}{path}", app.domain)).expect("URL");
                for (name, value) in
                    rfc9421::sign(&key, key_id, "POST", &target, Some(body), when, true)
                        .expect("sign")
                {
                    headers.push((name.to_string(), value));
                }
            }
        }
        headers
    }

    /// GETs `path` on `app` as ActivityPub JSON, signed with key `key_id` (an authorized
    /// fetch, draft-cavage over `(request-target) host date`); returns the status and body.
    pub async fn signed_get(&self, app: &TestApp, path: &str, key_id: &str) -> (u16, String) {
        let key = signing::PrivateKey::from_pem(&self.private_pem).expect("key");
        let target = Url::parse(&format!("http://{}{path}", app.domain)).expect("URL");
        let headers =
            signing::sign_get(&key, key_id, &target, SystemTime::now()).expect("signature");
        let mut request = app
            .client
            .get(format!("{}{path}", app.address))
            .header("accept", "application/activity+json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .expect("fetch");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// What became of activity `body`, which the inbox answered `status`: that status, or,
    /// when it was answered 202 (stored for the inbound queue) and a rule then refused it
    /// while it was acted on, the status of that refusal. The second of the pair says which.
    pub async fn outcome(app: &TestApp, status: u16, body: &[u8]) -> (u16, When) {
        if status != 202 {
            return (status, When::AtTheInbox);
        }
        let id = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned));
        match id {
            Some(id) => match app.refusal(&id).await {
                Some((refused, _)) => (refused, When::ActedOn),
                None => (202, When::ActedOn),
            },
            None => (202, When::AtTheInbox),
        }
    }

    /// Signs and sends `activity` as [`Peer::deliver`] does; returns what became of it
    /// ([`Peer::outcome`]).
    pub async fn deliver_outcome(
        &self,
        app: &TestApp,
        path: &str,
        actor: &Value,
        activity: &Value,
    ) -> (u16, When) {
        let status = self.deliver(app, path, actor, activity).await;
        let body = serde_json::to_vec(activity).expect("JSON");
        Self::outcome(app, status, &body).await
    }

    /// Posts `body` with exactly `headers` (plus `Host`) to `path` on `app`; after a 202,
    /// waits until the inbound queue has acted on it.
    pub async fn post_raw(
        &self,
        app: &TestApp,
        path: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> u16 {
        let status = self.post_unsettled(app, path, headers, body).await;
        // Stored for the inbound queue: wait for its workers, as the tests look for effects.
        if status == 202 {
            app.settle().await;
        }
        status
    }

    /// Signs and posts `activity` as [`Peer::send`] does, without waiting for the inbound
    /// queue to act on it.
    pub async fn send_unsettled(&self, app: &TestApp, path: &str, activity: &Value) -> u16 {
        let actor = activity["actor"]
            .as_str()
            .and_then(|a| self.document(a))
            .unwrap_or_else(|| panic!("the peer serves no actor for {activity}"));
        let body = serde_json::to_vec(activity).expect("JSON");
        let key_id = actor["publicKey"]["id"].as_str().expect("a key id");
        let headers = self.sign(app, path, key_id, &body, Tamper::default());
        self.post_unsettled(app, path, headers, body).await
    }

    /// Posts `body` with exactly `headers` (plus `Host`) to `path` on `app`; returns the
    /// status at once.
    pub async fn post_unsettled(
        &self,
        app: &TestApp,
        path: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> u16 {
        let mut request = app
            .client
            .post(format!("{}{path}", app.address))
            .header("host", &app.domain);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request
            .body(body)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .expect("deliver");
        response.status().as_u16()
    }
}
