//! Questions and accepted answers: asking, accepting (at any depth), changing, taking back,
//! who may, Q&A mode, the filters and counts, the reminder, the QAPage JSON-LD, the web forms,
//! and the `ChooseAnswer` / `Undo` a follower instance receives, in PieFed's shape.

use std::time::Duration;

use cohort::{
    harness::{Sinks, add_remote_follower},
    testing::{TestApp, Web, id},
};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

/// The ActivityPub document at `path`.
async fn document(app: &TestApp, path: &str) -> Value {
    app.client
        .get(format!("{}{path}", app.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()
}

/// The page at `path`, as a visitor's browser gets it.
async fn html(app: &TestApp, path: &str) -> String {
    app.client
        .get(format!("{}{path}", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn ask(app: &TestApp, token: &str, group: &str, title: &str) -> i64 {
    let r = app
        .post(
            &format!("/api/v1/groups/{group}/posts"),
            Some(token),
            json!({"title": title, "body": "How?", "kind": "question"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["kind"], "question");
    id(&r.json)
}

async fn accept(app: &TestApp, token: &str, post: i64, reply: i64) -> cohort::testing::Reply {
    app.request(
        "PUT",
        &format!("/api/v1/posts/{post}/answer"),
        Some(token),
        Some(&json!({"reply_id": reply})),
    )
    .await
}

async fn withdraw(app: &TestApp, token: &str, post: i64) -> cohort::testing::Reply {
    app.request(
        "DELETE",
        &format!("/api/v1/posts/{post}/answer"),
        Some(token),
        None,
    )
    .await
}

fn find_reply(nodes: &Value, id: i64) -> Option<Value> {
    let mut stack: Vec<Value> = nodes.as_array()?.clone();
    while let Some(n) = stack.pop() {
        if n["id"] == id {
            return Some(n);
        }
        stack.extend(n["children"].as_array().cloned().unwrap_or_default());
    }
    None
}

#[tokio::test]
async fn ask_accept_change_and_take_back() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    let cat = app.user("cat").await;
    app.group(&ann, "learn").await;
    let q = ask(&app, &bob, "learn", "How do I start?").await;
    let r1 = id(&app.reply_to(&ann, q, None, "Read the *book*.").await);
    let r2 = id(&app
        .reply_to(&cat, q, Some(r1), "And do the exercises.")
        .await);

    // A discussion by default; it has no answer to accept.
    let talk = app.post_in(&bob, "learn", "Chat", "").await;
    assert_eq!(talk["kind"], "discussion");
    assert!(talk["answer"].is_null());
    let t1 = id(&app.reply_to(&ann, id(&talk), None, "hi").await);
    let r = accept(&app, &bob, id(&talk), t1).await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (409, Some("not_a_question"))
    );
    // A reply of another thread is not this question's answer.
    let r = accept(&app, &bob, q, t1).await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (409, Some("not_in_thread"))
    );

    // The author accepts a top-level reply.
    let r = accept(&app, &bob, q, r1).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["answer"]["reply_id"], r1);
    assert_eq!(r.json["answer"]["author"]["username"], "ann");
    assert_eq!(r.json["answer"]["accepted_by"]["username"], "bob");
    assert_eq!(r.json["answer"]["excerpt"], "Read the *book*.");
    assert_eq!(r.json["answer"]["link"], format!("/posts/{q}#r{r1}"));
    let thread = app.get(&format!("/api/v1/posts/{q}"), None).await.json;
    assert_eq!(thread["answer"]["reply_id"], r1);
    assert_eq!(
        find_reply(&thread["replies"], r1).unwrap()["accepted"],
        true
    );
    assert_eq!(
        find_reply(&thread["replies"], r2).unwrap()["accepted"],
        false
    );

    // Changed to a nested reply.
    let r = accept(&app, &bob, q, r2).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["answer"]["reply_id"], r2);
    let thread = app.get(&format!("/api/v1/posts/{q}"), None).await.json;
    assert_eq!(
        find_reply(&thread["replies"], r1).unwrap()["accepted"],
        false
    );
    assert_eq!(
        find_reply(&thread["replies"], r2).unwrap()["accepted"],
        true
    );

    // Taken back; taking back again changes nothing.
    let r = withdraw(&app, &bob, q).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["answer"].is_null());
    let r = withdraw(&app, &bob, q).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // A deleted reply cannot be accepted.
    let gone = id(&app.reply_to(&cat, q, None, "oops").await);
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/replies/{gone}"),
            Some(&cat),
            None,
        )
        .await;
    assert!(r.status < 300, "{}", r.text);
    let r = accept(&app, &bob, q, gone).await;
    assert_eq!((r.status, r.json["error"].as_str()), (409, Some("deleted")));
    let r = accept(&app, &bob, q, 999_999).await;
    assert_eq!(r.status, 404);
    let r = accept(&app, &bob, 999_999, r1).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn who_may_choose_the_answer() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await; // moderates "learn"
    let bob = app.user("bob").await; // asks
    let cat = app.user("cat").await; // answers
    let dan = app.user("dan").await; // a third member
    let eve = app.user("eve").await; // moderates another group
    app.group(&ann, "learn").await;
    app.group(&eve, "other").await;
    let q = ask(&app, &bob, "learn", "Which editor?").await;
    let r1 = id(&app.reply_to(&cat, q, None, "Any.").await);

    for (who, token) in [
        ("a third member", &dan),
        ("another group's moderator", &eve),
    ] {
        let r = accept(&app, token, q, r1).await;
        assert_eq!(
            (r.status, r.json["error"].as_str()),
            (403, Some("forbidden")),
            "{who}"
        );
        let r = withdraw(&app, token, q).await;
        assert_eq!(r.status, 403, "{who}");
    }
    let r = accept(&app, &cat, q, r1).await;
    assert_eq!(r.status, 403, "the answer's own author");

    // The group's moderator may.
    let r = accept(&app, &ann, q, r1).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["answer"]["accepted_by"]["username"], "ann");

    // An administrator of this instance may, in a group hosted here.
    cohort::domain::accounts::create(&app.ctx, "root", "long enough", true)
        .await
        .unwrap();
    let root = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "root", "password": "long enough"}),
        )
        .await
        .json["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = withdraw(&app, &root, q).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // The author, once banned from the group, may not.
    let r = app
        .post(
            "/api/v1/groups/learn/bans",
            Some(&ann),
            json!({"person": "bob"}),
        )
        .await;
    assert!(r.status < 300, "{}", r.text);
    let r = accept(&app, &bob, q, r1).await;
    assert_eq!((r.status, r.json["error"].as_str()), (403, Some("banned")));
    let r = accept(&app, &bob, q, r1).await;
    assert_eq!(r.status, 403);
    // Unauthenticated: 401.
    let r = app
        .request(
            "PUT",
            &format!("/api/v1/posts/{q}/answer"),
            None,
            Some(&json!({"reply_id": r1})),
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn qa_mode_makes_every_new_post_a_question() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "learn").await;
    let before = id(&app.post_in(&bob, "learn", "Before", "").await);

    let patch = |token: &str, body: Value| {
        let token = token.to_string();
        let app = &app;
        async move {
            app.request("PATCH", "/api/v1/groups/learn", Some(&token), Some(&body))
                .await
        }
    };
    let r = patch(&bob, json!({"qa_mode": true})).await;
    assert_eq!(r.status, 403);
    let r = patch(&ann, json!({"qa_mode": true})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["qa_mode"], true);
    assert_eq!(r.json["title"], "The learn group");

    let after = app.post_in(&bob, "learn", "After", "").await;
    assert_eq!(after["kind"], "question");
    let r = app
        .post(
            "/api/v1/groups/learn/posts",
            Some(&bob),
            json!({"title": "Chat", "kind": "discussion"}),
        )
        .await;
    assert_eq!(r.json["kind"], "question", "Q&A mode wins");
    let old = app.get(&format!("/api/v1/posts/{before}"), None).await;
    assert_eq!(
        old.json["kind"], "discussion",
        "existing posts keep their kind"
    );

    // The group's actor says so, as PieFed does.
    let actor = document(&app, "/g/learn").await;
    assert_eq!(actor["questionAnswer"], true);
    // The question's Page says it is one, for other Cohort instances.
    let page = app
        .client
        .get(format!("{}/posts/{}", app.address, id(&after)))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(page["cohort:question"], true);

    let r = patch(&ann, json!({"qa_mode": false})).await;
    assert_eq!(r.json["qa_mode"], false);
    assert_eq!(
        app.post_in(&bob, "learn", "Chat again", "").await["kind"],
        "discussion"
    );
}

