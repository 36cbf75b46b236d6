//! The `cohort` binary itself.

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use cohort::testing::{TestApp, TestDatabase};
use serde_json::json;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_cohort");

/// The `cohort` binary, with none of this environment's COHORT_* settings.
pub(crate) fn cohort() -> Command {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("COHORT_") || k == "RUST_LOG" {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn help_explains_each_command() {
    let out = cohort().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for word in ["serve", "migrate", "admin"] {
        assert!(text.contains(word), "{word} missing from:\n{text}");
    }
    // The benchmarks are in the binary only when it is built with the `bench` feature.
    assert_eq!(
        text.contains("\n  bench "),
        cfg!(feature = "bench"),
        "bench listed or missing in:\n{text}"
    );
    let out = cohort()
        .args(["admin", "create-user", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--password-stdin") && text.contains("--admin"),
        "{text}"
    );
}

#[test]
fn configuration_errors_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cohort.toml"), "[database]\nulr = \"x\"\n").unwrap();
    let out = cohort()
        .arg("migrate")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("database.ulr"), "{err}");

    let clean = tempfile::tempdir().unwrap();
    let out = cohort()
        .arg("migrate")
        .env("COHORT_LISTN", "x")
        .current_dir(clean.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("COHORT_LISTN"));
}

/// `cohort serve` with no configuration: SQLite file in the working directory, migrations
/// applied, a working API. (Only the port is moved off 8080, so tests never collide.)
#[tokio::test]
async fn serve_with_defaults_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(BIN)
        .arg("serve")
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COHORT_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // The log (on stderr) says where it listens.
    let log = child.stderr.take().unwrap();
    let address = async move {
        use tokio::io::AsyncBufReadExt;
        let mut lines = tokio::io::BufReader::new(log).lines();
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.split("listening on ").nth(1) {
                return rest.split_whitespace().next().unwrap().to_string();
            }
        }
        panic!("the server never said where it listens");
    };
    let address = tokio::time::timeout(Duration::from_secs(60), address)
        .await
        .unwrap();
    cohort::install_crypto_provider();
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{address}/api/v1/accounts"))
        .json(&json!({"username": "first", "password": "long enough"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["ap_id"], "https://localhost:8080/u/first",
        "default domain, https outside debug"
    );
    assert!(
        dir.path().join("cohort.db").exists(),
        "SQLite file in the working directory"
    );
    child.kill().await.unwrap();
}

#[tokio::test]
async fn admin_create_user_then_sign_in() {
    let db = TestDatabase::new().await;
    // The commands' default domain; the server below looks accounts up by name.
    let target = crate::admin::Target {
        url: db.url.clone(),
        domain: "localhost:8080".into(),
    };
    let run = |args: &[&str], stdin: &str| crate::admin::run(&target, args, stdin);
    let out = run(&["migrate"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &[
            "admin",
            "create-user",
            "root_admin",
            "--admin",
            "--password-stdin",
        ],
        "s3cret-enough\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created root_admin"));

    let out = run(
        &["admin", "create-user", "root_admin", "--password-stdin"],
        "another-one\n",
    );
    assert!(!out.status.success(), "a taken name fails");
    assert!(String::from_utf8_lossy(&out.stderr).contains("taken"));
    let out = run(
        &["admin", "create-user", "x", "--password-stdin"],
        "long enough\n",
    );
    assert!(!out.status.success(), "a bad name fails");
    let out = run(&["admin", "create-user", "no_tty"], "");
    assert!(!out.status.success(), "no terminal and no --password-stdin");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--password-stdin"));

    let app = TestApp::spawn_on(db, |_| {}).await;
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "root_admin", "password": "s3cret-enough"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let me = app.get("/api/v1/me", r.json["token"].as_str()).await;
    assert_eq!(me.json["is_admin"], true);
}

#[tokio::test]
async fn admin_queue_shows_depth_and_failing_destinations() {
    use cohort::{
        config::DatabaseConfig,
        domain::now,
        storage::{self, queue},
    };
    let db = TestDatabase::new().await;
    let conn = storage::connect(&DatabaseConfig {
        url: db.url.clone(),
        max_connections: 1,
    })
    .await
    .unwrap();
    storage::migrate(&conn).await.unwrap();
    let inboxes = ["https://down.example/inbox".to_string()];
    queue::enqueue(
        &conn,
        queue::NewActivity {
            activity_id: "https://here.example/activities/follow/1",
            signer: "https://here.example/u/ann",
            body: "{}",
            group_id: None,
            microblog_only: false,
            inboxes: &inboxes,
        },
        now(),
    )
    .await
    .unwrap();
    let dest = queue::claim(&conn, now(), now(), 10).await.unwrap();
    queue::record(
        &conn,
        &[queue::Outcome {
            dest: dest[0].id,
            delivered_seq: dest[0].delivered_seq,
            next_attempt_at: now() + chrono::Duration::minutes(5),
            attempts: 3,
            failing_since: Some(now() - chrono::Duration::hours(2)),
            last_error: Some("HTTP 503: busy".into()),
            unreachable_since: None,
            delivered_at: None,
        }],
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = |json: bool| {
        let mut c = cohort();
        c.args(["admin", "queue"])
            .env("COHORT_DATABASE_URL", &db.url)
            .current_dir(dir.path());
        if json {
            c.arg("--json");
        }
        c.output().unwrap()
    };
    let out = run(true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["pending"], 1);
    assert_eq!(report["destinations"], 1);
    assert_eq!(report["failing"][0]["inbox"], "https://down.example/inbox");
    assert_eq!(report["failing"][0]["attempts"], 3);
    let out = run(false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("pending:         1"), "{text}");
    assert!(
        text.contains("https://down.example/inbox") && text.contains("HTTP 503: busy"),
        "{text}"
    );
    assert!(text.contains("failing 2h"), "{text}");

    // The admin makes it due now: its back-off restarts, and it is no longer listed as failing.
    let out = {
        let mut c = cohort();
        c.args([
            "admin",
            "queue",
            "--json",
            "--retry",
            "https://down.example/inbox",
        ])
        .env("COHORT_DATABASE_URL", &db.url)
        .current_dir(dir.path());
        c.output().unwrap()
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 destination(s) due now"));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["pending"], 1);
    assert_eq!(report["failing"].as_array().unwrap().len(), 0);
    let due = queue::claim(&conn, now(), now(), 10).await.unwrap();
    assert_eq!(due.len(), 1, "due now");
}

/// `log.format = "json"`: every line the server logs is one JSON object, for log collectors.
#[tokio::test]
async fn serve_logs_json_lines_when_asked() {
    let db = TestDatabase::new().await;
    let mut child = tokio::process::Command::new(BIN)
        .arg("serve")
        .env("COHORT_DATABASE_URL", &db.url)
        .env("COHORT_LISTEN", "127.0.0.1:0")
        .env("COHORT_LOG_FORMAT", "json")
        .env("COHORT_LOG_FILTER", "info")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let log = child.stderr.take().unwrap();
    let lines = async move {
        use tokio::io::AsyncBufReadExt;
        let mut lines = tokio::io::BufReader::new(log).lines();
        let mut seen = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            let v: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            let done = v["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("listening on http://127.0.0.1:"));
            seen.push(v);
            if done {
                return seen;
            }
        }
        panic!("the server never said where it listens: {seen:?}");
    };
    let seen = tokio::time::timeout(Duration::from_secs(60), lines)
        .await
        .unwrap();
    let last = seen.last().unwrap();
    assert_eq!(last["level"], "INFO");
    assert!(
        last["timestamp"].is_string() && last["target"].is_string(),
        "{last}"
    );
    child.kill().await.unwrap();
}
