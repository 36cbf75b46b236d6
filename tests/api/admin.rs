//! The administration commands, run as the `cohort` binary against a database that a
//! running server uses at the same time.

use std::{
    io::Write,
    process::{Output, Stdio},
    time::Duration,
};

use cohort::{
    harness::add_remote_follower,
    storage,
    testing::{TestApp, TestDatabase, eventually},
};
use serde_json::{Value, json};

use crate::cli::cohort;

/// What the commands need to know of the server: its database and its domain (the same
/// configuration the server has).
pub(crate) struct Target {
    pub(crate) url: String,
    pub(crate) domain: String,
}

/// Runs `cohort ARGS` against `target` with `stdin` piped in.
pub(crate) fn run(target: &Target, args: &[&str], stdin: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = cohort()
        .args(args)
        .env("COHORT_DATABASE_URL", &target.url)
        .env("COHORT_DOMAIN", &target.domain)
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A server, and what the commands need to act on it. Its hourly clean-up has run (it runs
/// at start), so it does not race the test's own.
async fn server() -> (TestApp, Target) {
    let db = TestDatabase::new().await;
    let url = db.url.clone();
    let app = TestApp::spawn_on(db, |_| {}).await;
    eventually("the start-up clean-up", Duration::from_secs(20), || async {
        storage::jobs::list(&app.ctx.db)
            .await
            .ok()?
            .iter()
            .any(|j| j.name == "housekeeping" && j.last_finished_at.is_some())
            .then_some(())
    })
    .await;
    let domain = app.domain.clone();
    (app, Target { url, domain })
}

async fn login(app: &TestApp, password: &str) -> u16 {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"username": "ann", "password": password}),
    )
    .await
    .status
}

#[tokio::test]
async fn reset_password_replaces_it_and_signs_out_everywhere() {
    let (app, url) = server().await;
    let token = app.user("ann").await;
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);

    let out = run(
        &url,
        &["admin", "reset-password", "ann", "--password-stdin"],
        "a brand new password\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("password of ann changed; 1 session(s) ended"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        401,
        "the old session ended"
    );
    assert_eq!(login(&app, "a long password").await, 401, "old password");
    assert_eq!(login(&app, "a brand new password").await, 200);

    let out = run(
        &url,
        &["admin", "reset-password", "nobody", "--password-stdin"],
        "long enough\n",
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("account not found"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &url,
        &["admin", "reset-password", "ann", "--password-stdin"],
        "short\n",
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("password"), "{}", stderr(&out));
    assert_eq!(login(&app, "a brand new password").await, 200, "unchanged");
}

