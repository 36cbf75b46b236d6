//! `cohort bench health`: the community health views on a big group, and what keeping the
//! weekly rollups costs a write.
//!
//! 1. Loads one group hosted here with P posts and R replies spread over the last 12 weeks,
//!    written by people of I instances (the home one and I − 1 others; a quarter of the posts
//!    are questions, three in five of them with an accepted answer), in multi-row INSERTs
//!    inside transactions with the rollups' triggers off, then fills the rollups with the
//!    upgrade's backfill.
//! 2. Measures the group's and the instance's report in process, and the pages
//!    (`/g/bench/health`, `/admin/health`) over loopback: p50/p95/max.
//! 3. Writes replies in blocks with the rollups' triggers on and off in turn, three ways: the
//!    whole local path (`usecases::content::reply`: rule, write, outbox, commit), the whole
//!    inbound path of a remote reply (a signed `Create{Note}` posted to `/inbox`, answered
//!    202), and the storage write of a remote reply alone (`replies::insert_remote` and its
//!    commit): mean and p50 each way, and the difference.
//!
//! Figures are printed, never asserted (README "Performance" records them).

use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{ConnectionTrait, TransactionTrait};

use url::Url;

use super::{
    ms, percentile,
    server::{Lcg, analyze, bulk, err, seed_people, ts, write_cost},
};
use crate::{
    domain::{groups, health, replies::NewReply},
    error::{Error, Result},
    federation::signing::PrivateKey,
    services::{Services, Unit},
    storage::{self, health::WEEK_SECONDS},
    usecases,
};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Run on SQLite.
    pub sqlite: bool,
    /// Run on PostgreSQL at this server URL (no database part).
    pub postgres: Option<String>,
    /// Posts in the group.
    pub posts: usize,
    /// Replies in the group.
    pub replies: usize,
    /// Instances whose people write (the home one included).
    pub instances: usize,
    /// Measured views of each kind.
    pub runs: usize,
    /// Measured reply writes (half with the rollups on, half off).
    pub writes: usize,
}

/// Runs the benchmark on each backend asked for and prints its figures.
pub async fn run(opts: Options) -> Result<()> {
    println!(
        "health: one group, {} posts, {} replies from {} instances over 12 weeks; {} views, {} writes (release build: cargo build --release --features bench)",
        opts.posts, opts.replies, opts.instances, opts.runs, opts.writes
    );
    if opts.sqlite {
        one("SQLite", None, &opts).await?;
    }
    if let Some(pg) = &opts.postgres {
        one("PostgreSQL", Some(pg.trim_end_matches('/')), &opts).await?;
    }
    Ok(())
}

/// Timed writes in a block of one setting of the rollups.
const BLOCK: usize = 50;
/// Untimed writes after each switch: enough for every pooled connection to prepare its
/// statements again (SQLite re-prepares after any schema change).
const WARM: usize = 10;

/// Turns the triggers that keep the post and reply rollups on or off, in one unit. On
/// PostgreSQL they are disabled and enabled (their functions, and the plans each session has
/// cached for them, stay); SQLite has no such switch, so they are dropped and made again.
async fn rollups(ctx: &Services, on: bool) -> Result<()> {
    let unit = Unit::begin(ctx).await?;
    let db = &unit.ctx().db;
    let b = db.get_database_backend();
    if b == sea_orm::DatabaseBackend::Postgres {
        let switch = if on { "ENABLE" } else { "DISABLE" };
        for (table, trigger) in [
            ("posts", "health_post_written"),
            ("replies", "health_reply_written"),
        ] {
            db.execute_unprepared(&format!("ALTER TABLE {table} {switch} TRIGGER {trigger}"))
                .await?;
        }
        return unit.commit().await;
    }
    // A read of a table first: on SQLite, a `DROP … IF EXISTS` that finds nothing in a
    // connection's cached schema never checks whether the schema changed (another connection
    // may have made the trigger since), and silently does nothing.
    db.execute_unprepared("SELECT COUNT(*) FROM health_weekly WHERE 1 = 0")
        .await?;
    for sql in migration::drop_health_triggers(b) {
        db.execute_unprepared(&sql).await?;
    }
    if on {
        for sql in migration::health_triggers(b) {
            db.execute_unprepared(&sql).await?;
        }
    }
    unit.commit().await
}