#[tokio::test]
async fn filters_counts_and_waiting_questions() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "learn").await;
    let q1 = ask(&app, &ann, "learn", "First").await;
    let q2 = ask(&app, &ann, "learn", "Second").await;
    let q3 = ask(&app, &ann, "learn", "Third").await;
    app.post_in(&ann, "learn", "A discussion", "").await;
    let r = id(&app.reply_to(&ann, q2, None, "Self-answered.").await);
    assert_eq!(accept(&app, &ann, q2, r).await.status, 200);

    let titles = |filter: &str| {
        let app = &app;
        let path = format!("/api/v1/groups/learn/posts?sort=new{filter}");
        async move {
            let r = app.get(&path, None).await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["title"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("").await.len(), 4);
    assert_eq!(titles("&questions=all").await, ["Third", "Second", "First"]);
    assert_eq!(titles("&questions=answered").await, ["Second"]);
    assert_eq!(titles("&questions=unanswered").await, ["Third", "First"]);
    let r = app
        .get("/api/v1/groups/learn/posts?questions=maybe", None)
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("questions"))
    );

    let r = app.get("/api/v1/groups/learn/questions", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json["counts"],
        json!({"questions": 3, "answered": 1, "unanswered": 2})
    );
    let waiting: Vec<i64> = r.json["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(waiting, [q1, q3], "oldest first");
    assert!(
        r.json["waiting"][0]["waited"]
            .as_str()
            .unwrap()
            .ends_with("minute")
    );

    // The group page shows the same.
    let page = html(&app, "/g/learn?questions=unanswered").await;
    assert!(
        page.contains("Unanswered (2)") && page.contains("Answered (1)"),
        "{page}"
    );
    assert!(page.contains("Questions waiting for an answer"));
    let home = html(&app, "/").await;
    assert!(
        home.contains(&format!("href=\"/posts/{q1}\">First</a>")),
        "{home}"
    );
}

