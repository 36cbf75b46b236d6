//! `cohort bench federation` (and `cohort bench thread`, in `bench/thread.rs`), built with the
//! `bench` feature: measured figures for the federation hot paths, printed, never
//! asserted (README "Performance" records them).
//!
//! 1. Signing backends: RSA-2048 sign and verify with `ring` (what Cohort uses) and the `rsa`
//!    crate (what activitypub_federation uses), one core; then `ring` signing on every core —
//!    the machine's signing limit, which bounds deliveries per second.
//! 2. Fan-out: one post in a group followed from N distinct instances (loopback sinks that
//!    check every signature): time to the first delivery, to the last, deliveries per second
//!    against the signing limit. Then the idle wake-up: a post in a quiet group, time to its
//!    delivery.
//! 3. Inbound: M signed replies from A remote actors (served by the bench) posted to the
//!    shared inbox at concurrency C: accepted per second, latency p50/p99.
//!
//! The server is a real `cohort serve` child process (the same binary), so its peak resident
//! memory is its own; the bench's load generator and sinks run in this process.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use futures::StreamExt;
use url::Url;

pub mod health;
pub mod media;
pub mod search;
pub mod server;
pub mod thread;

use crate::{
    error::{Error, Result},
    federation::signing::{PrivateKey, PublicKey},
    harness::{self, Api, Server, Sinks},
    testing::actors::{serve_actors, signed_reply},
};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Run on SQLite.
    pub sqlite: bool,
    /// Run on PostgreSQL at this server URL (`postgres://user@host:port`, no database).
    pub postgres: Option<String>,
    /// Instances following the group in the fan-out.
    pub destinations: usize,
    /// Signed activities in the inbound run.
    pub activities: usize,
    /// Remote actors sending them.
    pub actors: usize,
    /// Requests in flight in the inbound run.
    pub concurrency: usize,
    /// The server's `delivery.concurrency` (its default when `None`).
    pub delivery_concurrency: Option<usize>,
    /// The server's `inbound.workers` (its default when `None`).
    pub inbound_workers: Option<usize>,
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Runs `f` repeatedly for about `budget`; operations per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        f();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// Signing and verification rates; returns ring signatures per second on all cores.
fn crypto(private_pem: &str, public_pem: &str) -> Result<f64> {
    use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey, pkcs8::DecodePrivateKey};
    use sha2::{Digest, Sha256};
    let msg = b"(request-target): post /inbox\nhost: peer.example\ndate: Mon, 23 Nov 2026 12:00:00 GMT\ndigest: SHA-256=abc";
    let key = Arc::new(PrivateKey::from_pem(private_pem)?);
    let public = PublicKey::from_pem(public_pem)?;
    let sig = key.sign(msg)?;
    let rsa_key =
        RsaPrivateKey::from_pkcs8_pem(private_pem).map_err(|e| Error::Internal(e.to_string()))?;
    let rsa_pub = RsaPublicKey::from(&rsa_key);
    let budget = Duration::from_millis(700);
    let ring_sign = rate(budget, || {
        let _ = key.sign(msg);
    });
    let ring_verify = rate(budget, || {
        let _ = public.verify(msg, &sig);
    });
    let rsa_sign = rate(budget, || {
        let _ = rsa_key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg));
    });
    let rsa_verify = rate(budget, || {
        let _ = rsa_pub.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), &sig);
    });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let all = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores)
            .map(|_| {
                let key = key.clone();
                s.spawn(move || {
                    rate(Duration::from_secs(1), || {
                        let _ = key.sign(msg);
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(0.0))
            .sum::<f64>()
    });
    println!("signing backends (RSA-2048, PKCS#1 v1.5 SHA-256), one core:");
    println!(
        "  ring      sign {:>8.0}/s ({})   verify {:>8.0}/s ({})",
        ring_sign,
        ms(Duration::from_secs_f64(1.0 / ring_sign)),
        ring_verify,
        ms(Duration::from_secs_f64(1.0 / ring_verify)),
    );
    println!(
        "  rsa crate sign {:>8.0}/s ({})   verify {:>8.0}/s ({})",
        rsa_sign,
        ms(Duration::from_secs_f64(1.0 / rsa_sign)),
        rsa_verify,
        ms(Duration::from_secs_f64(1.0 / rsa_verify)),
    );
    println!("  signing limit, ring on {cores} cores: {all:.0} signatures/s");
    Ok(all)
}

/// Runs the federation benchmark and prints its figures.
pub async fn federation(opts: Options) -> Result<()> {
    let keys = tokio::task::spawn_blocking(|| {
        (0..4)
            .map(|_| activitypub_federation::http_signatures::generate_actor_keypair())
            .collect::<std::result::Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
    .map_err(|e| Error::Internal(format!("key generation: {e}")))?;
    let limit = {
        let (private, public) = (keys[0].private_key.clone(), keys[0].public_key.clone());
        tokio::task::spawn_blocking(move || crypto(&private, &public))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??
    };
    let mut backends: Vec<Option<String>> = Vec::new();
    if opts.sqlite {
        backends.push(None);
    }
    if let Some(pg) = &opts.postgres {
        backends.push(Some(pg.clone()));
    }
    for pg in backends {
        let name = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
        println!();
        println!("== {name} ==");
        let dir = tempfile::tempdir()?;
        let url = harness::create_database(pg.as_deref(), dir.path()).await?;
        let outcome = run_backend(&opts, &url, limit, &keys).await;
        harness::drop_database(&url).await?;
        outcome?;
    }
    Ok(())
}

async fn run_backend(
    opts: &Options,
    url: &str,
    limit: f64,
    keys: &[activitypub_federation::http_signatures::Keypair],
) -> Result<()> {
    let port = harness::free_port()?;
    let domain = format!("localhost:{port}");
    let delivery = opts.delivery_concurrency.map(|n| n.to_string());
    let mut settings = vec![("COHORT_LOG_FILTER", "error")];
    if let Some(n) = &delivery {
        settings.push(("COHORT_DELIVERY_CONCURRENCY", n));
    }
    let workers = opts.inbound_workers.map(|n| n.to_string());
    if let Some(n) = &workers {
        settings.push(("COHORT_INBOUND_WORKERS", n));
    }
    let server = Server::start(&harness::cohort_exe(), port, &domain, url, &settings).await?;
    let result = async {
        fan_out(opts, url, &server, limit).await?;
        inbound(opts, &server, keys).await
    }
    .await;
    if let Some(kib) = server.peak_rss_kib() {
        println!(
            "server peak RSS over the whole run: {:.1} MB",
            kib as f64 / 1024.0
        );
    }
    server.stop().await;
    result
}

async fn fan_out(opts: &Options, url: &str, server: &Server, limit: f64) -> Result<()> {
    let api = Api::new(&server.base);
    let token = api.user("bencher").await?;
    api.group(&token, "fanout").await?;
    api.group(&token, "quiet").await?;
    let n = opts.destinations;
    let sinks = Sinks::start(Duration::ZERO).await?;
    harness::seed_followers(url, "fanout", &server.domain, &sinks, n).await?;

    let cpu_before = (server.cpu_time(), harness::cpu_time_of("/proc/self/stat"));
    let start = Instant::now();
    api.post_in(&token, "fanout", "One post, many servers")
        .await?;
    let stored = start.elapsed();
    let expected = 2 * n as u64;
    let got = sinks.log.wait_for(expected, Duration::from_secs(300)).await;
    let wall = start.elapsed();
    let first = sinks
        .log
        .first_last
        .lock()
        .ok()
        .and_then(|f| *f)
        .map(|(f, _)| f.duration_since(start));
    let mut per_activity: Vec<(u64, Duration)> = sinks
        .log
        .per_activity
        .lock()
        .map(|m| {
            m.values()
                .map(|(c, t)| (*c, t.duration_since(start)))
                .collect()
        })
        .unwrap_or_default();
    per_activity.sort_by_key(|(_, t)| *t);
    let rate = got as f64 / wall.as_secs_f64();
    println!(
        "fan-out: one post in a group followed from {n} instances ({expected} deliveries: the Announce of the Create and of the Page)"
    );
    println!("  stored and answered (API)          {}", ms(stored));
    if let Some(f) = first {
        println!("  first delivery                     {}", ms(f));
    }
    for (i, (count, t)) in per_activity.iter().enumerate() {
        println!("  activity {} at all {count} instances   {}", i + 1, ms(*t));
    }
    println!("  all {got} deliveries                 {}", ms(wall));
    println!(
        "  deliveries/s                       {rate:.0} ({:.0}% of the signing limit {limit:.0}/s)",
        100.0 * rate / limit
    );
    if let ((Some(s0), Some(b0)), Some(s1), Some(b1)) = (
        cpu_before,
        server.cpu_time(),
        harness::cpu_time_of("/proc/self/stat"),
    ) {
        let (server_cpu, sinks_cpu) = (s1 - s0, b1 - b0);
        println!(
            "  CPU: server {} ({:.0} µs per delivery; signing alone {:.0} µs), sinks {}",
            ms(server_cpu),
            server_cpu.as_secs_f64() * 1e6 / got.max(1) as f64,
            1e6 * std::thread::available_parallelism().map_or(1, |n| n.get()) as f64 / limit,
            ms(sinks_cpu)
        );
    }
    println!(
        "  bad signatures {}, duplicates {}",
        sinks.log.bad.load(std::sync::atomic::Ordering::SeqCst),
        sinks.log.duplicates()
    );
    if got < expected {
        println!("  INCOMPLETE: {got} of {expected}");
    }
    if let Some(kib) = server.peak_rss_kib() {
        println!(
            "  server peak RSS so far             {:.1} MB",
            kib as f64 / 1024.0
        );
    }

    // Idle wake-up: a quiet group with one follower; time from the post to its delivery.
    let quiet = Sinks::start(Duration::ZERO).await?;
    harness::seed_followers(url, "quiet", &server.domain, &quiet, 1).await?;
    let mut waits = Vec::new();
    for i in 0..10u64 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = quiet.log.distinct();
        let t = Instant::now();
        api.post_in(&token, "quiet", &format!("Quiet {i}")).await?;
        quiet
            .log
            .wait_for(before + 1, Duration::from_secs(10))
            .await;
        waits.push(t.elapsed());
    }
    waits.sort();
    println!(
        "idle server, post to first delivery (10 posts): p50 {}, max {}",
        ms(percentile(&waits, 0.5)),
        ms(percentile(&waits, 1.0))
    );
    Ok(())
}

async fn inbound(
    opts: &Options,
    server: &Server,
    keys: &[activitypub_federation::http_signatures::Keypair],
) -> Result<()> {
    let api = Api::new(&server.base);
    let token = api.user("host").await?;
    let group = api.group(&token, "inbound").await?;
    let group_id = group["ap_id"].as_str().unwrap_or_default().to_string();
    let mut posts = Vec::new();
    for i in 0..20 {
        let p = api
            .post_in(&token, "inbound", &format!("Thread {i}"))
            .await?;
        posts.push(p["ap_id"].as_str().unwrap_or_default().to_string());
    }

    let (base, actors_task) = serve_actors(keys).await?;

    // Sign everything first, on every core, so the timed run measures the server only.
    let inbox = Url::parse(&format!("{}/inbox", server.base))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let parsed: Vec<Arc<PrivateKey>> = keys
        .iter()
        .map(|k| PrivateKey::from_pem(&k.private_key).map(Arc::new))
        .collect::<Result<_>>()?;
    let (m, actors) = (opts.activities, opts.actors.max(1));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let signing = Instant::now();
    let requests: Vec<(String, [(&'static str, String); 4])> = {
        let (base, posts, group_id, inbox, parsed) = (
            Arc::new(base.clone()),
            Arc::new(posts),
            Arc::new(group_id),
            Arc::new(inbox.clone()),
            Arc::new(parsed),
        );
        let handles: Vec<_> = (0..cores)
            .map(|c| {
                let (base, posts, group_id, inbox, parsed) = (
                    base.clone(),
                    posts.clone(),
                    group_id.clone(),
                    inbox.clone(),
                    parsed.clone(),
                );
                std::thread::spawn(move || {
                    (c..m)
                        .step_by(cores)
                        .map(|i| {
                            let a = i % actors;
                            signed_reply(
                                &parsed[a % parsed.len()],
                                &format!("{base}/actors/{a}"),
                                i,
                                &posts[i % posts.len()],
                                &group_id,
                                &inbox,
                            )
                        })
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(m);
        for h in handles {
            all.extend(
                h.join()
                    .map_err(|_| Error::Internal("signing thread".into()))??,
            );
        }
        all
    };
    println!(
        "inbound: {m} signed replies from {actors} remote actors, concurrency {} (signed in {})",
        opts.concurrency,
        ms(signing.elapsed())
    );

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.concurrency)
        .build()
        .map_err(|e| Error::Internal(e.to_string()))?;
    let target = inbox.to_string();
    let start = Instant::now();
    let results: Vec<(u16, Duration, String)> = futures::stream::iter(requests)
        .map(|(body, headers)| {
            let (client, target) = (client.clone(), target.clone());
            async move {
                let t = Instant::now();
                let mut r = client
                    .post(&target)
                    .header("content-type", crate::federation::ACTIVITY_JSON)
                    .body(body);
                for (k, v) in headers {
                    r = r.header(k, v);
                }
                match r.send().await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        let text = if status == 202 {
                            String::new()
                        } else {
                            resp.text().await.unwrap_or_default()
                        };
                        (status, t.elapsed(), text)
                    }
                    Err(e) => (0, t.elapsed(), e.to_string()),
                }
            }
        })
        .buffer_unordered(opts.concurrency)
        .collect()
        .await;
    let wall = start.elapsed();
    actors_task.abort();
    let accepted = results.iter().filter(|(s, ..)| *s == 202).count();
    let mut latencies: Vec<Duration> = results.iter().map(|(_, d, _)| *d).collect();
    latencies.sort();
    println!(
        "  accepted {accepted} of {m} in {}: {:.0} activities/s",
        ms(wall),
        accepted as f64 / wall.as_secs_f64()
    );
    println!(
        "  latency p50 {}, p99 {}, max {}",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(percentile(&latencies, 1.0))
    );
    // The queue's workers: until every accepted activity has been acted on (is in its thread).
    let metrics_url = format!("{}/metrics", server.base);
    let deadline = Instant::now() + Duration::from_secs(900);
    let metrics = loop {
        let text = client
            .get(&metrics_url)
            .send()
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
            .text()
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let depth = series(&text, "cohort_inbound_queue_depth").unwrap_or(f64::MAX);
        if depth == 0.0 || Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let drained = start.elapsed();
    println!(
        "  acted on all in {} from the first request: {:.0} activities/s; from 202 to in the thread: p50 ≤ {}, p99 ≤ {}",
        ms(drained),
        accepted as f64 / drained.as_secs_f64(),
        lag_quantile(&metrics, 0.5),
        lag_quantile(&metrics, 0.99)
    );
    if let Some((status, _, text)) = results.iter().find(|(s, ..)| *s != 202) {
        println!(
            "  refused: {} (first: {status} {})",
            m - accepted,
            text.chars().take(200).collect::<String>()
        );
    }
    if let Some(kib) = server.peak_rss_kib() {
        println!(
            "  server peak RSS so far             {:.1} MB",
            kib as f64 / 1024.0
        );
    }
    Ok(())
}

/// The value of the unlabelled series `name` in a metrics text.
fn series(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// The upper bound of the lag histogram's bucket holding quantile `q` (the histogram's
/// resolution: its buckets).
fn lag_quantile(text: &str, q: f64) -> String {
    let buckets: Vec<(String, f64)> = text
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("cohort_inbound_lag_seconds_bucket{le=\"")?;
            let (le, count) = rest.split_once("\"} ")?;
            Some((le.to_string(), count.trim().parse().ok()?))
        })
        .collect();
    let total = buckets.last().map_or(0.0, |(_, n)| *n);
    buckets
        .iter()
        .find(|(_, n)| *n >= q * total && total > 0.0)
        .map_or_else(|| "?".into(), |(le, _)| format!("{le} s"))
}
