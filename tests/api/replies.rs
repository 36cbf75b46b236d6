use cohort::testing::{TestApp, id};
use serde_json::json;

#[tokio::test]
async fn replies_form_a_tree() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let p = app.post_in(&alice, "rust", "Question", "?").await;
    let pid = id(&p);
    let a = app.reply_to(&bob, pid, None, "first answer").await;
    let b = app
        .reply_to(&alice, pid, Some(id(&a)), "thanks, but why?")
        .await;
    let c = app.reply_to(&bob, pid, Some(id(&b)), "because").await;
    let d = app.reply_to(&alice, pid, None, "second answer").await;
    assert_eq!(
        a["ap_id"],
        format!("http://{}/replies/{}", app.domain, id(&a))
    );
    assert_eq!(b["parent_id"], a["id"]);

    let r = app.get(&format!("/api/v1/posts/{pid}"), None).await;
    assert_eq!(r.json["reply_count"], 4);
    let top = r.json["replies"].as_array().unwrap();
    assert_eq!(top.iter().map(id).collect::<Vec<_>>(), vec![id(&a), id(&d)]);
    assert_eq!(top[0]["children"][0]["id"], b["id"]);
    assert_eq!(top[0]["children"][0]["children"][0]["id"], c["id"]);
    assert_eq!(top[0]["children"][0]["children"][0]["body"], "because");
    assert_eq!(top[1]["children"], json!([]));

    let r = app.get(&format!("/api/v1/replies/{}", id(&c)), None).await;
    assert_eq!(
        (r.status, r.json["author"]["username"].as_str()),
        (200, Some("bob"))
    );
}

#[tokio::test]
async fn bad_replies_are_refused() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    let p1 = id(&app.post_in(&alice, "rust", "One", "").await);
    let p2 = id(&app.post_in(&alice, "rust", "Two", "").await);
    let elsewhere = app.reply_to(&alice, p2, None, "in two").await;
    for (body, field) in [
        (json!({"body": "  "}), "body"),
        (json!({}), "body"),
        (
            json!({"body": "x", "parent_id": id(&elsewhere)}),
            "parent_id",
        ),
        (json!({"body": "x", "parent_id": 999_999}), "parent_id"),
        (json!({"body": "x", "parent_id": "one"}), "parent_id"),
    ] {
        let r = app
            .post(
                &format!("/api/v1/posts/{p1}/replies"),
                Some(&alice),
                body.clone(),
            )
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.json["field"], field, "{body}");
    }
    let r = app
        .post(
            "/api/v1/posts/999999/replies",
            Some(&alice),
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = app.get(&format!("/api/v1/posts/{p1}"), None).await;
    assert_eq!(r.json["reply_count"], 0);
    assert_eq!(r.json["replies"], json!([]));
}

#[tokio::test]
async fn edit_and_delete_replies() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    app.group(&alice, "rust").await;
    let pid = id(&app.post_in(&alice, "rust", "Q", "").await);
    let a = app.reply_to(&bob, pid, None, "answer").await;
    let child = app.reply_to(&alice, pid, Some(id(&a)), "follow-up").await;
    let path = format!("/api/v1/replies/{}", id(&a));

    let r = app
        .request(
            "PATCH",
            &path,
            Some(&carol),
            Some(&json!({"body": "mine now"})),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .request("PATCH", &path, Some(&bob), Some(&json!({"body": ""})))
        .await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("body")));
    let r = app
        .request(
            "PATCH",
            &path,
            Some(&bob),
            Some(&json!({"body": "better **answer**"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json["body_html"],
        "<p>better <strong>answer</strong></p>\n"
    );

    let r = app.request("DELETE", &path, Some(&carol), None).await;
    assert_eq!(r.status, 403);
    let r = app.request("DELETE", &path, Some(&bob), None).await;
    assert_eq!(r.status, 204);
    let r = app.get(&format!("/api/v1/posts/{pid}"), None).await;
    assert_eq!(r.json["reply_count"], 1, "the tombstone no longer counts");
    let tomb = &r.json["replies"][0];
    assert_eq!(tomb["deleted"], true);
    assert_eq!(tomb["body"], "");
    assert!(tomb["author"].is_null());
    assert_eq!(
        tomb["children"][0]["id"], child["id"],
        "answers to it stay in place"
    );
    let r = app
        .post(
            &format!("/api/v1/posts/{pid}/replies"),
            Some(&alice),
            json!({"body": "x", "parent_id": id(&a)}),
        )
        .await;
    assert_eq!((r.status, r.json["error"].as_str()), (409, Some("deleted")));
    let r = app
        .request(
            "PATCH",
            &path,
            Some(&bob),
            Some(&json!({"body": "undelete?"})),
        )
        .await;
    assert_eq!(r.status, 409);
}

#[tokio::test]
async fn nesting_is_bounded() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    let pid = id(&app.post_in(&alice, "rust", "Deep", "").await);
    let mut parent = None;
    for i in 0..=cohort::domain::replies::MAX_DEPTH {
        parent = Some(id(&app
            .reply_to(&alice, pid, parent, &format!("level {i}"))
            .await));
    }
    let r = app
        .post(
            &format!("/api/v1/posts/{pid}/replies"),
            Some(&alice),
            json!({"body": "too deep", "parent_id": parent}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("parent_id")),
        "{}",
        r.text
    );
    let r = app.get(&format!("/api/v1/posts/{pid}"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json["reply_count"],
        cohort::domain::replies::MAX_DEPTH + 1
    );
}

#[tokio::test]
async fn concurrent_replies_are_all_counted() {
    let app = TestApp::spawn().await;
    let token = app.user("ann").await;
    app.group(&token, "busy").await;
    let post = app
        .post_in(&token, "busy", "Hot thread", "Everyone reply")
        .await;
    let post_id = id(&post);
    let replies = (0..20).map(|i| {
        let (app, token) = (&app, &token);
        async move {
            app.post(
                &format!("/api/v1/posts/{post_id}/replies"),
                Some(token),
                json!({"body": format!("reply {i}")}),
            )
            .await
        }
    });
    for r in futures::future::join_all(replies).await {
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = app.get(&format!("/api/v1/posts/{post_id}"), None).await;
    assert_eq!(r.json["reply_count"], 20);
}
