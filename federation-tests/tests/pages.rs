//! Knowledge-base pages across servers: three Cohort instances keep one page and its history
//! (the group's instance is the page's home; an edit from elsewhere is sent there, saved and
//! announced, or refused with `Reject`), and what Lemmy and Mastodon stand-ins receive of a
//! page: its creation once, its edits as updates of the same object.

use cohort::testing::{TestApp, Web, eventually};
use federation_tests::{
    Cluster, DEADLINE, Trio, join,
    peer::{Peer, Software, When},
};
use serde_json::{Value, json};

/// Page `slug` of group `handle` as `app` shows it to `token` (none: not there).
async fn page(app: &TestApp, handle: &str, slug: &str, token: Option<&str>) -> Option<Value> {
    let r = app
        .get(&format!("/api/v1/groups/{handle}/pages/{slug}"), token)
        .await;
    (r.status == 200).then_some(r.json)
}

/// Waits until `app` shows page `slug` at revision `revision`; returns it.
async fn wait_revision(app: &TestApp, handle: &str, slug: &str, revision: i64) -> Value {
    eventually(
        &format!("{slug} at revision {revision} on {}", app.domain),
        DEADLINE,
        || async {
            page(app, handle, slug, None)
                .await
                .filter(|p| p["revision"] == revision)
        },
    )
    .await
}

/// The history `app` shows of page `slug`, newest first.
async fn history(app: &TestApp, handle: &str, slug: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/groups/{handle}/pages/{slug}/revisions"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json.as_array().cloned().unwrap_or_default()
}

