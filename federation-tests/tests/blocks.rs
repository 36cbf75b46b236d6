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
