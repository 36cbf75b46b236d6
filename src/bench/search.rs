//! `cohort bench search`: full-text search on a big made-up corpus, and what keeping the index
//! costs a write.
//!
//! 1. Loads N posts and replies (a fifth posts, a quarter of them questions, half of those
//!    answered; each in time order, as a server stores them, replies to posts of the week
//!    before) written by people of I instances over two years, with the index's upkeep
//!    off, then indexes the corpus (the migration's fill; on PostgreSQL with its GIN index
//!    already there) and reports how long that took. The text is drawn from a Zipf-like
//!    vocabulary (rank r drawn with weight 1/r^1.1 over 60,000 made-up words: a few very
//!    common words and a long tail), titles of 4–10 words, bodies of 15–120, with an
//!    occasional code word (`tokio::spawn`, `ERR_SSL_PROTOCOL`…).
//! 2. Runs Q mixed searches (`domain::search::search`: the ranked query, snippets, views):
//!    one common word, two words, a rare word, a common word with a rarer one, a phrase, a
//!    code word, and searches with a filter (instance, kind, date); p50/p95 overall and per
//!    kind of query.
//! 3. Alternates local reply writes (`usecases::content::reply`) with the upkeep on and off,
//!    in blocks of 10: mean and p50 each way, and the difference.
//!
//! Figures are printed, never asserted (README "Performance" records them).

use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::ConnectionTrait;

use super::{
    ms, percentile,
    server::{Lcg, Seeded, analyze, bulk, seed_people, ts, write_cost},
};
use crate::{
    domain::{groups, replies::NewReply, search},
    error::Result,
    storage, usecases,
};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Run on SQLite, with this many posts and replies (none: skip).
    pub sqlite: Option<usize>,
    /// Run on PostgreSQL at this server URL (no database part), with this many.
    pub postgres: Option<(String, usize)>,
    /// Instances whose people write (the home one included).
    pub instances: usize,
    /// Measured searches.
    pub queries: usize,
    /// Measured reply writes (half with the index's upkeep on).
    pub writes: usize,
}

/// Runs the benchmark on each backend asked for and prints its figures.
pub async fn run(opts: Options) -> Result<()> {
    println!(
        "search: made-up corpus from {} instances; {} searches, {} writes (release build: cargo build --release --features bench)",
        opts.instances, opts.queries, opts.writes
    );
    if let Some(docs) = opts.sqlite {
        one("SQLite", None, docs, &opts).await?;
    }
    if let Some((pg, docs)) = &opts.postgres {
        one("PostgreSQL", Some(pg.trim_end_matches('/')), *docs, &opts).await?;
    }
    Ok(())
}

/// Words in the vocabulary.
const VOCABULARY: usize = 60_000;
/// Code words some texts carry, searched for exactly.
const CODE_WORDS: [&str; 6] = [
    "tokio::spawn",
    "ERR_SSL_PROTOCOL",
    "std::fs::read_to_string",
    "E0382",
    "node.js",
    "NullPointerException",
];

/// The made-up language: words, and a draw of a word's rank with weight 1/r^1.1.
struct Language {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Language {
    fn new(rng: &mut Lcg) -> Self {
        const SYLLABLES: [&str; 24] = [
            "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qui", "dor", "fen", "gal",
            "hes", "jin", "bel", "cor", "dax", "ell", "for", "gri", "hon", "ist",
        ];
        let mut words = Vec::with_capacity(VOCABULARY);
        let mut seen = std::collections::HashSet::new();
        while words.len() < VOCABULARY {
            let n = 1 + rng.below(4) as usize;
            let w: String = (0..n)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize])
                .collect();
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|r| {
                total += 1.0 / (r as f64).powf(1.1);
                total
            })
            .collect();
        Self { words, cumulative }
    }

    /// A word's rank (0 the most common), drawn.
    fn rank(&self, rng: &mut Lcg) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.next() as f64 / (1u64 << 31) as f64 * total;
        self.cumulative
            .partition_point(|c| *c < x)
            .min(VOCABULARY - 1)
    }

    /// `least` to `least + spread - 1` drawn words, with a code word now and then.
    fn text(&self, rng: &mut Lcg, least: usize, spread: u64) -> String {
        let n = least + rng.below(spread) as usize;
        let mut out = Vec::with_capacity(n + 1);
        for _ in 0..n {
            out.push(self.words[self.rank(rng)].as_str());
        }
        if rng.below(50) == 0 {
            let at = rng.below(n as u64) as usize;
            out.insert(at, CODE_WORDS[rng.below(CODE_WORDS.len() as u64) as usize]);
        }
        out.join(" ")
    }
}

