use cohort::{
    storage,
    testing::{TestApp, id},
};
use serde_json::json;

async fn all_pages(app: &TestApp, group: &str, sort: &str, token: Option<&str>) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/groups/{group}/posts?sort={sort}&limit=2");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        ids.extend(
            r.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap()),
        );
        match r.json["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn write_and_read_a_post() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    let p = app
        .post_in(
            &alice,
            "rust",
            "How do lifetimes work?",
            "I read **the book**.\n\n<script>alert(1)</script>",
        )
        .await;
    assert_eq!(
        p["ap_id"],
        format!("http://{}/posts/{}", app.domain, id(&p))
    );
    assert_eq!(p["title"], "How do lifetimes work?");
    assert_eq!(p["author"]["username"], "alice");
    assert_eq!(p["group"]["name"], "rust");
    let html = p["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>the book</strong>"), "{html}");
    assert!(!html.contains("script"), "{html}");

    let r = app.get(&format!("/api/v1/posts/{}", id(&p)), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["title"], "How do lifetimes work?");
    assert_eq!(r.json["replies"], json!([]));
    let r = app.get("/api/v1/posts/999999", None).await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (404, Some("not_found"))
    );
    let r = app.get("/api/v1/posts/abc", None).await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("id")));
}

#[tokio::test]
async fn bad_posts_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    for (body, field) in [
        (json!({"title": "", "body": "x"}), "title"),
        (json!({"title": "t".repeat(201)}), "title"),
        (json!({"body": "no title"}), "title"),
        (json!({"title": "ok", "body": "b".repeat(100_001)}), "body"),
        (json!({"title": "ok", "body": 5}), "body"),
    ] {
        let r = app
            .post("/api/v1/groups/rust/posts", Some(&alice), body.clone())
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.json["field"], field, "{body}");
    }
    let r = app
        .post(
            "/api/v1/groups/nope/posts",
            Some(&alice),
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .post("/api/v1/groups/rust/posts", None, json!({"title": "x"}))
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(storage::posts::count_local(&app.ctx.db).await.unwrap(), 0);
}

#[tokio::test]
async fn sorts_and_keyset_pages() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(id(&app
            .post_in(&alice, "rust", &format!("post {i}"), "")
            .await));
    }
    // Newest first.
    let newest: Vec<i64> = ids.iter().rev().copied().collect();
    assert_eq!(all_pages(&app, "rust", "new", None).await, newest);

    // A reply moves a post to the front of "active".
    app.reply_to(&bob, ids[1], None, "bump").await;
    let active = all_pages(&app, "rust", "active", None).await;
    assert_eq!(active[0], ids[1]);
    assert_eq!(active.len(), 5);

    // Votes order "top"; ties fall back to the newer id.
    for (who, post, value) in [
        (&alice, ids[0], 1),
        (&bob, ids[0], 1),
        (&bob, ids[2], 1),
        (&bob, ids[3], -1),
    ] {
        let r = app
            .post(
                &format!("/api/v1/posts/{post}/vote"),
                Some(who),
                json!({"value": value}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(
        all_pages(&app, "rust", "top", None).await,
        vec![ids[0], ids[2], ids[4], ids[1], ids[3]]
    );

    // Hot: at (nearly) equal age, score decides; every post appears exactly once.
    let hot = all_pages(&app, "rust", "hot", None).await;
    assert_eq!(hot[0], ids[0]);
    assert_eq!(*hot.last().unwrap(), ids[3]);
    let mut sorted = hot.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ids);
    // Default sort is hot.
    let r = app.get("/api/v1/groups/rust/posts?limit=100", None).await;
    let default: Vec<i64> = r.json["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(default, hot);
}

#[tokio::test]
async fn bad_list_parameters_are_400() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    for _ in 0..3 {
        app.post_in(&alice, "rust", "p", "").await;
    }
    let r = app.get("/api/v1/groups/rust/posts?sort=best", None).await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("sort")));
    let r = app
        .get("/api/v1/groups/rust/posts?cursor=notacursor", None)
        .await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("cursor")));
    let r = app
        .get("/api/v1/groups/rust/posts?sort=new&limit=1", None)
        .await;
    let cursor = r.json["next_cursor"].as_str().unwrap().to_string();
    let r = app
        .get(
            &format!("/api/v1/groups/rust/posts?sort=top&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("cursor")),
        "a cursor of another sort"
    );
    let r = app
        .get(
            &format!("/api/v1/groups/rust/posts?sort=active&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("cursor")),
        "a `new` cursor is not an `active` one"
    );
    let far = cohort::domain::hex(b"t:1:-1000000000000000000");
    let r = app
        .get(
            &format!("/api/v1/groups/rust/posts?sort=new&cursor={far}"),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("cursor")),
        "a time no database stores"
    );
    let r = app.get("/api/v1/groups/rust/posts?limit=101", None).await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("limit")));
}

