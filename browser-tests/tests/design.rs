//! Every main page at a desktop and a phone width, in the light and the dark theme: a
//! screenshot of each (in `target/screenshots/design-*.png`, to look at), and the checks a
//! Lighthouse accessibility audit makes (contrast, labels, landmarks, focus), plus no
//! sideways scrolling on the phone. And in each shipped language, a page reads right to the
//! end: `lang`, `dir`, and no English left.

use browser_tests::{Browser, checks, skip};
use cohort::testing::{TestApp, id};
use serde_json::json;

/// A community with something on every page: a question answered and accepted, a table and
/// code in a post, a knowledge-base page with two revisions, a waiting question.
async fn community(app: &TestApp) -> (i64, String) {
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "ops").await;
    let r = app
        .post("/api/v1/groups/ops/join", Some(&bob), json!({}))
        .await;
    assert!(r.status == 200 || r.status == 202, "join: {}", r.text);
    let r = app
        .post(
            "/api/v1/groups/ops/posts",
            Some(&ann),
            json!({"title": "How do we rotate TLS keys?", "kind": "question",
                   "body": "Every year, by hand?\n\n| Host | Expires |\n|---|---|\n| a.example | 2027-01-01 |\n\n```\ncertbot renew --dry-run\n```"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let question = id(&r.json);
    let answer = app
        .reply_to(&bob, question, None, "With `certbot` and a timer.")
        .await;
    let r = app
        .request(
            "PUT",
            &format!("/api/v1/posts/{question}/answer"),
            Some(&ann),
            Some(&json!({"reply_id": id(&answer)})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.reply_to(&ann, question, Some(id(&answer)), "Thanks, that works.")
        .await;
    let r = app
        .post(
            "/api/v1/groups/ops/posts",
            Some(&bob),
            json!({"title": "Which backup tool?", "kind": "question", "body": "Restic or Borg?"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    app.post_in(&bob, "ops", "Post-mortem notes", "What we learned.")
        .await;
    let r = app
        .post(
            "/api/v1/groups/ops/pages",
            Some(&ann),
            json!({"title": "TLS certificates", "body": "We renew with certbot.\n\nSee [[backups]].", "summary": "first"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .request(
            "PUT",
            "/api/v1/groups/ops/pages/tls-certificates",
            Some(&bob),
            Some(&json!({"base_revision": 1, "body": "We renew with certbot, daily.\n\nSee [[backups]].", "summary": "daily"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    (question, ann)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_page_in_both_themes_at_both_widths_passes_the_audit() {
    if skip() {
        return;
    }
    let app = TestApp::spawn().await;
    let base = app.address.clone();
    let (question, _) = community(&app).await;
    let pages = [
        ("home", "/".to_string()),
        ("groups", "/groups".into()),
        ("group", "/g/ops".into()),
        ("thread", format!("/posts/{question}")),
        ("compose", "/g/ops/submit".into()),
        ("kb-page", "/g/ops/pages/tls-certificates".into()),
        (
            "kb-diff",
            "/g/ops/pages/tls-certificates?from=1&to=2".into(),
        ),
        ("search", "/search?q=certbot".into()),
        ("person", "/u/bob".into()),
        ("notifications", "/notifications".into()),
        ("settings", "/settings".into()),
        ("health", "/g/ops/health".into()),
    ];
    let b = Browser::start(1280, 900, true).await;
    b.log_in(&base, "ann").await;
    let mut failures = Vec::new();
    for (width, height, device) in [(1280, 900, "desktop"), (390, 844, "phone")] {
        b.resize(width, height).await;
        for dark in [false, true] {
            b.color_scheme(dark).await;
            let theme = if dark { "dark" } else { "light" };
            for (name, path) in &pages {
                b.goto(&format!("{base}{path}")).await;
                let scheme = b
                    .eval("return matchMedia('(prefers-color-scheme: dark)').matches")
                    .await;
                assert_eq!(scheme, json!(dark), "{name}: the theme is emulated");
                b.screenshot(&format!("design-{name}-{device}-{theme}"))
                    .await;
                for p in checks::problems(&b).await {
                    failures.push(format!("{name} ({device}, {theme}) {p}"));
                }
            }
        }
    }
    // The checks do find what they look for: faint text, a field without a label, a page
    // wider than the phone.
    b.goto(&format!("{base}/g/ops")).await;
    b.eval(
        "const p = document.createElement('p'); p.textContent = 'faint words'; \
         p.style.color = '#bbbbbb'; p.style.background = '#ffffff'; \
         document.querySelector('main').append(p); \
         const i = document.createElement('input'); i.name = 'nolabel'; \
         document.querySelector('main').append(i); \
         const w = document.createElement('div'); w.textContent = 'wide'; \
         w.style.width = '2000px'; document.querySelector('main').append(w); return 0",
    )
    .await;
    let found = checks::problems(&b).await.join("\n");
    for expected in ["contrast: 1.", "unlabelled nolabel", "overflow: div"] {
        assert!(found.contains(expected), "{expected} in {found}");
    }

    // Right to left (as a page in Arabic or Hebrew is): the layout mirrors, built on logical
    // properties only, and still fits the phone.
    b.resize(390, 844).await;
    b.goto(&format!("{base}/posts/{question}")).await;
    let mirrored = b
        .eval(
            "document.documentElement.dir = 'rtl'; \
             const brand = document.querySelector('header.site .brand').getBoundingClientRect(); \
             const nested = document.querySelector('ul.replies ul.replies'); \
             const s = getComputedStyle(nested); \
             return [brand.right > innerWidth / 2, s.borderRightWidth !== '0px', \
                     document.documentElement.scrollWidth <= document.documentElement.clientWidth];",
        )
        .await;
    assert_eq!(mirrored, json!([true, true, true]), "right to left");
    b.screenshot("design-thread-phone-rtl").await;

    // Signed out: the pages a visitor sees first.
    b.color_scheme(false).await;
    b.goto(&format!("{base}/")).await;
    b.click("header.site form[action='/logout'] button").await;
    for (name, path) in [("welcome", "/"), ("login", "/login"), ("signup", "/signup")] {
        for dark in [false, true] {
            b.color_scheme(dark).await;
            b.goto(&format!("{base}{path}")).await;
            let theme = if dark { "dark" } else { "light" };
            b.screenshot(&format!("design-{name}-phone-{theme}")).await;
            for p in checks::problems(&b).await {
                failures.push(format!("{name} (phone, {theme}) {p}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
