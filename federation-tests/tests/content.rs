//! The content flow across three instances (FEP-1b12): members on B and C take part in a
//! group hosted on A; everything reaches everyone, through the group.

use cohort::testing::{TestApp, eventually, id};
use federation_tests::{DEADLINE, Trio, find_post, thread, wait_for_post};
use serde_json::{Value, json};

type World = Trio;

async fn world() -> World {
    Trio::start().await
}

#[tokio::test]
async fn a_post_from_b_in_a_group_on_a_reaches_c() {
    let w = world().await;
    let p = w
        .b()
        .post_in(&w.bob, &w.handle, "Hello from B", "Learning *together*")
        .await;
    assert_eq!(p["local"], true, "B keeps its member's post as its own");
    // A relays the post twice: wrapped in Announce{Create} and, for Mastodon, as Announce{Note}
    // (Mastodon shows a Page as a title and a link only).
    let announces = eventually(
        "both Announce forms queued or sent by A",
        DEADLINE,
        || async {
            let rows = sent_announces(w.a()).await;
            (rows.len() >= 2).then_some(rows)
        },
    )
    .await;
    assert!(
        announces
            .iter()
            .any(|b| b["object"]["type"] == "Create" && b["object"]["object"]["id"] == p["ap_id"])
    );
    assert!(
        announces
            .iter()
            .any(|b| b["object"]["type"] == "Note" && b["object"]["id"] == p["ap_id"])
    );
    for app in [w.a(), w.c()] {
        let seen = wait_for_post(app, &w.handle, "Hello from B").await;
        assert_eq!(seen["ap_id"], p["ap_id"], "one post, one id, everywhere");
        assert_eq!(seen["author"]["handle"], format!("bob@{}", w.b().domain));
        assert_eq!(seen["body_html"], "<p>Learning <em>together</em></p>\n");
        assert_eq!(seen["local"], false);
    }
}

#[tokio::test]
async fn a_reply_chain_across_three_instances_arrives_in_order() {
    let w = world().await;
    let (a, b, c) = (w.a(), w.b(), w.c());
    let post = a
        .post_in(&w.alice, &w.handle, "Chain", "Who answers?")
        .await;
    let on_b = wait_for_post(b, &w.handle, "Chain").await;
    let r1 = b.reply_to(&w.bob, id(&on_b), None, "bob first").await;

    let on_c = wait_for_post(c, &w.handle, "Chain").await;
    let r1_on_c = eventually("bob's reply on C", DEADLINE, || async {
        let t = thread(c, id(&on_c)).await;
        t["replies"]
            .as_array()?
            .first()
            .filter(|r| r["body"] == "bob first")
            .map(id)
    })
    .await;
    let r2 = c
        .reply_to(&w.carol, id(&on_c), Some(r1_on_c), "carol second")
        .await;

    let r2_on_a = eventually("carol's reply on A", DEADLINE, || async {
        let t = thread(a, id(&post)).await;
        let child = &t["replies"].as_array()?.first()?["children"]
            .as_array()?
            .first()?
            .clone();
        (child["body"] == "carol second").then(|| id(child))
    })
    .await;
    a.reply_to(&w.alice, id(&post), Some(r2_on_a), "alice third")
        .await;

    for (app, post_id) in [(a, id(&post)), (b, id(&on_b)), (c, id(&on_c))] {
        let chain = eventually(
            &format!("the whole chain on {}", app.domain),
            DEADLINE,
            || async {
                let t = thread(app, post_id).await;
                let first = t["replies"].as_array()?.first()?.clone();
                let second = first["children"].as_array()?.first()?.clone();
                let third = second["children"].as_array()?.first()?.clone();
                Some((t, [first, second, third]))
            },
        )
        .await;
        let (t, [first, second, third]) = chain;
        assert_eq!(
            t["reply_count"], 3,
            "on {} (A={}, B={}, C={}): {t:#}",
            app.domain, a.domain, b.domain, c.domain
        );
        assert_eq!(first["body"], "bob first");
        assert_eq!(first["ap_id"], r1["ap_id"]);
        assert_eq!(second["body"], "carol second");
        assert_eq!(second["ap_id"], r2["ap_id"]);
        assert_eq!(third["body"], "alice third");
        assert_eq!(third["author"]["handle"], format!("alice@{}", a.domain));
    }
}

