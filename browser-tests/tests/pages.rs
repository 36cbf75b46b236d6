//! Pages over plain HTTP: HTML error pages, log-in redirects, the id URLs, joining and
//! looking things up elsewhere, notifications, sorts, membership and settings.

use browser_tests::visitor::{PASSWORD, Visitor};
use cohort::testing::{TestApp, id};

#[tokio::test]
async fn browsers_get_pages_for_errors_and_are_sent_to_log_in() {
    let app = TestApp::spawn().await;
    let mut v = Visitor::new(&app);
    let p = v.get("/no/such/page").await;
    assert_eq!(p.status, 404);
    assert!(
        p.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(p.body.contains("<h1>Not found</h1>"));
    let p = v.get("/posts/999").await;
    assert_eq!(p.status, 404);
    assert!(p.body.contains("post not found"));
    let p = v.get("/g/nothing_here").await;
    assert_eq!(p.status, 404);
    let p = v.get("/posts/abc/edit").await;
    assert_eq!(p.status, 404);
    assert!(p.body.contains("<h1>Not found</h1>"));
    let p = v.get("/groups?cursor=nonsense").await;
    assert_eq!(p.status, 400);
    assert!(
        p.body.contains("is not a cursor this server issued"),
        "{}",
        p.body
    );
    // An API client still gets JSON.
    let r = app.get("/no/such/page", None).await;
    assert_eq!(r.json["error"], "no_route");

    // Pages that need an account send a visitor to log in, and back afterwards.
    let p = v.get("/notifications").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.headers["location"], "/login?next=%2Fnotifications");
    app.user("ann").await;
    let csrf = v.token("/login?next=/notifications").await;
    let r = v
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "ann"),
                ("password", PASSWORD),
                ("next", "/notifications"),
            ],
        )
        .await;
    assert_eq!(r.headers["location"], "/notifications");
    // …but never to another site.
    let mut w = Visitor::new(&app);
    let csrf = w.token("/login").await;
    let r = w
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "ann"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.headers["location"], "/");

    // Bad input comes back on the form, with the field named.
    let t = w.token("/groups/new").await;
    let r = w
        .post(
            "/groups/new",
            &[("csrf", &t), ("name", "No Spaces!"), ("title", "x")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("class=\"field-error\" id=\"name-error\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"No Spaces!\""),
        "what was typed is kept"
    );
}

#[tokio::test]
async fn the_same_id_url_serves_activitypub_and_the_page() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "club").await;
    let post = app.post_in(&ann, "club", "A title", "A body").await;
    let mut v = Visitor::new(&app);
    v.log_in("ann").await;
    for (path, needle) in [
        ("/g/club".to_string(), "The club group"),
        (format!("/posts/{}", id(&post)), "A title"),
        ("/u/ann".to_string(), "A title"),
    ] {
        let page = v.get(&path).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(needle), "{path}");
        assert_eq!(page.headers["vary"], "Accept");
        let doc = app
            .client
            .get(format!("{}{path}", app.address))
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        assert!(
            doc.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/activity+json"),
            "{path}"
        );
    }
    // Deleting from the page leaves a tombstone: 410 for ActivityPub, the thread for people.
    let t = v.token(&format!("/posts/{}", id(&post))).await;
    let r = v
        .post(&format!("/posts/{}/delete", id(&post)), &[("csrf", &t)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let doc = app
        .client
        .get(format!("{}/posts/{}", app.address, id(&post)))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 410);
    let page = v.get(&format!("/posts/{}", id(&post))).await;
    assert!(page.body.contains("[deleted]") && !page.body.contains("A body"));
}

