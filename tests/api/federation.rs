//! ActivityPub documents and discovery, fetched as a remote server would.

use cohort::testing::{TestApp, id};
use serde_json::{Value, json};

const AP: &str = "application/activity+json";
const LD: &str = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

async fn fetch(
    app: &TestApp,
    url: &str,
    accept: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let url = url.replace(&format!("http://{}", app.domain), &app.address);
    let url = if url.starts_with("http") {
        url
    } else {
        format!("{}{url}", app.address)
    };
    let r = app
        .client
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap())
}

async fn ap(app: &TestApp, url: &str) -> Value {
    let (status, headers, body) = fetch(app, url, AP).await;
    assert_eq!(status, 200, "{url}: {body}");
    assert_eq!(headers["content-type"], AP, "{url}");
    assert_eq!(headers["vary"], "Accept", "{url}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["@context"][0], "https://www.w3.org/ns/activitystreams");
    doc
}

#[tokio::test]
async fn webfinger_finds_people_groups_and_the_instance() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    app.group(&alice, "alice").await; // a name that is both a person and a group
    let wf = |resource: String| {
        let app = &app;
        async move {
            let r = app
                .client
                .get(format!("{}/.well-known/webfinger", app.address))
                .query(&[("resource", resource)])
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            assert_eq!(r.headers()["content-type"], "application/jrd+json");
            assert_eq!(r.headers()["access-control-allow-origin"], "*");
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let d = &app.domain;
    let (s, j) = wf(format!("acct:rust@{d}")).await;
    assert_eq!(s, 200);
    assert_eq!(j["subject"], format!("acct:rust@{d}"));
    let self_link = j["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .unwrap();
    assert_eq!(self_link["href"], format!("http://{d}/g/rust"));
    assert_eq!(self_link["type"], AP);
    assert_eq!(
        self_link["properties"]["https://www.w3.org/ns/activitystreams#type"],
        "Group"
    );

    let (s, j) = wf(format!("acct:alice@{d}")).await;
    assert_eq!(s, 200);
    let selfs: Vec<&Value> = j["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rel"] == "self")
        .collect();
    assert_eq!(selfs.len(), 2);
    assert_eq!(
        selfs[0]["href"],
        format!("http://{d}/u/alice"),
        "the person first"
    );
    assert_eq!(
        selfs[1]["href"],
        format!("http://{d}/g/alice"),
        "the group last"
    );

    for resource in [format!("acct:{d}@{d}"), d.clone(), format!("http://{d}/")] {
        let (s, j) = wf(resource.clone()).await;
        assert_eq!(s, 200, "{resource}");
        let href = j["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "self")
            .unwrap()["href"]
            .clone();
        assert_eq!(href, format!("http://{d}/actor"), "{resource}");
    }
    let (s, _) = wf(format!("http://{d}/u/alice")).await;
    assert_eq!(s, 200, "an actor URL resolves too");

    assert_eq!(wf(format!("acct:nobody@{d}")).await.0, 404);
    assert_eq!(wf("acct:alice@elsewhere.example".into()).await.0, 404);
    for bad in ["acct:", "acct:@", "alice", "mailto:x@y", "acct:alice"] {
        assert_eq!(wf(bad.into()).await.0, 400, "{bad}");
    }
    let r = app
        .client
        .get(format!("{}/.well-known/webfinger", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "resource is required");
}

#[tokio::test]
async fn host_meta_and_nodeinfo() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(format!("{}/.well-known/host-meta", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xrd+xml")
    );
    let xml = r.text().await.unwrap();
    assert!(
        xml.contains(&format!(
            "template=\"http://{}/.well-known/webfinger?resource={{uri}}\"",
            app.domain
        )),
        "{xml}"
    );

    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let p = app.post_in(&alice, "rust", "One", "").await;
    app.reply_to(&bob, id(&p), None, "Two").await;
    app.reply_to(&alice, id(&p), None, "Three").await;

    let links = app.get("/.well-known/nodeinfo", None).await;
    let href = links.json["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(href, format!("http://{}/nodeinfo/2.1", app.domain));
    for version in ["2.1", "2.0"] {
        let r = app.get(&format!("/nodeinfo/{version}"), None).await;
        assert_eq!(r.status, 200);
        let n = r.json;
        assert_eq!(n["version"], version);
        assert_eq!(n["software"]["name"], "cohort");
        assert_eq!(n["protocols"][0], "activitypub");
        assert_eq!(n["openRegistrations"], true);
        assert_eq!(n["usage"]["users"]["total"], 2);
        assert_eq!(n["usage"]["users"]["activeMonth"], 2);
        assert_eq!(n["usage"]["users"]["activeHalfyear"], 2);
        assert_eq!(n["usage"]["localPosts"], 1);
        assert_eq!(n["usage"]["localComments"], 2);
    }
}

#[tokio::test]
async fn actor_documents_negotiate_json_and_html() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    let d = &app.domain;

    let person = ap(&app, "/u/alice").await;
    assert_eq!(person["type"], "Person");
    assert_eq!(person["id"], format!("http://{d}/u/alice"));
    assert_eq!(person["preferredUsername"], "alice");
    assert_eq!(person["inbox"], format!("http://{d}/u/alice/inbox"));
    assert_eq!(
        person["endpoints"]["sharedInbox"],
        format!("http://{d}/inbox")
    );
    assert_eq!(
        person["publicKey"]["id"],
        format!("http://{d}/u/alice#main-key")
    );
    assert_eq!(person["publicKey"]["owner"], person["id"]);
    assert!(
        person["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    assert!(
        !serde_json::to_string(&person).unwrap().contains("PRIVATE"),
        "never the private key"
    );

    let group = ap(&app, "/g/rust").await;
    assert_eq!(group["type"], "Group");
    assert_eq!(group["preferredUsername"], "rust");
    assert_eq!(group["name"], "The rust group");
    assert_eq!(group["summary"], "<p>About <em>it</em>.</p>\n");
    assert_eq!(group["source"]["mediaType"], "text/markdown");
    assert_eq!(group["inbox"], format!("http://{d}/g/rust/inbox"));
    assert_ne!(
        group["publicKey"]["publicKeyPem"], person["publicKey"]["publicKeyPem"],
        "each actor has its own key"
    );
    let mods = ap(&app, group["attributedTo"].as_str().unwrap()).await;
    assert_eq!(mods["type"], "OrderedCollection");
    assert_eq!(mods["orderedItems"][0], person["id"]);
    let followers = ap(&app, group["followers"].as_str().unwrap()).await;
    assert_eq!(followers["totalItems"], 0);
    assert!(
        followers.get("orderedItems").is_none(),
        "the count is public, the list is not"
    );
    let featured = ap(&app, group["featured"].as_str().unwrap()).await;
    assert_eq!(featured["totalItems"], 0);

    // The same URL gives a page to a browser.
    let (status, headers, body) = fetch(&app, "/g/rust", "text/html,application/xhtml+xml").await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(headers["vary"], "Accept");
    assert!(body.contains("The rust group"));
    let (status, _, _) = fetch(&app, "/u/nobody", AP).await;
    assert_eq!(status, 404);

    let instance = ap(&app, "/actor").await;
    assert_eq!(instance["type"], "Application");
    assert_eq!(instance["id"], format!("http://{d}/actor"));
    let again = ap(&app, "/actor").await;
    assert_eq!(
        instance["publicKey"], again["publicKey"],
        "the instance key is made once"
    );
    // ActivityPub requires an outbox of every actor (PieFed reads it when it first meets an
    // instance); the instance actor's is empty.
    let outbox_id = instance["outbox"].as_str().expect("an outbox").to_string();
    assert_eq!(outbox_id, format!("http://{d}/actor/outbox"));
    let outbox = ap(&app, "/actor/outbox").await;
    assert_eq!(outbox["id"], outbox_id);
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 0);
}

#[tokio::test]
async fn posts_and_replies_name_their_audience() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let d = &app.domain;
    let p = app
        .post_in(&alice, "rust", "Lifetimes?", "How do *they* work?")
        .await;
    let a = app.reply_to(&bob, id(&p), None, "Like **this**").await;
    let b = app.reply_to(&alice, id(&p), Some(id(&a)), "Thanks").await;
    let group_id = format!("http://{d}/g/rust");

    for accept in [AP, LD] {
        let (status, _, body) = fetch(&app, p["ap_id"].as_str().unwrap(), accept).await;
        assert_eq!(status, 200, "{accept}");
        let page: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(page["type"], "Page");
        assert_eq!(page["id"], p["ap_id"]);
        assert_eq!(page["name"], "Lifetimes?");
        assert_eq!(page["attributedTo"], format!("http://{d}/u/alice"));
        assert_eq!(page["audience"], group_id);
        let to: Vec<&str> = page["to"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            to.contains(&group_id.as_str()) && to.contains(&PUBLIC),
            "{to:?}"
        );
        assert!(!body.contains("\"as:Public\""));
        assert_eq!(page["content"], "<p>How do <em>they</em> work?</p>\n");
        assert_eq!(page["mediaType"], "text/html");
        assert_eq!(page["source"]["content"], "How do *they* work?");
    }
    let note = ap(&app, a["ap_id"].as_str().unwrap()).await;
    assert_eq!(note["type"], "Note");
    assert_eq!(note["inReplyTo"], p["ap_id"]);
    assert_eq!(note["audience"], group_id);
    assert_eq!(note["content"], "<p>Like <strong>this</strong></p>\n");
    let nested = ap(&app, b["ap_id"].as_str().unwrap()).await;
    assert_eq!(
        nested["inReplyTo"], a["ap_id"],
        "a nested reply answers its parent"
    );

    let outbox = ap(&app, &format!("{group_id}/outbox")).await;
    assert_eq!(outbox["totalItems"], 1);
    let create = &outbox["orderedItems"][0];
    assert_eq!(create["type"], "Create");
    assert_eq!(create["object"]["id"], p["ap_id"]);
    let fetched = ap(&app, create["id"].as_str().unwrap()).await;
    assert_eq!(
        fetched["object"]["id"], p["ap_id"],
        "activities are fetchable by id"
    );

    // Deleted content answers 410 with a Tombstone.
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/replies/{}", id(&a)),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let (status, headers, body) = fetch(&app, a["ap_id"].as_str().unwrap(), AP).await;
    assert_eq!(status, 410);
    assert_eq!(headers["content-type"], AP);
    let tomb: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(tomb["type"], "Tombstone");
    assert_eq!(tomb["formerType"], "Note");
    assert!(!body.contains("Like"));
}

#[tokio::test]
async fn the_group_outbox_is_paged() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(app.post_in(&alice, "rust", &format!("post {i}"), "").await["ap_id"].clone());
    }
    let collection = ap(&app, "/g/rust/outbox").await;
    assert_eq!(collection["type"], "OrderedCollection");
    assert_eq!(collection["totalItems"], 25);
    assert_eq!(
        collection["orderedItems"].as_array().unwrap().len(),
        20,
        "the newest page inline"
    );
    let first = ap(&app, collection["first"].as_str().unwrap()).await;
    assert_eq!(first["type"], "OrderedCollectionPage");
    assert_eq!(first["partOf"], collection["id"]);
    let second = ap(&app, first["next"].as_str().unwrap()).await;
    assert!(second.get("next").is_none(), "the last page has no next");
    let seen: Vec<Value> = first["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["orderedItems"].as_array().unwrap())
        .map(|c| c["object"]["id"].clone())
        .collect();
    let newest_first: Vec<Value> = ids.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first, "every post once, newest first");
    let (status, _, _) = fetch(&app, "/g/rust/outbox?page=true&cursor=zz", AP).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn outside_debug_mode_internal_addresses_are_never_fetched() {
    let app = TestApp::spawn_with(|c| c.federation.debug = false).await;
    let alice = app.user("alice").await;
    // A second server on loopback that would answer if asked.
    let other = TestApp::spawn().await;
    let bob = other.user("bob").await;
    other.group(&bob, "rust").await;
    let port = other.address.rsplit(':').next().unwrap().to_string();
    for target in [
        format!("http://localhost:{port}/g/rust"),
        format!("https://localhost:{port}/g/rust"),
        format!("https://127.0.0.1:{port}/g/rust"),
        "https://10.0.0.1/g/rust".to_string(),
        "https://169.254.169.254/latest/meta-data".to_string(),
        "https://[::1]/g/rust".to_string(),
        format!("rust@localhost:{port}"),
    ] {
        let r = app
            .post(
                "/api/v1/resolve",
                Some(&alice),
                serde_json::json!({"query": target}),
            )
            .await;
        assert!(
            r.status == 400 || r.status == 404,
            "{target}: {} {}",
            r.status,
            r.text
        );
        assert_ne!(r.json["type"], "group", "{target} must not be fetched");
    }
    // Nothing about the group reached this instance's database.
    assert!(
        cohort::storage::groups::find_by_name(&app.ctx.db, "rust", &format!("localhost:{port}"))
            .await
            .unwrap()
            .is_none()
    );
}

/// A remote actor whose key can be changed, served from a loopback port; counts its fetches.
mod rotating {
    use std::sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    };

    use axum::{Router, extract::State, response::IntoResponse, routing::get};
    use serde_json::json;

    #[derive(Clone)]
    pub struct Actor {
        pub base: String,
        pub pem: Arc<Mutex<String>>,
        pub fetches: Arc<AtomicUsize>,
    }

    impl Actor {
        pub fn id(&self) -> String {
            format!("{}/actor", self.base)
        }
        pub fn fetches(&self) -> usize {
            self.fetches.load(Ordering::SeqCst)
        }
    }

    pub async fn start(pem: String) -> Actor {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let actor = Actor {
            base: format!("http://localhost:{}", listener.local_addr().unwrap().port()),
            pem: Arc::new(Mutex::new(pem)),
            fetches: Arc::default(),
        };
        let app = Router::new()
            .route("/actor", get(doc))
            .with_state(actor.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        actor
    }

    async fn doc(State(a): State<Actor>) -> impl IntoResponse {
        a.fetches.fetch_add(1, Ordering::SeqCst);
        let id = a.id();
        let body = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id, "type": "Person", "preferredUsername": "rotor",
            "inbox": format!("{id}/inbox"),
            "publicKey": {"id": format!("{id}#main-key"), "owner": id,
                          "publicKeyPem": *a.pem.lock().unwrap()},
        });
        (
            [("content-type", "application/activity+json")],
            body.to_string(),
        )
    }
}