async fn sql(app: &TestApp, statement: &str) {
    let backend = app.ctx.db.get_database_backend();
    app.ctx
        .db
        .execute_raw(Statement::from_string(backend, statement.to_string()))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_unanswered_question_nudges_its_author_once() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "learn").await;
    let old = ask(&app, &ann, "learn", "Old question").await;
    let answered = ask(&app, &ann, "learn", "Answered").await;
    let fresh = ask(&app, &ann, "learn", "Fresh question").await;
    let r = id(&app.reply_to(&ann, answered, None, "Yes.").await);
    assert_eq!(accept(&app, &ann, answered, r).await.status, 200);
    let days_ago = (chrono::Utc::now() - chrono::Duration::days(8)).to_rfc3339();
    sql(
        &app,
        &format!("UPDATE posts SET created_at = '{days_ago}' WHERE id IN ({old}, {answered})"),
    )
    .await;

    let now = cohort::domain::now();
    assert_eq!(
        cohort::maintenance::nudge_questions(&app.ctx, now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        cohort::maintenance::nudge_questions(&app.ctx, now)
            .await
            .unwrap(),
        0,
        "once"
    );
    let me = id(&app.get("/api/v1/me", Some(&ann)).await.json);
    let nudged: Vec<i64> = cohort::storage::questions::nudges_for(&app.ctx.db, me, 10)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    let _ = fresh;
    assert_eq!(nudged, [old]);

    // The author sees it among their notifications.
    let mut web = Web::log_in(&app, "ann").await;
    let page = web.get("/notifications").await;
    assert!(
        page.contains("has no accepted answer yet") && page.contains("Old question"),
        "{page}"
    );
}

#[tokio::test]
async fn thread_pages_carry_qa_page_json_ld() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "learn").await;
    let q = ask(&app, &ann, "learn", "Is <b>this</b> & that safe?").await;
    let hostile = id(&app
        .reply_to(&bob, q, None, "</script><script>alert(1)</script>")
        .await);
    let good = id(&app.reply_to(&bob, q, None, "Yes, it is.").await);
    assert_eq!(accept(&app, &ann, q, good).await.status, 200);

    let page = app
        .client
        .get(format!("{}/posts/{q}", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let page = page.text().await.unwrap();
    let start_tag = "<script type=\"application/ld+json\">";
    let start = page.find(start_tag).expect("JSON-LD") + start_tag.len();
    let end = start + page[start..].find("</script>").unwrap();
    let text = &page[start..end];
    assert!(!text.contains('<'), "escaped: {text}");
    let doc: Value = serde_json::from_str(text).expect("JSON-LD parses");
    assert_eq!(doc["@type"], "QAPage");
    let question = &doc["mainEntity"];
    assert_eq!(question["@type"], "Question");
    assert_eq!(question["name"], "Is <b>this</b> & that safe?");
    assert_eq!(question["answerCount"], 2);
    assert_eq!(question["author"]["name"], "ann");
    assert!(question["dateCreated"].is_string());
    assert_eq!(question["acceptedAnswer"]["text"], "Yes, it is.");
    assert!(
        question["acceptedAnswer"]["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/posts/{q}#r{good}"))
    );
    assert_eq!(
        question["suggestedAnswer"][0]["url"]
            .as_str()
            .unwrap()
            .rsplit('#')
            .next(),
        Some(format!("r{hostile}").as_str())
    );
    assert!(!page.contains("<script>alert(1)"));

    // A discussion has none.
    let talk = id(&app.post_in(&ann, "learn", "Chat", "").await);
    let page = html(&app, &format!("/posts/{talk}")).await;
    assert!(!page.contains("application/ld+json"));
}

