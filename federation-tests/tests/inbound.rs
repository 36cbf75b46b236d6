//! The durable inbound queue seen from a sender: activities stored on arrival and acted on
//! later, in order for one object, once each even with several servers draining one
//! database; a poison activity parked without holding up the rest; a full queue answered
//! 429. A server with `inbound.workers = 0` only stores what arrives, so a burst can be
//! queued whole before a second server on the same database acts on it.

use cohort::{
    storage,
    testing::{TestApp, id},
};
use federation_tests::{
    peer::{Peer, Software},
    replies, thread,
};
use serde_json::{Value, json};

/// A server that stores what arrives and acts on none of it.
async fn accepting_only() -> TestApp {
    TestApp::spawn_with(|c| c.inbound.workers = 0).await
}

/// A second server on `app`'s database and domain, which acts on the queue.
async fn acting_on(app: &TestApp) -> TestApp {
    let (url, domain) = (app.database_url().to_string(), app.domain.clone());
    TestApp::spawn_with(move |c| {
        c.database.url = url;
        c.domain = domain;
    })
    .await
}

struct World {
    app: TestApp,
    peer: Peer,
    post: Value,
}

impl World {
    async fn new(app: TestApp) -> Self {
        let token = app.user("bob").await;
        app.group(&token, "rust").await;
        let post = app.post_in(&token, "rust", "Borrowing", "How?").await;
        let peer = Peer::start(Software::Mastodon).await;
        peer.actor("person.json", &app);
        Self { app, peer, post }
    }

