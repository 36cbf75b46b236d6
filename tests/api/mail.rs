//! E-mail through a real SMTP server (aiosmtpd, `cohort::testing::smtp`): every kind of mail
//! arrives, parses, and its links work; a relay outage delays mail and never loses or doubles
//! it; a permanent refusal stops retries; one-click unsubscribe works without signing in;
//! and an instance without a relay says so instead of failing.

use std::time::Duration;

use cohort::{
    config::Config,
    domain::mail::NoticeMode,
    storage,
    testing::{
        TestApp,
        smtp::{SmtpSink, link},
    },
};
use serde_json::{Value, json};

const PASSWORD: &str = "a long password";

async fn app_with(sink: &SmtpSink, adjust: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::spawn_with(|c| {
        sink.configure(c);
        adjust(c);
    })
    .await
}

fn address(name: &str) -> String {
    format!("{name}@example.org")
}

async fn sign_up(app: &TestApp, name: &str) -> cohort::testing::Reply {
    app.post(
        "/api/v1/accounts",
        None,
        json!({"username": name, "password": PASSWORD, "email": address(name)}),
    )
    .await
}

async fn log_in(app: &TestApp, name: &str, password: &str) -> cohort::testing::Reply {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"username": name, "password": password}),
    )
    .await
}

/// The `token` query parameter of the first link to `path` in `mail`'s text part.
fn token_in(mail: &Value, path: &str) -> String {
    let text = mail["text"].as_str().expect("a plain-text part");
    let url = link(text, "http://").and_then(|_| {
        text.split_whitespace()
            .find(|w| w.contains(path))
            .map(str::to_string)
    });
    let url = url.unwrap_or_else(|| panic!("no {path} link in {text}"));
    url.split("token=").nth(1).expect("a token").to_string()
}

/// Signs `name` up with an address, confirms it through the mailed link, signs in.
async fn confirmed_user(app: &TestApp, sink: &SmtpSink, name: &str) -> String {
    let r = sign_up(app, name).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mails = sink.wait_for(&address(name), 1).await;
    let token = token_in(&mails[0], "/account/verify");
    let r = app
        .post("/api/v1/auth/verify", None, json!({"token": token}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = log_in(app, name, PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn confirmation_and_password_reset_arrive_parse_and_their_links_work() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = app_with(&sink, |_| {}).await;
    assert_eq!(sign_up(&app, "ann").await.status, 201);

    // The confirmation mail: both parts, the instance's name, a working link, no unsubscribe.
    let mail = sink.wait_for("ann@example.org", 1).await.remove(0);
    assert_eq!(mail["multipart"], "multipart/alternative", "{mail:#}");
    assert!(
        mail["subject"].as_str().unwrap().contains(&app.domain),
        "{mail:#}"
    );
    assert!(
        mail["headers"]["From"]
            .as_str()
            .unwrap()
            .contains("cohort@localhost")
    );
    assert!(mail["message_id"].as_str().unwrap().starts_with('<'));
    assert!(
        mail["headers"].get("List-Unsubscribe").is_none(),
        "a transactional mail"
    );
    let text = mail["text"].as_str().unwrap();
    let html = mail["html"].as_str().unwrap();
    let url = link(
        text,
        &format!("http://{}/account/verify?token=", app.domain),
    )
    .unwrap();
    assert!(html.contains(&format!("href=\"{url}\"")), "{html}");
    let page = app
        .client
        .get(url.replace(&app.domain, &app.address.replace("http://", "")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("ann@example.org is confirmed")
    );
    let ann = log_in(&app, "ann", PASSWORD).await.json["token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = my_mail(&app, &ann).await;
    assert_eq!(me["verified"], true, "{me}");

    // The link works once.
    let token = url.split("token=").nth(1).unwrap();
    let r = app
        .post("/api/v1/auth/verify", None, json!({"token": token}))
        .await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("token")));

    // Password reset, asked for by name and by address (any case).
    let r = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"login": "ANN@example.org"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let mail = sink.wait_for("ann@example.org", 2).await.remove(1);
    assert!(
        mail["subject"]
            .as_str()
            .unwrap()
            .contains("Reset your password")
    );
    let token = token_in(&mail, "/password/reset");
    // The form the link opens.
    let page = app
        .get(&format!("/password/reset?token={token}"), None)
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains(&format!("value=\"{token}\"")),
        "{}",
        page.text
    );
    // A password that breaks the rules does not use the token up.
    let r = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "password": "short"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("password"))
    );
    let old_session = log_in(&app, "ann", PASSWORD).await.json["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "password": "a brand new password"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(log_in(&app, "ann", PASSWORD).await.status, 401);
    assert_eq!(
        log_in(&app, "ann", "a brand new password").await.status,
        200
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&old_session)).await.status,
        401,
        "sessions ended"
    );
    let r = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "password": "yet another password"}),
        )
        .await;
    assert_eq!(r.status, 400, "a token works once: {}", r.text);

    // Unknown accounts get the same answer and no mail; a second request within two minutes
    // mails nothing more.
    for login in ["nobody", "nobody@example.org", "ann"] {
        let r = app
            .post("/api/v1/auth/password-reset", None, json!({"login": login}))
            .await;
        assert_eq!(r.status, 202, "{login}: {}", r.text);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), 2, "{:#?}", sink.messages());
}