#[tokio::test]
async fn block_an_instance_show_federation_state_and_unblock() {
    let (app, url) = server().await;
    let token = app.user("ann").await;
    let group = app.group(&token, "rust").await;
    let group_id = group["id"].as_i64().unwrap();
    for host in ["peer.example", "social.spam.example"] {
        add_remote_follower(
            &app.ctx.db,
            group_id,
            host,
            &format!("https://{host}/inbox"),
        )
        .await
        .unwrap();
    }

    let out = run(
        &url,
        &[
            "admin",
            "block-instance",
            "https://SPAM.example/users/x",
            "--reason",
            "spam wave",
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "blocked spam.example");
    let out = run(&url, &["admin", "block-instance", "spam.example"], "");
    assert!(stdout(&out).contains("already blocked"), "{}", stdout(&out));
    for bad in ["nodots", &app.domain] {
        let out = run(&url, &["admin", "block-instance", bad], "");
        assert!(!out.status.success(), "{bad} must be refused");
        assert!(stderr(&out).contains("host"), "{}", stderr(&out));
    }

    // The running server stops delivering to the blocked instance (a subdomain of the block)
    // within seconds, without trying it; the other follower's server is still tried.
    let refused = "cohort_deliveries_total{outcome=\"refused\"}";
    app.post_in(&token, "rust", "Hello", "followers").await;
    eventually(
        "the blocked destination to be skipped",
        Duration::from_secs(20),
        || async { (app.metric(refused).await >= 2).then_some(()) },
    )
    .await;
    let report = storage::queue::report(&app.ctx.db).await.unwrap();
    let failing: Vec<&str> = report.failing.iter().map(|f| f.inbox.as_str()).collect();
    assert!(
        !failing.contains(&"https://social.spam.example/inbox"),
        "never attempted: {failing:?}"
    );

    // What its NodeInfo said (a failed check later keeps it).
    let lemmy = storage::software::Learnt {
        software: "lemmy".into(),
        version: Some("0.19.20".into()),
        single_delivery: true,
    };
    let day = cohort::domain::now() + chrono::Duration::days(1);
    storage::software::record(
        &app.ctx.db,
        "peer.example",
        Some(&lemmy),
        cohort::domain::now(),
        day,
    )
    .await
    .unwrap();

    let out = run(&url, &["admin", "federation", "--json"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let peer = |host: &str| {
        r["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["host"] == host)
            .cloned()
            .unwrap_or_else(|| panic!("{host} in {r}"))
    };
    let p = peer("peer.example");
    assert_eq!(
        (p["people"].clone(), p["followers"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        (p["inboxes"].clone(), p["blocked"].clone()),
        (json!(1), json!(false))
    );
    assert_eq!(
        (p["software"].clone(), p["single_delivery"].clone()),
        (json!("lemmy 0.19.20"), json!(true))
    );
    assert_eq!(peer("social.spam.example")["software"], Value::Null);
    assert_eq!(peer("social.spam.example")["blocked"], true, "a subdomain");
    assert_eq!(
        peer("spam.example")["blocked"],
        true,
        "listed though nothing is stored"
    );
    assert_eq!(r["blocks"][0]["host"], "spam.example");
    assert_eq!(r["blocks"][0]["reason"], "spam wave");
    let out = run(&url, &["admin", "federation"], "");
    let text = stdout(&out);
    assert!(
        text.contains("peer.example") && text.contains("blocked"),
        "{text}"
    );
    assert!(text.contains("lemmy 0.19.20"), "{text}");
    assert!(text.contains("spam wave"), "{text}");

    let out = run(&url, &["admin", "unblock-instance", "spam.example"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "unblocked spam.example");
    let out = run(&url, &["admin", "unblock-instance", "spam.example"], "");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not found"), "{}", stderr(&out));
    let out = run(&url, &["admin", "federation", "--json"], "");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["blocks"], json!([]));
}

#[tokio::test]
async fn purge_removes_old_activities_and_keeps_recent_ones() {
    use chrono::Duration as Span;
    use cohort::domain::now;
    let (app, url) = server().await;
    let db = &app.ctx.db;
    storage::received::insert_if_new(db, "https://x.example/a/old", now() - Span::days(40))
        .await
        .unwrap();
    storage::received::insert_if_new(db, "https://x.example/a/new", now() - Span::days(2))
        .await
        .unwrap();
    storage::received::insert_if_new(db, "https://x.example/a/mid", now() - Span::days(10))
        .await
        .unwrap();
    storage::sent::keep(db, "http://here/a/old", "{}", now() - Span::days(100))
        .await
        .unwrap();
    storage::sent::keep(db, "http://here/a/mid", "{}", now() - Span::days(10))
        .await
        .unwrap();

    let out = run(&url, &["admin", "purge"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 received activity id(s), 1 sent activities"),
        "{}",
        stdout(&out)
    );
    assert!(
        !storage::received::exists(db, "https://x.example/a/old")
            .await
            .unwrap()
    );
    assert!(
        storage::received::exists(db, "https://x.example/a/mid")
            .await
            .unwrap()
    );

    let out = run(&url, &["admin", "purge", "--older-than", "7"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 received activity id(s), 1 sent activities"),
        "{}",
        stdout(&out)
    );
    assert!(
        storage::received::exists(db, "https://x.example/a/new")
            .await
            .unwrap()
    );
    assert!(
        storage::sent::find(db, "http://here/a/mid")
            .await
            .unwrap()
            .is_none()
    );

    let out = run(&url, &["admin", "purge", "--older-than", "3"], "");
    assert!(!out.status.success(), "shorter than the queue's retention");
    assert!(stderr(&out).contains("at least 7 days"), "{}", stderr(&out));
}

#[tokio::test]
async fn backup_writes_a_copy_that_restores() {
    let (app, url) = server().await;
    let token = app.user("ann").await;
    app.group(&token, "kept").await;
    app.post_in(&token, "kept", "In the backup", "yes").await;
    let pic = app
        .upload(
            &token,
            "kept.png",
            &cohort::testing::pictures::png(8, 8),
            "",
        )
        .await;
    assert_eq!(pic.status, 201);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cohort-backup");
    let file_arg = file.to_str().unwrap();

    let out = run(&url, &["admin", "backup", file_arg], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("backup written"), "{}", stdout(&out));
    // The media come along (beside the SQLite file; with PostgreSQL the command's own
    // directory, empty here, is copied).
    assert!(stdout(&out).contains("media: "), "{}", stdout(&out));
    if !app.is_postgres() {
        assert!(
            stdout(&out).contains("media: 2 file(s) copied"),
            "{}",
            stdout(&out)
        );
        let key = pic.json["key"].as_str().unwrap();
        assert!(
            dir.path()
                .join("cohort-backup.media")
                .join(format!("{key}.png"))
                .exists()
        );
    }
    let out = run(&url, &["admin", "backup", file_arg], "");
    assert!(!out.status.success(), "never overwrites");
    assert!(stderr(&out).contains("exists"), "{}", stderr(&out));

    // Restore it as a new database and serve it.
    let restored = TestDatabase::new().await;
    if restored.is_postgres() {
        let out = std::process::Command::new("pg_restore")
            .args(["--no-owner", "--dbname", &restored.url, file_arg])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    } else {
        let target = restored
            .url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        std::fs::copy(&file, target).unwrap();
    }
    let copy = TestApp::spawn_on(restored, |c| c.domain = app.domain.clone()).await;
    let posts = copy.get("/api/v1/groups/kept/posts", None).await;
    assert_eq!(
        posts.json["items"][0]["title"], "In the backup",
        "{}",
        posts.text
    );
    let r = copy
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "ann", "password": "a long password"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}
