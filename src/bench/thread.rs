//! `cohort bench thread`: how long the page of a post with many replies takes to make.
//!
//! Seeds one post with N replies (a mix of top-level answers and nested chains, as real
//! threads are) through the domain functions, then measures, for a signed-in viewer (so every
//! reply carries its vote, reply and edit forms):
//!
//! 1. the server's work for the page in process: reading the thread (`posts::detail`) and
//!    rendering it (`web::render_thread`), and the rendering alone;
//! 2. the whole request, `GET /posts/{id}` with a session cookie over loopback.
//!
//! Figures are printed, never asserted (README "Performance" records them).

use std::time::{Duration, Instant};

use super::{ms, percentile};
use crate::{
    domain::{posts, replies},
    error::{Error, Result},
    http::web::{self, session::Viewer},
};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Run on SQLite.
    pub sqlite: bool,
    /// Run on PostgreSQL at this server URL (no database part).
    pub postgres: Option<String>,
    /// Replies in the thread.
    pub replies: usize,
    /// Measured renders (after a few warm-up ones).
    pub runs: usize,
}

/// Runs the thread benchmark on each backend asked for and prints its figures.
pub async fn run(opts: Options) -> Result<()> {
    println!(
        "thread page: one post with {} replies, signed-in viewer, {} runs (release build: cargo build --release --features bench)",
        opts.replies, opts.runs
    );
    if opts.sqlite {
        one("SQLite", None, &opts).await?;
    }
    if let Some(pg) = &opts.postgres {
        one("PostgreSQL", Some(pg.trim_end_matches('/')), &opts).await?;
    }
    Ok(())
}

/// The parent of reply `i` among the earlier ones (`None`: the post): every fifth reply
/// answers the post, the others answer a recent reply, making chains a few levels deep.
fn parent_of(i: usize, ids: &[(i64, i32)]) -> Option<usize> {
    if i.is_multiple_of(5) || ids.is_empty() {
        return None;
    }
    let back = 1 + (i * 7) % 4;
    let p = ids.len().saturating_sub(back);
    (ids[p].1 < crate::domain::replies::MAX_DEPTH).then_some(p)
}

async fn one(name: &str, postgres: Option<&str>, opts: &Options) -> Result<()> {
    let seeded = super::server::Seeded::start(postgres, "reader", false).await?;
    let (ctx, port, token, user) = (
        seeded.ctx.clone(),
        seeded.port,
        seeded.token.clone(),
        seeded.user.clone(),
    );
    let post = posts::create(
        &ctx,
        &user,
        "bench",
        posts::NewPost {
            title: "A busy thread".into(),
            body: "Which **reply** helped most?".into(),
            kind: None,
            language: None,
        },
    )
    .await?;
    let seeding = Instant::now();
    let mut ids: Vec<(i64, i32)> = Vec::with_capacity(opts.replies);
    for i in 0..opts.replies {
        let parent = parent_of(i, &ids);
        let body = format!(
            "Answer {i}: try *this* — `cargo check` first, then read [the book](https://doc.rust-lang.org/book/).\n\n> quoting {}",
            parent.map_or(0, |p| p)
        );
        let r = replies::create(
            &ctx,
            &user,
            post.id,
            replies::NewReply {
                body,
                parent_id: parent.map(|p| ids[p].0),
                language: None,
            },
        )
        .await?;
        let depth = parent.map_or(0, |p| ids[p].1 + 1);
        ids.push((r.id, depth));
    }
    let deepest = ids.iter().map(|(_, d)| *d).max().unwrap_or(0);
    let viewer = Viewer {
        user: Some(user.clone()),
        csrf: web::session::csrf_token(&token),
        session_token: Some(token.clone()),
        here: format!("/posts/{}", post.id),
        lang: "en",
        sso: vec![],
        password_login: true,
    };

    // 1. In process: read + render, and render alone.
    let domain = ctx.instance.domain.clone();
    let mut whole = Vec::with_capacity(opts.runs);
    let mut render = Vec::with_capacity(opts.runs);
    let mut bytes = 0usize;
    for i in 0..opts.runs + 3 {
        let t = Instant::now();
        let detail = posts::detail(&ctx, Some(&user), post.id).await?;
        let read = t.elapsed();
        let r0 = Instant::now();
        let page = web::render_thread(
            &domain,
            &viewer,
            detail,
            None,
            false,
            false,
            Default::default(),
        )
        .map_err(|_| Error::Internal("the thread did not render".into()))?;
        let rendered = r0.elapsed();
        if i >= 3 {
            whole.push(read + rendered);
            render.push(rendered);
        }
        if bytes == 0 {
            let body = axum::body::to_bytes(page.into_body(), usize::MAX)
                .await
                .map_err(|e| Error::Internal(e.to_string()))?;
            bytes = body.len();
        }
    }

    // 2. The whole request over loopback, as a signed-in browser.
    let http = reqwest::Client::new();
    let address = format!("http://127.0.0.1:{port}/posts/{}", post.id);
    let mut requests = Vec::with_capacity(opts.runs);
    for i in 0..opts.runs + 3 {
        let t = Instant::now();
        let r = http
            .get(&address)
            .header("accept", "text/html")
            .header("cookie", format!("cohort_session={token}"))
            .send()
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let ok = r.status().is_success();
        let _ = r
            .bytes()
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        if !ok {
            return Err(Error::Internal("the thread page did not answer 200".into()));
        }
        if i >= 3 {
            requests.push(t.elapsed());
        }
    }
    seeded.stop().await?;

    let show = |label: &str, mut v: Vec<Duration>| {
        v.sort();
        println!(
            "  {label:<34} p50 {:>9}  p90 {:>9}  p99 {:>9}  max {:>9}",
            ms(percentile(&v, 0.5)),
            ms(percentile(&v, 0.9)),
            ms(percentile(&v, 0.99)),
            ms(v.last().copied().unwrap_or_default()),
        );
    };
    println!(
        "{name}: {} replies (deepest nesting {deepest}), page {:.0} KB, seeded in {}",
        ids.len(),
        bytes as f64 / 1024.0,
        ms(seeding.elapsed())
    );
    show("read + render (in process)", whole);
    show("render only", render);
    show("GET /posts/{id} over loopback", requests);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn parents_come_before_and_depth_stays_bounded() {
        let mut ids: Vec<(i64, i32)> = Vec::new();
        for i in 0..2000 {
            let p = super::parent_of(i, &ids);
            assert!(p.is_none_or(|p| p < ids.len()));
            let depth = p.map_or(0, |p| ids[p].1 + 1);
            assert!(depth <= crate::domain::replies::MAX_DEPTH);
            ids.push((i as i64, depth));
        }
        assert!(ids.iter().any(|(_, d)| *d >= 3), "some nesting");
    }
}