#[tokio::test]
async fn edits_and_deletes_propagate() {
    let w = world().await;
    let (a, b, c) = (w.a(), w.b(), w.c());
    let p = b.post_in(&w.bob, &w.handle, "Draft title", "draft").await;
    let on_c = wait_for_post(c, &w.handle, "Draft title").await;
    let reply = c.reply_to(&w.carol, id(&on_c), None, "first thought").await;

    let r = b
        .request(
            "PATCH",
            &format!("/api/v1/posts/{}", id(&p)),
            Some(&w.bob),
            Some(&json!({"title": "Final title", "body": "final"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = c
        .request(
            "PATCH",
            &format!("/api/v1/replies/{}", id(&reply)),
            Some(&w.carol),
            Some(&json!({"body": "second thought"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for app in [a, b, c] {
        let post = wait_for_post(app, &w.handle, "Final title").await;
        assert_eq!(post["body"], "final");
        eventually(
            &format!("the reply edit on {}", app.domain),
            DEADLINE,
            || async {
                let t = thread(app, id(&post)).await;
                (t["replies"][0]["body"] == "second thought").then_some(())
            },
        )
        .await;
    }

    let r = c
        .request(
            "DELETE",
            &format!("/api/v1/replies/{}", id(&reply)),
            Some(&w.carol),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = b
        .request(
            "DELETE",
            &format!("/api/v1/posts/{}", id(&p)),
            Some(&w.bob),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let ap_id = p["ap_id"].as_str().unwrap();
    for app in [a, c] {
        // The post leaves the lists and its thread shows a tombstone; so does the reply.
        let t = eventually(
            &format!("the deletions on {}", app.domain),
            DEADLINE,
            || async {
                let stored = cohort::storage::posts::find_by_ap_id(&app.ctx.db, ap_id)
                    .await
                    .ok()??;
                let t = thread(app, stored.id).await;
                (t["deleted"] == true && t["replies"][0]["deleted"] == true).then_some(t)
            },
        )
        .await;
        assert_eq!(t["body"], "");
        assert_eq!(t["replies"][0]["body"], "");
        assert!(find_post(app, &w.handle, "Final title").await.is_none());
    }
}

async fn score_everywhere(w: &World, title: &str, expected: i64) {
    for app in [w.a(), w.b(), w.c()] {
        eventually(
            &format!("score {expected} on {}", app.domain),
            DEADLINE,
            || async {
                let post = find_post(app, &w.handle, title).await?;
                (post["score"].as_i64() == Some(expected)).then_some(())
            },
        )
        .await;
    }
}

async fn vote(app: &TestApp, token: &str, post: &Value, value: i64) {
    let r = app
        .post(
            &format!("/api/v1/posts/{}/vote", id(post)),
            Some(token),
            json!({"value": value}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn votes_propagate() {
    let w = world().await;
    w.b().post_in(&w.bob, &w.handle, "Vote on me", "").await;
    let on_c = wait_for_post(w.c(), &w.handle, "Vote on me").await;
    let on_a = wait_for_post(w.a(), &w.handle, "Vote on me").await;
    vote(w.c(), &w.carol, &on_c, 1).await;
    score_everywhere(&w, "Vote on me", 1).await;
    vote(w.a(), &w.alice, &on_a, 1).await;
    score_everywhere(&w, "Vote on me", 2).await;
    vote(w.c(), &w.carol, &on_c, -1).await;
    score_everywhere(&w, "Vote on me", 0).await;
    vote(w.c(), &w.carol, &on_c, 0).await;
    score_everywhere(&w, "Vote on me", 1).await;
}

/// The Announce activities an instance has sent, as JSON.
async fn sent_announces(app: &TestApp) -> Vec<Value> {
    use sea_orm::EntityTrait;
    cohort::storage::entities::sent_activities::Entity::find()
        .all(&app.ctx.db)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|a| serde_json::from_str::<Value>(&a.body).ok())
        .filter(|b| b["type"] == "Announce")
        .collect()
}