#[tokio::test]
async fn the_web_forms_ask_accept_change_and_take_back() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    let cat = app.user("cat").await;
    app.group(&ann, "learn").await;
    let mut web = Web::log_in(&app, "bob").await;

    // Ask, choosing "question" on the compose form.
    let compose = web.get("/g/learn/submit").await;
    assert!(
        compose.contains("name=\"kind\" value=\"question\""),
        "{compose}"
    );
    let csrf = web.csrf("/g/learn/submit").await;
    let (status, location) = web
        .post(
            "/g/learn/submit",
            &[
                ("csrf", &csrf),
                ("title", "Where to begin?"),
                ("body", "Any advice."),
                ("kind", "question"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{location}");
    let q: i64 = location.trim_start_matches("/posts/").parse().unwrap();
    let r1 = id(&app.reply_to(&ann, q, None, "Start small.").await);
    let r2 = id(&app.reply_to(&cat, q, Some(r1), "Then grow.").await);
    let _ = bob;

    let page = web.get(&format!("/posts/{q}")).await;
    assert!(page.contains("no accepted answer yet") && page.contains("Accept as answer"));
    // Without the CSRF token: refused.
    let (status, _) = web
        .post(
            &format!("/posts/{q}/answer"),
            &[("reply_id", &r1.to_string())],
        )
        .await;
    assert_eq!(status, 403);
    let csrf = web.csrf(&format!("/posts/{q}")).await;
    let (status, location) = web
        .post(
            &format!("/posts/{q}/answer"),
            &[("csrf", &csrf), ("reply_id", &r1.to_string())],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("/posts/{q}#answer").as_str())
    );
    let page = web.get(&format!("/posts/{q}")).await;
    assert!(
        page.contains("id=\"answer\"") && page.contains("Start small."),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"#r{r1}\"")));
    assert!(
        page.contains(&format!("id=\"r{r1}\" class=\"reply accepted\"")),
        "{page}"
    );
    assert!(page.contains("Accept as answer instead"));

    // Change it, then take it back.
    let (status, _) = web
        .post(
            &format!("/posts/{q}/answer"),
            &[("csrf", &csrf), ("reply_id", &r2.to_string())],
        )
        .await;
    assert_eq!(status, 303);
    let api = app.get(&format!("/api/v1/posts/{q}"), None).await.json;
    assert_eq!(api["answer"]["reply_id"], r2);
    let (status, _) = web
        .post(&format!("/posts/{q}/answer/withdraw"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, 303);
    let api = app.get(&format!("/api/v1/posts/{q}"), None).await.json;
    assert!(api["answer"].is_null());

    // Someone else sees no buttons and is refused.
    let mut other = Web::log_in(&app, "cat").await;
    let page = other.get(&format!("/posts/{q}")).await;
    assert!(!page.contains("Accept as answer"));
    let csrf = other.csrf(&format!("/posts/{q}")).await;
    let (status, _) = other
        .post(
            &format!("/posts/{q}/answer"),
            &[("csrf", &csrf), ("reply_id", &r1.to_string())],
        )
        .await;
    assert_eq!(status, 403);

    // The moderator turns Q&A mode on through the group's edit form.
    let mut moderator = Web::log_in(&app, "ann").await;
    let form = moderator.get("/g/learn/edit").await;
    assert!(form.contains("name=\"qa_mode\""));
    let csrf = moderator.csrf("/g/learn/edit").await;
    let (status, _) = moderator
        .post(
            "/g/learn/edit",
            &[
                ("csrf", &csrf),
                ("title", "Learning"),
                ("description", ""),
                ("rules", ""),
                ("qa_mode", "on"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let g = app.get("/api/v1/groups/learn", None).await.json;
    assert_eq!(
        (g["qa_mode"].as_bool(), g["title"].as_str()),
        (Some(true), Some("Learning"))
    );
    let compose = moderator.get("/g/learn/submit").await;
    assert!(compose.contains("Q&amp;A mode"));
    let _ = ann;

    // The answerer's profile lists the accepted answer.
    assert_eq!(
        accept(&app, &app.user("dan").await, q, r1).await.status,
        403
    );
    let tokens = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "bob", "password": "a long password"}),
        )
        .await;
    let bob = tokens.json["token"].as_str().unwrap().to_string();
    assert_eq!(accept(&app, &bob, q, r1).await.status, 200);
    let profile = web.get("/u/ann").await;
    assert!(
        profile.contains("Accepted answers") && profile.contains("✓ accepted"),
        "{profile}"
    );
}