/// `token`'s proposals for page `slug` that the group has not saved.
async fn proposals(app: &TestApp, handle: &str, slug: &str, token: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/groups/{handle}/pages/{slug}/proposals"),
            Some(token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json.as_array().cloned().unwrap_or_default()
}

async fn edit(app: &TestApp, token: &str, handle: &str, slug: &str, body: Value) -> (u16, Value) {
    let r = app
        .request(
            "PUT",
            &format!("/api/v1/groups/{handle}/pages/{slug}"),
            Some(token),
            Some(&body),
        )
        .await;
    (r.status, r.json)
}

#[tokio::test]
async fn three_instances_keep_one_page_its_history_and_its_conflicts() {
    cohort::install_crypto_provider();
    let trio = Trio::start().await;
    let (a, b, c) = (trio.a(), trio.b(), trio.c());
    let handle = trio.handle.clone();

    // alice writes a page in her group on A: B and C show it, with its history.
    let r = a
        .post(
            "/api/v1/groups/learning/pages",
            Some(&trio.alice),
            json!({"title": "TLS setup", "body": "Use rustls.\n\nSee [[certificates]].", "summary": "first notes"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    for app in [b, c] {
        let p = wait_revision(app, &handle, "tls-setup", 1).await;
        assert_eq!(p["title"], "TLS setup");
        assert_eq!(p["body"], "Use rustls.\n\nSee [[certificates]].");
        assert!(
            p["body_html"]
                .as_str()
                .unwrap()
                .contains(&format!("/g/{handle}/pages/certificates")),
            "a [[link]] goes to the copy here: {}",
            p["body_html"]
        );
        let h = history(app, &handle, "tls-setup").await;
        assert_eq!(h.len(), 1);
        assert_eq!(h[0]["summary"], "first notes");
        assert_eq!(h[0]["author"]["username"], "alice");
    }

    // bob edits it on B: the edit is sent to A, which saves it as revision 2 and announces it.
    let (status, sent) = edit(
        b,
        &trio.bob,
        &handle,
        "tls-setup",
        json!({"base_revision": 1, "body": "Use rustls with aws-lc.", "summary": "which provider"}),
    )
    .await;
    assert_eq!(status, 202, "{sent}");
    assert_eq!(sent["state"], "sent");
    for (app, h) in [(a, "learning"), (b, handle.as_str()), (c, handle.as_str())] {
        let p = wait_revision(app, h, "tls-setup", 2).await;
        assert_eq!(p["body"], "Use rustls with aws-lc.");
        let hist = history(app, h, "tls-setup").await;
        assert_eq!(hist[0]["author"]["username"], "bob", "on {}", app.domain);
        assert_eq!(hist[0]["summary"], "which provider");
    }
    eventually("bob's edit accepted on B", DEADLINE, || async {
        proposals(b, &handle, "tls-setup", &trio.bob)
            .await
            .is_empty()
            .then_some(())
    })
    .await;

    // bob and carol both edit revision 2: the first to reach A is saved, the other refused as
    // a conflict with its text kept where it was written; every copy agrees.
    let (sb, _) = edit(
        b,
        &trio.bob,
        &handle,
        "tls-setup",
        json!({"base_revision": 2, "body": "bob's version"}),
    )
    .await;
    let (sc, _) = edit(
        c,
        &trio.carol,
        &handle,
        "tls-setup",
        json!({"base_revision": 2, "body": "carol's version"}),
    )
    .await;
    assert_eq!((sb, sc), (202, 202));
    let on_a = wait_revision(a, "learning", "tls-setup", 3).await;
    let winner = on_a["body"].as_str().unwrap().to_string();
    let (loser_app, loser_token) = if winner == "bob's version" {
        (c, &trio.carol)
    } else {
        assert_eq!(winner, "carol's version");
        (b, &trio.bob)
    };
    let refused = eventually("the other edit refused", DEADLINE, || async {
        proposals(loser_app, &handle, "tls-setup", loser_token)
            .await
            .into_iter()
            .find(|p| p["state"] == "refused")
    })
    .await;
    assert!(
        refused["reason"]
            .as_str()
            .unwrap()
            .contains("saved since revision 2"),
        "{refused}"
    );
    assert_ne!(refused["body"], winner.as_str(), "the refused text is kept");
    for app in [b, c] {
        let p = wait_revision(app, &handle, "tls-setup", 3).await;
        assert_eq!(p["body"], winner.as_str());
    }
    assert_eq!(history(a, "learning", "tls-setup").await.len(), 3);

    // carol writes a new page from C: A keeps it, B shows it.
    let r = c
        .post(
            &format!("/api/v1/groups/{handle}/pages"),
            Some(&trio.carol),
            json!({"title": "Certificates", "body": "Let's Encrypt."}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    for (app, h) in [(a, "learning"), (b, handle.as_str()), (c, handle.as_str())] {
        let p = wait_revision(app, h, "certificates", 1).await;
        assert_eq!(p["body"], "Let's Encrypt.");
        assert_eq!(
            history(app, h, "certificates").await[0]["author"]["username"],
            "carol"
        );
    }

    // alice locks the page on A: B shows it locked, and bob's edit is refused there.
    let r = a
        .post(
            "/api/v1/groups/learning/pages/tls-setup/moderation",
            Some(&trio.alice),
            json!({"action": "lock"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    eventually("locked on B", DEADLINE, || async {
        page(b, &handle, "tls-setup", None)
            .await
            .filter(|p| p["locked"] == true)
    })
    .await;
    let (status, _) = edit(
        b,
        &trio.bob,
        &handle,
        "tls-setup",
        json!({"base_revision": 3, "body": "while locked"}),
    )
    .await;
    assert_eq!(status, 202);
    let refused = eventually("the locked page's edit refused", DEADLINE, || async {
        proposals(b, &handle, "tls-setup", &trio.bob)
            .await
            .into_iter()
            .find(|p| p["state"] == "refused" && p["body"] == "while locked")
    })
    .await;
    assert!(
        refused["reason"].as_str().unwrap().contains("locked"),
        "{refused}"
    );
    // On the web, B's page tells bob and keeps his text; a new page sent from B's form shows
    // what was sent until A saves it.
    let mut web = Web::log_in(b, "bob").await;
    let html = web.get(&format!("/g/{handle}/pages/tls-setup")).await;
    assert!(
        html.contains("refused by the group") && html.contains("while locked"),
        "{html}"
    );
    assert!(
        !html.contains("action=\"/g/"),
        "a locked page offers bob no edit form: {html}"
    );
    let csrf = web.csrf(&format!("/g/{handle}/pages/new")).await;
    let (status, location) = web
        .post(
            &format!("/g/{handle}/pages"),
            &[
                ("csrf", &csrf),
                ("title", "Renewals"),
                ("slug", ""),
                ("body", "Every 60 days."),
                ("summary", ""),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("/g/{handle}/pages/renewals").as_str())
    );
    wait_revision(a, "learning", "renewals", 1).await;
    wait_revision(b, &handle, "renewals", 1).await;
    assert_eq!(
        page(a, "learning", "tls-setup", None).await.unwrap()["revision"],
        3
    );

    // The page's history is a collection at A, each revision attributed.
    let r = reqwest::Client::new()
        .get(format!(
            "http://{}/g/learning/pages/tls-setup/history",
            a.domain
        ))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let collection: Value = r.json().await.unwrap();
    assert_eq!(collection["type"], "OrderedCollection");
    assert_eq!(collection["totalItems"], 3);
    let items = collection["orderedItems"].as_array().unwrap();
    assert_eq!(items[0]["cohort:revision"], 3);
    assert_eq!(
        items[1]["attributedTo"],
        format!("http://{}/u/bob", b.domain).as_str()
    );
    assert_eq!(
        items[2]["source"]["content"],
        "Use rustls.\n\nSee [[certificates]]."
    );

    // bob reports the page from B: it reaches the group's moderators on A, who resolve it,
    // and B learns it was resolved.
    let copy = page(b, &handle, "tls-setup", None).await.unwrap();
    let r = b
        .post(
            "/api/v1/reports",
            Some(&trio.bob),
            json!({"page_id": copy["id"], "reason": "Out of date."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let report = eventually("the report on A", DEADLINE, || async {
        let r = a
            .get("/api/v1/groups/learning/reports", Some(&trio.alice))
            .await;
        r.json
            .as_array()
            .and_then(|v| v.first().cloned())
            .filter(|r| r["page"]["slug"] == "tls-setup")
    })
    .await;
    assert_eq!(report["reason"], "Out of date.");
    let r = a
        .post(
            &format!("/api/v1/reports/{}/resolve", report["id"]),
            Some(&trio.alice),
            json!({}),
        )
        .await;
    assert!(r.status == 200 || r.status == 204, "{}", r.text);
    eventually("the report resolved on B", DEADLINE, || async {
        let r = b.get("/api/v1/reports", Some(&trio.bob)).await;
        r.json
            .as_array()
            .and_then(|v| v.first().cloned())
            .filter(|r| !r["resolved_at"].is_null())
    })
    .await;

    // alice removes the page on A: B and C hide it; restored, it is back.
    for (action, shown) in [("remove", false), ("restore", true)] {
        let r = a
            .post(
                "/api/v1/groups/learning/pages/tls-setup/moderation",
                Some(&trio.alice),
                json!({"action": action}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        for app in [b, c] {
            eventually(&format!("{action} on {}", app.domain), DEADLINE, || async {
                (page(app, &handle, "tls-setup", None).await.is_some() == shown).then_some(())
            })
            .await;
        }
    }
}

#[tokio::test]
async fn lemmy_and_mastodon_see_a_new_page_once_and_never_its_edits_as_new_posts() {
    cohort::install_crypto_provider();
    let app = TestApp::spawn().await;
    let bob = app.user("bob").await;
    app.group(&bob, "rust").await;
    let mut peers = vec![];
    for software in [Software::Lemmy, Software::Mastodon] {
        let peer = Peer::start(software).await;
        let actor = peer.actor("person.json", &app);
        let follow = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follow/1", actor["id"].as_str().unwrap()),
            "type": "Follow",
            "actor": actor["id"],
            "object": format!("http://{}/g/rust", app.domain),
        });
        assert_eq!(peer.send(&app, "/g/rust/inbox", &follow).await, 202);
        peer.wait_for("the Accept", |b| b["type"] == "Accept").await;
        peers.push(peer);
    }
    let r = app
        .post(
            "/api/v1/groups/rust/pages",
            Some(&bob),
            json!({"title": "Lifetimes", "body": "Start with the book."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let page_id = format!("http://{}/g/rust/pages/lifetimes", app.domain);
    let (status, _) = edit(
        &app,
        &bob,
        "rust",
        "lifetimes",
        json!({"base_revision": 1, "body": "Start with the book, then the nomicon."}),
    )
    .await;
    assert_eq!(status, 200);
    for peer in &peers {
        let update = peer
            .wait_for("the page's update", |b| {
                b["object"]["type"] == "Update" && b["object"]["object"]["id"] == page_id.as_str()
            })
            .await;
        assert_eq!(update.body["type"], "Announce");
        assert_eq!(update.body["object"]["object"]["type"], "Article");
        assert_eq!(update.body["object"]["object"]["cohort:revision"], 2);
        let got = peer.received();
        // Created once (FEP-1b12's Announce{Create}, which Lemmy reads as a post), announced
        // as itself once (the form Mastodon shows); the edit only as an Update of the same
        // object, never a new post.
        let creates: Vec<_> = got
            .iter()
            .filter(|r| r.body["object"]["type"] == "Create")
            .collect();
        assert_eq!(creates.len(), 1, "{:?}", peer.software);
        assert_eq!(creates[0].body["object"]["object"]["id"], page_id.as_str());
        assert_eq!(
            creates[0].body["object"]["object"]["attributedTo"],
            format!("http://{}/u/bob", app.domain).as_str()
        );
        let as_itself: Vec<_> = got
            .iter()
            .filter(|r| r.body["type"] == "Announce" && r.body["object"]["type"] == "Article")
            .collect();
        // Mastodon always gets it; a Lemmy-family follower only while its NodeInfo has not
        // been read yet (a race with the software check, which the test does not wait for).
        match peer.software {
            Software::Mastodon => assert_eq!(as_itself.len(), 1, "{:?}", peer.software),
            _ => assert!(as_itself.len() <= 1, "{:?}", peer.software),
        }
        for a in &as_itself {
            assert_eq!(a.body["object"]["id"], page_id.as_str());
        }
    }

    // A moderator removes the page: besides the Update, a moderator's Delete of its id, the
    // form in which Lemmy removes a post; restoring it sends the Undo.
    for (action, kind) in [("remove", "Delete"), ("restore", "Undo")] {
        let r = app
            .post(
                "/api/v1/groups/rust/pages/lifetimes/moderation",
                Some(&bob),
                json!({"action": action}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        for peer in &peers {
            let got = peer
                .wait_for(&format!("the page's {kind}"), |b| {
                    b["type"] == "Announce" && b["object"]["type"] == kind
                })
                .await;
            let inner = &got.body["object"];
            let deleted = if kind == "Undo" {
                &inner["object"]["object"]
            } else {
                &inner["object"]
            };
            assert_eq!(deleted, page_id.as_str(), "{:?}", peer.software);
            assert_eq!(
                inner["actor"],
                format!("http://{}/u/bob", app.domain).as_str()
            );
        }
    }

    // A Lemmy user comments on the post Lemmy made of the page: a page has no replies, so
    // it is refused as such (answered 202 and refused when acted on, so Lemmy does not
    // retry), and nothing is stored.
    let lemmy = &peers[0];
    // (what a live Lemmy 0.19.20 sent)
    let comment = lemmy.fixture("create_comment_on_page.json", &app, &[]);
    assert_eq!(comment["object"]["inReplyTo"], page_id.as_str());
    let status = lemmy.send(&app, "/inbox", &comment).await;
    let body = serde_json::to_vec(&comment).unwrap();
    let (status, when) = Peer::outcome(&app, status, &body).await;
    assert!((400..500).contains(&status), "{status}");
    assert_eq!(when, When::ActedOn);
    let stored = cohort::storage::replies::find_by_ap_id(
        &app.ctx.db,
        comment["object"]["id"].as_str().unwrap(),
    )
    .await
    .unwrap();
    assert!(stored.is_none());
}

#[tokio::test]
async fn a_copy_made_late_reads_the_history_it_missed() {
    cohort::install_crypto_provider();
    let cluster = Cluster::start(2).await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let alice = a.user("alice").await;
    a.group(&alice, "learning").await;
    let r = a
        .post(
            "/api/v1/groups/learning/pages",
            Some(&alice),
            json!({"title": "Onboarding", "body": "one"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    for (base, body) in [(1, "two"), (2, "three")] {
        let (status, v) = edit(
            a,
            &alice,
            "learning",
            "onboarding",
            json!({"base_revision": base, "body": body, "summary": format!("to {body}")}),
        )
        .await;
        assert_eq!(status, 200, "{v}");
    }
    // A moderator hides revision 2's text before anyone elsewhere follows.
    let r = a
        .post(
            "/api/v1/groups/learning/pages/onboarding/revisions/2/moderation",
            Some(&alice),
            json!({"action": "remove"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // dave on B joins; the next edit reaches B, which reads the three revisions it missed.
    let handle = format!("learning@{}", a.domain);
    let dave = b.user("dave").await;
    join(b, &dave, &handle).await;
    let (status, _) = edit(
        a,
        &alice,
        "learning",
        "onboarding",
        json!({"base_revision": 3, "body": "four"}),
    )
    .await;
    assert_eq!(status, 200);
    let p = wait_revision(b, &handle, "onboarding", 4).await;
    assert_eq!(p["body"], "four");
    let h = history(b, &handle, "onboarding").await;
    let numbers: Vec<_> = h.iter().map(|r| r["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [4, 3, 2, 1]);
    assert_eq!(h[1]["summary"], "to three");
    assert_eq!(h[2]["removed"], true, "the removed text stays removed");
    assert_eq!(h[2]["summary"], "");
    let r = b
        .get(
            &format!("/api/v1/groups/{handle}/pages/onboarding/revisions/1"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["body"], "one");
    assert_eq!(r.json["author"]["username"], "alice");
}