#[tokio::test]
async fn a_rotated_key_is_fetched_again_at_most_once_a_minute() {
    use cohort::{
        federation::signing::{PrivateKey, sign_post},
        storage::entities::persons,
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::spawn().await;
    let token = app.user("ann").await;
    let group = app.group(&token, "keys").await;
    let pairs: Vec<_> = (0..3)
        .map(|_| activitypub_federation::http_signatures::generate_actor_keypair().unwrap())
        .collect();
    let actor = rotating::start(pairs[0].public_key.clone()).await;
    let mut n = 0;
    let mut send = |pair: usize, path: &str| {
        n += 1;
        let body = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{n}", actor.base),
            "type": "Follow",
            "actor": actor.id(),
            "object": group["ap_id"],
        })
        .to_string();
        let key = PrivateKey::from_pem(&pairs[pair].private_key).unwrap();
        // Always signed over `/inbox`, whatever query the request carries.
        let inbox = url::Url::parse(&format!("{}/inbox", app.address)).unwrap();
        let headers = sign_post(
            &key,
            &format!("{}#main-key", actor.id()),
            &inbox,
            body.as_bytes(),
            std::time::SystemTime::now(),
        )
        .unwrap();
        let mut r = app
            .client
            .post(format!("{}{path}", app.address))
            .header("content-type", "application/activity+json")
            .body(body);
        for (k, v) in headers {
            r = r.header(k, v);
        }
        async move { r.send().await.unwrap().status().as_u16() }
    };

    assert_eq!(send(0, "/inbox").await, 202);
    assert_eq!(actor.fetches(), 1);
    // The peer rotates its key. Our copy is seconds old: no fetch, refused.
    *actor.pem.lock().unwrap() = pairs[1].public_key.clone();
    assert_eq!(send(1, "/inbox").await, 401);
    assert_eq!(actor.fetches(), 1, "a fresh copy is not fetched again");
    // A minute later, a failing signature fetches the key once and succeeds.
    persons::Entity::update_many()
        .col_expr(
            persons::Column::UpdatedAt,
            Expr::value(cohort::domain::now() - chrono::Duration::minutes(2)),
        )
        .filter(persons::Column::ApId.eq(actor.id()))
        .exec(&app.ctx.db)
        .await
        .unwrap();
    assert_eq!(send(1, "/inbox").await, 202);
    assert_eq!(actor.fetches(), 2);
    // A key nobody published still fails, without another fetch.
    assert_eq!(send(2, "/inbox").await, 401);
    assert_eq!(actor.fetches(), 2);
    // A signature over the path alone is accepted when the request has a query.
    assert_eq!(send(1, "/inbox?from=relay").await, 202);
}

