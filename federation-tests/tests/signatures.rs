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

async fn send_follow(from: &TestApp, to: &TestApp, actor: &str, key: String) {
    let config = FederationConfig::builder()
        .domain("signer.invalid")
        .app_data(())
        .debug(true)
        .build()
        .await
        .unwrap();
    let data = config.to_request_data();
    let actor_url = Url::parse(actor).unwrap();
    let id = Url::parse(&format!(
        "http://{}/activities/follow/{}",
        from.domain,
        cohort::domain::random_hex(8)
    ))
    .unwrap();
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Follow", "id": id, "actor": actor, "object": format!("http://{}/g/rust", to.domain)
    });
    let inbox = Url::parse(&format!("http://{}/g/rust/inbox", to.domain)).unwrap();
    let signer = Signer {
        id: actor_url.clone(),
        private_key: key,
    };
    for task in SendActivityTask::prepare(&Raw(body, id, actor_url), &signer, vec![inbox], &data)
        .await
        .unwrap()
    {
        // 4xx answers count as "delivered" for the sender; the effect is checked below.
        let _ = task.sign_and_send(&data).await;
    }
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