#[tokio::test]
async fn only_the_author_edits() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let p = app.post_in(&bob, "rust", "Original", "old body").await;
    let path = format!("/api/v1/posts/{}", id(&p));

    let r = app
        .request(
            "PATCH",
            &path,
            Some(&alice),
            Some(&json!({"title": "Hijacked"})),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (403, Some("forbidden")),
        "a moderator may remove, not edit"
    );
    let r = app
        .request("PATCH", &path, Some(&bob), Some(&json!({"title": ""})))
        .await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("title")));
    let r = app
        .request("PATCH", &path, Some(&bob), Some(&json!({})))
        .await;
    assert_eq!(r.status, 400);

    let r = app
        .request(
            "PATCH",
            &path,
            Some(&bob),
            Some(&json!({"body": "new *body*"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["title"], "Original");
    assert_eq!(r.json["body_html"], "<p>new <em>body</em></p>\n");
    assert!(r.json["updated_at"].is_string());
    let r = app.get(&path, None).await;
    assert_eq!(r.json["body"], "new *body*");
}

#[tokio::test]
async fn delete_leaves_a_tombstone_with_its_replies() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    app.group(&alice, "rust").await;
    let p = app.post_in(&bob, "rust", "Doomed", "secret text").await;
    let reply = app.reply_to(&alice, id(&p), None, "an answer").await;
    let path = format!("/api/v1/posts/{}", id(&p));

    let r = app.request("DELETE", &path, Some(&carol), None).await;
    assert_eq!(r.status, 403, "neither author, moderator nor admin");
    let r = app.request("DELETE", &path, Some(&bob), None).await;
    assert_eq!(r.status, 204);
    let r = app.request("DELETE", &path, Some(&bob), None).await;
    assert_eq!(r.status, 204, "deleting twice is harmless");

    let r = app.get(&path, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["deleted"], true);
    assert_eq!(r.json["title"], "");
    assert_eq!(r.json["body"], "");
    assert!(r.json["author"].is_null());
    assert!(!r.text.contains("secret text"));
    assert_eq!(r.json["replies"][0]["id"], reply["id"], "replies survive");

    let r = app.get("/api/v1/groups/rust/posts", None).await;
    assert_eq!(r.json["items"], json!([]), "lists leave tombstones out");
    let r = app
        .request("PATCH", &path, Some(&bob), Some(&json!({"title": "back"})))
        .await;
    assert_eq!((r.status, r.json["error"].as_str()), (409, Some("deleted")));
    let r = app
        .post(
            &format!("{path}/replies"),
            Some(&alice),
            json!({"body": "late"}),
        )
        .await;
    assert_eq!((r.status, r.json["error"].as_str()), (409, Some("deleted")));
    let r = app
        .post(&format!("{path}/vote"), Some(&alice), json!({"value": 1}))
        .await;
    assert_eq!((r.status, r.json["error"].as_str()), (409, Some("deleted")));
}

#[tokio::test]
async fn a_moderator_may_delete_others_posts() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let p = app.post_in(&bob, "rust", "Spam", "").await;
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/posts/{}", id(&p)),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = app.get(&format!("/api/v1/posts/{}", id(&p)), None).await;
    assert_eq!(r.json["deleted"], true);
}
