//! Every moderator action across three instances. A hosts the group `learning` (alice
//! created it); bob on B and carol on C are members. Alice makes bob a moderator, so actions
//! start both on the group's own instance (alice) and on another (bob, through the group);
//! each must show on all three, and in each one's copy of the mod log. Then the same
//! actions with a Lemmy server (the `peer` stand-in): its moderators acting on a Cohort
//! group, and a Cohort member moderating a Lemmy community.

use cohort::testing::{TestApp, eventually, id};
use federation_tests::{
    DEADLINE, Trio,
    peer::{Peer, Software, When},
    thread, wait_for_post, wait_joined,
};
use serde_json::{Value, json};

type World = Trio;

/// Handles of the members, as other instances name them.
trait Handles {
    fn bob_handle(&self) -> String;
    fn carol_handle(&self) -> String;
}

impl Handles for World {
    fn bob_handle(&self) -> String {
        format!("bob@{}", self.b().domain)
    }
    fn carol_handle(&self) -> String {
        format!("carol@{}", self.c().domain)
    }
}

async fn world() -> World {
    Trio::start().await
}

/// Waits until `check` holds of thread `post_id` as `app` shows it.
async fn until_thread(app: &TestApp, post_id: i64, what: &str, check: impl Fn(&Value) -> bool) {
    eventually(&format!("{what} on {}", app.domain), DEADLINE, || async {
        let t = thread(app, post_id).await;
        check(&t).then_some(())
    })
    .await;
}

/// The local id each instance gives the post titled `title`.
async fn ids_of(w: &World, title: &str) -> [i64; 3] {
    let mut out = [0; 3];
    for (i, app) in w.all().into_iter().enumerate() {
        // Listings leave removed posts out, so a post is found while it is live.
        out[i] = id(&wait_for_post(app, &w.handle, title).await);
    }
    out
}

