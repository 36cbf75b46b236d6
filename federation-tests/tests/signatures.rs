//! Inbound activities must carry a valid HTTP signature by their actor's key.

use std::time::Duration;

use activitypub_federation::{
    activity_sending::SendActivityTask,
    config::{Data, FederationConfig},
    http_signatures::generate_actor_keypair,
    protocol::public_key::PublicKey,
    traits::{Activity, Actor, Object},
};
use async_trait::async_trait;
use cohort::{storage, testing::TestApp};

use federation_tests::Cluster;
use serde_json::{Value, json};
use url::Url;

/// Someone who signs as `id` with `private_key`, which may or may not be the real one.
#[derive(Debug)]
struct Signer {
    id: Url,
    private_key: String,
}

#[async_trait]
impl Object for Signer {
    type DataType = ();
    type Kind = Value;
    type Error = activitypub_federation::error::Error;
    fn id(&self) -> &Url {
        &self.id
    }
    async fn read_from_id(_: Url, _: &Data<()>) -> Result<Option<Self>, Self::Error> {
        Ok(None)
    }
    async fn into_json(self, _: &Data<()>) -> Result<Value, Self::Error> {
        Ok(Value::Null)
    }
    async fn verify(_: &Value, _: &Url, _: &Data<()>) -> Result<(), Self::Error> {
        Ok(())
    }
    async fn from_json(_: Value, _: &Data<()>) -> Result<Self, Self::Error> {
        Err(Self::Error::NotFound)
    }
}

impl Actor for Signer {
    fn public_key_pem(&self) -> &str {
        ""
    }
    fn private_key_pem(&self) -> Option<String> {
        Some(self.private_key.clone())
    }
    fn inbox(&self) -> Url {
        self.id.clone()
    }
    fn public_key(&self) -> PublicKey {
        PublicKey {
            id: format!("{}#main-key", self.id),
            owner: self.id.clone(),
            public_key_pem: String::new(),
        }
    }
}

#[derive(Debug, serde::Serialize)]
#[serde(transparent)]
struct Raw(Value, #[serde(skip)] Url, #[serde(skip)] Url);

#[async_trait]
impl Activity for Raw {
    type DataType = ();
    type Error = activitypub_federation::error::Error;
    fn id(&self) -> &Url {
        &self.1
    }
    fn actor(&self) -> &Url {
        &self.2
    }
    async fn verify(&self, _: &Data<()>) -> Result<(), Self::Error> {
        Ok(())
    }
    async fn receive(self, _: &Data<()>) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Signs `body` as `actor` with `key` and posts it to `inbox` (an id URL on `to`'s domain).
async fn send_signed(actor: &str, key: String, body: Value, inbox: &str) {
    let config = FederationConfig::builder()
        .domain("signer.invalid")
        .app_data(())
        .debug(true)
        .build()
        .await
        .unwrap();
    let data = config.to_request_data();
    let actor_url = Url::parse(actor).unwrap();
    let id = Url::parse(body["id"].as_str().unwrap()).unwrap();
    let signer = Signer {
        id: actor_url.clone(),
        private_key: key,
    };
    for task in SendActivityTask::prepare(
        &Raw(body, id, actor_url),
        &signer,
        vec![Url::parse(inbox).unwrap()],
        &data,
    )
    .await
    .unwrap()
    {
        let _ = task.sign_and_send(&data).await;
    }
}

async fn send_follow(from: &TestApp, to: &TestApp, actor: &str, key: String) {
    let id = format!(
        "http://{}/activities/follow/{}",
        from.domain,
        cohort::domain::random_hex(8)
    );
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Follow", "id": id, "actor": actor, "object": format!("http://{}/g/rust", to.domain)
    });
    // 4xx answers count as "delivered" for the sender; the effect is checked by the caller.
    send_signed(
        actor,
        key,
        body,
        &format!("http://{}/g/rust/inbox", to.domain),
    )
    .await;
}

async fn follower_count(app: &TestApp) -> u64 {
    let g = storage::groups::find_by_name(&app.ctx.db, "rust", &app.domain)
        .await
        .unwrap()
        .unwrap();
    storage::followers::count_accepted(&app.ctx.db, g.id)
        .await
        .unwrap()
}

#[tokio::test]
async fn forged_and_missing_signatures_are_refused() {
    cohort::install_crypto_provider();
    let cluster = Cluster::start(2).await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let owner = b.user("owner").await;
    b.group(&owner, "rust").await;
    a.user("alice").await;
    let alice_id = format!("http://{}/u/alice", a.domain);

    // No signature at all.
    let r = b
        .client
        .post(format!("{}/inbox", b.address))
        .header("content-type", "application/activity+json")
        .body(json!({"type": "Follow", "id": format!("http://{}/x", a.domain), "actor": alice_id, "object": format!("http://{}/g/rust", b.domain)}).to_string())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "unsigned: {}", r.status());

    // Signed, but with a key that is not alice's.
    let wrong = generate_actor_keypair().unwrap().private_key;
    send_follow(a, b, &alice_id, wrong).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        follower_count(b).await,
        0,
        "a forged Follow must change nothing"
    );

    // Control: the same Follow signed with alice's real key is accepted.
    let real = storage::persons::find_local(&a.ctx.db, "alice")
        .await
        .unwrap()
        .unwrap()
        .private_key
        .unwrap();
    send_follow(a, b, &alice_id, real).await;
    cohort::testing::eventually("the genuine Follow", Duration::from_secs(10), || async {
        (follower_count(b).await == 1).then_some(())
    })
    .await;
}

