//! Members-only groups: nothing of one reaches anyone outside it (listings, posts, threads,
//! replies, search, pages, members, health, the mod log, questions, feeds, profiles, the
//! ActivityPub documents); joining is by a moderator's approval or an invitation link;
//! a former member reads nothing more.

use cohort::testing::{TestApp, Web, id};
use serde_json::{Value, json};

const SECRET: &str = "zebracrossing";

fn handles(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect()
}

/// Every way to read the group `team`, post `post` and reply `reply`: for a reader who may
/// (`true`) or may not.
async fn reads(app: &TestApp, token: Option<&str>, post: i64, reply: i64, may: bool) {
    let who = token.map_or("a visitor", |_| "a signed-in person");
    let expect = |what: &str, status: u16, ok: u16, refused: u16| {
        assert_eq!(status, if may { ok } else { refused }, "{who}: {what}");
    };
    let list = app.get("/api/v1/groups", token).await;
    assert_eq!(
        handles(&list.json).contains(&"team".to_string()),
        may,
        "{who}: directory"
    );
    let g = app.get("/api/v1/groups/team", token).await;
    assert_eq!(g.status, 200, "the group itself stays visible");
    assert_eq!(g.json["visibility"], "members");
    for (path, refused) in [
        ("/api/v1/groups/team/posts".to_string(), 403),
        (format!("/api/v1/posts/{post}"), 404),
        (format!("/api/v1/replies/{reply}"), 404),
        ("/api/v1/groups/team/members".to_string(), 403),
        ("/api/v1/groups/team/pages".to_string(), 403),
        ("/api/v1/groups/team/health".to_string(), 403),
        ("/api/v1/groups/team/modlog".to_string(), 403),
        ("/api/v1/groups/team/questions".to_string(), 403),
    ] {
        let r = app.get(&path, token).await;
        expect(&path, r.status, 200, refused);
        if !may {
            assert!(!r.text.contains(SECRET), "{who}: {path} leaks");
            if refused == 403 {
                assert_eq!(r.json["error"], "members_only", "{path}");
            }
        }
    }
    let hits = app.get(&format!("/api/v1/search?q={SECRET}"), token).await;
    assert_eq!(hits.status, 200);
    assert_eq!(
        !hits.json["items"].as_array().unwrap().is_empty(),
        may,
        "{who}: search"
    );
    let similar = app
        .get(&format!("/api/v1/search/similar?title={SECRET}"), token)
        .await;
    if !may {
        assert!(!similar.text.contains(SECRET), "{who}: similar questions");
    }
}

