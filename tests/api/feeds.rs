//! Atom feeds, read back with a feed parser (`feed-rs`) as a reader would: a group's posts,
//! its questions waiting for an answer, a person's posts and a thread's replies list what the
//! pages show a visitor, nothing deleted, and the pages link them.

use cohort::testing::{TestApp, id};
use serde_json::json;

/// The feed at `path`: its media type checked, parsed.
async fn feed(app: &TestApp, path: &str) -> feed_rs::model::Feed {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(
        r.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let body = r.bytes().await.unwrap();
    feed_rs::parser::parse(&body[..]).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn titles(f: &feed_rs::model::Feed) -> Vec<String> {
    f.entries
        .iter()
        .map(|e| {
            e.title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default()
        })
        .collect()
}

async fn html(app: &TestApp, path: &str) -> String {
    app.client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn feeds_list_what_the_pages_show_and_parse() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "rust").await;
    let bob = app.user("bob").await;
    let ask = |title: &'static str| {
        let app = &app;
        let bob = bob.clone();
        async move {
            let r = app
                .post(
                    "/api/v1/groups/rust/posts",
                    Some(&bob),
                    json!({"title": title, "body": "How?", "kind": "question"}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
            r.json
        }
    };
    let answered = ask("Which allocator?").await;
    let waiting = ask("Why is it slow?").await;
    let gone = app.post_in(&ann, "rust", "A mistake", "Oops.").await;
    let news = app
        .post_in(
            &ann,
            "rust",
            "Release <notes>",
            "Read <script>alert(1)</script> **this**.",
        )
        .await;
    let reply = app
        .reply_to(&ann, id(&answered), None, "Use the system one.")
        .await;
    let later = app
        .reply_to(&bob, id(&answered), Some(id(&reply)), "Thanks!")
        .await;
    let deleted = app
        .reply_to(&bob, id(&answered), None, "Wrong thread.")
        .await;
    let r = app
        .request(
            "PUT",
            &format!("/api/v1/posts/{}/answer", id(&answered)),
            Some(&bob),
            Some(&json!({"reply_id": id(&reply)})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for path in [
        format!("/api/v1/posts/{}", id(&gone)),
        format!("/api/v1/replies/{}", id(&deleted)),
    ] {
        let r = app.request("DELETE", &path, Some(&ann), None).await;
        let r = if r.status == 403 {
            app.request("DELETE", &path, Some(&bob), None).await
        } else {
            r
        };
        assert!(r.status == 200 || r.status == 204, "{path}: {}", r.text);
    }

    // The group's feed: newest first, the deleted post left out, questions marked.
    let f = feed(&app, "/g/rust/feed.atom").await;
    assert_eq!(
        titles(&f),
        ["Release <notes>", "Why is it slow?", "Which allocator?"]
    );
    let base = format!("http://{}", app.domain);
    assert_eq!(f.id, format!("{base}/g/rust/feed.atom"));
    let release = &f.entries[0];
    let content = release.content.as_ref().unwrap().body.clone().unwrap();
    assert!(
        content.contains("<strong>this</strong>") && !content.contains("<script"),
        "sanitised HTML: {content}"
    );
    assert_eq!(release.id, news["ap_id"].as_str().unwrap());
    assert_eq!(release.links[0].href, format!("{base}/posts/{}", id(&news)));
    assert_eq!(
        release.authors[0].name.as_deref(),
        Some(format!("ann@{}", app.domain).as_str())
    );
    let terms = |i: usize| -> Vec<String> {
        f.entries[i]
            .categories
            .iter()
            .map(|c| c.term.clone())
            .collect()
    };
    assert_eq!(terms(1), ["question"]);
    assert_eq!(terms(2), ["answered"]);

    // Questions waiting for an answer: only the unanswered one.
    let f = feed(&app, "/g/rust/waiting.atom").await;
    assert_eq!(titles(&f), ["Why is it slow?"]);
    assert_eq!(f.entries[0].id, waiting["ap_id"].as_str().unwrap());

    // A person's posts.
    let f = feed(&app, "/u/bob/feed.atom").await;
    assert_eq!(titles(&f), ["Why is it slow?", "Which allocator?"]);

    // A thread's replies, newest first, the deleted one left out.
    let f = feed(&app, &format!("/posts/{}/feed.atom", id(&answered))).await;
    let ids: Vec<_> = f.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(
        ids,
        [
            later["ap_id"].as_str().unwrap(),
            reply["ap_id"].as_str().unwrap()
        ]
    );
    assert!(
        f.entries[1]
            .content
            .as_ref()
            .unwrap()
            .body
            .as_deref()
            .unwrap()
            .contains("Use the system one.")
    );

    // The pages link their feeds; a deleted thread and an unknown group have none.
    let group = html(&app, "/g/rust").await;
    assert!(group.contains(r#"<link rel="alternate" type="application/atom+xml""#));
    assert!(
        group.contains(r#"href="/g/rust/feed.atom""#)
            && group.contains(r#"href="/g/rust/waiting.atom""#)
    );
    assert!(
        html(&app, "/u/bob")
            .await
            .contains(r#"href="/u/bob/feed.atom""#)
    );
    let thread = html(&app, &format!("/posts/{}", id(&answered))).await;
    assert!(thread.contains(&format!(r#"href="/posts/{}/feed.atom""#, id(&answered))));
    for path in [
        format!("/posts/{}/feed.atom", id(&gone)),
        "/g/nothing/feed.atom".to_string(),
        "/u/nobody/feed.atom".to_string(),
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}
