//! Moderation on one instance: who may act, what each action does, the public mod log,
//! bans, reports, and each member's own blocks. (Across instances: federation-tests'
//! `moderation.rs`.)

use cohort::testing::{TestApp, id};
use serde_json::{Value, json};

async fn thread(app: &TestApp, pid: i64, token: Option<&str>) -> Value {
    let r = app.get(&format!("/api/v1/posts/{pid}"), token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

async fn modlog(app: &TestApp, group: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/groups/{group}/modlog"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn only_moderators_remove_lock_and_pin_and_each_is_logged() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let pid = id(&app
        .post_in(&bob, "rust", "Bob's question", "Body text")
        .await);
    let rid = id(&app.reply_to(&bob, pid, None, "Bob's own answer").await);

    // A member who does not moderate may do none of it.
    for (method, path) in [
        ("POST", format!("/api/v1/posts/{pid}/remove")),
        ("POST", format!("/api/v1/posts/{pid}/lock")),
        ("DELETE", format!("/api/v1/posts/{pid}/lock")),
        ("POST", format!("/api/v1/posts/{pid}/pin")),
        ("DELETE", format!("/api/v1/posts/{pid}/pin")),
        ("POST", format!("/api/v1/replies/{rid}/remove")),
    ] {
        let r = app
            .request(method, &path, Some(&bob), Some(&json!({})))
            .await;
        assert_eq!(r.status, 403, "{method} {path}: {}", r.text);
    }
    let r = app
        .request("POST", &format!("/api/v1/posts/{pid}/lock"), None, None)
        .await;
    assert_eq!(r.status, 401);
    assert!(modlog(&app, "rust").await.is_empty());

    // Lock: no new replies, here or from anywhere.
    let r = app
        .post(
            &format!("/api/v1/posts/{pid}/lock"),
            Some(&alice),
            json!({"reason": "Answered"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(thread(&app, pid, None).await["locked"], true);
    let r = app
        .post(
            &format!("/api/v1/posts/{pid}/replies"),
            Some(&bob),
            json!({"body": "late"}),
        )
        .await;
    assert_eq!((r.status, r.json["error"].as_str()), (409, Some("locked")));
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/posts/{pid}/lock"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(thread(&app, pid, None).await["locked"], false);

    // Pin and unpin.
    let r = app
        .request(
            "POST",
            &format!("/api/v1/posts/{pid}/pin"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(thread(&app, pid, None).await["pinned"], true);
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/posts/{pid}/pin"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(thread(&app, pid, None).await["pinned"], false);

    // Remove the reply with a reason: gone from view, text kept; restore brings it back.
    let r = app
        .post(
            &format!("/api/v1/replies/{rid}/remove"),
            Some(&alice),
            json!({"reason": "Off topic"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let t = thread(&app, pid, None).await;
    let reply = &t["replies"][0];
    assert_eq!(
        (&reply["deleted"], &reply["removed"], &reply["body"]),
        (&json!(true), &json!(true), &json!(""))
    );
    assert_eq!(t["reply_count"], 0);
    let r = app
        .post(
            &format!("/api/v1/replies/{rid}/restore"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let t = thread(&app, pid, None).await;
    assert_eq!(t["replies"][0]["body"], "Bob's own answer");
    assert_eq!(t["reply_count"], 1);

    // Only a removal can be restored.
    let r = app
        .post(
            &format!("/api/v1/posts/{pid}/restore"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (409, Some("not_removed"))
    );

    // A moderator's DELETE of someone else's post is a removal: restorable and logged.
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/posts/{pid}"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let t = thread(&app, pid, None).await;
    assert_eq!(
        (&t["deleted"], &t["removed"], &t["title"]),
        (&json!(true), &json!(true), &json!(""))
    );
    let r = app
        .post(
            &format!("/api/v1/posts/{pid}/restore"),
            Some(&alice),
            json!({"reason": "Mistake"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(thread(&app, pid, None).await["title"], "Bob's question");

    // Doing what is already so changes nothing and logs nothing.
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/posts/{pid}/lock"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204);

    // The public mod log, newest first, with who, what, on what, and why.
    let log = modlog(&app, "rust").await;
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "restore_post",
            "remove_post",
            "restore_reply",
            "remove_reply",
            "unpin",
            "pin",
            "unlock",
            "lock"
        ]
    );
    assert!(log.iter().all(|e| e["moderator"]["username"] == "alice"));
    assert_eq!(log[0]["reason"], "Mistake");
    assert_eq!(log[3]["reason"], "Off topic");
    assert_eq!(log[3]["reply_id"], rid);
    assert_eq!(log[3]["person"]["username"], "bob");
    assert_eq!(log[7]["reason"], "Answered");
    assert_eq!(log[7]["post_id"], pid);

    // Paged with `before`.
    let r = app.get("/api/v1/groups/rust/modlog?limit=3", None).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 3);
    let before = r.json["next_before"].as_i64().expect("a next page");
    let r = app
        .get(
            &format!("/api/v1/groups/rust/modlog?limit=10&before={before}"),
            None,
        )
        .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 5);
    assert!(r.json["next_before"].is_null());

    // A reason is one line of bounded length.
    let r = app
        .post(
            &format!("/api/v1/posts/{pid}/lock"),
            Some(&alice),
            json!({"reason": "x".repeat(1001)}),
        )
        .await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("reason")));
    let r = app
        .post(
            &format!("/api/v1/posts/{pid}/lock"),
            Some(&alice),
            json!({"reason": "a", "extra": 1}),
        )
        .await;
    assert_eq!(r.status, 400, "unknown fields are refused: {}", r.text);
    let r = app.get("/api/v1/groups/nosuch/modlog", None).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn a_ban_stops_posting_replying_and_voting_until_lifted_or_over() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    app.group(&alice, "rust").await;
    let pid = id(&app.post_in(&alice, "rust", "Welcome", "").await);
    let bobs = id(&app.post_in(&bob, "rust", "Spam", "buy now").await);
    let bob_reply = id(&app.reply_to(&bob, pid, None, "more spam").await);

    let ban = |who: &str, extra: Value| {
        let mut body = json!({"person": who});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    // Not a moderator: no.
    let r = app
        .post(
            "/api/v1/groups/rust/bans",
            Some(&carol),
            ban("bob", json!({})),
        )
        .await;
    assert_eq!(r.status, 403);
    // Bad input.
    for (body, field) in [
        (
            ban("bob", json!({"expires_at": "2001-01-01T00:00:00Z"})),
            "expires_at",
        ),
        (ban("alice", json!({})), "person"),
    ] {
        let r = app
            .post("/api/v1/groups/rust/bans", Some(&alice), body)
            .await;
        assert_eq!(
            (r.status, r.json["field"].as_str()),
            (400, Some(field)),
            "{}",
            r.text
        );
    }
    let r = app
        .post(
            "/api/v1/groups/rust/bans",
            Some(&alice),
            ban("nobody", json!({})),
        )
        .await;
    assert_eq!(r.status, 404);

    // Ban bob, removing what he wrote there.
    let r = app
        .post(
            "/api/v1/groups/rust/bans",
            Some(&alice),
            ban("bob", json!({"reason": "Spam", "remove_content": true})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(thread(&app, bobs, None).await["removed"], true);
    assert_eq!(thread(&app, pid, None).await["replies"][0]["removed"], true);
    for (path, body) in [
        (
            "/api/v1/groups/rust/posts".to_string(),
            json!({"title": "again", "body": ""}),
        ),
        (
            format!("/api/v1/posts/{pid}/replies"),
            json!({"body": "again"}),
        ),
        (format!("/api/v1/posts/{pid}/vote"), json!({"value": 1})),
    ] {
        let r = app.post(&path, Some(&bob), body).await;
        assert_eq!(
            (r.status, r.json["error"].as_str()),
            (403, Some("banned")),
            "{path}"
        );
    }
    // Others are unaffected; the ban is listed for moderators only.
    app.reply_to(&carol, pid, None, "hello").await;
    let r = app.get("/api/v1/groups/rust/bans", Some(&alice)).await;
    assert_eq!(r.json[0]["person"]["username"], "bob");
    assert_eq!(r.json[0]["reason"], "Spam");
    assert_eq!(
        app.get("/api/v1/groups/rust/bans", Some(&carol))
            .await
            .status,
        403
    );

    // Lifting the ban, restoring what it removed.
    let r = app
        .request(
            "DELETE",
            "/api/v1/groups/rust/bans/bob?restore_content=true",
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(thread(&app, bobs, None).await["title"], "Spam");
    let t = thread(&app, pid, None).await;
    assert_eq!(t["replies"][0]["id"], bob_reply);
    assert_eq!(t["replies"][0]["body"], "more spam");
    app.reply_to(&bob, pid, None, "sorry").await;
    let r = app
        .request("DELETE", "/api/v1/groups/rust/bans/bob", Some(&alice), None)
        .await;
    assert_eq!(r.status, 404, "no ban to lift");

    // A ban with an end stops applying when it ends.
    let until = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let r = app
        .post(
            "/api/v1/groups/rust/bans",
            Some(&alice),
            ban("bob", json!({"expires_at": until})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/posts/{pid}/replies"),
            Some(&bob),
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(r.status, 403);
    cohort::testing::eventually(
        "the ban to end",
        std::time::Duration::from_secs(10),
        || async {
            let r = app
                .post(
                    &format!("/api/v1/posts/{pid}/replies"),
                    Some(&bob),
                    json!({"body": "back"}),
                )
                .await;
            (r.status == 201).then_some(())
        },
    )
    .await;

    let actions: Vec<String> = modlog(&app, "rust")
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["ban", "unban", "ban"]);
    let log = modlog(&app, "rust").await;
    assert!(log[0]["expires_at"].as_str().is_some());
    assert_eq!(log[2]["reason"], "Spam");
}

#[tokio::test]
async fn moderators_are_added_and_removed_by_seniority() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    app.group(&alice, "rust").await;
    let pid = id(&app.post_in(&carol, "rust", "Q", "").await);

    let add = |token: &str, who: &str| {
        let (token, who) = (token.to_string(), who.to_string());
        let app = &app;
        async move {
            app.post(
                "/api/v1/groups/rust/moderators",
                Some(&token),
                json!({"person": who}),
            )
            .await
        }
    };
    assert_eq!(add(&bob, "bob").await.status, 403, "not a moderator yet");
    assert_eq!(add(&alice, "bob").await.status, 204);
    let mods = |r: Value| -> Vec<String> {
        r["moderators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["username"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        mods(app.get("/api/v1/groups/rust", None).await.json),
        ["alice", "bob"]
    );
    // Bob now moderates.
    let r = app
        .request(
            "POST",
            &format!("/api/v1/posts/{pid}/lock"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(add(&bob, "carol").await.status, 204);
    // Bob may not remove alice (added before him); he may remove carol (after him).
    let remove = |token: &str, who: &str| {
        let (token, who) = (token.to_string(), who.to_string());
        let app = &app;
        async move {
            app.request(
                "DELETE",
                &format!("/api/v1/groups/rust/moderators/{who}"),
                Some(&token),
                None,
            )
            .await
        }
    };
    assert_eq!(remove(&bob, "alice").await.status, 403);
    assert_eq!(remove(&bob, "carol").await.status, 204);
    assert_eq!(
        remove(&bob, "carol").await.status,
        404,
        "not a moderator any more"
    );
    // Alice removes bob; she cannot remove herself, the last moderator.
    assert_eq!(remove(&alice, "bob").await.status, 204);
    let r = remove(&alice, "alice").await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (409, Some("last_moderator"))
    );
    assert_eq!(
        mods(app.get("/api/v1/groups/rust", None).await.json),
        ["alice"]
    );
    // Bob can no longer act.
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/posts/{pid}/lock"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    // A moderator cannot be banned.
    let r = app
        .post(
            "/api/v1/groups/rust/moderators",
            Some(&alice),
            json!({"person": "bob"}),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = app
        .post(
            "/api/v1/groups/rust/bans",
            Some(&alice),
            json!({"person": "bob"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (409, Some("is_moderator"))
    );

    let actions: Vec<String> = modlog(&app, "rust")
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "add_moderator",
            "remove_moderator",
            "remove_moderator",
            "add_moderator",
            "lock",
            "add_moderator"
        ]
    );
}

#[tokio::test]
async fn reports_reach_the_moderators_who_resolve_them() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    app.group(&alice, "rust").await;
    let pid = id(&app.post_in(&bob, "rust", "Rude", "").await);
    let rid = id(&app.reply_to(&bob, pid, None, "ruder").await);

    for (body, field) in [
        (json!({"post_id": pid, "reason": ""}), "reason"),
        (
            json!({"post_id": pid, "reply_id": rid, "reason": "x"}),
            "post_id",
        ),
        (json!({"reason": "x"}), "post_id"),
        (json!({"person": "bob", "reason": "x"}), "group"),
    ] {
        let r = app
            .post("/api/v1/reports", Some(&carol), body.clone())
            .await;
        assert_eq!(
            (r.status, r.json["field"].as_str()),
            (400, Some(field)),
            "{body}"
        );
    }
    let r = app
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"post_id": pid, "reason": "me"}),
        )
        .await;
    assert_eq!(r.status, 400, "one's own post");
    let r = app
        .post(
            "/api/v1/reports",
            None,
            json!({"post_id": pid, "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, 401);

    let mut made = vec![];
    for body in [
        json!({"post_id": pid, "reason": "Rude title"}),
        json!({"reply_id": rid, "reason": "Insult"}),
        json!({"person": "bob", "group": "rust", "reason": "Keeps at it"}),
    ] {
        let r = app.post("/api/v1/reports", Some(&carol), body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.json["reporter"]["username"], "carol");
        assert_eq!(r.json["person"]["username"], "bob");
        assert!(
            r.json["ap_id"]
                .as_str()
                .unwrap()
                .contains("/activities/flag/")
        );
        made.push(r.json);
    }
    assert_eq!(made[1]["reply_id"], rid);
    assert_eq!(made[1]["post_id"], pid);
    assert!(made[2]["post_id"].is_null());

    // The moderators see them; others do not.
    let r = app.get("/api/v1/groups/rust/reports", Some(&alice)).await;
    assert_eq!(r.json.as_array().unwrap().len(), 3);
    assert_eq!(r.json[0]["reason"], "Keeps at it");
    assert_eq!(
        app.get("/api/v1/groups/rust/reports", Some(&carol))
            .await
            .status,
        403
    );
    // The reporter sees their own.
    let r = app.get("/api/v1/reports", Some(&carol)).await;
    assert_eq!(r.json.as_array().unwrap().len(), 3);
    assert_eq!(app.get("/api/v1/reports", Some(&bob)).await.json, json!([]));

    // Resolve one; only a moderator may.
    let first = id(&made[0]);
    let path = format!("/api/v1/reports/{first}/resolve");
    assert_eq!(app.post(&path, Some(&carol), json!({})).await.status, 403);
    assert_eq!(app.post(&path, Some(&alice), json!({})).await.status, 204);
    assert_eq!(
        app.post(&path, Some(&alice), json!({})).await.status,
        204,
        "twice is fine"
    );
    assert_eq!(
        app.post("/api/v1/reports/999999/resolve", Some(&alice), json!({}))
            .await
            .status,
        404
    );
    let r = app.get("/api/v1/groups/rust/reports", Some(&alice)).await;
    assert_eq!(r.json.as_array().unwrap().len(), 2, "open ones");
    let r = app
        .get("/api/v1/groups/rust/reports?resolved=true", Some(&alice))
        .await;
    let all = r.json.as_array().unwrap();
    assert_eq!(all.len(), 3);
    let resolved = all.iter().find(|x| x["id"] == first).unwrap();
    assert_eq!(resolved["resolved_by"]["username"], "alice");
    assert!(resolved["resolved_at"].is_string());
}

#[tokio::test]
async fn a_member_blocks_people_and_instances() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let bobs = id(&app.post_in(&bob, "rust", "Bob's post", "").await);
    let alices = id(&app.post_in(&alice, "rust", "Alice's post", "").await);
    app.reply_to(&bob, alices, None, "Bob answers").await;

    let titles = |token: Option<String>| {
        let app = &app;
        async move {
            app.get("/api/v1/groups/rust/posts", token.as_deref())
                .await
                .json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["title"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles(Some(alice.clone())).await.len(), 2);

    let r = app
        .request("PUT", "/api/v1/me/blocks/people/bob", Some(&alice), None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(titles(Some(alice.clone())).await, ["Alice's post"]);
    let t = thread(&app, alices, Some(&alice)).await;
    assert_eq!(
        (&t["replies"][0]["hidden"], &t["replies"][0]["body"]),
        (&json!(true), &json!(""))
    );
    // Only for alice.
    assert_eq!(titles(None).await.len(), 2);
    assert_eq!(titles(Some(bob.clone())).await.len(), 2);
    assert_eq!(
        thread(&app, alices, None).await["replies"][0]["body"],
        "Bob answers"
    );
    // The post itself is still reachable by its address.
    assert_eq!(
        thread(&app, bobs, Some(&alice)).await["title"],
        "Bob's post"
    );

    let r = app
        .request("PUT", "/api/v1/me/blocks/people/alice", Some(&alice), None)
        .await;
    assert_eq!(r.status, 400, "oneself");
    let r = app
        .request(
            "PUT",
            "/api/v1/me/blocks/instances/example.org",
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = app
        .request(
            "PUT",
            "/api/v1/me/blocks/instances/@someone@Other.Example",
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "a handle names its instance: {}", r.text);
    let r = app
        .request(
            "PUT",
            "/api/v1/me/blocks/instances/not a host",
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    let r = app.get("/api/v1/me/blocks", Some(&alice)).await;
    assert_eq!(r.json["people"][0]["username"], "bob");
    assert_eq!(r.json["instances"], json!(["example.org", "other.example"]));

    for path in [
        "/api/v1/me/blocks/people/bob",
        "/api/v1/me/blocks/instances/example.org",
    ] {
        let r = app.request("DELETE", path, Some(&alice), None).await;
        assert_eq!(r.status, 204, "{path}");
        let r = app.request("DELETE", path, Some(&alice), None).await;
        assert_eq!(r.status, 404, "{path} twice");
    }
    assert_eq!(titles(Some(alice.clone())).await.len(), 2);
    assert_eq!(app.get("/api/v1/me/blocks", None).await.status, 401);
}

#[tokio::test]
async fn the_mod_log_is_a_public_page_too() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "rust").await;
    let pid = id(&app.post_in(&bob, "rust", "Q", "").await);
    let r = app.get("/g/rust/modlog", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("No moderator actions yet."), "{}", r.text);
    app.post(
        &format!("/api/v1/posts/{pid}/lock"),
        Some(&alice),
        json!({"reason": "<script>alert(1)</script> done"}),
    )
    .await;
    app.post(
        "/api/v1/groups/rust/bans",
        Some(&alice),
        json!({"person": "bob", "expires_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let r = app.get("/g/rust/modlog", None).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("locked a thread"), "{}", r.text);
    assert!(r.text.contains("banned"), "{}", r.text);
    assert!(r.text.contains(&format!("/posts/{pid}")), "{}", r.text);
    assert!(
        r.text
            .contains("Reason: &lt;script&gt;alert(1)&lt;&#x2f;script&gt; done"),
        "the reason is escaped: {}",
        r.text
    );
    assert!(!r.text.contains("<script>alert"));
    assert!(r.text.contains("until 1 January 2099"), "{}", r.text);
    // The group page links to it.
    let r = app.get("/g/rust", None).await;
    assert!(r.text.contains("/g/rust/modlog"), "{}", r.text);
    assert_eq!(app.get("/g/nosuch/modlog", None).await.status, 404);
}

#[tokio::test]
async fn moderators_write_a_groups_rules_shown_on_its_page() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let r = app
        .post(
            "/api/v1/groups",
            Some(&alice),
            json!({"name": "rust", "title": "Rust", "rules": "1. Be *kind*\n2. <script>x</script>"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["rules"], "1. Be *kind*\n2. <script>x</script>");
    let html = r.json["rules_html"].as_str().unwrap();
    assert!(
        html.contains("<em>kind</em>") && !html.contains("<script"),
        "{html}"
    );

    let edit = |token: &str, body: Value| {
        let token = token.to_string();
        let app = &app;
        async move {
            app.request("PATCH", "/api/v1/groups/rust", Some(&token), Some(&body))
                .await
        }
    };
    assert_eq!(edit(&bob, json!({"rules": "mine"})).await.status, 403);
    assert_eq!(edit(&alice, json!({"colour": "red"})).await.status, 400);
    let r = edit(&alice, json!({"title": "", "rules": "x"})).await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("title")));
    let r = edit(&alice, json!({"rules": "Ask **one** thing at a time."})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["title"], "Rust", "absent fields stay");
    let page = app.get("/g/rust", None).await.text;
    assert!(page.contains("<h2 id=\"rules-h\">Rules</h2>"), "{page}");
    assert!(
        page.contains("Ask <strong>one</strong> thing at a time."),
        "{page}"
    );
    // The moderators' web form: only for them.
    let r = app.get("/g/rust/edit", None).await;
    assert!(
        r.text.contains("action=\"/login") && !r.text.contains("action=\"/g/rust/edit\""),
        "visitors are sent to log in: {}",
        r.text
    );
    assert_eq!(
        app.get("/api/v1/groups/rust", None).await.json["rules"],
        "Ask **one** thing at a time."
    );
}