#[tokio::test]
async fn authorized_fetch_serves_documents_only_to_signed_requests() {
    use cohort::federation::signing::{PrivateKey, sign_get};
    let app = TestApp::spawn_with(|c| c.federation.require_signed_fetch = true).await;
    let token = app.user("ann").await;
    app.group(&token, "private").await;
    let pair = activitypub_federation::http_signatures::generate_actor_keypair().unwrap();
    let peer = rotating::start(pair.public_key.clone()).await;

    let (status, _, body) = fetch(&app, "/g/private", AP).await;
    assert_eq!(status, 401, "{body}");
    let (status, ..) = fetch(&app, "/posts/1/replies", AP).await;
    assert!(status == 401 || status == 404, "{status}");
    let (status, ..) = fetch(&app, "/actor", AP).await;
    assert_eq!(status, 200, "the instance actor stays public");
    let (status, ..) = fetch(&app, "/g/private", "text/html").await;
    assert_eq!(status, 200, "pages stay public");
    let (status, ..) = fetch(
        &app,
        &format!(
            "/.well-known/webfinger?resource=acct:private@{}",
            app.domain
        ),
        "application/jrd+json",
    )
    .await;
    assert_eq!(status, 200, "discovery stays public");

    let key = PrivateKey::from_pem(&pair.private_key).unwrap();
    let signed = |key_id: String| {
        let url = url::Url::parse(&format!("{}/g/private", app.address)).unwrap();
        let headers = sign_get(&key, &key_id, &url, std::time::SystemTime::now()).unwrap();
        let mut r = app.client.get(url).header("accept", AP);
        for (k, v) in headers {
            r = r.header(k, v);
        }
        async move { r.send().await.unwrap() }
    };
    let r = signed(format!("{}#main-key", peer.id())).await;
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["type"], "Group");
    // A key id naming an actor whose key did not sign is refused.
    let other = rotating::start(
        activitypub_federation::http_signatures::generate_actor_keypair()
            .unwrap()
            .public_key,
    )
    .await;
    assert_eq!(
        signed(format!("{}#main-key", other.id())).await.status(),
        401
    );
}