    /// Mastodon fixture `name` about Bob's post, its status number replaced by `n`.
    fn activity(&self, name: &str, n: &str) -> Value {
        let post = self.post["ap_id"].as_str().unwrap().to_string();
        self.peer.fixture(
            name,
            &self.app,
            &[
                ("https://cohort.example/posts/7", &post),
                ("117614090649641217", n),
            ],
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_about_one_object_is_acted_on_in_arrival_order() {
    let w = World::new(accepting_only().await).await;
    // Reply 1: created, edited, deleted. Reply 2: created, edited. All queued at once.
    let burst = [
        w.activity("create_reply.json", "1001"),
        w.activity("update_reply.json", "1001"),
        w.activity("delete_reply.json", "1001"),
        w.activity("create_reply.json", "1002"),
        w.activity("update_reply.json", "1002"),
    ];
    // A reply to reply 3 arrives before reply 3 itself (which its server also serves).
    let parent = w.activity("create_reply.json", "1003");
    w.peer.publish(&parent["object"]);
    let child = w.peer.fixture(
        "create_reply_to_reply.json",
        &w.app,
        &[(
            "https://cohort.example/replies/9",
            parent["object"]["id"].as_str().unwrap(),
        )],
    );
    for a in burst.iter().chain([&child, &parent]) {
        assert_eq!(w.peer.send_unsettled(&w.app, "/inbox", a).await, 202);
    }
    let queued = storage::inbound::depth(&w.app.ctx.db).await.unwrap();
    assert_eq!(queued, 7, "stored, not yet acted on");

    let acting = acting_on(&w.app).await;
    acting.settle().await;
    let t = thread(&w.app, id(&w.post)).await;
    let all = replies(&t);
    let reply = |n: &str| {
        all.iter()
            .find(|r| r["ap_id"].as_str().unwrap_or_default().ends_with(n))
            .cloned()
    };
    // Created, then edited, then deleted: gone (or shown as deleted), not resurrected.
    assert!(
        reply("1001").is_none_or(|r| r["deleted"] == true),
        "{:?}",
        reply("1001")
    );
    let second = reply("1002").expect("reply 2");
    assert!(
        second.to_string().contains("Rustonomicon"),
        "the edit came after the creation: {second}"
    );
    let parent_reply = reply("1003").expect("reply 3");
    let children = parent_reply["children"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        children.iter().any(|c| c["ap_id"] == child["object"]["id"]),
        "the early reply is in its parent's thread: {all:?} {:?}",
        storage::inbound::stuck(&w.app.ctx.db, 10).await
    );
    assert_eq!(all.len(), 3 + usize::from(reply("1001").is_some()));
    assert_eq!(storage::inbound::depth(&w.app.ctx.db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_draining_one_queue_act_on_each_activity_once() {
    const N: usize = 120;
    let w = World::new(accepting_only().await).await;
    for i in 0..N {
        let a = w.activity("create_reply.json", &format!("{}", 2000 + i));
        assert_eq!(w.peer.send_unsettled(&w.app, "/inbox", &a).await, 202);
    }
    let (one, two) = tokio::join!(acting_on(&w.app), acting_on(&w.app));
    one.settle().await;
    let acted = r#"cohort_inbound_activities_total{type="Create",outcome="accepted"}"#;
    let (a, b) = (one.metric(acted).await, two.metric(acted).await);
    eprintln!("acted on: {a} by one server, {b} by the other");
    assert_eq!(a + b, N as u64, "each activity acted on once");
    let t = thread(&w.app, id(&w.post)).await;
    assert_eq!(replies(&t).len(), N);
    assert_eq!(t["reply_count"], N, "{}", t["reply_count"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_activity_is_parked_and_the_rest_go_on() {
    let w = World::new(TestApp::spawn_with(|c| c.inbound.attempts = 1).await).await;
    // A reply to a post on a server that does not answer: fetching its parent fails, so
    // acting on it fails each time (a transient failure, not a refusal).
    let poison = w.activity("create_reply.json", "3001");
    let mut poison = poison;
    poison["object"]["inReplyTo"] = json!("http://localhost:9/posts/1");
    assert_eq!(w.peer.send(&w.app, "/inbox", &poison).await, 202);
    let fine = w.activity("create_reply.json", "3002");
    assert_eq!(w.peer.send(&w.app, "/inbox", &fine).await, 202);

    let t = thread(&w.app, id(&w.post)).await;
    let all = replies(&t);
    assert_eq!(all.len(), 1, "the other activity was acted on");
    assert_eq!(all[0]["ap_id"], fine["object"]["id"]);
    let stuck = storage::inbound::stuck(&w.app.ctx.db, 10).await.unwrap();
    assert_eq!(stuck.len(), 1, "{stuck:?}");
    assert_eq!(stuck[0].state, "parked", "{stuck:?}");
    assert_eq!(stuck[0].ap_id, poison["id"].as_str().unwrap());
    assert!(stuck[0].error.is_some());
    assert_eq!(w.app.metric("cohort_inbound_parked").await, 1);

    // Put back by an admin, it fails again and is parked again; dropped, it is gone.
    assert!(
        storage::inbound::requeue(&w.app.ctx.db, stuck[0].id, cohort::domain::now())
            .await
            .unwrap()
    );
    w.app.settle().await;
    assert_eq!(w.app.metric("cohort_inbound_parked").await, 1);
    assert!(
        storage::inbound::drop_stuck(&w.app.ctx.db, stuck[0].id)
            .await
            .unwrap()
    );
    assert_eq!(w.app.metric("cohort_inbound_parked").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_is_answered_429_and_nothing_is_lost() {
    let app = TestApp::spawn_with(|c| {
        c.inbound.workers = 0;
        c.inbound.max_backlog = 3;
    })
    .await;
    let w = World::new(app).await;
    let mut statuses = vec![];
    for i in 0..4 {
        let a = w.activity("create_reply.json", &format!("{}", 4000 + i));
        statuses.push(w.peer.send_unsettled(&w.app, "/inbox", &a).await);
    }
    assert_eq!(statuses, [202, 202, 202, 429]);
    // What was answered 202 is acted on once a server works the queue.
    let acting = acting_on(&w.app).await;
    acting.settle().await;
    let t = thread(&w.app, id(&w.post)).await;
    assert_eq!(replies(&t).len(), 3);
}