#[tokio::test]
async fn a_group_elsewhere_is_joined_by_its_address_and_found_by_search() {
    let a = TestApp::spawn().await;
    let here = TestApp::spawn().await;
    let ann = a.user("ann").await;
    a.group(&ann, "rust").await;
    here.user("bob").await;
    let mut v = Visitor::new(&here);
    v.log_in("bob").await;

    // By its address (its ActivityPub id, which is also its page).
    let t = v.token("/groups").await;
    let address = format!("http://{}/g/rust", a.domain);
    let r = v
        .post("/groups/join", &[("csrf", &t), ("handle", &address)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.headers["location"], format!("/g/rust@{}", a.domain));
    let page = v.get(&format!("/g/rust@{}", a.domain)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("on {}", a.domain)),
        "marked as remote"
    );

    // A handle nobody answers for is a message on the form, not an error page.
    let r = v
        .post(
            "/groups/join",
            &[("csrf", &t), ("handle", &format!("!nothing@{}", a.domain))],
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("No group was found"), "{}", r.body);

    // Search looks a handle up and goes to its page here; words search what is stored here.
    let r = v.get(&format!("/search?q=@ann@{}", a.domain)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.headers["location"], format!("/u/ann@{}", a.domain));
    let profile = v.get(&format!("/u/ann@{}", a.domain)).await;
    assert_eq!(profile.status, 200);
    assert!(profile.body.contains(&format!("on {}", a.domain)));
    let r = v.get("/search?q=rust").await;
    assert!(
        r.body.contains(&format!("/g/rust@{}", a.domain)),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn mentions_notify_and_settings_change_the_password() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "club").await;
    let post = app.post_in(&bob, "club", "Bob asks", "Anyone?").await;
    app.reply_to(&bob, id(&post), None, "cc @ann, you know this")
        .await;
    app.reply_to(&bob, id(&post), None, "not @annabel though")
        .await;
    let mut v = Visitor::new(&app);
    v.log_in("ann").await;
    let home = v.get("/").await;
    assert!(
        home.body.contains("1 new notification</a>"),
        "{}",
        home.body
    );
    let n = v.get("/notifications").await;
    assert_eq!(n.status, 200);
    assert_eq!(n.body.matches("mentioned you").count(), 1, "{}", n.body);
    assert!(n.body.contains("you know this") && !n.body.contains("annabel"));
    assert_eq!(
        n.body.matches("class=\"tag new-tag\"").count(),
        1,
        "shown as new once"
    );
    // Read now: no longer new, until something else arrives.
    assert!(!v.get("/").await.body.contains("new notification"));
    assert!(!v.get("/notifications").await.body.contains("new-tag"));
    app.reply_to(&bob, id(&post), None, "@ann one more thing")
        .await;
    assert!(v.get("/").await.body.contains("1 new notification</a>"));

    // Sorts are links; a sort that does not exist is a clear error page.
    assert_eq!(v.get("/g/club?sort=new").await.status, 200);
    let bad = v.get("/g/club?sort=best").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("must be one of new, active, hot, top"));

    // Leave and join again from the group's page.
    let t = v.token("/g/club").await;
    assert_eq!(v.post("/g/club/join", &[("csrf", &t)]).await.status, 303);
    assert!(v.get("/g/club").await.body.contains(">Leave</button>"));
    assert_eq!(v.post("/g/club/leave", &[("csrf", &t)]).await.status, 303);
    assert!(v.get("/g/club").await.body.contains(">Join</button>"));

    // A display name, shown as text wherever the person is.
    let t = v.token("/settings").await;
    let r = v
        .post(
            "/settings/profile",
            &[("csrf", &t), ("display_name", "Ann <b>Example</b>")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let profile = v.get("/u/ann").await.body;
    assert!(
        profile.contains("<h1>Ann &lt;b&gt;Example&lt;&#x2f;b&gt;</h1>"),
        "{profile}"
    );
    let long = "x".repeat(65);
    let r = v
        .post(
            "/settings/profile",
            &[("csrf", &t), ("display_name", &long)],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("must be at most 64 characters"));

    // The password: the current one must be right; then other sessions end.
    let t = v.token("/settings").await;
    let r = v
        .post(
            "/settings/password",
            &[
                ("csrf", &t),
                ("current", "wrong password"),
                ("new_password", "a newer password"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("The current password is not right."));
    let r = v
        .post(
            "/settings/password",
            &[
                ("csrf", &t),
                ("current", PASSWORD),
                ("new_password", "a newer password"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.headers["location"], "/settings?changed=1");
    assert!(
        v.get("/settings?changed=1")
            .await
            .body
            .contains("Your password was changed")
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&ann)).await.status,
        401,
        "the old session ended"
    );
    let old = app
        .post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"username": "ann", "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status, 401);
    let new = app
        .post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"username": "ann", "password": "a newer password"}),
        )
        .await;
    assert_eq!(new.status, 200);
}

/// What a person blocked stays out of every list the web pages show them, not only threads.
#[tokio::test]
async fn blocked_people_are_left_out_of_the_feed_search_and_notifications() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "club").await;
    let r = app
        .post(
            "/api/v1/groups/club/join",
            Some(&ann),
            serde_json::json!({}),
        )
        .await;
    assert!(r.status == 200 || r.status == 202, "{}", r.text);
    let mine = app.post_in(&ann, "club", "Ann's question", "Help?").await;
    app.post_in(&bob, "club", "Bob's unwanted advert", "Buy now")
        .await;
    app.reply_to(&bob, id(&mine), None, "Buy my course @ann")
        .await;
    let mut v = Visitor::new(&app);
    v.log_in("ann").await;
    assert!(v.get("/").await.body.contains("Bob&#x27;s unwanted advert"));
    assert!(v.get("/notifications").await.body.contains("Buy my course"));

    let r = app
        .request(
            "PUT",
            &format!("/api/v1/me/blocks/people/bob@{}", app.domain),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for path in ["/", "/search?q=advert", "/u/bob", "/notifications"] {
        let body = v.get(path).await.body;
        assert!(
            !body.contains("unwanted advert") && !body.contains("Buy my course"),
            "{path}: {body}"
        );
    }
    assert!(v.get("/").await.body.contains("Ann&#x27;s question"));
}

