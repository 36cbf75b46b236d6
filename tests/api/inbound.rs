//! The durable inbound queue across real `cohort serve` processes: everything answered 202
//! survives `kill -9`, and a process killed while acting on the queue leaves nothing done
//! twice and nothing undone after a restart.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use cohort::{
    federation::signing::PrivateKey,
    harness::{Api, Server, free_port},
    storage,
    testing::{
        TestDatabase,
        actors::{serve_actors, signed_reply},
    },
};
use futures::StreamExt;
use sea_orm::{FromQueryResult, Statement};

const BIN: &str = env!("CARGO_BIN_EXE_cohort");

/// One number a query selects as `n`.
async fn number(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    N::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .one(db)
        .await
        .unwrap()
        .map_or(0, |r| r.n)
}

/// Waits until `depth` (queued activities) is at most `target`; returns it.
async fn wait_depth(db: &sea_orm::DatabaseConnection, target: u64, deadline: Duration) -> u64 {
    let start = Instant::now();
    loop {
        let depth = storage::inbound::depth(db).await.unwrap();
        if depth <= target {
            return depth;
        }
        assert!(
            start.elapsed() < deadline,
            "{depth} still queued after {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_queued_activities_survive_kill_9_and_are_acted_on_once() {
    cohort::install_crypto_provider();
    const M: usize = 10_000;
    const POSTS: usize = 20;
    let db = TestDatabase::new().await;
    let port = free_port().unwrap();
    let domain = format!("localhost:{port}");
    let lease = ("COHORT_INBOUND_LEASE_SECONDS", "2");

    // A server that only stores what arrives: every activity is answered 202 and queued.
    let accepting = [lease, ("COHORT_INBOUND_WORKERS", "0")];
    let server = Server::start(BIN.as_ref(), port, &domain, &db.url, &accepting)
        .await
        .unwrap();
    let api = Api::new(&server.base);
    let token = api.user("host").await.unwrap();
    let group = api.group(&token, "crash").await.unwrap();
    let group_id = group["ap_id"].as_str().unwrap().to_string();
    let mut posts = Vec::new();
    for i in 0..POSTS {
        let p = api.post_in(&token, "crash", &format!("Thread {i}")).await;
        posts.push(p.unwrap()["ap_id"].as_str().unwrap().to_string());
    }
    let keys: Vec<_> = tokio::task::spawn_blocking(|| {
        (0..2)
            .map(|_| activitypub_federation::http_signatures::generate_actor_keypair().unwrap())
            .collect()
    })
    .await
    .unwrap();
    let (base, actors) = serve_actors(&keys).await.unwrap();
    let inbox = url::Url::parse(&format!("{}/inbox", server.base)).unwrap();
    let parsed: Arc<Vec<PrivateKey>> = Arc::new(
        keys.iter()
            .map(|k| PrivateKey::from_pem(&k.private_key).unwrap())
            .collect(),
    );
    let signing = Instant::now();
    let requests: Vec<_> = {
        let handles: Vec<_> = (0..2)
            .map(|t| {
                let (parsed, posts, group_id, inbox, base) = (
                    Arc::clone(&parsed),
                    posts.clone(),
                    group_id.clone(),
                    inbox.clone(),
                    base.clone(),
                );
                std::thread::spawn(move || {
                    (t..M)
                        .step_by(2)
                        .map(|i| {
                            let a = i % 4;
                            signed_reply(
                                &parsed[a % parsed.len()],
                                &format!("{base}/actors/{a}"),
                                i,
                                &posts[i % POSTS],
                                &group_id,
                                &inbox,
                            )
                            .unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    };
    let signed = signing.elapsed();
    let client = reqwest::Client::new();
    let sending = Instant::now();
    let statuses: Vec<u16> = futures::stream::iter(requests)
        .map(|(body, headers)| {
            let (client, target) = (client.clone(), inbox.to_string());
            async move {
                let mut r = client
                    .post(target)
                    .header("content-type", "application/activity+json")
                    .body(body);
                for (k, v) in headers {
                    r = r.header(k, v);
                }
                r.send().await.map_or(0, |r| r.status().as_u16())
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let sent = sending.elapsed();
    assert!(statuses.iter().all(|s| *s == 202), "every one answered 202");
    // Killed with all of them queued: nothing answered 202 is lost.
    server.kill9().await;
    let conn = sea_orm::Database::connect(&db.url).await.unwrap();
    assert_eq!(storage::inbound::depth(&conn).await.unwrap(), M as u64);

    // A server that acts on them, killed part-way.
    let server = Server::start(BIN.as_ref(), port, &domain, &db.url, &[lease])
        .await
        .unwrap();
    let start = Instant::now();
    wait_depth(&conn, (M * 3 / 4) as u64, Duration::from_secs(300)).await;
    server.kill9().await;
    let at_kill = storage::inbound::depth(&conn).await.unwrap();
    assert!(at_kill > 0, "killed before the queue was drained");

    // Restarted: the rest is acted on (what the dead process held, once its lease ran out).
    let server = Server::start(BIN.as_ref(), port, &domain, &db.url, &[lease])
        .await
        .unwrap();
    wait_depth(&conn, 0, Duration::from_secs(600)).await;
    let drained = start.elapsed();
    server.stop().await;
    actors.abort();
    eprintln!(
        "signed {M} in {signed:?}, all 202 in {sent:?}; killed with {at_kill} still queued; \
         drained in {drained:?}"
    );

    let replies = number(&conn, "SELECT COUNT(*) AS n FROM replies").await;
    let counted = number(
        &conn,
        "SELECT CAST(SUM(reply_count) AS BIGINT) AS n FROM posts",
    )
    .await;
    let stuck = storage::inbound::stuck(&conn, 5).await.unwrap();
    assert!(stuck.is_empty(), "nothing refused or parked: {stuck:?}");
    assert_eq!(replies, M as i64, "every activity acted on");
    assert_eq!(
        counted, M as i64,
        "none acted on twice (each reply counted once)"
    );
    conn.close().await.unwrap();
}
