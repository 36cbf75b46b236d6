//! Installable as an app: the manifest names the instance and its icons (which are served,
//! at the sizes it says), the service worker and the offline page are served as they must
//! be, every page links the manifest and allows them in its Content-Security-Policy, and a
//! log-out tells the browser to forget what it cached.

use cohort::testing::{TestApp, Web};
use serde_json::Value;

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r
}

/// The width and height a PNG's header gives.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

#[tokio::test]
async fn the_manifest_icons_service_worker_and_offline_page_are_served() {
    let app = TestApp::spawn().await;
    let r = get(&app, "/manifest.webmanifest").await;
    assert_eq!(r.headers()["content-type"], "application/manifest+json");
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["name"], format!("Cohort · {}", app.domain).as_str());
    assert_eq!(m["short_name"], "Cohort");
    assert_eq!(m["start_url"], "/");
    assert_eq!(m["scope"], "/");
    assert_eq!(m["display"], "standalone");
    assert!(m["theme_color"].as_str().unwrap().starts_with('#'));
    let icons = m["icons"].as_array().unwrap();
    let mut pngs = vec![];
    for icon in icons {
        let src = icon["src"].as_str().unwrap();
        let r = get(&app, src).await;
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        assert_eq!(kind, icon["type"].as_str().unwrap(), "{src}");
        let body = r.bytes().await.unwrap();
        if kind == "image/png" {
            let (w, h) = png_size(&body);
            assert_eq!(format!("{w}x{h}"), icon["sizes"].as_str().unwrap(), "{src}");
            pngs.push(w);
        } else {
            assert!(String::from_utf8_lossy(&body).starts_with("<svg"), "{src}");
        }
    }
    assert!(pngs.contains(&192) && pngs.contains(&512), "{pngs:?}");

    // The worker, from the root (its scope is the site), revalidated on every load, its
    // cache named after this version.
    let r = get(&app, "/sw.js").await;
    assert_eq!(
        r.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let sw = r.text().await.unwrap();
    assert!(sw.contains(&format!("cohort-static-{}", env!("CARGO_PKG_VERSION"))));
    assert!(!sw.contains("COHORT_VERSION"));

    let r = get(&app, "/offline").await;
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.text().await.unwrap().contains("You are offline"));

    // Every page links the manifest and the icon, and lets them and the worker load.
    let r = get(&app, "/").await;
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("manifest-src 'self'") && csp.contains("worker-src 'self'"),
        "{csp}"
    );
    let home = r.text().await.unwrap();
    assert!(home.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#));
    assert!(home.contains(r#"<link rel="icon" href="/static/icon.svg" type="image/svg+xml">"#));
}

#[tokio::test]
async fn a_log_out_clears_what_the_browser_cached() {
    let app = TestApp::spawn().await;
    app.user("ann").await;
    let mut web = Web::log_in(&app, "ann").await;
    let csrf = web.csrf("/settings").await;
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/logout", app.address))
        .header("cookie", web.cookie())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["clear-site-data"], "\"cache\"");
}