#[tokio::test]
async fn moderators_edit_the_group_and_everyone_reads_its_rules_and_mod_log() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.user("bob").await;
    app.group(&ann, "club").await;
    let mut v = Visitor::new(&app);
    v.log_in("ann").await;
    let group = v.get("/g/club").await;
    assert!(group.body.contains("/g/club/edit"), "{}", group.body);
    assert!(group.body.contains("/g/club/modlog"));
    let csrf = v.token("/g/club/edit").await;
    let r = v
        .post(
            "/g/club/edit",
            &[
                ("csrf", &csrf),
                ("title", "The Club"),
                ("description", "We *learn*."),
                ("rules", "Be **kind**."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let group = v.get("/g/club").await;
    assert!(
        group.body.contains("Be <strong>kind</strong>."),
        "{}",
        group.body
    );
    assert!(group.body.contains("The Club"));
    // A bad title comes back as the form with the field marked.
    let r = v
        .post(
            "/g/club/edit",
            &[("csrf", &csrf), ("title", ""), ("rules", "x")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("form-error"), "{}", r.body);
    // Without the token: refused.
    let r = v.post("/g/club/edit", &[("title", "Hijacked")]).await;
    assert_eq!(r.status, 403, "{}", r.body);

    // Someone who does not moderate sees neither the link nor the form.
    let mut b = Visitor::new(&app);
    b.log_in("bob").await;
    assert!(!b.get("/g/club").await.body.contains("/g/club/edit"));
    assert_eq!(b.get("/g/club/edit").await.status, 403);
    let log = b.get("/g/club/modlog").await;
    assert_eq!(log.status, 200);
    assert!(log.body.contains("No moderator actions yet."));
}

#[tokio::test]
async fn moderators_lock_pin_and_restore_and_members_report_from_the_thread() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "club").await;
    let post = id(&app.post_in(&bob, "club", "Bob asks", "Anyone?").await);
    let reply = id(&app.reply_to(&bob, post, None, "Me again").await);
    let path = format!("/posts/{post}");

    // Ann moderates: lock, pin, remove and restore, all from the thread page.
    let mut a = Visitor::new(&app);
    a.log_in("ann").await;
    let page = a.get(&path).await;
    assert!(page.body.contains("Moderator tools"), "{}", page.body);
    let csrf = a.token(&path).await;
    for (action, on) in [("lock", "true"), ("pin", "true")] {
        let r = a
            .post(&format!("{path}/{action}"), &[("csrf", &csrf), ("on", on)])
            .await;
        assert_eq!(r.status, 303, "{action}: {}", r.body);
    }
    let t = app.get(&format!("/api/v1{path}"), None).await.json;
    assert_eq!((&t["locked"], &t["pinned"]), (&true.into(), &true.into()));
    let page = a.get(&path).await.body;
    assert!(
        page.contains(">Unlock<") && page.contains(">Unpin<"),
        "{page}"
    );
    let r = a
        .post(&format!("{path}/lock"), &[("csrf", &csrf), ("on", "false")])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.get(&format!("/api/v1{path}"), None).await.json["locked"],
        false
    );
    let r = a
        .post(&format!("/replies/{reply}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "a moderator's delete is a removal");
    let page = a.get(&path).await.body;
    assert!(page.contains("[removed by a moderator]"), "{page}");
    let r = a
        .post(&format!("/replies/{reply}/restore"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(a.get(&path).await.body.contains("Me again"));
    let log = a.get("/g/club/modlog").await.body;
    for words in [
        "locked a thread",
        "pinned a thread",
        "unlocked a thread",
        "removed a reply",
        "restored a reply",
    ] {
        assert!(log.contains(words), "{words}: {log}");
    }

    // Bob does not moderate: no tools, and the actions are refused.
    let mut b = Visitor::new(&app);
    b.log_in("bob").await;
    let page = b.get(&path).await.body;
    assert!(!page.contains("Moderator tools"), "{page}");
    let csrf_b = b.token(&path).await;
    let r = b
        .post(
            &format!("{path}/lock"),
            &[("csrf", &csrf_b), ("on", "true")],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);

    // Ann reports nothing of her own; bob's post she may report, and the report reaches her
    // as a moderator.
    let r = a
        .post(
            &format!("{path}/report"),
            &[("csrf", &csrf), ("reason", "Off topic")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = a.get(&format!("{path}?reported=1")).await.body;
    assert!(after.contains("your report went to the group"), "{after}");
    let reports = app
        .get("/api/v1/groups/club/reports", Some(&ann))
        .await
        .json;
    assert_eq!(reports[0]["reason"], "Off topic");
    assert_eq!(reports[0]["post_id"], post);
    let r = b
        .post(
            &format!("/replies/{reply}/report"),
            &[("csrf", &csrf_b), ("reason", "mine")],
        )
        .await;
    assert_eq!(r.status, 400, "one's own reply: {}", r.body);
    let _ = bob;
}
