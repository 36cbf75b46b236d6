//! Joining and leaving a group on another instance (Follow → Accept, Undo{Follow}).

use std::time::Duration;

use cohort::testing::{TestApp, eventually};
use federation_tests::Cluster;
use serde_json::{Value, json};

const DEADLINE: Duration = Duration::from_secs(20);

async fn followers(app: &TestApp, group: &str) -> u64 {
    let r = app
        .client
        .get(format!("{}/g/{group}/followers", app.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let doc: Value = r.json().await.unwrap();
    doc["totalItems"].as_u64().unwrap()
}

async fn state_of(app: &TestApp, token: &str, handle: &str) -> Option<String> {
    let r = app.get("/api/v1/me/groups", Some(token)).await;
    r.json
        .as_array()?
        .iter()
        .find(|m| m["group"]["handle"] == handle)
        .map(|m| m["state"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn join_a_remote_group_and_leave_it() {
    let cluster = Cluster::start(2).await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let owner = b.user("owner").await;
    b.group(&owner, "rust").await;
    let alice = a.user("alice").await;
    let handle = format!("rust@{}", b.domain);

    let r = a
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.json["state"], "pending");

    // B accepts; A records the membership.
    eventually("the Accept to reach A", DEADLINE, || async {
        (state_of(a, &alice, &handle).await.as_deref() == Some("joined")).then_some(())
    })
    .await;
    assert_eq!(followers(b, "rust").await, 1);

    // The Follow A sent is fetchable at its id.
    let alice_id = cohort::storage::persons::find_local(&a.ctx.db, "alice")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (group, _) = cohort::storage::followers::of_person(&a.ctx.db, alice_id)
        .await
        .unwrap()
        .remove(0);
    let row = cohort::storage::followers::find(&a.ctx.db, group.id, alice_id)
        .await
        .unwrap();
    let follow_ap_id = row
        .and_then(|f| f.follow_ap_id)
        .expect("the follow's id is kept");
    let r = a
        .client
        .get(follow_ap_id.replace(&format!("http://{}", a.domain), &a.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["type"], "Follow");
    assert_eq!(doc["id"], follow_ap_id.as_str());
    assert_eq!(doc["object"], format!("http://{}/g/rust", b.domain));

    // A now knows the group: its handle resolves locally, with B's description.
    let g = a.get(&format!("/api/v1/groups/{handle}"), None).await;
    assert_eq!(g.status, 200, "{}", g.text);
    assert_eq!(g.json["local"], false);
    assert_eq!(g.json["title"], "The rust group");
    assert_eq!(g.json["ap_id"], format!("http://{}/g/rust", b.domain));

    // Joining again changes nothing.
    let r = a
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!((r.status, r.json["state"].as_str()), (200, Some("joined")));

    let r = a
        .request(
            "DELETE",
            &format!("/api/v1/groups/{handle}/join"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(state_of(a, &alice, &handle).await, None);
    eventually("the Undo to reach B", DEADLINE, || async {
        (followers(b, "rust").await == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn joining_a_local_group_is_immediate_and_unknown_remote_groups_are_404() {
    let cluster = Cluster::start(2).await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let alice = a.user("alice").await;
    a.group(&alice, "local_one").await;
    let r = a
        .post("/api/v1/groups/local_one/join", Some(&alice), json!({}))
        .await;
    assert_eq!((r.status, r.json["state"].as_str()), (200, Some("joined")));
    assert_eq!(followers(a, "local_one").await, 1);

    let r = a
        .post(
            &format!("/api/v1/groups/nosuch@{}/join", b.domain),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = a
        .post("/api/v1/groups/nosuch/join", Some(&alice), json!({}))
        .await;
    assert_eq!(r.status, 404);
    let r = a
        .post(
            &format!("/api/v1/groups/x@{}/join", b.domain),
            None,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 401);
}