#[tokio::test]
async fn an_instance_without_a_relay_says_so_and_queues_nothing() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/api/v1/auth/password-reset", None, json!({"login": "ann"}))
        .await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (409, Some("mail_unavailable")),
        "{}",
        r.text
    );
    let page = app.get("/password/forgot", None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("sends no e-mail"), "{}", page.text);
    let r = sign_up(&app, "ann").await;
    assert_eq!(r.status, 201, "an address is still welcome: {}", r.text);
    let token = log_in(&app, "ann", PASSWORD).await.json["token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = app.get("/api/v1/me/mail", Some(&token)).await.json;
    assert_eq!(me["available"], false, "{me}");
    assert!(
        storage::mail::list(&app.ctx.db, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // And the configuration refuses to require confirmation without a relay.
    let err = Config::from_sources(
        None,
        vec![("COHORT_REGISTRATION_VERIFY_EMAIL".into(), "true".into())],
    )
    .unwrap_err();
    assert!(err.0.contains("mail.smtp_host"), "{err}");
}

#[tokio::test]
async fn a_required_confirmation_holds_the_sign_in_until_the_link_is_opened() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = app_with(&sink, |c| c.registration.verify_email = true).await;
    let r = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "bob", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("email")),
        "{}",
        r.text
    );
    assert_eq!(sign_up(&app, "bob").await.status, 201);
    let r = log_in(&app, "bob", PASSWORD).await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (403, Some("email_unverified")),
        "{}",
        r.text
    );
    sink.wait_for("bob@example.org", 1).await;
    // Asked again at once: no second mail (one per two minutes).
    let r = app
        .post(
            "/api/v1/auth/verify/resend",
            None,
            json!({"username": "bob"}),
        )
        .await;
    assert_eq!(r.status, 202);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails = sink.to("bob@example.org");
    assert_eq!(mails.len(), 1);
    let token = token_in(&mails[0], "/account/verify");
    assert_eq!(
        app.post("/api/v1/auth/verify", None, json!({"token": token}))
            .await
            .status,
        200
    );
    assert_eq!(log_in(&app, "bob", PASSWORD).await.status, 200);
}

async fn my_mail(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/me/mail", Some(token)).await.json
}

