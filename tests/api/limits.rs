//! Rate limits: sign-ups and log-ins per client address, posts per account, shared by every
//! process on one database; a refused request is 429 with `Retry-After`.

use cohort::{
    harness::{Api, Server, free_port},
    testing::{TestApp, TestDatabase, id},
};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_cohort");

fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Waits for the next minute when this one ends within `need` seconds. The limits count in
/// windows of whole minutes: a test that counts hits in one must not straddle two (a fourth
/// post made just after the minute turned was allowed, in a CI run).
async fn in_one_minute(need: u64) {
    let now = chrono::Utc::now();
    let into_ms =
        now.timestamp().rem_euclid(60) as u64 * 1000 + u64::from(now.timestamp_subsec_millis());
    let left_ms = 60_000 - into_ms;
    if left_ms < need * 1000 {
        tokio::time::sleep(std::time::Duration::from_millis(left_ms + 50)).await;
    }
}

async fn sign_up(app: &TestApp, name: &str, forwarded: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}/api/v1/accounts", app.address))
        .json(&json!({"username": name, "password": "a long password"}));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn sign_ups_and_log_ins_are_limited_per_address() {
    let app = TestApp::spawn_with(|c| {
        c.limits.signups_per_hour = 3;
        c.limits.logins_per_minute = 2;
    })
    .await;
    in_one_minute(20).await;
    for name in ["ann", "ben", "cat"] {
        assert_eq!(sign_up(&app, name, None).await.status(), 201, "{name}");
    }
    let r = sign_up(&app, "dan", None).await;
    assert_eq!(r.status(), 429);
    let wait = retry_after(&r);
    assert!((1..=3600).contains(&wait), "Retry-After {wait}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    assert!(
        cohort::storage::persons::find_local(&app.ctx.db, "dan")
            .await
            .unwrap()
            .is_none(),
        "nothing was created"
    );

    let login = json!({"username": "ann", "password": "a long password"});
    for _ in 0..2 {
        assert_eq!(
            app.post("/api/v1/auth/login", None, login.clone())
                .await
                .status,
            200
        );
    }
    let r = app.post("/api/v1/auth/login", None, login).await;
    assert_eq!(r.status, 429, "{}", r.text);
}

#[tokio::test]
async fn behind_a_proxy_each_client_address_has_its_own_allowance() {
    let app = TestApp::spawn_with(|c| {
        c.limits.signups_per_hour = 1;
        c.limits.client_address_header = "x-forwarded-for".into();
    })
    .await;
    // The proxy appends the address it saw; the last entry is the one to trust.
    assert_eq!(
        sign_up(&app, "ann", Some("6.6.6.6, 203.0.113.1"))
            .await
            .status(),
        201
    );
    assert_eq!(
        sign_up(&app, "ben", Some("203.0.113.1")).await.status(),
        429
    );
    assert_eq!(
        sign_up(&app, "ben", Some("203.0.113.1, 198.51.100.7"))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn posts_and_replies_are_limited_per_account() {
    let app = TestApp::spawn_with(|c| c.limits.posts_per_minute = 3).await;
    let ann = app.user("ann").await;
    let ben = app.user("ben").await;
    app.group(&ann, "rust").await;
    in_one_minute(20).await;
    let post = app.post_in(&ann, "rust", "One", "").await;
    app.post_in(&ann, "rust", "Two", "").await;
    app.reply_to(&ann, id(&post), None, "three").await;
    let r = app
        .post(
            "/api/v1/groups/rust/posts",
            Some(&ann),
            json!({"title": "Four", "body": ""}),
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/posts/{}/replies", id(&post)),
            Some(&ann),
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(r.status, 429, "a reply counts too");
    // Someone else still may.
    app.reply_to(&ben, id(&post), None, "mine").await;
}

/// Two `cohort serve` processes on one database share one allowance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_shared_by_processes_on_one_database() {
    cohort::install_crypto_provider();
    let db = TestDatabase::new().await;
    let (p1, p2) = (free_port().unwrap(), free_port().unwrap());
    let domain = format!("localhost:{p1}");
    let settings = [("COHORT_LIMITS_SIGNUPS_PER_HOUR", "2")];
    let one = Server::start(BIN.as_ref(), p1, &domain, &db.url, &settings)
        .await
        .unwrap();
    let two = Server::start(BIN.as_ref(), p2, &domain, &db.url, &settings)
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let sign_up = |base: String, name: &'static str| {
        let client = client.clone();
        async move {
            client
                .post(format!("{base}/api/v1/accounts"))
                .json(&json!({"username": name, "password": "a long password"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(sign_up(one.base.clone(), "ann").await, 201);
    assert_eq!(sign_up(two.base.clone(), "ben").await, 201);
    assert_eq!(sign_up(one.base.clone(), "cat").await, 429);
    assert_eq!(sign_up(two.base.clone(), "dan").await, 429);
    // Both processes still serve everything else.
    let api = Api::new(&two.base);
    assert!(
        api.post(
            "/api/v1/auth/login",
            None,
            json!({"username": "ann", "password": "a long password"})
        )
        .await
        .is_ok()
    );
    one.stop().await;
    two.stop().await;
}

/// Inbound activities are counted in each process and written in batches: far fewer writes
/// than activities, each process exact about its own, and two processes together held to the
/// allowance give or take one batch each.
#[tokio::test]
async fn inbound_counts_are_batched_and_still_shared() {
    use cohort::{
        Error,
        domain::limits::{self, FLUSH_HITS, Limit},
    };
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::spawn_with(|c| c.limits.inbound_per_minute = 200).await;
    let one = app.ctx.ctx.clone();
    // A second process: the same database, counts of its own.
    let mut two = one.clone();
    two.limits = Default::default();
    let stored = || async {
        let row = app
            .ctx
            .db
            .query_one_raw(Statement::from_string(
                app.ctx.db.get_database_backend(),
                "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) AS n FROM rate_limits \
                 WHERE bucket = 'inbound:peer.example'",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    };

    // Twenty activities: none written yet (a batch is 32 hits or a second).
    for _ in 0..20 {
        limits::check(&one, Limit::Inbound, "peer.example")
            .await
            .unwrap();
    }
    assert!(stored().await < 20, "a write per activity");

    // Both processes take turns until each is refused; together they let through the
    // allowance, give or take a batch each. A minute's window may turn over mid-test: then
    // the count starts again, so the test counts within one window.
    let window = |t: i64| t - t.rem_euclid(60);
    let started = window(cohort::domain::now().timestamp());
    let mut allowed = 20;
    let mut refused = [false, false];
    for i in 0..1000 {
        let ctx = if i % 2 == 0 { &one } else { &two };
        match limits::check(ctx, Limit::Inbound, "peer.example").await {
            Ok(()) => allowed += 1,
            Err(Error::TooManyRequests { .. }) => refused[i % 2] = true,
            Err(e) => panic!("{e}"),
        }
        if refused == [true, true] {
            break;
        }
    }
    if window(cohort::domain::now().timestamp()) != started {
        return; // the minute turned over: the figures span two windows
    }
    assert_eq!(refused, [true, true]);
    assert!(
        (200..=200 + 2 * FLUSH_HITS).contains(&allowed),
        "{allowed} let through for an allowance of 200"
    );
    // Once known to be over, a process refuses without writing.
    let before = stored().await;
    for _ in 0..50 {
        assert!(
            limits::check(&one, Limit::Inbound, "peer.example")
                .await
                .is_err()
        );
    }
    assert_eq!(stored().await, before, "refusals written");
}