/// A hostile group, signing with its own genuine key, may not touch another group's content
/// nor speak for the receiving instance's members.
#[tokio::test]
async fn a_group_cannot_announce_what_is_not_its_own() {
    cohort::install_crypto_provider();
    let cluster = Cluster::start(3).await;
    let (a, b, c) = (
        &cluster.instances[0],
        &cluster.instances[1],
        &cluster.instances[2],
    );
    let alice = a.user("alice").await;
    a.group(&alice, "learning").await;
    let mallory = b.user("mallory").await;
    b.group(&mallory, "evil").await;
    let carol = c.user("carol").await;
    federation_tests::join(c, &carol, &format!("learning@{}", a.domain)).await;
    federation_tests::join(c, &carol, &format!("evil@{}", b.domain)).await;
    let post = a
        .post_in(&alice, "learning", "Genuine", "the real text")
        .await;
    let on_c =
        federation_tests::wait_for_post(c, &format!("learning@{}", a.domain), "Genuine").await;

    let evil_id = format!("http://{}/g/evil", b.domain);
    let evil_key = storage::groups::find_by_name(&b.ctx.db, "evil", &b.domain)
        .await
        .unwrap()
        .unwrap()
        .private_key
        .unwrap();
    let alice_id = format!("http://{}/u/alice", a.domain);
    let carol_id = format!("http://{}/u/carol", c.domain);
    let c_inbox = format!("http://{}/inbox", c.domain);
    let forged_update = json!({
        "type": "Announce", "id": format!("http://{}/activities/announce/x1", b.domain), "actor": evil_id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {"type": "Update", "id": format!("http://{}/activities/update/x1", a.domain), "actor": alice_id,
            "object": {"type": "Page", "id": post["ap_id"], "attributedTo": alice_id, "name": "HACKED",
                "content": "<p>HACKED</p>", "audience": evil_id, "updated": "2099-01-01T00:00:00Z",
                "to": ["https://www.w3.org/ns/activitystreams#Public"]}}
    });
    send_signed(&evil_id, evil_key.clone(), forged_update, &c_inbox).await;
    let forged_local = json!({
        "type": "Announce", "id": format!("http://{}/activities/announce/x2", b.domain), "actor": evil_id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {"type": "Create", "id": format!("http://{}/activities/create/x2", c.domain), "actor": carol_id,
            "object": {"type": "Page", "id": format!("http://{}/posts/999", c.domain), "attributedTo": carol_id,
                "name": "Words put in carol's mouth", "content": "<p>x</p>", "audience": evil_id,
                "to": ["https://www.w3.org/ns/activitystreams#Public"]}}
    });
    send_signed(&evil_id, evil_key, forged_local, &c_inbox).await;

    // Give C time to (wrongly) act, then check nothing changed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let t = c.get(&format!("/api/v1/posts/{}", on_c["id"]), None).await;
    assert_eq!(
        t.json["title"], "Genuine",
        "another group's post must not be edited"
    );
    assert_eq!(t.json["body_html"], "<p>the real text</p>\n");
    let evil_posts = c
        .get(&format!("/api/v1/groups/evil@{}/posts", b.domain), None)
        .await;
    assert_eq!(
        evil_posts.json["items"],
        json!([]),
        "nothing may be created in carol's name"
    );
}

#[tokio::test]
async fn a_member_elsewhere_joins_and_reads_a_group_that_requires_signed_fetches() {
    // A serves its documents only to signed requests; B fetches everything through its
    // instance actor's signature and takes part as usual.
    let a = TestApp::spawn_with(|c| c.federation.require_signed_fetch = true).await;
    let b = TestApp::spawn().await;
    let alice = a.user("alice").await;
    a.group(&alice, "closed").await;
    let handle = format!("closed@{}", a.domain);
    let unsigned = reqwest::Client::new()
        .get(format!("{}/g/closed", a.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);

    let bob = b.user("bob").await;
    federation_tests::join(&b, &bob, &handle).await;
    a.post_in(&alice, "closed", "Signed only", "Still reaches members.")
        .await;
    let seen = federation_tests::wait_for_post(&b, &handle, "Signed only").await;
    assert_eq!(seen["body_html"], "<p>Still reaches members.</p>\n");
}
