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