/// The activity a sink received, read back from what this instance stored as sent.
async fn sent(app: &TestApp, sinks: &Sinks, n: u64) -> Vec<Value> {
    assert_eq!(sinks.log.wait_for(n, Duration::from_secs(20)).await, n);
    let ids: Vec<String> = sinks
        .log
        .per_host()
        .into_values()
        .flatten()
        .collect::<Vec<_>>();
    let mut out = vec![];
    for a in ids {
        let body = cohort::storage::sent::find(&app.ctx.db, &a)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{a} stored"));
        out.push(serde_json::from_str(&body).unwrap());
    }
    out
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "@context")
        .cloned()
        .collect();
    k.sort();
    k
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn followers_receive_choose_answer_and_its_undo_in_piefeds_shape() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    let group = app.group(&ann, "learn").await;
    let sinks = Sinks::start(Duration::ZERO).await.unwrap();
    add_remote_follower(&app.ctx.db, id(&group), &sinks.host(0), &sinks.inbox(0))
        .await
        .unwrap();
    let q = ask(&app, &ann, "learn", "Federated?").await;
    let r = id(&app.reply_to(&bob, q, None, "Yes.").await);
    // The Create of the post, its plain Announce, and the reply's.
    let before = sinks.log.wait_for(3, Duration::from_secs(20)).await;
    assert_eq!(before, 3);

    assert_eq!(accept(&app, &ann, q, r).await.status, 200);
    let all = sent(&app, &sinks, 4).await;
    let announce = all
        .iter()
        .find(|a| a["object"]["type"] == "ChooseAnswer")
        .expect("Announce{ChooseAnswer}");
    let base = &app.address.replace("127.0.0.1", "localhost");
    let choose = &announce["object"];
    assert_eq!(announce["type"], "Announce");
    assert_eq!(announce["actor"], format!("{base}/g/learn"));
    assert_eq!(announce["cc"], json!([format!("{base}/g/learn/followers")]));
    assert_eq!(
        keys(announce),
        keys(&fixture("piefed/announce_choose_answer.json"))
    );
    assert_eq!(keys(choose), keys(&fixture("piefed/choose_answer.json")));
    assert_eq!(choose["actor"], format!("{base}/u/ann"));
    assert_eq!(choose["object"], format!("{base}/replies/{r}"));
    assert_eq!(choose["audience"], format!("{base}/g/learn"));
    assert_eq!(
        choose["to"],
        json!(["https://www.w3.org/ns/activitystreams#Public"])
    );
    assert_eq!(choose["cc"], json!([format!("{base}/g/learn")]));

    // The reply's Note says it is the answer.
    let note = document(&app, &format!("/replies/{r}")).await;
    assert_eq!(note["answer"], true);

    assert_eq!(withdraw(&app, &ann, q).await.status, 200);
    let all = sent(&app, &sinks, 5).await;
    let announce = all
        .iter()
        .find(|a| a["object"]["type"] == "Undo")
        .expect("Announce{Undo{ChooseAnswer}}");
    let undo = &announce["object"];
    assert_eq!(keys(undo), keys(&fixture("piefed/undo_choose_answer.json")));
    assert_eq!(
        undo["object"]["id"], choose["id"],
        "the Undo names the original"
    );
    assert_eq!(
        keys(&undo["object"]),
        keys(&fixture("piefed/undo_choose_answer.json")["object"])
    );
    assert_eq!(undo["object"]["object"], format!("{base}/replies/{r}"));
    let note = document(&app, &format!("/replies/{r}")).await;
    assert_eq!(note["answer"], false);
}

