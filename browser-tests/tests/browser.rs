//! The web interface in a real headless Chromium: what a newcomer does, start to finish, and
//! two instances federating. Screenshots of the main pages go to `target/screenshots/`.

use std::time::Duration;

use browser_tests::{Browser, PASSWORD, TAB, checks::assert_accessible, skip};
use cohort::testing::{TestApp, id};

/// Nothing the browser reported is a Content-Security-Policy violation or a script error.
async fn assert_clean_console(b: &Browser, page: &str) {
    let bad: Vec<String> = b
        .console()
        .await
        .into_iter()
        .filter(|m| {
            m.starts_with("SEVERE")
                || m.contains("Content Security Policy")
                || m.contains("Refused")
        })
        .filter(|m| !m.contains("favicon.ico"))
        // The test post's own `<img src=x>` (kept by the sanitiser, a harmless broken image).
        .filter(|m| !(m.contains("Failed to load resource") && m.contains("/x ")))
        .collect();
    assert!(
        bad.is_empty(),
        "{page}: the browser console reports {bad:#?}"
    );
}

async fn sign_up(b: &Browser, base: &str, name: &str) {
    b.goto(&format!("{base}/signup")).await;
    b.fill("#username", name).await;
    b.fill("#password", PASSWORD).await;
    b.click("form[action='/signup'] button[type=submit]").await;
    b.wait_for_text(&format!("@{name}"), Duration::from_secs(10), false)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_signs_up_starts_a_group_posts_replies_and_votes() {
    if skip() {
        return;
    }
    let app = TestApp::spawn().await;
    let base = app.address.clone();
    let b = Browser::start(1280, 900, true).await;

    // A visitor sees what this is and how to join.
    b.goto(&format!("{base}/")).await;
    assert_eq!(b.title().await, "Home · Cohort");
    b.screenshot("home-visitor").await;
    assert_clean_console(&b, "home").await;
    assert_accessible(&b, "home").await;

    // Sign up from the header; signed in at once, sent to the groups.
    b.click("header.site a[href='/signup']").await;
    b.fill("#username", "ann").await;
    b.fill("#password", PASSWORD).await;
    b.screenshot("signup").await;
    assert_accessible(&b, "signup").await;
    b.click("form[action='/signup'] button[type=submit]").await;
    b.wait_for_text("@ann", Duration::from_secs(10), false)
        .await;
    assert!(b.url().await.ends_with("/groups"), "{}", b.url().await);

    // Start a group.
    b.click("a[href='/groups/new']").await;
    b.fill("#name", "learners").await;
    b.fill("#title", "Rust learners").await;
    b.fill("#description", "Ask *anything* about Rust.").await;
    b.click("form[action='/groups/new'] button[type=submit]")
        .await;
    b.wait_for_text("Ask anything about Rust.", Duration::from_secs(10), false)
        .await;
    assert!(b.url().await.ends_with("/g/learners"));
    assert_eq!(
        b.text(".group-actions button").await,
        "Leave",
        "the creator is a member"
    );

    // Write a post, previewing it first; markup in it is shown sanitised.
    b.click("a[href='/g/learners/submit']").await;
    b.fill("#title", "How do lifetimes work?").await;
    b.fill(
        "#body",
        "Why **does** this fail?\n\n<script>alert(1)</script><img src=x onerror=alert(2)>",
    )
    .await;
    b.click("button[value=preview]").await;
    // Waits for the preview page (a `text` read at once may still see the form's page).
    assert_eq!(b.find(".preview strong").await.text().await, "does");
    assert_eq!(
        b.eval("return document.querySelectorAll('main script, [onerror]').length")
            .await,
        0
    );
    b.screenshot("compose-preview").await;
    assert_accessible(&b, "compose").await;
    b.click("button[value=save]").await;
    b.wait_for_text("Replies", Duration::from_secs(10), false)
        .await;
    assert_eq!(b.text("article.post h1").await, "How do lifetimes work?");
    let post_url = b.url().await;

    // Reply to the post, then answer that reply inline.
    b.fill("#reply-body", "A lifetime names a region of code.")
        .await;
    b.click(".reply-top button[type=submit]").await;
    b.wait_for_text(
        "A lifetime names a region of code.",
        Duration::from_secs(10),
        false,
    )
    .await;
    assert!(b.url().await.contains("#r"), "lands on the new reply");
    b.click("details.reply-inline > summary").await;
    // The page focuses the box on the `toggle` event, which the browser fires after the
    // click returns: wait for it (a moment), then check.
    let mut name = None;
    for _ in 0..40 {
        name = b.active().await.attr("name").await;
        if name.as_deref() == Some("body") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        name.as_deref(),
        Some("body"),
        "opening Reply focuses the box"
    );
    let focused = b.active().await;
    focused
        .type_text("And the borrow checker checks them.")
        .await;
    b.click("details.reply-inline[open] button[type=submit]")
        .await;
    b.wait_for_text(
        "And the borrow checker checks them.",
        Duration::from_secs(10),
        false,
    )
    .await;
    assert_eq!(
        b.find_all("ul.replies ul.replies li.reply").await.len(),
        1,
        "nested under the first"
    );

    // Vote on the post (in the background) and on a reply; both survive a reload.
    b.click("article.post button.vote.up").await;
    let started = std::time::Instant::now();
    while b.text("article.post .score").await != "1" {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "score did not change"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.click("li.reply button.vote.up").await;
    // The page shows the new score once the server has taken the vote.
    while b.text("li.reply .score").await != "1" {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "reply score did not change"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.goto(&post_url).await;
    assert_eq!(b.text("article.post .score").await, "1");
    assert_eq!(
        b.find("article.post button.vote.up")
            .await
            .attr("aria-pressed")
            .await
            .as_deref(),
        Some("true")
    );
    assert_eq!(b.text("li.reply .score").await, "1");
    b.screenshot("thread").await;
    assert_clean_console(&b, "thread").await;
    assert_accessible(&b, "thread").await;

    // Collapse a reply: its answers are hidden.
    b.click("li.reply > details > summary .meta").await;
    assert_eq!(
        b.eval("return document.querySelector('li.reply > details').open")
            .await,
        false
    );
    assert_eq!(
        b.eval("return document.querySelector('ul.replies ul.replies').checkVisibility()")
            .await,
        false
    );

    // Keyboard: the first Tab reaches the skip link, and focus is visible.
    b.goto(&post_url).await;
    b.press(TAB).await;
    let first = b.active().await;
    assert_eq!(first.attr("class").await.as_deref(), Some("skip"));
    assert_ne!(first.css("outline-style").await, "none", "focus is visible");

    // A phone-sized screen: nothing wider than the screen.
    b.resize(390, 844).await;
    b.goto(&post_url).await;
    assert_eq!(
        b.eval("return document.documentElement.scrollWidth <= window.innerWidth")
            .await,
        true,
        "no sideways scrolling on a phone"
    );
    b.screenshot("thread-phone").await;
    b.resize(1280, 900).await;

    // Home now shows the group and its activity.
    b.goto(&format!("{base}/")).await;
    assert!(b.text("aside.side").await.contains("!learners"));
    assert!(
        b.text("section.feed")
            .await
            .contains("How do lifetimes work?")
    );
    b.screenshot("home-member").await;
    assert_accessible(&b, "home (member)").await;
    for (path, name) in [
        ("/groups", "groups"),
        ("/g/learners", "group"),
        ("/u/ann", "profile"),
        ("/settings", "settings"),
        ("/notifications", "notifications-empty"),
        ("/groups/new", "group-new"),
    ] {
        b.goto(&format!("{base}{path}")).await;
        b.screenshot(name).await;
        assert_accessible(&b, path).await;
        assert_clean_console(&b, path).await;
    }
    b.goto(&format!("{base}/u/ann")).await;
    assert!(b.text("main").await.contains("How do lifetimes work?"));

    // Search finds the post.
    b.goto(&format!("{base}/search")).await;
    b.fill("#q", "lifetimes").await;
    b.click("form[role=search] button").await;
    b.wait_for_text("How do lifetimes work?", Duration::from_secs(10), false)
        .await;
    b.screenshot("search").await;
    assert_accessible(&b, "search").await;

    // Log out, fail to log in, log in.
    b.click("form[action='/logout'] button").await;
    b.wait_for_text("Learn together", Duration::from_secs(10), false)
        .await;
    b.goto(&format!("{base}/login")).await;
    b.fill("#username", "ann").await;
    b.fill("#password", "not the password").await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_text(
        "The username or the password is wrong.",
        Duration::from_secs(10),
        false,
    )
    .await;
    b.console().await; // the 401 of that page is reported there, as it should be
    b.log_in(&base, "ann").await;
    assert_clean_console(&b, "log-in").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_notify_and_own_content_can_be_edited_and_deleted_without_javascript() {
    if skip() {
        return;
    }
    let app = TestApp::spawn().await;
    let base = app.address.clone();
    let ann = app.user("ann").await;
    app.user("bob").await;
    app.group(&ann, "lounge").await;
    let post = app
        .post_in(&ann, "lounge", "Welcome, everyone", "Say hello.")
        .await;
    let post_id = id(&post);

    // Scripts off: every form still works.
    let b = Browser::start(1280, 900, false).await;
    b.log_in(&base, "bob").await;
    b.goto(&format!("{base}/posts/{post_id}")).await;
    b.fill("#reply-body", "Hello @ann, glad to be here.").await;
    b.click(".reply-top button[type=submit]").await;
    b.wait_for_text("glad to be here", Duration::from_secs(10), false)
        .await;
    b.click("article.post button.vote.up").await;
    b.wait_for_text("Replies", Duration::from_secs(10), false)
        .await;
    assert_eq!(
        b.text("article.post .score").await,
        "1",
        "a vote without JavaScript"
    );

    // Edit the reply, then delete it: a tombstone stays.
    b.click("li.reply a[href$='/edit']").await;
    b.fill("#body", "Hello @ann, glad to be here (edited).")
        .await;
    b.click("form[action$='/edit'] button[type=submit]").await;
    b.wait_for_text("(edited)", Duration::from_secs(10), false)
        .await;

    // Ann is notified of the answer (and the mention).
    let a = Browser::start(1280, 900, true).await;
    a.log_in(&base, "ann").await;
    a.click("a[href='/notifications']").await;
    a.wait_for_text("replied on", Duration::from_secs(10), false)
        .await;
    assert!(a.text("main").await.contains("glad to be here (edited)"));
    a.screenshot("notifications").await;
    assert_clean_console(&a, "notifications").await;

    b.click("li.reply form[action$='/delete'] button").await;
    b.wait_for_text("[deleted]", Duration::from_secs(10), false)
        .await;
    assert!(!b.text("main").await.contains("glad to be here"));

    // Bob may not edit Ann's post: no link, and the address refuses.
    assert!(b.find_all("article.post a[href$='/edit']").await.is_empty());
    b.goto(&format!("{base}/posts/{post_id}/edit")).await;
    assert!(b.text("main").await.contains("only the author may edit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_joins_a_group_on_another_instance_and_takes_part() {
    if skip() {
        return;
    }
    let a = TestApp::spawn().await;
    let here = TestApp::spawn().await;
    let ann = a.user("ann").await;
    a.group(&ann, "rust").await;
    let post = a
        .post_in(&ann, "rust", "Hello from the other instance", "Welcome.")
        .await;
    a.reply_to(&ann, id(&post), None, "The first answer, from over there.")
        .await;

    let b = Browser::start(1280, 900, true).await;
    sign_up(&b, &here.address, "bob").await;
    b.goto(&format!("{}/groups", here.address)).await;
    b.fill("#handle", &format!("!rust@{}", a.domain)).await;
    b.click("form[action='/groups/join'] button[type=submit]")
        .await;
    b.wait_for_text("The rust group", Duration::from_secs(20), false)
        .await;
    assert!(
        b.url().await.contains(&format!("/g/rust@{}", a.domain)),
        "{}",
        b.url().await
    );
    assert!(
        b.text(".group-head")
            .await
            .contains(&format!("on {}", a.domain)),
        "marked remote"
    );

    // Its history arrives (backfill); the page is reloaded until it shows.
    b.wait_for_text(
        "Hello from the other instance",
        Duration::from_secs(30),
        true,
    )
    .await;
    assert_eq!(
        b.text(".group-actions button").await,
        "Leave",
        "the join was accepted"
    );
    b.screenshot("remote-group").await;
    b.click("article.post-summary h3 a").await;
    b.wait_for_text(
        "The first answer, from over there.",
        Duration::from_secs(30),
        true,
    )
    .await;
    assert!(
        b.text("article.post")
            .await
            .contains(&format!("@{}", a.domain)),
        "author marked"
    );
    b.fill("#reply-body", "Thanks, greetings from next door.")
        .await;
    b.click(".reply-top button[type=submit]").await;
    b.wait_for_text("greetings from next door", Duration::from_secs(10), false)
        .await;
    b.screenshot("remote-thread").await;
    assert_accessible(&b, "remote thread").await;
    assert_clean_console(&b, "remote thread").await;

    // The reply reaches the group's own instance, marked as from here.
    b.goto(&format!("{}/posts/{}", a.address, id(&post))).await;
    b.wait_for_text("greetings from next door", Duration::from_secs(30), true)
        .await;
    assert!(
        b.text("ul.replies")
            .await
            .contains(&format!("@{}", here.domain))
    );
    b.screenshot("thread-at-origin").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_is_asked_answered_and_its_answer_accepted_in_the_browser() {
    if skip() {
        return;
    }
    let app = TestApp::spawn().await;
    let base = app.address.clone();
    let ann = app.user("ann").await;
    app.group(&ann, "learners").await;
    let bob = app.user("bob").await;
    let b = Browser::start(1280, 900, true).await;
    b.log_in(&base, "ann").await;

    // Ann asks: the compose form offers a question or a discussion.
    b.goto(&format!("{base}/g/learners/submit")).await;
    b.fill("#title", "Which test runner?").await;
    b.fill("#body", "For a **big** workspace.").await;
    b.click("input[name=kind][value=question]").await;
    b.click("button[value=save]").await;
    b.wait_for_text("no accepted answer yet", Duration::from_secs(10), false)
        .await;
    let thread_url = b.url().await;
    let post_id: i64 = thread_url
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a thread URL: {thread_url}"));

    // Bob answers (through the API); Ann accepts his reply with its button.
    app.reply_to(&bob, post_id, None, "Try `cargo nextest`.")
        .await;
    b.goto(&thread_url).await;
    b.click("form[action$='/answer'] button").await;
    b.wait_for_text("Accepted answer", Duration::from_secs(10), false)
        .await;
    assert!(b.text("#answer blockquote").await.contains("cargo nextest"));
    assert!(b.text(".accepted-tag").await.contains("accepted answer"));
    // The page describes itself to search engines (schema.org QAPage), within the policy.
    let ld = b
        .eval("return document.querySelector('script[type=\"application/ld+json\"]').textContent")
        .await;
    let ld: serde_json::Value = serde_json::from_str(ld.as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("JSON-LD: {e}: {ld}"));
    assert_eq!(ld["@type"], "QAPage");
    assert!(
        ld["mainEntity"]["acceptedAnswer"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("cargo nextest")),
        "{ld}"
    );
    b.screenshot("question-answered").await;
    assert_clean_console(&b, "question").await;
    assert_accessible(&b, "question").await;

    // Taking it back, without JavaScript's help: the question waits again.
    b.click("form[action$='/answer/withdraw'] button").await;
    b.wait_for_text("no accepted answer yet", Duration::from_secs(10), false)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_groups_health_page_draws_its_charts_within_the_csp() {
    if skip() {
        return;
    }
    use cohort::storage::{self, health};
    let app = TestApp::spawn().await;
    let base = app.address.clone();
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "learners").await;
    let post = app
        .post_in(&ann, "learners", "Why lifetimes?", "Asking.")
        .await;
    app.reply_to(&bob, id(&post), None, "Because.").await;
    // Some weeks back, a person elsewhere writes a post and a reply comes from here.
    let db = &app.ctx.db;
    let group = storage::groups::find_by_name(db, "learners", &app.domain)
        .await
        .unwrap()
        .unwrap();
    let carol = storage::persons::upsert_remote(
        db,
        storage::persons::RemotePerson {
            ap_id: "https://remote.example/u/carol".into(),
            username: "carol".into(),
            domain: "remote.example".into(),
            display_name: None,
            inbox_url: "https://remote.example/u/carol/inbox".into(),
            shared_inbox_url: None,
            public_key: String::new(),
        },
        cohort::domain::now(),
    )
    .await
    .unwrap();
    let then = health::week_start(health::week_of(cohort::domain::now()) - 2)
        + Duration::from_secs(86_400);
    let remote = storage::posts::insert_remote(
        db,
        storage::posts::NewRemotePost {
            ap_id: "https://remote.example/p/1".into(),
            group_id: group.id,
            author_id: carol.id,
            title: "From elsewhere".into(),
            body: String::new(),
            body_html: "<p>Hello</p>".into(),
            hot_rank: 0.0,
            created_at: then,
            updated_at: None,
            language: None,
        },
    )
    .await
    .unwrap();
    storage::replies::insert_remote(
        db,
        storage::replies::NewRemoteReply {
            ap_id: "https://remote.example/r/1".into(),
            post_id: id(&post),
            parent_id: None,
            depth: 0,
            author_id: carol.id,
            body: String::new(),
            body_html: "<p>Me too</p>".into(),
            created_at: cohort::domain::now(),
            updated_at: None,
            language: None,
        },
    )
    .await
    .unwrap();
    let _ = remote;

    let b = Browser::start(1280, 900, true).await;
    b.goto(&format!("{base}/g/learners/health")).await;
    assert_eq!(b.title().await, "Health · The learners group · Cohort");
    let charts = b.find_all("svg.chart[role=img]").await;
    assert_eq!(charts.len(), 6);
    // Each chart is named by its own title and description, and its colours come from the
    // stylesheet (a blocked style would leave SVG's default black fill).
    let named = b
        .eval(
            r#"return [...document.querySelectorAll("svg.chart")].every(s =>
                 s.getAttribute("aria-labelledby").split(" ").every(id => document.getElementById(id)));"#,
        )
        .await;
    assert_eq!(named, serde_json::json!(true));
    let fill = b
        .eval(r#"return getComputedStyle(document.querySelector("rect.chart-s0")).fill;"#)
        .await;
    assert_ne!(fill, serde_json::json!("rgb(0, 0, 0)"), "styled by class");
    assert!(b.text("main").await.contains("remote.example"));
    b.screenshot("group-health").await;
    assert_clean_console(&b, "group health").await;
    assert_accessible(&b, "group health").await;
    b.resize(390, 844).await;
    b.screenshot("group-health-phone").await;
    assert_clean_console(&b, "group health (phone)").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_question_is_offered_similar_answered_ones_without_javascript() {
    if skip() {
        return;
    }
    let app = TestApp::spawn().await;
    let base = app.address.clone();
    let ann = app.user("ann").await;
    app.group(&ann, "learners").await;
    let bob = app.user("bob").await;
    // Bob asked before, and accepted ann's answer; another question of his waits.
    let asked = app
        .post(
            "/api/v1/groups/learners/posts",
            Some(&bob),
            serde_json::json!({"title": "How do I cancel a tokio task?", "body": "It runs forever.", "kind": "question"}),
        )
        .await;
    assert_eq!(asked.status, 201, "{}", asked.text);
    let asked = id(&asked.json);
    let answer = app
        .reply_to(&ann, asked, None, "Keep its JoinHandle and call `abort()`.")
        .await;
    let accepted = app
        .request(
            "PUT",
            &format!("/api/v1/posts/{asked}/answer"),
            Some(&bob),
            Some(&serde_json::json!({"reply_id": id(&answer)})),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    app.post(
        "/api/v1/groups/learners/posts",
        Some(&bob),
        serde_json::json!({"title": "Cancel a tokio task from another thread?", "kind": "question"}),
    )
    .await;

    // Carol, in a browser without JavaScript, starts writing a question.
    app.user("carol").await;
    let b = Browser::start(1280, 900, false).await;
    b.log_in(&base, "carol").await;
    b.goto(&format!("{base}/g/learners/submit")).await;
    b.fill("#title", "Best way to stop a running tokio task")
        .await;
    b.fill("#body", "My draft, kept.").await;
    b.click("button[value=similar]").await;
    b.wait_for_text(
        "Answered questions and pages like yours",
        Duration::from_secs(10),
        false,
    )
    .await;
    let offered = b.text("section.similar").await;
    assert!(
        offered.contains("How do I cancel a tokio task?"),
        "{offered}"
    );
    assert!(offered.contains("answered"), "{offered}");
    assert!(
        !offered.contains("another thread"),
        "only answered questions are offered: {offered}"
    );
    // The draft is still there.
    assert_eq!(
        b.find("#title").await.attr("value").await.as_deref(),
        Some("Best way to stop a running tokio task")
    );
    assert!(b.text("#body").await.contains("My draft, kept."));
    b.screenshot("compose-similar-questions").await;
    assert_clean_console(&b, "compose with similar questions").await;

    // Carol opens the answered question instead of asking again.
    b.click("section.similar .hit h3 a").await;
    b.wait_for_text("Keep its JoinHandle", Duration::from_secs(10), false)
        .await;
    assert!(b.url().await.ends_with(&format!("/posts/{asked}")));
    drop(b);

    // With JavaScript, the same question is offered while the title is being typed.
    let b = Browser::start(1280, 900, true).await;
    b.log_in(&base, "carol").await;
    b.goto(&format!("{base}/g/learners/submit")).await;
    b.fill("#title", "Stopping a tokio task").await;
    b.wait_for_text(
        "Answered questions and pages like yours",
        Duration::from_secs(10),
        false,
    )
    .await;
    let live = b.text("#similar-live").await;
    assert!(live.contains("How do I cancel a tokio task?"), "{live}");
    assert_clean_console(&b, "live similar questions").await;
    assert_accessible(&b, "compose with live similar questions").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_is_written_edited_and_its_changes_read_in_the_browser() {
    if skip() {
        return;
    }
    let app = TestApp::spawn().await;
    let base = app.address.clone();
    let ann = app.user("ann").await;
    app.group(&ann, "ops").await;
    let b = Browser::start(1280, 900, true).await;
    b.log_in(&base, "ann").await;

    // From the group's sidebar to a new page.
    b.goto(&format!("{base}/g/ops")).await;
    b.click("a[href='/g/ops/pages/new']").await;
    b.wait_for_text("A new page", Duration::from_secs(10), false)
        .await;
    assert_accessible(&b, "new page").await;
    b.fill("#title", "Deploying on Fridays").await;
    b.fill("#body", "Don't.\nUnless it is a fix.").await;
    b.click("form[action='/g/ops/pages'] button[type=submit]")
        .await;
    b.wait_for_text("Revision 1", Duration::from_secs(10), false)
        .await;
    assert!(b.url().await.ends_with("/g/ops/pages/deploying-on-fridays"));

    // An edit, then its changes.
    b.fill("#body", "Don't.\nUnless it is a fix, reviewed.")
        .await;
    b.fill("#summary", "reviewed").await;
    b.click("form[action$='/edit'] button[type=submit]").await;
    b.wait_for_text("Revision 2", Duration::from_secs(10), false)
        .await;
    b.click("a[href$='?from=1&to=2']").await;
    b.wait_for_text(
        "Changes from revision 1 to 2",
        Duration::from_secs(10),
        false,
    )
    .await;
    assert!(
        b.text("ol.diff")
            .await
            .contains("+ Unless it is a fix, reviewed.")
    );
    b.screenshot("page-diff").await;
    assert_clean_console(&b, "page").await;
    assert_accessible(&b, "page").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_installs_as_an_app_and_offline_shows_no_ones_data() {
    if skip() {
        return;
    }
    let mut app = TestApp::spawn().await;
    let base = app.address.clone();
    let b = Browser::start(420, 860, true).await;

    // The service worker registers and takes over the page; the manifest is linked.
    b.goto(&format!("{base}/")).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let controller = b
            .eval(
                "return navigator.serviceWorker.controller \
                 ? navigator.serviceWorker.controller.scriptURL : null",
            )
            .await;
        if controller.as_str() == Some(&format!("{base}/sw.js")) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no service worker: {controller}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        b.eval("return document.querySelector('link[rel=manifest]').href")
            .await,
        format!("{base}/manifest.webmanifest").as_str()
    );
    assert_clean_console(&b, "home with the service worker").await;

    // Signed in, ann reads her settings; she logs out and the server goes away: the pages
    // she saw are not kept, the offline page is shown instead, with nothing of hers.
    sign_up(&b, &base, "ann").await;
    b.goto(&format!("{base}/settings")).await;
    b.wait_for_text("@ann", Duration::from_secs(10), false)
        .await;
    b.click("header.site form[action='/logout'] button").await;
    b.wait_for_text("Log in", Duration::from_secs(10), false)
        .await;
    app.stop().await;
    for path in ["/settings", "/groups", "/"] {
        b.goto(&format!("{base}{path}")).await;
        b.wait_for_text("You are offline", Duration::from_secs(10), false)
            .await;
        let text = b.text("body").await;
        assert!(!text.contains("ann"), "{path} offline: {text}");
    }
    b.screenshot("offline").await;
}

/// Single sign-on in the browser: "Log in with Example Corp" on the log-in page, the
/// provider's own log-in form (a real OpenID provider, `cohort::testing::oidc`), the name
/// proposed from the provider's claim, and back signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_through_the_organisations_provider() {
    if skip() {
        return;
    }
    let mut provider = None;
    let app = TestApp::spawn_with(|c| {
        let redirect = format!("http://{}/login/sso/corp/callback", c.domain);
        if let Some(p) = cohort::testing::oidc::OidcProvider::start(&redirect) {
            p.configure(c, "corp");
            provider = Some(p);
        }
    })
    .await;
    let Some(_provider) = provider else {
        return;
    };
    // The instance's own name for itself: the provider sends the browser back there, and the
    // sign-in's cookie must be on the same host.
    let base = format!("http://{}", app.domain);
    let b = Browser::start(1280, 900, true).await;
    b.goto(&format!("{base}/login")).await;
    b.click("a[href^='/login/sso/corp']").await;
    b.wait_for_text("Sign-in", Duration::from_secs(10), false)
        .await;
    b.fill("input[name=login]", "hana").await;
    b.fill("input[name=password]", "anything").await;
    b.click("button[type=submit]").await;
    b.wait_for_text("Choose your name", Duration::from_secs(10), false)
        .await;
    assert_eq!(
        b.find("#username").await.attr("value").await.as_deref(),
        Some("hana"),
        "proposed from the provider's claim"
    );
    b.screenshot("sso-choose-name").await;
    assert_accessible(&b, "sso name").await;
    // The provider's own pages load a web font the closed network refuses: only what our
    // pages reported counts.
    let ours: Vec<String> = b
        .console()
        .await
        .into_iter()
        .filter(|m| m.contains(&app.domain) && (m.starts_with("SEVERE") || m.contains("Refused")))
        .collect();
    assert!(ours.is_empty(), "the browser console reports {ours:#?}");
    b.click("form[action='/login/sso/finish'] button[type=submit]")
        .await;
    b.wait_for_text("@hana", Duration::from_secs(10), false)
        .await;
    assert!(b.url().await.ends_with("/"), "{}", b.url().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picture_is_attached_from_the_compose_form_and_shown_at_phone_width() {
    if skip() {
        return;
    }
    let app = TestApp::spawn().await;
    // At the instance's own address: pictures are shown from `'self'` only, and a post's
    // picture is at the instance's address.
    let base = format!("http://{}", app.domain);
    let ann = app.user("ann").await;
    app.group(&ann, "learners").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("whiteboard.png");
    std::fs::write(&file, cohort::testing::pictures::png(1200, 800)).unwrap();

    // On a phone, without JavaScript: the file is attached to the draft, then posted.
    let b = Browser::start(390, 844, false).await;
    b.log_in(&base, "ann").await;
    b.goto(&format!("{base}/g/learners/submit")).await;
    b.fill("#title", "What our whiteboard says").await;
    b.fill("#body", "We drew the flow.").await;
    b.find("#compose-file")
        .await
        .type_text(file.to_str().unwrap())
        .await;
    b.fill("#compose-alt", "Three boxes joined by arrows").await;
    b.click("button[value=attach]").await;
    b.wait_for_text("Preview", Duration::from_secs(10), false)
        .await;
    let draft = b.text("#body").await;
    assert!(draft.starts_with("We drew the flow."), "{draft}");
    assert!(
        draft.contains("![Three boxes joined by arrows](http"),
        "the picture's markdown is in the draft: {draft}"
    );
    b.click("button[value=save]").await;
    b.wait_for_text("What our whiteboard says", Duration::from_secs(10), false)
        .await;
    assert!(b.url().await.contains("/posts/"));
    let img = b.find(".prose img").await;
    assert_eq!(
        img.attr("alt").await.as_deref(),
        Some("Three boxes joined by arrows")
    );
    let shown = b
        .eval(
            "const i = document.querySelector('.prose img'); \
             return [i.complete, i.naturalWidth, i.getBoundingClientRect().width, \
             document.documentElement.scrollWidth, window.innerWidth];",
        )
        .await;
    assert_eq!(shown[0], true, "{shown}");
    assert_eq!(shown[1], 1200, "the display size: {shown}");
    assert!(
        shown[2].as_f64().unwrap() <= 390.0,
        "the picture fits the phone: {shown}"
    );
    assert!(
        shown[3].as_f64() <= shown[4].as_f64(),
        "no sideways scroll: {shown}"
    );
    b.screenshot("post-with-picture-phone").await;
    assert_clean_console(&b, "a post with a picture").await;
    assert_accessible(&b, "a post with a picture").await;
    drop(b);

    // With JavaScript, a picture dropped on the text box is uploaded and put in at once.
    let b = Browser::start(1280, 900, true).await;
    b.log_in(&base, "ann").await;
    b.goto(&format!("{base}/g/learners/submit")).await;
    b.fill("#body", "Before. ").await;
    b.fill("#compose-alt", "A dropped sketch").await;
    let png = serde_json::to_string(&cohort::testing::pictures::png(40, 30)).unwrap();
    b.eval(&format!(
        "const file = new File([new Uint8Array({png})], 'sketch.png', {{type: 'image/png'}}); \
         const dt = new DataTransfer(); dt.items.add(file); \
         const box = document.querySelector('#body'); box.focus(); \
         box.setSelectionRange(box.value.length, box.value.length); \
         box.dispatchEvent(new DragEvent('drop', {{dataTransfer: dt, bubbles: true, cancelable: true}})); \
         return true;"
    ))
    .await;
    let mut value = String::new();
    for _ in 0..50 {
        value = b
            .eval("return document.querySelector('#body').value;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string();
        if value.contains("![A dropped sketch](") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(value.starts_with("Before."), "{value}");
    assert!(value.contains("![A dropped sketch](http"), "{value}");
    assert_clean_console(&b, "a picture dropped on the compose box").await;
}