/// A query and the kind of query it is.
struct Query {
    kind: &'static str,
    request: search::SearchRequest,
}

/// The mixed queries: word ranks chosen to be common, middling or rare.
fn queries(lang: &Language, rng: &mut Lcg, n: usize, home: &str) -> Vec<Query> {
    let word = |rng: &mut Lcg, from: usize, to: usize| {
        lang.words[from + rng.below((to - from) as u64) as usize].clone()
    };
    (0..n)
        .map(|i| {
            let mut request = search::SearchRequest::default();
            let kind = match i % 20 {
                0..=5 => {
                    request.q = word(rng, 20, 500);
                    "one word"
                }
                6..=10 => {
                    request.q = format!("{} {}", word(rng, 50, 2000), word(rng, 200, 5000));
                    "two words"
                }
                11..=12 => {
                    request.q = word(rng, 2000, 30_000);
                    "a rare word"
                }
                13..=14 => {
                    request.q = format!("{} {}", word(rng, 0, 20), word(rng, 500, 5000));
                    "a top-20 word with another"
                }
                15 => {
                    request.q = format!("\"{} {}\"", word(rng, 0, 100), word(rng, 0, 100));
                    "a phrase"
                }
                16 => {
                    request.q = CODE_WORDS[i % CODE_WORDS.len()].to_string();
                    "a code word"
                }
                17 => {
                    request.q = word(rng, 20, 500);
                    request.instance = Some(if i % 2 == 0 {
                        home.to_string()
                    } else {
                        format!("i{}.example", 1 + i % 19)
                    });
                    "a word, one instance"
                }
                18 => {
                    request.q = word(rng, 20, 500);
                    request.kind = Some("answered".into());
                    "a word, answered questions"
                }
                _ => {
                    request.q = word(rng, 20, 500);
                    request.from = Some(
                        (Utc::now() - chrono::Duration::days(60))
                            .format("%Y-%m-%d")
                            .to_string(),
                    );
                    "a word, last 60 days"
                }
            };
            Query { kind, request }
        })
        .collect()
}