#[tokio::test]
async fn replies_mentions_and_accepted_answers_are_mailed_and_stopped_with_one_click() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = app_with(&sink, |_| {}).await;
    let ann = confirmed_user(&app, &sink, "ann").await;
    let bob = confirmed_user(&app, &sink, "bob").await;
    let carl = confirmed_user(&app, &sink, "carl").await;
    app.group(&ann, "ops").await;
    let r = app
        .post(
            "/api/v1/groups/ops/posts",
            Some(&ann),
            json!({"title": "Why does <the> build fail?", "body": "It says E0425.", "kind": "question"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let post = r.json["id"].as_i64().unwrap();

    // Bob answers and mentions Carl: Ann hears of the reply, Carl of the mention.
    let reply = app
        .reply_to(&bob, post, None, "Import the name first, @carl knows why.")
        .await;
    let reply_id = reply["id"].as_i64().unwrap();
    let to_ann = sink.wait_for("ann@example.org", 2).await.remove(1);
    assert_eq!(
        to_ann["subject"].as_str().unwrap(),
        "bob replied in “Why does <the> build fail?”",
        "{to_ann:#}"
    );
    let text = to_ann["text"].as_str().unwrap();
    assert!(text.contains("Import the name first"), "{text}");
    assert!(
        text.contains(&format!("http://{}/posts/{post}#r{reply_id}", app.domain)),
        "{text}"
    );
    let html = to_ann["html"].as_str().unwrap();
    assert!(
        html.contains("Why does &lt;the&gt; build fail?"),
        "escaped: {html}"
    );
    let unsubscribe = to_ann["headers"]["List-Unsubscribe"].as_str().unwrap();
    assert_eq!(
        to_ann["headers"]["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    assert_eq!(to_ann["headers"]["Auto-Submitted"], "auto-generated");
    let to_carl = sink.wait_for("carl@example.org", 2).await.remove(1);
    assert!(
        to_carl["subject"]
            .as_str()
            .unwrap()
            .starts_with("bob mentioned you"),
        "{to_carl:#}"
    );

    // Ann accepts the answer: Bob hears of it.
    let r = app
        .request(
            "PUT",
            &format!("/api/v1/posts/{post}/answer"),
            Some(&ann),
            Some(&json!({"reply_id": reply_id})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let to_bob = sink.wait_for("bob@example.org", 2).await.remove(1);
    assert!(
        to_bob["subject"].as_str().unwrap().contains("was accepted"),
        "{to_bob:#}"
    );

    // RFC 8058: the mail client POSTs to the link, with no cookie and no CSRF token.
    let url = unsubscribe.trim_matches(['<', '>']);
    let url = url.replace(&app.domain, &app.address.replace("http://", ""));
    let r = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(my_mail(&app, &ann).await["notices"], "never");
    // A forged key changes nothing.
    let forged = url
        .replace("unsubscribe/", "unsubscribe/0")
        .replace("?", "0?");
    let r = reqwest::Client::new().post(&forged).send().await.unwrap();
    assert_eq!(r.status(), 404);

    // Ann hears of no more replies; Carl chose a daily mail and hears at the day's end.
    let r = app
        .request(
            "PATCH",
            "/api/v1/me/mail",
            Some(&carl),
            Some(&json!({"notices": "daily"})),
        )
        .await;
    assert_eq!(r.json["notices"], "daily", "{}", r.text);
    app.reply_to(&bob, post, Some(reply_id), "And @carl, see the docs.")
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.to("ann@example.org").len(), 2, "unsubscribed");
    assert_eq!(
        sink.to("carl@example.org").len(),
        2,
        "waits for the daily mail"
    );
    let queued = cohort::mail::compose_notices(&app.ctx, NoticeMode::Daily)
        .await
        .unwrap();
    assert_eq!(queued, 1);
    app.ctx.delivery_wake.notify_waiters();
    let daily = sink.wait_for("carl@example.org", 3).await.remove(2);
    assert!(
        daily["text"].as_str().unwrap().contains("see the docs"),
        "{daily:#}"
    );
    // Composed once: a second run finds nothing.
    assert_eq!(
        cohort::mail::compose_notices(&app.ctx, NoticeMode::Daily)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_weekly_digest_names_waiting_questions_and_pages_and_can_be_stopped() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = app_with(&sink, |_| {}).await;
    let ann = confirmed_user(&app, &sink, "ann").await;
    let bob = confirmed_user(&app, &sink, "bob").await;
    app.group(&ann, "ops").await;
    let r = app
        .post("/api/v1/groups/ops/join", Some(&bob), json!({}))
        .await;
    assert!(r.status < 300, "{}", r.text);
    let r = app
        .post(
            "/api/v1/groups/ops/posts",
            Some(&ann),
            json!({"title": "Who knows Kafka rebalancing?", "body": "Stuck.", "kind": "question"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .post(
            "/api/v1/groups/ops/pages",
            Some(&ann),
            json!({"title": "On-call handbook", "body": "Start here."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let queued = cohort::mail::queue_digests(&app.ctx).await.unwrap();
    assert_eq!(queued, 2, "ann and bob both follow ops");
    app.ctx.delivery_wake.notify_waiters();
    let digest = sink.wait_for("bob@example.org", 2).await.remove(1);
    assert!(
        digest["subject"]
            .as_str()
            .unwrap()
            .starts_with("Your week on")
    );
    let text = digest["text"].as_str().unwrap();
    assert!(text.contains("Who knows Kafka rebalancing?"), "{text}");
    assert!(text.contains("On-call handbook"), "{text}");
    assert!(text.contains("/g/ops/pages/"), "{text}");
    let unsubscribe = digest["headers"]["List-Unsubscribe"].as_str().unwrap();
    assert!(unsubscribe.contains("list=digest"), "{unsubscribe}");
    // The confirmation page first (a link scanner's GET changes nothing), then the click.
    let url = unsubscribe
        .trim_matches(['<', '>'])
        .replace(&app.domain, &app.address.replace("http://", ""));
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Stop the weekly digest for bob")
    );
    assert_eq!(my_mail(&app, &bob).await["digest"], true);
    let r = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(my_mail(&app, &bob).await["digest"], false);
    assert_eq!(
        cohort::mail::queue_digests(&app.ctx).await.unwrap(),
        1,
        "ann only"
    );
}

#[tokio::test]
async fn a_relay_outage_delays_mail_and_delivers_it_once() {
    let Some(mut sink) = SmtpSink::start() else {
        return;
    };
    let app = app_with(&sink, |_| {}).await;
    sink.stop();
    assert_eq!(sign_up(&app, "ann").await.status, 201);
    // Attempted and failed while the relay is down: still waiting, with the error.
    let row = cohort::testing::eventually("a failed attempt", Duration::from_secs(20), || async {
        let rows = storage::mail::list(&app.ctx.db, 10).await.unwrap();
        rows.into_iter()
            .find(|r| r.attempts >= 1 && r.last_error.is_some() && r.leased_until.is_none())
    })
    .await;
    assert!(row.sent_at.is_none() && row.failed_at.is_none(), "{row:?}");
    sink.resume();
    sink.wait_for("ann@example.org", 1).await;
    // Later turns find nothing more to send.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(sink.messages().len(), 1, "{:#?}", sink.messages());
    let rows = storage::mail::list(&app.ctx.db, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].sent_at.is_some(), "{:?}", rows[0]);
    assert!(rows[0].attempts >= 2, "{:?}", rows[0]);
}

#[tokio::test]
async fn a_permanent_refusal_stops_retries_and_marks_the_address() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = app_with(&sink, |_| {}).await;
    let r = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "dan", "password": PASSWORD, "email": "bounce-dan@example.org"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let row = cohort::testing::eventually("a refused mail", Duration::from_secs(20), || async {
        let rows = storage::mail::list(&app.ctx.db, 10).await.unwrap();
        rows.into_iter().find(|r| r.failed_at.is_some())
    })
    .await;
    assert!(
        row.last_error.as_deref().unwrap().contains("550"),
        "{row:?}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rows = storage::mail::list(&app.ctx.db, 10).await.unwrap();
    assert_eq!(rows[0].attempts, 1, "not retried: {:?}", rows[0]);
    let token = log_in(&app, "dan", PASSWORD).await.json["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(my_mail(&app, &token).await["failed"], true);
    assert!(sink.messages().is_empty());
    let counts = storage::mail::counts(&app.ctx.db).await.unwrap();
    assert_eq!((counts.waiting, counts.sent, counts.failed), (0, 0, 1));
    let report = cohort::cli::format_mail_report(&cohort::cli::MailReport {
        counts,
        newest: vec![],
    });
    assert!(
        report.starts_with("waiting: 0  sent: 0  failed: 1"),
        "{report}"
    );
}

#[tokio::test]
async fn the_settings_page_changes_the_address_and_mails_a_new_link() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = app_with(&sink, |_| {}).await;
    confirmed_user(&app, &sink, "ann").await;
    let mut web = cohort::testing::Web::log_in(&app, "ann").await;
    let page = web.get("/settings").await;
    assert!(page.contains("ann@example.org"), "{page}");
    let csrf = web.csrf("/settings").await;
    let (status, _) = web
        .post(
            "/settings/mail",
            &[
                ("csrf", &csrf),
                ("email", "ann.new@example.org"),
                ("notices", "daily"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let mails = sink.wait_for("ann.new@example.org", 1).await;
    assert!(
        mails[0]["subject"]
            .as_str()
            .unwrap()
            .starts_with("Confirm your address")
    );
    let page = web.get("/settings").await;
    assert!(page.contains("Not confirmed yet"), "{page}");
    assert!(page.contains("value=\"daily\" checked"), "{page}");
    assert!(
        !page.contains("name=\"digest\" value=\"on\" checked"),
        "unticked: {page}"
    );
    let (status, page) = web
        .post(
            "/settings/mail",
            &[
                ("csrf", &csrf),
                ("email", "not an address"),
                ("notices", "daily"),
            ],
        )
        .await;
    assert_eq!(status, 400, "{page}");
}

#[tokio::test]
async fn a_bounce_reported_later_stops_mail_to_the_address() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let db = cohort::testing::TestDatabase::new().await;
    let target = crate::admin::Target {
        url: db.url.clone(),
        domain: String::new(),
    };
    let app = TestApp::spawn_on(db, |c| sink.configure(c)).await;
    let target = crate::admin::Target {
        domain: app.domain.clone(),
        ..target
    };
    let token = confirmed_user(&app, &sink, "erin").await;
    assert_eq!(my_mail(&app, &token).await["failed"], false);

    // Not an address: refused, nothing changed.
    let out = crate::admin::run(&target, &["admin", "mail-bounced", "nobody"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("address"));
    // The relay took erin's mail, then a bounce came back: the admin reports it.
    let out = crate::admin::run(&target, &["admin", "mail-bounced", "Erin@Example.org"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("1 account(s)"), "{printed}");
    assert_eq!(my_mail(&app, &token).await["failed"], true);
    // A second report changes nothing more.
    let out = crate::admin::run(&target, &["admin", "mail-bounced", "erin@example.org"], "");
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 account(s)"));
}

#[tokio::test]
async fn a_members_only_group_mails_its_members_and_nobody_who_left() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = app_with(&sink, |_| {}).await;
    let ann = confirmed_user(&app, &sink, "ann").await;
    let bob = confirmed_user(&app, &sink, "bob").await;
    app.members_only_group(&ann, "team").await;
    let r = app
        .post("/api/v1/groups/team/invites", Some(&ann), json!({}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let invite = r.json["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let r = app
        .post(&format!("/api/v1/invites/{invite}"), Some(&bob), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // A member is mailed of a mention.
    app.post_in(&ann, "team", "Plans", "Over to you, @bob.")
        .await;
    let mails = sink.wait_for("bob@example.org", 2).await;
    assert!(mails[1]["text"].as_str().unwrap().contains("Over to you"));

    // Once he has left, nothing of the group reaches him by mail.
    let r = app
        .request("DELETE", "/api/v1/groups/team/join", Some(&bob), None)
        .await;
    assert_eq!(r.status, 204);
    app.post_in(&ann, "team", "Secret plans", "Still for you, @bob?")
        .await;
    // The mail worker took the notice up and dropped it.
    cohort::testing::eventually("the notice taken up", Duration::from_secs(20), || async {
        storage::mail::waiting_notices(&app.ctx.db, NoticeMode::Immediately.as_str(), 10)
            .await
            .unwrap()
            .is_empty()
            .then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let to_bob = sink.to("bob@example.org");
    assert_eq!(to_bob.len(), 2, "{to_bob:#?}");
}
