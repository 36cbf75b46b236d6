//! The knowledge base (`/api/v1/groups/{handle}/pages…`): writing, editing, conflicts,
//! history, diffs, reverts, permissions by the group's setting, locks and removals. The same
//! expectations hold on SQLite and PostgreSQL (TEST_DATABASE_URL).

use cohort::testing::{Reply, TestApp};
use serde_json::{Value, json};

pub(crate) async fn join(app: &TestApp, token: &str, group: &str) {
    let r = app
        .post(
            &format!("/api/v1/groups/{group}/join"),
            Some(token),
            json!({}),
        )
        .await;
    assert!(r.status == 200 || r.status == 202, "join: {}", r.text);
}

async fn put(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> Reply {
    app.request("PUT", path, token, Some(&body)).await
}

async fn create(app: &TestApp, token: &str, group: &str, body: Value) -> Reply {
    app.post(&format!("/api/v1/groups/{group}/pages"), Some(token), body)
        .await
}

/// `(op, text)` of each line of a diff.
fn lines(diff: &Value) -> Vec<(String, String)> {
    diff["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["op"].as_str().unwrap().to_string(),
                l["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn line(op: &str, text: &str) -> (String, String) {
    (op.into(), text.into())
}

#[tokio::test]
async fn pages_are_written_edited_and_an_edit_on_an_old_revision_is_a_conflict() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "ops").await;
    join(&app, &bob, "ops").await;
    let page = "/api/v1/groups/ops/pages/tls-certificates";

    let first = "Renew with certbot.\nCheck expiry weekly.\n";
    let r = create(
        &app,
        &bob,
        "ops",
        json!({"title": "TLS certificates", "body": first, "summary": "what we do"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["slug"], "tls-certificates");
    assert_eq!(r.json["revision"], 1);
    assert_eq!(r.json["may_edit"], true);
    assert_eq!(r.json["path"], "/g/ops/pages/tls-certificates");
    assert_eq!(r.json["group"], format!("ops@{}", app.ctx.instance.domain));

    // Read by anyone; only editors may edit.
    let r = app.get(page, None).await;
    assert_eq!((r.status, &r.json["may_edit"]), (200, &json!(false)));
    assert_eq!(r.json["body"], first);
    let r = app.get("/api/v1/groups/ops/pages", None).await;
    assert_eq!(r.json.as_array().unwrap().len(), 1);

    // Bob saves revision 2 on revision 1.
    let second = "Renew with certbot.\nCheck expiry daily.\n";
    let r = put(
        &app,
        page,
        Some(&bob),
        json!({"base_revision": 1, "body": second, "summary": "daily"}),
    )
    .await;
    assert_eq!(
        (r.status, &r.json["revision"]),
        (200, &json!(2)),
        "{}",
        r.text
    );

    // Alice, editing what she read at revision 1, is refused: nothing is saved, and she is
    // shown the page now and what changed since her base.
    let r = put(
        &app,
        page,
        Some(&alice),
        json!({"base_revision": 1, "body": "Renew by hand.\nCheck expiry weekly.\n"}),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.json["error"], "edit_conflict");
    assert_eq!(r.json["current"]["revision"], 2);
    assert_eq!(r.json["current"]["body"], second);
    assert_eq!(
        lines(&r.json["diff"]),
        [
            line("same", "Renew with certbot."),
            line("removed", "Check expiry weekly."),
            line("added", "Check expiry daily."),
        ]
    );
    let r = app.get(page, None).await;
    assert_eq!(
        (&r.json["revision"], &r.json["body"]),
        (&json!(2), &json!(second))
    );

    // She edits on revision 2; the same edit again is on an old revision now; the same
    // text on the newest saves nothing.
    let third = "Renew by hand.\nCheck expiry daily.\n";
    let edit = json!({"base_revision": 2, "title": "TLS", "body": third});
    let r = put(&app, page, Some(&alice), edit.clone()).await;
    assert_eq!(
        (r.status, &r.json["revision"]),
        (200, &json!(3)),
        "{}",
        r.text
    );
    let r = put(&app, page, Some(&alice), edit).await;
    assert_eq!(r.status, 409);
    let r = put(
        &app,
        page,
        Some(&alice),
        json!({"base_revision": 3, "title": "TLS", "body": third}),
    )
    .await;
    assert_eq!((r.status, &r.json["revision"]), (200, &json!(3)));

    // The history, newest first; each revision's text; a diff between any two.
    let r = app.get(&format!("{page}/revisions"), None).await;
    assert_eq!(r.status, 200);
    let history: Vec<(i64, String, String)> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["number"].as_i64().unwrap(),
                v["author"]["username"].as_str().unwrap().to_string(),
                v["summary"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            (3, "alice".into(), "".into()),
            (2, "bob".into(), "daily".into()),
            (1, "bob".into(), "what we do".into()),
        ]
    );
    assert!(r.json[0].get("body").is_none(), "the list has no texts");
    let r = app.get(&format!("{page}/revisions/1"), None).await;
    assert_eq!((r.status, &r.json["body"]), (200, &json!(first)));
    assert_eq!(r.json["title"], "TLS certificates");
    assert_eq!(
        app.get(&format!("{page}/revisions/9"), None).await.status,
        404
    );
    let r = app.get(&format!("{page}/diff?from=1&to=3"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (&r.json["from_title"], &r.json["to_title"]),
        (&json!("TLS certificates"), &json!("TLS"))
    );
    assert_eq!(
        lines(&r.json),
        [
            line("removed", "Renew with certbot."),
            line("removed", "Check expiry weekly."),
            line("added", "Renew by hand."),
            line("added", "Check expiry daily."),
        ]
    );
    assert_eq!(
        app.get(&format!("{page}/diff?from=1"), None).await.status,
        400
    );

    // Bad input.
    let r = put(
        &app,
        page,
        Some(&alice),
        json!({"base_revision": 7, "body": "x"}),
    )
    .await;
    assert_eq!((r.status, &r.json["field"]), (400, &json!("base_revision")));
    let r = create(
        &app,
        &bob,
        "ops",
        json!({"title": "Again", "slug": "tls-certificates", "body": "x"}),
    )
    .await;
    assert_eq!((r.status, &r.json["error"]), (409, &json!("name_taken")));
    for slug in ["Bad Slug", "a--b", "-a", ""] {
        let r = create(
            &app,
            &bob,
            "ops",
            json!({"title": "T", "slug": slug, "body": "x"}),
        )
        .await;
        assert_eq!(
            (r.status, &r.json["field"]),
            (400, &json!("slug")),
            "{slug}"
        );
    }
    let r = create(&app, &bob, "ops", json!({"title": "!!!", "body": "x"})).await;
    assert_eq!((r.status, &r.json["field"]), (400, &json!("slug")));
    let r = create(&app, &bob, "ops", json!({"title": "Empty", "body": " "})).await;
    assert_eq!((r.status, &r.json["field"]), (400, &json!("body")));
    assert_eq!(
        app.get("/api/v1/groups/ops/pages/nothing-here", None)
            .await
            .status,
        404
    );

    // `[[slug]]` links to a page of the group; HTML is cleaned.
    let r = create(
        &app,
        &bob,
        "ops",
        json!({"title": "Runbook", "body": "See [[tls-certificates]] and [[Not A Slug]].\n\n<script>alert(1)</script>"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let html = r.json["body_html"].as_str().unwrap();
    assert!(
        html.contains("href=\"/g/ops/pages/tls-certificates\""),
        "{html}"
    );
    assert!(html.contains("[[Not A Slug]]"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    let r = app.get("/api/v1/groups/ops/pages", None).await;
    let titles: Vec<&str> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Runbook", "TLS"]);
}

#[tokio::test]
async fn who_may_edit_is_the_groups_choice_and_moderators_revert_lock_and_remove() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await; // moderator
    let bob = app.user("bob").await; // member
    let carol = app.user("carol").await; // signed in, not a member
    app.group(&alice, "ops").await;
    join(&app, &bob, "ops").await;
    let page = "/api/v1/groups/ops/pages/oncall";
    let settings = "/api/v1/groups/ops/page-settings";

    // Members by default: Carol may not write; nobody signed out may.
    assert_eq!(
        app.get("/api/v1/groups/ops", None).await.json["page_editors"],
        "members"
    );
    let r = create(
        &app,
        &carol,
        "ops",
        json!({"title": "Oncall", "body": "v1"}),
    )
    .await;
    assert_eq!((r.status, &r.json["error"]), (403, &json!("forbidden")));
    let r = app
        .post(
            "/api/v1/groups/ops/pages",
            None,
            json!({"title": "Oncall", "body": "v1"}),
        )
        .await;
    assert_eq!(r.status, 401);
    let r = create(&app, &bob, "ops", json!({"title": "Oncall", "body": "v1"})).await;
    assert_eq!(r.status, 201, "{}", r.text);

    // Anyone signed in.
    let r = put(&app, settings, Some(&bob), json!({"editors": "signed_in"})).await;
    assert_eq!(r.status, 403, "only moderators choose");
    let r = put(
        &app,
        settings,
        Some(&alice),
        json!({"editors": "signed_in"}),
    )
    .await;
    assert_eq!(
        (r.status, &r.json["editors"]),
        (200, &json!("signed_in")),
        "{}",
        r.text
    );
    let r = put(&app, settings, Some(&alice), json!({"editors": "everyone"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        app.get("/api/v1/groups/ops", None).await.json["page_editors"],
        "signed_in"
    );
    let r = put(
        &app,
        page,
        Some(&carol),
        json!({"base_revision": 1, "body": "v2"}),
    )
    .await;
    assert_eq!(
        (r.status, &r.json["revision"]),
        (200, &json!(2)),
        "{}",
        r.text
    );

    // Moderators only.
    put(
        &app,
        settings,
        Some(&alice),
        json!({"editors": "moderators"}),
    )
    .await;
    let r = put(
        &app,
        page,
        Some(&bob),
        json!({"base_revision": 2, "body": "v3"}),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(app.get(page, Some(&bob)).await.json["may_edit"], false);
    assert_eq!(app.get(page, Some(&alice)).await.json["may_edit"], true);
    let r = put(
        &app,
        page,
        Some(&alice),
        json!({"base_revision": 2, "body": "v3"}),
    )
    .await;
    assert_eq!((r.status, &r.json["revision"]), (200, &json!(3)));

    // A moderator reverts to revision 1: a new revision with its text.
    put(&app, settings, Some(&alice), json!({"editors": "members"})).await;
    let revert = format!("{page}/revert");
    let r = app.post(&revert, Some(&bob), json!({"revision": 1})).await;
    assert_eq!(r.status, 403);
    let r = app
        .post(&revert, Some(&alice), json!({"revision": 9}))
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .post(
            &revert,
            Some(&alice),
            json!({"revision": 1, "summary": "vandalism"}),
        )
        .await;
    assert_eq!(
        (r.status, &r.json["revision"], &r.json["body"]),
        (200, &json!(4), &json!("v1")),
        "{}",
        r.text
    );
    let r = app.get(&format!("{page}/revisions/4"), None).await;
    assert_eq!(r.json["summary"], "Reverted to revision 1: vandalism");
    assert_eq!(
        (&r.json["reverts"], &r.json["author"]["username"]),
        (&json!(1), &json!("alice"))
    );

    // Locked: moderators only.
    let moderate = format!("{page}/moderation");
    let r = app
        .post(&moderate, Some(&bob), json!({"action": "lock"}))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(&moderate, Some(&alice), json!({"action": "lock"}))
        .await;
    assert_eq!((r.status, &r.json["locked"]), (200, &json!(true)));
    let r = put(
        &app,
        page,
        Some(&bob),
        json!({"base_revision": 4, "body": "v5"}),
    )
    .await;
    assert_eq!((r.status, &r.json["error"]), (409, &json!("locked")));
    let r = put(
        &app,
        page,
        Some(&alice),
        json!({"base_revision": 4, "body": "v5"}),
    )
    .await;
    assert_eq!(r.status, 200);
    app.post(&moderate, Some(&alice), json!({"action": "unlock"}))
        .await;
    let r = put(
        &app,
        page,
        Some(&bob),
        json!({"base_revision": 5, "body": "v6"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Removed: seen by moderators only, until restored.
    let r = app
        .post(&moderate, Some(&alice), json!({"action": "remove"}))
        .await;
    assert_eq!((r.status, &r.json["removed"]), (200, &json!(true)));
    assert_eq!(app.get(page, None).await.status, 404);
    assert_eq!(app.get(page, Some(&bob)).await.status, 404);
    assert_eq!(
        app.get(&format!("{page}/revisions"), None).await.status,
        404
    );
    assert!(
        app.get("/api/v1/groups/ops/pages", None)
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.get(page, Some(&alice)).await.status, 200);
    let r = put(
        &app,
        page,
        Some(&bob),
        json!({"base_revision": 6, "body": "v7"}),
    )
    .await;
    assert_eq!(r.status, 404);
    app.post(&moderate, Some(&alice), json!({"action": "restore"}))
        .await;
    assert_eq!(app.get(page, None).await.status, 200);

    // A banned member edits nothing.
    let r = app
        .post(
            "/api/v1/groups/ops/bans",
            Some(&alice),
            json!({"person": "bob"}),
        )
        .await;
    assert!(
        r.status == 200 || r.status == 201 || r.status == 204,
        "{}",
        r.text
    );
    let r = put(
        &app,
        page,
        Some(&bob),
        json!({"base_revision": 6, "body": "v7"}),
    )
    .await;
    assert_eq!((r.status, &r.json["error"]), (403, &json!("banned")));
    let r = app.get(&format!("{page}/revisions"), None).await;
    assert_eq!(
        r.json.as_array().unwrap().len(),
        6,
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn the_web_pages_write_show_edit_and_show_a_conflict_with_the_text_kept() {
    use cohort::testing::Web;
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "ops").await;
    let bob = app.user("bob").await;
    join(&app, &bob, "ops").await;
    let mut web = Web::log_in(&app, "bob").await;

    // The group page offers the knowledge base; the form writes a page.
    let group = web.get("/g/ops").await;
    assert!(
        group.contains("Knowledge base") && group.contains("/g/ops/pages/new"),
        "{group}"
    );
    let csrf = web.csrf("/g/ops/pages/new").await;
    let (status, location) = web
        .post(
            "/g/ops/pages",
            &[
                ("csrf", &csrf),
                ("title", "On-call handbook"),
                ("slug", ""),
                ("body", "Page the lead.\nWrite it down.\n"),
                ("summary", "start"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/g/ops/pages/on-call-handbook")
    );
    let shown = web.get(&location).await;
    assert!(
        shown.contains("<h1>On-call handbook</h1>") && shown.contains("Revision 1"),
        "{shown}"
    );
    assert!(
        web.get("/g/ops")
            .await
            .contains("href=\"/g/ops/pages/on-call-handbook\"")
    );

    // Alice saves revision 2 meanwhile; Bob's edit on revision 1 shows the conflict and
    // keeps his text.
    let r = put(
        &app,
        "/api/v1/groups/ops/pages/on-call-handbook",
        Some(&alice),
        json!({"base_revision": 1, "body": "Page the lead.\nWrite it down at once.\n"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let csrf = web.csrf(&location).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("base_revision", "1"),
        ("title", "On-call handbook"),
        ("body", "Page the lead twice.\nWrite it down.\n"),
        ("summary", "twice"),
    ];
    let (status, page) = web.post("/g/ops/pages/on-call-handbook/edit", &form).await;
    assert_eq!(status, 409);
    assert!(page.contains("Saved by someone else meanwhile"), "{page}");
    assert!(
        page.contains("<ins>+ Write it down at once.</ins>"),
        "{page}"
    );
    assert!(
        page.contains("Page the lead twice."),
        "the text is kept: {page}"
    );
    assert!(
        page.contains("name=\"base_revision\" value=\"2\""),
        "{page}"
    );
    let mut again = form;
    again[1] = ("base_revision", "2");
    let (status, _) = web.post("/g/ops/pages/on-call-handbook/edit", &again).await;
    assert_eq!(status, 303);

    // The history and a diff.
    let shown = web.get("/g/ops/pages/on-call-handbook?from=2&to=3").await;
    assert!(
        shown.contains("Changes from revision 2 to 3") && shown.contains("Revision 3"),
        "{shown}"
    );
    assert!(shown.contains("<del>- Page the lead.</del>"), "{shown}");
    assert_eq!(app.get("/g/ops/pages/nothing", None).await.status, 404);
}

#[tokio::test]
async fn a_thread_and_its_accepted_answer_become_a_page_that_links_back() {
    use cohort::testing::Web;
    use cohort::testing::id;
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    app.group(&alice, "ops").await;
    join(&app, &bob, "ops").await;
    let r = app
        .post(
            "/api/v1/groups/ops/posts",
            Some(&bob),
            json!({"title": "How do we rotate [TLS] keys?", "body": "Every year, by hand?", "kind": "question"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let q = id(&r.json);
    let answer = id(&app
        .reply_to(&alice, q, None, "Use **certbot** with a timer.")
        .await);
    let r = app
        .request(
            "PUT",
            &format!("/api/v1/posts/{q}/answer"),
            Some(&bob),
            Some(&json!({"reply_id": answer})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Carol is no member: no page.
    let r = app
        .post(&format!("/api/v1/posts/{q}/page"), Some(&carol), json!({}))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(
            &format!("/api/v1/posts/{q}/page"),
            Some(&bob),
            json!({"slug": "tls-keys"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json["body"].as_str().unwrap();
    let domain = &app.ctx.instance.domain;
    assert!(body.starts_with("Every year, by hand?"), "{body}");
    assert!(
        body.contains(&format!(
            "— @bob@{domain}, in the thread [How do we rotate TLS keys?](/posts/{q})"
        )),
        "{body}"
    );
    assert!(
        body.contains("## The accepted answer") && body.contains("Use **certbot** with a timer."),
        "{body}"
    );
    assert!(body.contains(&format!("— @alice@{domain}")), "{body}");
    assert_eq!(r.json["title"], "How do we rotate [TLS] keys?");
    let r = app
        .get("/api/v1/groups/ops/pages/tls-keys/revisions", None)
        .await;
    assert_eq!(
        r.json[0]["summary"],
        "From the thread \"How do we rotate [TLS] keys?\""
    );

    // The thread lists the pages that link to it (by title), and stops when the link goes.
    let linking = |r: Reply| -> Vec<String> {
        r.json
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["slug"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        linking(app.get(&format!("/api/v1/posts/{q}/pages"), None).await),
        ["tls-keys"]
    );
    let r = create(
        &app,
        &bob,
        "ops",
        json!({"title": "Index", "body": format!("- https://{domain}/posts/{q}\n- /posts/999999")}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        linking(app.get(&format!("/api/v1/posts/{q}/pages"), None).await),
        ["tls-keys", "index"]
    );
    let r = put(
        &app,
        "/api/v1/groups/ops/pages/index",
        Some(&bob),
        json!({"base_revision": 1, "body": "Nothing here."}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        linking(app.get(&format!("/api/v1/posts/{q}/pages"), None).await),
        ["tls-keys"]
    );

    // On the web: the thread shows the page and offers members to make one.
    let mut web = Web::log_in(&app, "bob").await;
    let thread = web.get(&format!("/posts/{q}")).await;
    assert!(
        thread.contains("In the knowledge base") && thread.contains("/pages/tls-keys\""),
        "{thread}"
    );
    assert!(thread.contains("Make a page of this thread"), "{thread}");
    let other = id(&app
        .post_in(&bob, "ops", "Backups", "Nightly, kept a month.")
        .await);
    let csrf = web.csrf(&format!("/posts/{other}")).await;
    let (status, location) = web
        .post(&format!("/posts/{other}/page"), &[("csrf", &csrf)])
        .await;
    assert_eq!((status, location.as_str()), (303, "/g/ops/pages/backups"));
    let page = web.get(&location).await;
    assert!(page.contains("Nightly, kept a month."), "{page}");
}

#[tokio::test]
async fn a_moderator_removes_an_older_revisions_text_and_only_moderators_see_it() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "ops").await;
    join(&app, &bob, "ops").await;
    let page = "/api/v1/groups/ops/pages/contacts";
    let r = create(
        &app,
        &bob,
        "ops",
        json!({"title": "Contacts", "body": "Ask the desk."}),
    )
    .await;
    assert_eq!(r.status, 201);
    let r = put(
        &app,
        page,
        Some(&bob),
        json!({"base_revision": 1, "body": "Call Dan at 555-0100.", "summary": "Dan's number"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = put(
        &app,
        page,
        Some(&alice),
        json!({"base_revision": 2, "body": "Ask the desk."}),
    )
    .await;
    assert_eq!(r.status, 200);

    let moderate = |n: i64| format!("{page}/revisions/{n}/moderation");
    let r = app
        .post(&moderate(2), Some(&bob), json!({"action": "remove"}))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(&moderate(3), Some(&alice), json!({"action": "remove"}))
        .await;
    assert_eq!(
        (r.status, &r.json["field"]),
        (400, &json!("number")),
        "the newest stays"
    );
    let r = app
        .post(&moderate(9), Some(&alice), json!({"action": "remove"}))
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .post(&moderate(2), Some(&alice), json!({"action": "remove"}))
        .await;
    assert_eq!(
        (r.status, &r.json["removed"]),
        (200, &json!(true)),
        "{}",
        r.text
    );
    assert_eq!(
        r.json["body"], "Call Dan at 555-0100.",
        "moderators still see it"
    );

    // Everyone else: the revision is there, its title, summary and text are not.
    for token in [None, Some(bob.as_str())] {
        let r = app.get(&format!("{page}/revisions/2"), token).await;
        assert_eq!((r.status, &r.json["removed"]), (200, &json!(true)));
        assert!(r.json.get("body").is_none() && r.json["title"] == "" && r.json["summary"] == "");
        let r = app.get(&format!("{page}/revisions"), token).await;
        assert!(
            !r.text.contains("555-0100") && !r.text.contains("Dan's number"),
            "{}",
            r.text
        );
        let r = app.get(&format!("{page}/diff?from=1&to=2"), token).await;
        assert_eq!((r.status, &r.json["error"]), (409, &json!("deleted")));
    }
    let r = app
        .get(&format!("{page}/diff?from=1&to=2"), Some(&alice))
        .await;
    assert_eq!(r.status, 200);
    // A conflict on the removed revision does not show its text either.
    let r = put(
        &app,
        page,
        Some(&bob),
        json!({"base_revision": 2, "body": "Mine."}),
    )
    .await;
    assert_eq!((r.status, &r.json["error"]), (409, &json!("edit_conflict")));
    assert!(!r.text.contains("555-0100"), "{}", r.text);

    let r = app
        .post(&moderate(2), Some(&alice), json!({"action": "restore"}))
        .await;
    assert_eq!((r.status, &r.json["removed"]), (200, &json!(false)));
    let r = app.get(&format!("{page}/revisions/2"), None).await;
    assert_eq!(r.json["body"], "Call Dan at 555-0100.");
}

#[tokio::test]
async fn a_page_is_reported_to_the_groups_moderators_who_resolve_it() {
    use cohort::testing::Web;
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "ops").await;
    let bob = app.user("bob").await;
    join(&app, &bob, "ops").await;
    let r = create(
        &app,
        &alice,
        "ops",
        json!({"title": "Runbook", "body": "Restart it."}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let page_id = r.json["id"].as_i64().unwrap();

    // Neither nothing nor two things at once; a reason is needed.
    for body in [
        json!({"page_id": page_id, "post_id": 1, "reason": "x"}),
        json!({"page_id": page_id, "reason": ""}),
    ] {
        let r = app.post("/api/v1/reports", Some(&bob), body).await;
        assert_eq!(r.status, 400, "{}", r.text);
    }
    let r = app
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"page_id": 999_999, "reason": "gone"}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // bob reports it on the web: the moderators see which page, and resolve it.
    let mut web = Web::log_in(&app, "bob").await;
    let csrf = web.csrf("/g/ops/pages/runbook").await;
    let (status, location) = web
        .post(
            &format!("/pages/{page_id}/report"),
            &[
                ("csrf", &csrf),
                ("reason", "It says to restart production."),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/g/ops/pages/runbook?reported=1")
    );
    assert!(
        web.get(&location)
            .await
            .contains("your report went to the group")
    );
    let r = app.get("/api/v1/groups/ops/reports", Some(&bob)).await;
    assert_eq!(r.status, 403, "only moderators list them");
    let r = app.get("/api/v1/groups/ops/reports", Some(&alice)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let report = &r.json.as_array().unwrap()[0];
    assert_eq!(report["page"]["slug"], "runbook");
    assert_eq!(report["page"]["path"], "/g/ops/pages/runbook");
    assert_eq!(report["reason"], "It says to restart production.");
    assert_eq!(report["reporter"]["username"], "bob");
    let r = app
        .post(
            &format!("/api/v1/reports/{}/resolve", report["id"]),
            Some(&alice),
            json!({}),
        )
        .await;
    assert!(r.status == 200 || r.status == 204, "{}", r.text);
    let r = app.get("/api/v1/groups/ops/reports", Some(&alice)).await;
    assert_eq!(r.json.as_array().map(Vec::len), Some(0), "{}", r.text);
}

#[tokio::test]
async fn the_group_page_lists_its_pages_and_pinned_posts_in_the_sidebar() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.group(&alice, "ops").await;
    let r = create(
        &app,
        &alice,
        "ops",
        json!({"title": "Runbook", "body": "Restart it."}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let post = app
        .post_in(&alice, "ops", "Read this first", "The rules of on-call.")
        .await;
    let other = app.post_in(&alice, "ops", "A question", "Why?").await;
    let pid = post["id"].as_i64().unwrap();
    let url = format!("{}/g/ops", app.address);
    let html = |app: &TestApp| app.client.get(&url).send();
    let sidebar = |page: &str| page[page.find("<aside").unwrap()..].to_string();
    assert!(!sidebar(&html(&app).await.unwrap().text().await.unwrap()).contains("Read this first"));
    let r = app
        .post(&format!("/api/v1/posts/{pid}/pin"), Some(&alice), json!({}))
        .await;
    assert!(r.status == 200 || r.status == 204, "{}", r.text);
    let side = sidebar(&html(&app).await.unwrap().text().await.unwrap());
    assert!(
        side.contains("Pinned")
            && side.contains(&format!("href=\"/posts/{pid}\">Read this first"))
            && side.contains("/g/ops/pages/runbook\">Runbook"),
        "{side}"
    );
    assert!(!side.contains(other["title"].as_str().unwrap()), "{side}");
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/posts/{pid}/pin"),
            Some(&alice),
            None,
        )
        .await;
    assert!(r.status == 200 || r.status == 204, "{}", r.text);
    assert!(!sidebar(&html(&app).await.unwrap().text().await.unwrap()).contains("Read this first"));
}