async fn moderators(app: &TestApp, handle: &str) -> Vec<String> {
    let r = app.get(&format!("/api/v1/groups/{handle}"), None).await;
    r.json["moderators"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|p| p["handle"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn modlog_actions(app: &TestApp, handle: &str) -> Vec<String> {
    let r = app
        .get(&format!("/api/v1/groups/{handle}/modlog?limit=100"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_moderator_action_reaches_all_three_instances() {
    let w = world().await;
    let h = w.handle.clone();
    let title = "Carol's thread";
    w.c().post_in(&w.carol, &h, title, "A question").await;
    let [pa, pb, pc] = ids_of(&w, title).await;
    w.b().reply_to(&w.bob, pb, None, "Bob's answer").await;
    for (app, pid) in [(w.a(), pa), (w.c(), pc)] {
        until_thread(app, pid, "bob's reply", |t| {
            t["replies"][0]["body"] == "Bob's answer"
        })
        .await;
    }

    // --- Alice (on A) makes bob (on B) a moderator: Add to the moderators collection.
    let r = w
        .a()
        .post(
            "/api/v1/groups/learning/moderators",
            Some(&w.alice),
            json!({"person": w.bob_handle()}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for app in w.all() {
        eventually(
            &format!("bob listed as moderator on {}", app.domain),
            DEADLINE,
            || async {
                moderators(app, &h)
                    .await
                    .contains(&w.bob_handle())
                    .then_some(())
            },
        )
        .await;
    }

    // --- Bob (on B) locks carol's thread: sent to A, which checks him and relays it to C.
    let r = w
        .b()
        .post(
            &format!("/api/v1/posts/{pb}/lock"),
            Some(&w.bob),
            json!({"reason": "Answered"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for (app, pid) in [(w.a(), pa), (w.b(), pb), (w.c(), pc)] {
        until_thread(app, pid, "the lock", |t| t["locked"] == true).await;
    }
    let r = w
        .c()
        .post(
            &format!("/api/v1/posts/{pc}/replies"),
            Some(&w.carol),
            json!({"body": "one more"}),
        )
        .await;
    assert_eq!((r.status, r.json["error"].as_str()), (409, Some("locked")));
    let r = w
        .b()
        .request(
            "DELETE",
            &format!("/api/v1/posts/{pb}/lock"),
            Some(&w.bob),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for (app, pid) in [(w.a(), pa), (w.b(), pb), (w.c(), pc)] {
        until_thread(app, pid, "the unlock", |t| t["locked"] == false).await;
    }

    // --- Alice pins and unpins it: the featured collection.
    let r = w
        .a()
        .request(
            "POST",
            &format!("/api/v1/posts/{pa}/pin"),
            Some(&w.alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for (app, pid) in [(w.b(), pb), (w.c(), pc)] {
        until_thread(app, pid, "the pin", |t| t["pinned"] == true).await;
    }
    let r = w
        .a()
        .request(
            "DELETE",
            &format!("/api/v1/posts/{pa}/pin"),
            Some(&w.alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    for (app, pid) in [(w.b(), pb), (w.c(), pc)] {
        until_thread(app, pid, "the unpin", |t| t["pinned"] == false).await;
    }

    // --- Bob removes the thread with a reason, then restores it.
    let r = w
        .b()
        .post(
            &format!("/api/v1/posts/{pb}/remove"),
            Some(&w.bob),
            json!({"reason": "Off topic"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for (app, pid) in [(w.a(), pa), (w.b(), pb), (w.c(), pc)] {
        until_thread(app, pid, "the removal", |t| {
            t["removed"] == true && t["title"] == ""
        })
        .await;
    }
    let r = w
        .b()
        .post(
            &format!("/api/v1/posts/{pb}/restore"),
            Some(&w.bob),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for (app, pid) in [(w.a(), pa), (w.b(), pb), (w.c(), pc)] {
        until_thread(app, pid, "the restore", |t| t["title"] == title).await;
    }

    // --- Alice removes bob's reply, and restores it.
    let reply_on = |t: &Value| t["replies"][0]["id"].as_i64().unwrap_or(0);
    let ra = reply_on(&thread(w.a(), pa).await);
    let r = w
        .a()
        .post(
            &format!("/api/v1/replies/{ra}/remove"),
            Some(&w.alice),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for (app, pid) in [(w.b(), pb), (w.c(), pc)] {
        until_thread(app, pid, "the reply's removal", |t| {
            t["replies"][0]["removed"] == true
        })
        .await;
    }
    let r = w
        .a()
        .post(
            &format!("/api/v1/replies/{ra}/restore"),
            Some(&w.alice),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204);
    for (app, pid) in [(w.b(), pb), (w.c(), pc)] {
        until_thread(app, pid, "the reply's restore", |t| {
            t["replies"][0]["body"] == "Bob's answer"
        })
        .await;
    }

    // --- Alice bans carol until a date, removing what she wrote in the group (Block).
    let until = "2099-01-01T00:00:00Z";
    let r = w
        .a()
        .post(
            "/api/v1/groups/learning/bans",
            Some(&w.alice),
            json!({"person": w.carol_handle(), "reason": "Spam", "expires_at": until, "remove_content": true}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for (app, pid) in [(w.a(), pa), (w.b(), pb), (w.c(), pc)] {
        until_thread(app, pid, "the ban's removal", |t| t["removed"] == true).await;
    }
    // Carol's own instance knows she is banned there.
    eventually("carol's ban on C", DEADLINE, || async {
        let r = w
            .c()
            .post(
                &format!("/api/v1/groups/{h}/posts"),
                Some(&w.carol),
                json!({"title": "Back again", "body": ""}),
            )
            .await;
        (r.status == 403 && r.json["error"] == "banned").then_some(())
    })
    .await;
    let r = w
        .a()
        .get("/api/v1/groups/learning/bans", Some(&w.alice))
        .await;
    assert_eq!(r.json[0]["person"]["handle"], w.carol_handle());
    // Lifted, with her content restored (Undo{Block} with restoreData).
    let r = w
        .a()
        .request(
            "DELETE",
            &format!(
                "/api/v1/groups/learning/bans/{}?restore_content=true",
                w.carol_handle()
            ),
            Some(&w.alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for (app, pid) in [(w.a(), pa), (w.b(), pb), (w.c(), pc)] {
        until_thread(app, pid, "the unban's restore", |t| t["title"] == title).await;
    }
    eventually("carol may post again", DEADLINE, || async {
        let r = w
            .c()
            .post(
                &format!("/api/v1/groups/{h}/posts"),
                Some(&w.carol),
                json!({"title": "Back again", "body": ""}),
            )
            .await;
        (r.status == 201).then_some(())
    })
    .await;
    wait_for_post(w.a(), &h, "Back again").await;

    // --- Carol reports bob's reply: it reaches A (the group), B (a moderator's instance) and
    // stays on C (hers). Bob resolves it on B; the resolution reaches A and C.
    let rc = reply_on(&thread(w.c(), pc).await);
    let r = w
        .c()
        .post(
            "/api/v1/reports",
            Some(&w.carol),
            json!({"reply_id": rc, "reason": "Unkind"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let flag = r.json["ap_id"].as_str().unwrap().to_string();
    for (app, token, group) in [
        (w.a(), &w.alice, "learning".to_string()),
        (w.b(), &w.bob, h.clone()),
    ] {
        let found = eventually(
            &format!("the report on {}", app.domain),
            DEADLINE,
            || async {
                let r = app
                    .get(&format!("/api/v1/groups/{group}/reports"), Some(token))
                    .await;
                r.json
                    .as_array()?
                    .iter()
                    .find(|x| x["ap_id"] == flag.as_str())
                    .cloned()
            },
        )
        .await;
        assert_eq!(found["reason"], "Unkind");
        assert_eq!(found["reporter"]["handle"], w.carol_handle());
        assert_eq!(found["person"]["handle"], w.bob_handle());
        assert!(found["reply_id"].is_i64());
    }
    let on_b = w
        .b()
        .get(&format!("/api/v1/groups/{h}/reports"), Some(&w.bob))
        .await;
    let rid_b = id(&on_b.json[0]);
    let r = w
        .b()
        .post(
            &format!("/api/v1/reports/{rid_b}/resolve"),
            Some(&w.bob),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    eventually("the resolution on A", DEADLINE, || async {
        let r = w
            .a()
            .get(
                "/api/v1/groups/learning/reports?resolved=true",
                Some(&w.alice),
            )
            .await;
        r.json
            .as_array()?
            .iter()
            .any(|x| x["ap_id"] == flag.as_str() && x["resolved_by"]["handle"] == w.bob_handle())
            .then_some(())
    })
    .await;
    eventually(
        "the resolution on C, the reporter's instance",
        DEADLINE,
        || async {
            let r = w.c().get("/api/v1/reports", Some(&w.carol)).await;
            r.json
                .as_array()?
                .iter()
                .any(|x| x["ap_id"] == flag.as_str() && x["resolved_at"].is_string())
                .then_some(())
        },
    )
    .await;

    // --- Alice takes bob off the moderators; he can no longer act.
    let r = w
        .a()
        .request(
            "DELETE",
            &format!("/api/v1/groups/learning/moderators/{}", w.bob_handle()),
            Some(&w.alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for app in w.all() {
        eventually(
            &format!("bob off the moderators on {}", app.domain),
            DEADLINE,
            || async { (!moderators(app, &h).await.contains(&w.bob_handle())).then_some(()) },
        )
        .await;
    }
    let r = w
        .b()
        .post(&format!("/api/v1/posts/{pb}/lock"), Some(&w.bob), json!({}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);

    // Every instance logged every action, in order.
    let expected = [
        "remove_moderator",
        "unban",
        "ban",
        "restore_reply",
        "remove_reply",
        "restore_post",
        "remove_post",
        "unpin",
        "pin",
        "unlock",
        "lock",
        "add_moderator",
    ];
    for app in w.all() {
        let handle = if app.domain == w.a().domain {
            "learning".to_string()
        } else {
            h.clone()
        };
        eventually(
            &format!("the whole mod log on {}", app.domain),
            DEADLINE,
            || async { (modlog_actions(app, &handle).await == expected).then_some(()) },
        )
        .await;
    }
    let r = w.c().get(&format!("/api/v1/groups/{h}/modlog"), None).await;
    let ban = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "ban")
        .cloned()
        .unwrap();
    assert_eq!(ban["reason"], "Spam");
    assert_eq!(
        ban["moderator"]["handle"],
        format!("alice@{}", w.a().domain)
    );
    assert!(ban["expires_at"].is_string());
    let lock = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "lock")
        .cloned()
        .unwrap();
    assert_eq!(lock["moderator"]["handle"], w.bob_handle());
    assert_eq!(lock["reason"], "Answered");
}

#[tokio::test]
async fn a_member_blocks_a_remote_person_and_instance() {
    let w = world().await;
    let h = w.handle.clone();
    w.a().post_in(&w.alice, "learning", "Alice asks", "").await;
    let [_, pb, pc] = ids_of(&w, "Alice asks").await;
    w.b().reply_to(&w.bob, pb, None, "Bob answers").await;
    w.b().post_in(&w.bob, &h, "Bob asks", "").await;
    wait_for_post(w.c(), &h, "Bob asks").await;
    until_thread(w.c(), pc, "bob's reply", |t| {
        t["replies"][0]["body"] == "Bob answers"
    })
    .await;

    let titles = |token: String| {
        let app = w.c();
        let h = h.clone();
        async move {
            app.get(&format!("/api/v1/groups/{h}/posts"), Some(&token))
                .await
                .json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["title"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // Carol blocks bob by handle: his post and reply are hidden from her.
    let r = w
        .c()
        .request(
            "PUT",
            &format!("/api/v1/me/blocks/people/{}", w.bob_handle()),
            Some(&w.carol),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(titles(w.carol.clone()).await, ["Alice asks"]);
    let t = w
        .c()
        .get(&format!("/api/v1/posts/{pc}"), Some(&w.carol))
        .await
        .json;
    assert_eq!(t["replies"][0]["hidden"], true);
    let r = w
        .c()
        .request(
            "DELETE",
            &format!("/api/v1/me/blocks/people/{}", w.bob_handle()),
            Some(&w.carol),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(titles(w.carol.clone()).await.len(), 2);

    // Blocking B's instance hides the same.
    let r = w
        .c()
        .request(
            "PUT",
            &format!("/api/v1/me/blocks/instances/{}", w.b().domain),
            Some(&w.carol),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(titles(w.carol.clone()).await, ["Alice asks"]);
    let t = w
        .c()
        .get(&format!("/api/v1/posts/{pc}"), Some(&w.carol))
        .await
        .json;
    assert_eq!(t["replies"][0]["hidden"], true);
    // A block is private: nothing changes for anyone else, here or there.
    let t = w.c().get(&format!("/api/v1/posts/{pc}"), None).await.json;
    assert_eq!(t["replies"][0]["body"], "Bob answers");
    assert!(
        w.a().get("/api/v1/groups/learning/modlog", None).await.json["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

#[tokio::test]
async fn a_lemmy_moderator_of_a_cohort_group_acts_and_lemmy_users_report() {
    cohort::install_crypto_provider();
    let app = TestApp::spawn().await;
    let bob = app.user("bob").await;
    app.group(&bob, "rust").await;
    let post = app.post_in(&bob, "rust", "Borrowing", "How?").await;
    let post_ap = post["ap_id"].as_str().unwrap().to_string();
    let peer = Peer::start(Software::Lemmy).await;
    let lea = peer.actor("person.json", &app);
    let lea_id = lea["id"].as_str().unwrap().to_string();
    let group = format!("http://{}/g/rust", app.domain);

    // Lea's server follows the group.
    let follow = peer.fixture("follow.json", &app, &[]);
    assert_eq!(
        peer.deliver(&app, "/g/rust/inbox", &lea, &follow).await,
        202
    );
    peer.wait_for("Accept", |b| b["type"] == "Accept").await;

    let lock = |n: u32| {
        json!({"@context": ["https://join-lemmy.org/context.json", "https://www.w3.org/ns/activitystreams"],
            "id": format!("{}/activities/lock/{n}", peer.base), "type": "Lock", "actor": lea_id,
            "to": [PUBLIC], "cc": [group], "audience": group, "object": post_ap,
            "summary": "Enough said"})
    };
    // Not a moderator yet: refused.
    assert_eq!(
        peer.deliver_outcome(&app, "/g/rust/inbox", &lea, &lock(1))
            .await,
        (403, When::ActedOn)
    );
    assert_eq!(thread(&app, id(&post)).await["locked"], false);

    // Bob makes her one: Add to the moderators collection, announced to her server.
    let r = app
        .post(
            "/api/v1/groups/rust/moderators",
            Some(&bob),
            json!({"person": lea_id}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let add = peer
        .wait_for("Announce{Add} of lea", |b| {
            b["type"] == "Announce" && b["object"]["type"] == "Add"
        })
        .await;
    let inner = &add.body["object"];
    assert_eq!(add.body["actor"], group);
    assert_eq!(inner["object"], lea_id.as_str());
    assert_eq!(inner["target"], format!("{group}/moderators"));
    assert_eq!(inner["actor"], format!("http://{}/u/bob", app.domain));
    assert_eq!(
        (inner["to"][0].as_str(), inner["cc"][0].as_str()),
        (Some(PUBLIC), Some(group.as_str()))
    );
    assert_eq!(inner["audience"], group);
    // The moderators collection says so too.
    let r = app.get("/api/v1/groups/rust", None).await;
    assert_eq!(r.json["moderators"][1]["ap_id"], lea_id.as_str());

    // Now her lock is applied, logged, and relayed to the followers.
    assert_eq!(
        peer.deliver(&app, "/g/rust/inbox", &lea, &lock(2)).await,
        202
    );
    assert_eq!(thread(&app, id(&post)).await["locked"], true);
    peer.wait_for("Announce{Lock}", |b| {
        b["type"] == "Announce"
            && b["object"]["type"] == "Lock"
            && b["object"]["actor"] == lea_id.as_str()
    })
    .await;
    let log = app.get("/api/v1/groups/rust/modlog", None).await.json;
    assert_eq!(log["items"][0]["action"], "lock");
    assert_eq!(log["items"][0]["reason"], "Enough said");
    assert_eq!(log["items"][0]["moderator"]["ap_id"], lea_id.as_str());

    // A report from her server's user reaches the group's moderators; the group passes it
    // to the reporter's server (and its remote moderators').
    let flag = peer.fixture(
        "flag.json",
        &app,
        &[("https://cohort.example/posts/1", &post_ap)],
    );
    assert_eq!(peer.deliver(&app, "/g/rust/inbox", &lea, &flag).await, 202);
    let r = app.get("/api/v1/groups/rust/reports", Some(&bob)).await;
    assert_eq!(r.json[0]["reason"], "not about rust", "{}", r.text);
    assert_eq!(r.json[0]["reporter"]["ap_id"], lea_id.as_str());
    assert_eq!(r.json[0]["post_id"], id(&post));
    peer.wait_for("Announce{Flag}", |b| {
        b["type"] == "Announce" && b["object"]["type"] == "Flag" && b["object"]["id"] == flag["id"]
    })
    .await;
    // The same Flag again is one report.
    assert_eq!(peer.deliver(&app, "/g/rust/inbox", &lea, &flag).await, 202);
    assert_eq!(
        app.get("/api/v1/groups/rust/reports", Some(&bob))
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Bob resolves it: Resolve, announced to her server.
    let rid = id(&r.json[0]);
    let r = app
        .post(
            &format!("/api/v1/reports/{rid}/resolve"),
            Some(&bob),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204);
    let resolve = peer
        .wait_for("Announce{Resolve}", |b| {
            b["type"] == "Announce" && b["object"]["type"] == "Resolve"
        })
        .await;
    assert_eq!(resolve.body["object"]["object"]["id"], flag["id"]);
    assert_eq!(resolve.body["object"]["object"]["actor"], lea_id.as_str());

    // Bob takes her off the moderators; her next lock is refused.
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/groups/rust/moderators/{}", urlencode(&lea_id)),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let mut unlock = lock(3);
    unlock["type"] = json!("Undo");
    unlock["object"] = lock(2);
    assert_eq!(
        peer.deliver_outcome(&app, "/g/rust/inbox", &lea, &unlock)
            .await,
        (403, When::ActedOn)
    );
    assert_eq!(thread(&app, id(&post)).await["locked"], true);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_lemmy_community_bans_and_appoints_a_cohort_member_who_then_moderates() {
    cohort::install_crypto_provider();
    let app = TestApp::spawn().await;
    let bob = app.user("bob").await;
    let peer = Peer::start(Software::Lemmy).await;
    let community = peer.actor("group.json", &app);
    let lea = peer.actor("person.json", &app);
    let mia = peer.another_actor(&lea, "/u/mia");
    let community_id = community["id"].as_str().unwrap().to_string();
    // The community's moderators collection (its `attributedTo`), read when bob joins.
    peer.publish(&json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{community_id}/moderators"), "type": "OrderedCollection",
        "totalItems": 1, "orderedItems": [mia["id"]]}));
    let lea_id = lea["id"].as_str().unwrap().to_string();
    let handle = format!("rust@{}", peer.base.trim_start_matches("http://"));

    // Bob joins the community.
    let r = app
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(&bob),
            json!({}),
        )
        .await;
    assert!(r.status == 200 || r.status == 202, "{}", r.text);
    let follow = peer.wait_for("Follow", |b| b["type"] == "Follow").await;
    let placeholder = peer.fixture("accept.json", &app, &[])["object"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let follow_id = follow.body["id"].as_str().unwrap().to_string();
    let accept = peer.fixture("accept.json", &app, &[(&placeholder, &follow_id)]);
    assert_eq!(
        peer.deliver(&app, "/u/bob/inbox", &community, &accept)
            .await,
        202
    );
    wait_joined(&app, &bob, &handle).await;
    eventually("the community's moderators read", DEADLINE, || async {
        let r = app.get(&format!("/api/v1/groups/{handle}"), None).await;
        (r.json["moderators"][0]["ap_id"] == mia["id"]).then_some(())
    })
    .await;
    let announce = peer.fixture("announce_create_page.json", &app, &[]);
    assert_eq!(peer.send(&app, "/inbox", &announce).await, 202);
    let leas = wait_for_post(&app, &handle, "Lifetimes explained").await;
    let bobs = app.post_in(&bob, &handle, "Cohort says hello", "").await;

    // Mia bans bob from the community, removing his content, until 2031.
    let ban = peer.fixture("announce_block_user.json", &app, &[]);
    assert_eq!(peer.send(&app, "/inbox", &ban).await, 202);
    assert_eq!(thread(&app, id(&bobs)).await["removed"], true);
    let r = app
        .post(
            &format!("/api/v1/groups/{handle}/posts"),
            Some(&bob),
            json!({"title": "Still here?", "body": ""}),
        )
        .await;
    assert_eq!((r.status, r.json["error"].as_str()), (403, Some("banned")));
    let log = app
        .get(&format!("/api/v1/groups/{handle}/modlog"), None)
        .await
        .json;
    assert_eq!(log["items"][0]["action"], "ban");
    assert_eq!(log["items"][0]["reason"], "spam");
    assert_eq!(log["items"][0]["moderator"]["username"], "mia");
    assert_eq!(log["items"][0]["expires_at"], "2031-05-01T10:00:00Z");

    // Lifted, restoring his content.
    let unban = peer.fixture("announce_undo_block_user.json", &app, &[]);
    assert_eq!(peer.send(&app, "/inbox", &unban).await, 202);
    assert_eq!(thread(&app, id(&bobs)).await["title"], "Cohort says hello");
    app.post_in(&bob, &handle, "Back", "").await;

    // Mia makes him a moderator; what he does is sent to the community as Lemmy expects.
    let add = peer.fixture("announce_add_mod.json", &app, &[]);
    assert_eq!(peer.send(&app, "/inbox", &add).await, 202);
    let r = app.get(&format!("/api/v1/groups/{handle}"), None).await;
    assert!(
        r.json["moderators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["username"] == "bob"),
        "{}",
        r.text
    );
    let bob_id = format!("http://{}/u/bob", app.domain);
    let leas_ap = leas["ap_id"].as_str().unwrap().to_string();
    let expect_shape = |b: &Value, kind: &str| {
        assert_eq!(b["type"], kind, "{b}");
        assert_eq!(b["actor"], bob_id.as_str(), "{b}");
        assert_eq!(b["to"][0], PUBLIC, "{b}");
        assert_eq!(b["cc"][0], community_id.as_str(), "{b}");
        assert_eq!(b["audience"], community_id.as_str(), "{b}");
    };

    let r = app
        .post(
            &format!("/api/v1/posts/{}/lock", id(&leas)),
            Some(&bob),
            json!({"reason": "Solved"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let sent = peer.wait_for("Lock", |b| b["type"] == "Lock").await;
    expect_shape(&sent.body, "Lock");
    assert_eq!(sent.body["object"], leas_ap.as_str());
    assert_eq!(sent.body["summary"], "Solved");
    assert!(
        sent.path == "/inbox" || sent.path == "/c/rust/inbox",
        "{}",
        sent.path
    );

    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/posts/{}/lock", id(&leas)),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let sent = peer
        .wait_for("Undo{Lock}", |b| {
            b["type"] == "Undo" && b["object"]["type"] == "Lock"
        })
        .await;
    expect_shape(&sent.body, "Undo");
    expect_shape(&sent.body["object"], "Lock");

    let r = app
        .post(
            &format!("/api/v1/posts/{}/remove", id(&leas)),
            Some(&bob),
            json!({"reason": "Duplicate"}),
        )
        .await;
    assert_eq!(r.status, 204);
    let sent = peer
        .wait_for("Delete (removal)", |b| {
            b["type"] == "Delete" && b["object"] == leas_ap.as_str()
        })
        .await;
    expect_shape(&sent.body, "Delete");
    assert_eq!(sent.body["summary"], "Duplicate");
    let r = app
        .post(
            &format!("/api/v1/posts/{}/restore", id(&leas)),
            Some(&bob),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204);
    let sent = peer
        .wait_for("Undo{Delete}", |b| {
            b["type"] == "Undo" && b["object"]["type"] == "Delete"
        })
        .await;
    expect_shape(&sent.body, "Undo");

    let r = app
        .request(
            "POST",
            &format!("/api/v1/posts/{}/pin", id(&leas)),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let sent = peer.wait_for("Add (pin)", |b| b["type"] == "Add").await;
    expect_shape(&sent.body, "Add");
    assert_eq!(sent.body["target"], format!("{community_id}/featured"));

    let r = app
        .post(
            &format!("/api/v1/groups/{handle}/bans"),
            Some(&bob),
            json!({"person": lea_id, "reason": "Rude", "expires_at": "2030-01-01T00:00:00Z", "remove_content": true}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let sent = peer.wait_for("Block", |b| b["type"] == "Block").await;
    expect_shape(&sent.body, "Block");
    assert_eq!(sent.body["object"], lea_id.as_str());
    assert_eq!(sent.body["target"], community_id.as_str());
    assert_eq!(sent.body["removeData"], true);
    assert_eq!(sent.body["summary"], "Rude");
    assert_eq!(sent.body["endTime"], "2030-01-01T00:00:00Z");
    assert_eq!(sent.body["expires"], "2030-01-01T00:00:00Z");
    assert_eq!(
        thread(&app, id(&leas)).await["removed"],
        true,
        "removed here at once"
    );

    // A report of a post there goes to the community.
    let r = app
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"post_id": id(&leas), "reason": "Off topic"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sent = peer.wait_for("Flag", |b| b["type"] == "Flag").await;
    assert_eq!(sent.body["actor"], bob_id.as_str());
    assert_eq!(sent.body["to"][0], community_id.as_str());
    assert_eq!(sent.body["object"], leas_ap.as_str());
    assert_eq!(sent.body["summary"], "Off topic");
}