#[tokio::test]
async fn a_members_only_group_shows_nothing_to_anyone_outside_it() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.members_only_group(&ann, "team").await;
    app.group(&ann, "open").await;
    let r = app
        .post(
            "/api/v1/groups/team/posts",
            Some(&ann),
            json!({"title": format!("Budget {SECRET}"), "body": format!("The {SECRET} plan, @bob."), "kind": "question"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let post = id(&r.json);
    let reply = id(&app
        .reply_to(&ann, post, None, &format!("Reply {SECRET}"))
        .await);
    let r = app
        .post(
            "/api/v1/groups/team/pages",
            Some(&ann),
            json!({"title": "Handbook", "slug": "handbook", "body": format!("Page {SECRET}")}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let open_post = id(&app
        .post_in(&ann, "open", "In the open", "Public words.")
        .await);
    // A members-only page linking to a public thread.
    let r = app
        .post(
            "/api/v1/groups/team/pages",
            Some(&ann),
            json!({"title": "Notes", "slug": "notes", "body": format!("See /posts/{open_post} ({SECRET})")}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    reads(&app, Some(&ann), post, reply, true).await;
    reads(&app, Some(&bob), post, reply, false).await;
    reads(&app, None, post, reply, false).await;

    // Bob cannot write in it, reply, or vote.
    let r = app
        .post(
            "/api/v1/groups/team/posts",
            Some(&bob),
            json!({"title": "Hi", "body": "Let me in"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (403, Some("members_only"))
    );
    let r = app
        .post(
            &format!("/api/v1/posts/{post}/replies"),
            Some(&bob),
            json!({"body": "Me too"}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/posts/{post}/vote"),
            Some(&bob),
            json!({"value": 1}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // The public thread does not list the members-only page that links to it.
    for token in [None, Some(bob.as_str())] {
        let r = app
            .get(&format!("/api/v1/posts/{open_post}/pages"), token)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(!r.text.contains(SECRET), "a linking page leaks: {}", r.text);
        let r = app.get(&format!("/posts/{open_post}"), token).await;
        assert!(
            !r.text.contains("/g/team/pages/notes"),
            "the thread page lists it"
        );
    }
    let r = app
        .get(&format!("/api/v1/posts/{post}/pages"), Some(&bob))
        .await;
    assert_eq!(r.status, 404);
    // Nor is anything of it reported, or turned into a page, by someone outside.
    for (body, what) in [
        (json!({"post_id": post, "reason": "spam"}), "a post"),
        (json!({"reply_id": reply, "reason": "spam"}), "a reply"),
        (json!({"page_id": 1, "reason": "spam"}), "a page"),
    ] {
        let r = app.post("/api/v1/reports", Some(&bob), body).await;
        assert_eq!(r.status, 404, "reporting {what}: {}", r.text);
        assert!(!r.text.contains(SECRET) && !r.text.contains("handbook"));
    }
    let r = app
        .post(&format!("/api/v1/posts/{post}/page"), Some(&bob), json!({}))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // Bob was mentioned, but hears nothing of it: no notification, no home feed entry.
    let mut web = Web::log_in(&app, "bob").await;
    for path in ["/notifications", "/"] {
        let page = web.get(path).await;
        assert!(!page.contains(SECRET), "{path} leaks: {page}");
    }

    // The home feed, the profile, the feeds and the web pages.
    for (path, token) in [
        ("/", None),
        ("/u/ann", None),
        ("/u/ann/feed.atom", None),
        ("/g/open/feed.atom", None),
        ("/g/team", None),
        ("/groups", None),
    ] {
        let r = app.get(path, token).await;
        assert!(!r.text.contains(SECRET), "{path} leaks: {}", r.text);
    }
    // The search page repeats the query, and finds nothing.
    let r = app.get(&format!("/search?q={SECRET}"), None).await;
    assert!(
        !r.text.contains("Budget"),
        "the search page leaks: {}",
        r.text
    );
    assert!(
        !r.text.contains(&format!("/posts/{post}")),
        "the search page leaks"
    );
    for path in [
        "/g/team/feed.atom",
        "/g/team/waiting.atom",
        &format!("/posts/{post}/feed.atom"),
    ] {
        let r = app.get(path, None).await;
        assert!(matches!(r.status, 403 | 404), "{path}: {}", r.status);
        assert!(!r.text.contains(SECRET), "{path} leaks");
    }
    let page = app.get("/g/team", None).await;
    assert_eq!(page.status, 403);
    assert!(page.text.contains("Members only"), "{}", page.text);

    // ActivityPub: the group's actor says it approves followers; its content is not served
    // to an unsigned request.
    let ap = |path: String| {
        let app = &app;
        async move {
            app.client
                .get(format!("{}{path}", app.address))
                .header("accept", "application/activity+json")
                .send()
                .await
                .unwrap()
        }
    };
    let actor: Value = ap("/g/team".into()).await.json().await.unwrap();
    assert_eq!(actor["manuallyApprovesFollowers"], true);
    assert_eq!(actor["discoverable"], false);
    let open: Value = ap("/g/open".into()).await.json().await.unwrap();
    assert_eq!(open["manuallyApprovesFollowers"], false);
    for path in [
        format!("/posts/{post}"),
        format!("/posts/{post}/activity"),
        format!("/posts/{post}/replies"),
        format!("/replies/{reply}"),
        "/g/team/outbox".to_string(),
        "/g/team/featured".to_string(),
        "/g/team/pages/handbook".to_string(),
        "/g/team/pages/handbook/history".to_string(),
    ] {
        let r = ap(path.clone()).await;
        assert_eq!(r.status(), 404, "unsigned {path}");
        assert!(!r.text().await.unwrap().contains(SECRET));
    }
    // The open group's are served as before.
    assert_eq!(ap("/g/open/outbox".into()).await.status(), 200);
}

#[tokio::test]
async fn joining_takes_a_moderators_approval_or_an_invitation() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    let carl = app.user("carl").await;
    let dave = app.user("dave").await;
    app.members_only_group(&ann, "team").await;
    let post = id(&app.post_in(&ann, "team", "Plans", SECRET).await);

    // Bob asks; he waits, and reads nothing yet.
    let r = app
        .post("/api/v1/groups/team/join", Some(&bob), json!({}))
        .await;
    assert_eq!((r.status, r.json["state"].as_str()), (202, Some("pending")));
    assert_eq!(
        app.get("/api/v1/groups/team/posts", Some(&bob))
            .await
            .status,
        403
    );
    // Only moderators see the requests.
    assert_eq!(
        app.get("/api/v1/groups/team/requests", Some(&bob))
            .await
            .status,
        403
    );
    let r = app.get("/api/v1/groups/team/requests", Some(&ann)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json.as_array().unwrap().len(), 1);
    assert_eq!(r.json[0]["person"]["username"], "bob");
    assert_eq!(r.json[0]["new_instance"], false);
    // Bob cannot approve himself.
    let r = app
        .post("/api/v1/groups/team/requests/bob", Some(&bob), json!({}))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post("/api/v1/groups/team/requests/bob", Some(&ann), json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = app.get("/api/v1/groups/team/posts", Some(&bob)).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains(SECRET));
    assert!(
        app.get("/api/v1/groups/team/requests", Some(&ann))
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );
    let members = app.get("/api/v1/groups/team/members", Some(&bob)).await;
    assert!(members.text.contains("\"bob\""), "{}", members.text);
    // A member writes.
    app.reply_to(&bob, post, None, "Count me in").await;

    // Carl asks and is refused: his request is gone.
    let r = app
        .post("/api/v1/groups/team/join", Some(&carl), json!({}))
        .await;
    assert_eq!(r.status, 202);
    let r = app
        .request(
            "DELETE",
            "/api/v1/groups/team/requests/carl",
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let mine = app.get("/api/v1/me/groups", Some(&carl)).await;
    assert_eq!(mine.json.as_array().unwrap().len(), 0, "{}", mine.text);
    let r = app
        .request(
            "DELETE",
            "/api/v1/groups/team/requests/carl",
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "no request to decide");

    // An invitation link: made by a moderator only, shown once, joins at once.
    let r = app
        .post("/api/v1/groups/team/invites", Some(&bob), json!({}))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post(
            "/api/v1/groups/team/invites",
            Some(&ann),
            json!({"days": 0}),
        )
        .await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("days")));
    let r = app
        .post(
            "/api/v1/groups/team/invites",
            Some(&ann),
            json!({"days": 3}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let url = r.json["url"].as_str().unwrap().to_string();
    let invite = id(&r.json);
    let token = url.rsplit('/').next().unwrap().to_string();
    let listed = app.get("/api/v1/groups/team/invites", Some(&ann)).await;
    assert_eq!(listed.json.as_array().unwrap().len(), 1);
    assert!(
        listed.json[0].get("url").is_none(),
        "the token is shown once"
    );
    // The web page the link opens names the group.
    let page = app.get(&format!("/invite/{token}"), None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("The team team"), "{}", page.text);
    let r = app
        .post(&format!("/api/v1/invites/{token}"), Some(&dave), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/groups/team/posts", Some(&dave))
            .await
            .status,
        200
    );
    let listed = app.get("/api/v1/groups/team/invites", Some(&ann)).await;
    assert_eq!(listed.json[0]["uses"], 1);
    // Revoked, it opens nothing.
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/groups/team/invites/{invite}"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = app
        .post(&format!("/api/v1/invites/{token}"), Some(&carl), json!({}))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(app.get(&format!("/invite/{token}"), None).await.status, 404);
    assert_eq!(
        app.get("/api/v1/groups/team/posts", Some(&carl))
            .await
            .status,
        403
    );

    // A former member reads nothing more, notifications included.
    let r = app
        .request("DELETE", "/api/v1/groups/team/join", Some(&bob), None)
        .await;
    assert_eq!(r.status, 204);
    app.reply_to(&ann, post, None, &format!("@bob {SECRET} after you left"))
        .await;
    assert_eq!(
        app.get("/api/v1/groups/team/posts", Some(&bob))
            .await
            .status,
        403
    );
    assert_eq!(
        app.get(&format!("/api/v1/posts/{post}"), Some(&bob))
            .await
            .status,
        404
    );
    let mut web = Web::log_in(&app, "bob").await;
    let page = web.get("/notifications").await;
    assert!(!page.contains(SECRET), "{page}");

    // A group with posts keeps its visibility.
    let r = app
        .request(
            "PATCH",
            "/api/v1/groups/team",
            Some(&ann),
            Some(&json!({"visibility": "public"})),
        )
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("visibility"))
    );
    // An empty one may change, by a moderator.
    app.group(&ann, "fresh").await;
    let r = app
        .request(
            "PATCH",
            "/api/v1/groups/fresh",
            Some(&ann),
            Some(&json!({"visibility": "members"})),
        )
        .await;
    assert_eq!(
        (r.status, r.json["visibility"].as_str()),
        (200, Some("members")),
        "{}",
        r.text
    );
    let r = app
        .request(
            "PATCH",
            "/api/v1/groups/fresh",
            Some(&bob),
            Some(&json!({"visibility": "public"})),
        )
        .await;
    assert_eq!(r.status, 403);
    // An invitation to a public group makes no sense.
    app.group(&ann, "open").await;
    let r = app
        .post("/api/v1/groups/open/invites", Some(&ann), json!({}))
        .await;
    assert_eq!(r.status, 400);
    // Joining a public group is immediate as before.
    let r = app
        .post("/api/v1/groups/open/join", Some(&carl), json!({}))
        .await;
    assert_eq!((r.status, r.json["state"].as_str()), (200, Some("joined")));
}