#[tokio::test]
async fn a_remote_groups_inbox_gets_the_choose_answer() {
    use cohort::storage::{self, groups::RemoteGroup};
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    let sinks = Sinks::start(Duration::ZERO).await.unwrap();
    let host = sinks.host(0);
    let group_id = format!("http://{host}/c/pielearn");
    storage::groups::upsert_remote(
        &app.ctx.db,
        RemoteGroup {
            ap_id: group_id.clone(),
            name: "pielearn".into(),
            domain: host.clone(),
            title: "PieFed learning".into(),
            description: String::new(),
            description_html: String::new(),
            inbox_url: sinks.inbox(0),
            shared_inbox_url: Some(sinks.inbox(0)),
            followers_url: None,
            public_key: String::new(),
            qa_mode: true,
            visibility: "public",
        },
        cohort::domain::now(),
    )
    .await
    .unwrap();
    let handle = format!("pielearn@{host}");
    // A Q&A community elsewhere: a post here in it is a question.
    let post = app.post_in(&ann, &handle, "Where do docs live?", "").await;
    assert_eq!(post["kind"], "question");
    let q = id(&post);
    let r = id(&app.reply_to(&bob, q, None, "In the repository.").await);
    assert_eq!(sinks.log.wait_for(2, Duration::from_secs(20)).await, 2);

    assert_eq!(accept(&app, &ann, q, r).await.status, 200);
    let all = sent(&app, &sinks, 3).await;
    let choose = all
        .iter()
        .find(|a| a["type"] == "ChooseAnswer")
        .expect("ChooseAnswer sent to the group's inbox");
    let base = &app.address.replace("127.0.0.1", "localhost");
    assert_eq!(keys(choose), keys(&fixture("piefed/choose_answer.json")));
    assert_eq!(choose["actor"], format!("{base}/u/ann"));
    assert_eq!(choose["object"], format!("{base}/replies/{r}"));
    assert_eq!(choose["audience"], group_id);
    assert_eq!(choose["cc"], json!([group_id]));
    let context = choose["@context"].as_array().unwrap();
    assert_eq!(context[0], "https://www.w3.org/ns/activitystreams");
    assert_eq!(context[1], "https://w3id.org/security/v1");

    assert_eq!(withdraw(&app, &ann, q).await.status, 200);
    let all = sent(&app, &sinks, 4).await;
    let undo = all
        .iter()
        .find(|a| a["type"] == "Undo")
        .expect("Undo sent to the group's inbox");
    assert_eq!(keys(undo), keys(&fixture("piefed/undo_choose_answer.json")));
    assert_eq!(undo["object"]["id"], choose["id"]);
    assert_eq!(undo["object"]["type"], "ChooseAnswer");
}

#[tokio::test]
async fn a_deleted_or_removed_answer_leaves_the_question_waiting_again() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "learn").await;
    let q = ask(&app, &bob, "learn", "Which editor?").await;

    // Its author deletes the accepted answer: the question has none, and waits again.
    let r1 = id(&app.reply_to(&ann, q, None, "Helix.").await);
    assert_eq!(accept(&app, &bob, q, r1).await.status, 200);
    assert_eq!(counts(&app).await["counts"]["answered"], 1);
    let r = app
        .request("DELETE", &format!("/api/v1/replies/{r1}"), Some(&ann), None)
        .await;
    assert!(r.status < 300, "{}", r.text);
    let thread = app.get(&format!("/api/v1/posts/{q}"), None).await.json;
    assert!(thread["answer"].is_null(), "{}", thread["answer"]);
    assert_eq!(counts(&app).await["counts"]["answered"], 0);
    assert_eq!(counts(&app).await["counts"]["unanswered"], 1);

    // A moderator removes the next accepted answer: the same.
    let r2 = id(&app.reply_to(&bob, q, None, "Vim, answering myself.").await);
    assert_eq!(accept(&app, &bob, q, r2).await.status, 200);
    let r = app
        .request("DELETE", &format!("/api/v1/replies/{r2}"), Some(&ann), None)
        .await;
    assert!(r.status < 300, "{}", r.text);
    let thread = app.get(&format!("/api/v1/posts/{q}"), None).await.json;
    assert!(thread["answer"].is_null(), "{}", thread["answer"]);
    assert_eq!(counts(&app).await["counts"]["answered"], 0);
}

async fn counts(app: &TestApp) -> Value {
    app.get("/api/v1/groups/learn/questions", None).await.json
}
