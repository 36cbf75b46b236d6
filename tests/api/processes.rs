//! Delivery across real `cohort serve` processes: killed in the middle of a fan-out, and
//! several sharing one database. The peers are loopback sinks, each a distinct instance
//! (its own address), that verify every request's HTTP signature.

use std::{sync::atomic::Ordering, time::Duration};

use cohort::{
    harness::{Api, Server, Sinks, free_port, seed_followers},
    testing::TestDatabase,
};

const BIN: &str = env!("CARGO_BIN_EXE_cohort");

/// Every sink received every activity (at least once).
fn assert_complete(sinks: &Sinks, hosts: usize, activities: usize) {
    let per_host = sinks.log.per_host();
    assert_eq!(per_host.len(), hosts, "every destination was reached");
    for (host, got) in per_host {
        assert_eq!(got.len(), activities, "{host} got {got:?}");
    }
    assert_eq!(sinks.log.bad.load(Ordering::SeqCst), 0, "bad signatures");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_fan_out_delivers_everything_after_restart() {
    cohort::install_crypto_provider();
    let db = TestDatabase::new().await;
    // Slow peers, so the fan-out is still going when the server dies.
    let sinks = Sinks::start(Duration::from_millis(40)).await.unwrap();
    let port = free_port().unwrap();
    let domain = format!("localhost:{port}");
    let settings = [
        ("COHORT_DELIVERY_LEASE_SECONDS", "3"),
        ("COHORT_DELIVERY_TIMEOUT_SECONDS", "1"),
        ("COHORT_DELIVERY_CONCURRENCY", "32"),
    ];
    let server = Server::start(BIN.as_ref(), port, &domain, &db.url, &settings)
        .await
        .unwrap();
    let api = Api::new(&server.base);
    let token = api.user("ann").await.unwrap();
    api.group(&token, "crash").await.unwrap();
    const HOSTS: usize = 120;
    const POSTS: usize = 6;
    seed_followers(&db.url, "crash", &domain, &sinks, HOSTS)
        .await
        .unwrap();
    for i in 0..POSTS {
        api.post_in(&token, "crash", &format!("Post {i}"))
            .await
            .unwrap();
    }
    // Each post goes out twice (the Create for Cohort and Lemmy, the Page for Mastodon).
    let expected = (HOSTS * POSTS * 2) as u64;
    let seen = sinks
        .log
        .wait_for(expected / 4, Duration::from_secs(60))
        .await;
    server.kill9().await;
    let at_kill = sinks.log.distinct();
    assert!(
        seen >= expected / 4 && at_kill < expected,
        "killed mid-way: {at_kill} of {expected}"
    );

    let server = Server::start(BIN.as_ref(), port, &domain, &db.url, &settings)
        .await
        .unwrap();
    let total = sinks.log.wait_for(expected, Duration::from_secs(120)).await;
    assert!(total >= expected, "{total} of {expected} after restart");
    assert_complete(&sinks, HOSTS, POSTS * 2);
    let dups = sinks.log.duplicates();
    eprintln!("killed at {at_kill}/{expected}; repeated after restart: {dups}");
    assert!(
        dups < expected / 4,
        "a restart repeats only what was in flight, not the fan-out: {dups}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_the_queue_and_send_nothing_twice() {
    cohort::install_crypto_provider();
    let db = TestDatabase::new().await;
    let sinks = Sinks::start(Duration::from_millis(15)).await.unwrap();
    let (p1, p2) = (free_port().unwrap(), free_port().unwrap());
    // One instance (one domain), two processes behind it.
    let domain = format!("localhost:{p1}");
    let settings = [
        ("COHORT_DELIVERY_CONCURRENCY", "12"),
        ("COHORT_LOG_FILTER", "warn,cohort::delivery=debug"),
    ];
    let one = Server::start(BIN.as_ref(), p1, &domain, &db.url, &settings)
        .await
        .unwrap();
    let two = Server::start(BIN.as_ref(), p2, &domain, &db.url, &settings)
        .await
        .unwrap();
    let (api1, api2) = (Api::new(&one.base), Api::new(&two.base));
    let token = api1.user("ann").await.unwrap();
    api1.group(&token, "shared").await.unwrap();
    const HOSTS: usize = 60;
    const POSTS: usize = 6;
    seed_followers(&db.url, "shared", &domain, &sinks, HOSTS)
        .await
        .unwrap();
    for i in 0..POSTS {
        let api = if i % 2 == 0 { &api1 } else { &api2 };
        api.post_in(&token, "shared", &format!("Post {i}"))
            .await
            .unwrap();
    }
    let expected = (HOSTS * POSTS * 2) as u64;
    let total = sinks.log.wait_for(expected, Duration::from_secs(120)).await;
    assert_eq!(total, expected, "every delivery made");
    assert_eq!(sinks.log.count(), expected, "none twice");
    assert_complete(&sinks, HOSTS, POSTS * 2);
    assert_eq!(sinks.log.duplicates(), 0);
    // Each process logs its deliveries; the last lines may still be in the pipe.
    let logged = || one.log_count("delivered") + two.log_count("delivered");
    let end = std::time::Instant::now() + Duration::from_secs(10);
    while (logged() as u64) < expected && std::time::Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (by1, by2) = (one.log_count("delivered"), two.log_count("delivered"));
    eprintln!("process one delivered {by1}, process two {by2}");
    assert_eq!((by1 + by2) as u64, expected);
    assert!(by1 > 0 && by2 > 0, "both processes did some of the work");
    one.stop().await;
    two.stop().await;
}

#[tokio::test]
async fn concurrent_claims_of_a_scheduled_job_let_one_run_each_period() {
    use cohort::{config::DatabaseConfig, domain::now, storage};
    let db = TestDatabase::new().await;
    let mut conns = Vec::new();
    for _ in 0..6 {
        let c = storage::connect(&DatabaseConfig {
            url: db.url.clone(),
            max_connections: 1,
        })
        .await
        .unwrap();
        conns.push(c);
    }
    storage::migrate(&conns[0]).await.unwrap();
    let t = now();
    let hour = chrono::Duration::hours(1);
    let claims = futures::future::join_all(conns.iter().enumerate().map(|(i, c)| {
        let who = format!("p{i}");
        async move { storage::jobs::claim(c, "job", &who, t, t + hour).await }
    }))
    .await;
    let won: Vec<bool> = claims.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    // Not again within the period; due again after it.
    let c = &conns[0];
    let soon = t + chrono::Duration::minutes(59);
    assert!(
        !storage::jobs::claim(c, "job", "p0", soon, soon + hour)
            .await
            .unwrap()
    );
    let later = t + hour;
    assert!(
        storage::jobs::claim(c, "job", "p0", later, later + hour)
            .await
            .unwrap()
    );
    storage::jobs::finish(c, "job", later, "ok").await.unwrap();
    let jobs = storage::jobs::list(c).await.unwrap();
    assert_eq!(jobs[0].last_outcome.as_deref(), Some("ok"));
    assert_eq!(jobs[0].next_run_at, later + hour);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_started_together_run_the_clean_up_once() {
    use cohort::storage;
    cohort::install_crypto_provider();
    let db = TestDatabase::new().await;
    let conn = storage::connect(&cohort::config::DatabaseConfig {
        url: db.url.clone(),
        max_connections: 1,
    })
    .await
    .unwrap();
    storage::migrate(&conn).await.unwrap();
    let (p1, p2) = (free_port().unwrap(), free_port().unwrap());
    let domain = format!("localhost:{p1}");
    let settings = [("COHORT_LOG_FILTER", "warn,cohort::maintenance=info")];
    let (one, two) = tokio::join!(
        Server::start(BIN.as_ref(), p1, &domain, &db.url, &settings),
        Server::start(BIN.as_ref(), p2, &domain, &db.url, &settings),
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let finished = loop {
        let jobs = storage::jobs::list(&conn).await.unwrap();
        if let Some(j) = jobs.into_iter().find(|j| j.last_finished_at.is_some()) {
            break j;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the clean-up never ran"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Give the other process time to (wrongly) run it too.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let runs = (
        one.log_count("scheduled job ran"),
        two.log_count("scheduled job ran"),
    );
    assert_eq!(runs.0 + runs.1, 1, "one run between them: {runs:?}");
    let by = finished.last_run_by.unwrap_or_default();
    let expected = if runs.0 == 1 { p1 } else { p2 };
    assert!(by.contains(&format!(":{expected}/")), "{by} ran it");
    one.stop().await;
    two.stop().await;
}

/// Posts and replies stream into a group followed by a second instance while the origin is
/// killed (SIGKILL) at a random moment and restarted. Whatever the origin holds afterwards
/// reaches the follower, once: a write is stored only with its activity queued, so nothing
/// stored can be left unsent, and nothing acknowledged is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_while_writing_delivers_everything_it_stored_once() {
    use std::sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize},
    };

    use cohort::testing::{TestApp, eventually};
    use rand::Rng;
    use serde_json::{Value, json};

    cohort::install_crypto_provider();
    const OPS: usize = 200;
    const WRITERS: usize = 4;
    let db = TestDatabase::new().await;
    let port = free_port().unwrap();
    let domain = format!("localhost:{port}");
    let settings = [
        ("COHORT_DELIVERY_LEASE_SECONDS", "3"),
        ("COHORT_DELIVERY_TIMEOUT_SECONDS", "1"),
    ];
    let origin = Server::start(BIN.as_ref(), port, &domain, &db.url, &settings)
        .await
        .unwrap();
    let api = Api::new(&origin.base);
    let ann = api.user("ann").await.unwrap();
    api.group(&ann, "stream").await.unwrap();
    let handle = format!("stream@{domain}");

    // The follower: a second instance, one of whose members joins the group.
    let follower = TestApp::spawn().await;
    let bea = follower.user("bea").await;
    let r = follower
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(&bea),
            json!({}),
        )
        .await;
    assert!(r.status == 200 || r.status == 202, "join: {}", r.text);
    eventually("the follow accepted", Duration::from_secs(30), || async {
        let r = follower.get("/api/v1/me/groups", Some(&bea)).await;
        (r.json[0]["state"] == "joined").then_some(())
    })
    .await;

    // Writers share the operations: every fourth a post, the others replies to a post the
    // origin acknowledged. Each stops at its first failure (the origin is gone).
    let kill_at = rand::rng().random_range(20..OPS - 20);
    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicUsize::new(0));
    let posts: Arc<Mutex<Vec<i64>>> = Arc::default();
    let dead = Arc::new(AtomicBool::new(false));
    let base = origin.base.clone();
    let write = {
        let (next, acked, posts, ann) = (next.clone(), acked.clone(), posts.clone(), ann.clone());
        move |base: String, stop_on_error: bool| {
            let (next, acked, posts, ann) =
                (next.clone(), acked.clone(), posts.clone(), ann.clone());
            async move {
                let client = reqwest::Client::new();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= OPS {
                        return;
                    }
                    let target = {
                        let p = posts.lock().unwrap();
                        (i % 4 != 0 && !p.is_empty())
                            .then(|| p[rand::rng().random_range(0..p.len())])
                    };
                    let req = match target {
                        None => client
                            .post(format!("{base}/api/v1/groups/stream/posts"))
                            .json(&json!({"title": format!("post p{i:03}"), "body": "x"})),
                        Some(post) => client
                            .post(format!("{base}/api/v1/posts/{post}/replies"))
                            .json(&json!({"body": format!("reply r{i:03}")})),
                    };
                    let ok = match req.bearer_auth(&ann).send().await {
                        Ok(r) if r.status().as_u16() == 201 => {
                            let v: Value = r.json().await.unwrap_or_default();
                            if target.is_none()
                                && let Some(id) = v["id"].as_i64()
                            {
                                posts.lock().unwrap().push(id);
                            }
                            acked.fetch_add(1, Ordering::SeqCst);
                            true
                        }
                        _ => false,
                    };
                    if !ok && stop_on_error {
                        return;
                    }
                }
            }
        }
    };
    let killer = {
        let (acked, dead) = (acked.clone(), dead.clone());
        async move {
            while acked.load(Ordering::SeqCst) < kill_at {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            // Somewhere inside the next writes.
            let extra = rand::rng().random_range(0..3000);
            tokio::time::sleep(Duration::from_micros(extra)).await;
            origin.kill9().await;
            dead.store(true, Ordering::SeqCst);
        }
    };
    let writers = futures::future::join_all((0..WRITERS).map(|_| write(base.clone(), true)));
    futures::future::join(writers, killer).await;
    assert!(dead.load(Ordering::SeqCst));
    let acked_before = acked.load(Ordering::SeqCst);
    eprintln!("killed after {kill_at} acknowledged writes; {acked_before} in all before the kill");

    // Restarted, the origin takes the rest of the stream.
    let origin = Server::start(BIN.as_ref(), port, &domain, &db.url, &settings)
        .await
        .unwrap();
    write(origin.base.clone(), false).await;
    let acked_total = acked.load(Ordering::SeqCst);

    let origin_view = TextsOf {
        client: reqwest::Client::new(),
        base: origin.base.clone(),
    };
    let held = origin_view.texts("stream").await;
    assert!(
        held.values().sum::<usize>() >= acked_total,
        "everything acknowledged is stored: {} of {acked_total}",
        held.values().sum::<usize>()
    );
    assert!(held.values().all(|&n| n == 1), "stored once each");
    let follower_view = TextsOf {
        client: reqwest::Client::new(),
        base: follower.address.clone(),
    };
    let got = eventually(
        "the follower has it all",
        Duration::from_secs(90),
        || async {
            let got = follower_view.texts(&handle).await;
            (got.len() >= held.len()).then_some(got)
        },
    )
    .await;
    let missing: Vec<&String> = held.keys().filter(|k| !got.contains_key(*k)).collect();
    assert!(
        missing.is_empty(),
        "stored at the origin, never delivered: {missing:?}"
    );
    assert_eq!(got.len(), held.len(), "nothing the origin does not hold");
    assert!(
        got.values().all(|&n| n == 1),
        "delivered once each: {got:?}"
    );
    origin.stop().await;
}

/// Every post title and reply text in a group, as one API sees it, with how often each shows.
struct TextsOf {
    client: reqwest::Client,
    base: String,
}

impl TextsOf {
    async fn get(&self, path: &str) -> serde_json::Value {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn texts(&self, handle: &str) -> std::collections::BTreeMap<String, usize> {
        let mut out = std::collections::BTreeMap::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/groups/{handle}/posts?sort=new&limit=50");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = self.get(&path).await;
            for post in page["items"].as_array().into_iter().flatten() {
                *out.entry(post["title"].as_str().unwrap_or("?").to_string())
                    .or_default() += 1;
                let thread = self.get(&format!("/api/v1/posts/{}", post["id"])).await;
                let mut stack: Vec<&serde_json::Value> =
                    thread["replies"].as_array().into_iter().flatten().collect();
                while let Some(r) = stack.pop() {
                    let text = r["body"].as_str().unwrap_or("?").trim().to_string();
                    *out.entry(text).or_default() += 1;
                    stack.extend(r["children"].as_array().into_iter().flatten());
                }
            }
            cursor = page["next_cursor"].as_str().map(str::to_string);
            if cursor.is_none() {
                return out;
            }
        }
    }
}