/// Lemmy looks for an instance's actor at its root: ActivityPub clients get the instance
/// actor there, browsers the page.
#[tokio::test]
async fn the_root_serves_the_instance_actor_to_activitypub_clients() {
    let app = TestApp::spawn().await;
    let actor = ap(&app, "/").await;
    assert_eq!(actor["type"], "Application");
    assert_eq!(actor["id"], format!("http://{}/actor", app.domain));
    let page = app.get("/", None).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("<title>Home · Cohort</title>"),
        "{}",
        page.text
    );
}

/// The language a post or reply is written in is stored, shown and sent both ways servers
/// read it: `contentMap`'s key (Mastodon) and `language` (Lemmy, PieFed). An edit can change
/// it; a malformed tag is refused.
#[tokio::test]
async fn the_language_of_a_post_and_a_reply_is_kept_and_sent() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    let r = app
        .post(
            "/api/v1/groups/rust/posts",
            Some(&alice),
            json!({"title": "Lebenszeiten", "body": "Wie *funktionieren* sie?", "language": "de"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["language"], "de");
    let post = r.json;
    let doc = ap(&app, post["ap_id"].as_str().unwrap()).await;
    assert_eq!(doc["contentMap"]["de"], doc["content"], "{doc}");
    assert_eq!(
        doc["language"],
        json!({"identifier": "de", "name": "German"})
    );
    let context = doc["@context"].to_string();
    assert!(context.contains("schema:inLanguage"), "{context}");

    let r = app
        .post(
            &format!("/api/v1/posts/{}/replies", id(&post)),
            Some(&alice),
            json!({"body": "Obrigado!", "language": "pt_br"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["language"], "pt-BR", "normalised");
    let reply = ap(&app, r.json["ap_id"].as_str().unwrap()).await;
    assert_eq!(reply["contentMap"]["pt-BR"], reply["content"], "{reply}");
    assert_eq!(reply["language"]["identifier"], "pt-BR");

    // Without a language nothing is claimed.
    let plain = app.post_in(&alice, "rust", "No language", "").await;
    assert_eq!(plain["language"], Value::Null);
    let doc = ap(&app, plain["ap_id"].as_str().unwrap()).await;
    assert!(
        doc.get("contentMap").is_none() && doc.get("language").is_none(),
        "{doc}"
    );

    // An edit changes it, or clears it with "".
    let path = format!("/api/v1/posts/{}", id(&post));
    let r = app
        .request(
            "PATCH",
            &path,
            Some(&alice),
            Some(&json!({"language": "fr"})),
        )
        .await;
    assert_eq!(
        (r.status, &r.json["language"]),
        (200, &json!("fr")),
        "{}",
        r.text
    );
    assert_eq!(r.json["title"], "Lebenszeiten", "the rest unchanged");
    let r = app
        .request("PATCH", &path, Some(&alice), Some(&json!({"language": ""})))
        .await;
    assert_eq!(r.json["language"], Value::Null, "{}", r.text);

    // Not a language tag: 400 naming the field, nothing stored.
    for bad in ["english", "<b>", "und-", "x"] {
        let r = app
            .post(
                "/api/v1/groups/rust/posts",
                Some(&alice),
                json!({"title": "Bad", "language": bad}),
            )
            .await;
        assert_eq!(
            (r.status, r.json["field"].as_str()),
            (400, Some("language")),
            "{bad}"
        );
    }
    let r = app
        .request(
            "PATCH",
            &path,
            Some(&alice),
            Some(&json!({"language": "english"})),
        )
        .await;
    assert_eq!(r.status, 400);
    let listed = app.get("/api/v1/groups/rust/posts?limit=100", None).await;
    assert_eq!(
        listed.json["items"].as_array().unwrap().len(),
        2,
        "{}",
        listed.text
    );
}
