//! Finding remote people, groups, posts and replies by handle and by URL, and the history a
//! new instance gets when its first member joins a remote group.

use cohort::testing::{eventually, id};
use federation_tests::{Cluster, DEADLINE, join, thread, wait_for_post};
use serde_json::json;

#[tokio::test]
async fn resolve_by_handle_and_by_url() {
    let cluster = Cluster::start(2).await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let bob = b.user("bob").await;
    b.group(&bob, "rust").await;
    let post = b.post_in(&bob, "rust", "Borrowing", "How?").await;
    let reply = b.reply_to(&bob, id(&post), None, "Like this").await;
    let alice = a.user("alice").await;
    let resolve = |q: String| {
        let alice = alice.clone();
        async move {
            a.post("/api/v1/resolve", Some(&alice), json!({"query": q}))
                .await
        }
    };
    let d = &b.domain;

    for q in [
        format!("!rust@{d}"),
        format!("rust@{d}"),
        format!("http://{d}/g/rust"),
    ] {
        let r = resolve(q.clone()).await;
        assert_eq!(r.status, 200, "{q}: {}", r.text);
        assert_eq!(r.json["type"], "group", "{q}");
        assert_eq!(r.json["group"]["handle"], format!("rust@{d}"));
        assert_eq!(r.json["group"]["local"], false);
    }
    for q in [format!("@bob@{d}"), format!("http://{d}/u/bob")] {
        let r = resolve(q.clone()).await;
        assert_eq!(r.status, 200, "{q}: {}", r.text);
        assert_eq!(r.json["type"], "person");
        assert_eq!(r.json["person"]["handle"], format!("bob@{d}"));
    }
    let r = resolve(post["ap_id"].as_str().unwrap().to_string()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["type"], "post");
    assert_eq!(r.json["post"]["title"], "Borrowing");
    let r = resolve(reply["ap_id"].as_str().unwrap().to_string()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["type"], "reply");
    assert_eq!(r.json["reply"]["body"], "Like this");
    // The reply pulled its thread in: the post is now known on A.
    let known = a
        .get(
            &format!("/api/v1/posts/{}", r.json["reply"]["post_id"]),
            None,
        )
        .await;
    assert_eq!(known.json["title"], "Borrowing");

    assert_eq!(resolve(format!("!nosuch@{d}")).await.status, 404);
    assert_eq!(
        resolve(format!("http://{d}/posts/999999")).await.status,
        404
    );
    assert_eq!(resolve("   ".into()).await.status, 400);
    assert_eq!(resolve("http://".into()).await.status, 400);
    let r = a
        .post(
            "/api/v1/resolve",
            None,
            json!({"query": format!("!rust@{d}")}),
        )
        .await;
    assert_eq!(
        r.status, 401,
        "resolving makes the server fetch: members only"
    );
}

#[tokio::test]
async fn backfill_gives_a_new_member_the_groups_history() {
    let cluster = Cluster::start(2).await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let bob = b.user("bob").await;
    b.group(&bob, "history").await;
    let first = b
        .post_in(&bob, "history", "Old question", "Asked long ago")
        .await;
    let answer = b.reply_to(&bob, id(&first), None, "An old answer").await;
    b.reply_to(&bob, id(&first), Some(id(&answer)), "A follow-up")
        .await;
    b.post_in(&bob, "history", "Another one", "").await;

    let alice = a.user("alice").await;
    let handle = format!("history@{}", b.domain);
    join(a, &alice, &handle).await;
    wait_for_post(a, &handle, "Another one").await;
    let old = wait_for_post(a, &handle, "Old question").await;
    assert_eq!(old["author"]["handle"], format!("bob@{}", b.domain));
    let t = eventually("the old thread on A", DEADLINE, || async {
        let t = thread(a, id(&old)).await;
        (t["replies"][0]["children"][0]["body"] == "A follow-up").then_some(t)
    })
    .await;
    assert_eq!(t["replies"][0]["body"], "An old answer");
    assert_eq!(t["reply_count"], 2);
}
