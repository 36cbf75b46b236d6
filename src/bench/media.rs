//! `cohort bench media`: what pictures cost.
//!
//! 1. Re-encoding: a 12-megapixel photograph-like JPEG (4000 × 3000, noisy, so it does not
//!    compress to nothing) through `media::process` (decode, orientation, display size,
//!    thumbnail, encode): pictures per second on one thread, and on every core at once.
//! 2. A burst: 20 uploads of that JPEG at once, by 20 people, to a real `cohort serve`
//!    (SQLite, disk store): time until all are answered, and the server's peak resident
//!    memory (`VmHWM`) before and after (uploads are decoded at most one per core at a time;
//!    the others wait on disk).
//! 3. Serving: a cached thumbnail fetched over loopback by many clients at once for a few
//!    seconds: requests per second and p50/p99 latency.
//!
//! Figures are printed, never asserted (README "Performance" records them).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use super::{ms, percentile};
use crate::{
    error::{Error, Result},
    harness::{self, Api, Server},
    media::process::{Limits, Processed, process},
};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Pictures re-encoded in the one-thread measurement.
    pub encodes: usize,
    /// Uploads in the burst.
    pub burst: usize,
    /// Clients fetching the thumbnail at once.
    pub concurrency: usize,
    /// How long the thumbnail is fetched.
    pub seconds: f64,
}

/// A 4000 × 3000 JPEG with the grain of a photograph.
pub fn twelve_megapixels() -> Vec<u8> {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let noise = (seed & 0x1f) as u32;
        image::Rgb([
            ((x / 16 + noise) % 256) as u8,
            ((y / 12 + noise) % 256) as u8,
            (((x + y) / 24 + noise) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg);
    out.into_inner()
}

fn limits() -> Limits {
    let d = crate::config::MediaConfig::default();
    Limits {
        max_bytes: 64 << 20,
        max_pixels: d.max_pixels,
        display: d.display_size,
        thumbnail: d.thumbnail_size,
        pdf: true,
    }
}

/// Runs the benchmark and prints its figures.
pub async fn run(opts: Options) -> Result<()> {
    let jpeg = Arc::new(twelve_megapixels());
    println!(
        "media: a 4000 × 3000 JPEG of {:.1} MB; {} re-encodes, a burst of {} uploads, {} clients for {:.0} s (release build: cargo build --release --features bench)",
        jpeg.len() as f64 / 1e6,
        opts.encodes,
        opts.burst,
        opts.concurrency,
        opts.seconds
    );
    encode(&opts, &jpeg).await?;
    server(&opts, &jpeg).await
}

async fn encode(opts: &Options, jpeg: &Arc<Vec<u8>>) -> Result<()> {
    let l = limits();
    let mut times = Vec::new();
    for _ in 0..opts.encodes.max(1) {
        let start = Instant::now();
        match process(jpeg, &l) {
            Ok(Processed::Image(_)) => {}
            other => return Err(Error::Internal(format!("not re-encoded: {other:?}"))),
        }
        times.push(start.elapsed());
    }
    times.sort();
    let total: Duration = times.iter().sum();
    println!(
        "re-encode, one thread: {:.2} pictures/s (p50 {}, max {})",
        times.len() as f64 / total.as_secs_f64(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 1.0))
    );
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per = opts.encodes.max(cores).div_ceil(cores);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..cores {
        let (jpeg, l) = (jpeg.clone(), l.clone());
        tasks.push(tokio::task::spawn_blocking(move || {
            for _ in 0..per {
                let _ = process(&jpeg, &l);
            }
        }));
    }
    for t in tasks {
        t.await.map_err(|e| Error::Internal(e.to_string()))?;
    }
    println!(
        "re-encode, {cores} threads: {:.2} pictures/s",
        (per * cores) as f64 / start.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn server(opts: &Options, jpeg: &Arc<Vec<u8>>) -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
    let url = format!("sqlite://{}/cohort.db?mode=rwc", dir.path().display());
    let port = harness::free_port()?;
    let domain = format!("localhost:{port}");
    let server = Server::start(
        &harness::cohort_exe(),
        port,
        &domain,
        &url,
        &[
            ("COHORT_LOG_FILTER", "error"),
            ("COHORT_MEDIA_MAX_UPLOAD_BYTES", "67108864"),
            ("COHORT_MEDIA_PERSON_QUOTA_BYTES", "0"),
        ],
    )
    .await?;
    let result = measure(opts, jpeg, &server).await;
    server.stop().await;
    result
}

async fn measure(opts: &Options, jpeg: &Arc<Vec<u8>>, server: &Server) -> Result<()> {
    let api = Api::new(&server.base);
    let token = api.user("bencher").await?;
    // The burst comes from as many people (one person has at most four uploads at once).
    let mut senders = Vec::new();
    for i in 0..opts.burst {
        senders.push(api.user(&format!("sender{i}")).await?);
    }
    let client = reqwest::Client::new();
    let upload = |bytes: Vec<u8>, token: &str| {
        let (content_type, body) = crate::testing::multipart(&[("file", Some("p.jpg"), &bytes)]);
        client
            .post(format!("{}/api/v1/media", server.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    // One upload first: the thumbnail to serve, and the server warmed up.
    let first = upload(jpeg.to_vec(), &token)
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    let first: serde_json::Value = first
        .json()
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    let thumb = first["thumbnail_url"]
        .as_str()
        .ok_or_else(|| Error::Internal(format!("no thumbnail: {first}")))?
        .replace(&format!("http://{}", server.domain), &server.base);
    let before = server.peak_rss_kib().unwrap_or(0);

    let start = Instant::now();
    let answers = futures::future::join_all(senders.iter().map(|t| upload(jpeg.to_vec(), t))).await;
    let took = start.elapsed();
    let ok = answers
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.status().as_u16() == 201))
        .count();
    let after = server.peak_rss_kib().unwrap_or(0);
    println!(
        "burst of {} uploads at once: {ok} stored in {:.2} s ({:.2} uploads/s); server peak RSS {:.1} MB before, {:.1} MB after",
        opts.burst,
        took.as_secs_f64(),
        ok as f64 / took.as_secs_f64(),
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );

    let deadline = Instant::now() + Duration::from_secs_f64(opts.seconds);
    let mut tasks = Vec::new();
    for _ in 0..opts.concurrency.max(1) {
        let (client, thumb, token) = (client.clone(), thumb.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                // Its uploader's (no post shows it): read with their token.
                let r = client.get(&thumb).bearer_auth(&token).send().await;
                let good = match r {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                };
                if good {
                    times.push(t.elapsed());
                }
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.map_err(|e| Error::Internal(e.to_string()))?);
    }
    times.sort();
    println!(
        "cached thumbnail served: {:.0} requests/s with {} clients (p50 {}, p99 {})",
        times.len() as f64 / opts.seconds,
        opts.concurrency,
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
    Ok(())
}
