//! An instance block, across two real instances: B blocks A; A's activities are refused, A
//! is no longer delivered to or looked up, and both flow again once the block is lifted.

use std::time::Duration;

use cohort::{
    domain::{Ctx, instances},
    storage::snapshot::REFRESH,
    testing::eventually,
};
use federation_tests::{Cluster, DEADLINE, find_post, join, wait_for_post};
use serde_json::json;

#[tokio::test]
async fn a_blocked_instance_is_refused_and_not_delivered_to() {
    let cluster = Cluster::start(2).await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let owner = b.user("owner").await;
    b.group(&owner, "rust").await;
    let alice = a.user("alice").await;
    let handle = format!("rust@{}", b.domain);
    join(a, &alice, &handle).await;
    b.post_in(&owner, "rust", "Before the block", "seen everywhere")
        .await;
    wait_for_post(a, &handle, "Before the block").await;

    // The admin blocks A from outside the server, as `cohort admin block-instance` does: the
    // running server sees it within REFRESH.
    let admin = Ctx::new(b.ctx.db.clone(), b.ctx.instance.clone());
    let (host, new) = instances::block(&admin, &format!("http://{}/", a.domain), Some("spam"))
        .await
        .unwrap();
    assert_eq!((host.as_str(), new), (a.domain.as_str(), true));
    tokio::time::sleep(REFRESH + Duration::from_millis(300)).await;

    // A's member posts in the group: B refuses the Create, and nothing is stored.
    let refused = "cohort_inbound_activities_total{type=\"Create\",outcome=\"refused\"}";
    let before = b.metric(refused).await;
    let r = a
        .post(
            &format!("/api/v1/groups/{handle}/posts"),
            Some(&alice),
            json!({"title": "From a blocked place", "body": "…"}),
        )
        .await;
    assert_eq!(r.status, 201, "A stores it locally: {}", r.text);
    eventually("B to refuse A's Create", DEADLINE, || async {
        (b.metric(refused).await > before).then_some(())
    })
    .await;
    assert!(find_post(b, "rust", "From a blocked place").await.is_none());

    // B's group posts: the Announce is refused at B's side, never sent to A.
    let skipped = "cohort_deliveries_total{outcome=\"refused\"}";
    let before = b.metric(skipped).await;
    b.post_in(&owner, "rust", "During the block", "not for A")
        .await;
    eventually("B to skip A's inbox", DEADLINE, || async {
        (b.metric(skipped).await > before).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(find_post(a, &handle, "During the block").await.is_none());

    // Nothing on A is looked up from B.
    let member = b.user("member").await;
    let r = b
        .post(
            "/api/v1/resolve",
            Some(&member),
            json!({"query": format!("@alice@{}", a.domain)}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.json["error"], "instance_blocked");

    // Lifted: both directions work again.
    instances::unblock(&admin, &a.domain).await.unwrap();
    tokio::time::sleep(REFRESH + Duration::from_millis(300)).await;
    a.post_in(&alice, &handle, "After the block", "welcome back")
        .await;
    wait_for_post(b, "rust", "After the block").await;
    b.post_in(&owner, "rust", "Hello again", "for A too").await;
    wait_for_post(a, &handle, "Hello again").await;
    assert!(
        find_post(a, &handle, "During the block").await.is_none(),
        "what was refused during the block is not sent afterwards"
    );
}

/// Content stored before a block is hidden once its instance is blocked: its posts leave the
/// group's list, its replies keep their place in the thread without author or text.
#[tokio::test]
async fn a_blocked_instances_content_is_hidden() {
    let cluster = Cluster::start(2).await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let owner = b.user("owner").await;
    b.group(&owner, "rust").await;
    let alice = a.user("alice").await;
    let handle = format!("rust@{}", b.domain);
    join(a, &alice, &handle).await;
    let own = b.post_in(&owner, "rust", "Owner's thread", "").await;
    wait_for_post(a, &handle, "Owner's thread").await;
    let on_a = find_post(a, &handle, "Owner's thread").await.unwrap();
    a.reply_to(&alice, cohort::testing::id(&on_a), None, "alice answers")
        .await;
    a.post_in(&alice, &handle, "Alice's thread", "").await;
    wait_for_post(b, "rust", "Alice's thread").await;
    eventually("alice's reply on B", DEADLINE, || async {
        let t = federation_tests::thread(b, cohort::testing::id(&own)).await;
        (t["replies"].as_array()?.len() == 1).then_some(())
    })
    .await;

    let admin = Ctx::new(b.ctx.db.clone(), b.ctx.instance.clone());
    instances::block(&admin, &a.domain, None).await.unwrap();
    tokio::time::sleep(REFRESH + Duration::from_millis(300)).await;
    assert!(
        find_post(b, "rust", "Alice's thread").await.is_none(),
        "not listed"
    );
    let t = federation_tests::thread(b, cohort::testing::id(&own)).await;
    let reply = &t["replies"][0];
    assert_eq!(reply["hidden"], true, "{t}");
    assert_eq!(reply["body_html"], "");
    assert!(reply["author"].is_null());
    // Lifted: shown again (nothing was deleted).
    instances::unblock(&admin, &a.domain).await.unwrap();
    tokio::time::sleep(REFRESH + Duration::from_millis(300)).await;
    assert!(find_post(b, "rust", "Alice's thread").await.is_some());
    let t = federation_tests::thread(b, cohort::testing::id(&own)).await;
    assert_eq!(t["replies"][0]["body_html"], "<p>alice answers</p>\n");
}

/// Under the allowlist policy only allowed instances federate: C, not allowed, is refused
/// like a blocked instance and not delivered to; A, allowed, takes part.
#[tokio::test]
async fn under_an_allowlist_only_allowed_instances_federate() {
    let b = cohort::testing::TestApp::spawn_with(|c| {
        c.federation.policy = cohort::config::FederationPolicy::Allowlist
    })
    .await;
    let a = cohort::testing::TestApp::spawn().await;
    let c = cohort::testing::TestApp::spawn().await;
    let owner = b.user("owner").await;
    b.group(&owner, "rust").await;
    let admin = Ctx::new(b.ctx.db.clone(), b.ctx.instance.clone());
    instances::allow(&admin, &format!("http://{}/", a.domain))
        .await
        .unwrap();
    tokio::time::sleep(REFRESH + Duration::from_millis(300)).await;
    let handle = format!("rust@{}", b.domain);

    let alice = a.user("alice").await;
    join(&a, &alice, &handle).await;
    a.post_in(&alice, &handle, "Allowed", "").await;
    wait_for_post(&b, "rust", "Allowed").await;

    let carol = c.user("carol").await;
    let r = c
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(&carol),
            json!({}),
        )
        .await;
    assert!(r.status >= 400 || r.json["state"] != "joined", "{}", r.text);
    let refused = "cohort_inbound_activities_total{type=\"Follow\",outcome=\"refused\"}";
    eventually("B to refuse C's Follow", DEADLINE, || async {
        (b.metric(refused).await > 0).then_some(())
    })
    .await;
    let member = b.user("member").await;
    let r = b
        .post(
            "/api/v1/resolve",
            Some(&member),
            json!({"query": format!("@carol@{}", c.domain)}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.json["error"], "instance_not_allowed");
}
