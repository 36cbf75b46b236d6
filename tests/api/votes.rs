use cohort::testing::{TestApp, id};
use serde_json::json;

#[tokio::test]
async fn vote_change_and_withdraw() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let pid = id(&app.post_in(&alice, "rust", "Q", "").await);
    let vote = |token: String, value: i64| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/posts/{pid}/vote"),
                Some(&token),
                json!({"value": value}),
            )
            .await
        }
    };
    let r = vote(alice.clone(), 1).await;
    assert_eq!(
        r.json,
        json!({"score": 1, "upvotes": 1, "downvotes": 0, "my_vote": 1})
    );
    let r = vote(bob.clone(), -1).await;
    assert_eq!(
        r.json,
        json!({"score": 0, "upvotes": 1, "downvotes": 1, "my_vote": -1})
    );
    let r = vote(bob.clone(), 1).await;
    assert_eq!(
        r.json,
        json!({"score": 2, "upvotes": 2, "downvotes": 0, "my_vote": 1}),
        "a changed vote replaces the old one"
    );
    let r = vote(bob.clone(), 1).await;
    assert_eq!(r.json["score"], 2, "voting twice counts once");
    let r = vote(alice.clone(), 0).await;
    assert_eq!(
        r.json,
        json!({"score": 1, "upvotes": 1, "downvotes": 0, "my_vote": null})
    );

    let r = app.get(&format!("/api/v1/posts/{pid}"), Some(&bob)).await;
    assert_eq!(
        (r.json["score"].as_i64(), r.json["my_vote"].as_i64()),
        (Some(1), Some(1))
    );
    let r = app.get(&format!("/api/v1/posts/{pid}"), Some(&alice)).await;
    assert!(r.json["my_vote"].is_null());
    let r = app.get("/api/v1/groups/rust/posts", Some(&bob)).await;
    assert_eq!(r.json["items"][0]["my_vote"], 1);

    for bad in [
        json!({"value": 2}),
        json!({"value": -5}),
        json!({"value": "up"}),
        json!({}),
    ] {
        let r = app
            .post(
                &format!("/api/v1/posts/{pid}/vote"),
                Some(&alice),
                bad.clone(),
            )
            .await;
        assert_eq!(
            (r.status, r.json["field"].as_str()),
            (400, Some("value")),
            "{bad}"
        );
    }
    let r = app
        .post(
            &format!("/api/v1/posts/{pid}/vote"),
            None,
            json!({"value": 1}),
        )
        .await;
    assert_eq!(r.status, 401);
    let r = app
        .post(
            "/api/v1/posts/424242/vote",
            Some(&alice),
            json!({"value": 1}),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn votes_on_replies() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let pid = id(&app.post_in(&alice, "rust", "Q", "").await);
    let rid = id(&app.reply_to(&bob, pid, None, "A").await);
    let r = app
        .post(
            &format!("/api/v1/replies/{rid}/vote"),
            Some(&alice),
            json!({"value": -1}),
        )
        .await;
    assert_eq!(
        r.json,
        json!({"score": -1, "upvotes": 0, "downvotes": 1, "my_vote": -1})
    );
    let r = app.get(&format!("/api/v1/posts/{pid}"), Some(&alice)).await;
    assert_eq!(r.json["replies"][0]["score"], -1);
    assert_eq!(r.json["replies"][0]["my_vote"], -1);
    assert_eq!(r.json["score"], 0, "the post's own score is separate");
}

#[tokio::test]
async fn concurrent_votes_are_all_counted() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    let pid = id(&app.post_in(&alice, "rust", "Popular", "").await);
    let mut tokens = Vec::new();
    for i in 0..16 {
        tokens.push(app.user(&format!("voter{i}")).await);
    }
    let path = format!("/api/v1/posts/{pid}/vote");
    let results = futures_join_all(tokens.iter().enumerate().map(|(i, t)| {
        let value = if i % 4 == 0 { -1 } else { 1 };
        app.post(&path, Some(t), json!({"value": value}))
    }))
    .await;
    assert!(
        results.iter().all(|r| r.status == 200),
        "{:?}",
        results.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    let r = app.get(&format!("/api/v1/posts/{pid}"), None).await;
    assert_eq!(
        (
            r.json["upvotes"].as_i64(),
            r.json["downvotes"].as_i64(),
            r.json["score"].as_i64()
        ),
        (Some(12), Some(4), Some(8))
    );
}

/// Runs futures concurrently on this task (no extra dependency).
async fn futures_join_all<F: std::future::Future>(
    futs: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let handles: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut out = Vec::with_capacity(handles.len());
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (slot, res) in pending.iter_mut().zip(results.iter_mut()) {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        *res = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out.extend(results.into_iter().flatten());
    out
}