/// Replies from people on another server through the whole inbound path (signature check,
/// lookups, rules, write, commit: a signed `POST /inbox` to the server on `port`, answered
/// 202), one at a time, in `blocks` blocks with the rollups on and off in turn; `post(i)` is
/// the id of the post the `i`th reply answers. Each remote actor's first activity (which
/// fetches the actor) is sent before timing, and everything is signed before it.
async fn inbound_replies(
    ctx: &Services,
    port: u16,
    group: &str,
    blocks: usize,
    post: impl Fn(usize) -> String,
) -> Result<[Vec<Duration>; 2]> {
    const ACTORS: usize = 8;
    let keys = tokio::task::spawn_blocking(|| {
        (0..2)
            .map(|_| activitypub_federation::http_signatures::generate_actor_keypair())
            .collect::<std::result::Result<Vec<_>, _>>()
    })
    .await
    .map_err(err)?
    .map_err(err)?;
    let (base, actors_task) = crate::testing::actors::serve_actors(&keys).await?;
    let parsed = keys
        .iter()
        .map(|k| PrivateKey::from_pem(&k.private_key))
        .collect::<Result<Vec<_>>>()?;
    let inbox = Url::parse(&format!("http://localhost:{port}/inbox")).map_err(err)?;
    let total = ACTORS + blocks * (WARM + BLOCK);
    let signed = (0..total)
        .map(|i| {
            let a = i % ACTORS;
            crate::testing::actors::signed_reply(
                &parsed[a % parsed.len()],
                &format!("{base}/actors/{a}"),
                i,
                &post(i),
                group,
                &inbox,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let client = reqwest::Client::new();
    let mut times = [Vec::new(), Vec::new()];
    let mut signed = signed.into_iter();
    let outcome = async {
        for (body, headers) in signed.by_ref().take(ACTORS) {
            post_signed(&client, &inbox, body, headers).await?;
        }
        for b in 0..blocks {
            let on = b % 2 == 0;
            rollups(ctx, on).await?;
            for (k, (body, headers)) in signed.by_ref().take(WARM + BLOCK).enumerate() {
                let t = Instant::now();
                post_signed(&client, &inbox, body, headers).await?;
                if k >= WARM {
                    times[usize::from(on)].push(t.elapsed());
                }
            }
        }
        Ok::<_, Error>(())
    }
    .await;
    actors_task.abort();
    outcome.map(|()| times)
}

/// Posts one signed activity; anything but 202 is an error.
async fn post_signed(
    client: &reqwest::Client,
    inbox: &Url,
    body: String,
    headers: [(&'static str, String); 4],
) -> Result<()> {
    let mut request = client
        .post(inbox.as_str())
        .header("content-type", crate::federation::ACTIVITY_JSON)
        .body(body);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    let response = request.send().await.map_err(err)?;
    let status = response.status();
    if status != reqwest::StatusCode::ACCEPTED {
        let text = response.text().await.unwrap_or_default();
        return Err(err(format!("the inbox answered {status}: {text}")));
    }
    Ok(())
}

async fn one(name: &str, postgres: Option<&str>, opts: &Options) -> Result<()> {
    let seeded = super::server::Seeded::start(postgres, "admin", true).await?;
    let (ctx, port, token, user) = (
        seeded.ctx.clone(),
        seeded.port,
        seeded.token.clone(),
        seeded.user.clone(),
    );
    let group = groups::find_by_handle(&ctx, "bench").await?;
    let db = &ctx.db;
    let home = ctx.instance.domain.clone();

    // 1. The data set, loaded with the rollups' triggers off (and what the seed counted
    // cleared), then counted by the upgrade's backfill.
    rollups(&ctx, false).await?;
    for table in ["health_weekly", "health_active", "health_first_replies"] {
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    let loading = Instant::now();
    let per_instance = 50usize;
    let instances = opts.instances.max(1);
    let base_person: i64 = 1_000_000;
    let now = Utc::now().timestamp();
    let start = now - 12 * WEEK_SECONDS + 3600;
    seed_people(db, &home, instances, per_instance, base_person, start).await?;
    let person_count = (instances * per_instance) as u64;
    let mut rng = Lcg(42);
    let base_post: i64 = 1_000_000;
    let mut post_times = Vec::with_capacity(opts.posts);
    let mut post_authors = Vec::with_capacity(opts.posts);
    for i in 0..opts.posts {
        // Uniform over the 12 weeks, oldest first.
        post_times.push(start + (i as i64 * (now - start - 60)) / opts.posts.max(1) as i64);
        post_authors.push(base_person + rng.below(person_count) as i64);
    }
    bulk(
        db,
        "INSERT INTO posts (id, ap_id, group_id, author_id, title, body, body_html, local, \
         upvotes, downvotes, score, hot_rank, reply_count, last_activity_at, created_at, \
         locked, pinned, removed, question)",
        (0..opts.posts).map(|i| {
            format!(
                "({id}, 'https://bench.example/p/{id}', {g}, {a}, 'Post {i}', 'Body', '<p>Body</p>', \
                 false, 0, 0, 0, 0, 0, '{t}', '{t}', false, false, false, {q})",
                id = base_post + i as i64,
                g = group.id,
                a = post_authors[i],
                t = ts(post_times[i]),
                q = i % 4 == 0,
            )
        }),
        500,
    )
    .await?;
    let mut reply_rows = Vec::with_capacity(opts.replies);
    for r in 0..opts.replies {
        // Recent posts get more replies; the wait is minutes to days.
        let p = (opts.posts as u64 - 1)
            .saturating_sub(rng.below(opts.posts as u64) / (1 + rng.below(3)));
        let wait = match rng.below(10) {
            0..=4 => 60 + rng.below(3600),
            5..=7 => 3600 + rng.below(86_400),
            _ => 86_400 + rng.below(5 * 86_400),
        } as i64;
        let t = (post_times[p as usize] + wait).min(now - 1);
        reply_rows.push((r, p, base_person + rng.below(person_count) as i64, t));
    }
    bulk(
        db,
        "INSERT INTO replies (id, ap_id, post_id, depth, author_id, body, body_html, local, \
         upvotes, downvotes, score, created_at, removed)",
        reply_rows.iter().map(|(r, p, a, t)| {
            format!(
                "({id}, 'https://bench.example/r/{id}', {p}, 0, {a}, 'Reply', '<p>Reply</p>', \
                 false, 0, 0, 0, '{t}', false)",
                id = 1_000_000 + *r as i64,
                p = base_post + *p as i64,
                t = ts(*t)
            )
        }),
        1000,
    )
    .await?;
    drop(reply_rows);
    // Three in five questions have an accepted answer: their first reply by someone else.
    db.execute_unprepared(
        "UPDATE posts SET answer_id = (SELECT MIN(r.id) FROM replies r WHERE r.post_id = posts.id \
         AND r.author_id <> posts.author_id) WHERE question AND id % 5 < 3",
    )
    .await?;
    db.execute_unprepared(
        "UPDATE posts SET answered_at = (SELECT r.created_at FROM replies r WHERE r.id = posts.answer_id), \
         answered_by = author_id WHERE answer_id IS NOT NULL",
    )
    .await?;
    let loaded = loading.elapsed();
    let t = Instant::now();
    migration::backfill_health(db).await?;
    rollups(&ctx, true).await?;
    let backfilled = t.elapsed();
    analyze(db).await?;
    println!(
        "{name}: loaded {} posts and {} replies in {}, rollups backfilled in {}",
        opts.posts,
        opts.replies,
        ms(loaded),
        ms(backfilled)
    );

    // 2. The views, and where a group report's time goes.
    {
        use storage::health::{self as h, Scope};
        let last = h::week_of(Utc::now());
        let first = last - (health::WEEKS - 1);
        let scope = Scope::Group(group.id);
        let mut parts = [Duration::ZERO; 4];
        for _ in 0..5 {
            let t = Instant::now();
            h::weekly(db, scope, first, last).await?;
            parts[0] += t.elapsed();
            let t = Instant::now();
            h::active(db, scope, first, last).await?;
            parts[1] += t.elapsed();
            let t = Instant::now();
            h::first_reply_medians(db, scope, first, last).await?;
            parts[2] += t.elapsed();
            let t = Instant::now();
            h::questions(db, scope, first, last).await?;
            h::answer_medians(db, scope, first, last).await?;
            parts[3] += t.elapsed();
        }
        println!(
            "  group report's reads (mean of 5): weekly {}, active {}, first replies {}, questions + answer medians {}",
            ms(parts[0] / 5),
            ms(parts[1] / 5),
            ms(parts[2] / 5),
            ms(parts[3] / 5)
        );
    }
    let mut group_report = Vec::with_capacity(opts.runs);
    let mut instance_report = Vec::with_capacity(opts.runs);
    let mut check = None;
    for i in 0..opts.runs + 3 {
        let t = Instant::now();
        let r = health::report(&ctx, Some(&group), Utc::now()).await?;
        let g = t.elapsed();
        let t = Instant::now();
        health::report(&ctx, None, Utc::now()).await?;
        let inst = t.elapsed();
        if i >= 3 {
            group_report.push(g);
            instance_report.push(inst);
        }
        check = Some(r);
    }
    let http = reqwest::Client::new();
    let mut pages = [
        (
            format!("http://127.0.0.1:{port}/g/bench/health"),
            Vec::new(),
        ),
        (format!("http://127.0.0.1:{port}/admin/health"), Vec::new()),
    ];
    for (address, times) in pages.iter_mut() {
        for i in 0..opts.runs + 3 {
            let t = Instant::now();
            let r = http
                .get(address.as_str())
                .header("cookie", format!("cohort_session={token}"))
                .send()
                .await
                .map_err(err)?;
            let ok = r.status().is_success();
            r.bytes().await.map_err(err)?;
            if !ok {
                return Err(err(format!("{address} did not answer 200")));
            }
            if i >= 3 {
                times.push(t.elapsed());
            }
        }
    }
    let show = |label: &str, mut v: Vec<Duration>| {
        v.sort();
        println!(
            "  {label:<40} p50 {:>9}  p95 {:>9}  max {:>9}",
            ms(percentile(&v, 0.5)),
            ms(percentile(&v, 0.95)),
            ms(v.last().copied().unwrap_or_default()),
        );
    };
    if let Some(r) = &check {
        println!(
            "  (the report: {} posts, {} replies, {:.0}% from other instances, {} questions, {:.0}% answered, {} instances)",
            r.totals.posts,
            r.totals.replies,
            r.totals.other_instance_reply_share.unwrap_or(0.0) * 100.0,
            r.totals.questions,
            r.totals.answered_share.unwrap_or(0.0) * 100.0,
            r.instances.len()
        );
    }
    show("group report (in process)", group_report);
    show("instance report (in process)", instance_report);
    let [(_, group_pages), (_, instance_pages)] = pages;
    show("GET /g/bench/health over loopback", group_pages);
    show("GET /admin/health over loopback", instance_pages);

    // 3. What the rollups cost a reply: blocks of writes with the rollups' triggers on and
    // off in turn (untimed writes after each switch, which re-prepares statements).
    let pick = |i: usize| base_post + (opts.posts - 1 - (i * 7919) % opts.posts.min(5000)) as i64;
    let blocks = (opts.writes / BLOCK).max(2);
    let mut local = [Vec::new(), Vec::new()];
    let mut n = 0;
    for b in 0..blocks {
        let on = b % 2 == 0;
        rollups(&ctx, on).await?;
        for k in 0..WARM + BLOCK {
            let t = Instant::now();
            usecases::content::reply(
                &ctx,
                &user,
                pick(n),
                NewReply {
                    body: format!("Measured reply {n}"),
                    parent_id: None,
                    language: None,
                },
            )
            .await?;
            n += 1;
            if k >= WARM {
                local[usize::from(on)].push(t.elapsed());
            }
        }
    }
    let inbound = inbound_replies(&ctx, port, &group.ap_id, blocks, |i| {
        format!("https://bench.example/p/{}", pick(i))
    })
    .await?;
    let mut remote = [Vec::new(), Vec::new()];
    for b in 0..blocks {
        let on = b % 2 == 0;
        rollups(&ctx, on).await?;
        let others = (person_count as usize).saturating_sub(per_instance).max(1);
        for k in 0..WARM + BLOCK {
            let i = b * (WARM + BLOCK) + k;
            let author = base_person + (per_instance + i % others) as i64;
            let t = Instant::now();
            let txn = db.begin().await?;
            storage::replies::insert_remote(
                &txn,
                storage::replies::NewRemoteReply {
                    ap_id: format!("https://i1.example/measured/{i}"),
                    post_id: pick(i),
                    parent_id: None,
                    depth: 0,
                    author_id: author,
                    body: String::new(),
                    body_html: "<p>Measured</p>".into(),
                    created_at: Utc::now(),
                    updated_at: None,
                    language: None,
                },
            )
            .await?;
            txn.commit().await?;
            if k >= WARM {
                remote[usize::from(on)].push(t.elapsed());
            }
        }
    }
    rollups(&ctx, true).await?;
    println!(
        "  reply writes, rollups off vs on (alternating blocks of {BLOCK}, each after {WARM} untimed):"
    );
    write_cost("local reply (use case, commit)", local);
    write_cost("remote reply (signed POST /inbox, 202)", inbound);
    write_cost("remote reply (storage write alone)", remote);

    seeded.stop().await?;
    Ok(())
}
