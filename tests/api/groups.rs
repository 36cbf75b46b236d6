use cohort::{storage, testing::TestApp};
use serde_json::json;

#[tokio::test]
async fn create_and_fetch_by_either_handle() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let g = app.group(&alice, "rust_learners").await;
    assert_eq!(g["name"], "rust_learners");
    assert_eq!(g["handle"], format!("rust_learners@{}", app.domain));
    assert_eq!(g["ap_id"], format!("http://{}/g/rust_learners", app.domain));
    assert_eq!(g["description_html"], "<p>About <em>it</em>.</p>\n");
    assert_eq!(
        g["moderators"][0]["username"], "alice",
        "the creator moderates"
    );

    for handle in [
        "rust_learners",
        &format!("rust_learners@{}", app.domain),
        "!rust_learners",
    ] {
        let r = app.get(&format!("/api/v1/groups/{handle}"), None).await;
        assert_eq!(r.status, 200, "{handle}: {}", r.text);
        assert_eq!(r.json["id"], g["id"]);
        assert_eq!(r.json["moderators"][0]["username"], "alice");
    }
    let r = app.get("/api/v1/groups/nope", None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json["error"], "not_found");
    let r = app
        .get("/api/v1/groups/rust_learners@elsewhere.example", None)
        .await;
    assert_eq!(r.status, 404, "a remote group we do not know");
    let r = app.get("/api/v1/groups/a@b@c", None).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["field"], "handle");
}

#[tokio::test]
async fn bad_groups_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    for (body, field) in [
        (json!({"name": "No", "title": "x"}), "name"),
        (json!({"name": "has-dash", "title": "x"}), "name"),
        (json!({"name": "okname", "title": "  "}), "title"),
        (json!({"name": "okname", "title": "x".repeat(101)}), "title"),
        (json!({"name": "okname", "title": "two\nlines"}), "title"),
        (json!({"name": "okname"}), "title"),
        (
            json!({"name": "okname", "title": "x", "description": "d".repeat(10_001)}),
            "description",
        ),
    ] {
        let r = app.post("/api/v1/groups", Some(&alice), body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.json["field"], field, "{body}");
    }
    let r = app
        .post(
            "/api/v1/groups",
            None,
            json!({"name": "okname", "title": "x"}),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(storage::groups::count_local(&app.ctx.db).await.unwrap(), 0);
}

#[tokio::test]
async fn taken_group_name_is_a_conflict() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "rust").await;
    let r = app
        .post(
            "/api/v1/groups",
            Some(&alice),
            json!({"name": "rust", "title": "Again"}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json["error"], "name_taken");
    assert_eq!(storage::groups::count_local(&app.ctx.db).await.unwrap(), 1);
}

#[tokio::test]
async fn directory_pages_by_name() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    for name in ["delta", "alpha", "charlie", "bravo", "echo"] {
        app.group(&alice, name).await;
    }
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/groups?limit=2&cursor={c}"),
            None => "/api/v1/groups?limit=2".to_string(),
        };
        let r = app.get(&path, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        pages += 1;
        for g in r.json["items"].as_array().unwrap() {
            names.push(g["name"].as_str().unwrap().to_string());
        }
        match r.json["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(names, ["alpha", "bravo", "charlie", "delta", "echo"]);
    assert_eq!(pages, 3);
    let r = app.get("/api/v1/groups?limit=0", None).await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("limit")));
    let r = app.get("/api/v1/groups?cursor=zz", None).await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("cursor")));
    let r = app.get("/api/v1/groups?limit=many", None).await;
    assert_eq!(r.status, 400);
}