async fn one(name: &str, postgres: Option<&str>, docs: usize, opts: &Options) -> Result<()> {
    let seeded = Seeded::start(postgres, "searcher", false).await?;
    let (ctx, user) = (seeded.ctx.clone(), seeded.user.clone());
    let group = groups::find_by_handle(&ctx, "bench").await?;
    let db = &ctx.db;
    let home = ctx.instance.domain.clone();
    let mut rng = Lcg(7);
    let lang = Language::new(&mut rng);

    // 1. The corpus, loaded without the index's upkeep, then indexed.
    storage::search::set_upkeep(db, false).await?;
    let loading = Instant::now();
    let per_instance = 50usize;
    let instances = opts.instances.max(1);
    let base_person: i64 = 1_000_000;
    let people = (instances * per_instance) as u64;
    let now = Utc::now().timestamp();
    let start = now - 2 * 365 * 86_400;
    seed_people(db, &home, instances, per_instance, base_person, start).await?;
    let posts = (docs / 5).max(1);
    let replies = docs.saturating_sub(posts);
    let base_post: i64 = 1_000_000;
    let post_time = |i: usize| start + (i as i64 * (now - start - 60)) / posts as i64;
    let sql_text = |s: String| s.replace('\'', "''");
    bulk(
        db,
        "INSERT INTO posts (id, ap_id, group_id, author_id, title, body, body_html, local, \
         upvotes, downvotes, score, hot_rank, reply_count, last_activity_at, created_at, \
         locked, pinned, removed, question)",
        (0..posts).map(|i| {
            let mut rng = Lcg(i as u64 * 2 + 1);
            let title = lang.text(&mut rng, 4, 7);
            let body = lang.text(&mut rng, 15, 106);
            format!(
                "({id}, 'https://bench.example/p/{id}', {g}, {a}, '{title}', '{body}', '', \
                 false, 0, 0, 0, 0, 0, '{t}', '{t}', false, false, false, {q})",
                id = base_post + i as i64,
                g = group.id,
                a = base_person + rng.below(people) as i64,
                title = sql_text(title),
                body = sql_text(body),
                t = ts(post_time(i)),
                q = i % 4 == 0,
            )
        }),
        200,
    )
    .await?;
    bulk(
        db,
        "INSERT INTO replies (id, ap_id, post_id, depth, author_id, body, body_html, local, \
         upvotes, downvotes, score, created_at, removed)",
        (0..replies).map(|r| {
            let mut rng = Lcg(r as u64 * 2 + 2);
            // Replies are stored as they come, in time order, each to a post of the week
            // before.
            let span = now - start - 120;
            let at = start + 60 + (r as i64 * span) / replies.max(1) as i64;
            let to = (at - 60 - rng.below(7 * 86_400) as i64).max(start);
            let p =
                (((to - start) * posts as i64) / span.max(1)).clamp(0, posts as i64 - 1) as usize;
            let body = lang.text(&mut rng, 10, 71);
            format!(
                "({id}, 'https://bench.example/r/{id}', {p}, 0, {a}, '{body}', '', false, 0, 0, \
                 0, '{t}', false)",
                id = 1_000_000 + r as i64,
                p = base_post + p as i64,
                a = base_person + rng.below(people) as i64,
                body = sql_text(body),
                t = ts(at.max(post_time(p) + 1).min(now - 1)),
            )
        }),
        500,
    )
    .await?;
    // Half the questions have an accepted answer: their first reply.
    db.execute_unprepared(
        "UPDATE posts SET answer_id = (SELECT MIN(r.id) FROM replies r WHERE r.post_id = posts.id), \
         answered_at = created_at WHERE question AND id % 2 = 0",
    )
    .await?;
    let loaded = loading.elapsed();
    let t = Instant::now();
    migration::search_index::fill(db).await?;
    let indexed = t.elapsed();
    storage::search::set_upkeep(db, true).await?;
    analyze(db).await?;
    println!(
        "{name}: loaded {posts} posts and {replies} replies in {}; indexed them in {} ({} documents)",
        ms(loaded),
        ms(indexed),
        storage::search::count(db).await?
    );

    // 2. Mixed searches.
    let mut by_kind: Vec<(&str, Vec<Duration>)> = Vec::new();
    let mut all = Vec::with_capacity(opts.queries);
    let mut hits = 0usize;
    let mut qrng = Lcg(99);
    let warm = queries(&lang, &mut qrng, 20, &home);
    for q in &warm {
        search::search(&ctx, Some(&user), &q.request).await?;
    }
    for q in queries(&lang, &mut qrng, opts.queries, &home) {
        let t = Instant::now();
        let page = search::search(&ctx, Some(&user), &q.request).await?;
        let took = t.elapsed();
        hits += page.items.len();
        all.push(took);
        match by_kind.iter_mut().find(|(k, _)| *k == q.kind) {
            Some((_, v)) => v.push(took),
            None => by_kind.push((q.kind, vec![took])),
        }
    }
    let show = |label: &str, mut v: Vec<Duration>| {
        v.sort();
        println!(
            "  {label:<40} n {:>4}  p50 {:>9}  p95 {:>9}  max {:>9}",
            v.len(),
            ms(percentile(&v, 0.5)),
            ms(percentile(&v, 0.95)),
            ms(v.last().copied().unwrap_or_default()),
        );
    };
    println!(
        "  searches (domain::search::search, first page of 20 with snippets; {:.1} hits a page on average):",
        hits as f64 / all.len().max(1) as f64
    );
    show("all mixed queries", all);
    for (kind, times) in by_kind {
        show(kind, times);
    }

    // 3. What the index's upkeep costs a reply.
    let mut writes = [Vec::new(), Vec::new()];
    for i in 0..opts.writes {
        let on = (i / 10) % 2 == 0;
        if i % 10 == 0 {
            storage::search::set_upkeep(db, on).await?;
        }
        let mut rng = Lcg(i as u64 + 5);
        let body = lang.text(&mut rng, 40, 1);
        let post = base_post + (posts - 1 - (i * 7919) % posts.min(5000)) as i64;
        let t = Instant::now();
        usecases::content::reply(
            &ctx,
            &user,
            post,
            NewReply {
                body,
                parent_id: None,
                language: None,
            },
        )
        .await?;
        writes[usize::from(on)].push(t.elapsed());
    }
    storage::search::set_upkeep(db, true).await?;
    println!("  reply writes, index upkeep off vs on (alternating blocks of 10):");
    write_cost("local reply (use case, commit)", writes);

    seeded.stop().await?;
    Ok(())
}
