//! Pictures and files: uploads checked, re-encoded (metadata gone) and served; every
//! refusal stores nothing; what shows an upload decides who sees it; quotas; the clean-up;
//! avatars and group pictures; remote images shown through this server.

use cohort::testing::{TestApp, id, pictures};
use image::ImageFormat;
use serde_json::json;

/// GET `url` (absolute, on the test server) with an optional bearer token and headers.
async fn fetch(
    app: &TestApp,
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let path = url.split_once(&app.domain).map_or(url, |(_, p)| p);
    let mut req = app.client.get(format!("{}{path}", app.address));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

fn files_in(app: &TestApp) -> usize {
    let dir = if app.is_postgres() {
        return usize::MAX; // the test's own temporary directory: counted through the API
    } else {
        app.ctx.media().unwrap().location.clone()
    };
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

#[tokio::test]
async fn uploads_are_checked_re_encoded_and_served() {
    let app = TestApp::spawn_with(|c| c.media.max_upload_bytes = 400_000).await;
    let token = app.user("alice").await;

    // A photo with EXIF: orientation 6 (turn right) and a GPS-like note.
    let photo = pictures::jpeg_with_exif(600, 300, "GPS-51.5N-0.12W-SECRET");
    assert!(photo.windows(4).any(|w| w == b"Exif"));
    let r = app
        .upload(
            &token,
            "holiday.jpg",
            &photo,
            "The whiteboard after the workshop",
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let m = r.json.clone();
    assert_eq!(m["kind"], "image");
    assert_eq!(m["content_type"], "image/jpeg");
    // The orientation was applied to the pixels: 300 × 600 now.
    assert_eq!(
        (m["width"].as_i64(), m["height"].as_i64()),
        (Some(300), Some(600))
    );
    assert_eq!(m["alt"], "The whiteboard after the workshop");
    let url = m["url"].as_str().unwrap().to_string();
    let me = Some(token.as_str());
    assert!(
        url.starts_with(&format!("http://{}/media/", app.domain)),
        "{url}"
    );
    assert!(
        m["markdown"]
            .as_str()
            .unwrap()
            .starts_with("![The whiteboard after the workshop](http"),
        "{m}"
    );

    // Nothing shows it yet: its uploader's alone (the draft's preview), kept by no shared
    // cache.
    assert_eq!(fetch(&app, &url, None, &[]).await.status(), 404);
    let resp = fetch(&app, &url, me, &[]).await;
    assert_eq!(resp.status(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "image/jpeg");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert!(h["cache-control"].to_str().unwrap().starts_with("private"));
    let etag = h["etag"].to_str().unwrap().to_string();
    let bytes = resp.bytes().await.unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "EXIF kept");
    assert!(
        !bytes.windows(6).any(|w| w == b"SECRET"),
        "the GPS note kept"
    );
    let shown = image::load_from_memory(&bytes).unwrap();
    assert_eq!((shown.width(), shown.height()), (300, 600));

    let thumb = fetch(&app, m["thumbnail_url"].as_str().unwrap(), me, &[]).await;
    assert_eq!(thumb.status(), 200);
    let t = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((t.width(), t.height()), (200, 400));

    // Ranges and revalidation.
    let part = fetch(&app, &url, me, &[("range", "bytes=0-9")]).await;
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"].to_str().unwrap(),
        format!("bytes 0-9/{}", bytes.len())
    );
    assert_eq!(&part.bytes().await.unwrap()[..], &bytes[..10]);
    let past = fetch(
        &app,
        &url,
        me,
        &[("range", &format!("bytes={}-", bytes.len()))],
    )
    .await;
    assert_eq!(past.status(), 416);
    let unread = fetch(&app, &url, me, &[("range", "bytes=abc")]).await;
    assert_eq!(unread.status(), 200, "a range not understood is ignored");
    let again = fetch(&app, &url, me, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);

    // Every refusal is clear and stores nothing.
    let before = files_in(&app);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let mut polyglot_gif = b"GIF89a".to_vec();
    polyglot_gif.extend_from_slice(b"<html><script>alert(1)</script></html>");
    for (name, bytes, status, code) in [
        (
            "page.png",
            b"<!doctype html><script>alert(1)</script>".to_vec(),
            422,
            "media_refused",
        ),
        ("drawing.svg", svg.to_vec(), 422, "media_refused"),
        ("trick.gif", polyglot_gif, 422, "media_refused"),
        (
            "bomb.png",
            pictures::png_declaring(100_000, 100_000),
            422,
            "media_refused",
        ),
        ("moving.gif", pictures::animated_gif(), 422, "media_refused"),
        ("huge.png", vec![0u8; 500_000], 413, "payload_too_large"),
        ("empty.png", vec![], 400, "invalid_input"),
    ] {
        let r = app.upload(&token, name, &bytes, "").await;
        assert_eq!(r.status, status, "{name}: {}", r.text);
        assert_eq!(r.json["error"], code, "{name}");
        assert!(
            !r.json["message"].as_str().unwrap_or_default().is_empty(),
            "{name}"
        );
    }
    let bomb = app
        .upload(
            &token,
            "bomb.png",
            &pictures::png_declaring(100_000, 100_000),
            "",
        )
        .await;
    assert!(
        bomb.json["message"].as_str().unwrap().contains("pixels"),
        "{}",
        bomb.text
    );
    let moving = app
        .upload(&token, "moving.gif", &pictures::animated_gif(), "")
        .await;
    assert!(
        moving.json["message"]
            .as_str()
            .unwrap()
            .contains("animated")
    );
    let long_alt = "a".repeat(1501);
    let r = app
        .upload(&token, "ok.png", &pictures::png(10, 10), &long_alt)
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json["field"], "alt");
    assert_eq!(files_in(&app), before, "a refused upload left files");
    let mine = app.get("/api/v1/media", Some(&token)).await;
    assert_eq!(mine.json.as_array().unwrap().len(), 1, "{}", mine.text);

    // A picture with HTML hidden after its end is taken, without the HTML.
    let mut png_with_html = pictures::png(20, 20);
    png_with_html.extend_from_slice(b"<script>alert(1)</script>");
    let r = app.upload(&token, "trailer.png", &png_with_html, "").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let served = fetch(&app, r.json["url"].as_str().unwrap(), me, &[]).await;
    assert_eq!(served.headers()["content-type"], "image/png");
    let b = served.bytes().await.unwrap();
    assert!(!b.windows(8).any(|w| w == b"<script>"));

    // A PDF is kept as it came and served as a download.
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    let r = app
        .upload(&token, "slides.pdf", pdf, "Slides of the workshop")
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["kind"], "document");
    assert!(r.json["thumbnail_url"].is_null());
    assert!(
        r.json["markdown"]
            .as_str()
            .unwrap()
            .starts_with("[slides.pdf](")
    );
    let d = fetch(&app, r.json["url"].as_str().unwrap(), me, &[]).await;
    assert_eq!(d.headers()["content-type"], "application/pdf");
    assert!(
        d.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(&d.bytes().await.unwrap()[..], &pdf[..]);

    // Unsigned: 401.
    let r = app
        .send_form(
            "POST",
            "/api/v1/media",
            None,
            &[("file", Some("a.png"), &pictures::png(2, 2))],
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn documents_can_be_turned_off() {
    let app = TestApp::spawn_with(|c| c.media.documents = vec![]).await;
    let token = app.user("alice").await;
    let r = app
        .upload(&token, "slides.pdf", b"%PDF-1.4\n%%EOF\n", "")
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.json["message"].as_str().unwrap().contains("picture"));
}

#[tokio::test]
async fn what_shows_an_upload_decides_who_sees_it() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    app.group(&alice, "learning").await;
    let r = app
        .upload(
            &bob,
            "error.png",
            &pictures::png(50, 40),
            "The error dialog",
        )
        .await;
    assert_eq!(r.status, 201);
    let (key, url, markdown) = (
        r.json["key"].as_str().unwrap().to_string(),
        r.json["url"].as_str().unwrap().to_string(),
        r.json["markdown"].as_str().unwrap().to_string(),
    );
    app.post("/api/v1/groups/learning/join", Some(&bob), json!({}))
        .await;
    let post = app
        .post_in(
            &bob,
            "learning",
            "Why does this fail?",
            &format!("It shows this:\n\n{markdown}"),
        )
        .await;
    let post_id = id(&post);
    assert!(
        post["body_html"]
            .as_str()
            .unwrap()
            .contains(&format!("<img src=\"{url}\" alt=\"The error dialog\"")),
        "{post}"
    );

    // Other servers read it as an attachment, as Mastodon and Lemmy do.
    let doc = app
        .client
        .get(format!("{}/posts/{post_id}", app.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let a = &doc["attachment"][0];
    assert_eq!(a["type"], "Image", "{doc}");
    assert_eq!(a["mediaType"], "image/png");
    assert_eq!(a["url"], url.as_str());
    assert_eq!(a["name"], "The error dialog");
    assert_eq!(
        (a["width"].as_i64(), a["height"].as_i64()),
        (Some(50), Some(40))
    );

    // Someone who neither uploaded it nor moderates where it is shown cannot take it down.
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/media/{key}"),
            Some(&carol),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(fetch(&app, &url, None, &[]).await.status(), 200);

    // A deleted post's pictures go with it.
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/posts/{post_id}"),
            Some(&bob),
            None,
        )
        .await;
    assert!(r.status < 300, "{}", r.text);
    assert_eq!(fetch(&app, &url, None, &[]).await.status(), 404);

    // A moderator removes a picture shown in their group.
    let r = app
        .upload(&bob, "second.png", &pictures::png(30, 30), "")
        .await;
    let (key2, url2, md2) = (
        r.json["key"].as_str().unwrap().to_string(),
        r.json["url"].as_str().unwrap().to_string(),
        r.json["markdown"].as_str().unwrap().to_string(),
    );
    app.post_in(&bob, "learning", "Another one", &md2).await;
    assert_eq!(fetch(&app, &url2, None, &[]).await.status(), 200);
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/media/{key2}"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(fetch(&app, &url2, None, &[]).await.status(), 404);

    // Its uploader deletes one.
    let r = app
        .upload(&bob, "third.png", &pictures::png(30, 30), "")
        .await;
    let url3 = r.json["url"].as_str().unwrap().to_string();
    assert_eq!(fetch(&app, &url3, Some(&bob), &[]).await.status(), 200);
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/media/{}", r.json["key"].as_str().unwrap()),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(fetch(&app, &url3, Some(&bob), &[]).await.status(), 404);

    // Naming someone else's picture links nothing: carol's group shows bob's first picture
    // by its address, yet she cannot take it down as that group's moderator, and the
    // picture stays as hidden as its deleted post left it.
    app.group(&carol, "mine").await;
    app.post_in(&carol, "mine", "Borrowed", &markdown).await;
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/media/{key}"),
            Some(&carol),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(fetch(&app, &url, None, &[]).await.status(), 404);

    // In a members-only group: its members only, and never in a shared cache.
    app.members_only_group(&alice, "inner").await;
    let r = app
        .upload(&alice, "plan.png", &pictures::png(30, 30), "The plan")
        .await;
    let url4 = r.json["url"].as_str().unwrap().to_string();
    app.post_in(
        &alice,
        "inner",
        "Our plan",
        r.json["markdown"].as_str().unwrap(),
    )
    .await;
    assert_eq!(fetch(&app, &url4, None, &[]).await.status(), 404);
    assert_eq!(fetch(&app, &url4, Some(&carol), &[]).await.status(), 404);
    let member = fetch(&app, &url4, Some(&alice), &[]).await;
    assert_eq!(member.status(), 200);
    assert!(
        member.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
}

#[tokio::test]
async fn quotas_and_the_clean_up() {
    let app = TestApp::spawn_with(|c| c.media.person_quota_bytes = 3_000).await;
    let token = app.user("alice").await;
    let first = app
        .upload(&token, "a.png", &pictures::png(10, 10), "")
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let big = app
        .upload(&token, "b.png", &pictures::png(200, 200), "")
        .await;
    assert_eq!(big.status, 413, "{}", big.text);
    assert_eq!(big.json["error"], "quota_exceeded");

    // An upload nothing shows is deleted a day after it was made.
    use sea_orm::{ConnectionTrait, Statement};
    let url = first.json["url"].as_str().unwrap().to_string();
    assert_eq!(
        cohort::usecases::media::clean_up(&app.ctx).await.unwrap(),
        0
    );
    let backend = app.ctx.db.get_database_backend();
    app.ctx
        .db
        .execute_raw(Statement::from_string(
            backend,
            "UPDATE media SET created_at = created_at - INTERVAL '2 days'".replace(
                "created_at - INTERVAL '2 days'",
                if app.is_postgres() {
                    "created_at - INTERVAL '2 days'"
                } else {
                    "datetime(created_at, '-2 days')"
                },
            ),
        ))
        .await
        .unwrap();
    assert_eq!(
        cohort::usecases::media::clean_up(&app.ctx).await.unwrap(),
        1
    );
    assert_eq!(fetch(&app, &url, None, &[]).await.status(), 404);
    // Its bytes are gone from the store and from the quota.
    let key = first.json["key"].as_str().unwrap();
    let store = app.ctx.media().unwrap();
    assert_eq!(store.size(&format!("{key}.png")).await.unwrap(), None);
    let again = app
        .upload(&token, "c.png", &pictures::png(10, 10), "")
        .await;
    assert_eq!(again.status, 201, "{}", again.text);
}

#[tokio::test]
async fn avatars_and_group_pictures() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.group(&alice, "learning").await;

    let r = app
        .send_form(
            "PUT",
            "/api/v1/me/avatar",
            Some(&alice),
            &[(
                "file",
                Some("me.jpg"),
                &pictures::encoded(800, 800, ImageFormat::Jpeg),
            )],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let path = r.json["path"].as_str().unwrap().to_string();
    let shown = fetch(&app, &path, None, &[]).await;
    assert_eq!(shown.status(), 200);
    let small = image::load_from_memory(&shown.bytes().await.unwrap()).unwrap();
    assert_eq!(small.width(), 400, "an avatar is served at thumbnail size");
    let actor = app
        .client
        .get(format!("{}/u/alice", app.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(actor["icon"]["type"], "Image");
    assert_eq!(actor["icon"]["url"], format!("http://{}{path}", app.domain));
    let post = app
        .post_in(&alice, "learning", "With a face", "Hello")
        .await;
    assert_eq!(post["author"]["avatar"], path.as_str(), "{post}");

    // A document is no avatar.
    let r = app
        .send_form(
            "PUT",
            "/api/v1/me/avatar",
            Some(&alice),
            &[("file", Some("cv.pdf"), b"%PDF-1.4\n%%EOF\n")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);

    // Group pictures: its moderators only.
    let banner = pictures::encoded(1200, 300, ImageFormat::Png);
    let r = app
        .send_form(
            "PUT",
            "/api/v1/groups/learning/banner",
            Some(&bob),
            &[("file", Some("b.png"), &banner)],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .send_form(
            "PUT",
            "/api/v1/groups/learning/banner",
            Some(&alice),
            &[("file", Some("b.png"), &banner)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .send_form(
            "PUT",
            "/api/v1/groups/learning/icon",
            Some(&alice),
            &[("file", Some("i.png"), &pictures::png(64, 64))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let g = app.get("/api/v1/groups/learning", None).await;
    let (icon, banner_path) = (
        g.json["icon"].as_str().unwrap().to_string(),
        g.json["banner"].as_str().unwrap().to_string(),
    );
    assert_eq!(fetch(&app, &icon, None, &[]).await.status(), 200);
    let b = fetch(&app, &banner_path, None, &[]).await;
    let b = image::load_from_memory(&b.bytes().await.unwrap()).unwrap();
    assert_eq!(b.width(), 1200, "a banner is served at display size");
    let actor = app
        .client
        .get(format!("{}/g/learning", app.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(actor["icon"]["url"], format!("http://{}{icon}", app.domain));
    assert_eq!(
        actor["image"]["url"],
        format!("http://{}{banner_path}", app.domain)
    );

    // Taken away: the old path answers 404.
    let r = app
        .request("DELETE", "/api/v1/me/avatar", Some(&alice), None)
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(fetch(&app, &path, None, &[]).await.status(), 404);
    let r = app
        .request("DELETE", "/api/v1/groups/learning/icon", Some(&alice), None)
        .await;
    assert_eq!(r.status, 204);
    assert!(app.get("/api/v1/groups/learning", None).await.json["icon"].is_null());
}

/// A stand-in for another server's picture host: serves one PNG and counts requests.
async fn picture_host() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let png = pictures::png(64, 32);
    let app = axum::Router::new()
        .route(
            "/pic.png",
            axum::routing::get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let png = png.clone();
                async move {
                    // A slow host: readers arriving together all find the copy missing.
                    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                    ([("content-type", "image/png")], png)
                }
            }),
        )
        .route(
            "/page.html",
            axum::routing::get(|| async {
                ([("content-type", "image/png")], "<script>alert(1)</script>")
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://127.0.0.1:{}", addr.port()), hits)
}

#[tokio::test]
async fn remote_pictures_are_shown_through_this_server_and_fetched_once() {
    use std::sync::atomic::Ordering;
    let app = TestApp::spawn().await;
    let (host, hits) = picture_host().await;
    let url = format!("{host}/pic.png");
    let path = cohort::media::remote::path(&app.ctx.instance, &url).unwrap();
    // Four readers at once, then two more: one fetch between them.
    let together = futures::future::join_all((0..4).map(|_| fetch(&app, &path, None, &[]))).await;
    for r in together.into_iter().chain([
        fetch(&app, &path, None, &[]).await,
        fetch(&app, &path, None, &[]).await,
    ]) {
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (64, 32));
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "fetched once (the readers who came together waited for it), then served from the copy"
    );

    // Only addresses this server signed are fetched; what is not a picture is not shown.
    let forged = path.replacen("/media/remote/", "/media/remote/0", 1);
    assert_eq!(fetch(&app, &forged, None, &[]).await.status(), 404);
    let other =
        cohort::media::remote::path(&app.ctx.instance, &format!("{host}/page.html")).unwrap();
    assert_eq!(fetch(&app, &other, None, &[]).await.status(), 404);

    // The pages allow pictures from this server only.
    let page = app
        .client
        .get(format!("{}/groups", app.address))
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("img-src 'self' data:;"), "{csp}");
}

#[tokio::test]
async fn a_remote_picture_on_an_internal_address_is_refused() {
    use std::sync::atomic::Ordering;
    // Outside federation debug mode, as in production.
    let app = TestApp::spawn_with(|c| c.federation.debug = false).await;
    let (host, hits) = picture_host().await;
    let https = host.replace("http://", "https://");
    for url in [
        format!("{host}/pic.png"),
        format!("{https}/pic.png"),
        "https://[::1]/pic.png".to_string(),
    ] {
        let path = cohort::media::remote::path(&app.ctx.instance, &url).unwrap();
        let r = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{url}");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "an internal address was contacted"
    );
}

#[tokio::test]
async fn the_web_forms_attach_pictures_without_javascript() {
    use cohort::testing::Web;
    let app = TestApp::spawn().await;
    let token = app.user("ann").await;
    app.group(&token, "learners").await;
    let mut web = Web::log_in(&app, "ann").await;

    // The compose form: "Attach" puts the picture in the draft and shows it.
    let csrf = web.csrf("/g/learners/submit").await;
    let png = pictures::png(80, 60);
    let (status, page) = web
        .post_multipart(
            "/g/learners/submit",
            &[
                ("csrf", None, csrf.as_bytes()),
                ("title", None, b"Our board"),
                ("body", None, b"Drawn today."),
                ("kind", None, b"discussion"),
                ("file", Some("board.png"), &png),
                ("alt", None, b"Boxes and arrows"),
                ("action", None, b"attach"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Drawn today.\n\n![Boxes and arrows](http"),
        "{page}"
    );
    assert!(
        page.contains("<img src=\"http"),
        "the preview shows it: {page}"
    );
    // A refused file keeps the draft and says why.
    let (status, page) = web
        .post_multipart(
            "/g/learners/submit",
            &[
                ("csrf", None, csrf.as_bytes()),
                ("title", None, b"Our board"),
                ("body", None, b"Kept."),
                ("file", Some("page.png"), b"<html>not a picture</html>"),
                ("action", None, b"attach"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Kept."), "{page}");
    // Posting with a file chosen puts it in too.
    let (status, location) = web
        .post_multipart(
            "/g/learners/submit",
            &[
                ("csrf", None, csrf.as_bytes()),
                ("title", None, b"Straight in"),
                ("body", None, b"Here it is."),
                ("file", Some("b.png"), &png),
                ("alt", None, b"A board"),
                ("action", None, b"save"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{location}");
    let post_id: i64 = location.trim_start_matches("/posts/").parse().unwrap();
    let post = app.get(&format!("/api/v1/posts/{post_id}"), None).await;
    assert!(
        post.json["body"]
            .as_str()
            .unwrap()
            .contains("![A board](http"),
        "{}",
        post.text
    );
    // A reply with a picture, from the thread page's form.
    let (status, _) = web
        .post_multipart(
            &format!("/posts/{post_id}/reply"),
            &[
                ("csrf", None, csrf.as_bytes()),
                ("body", None, b"Mine:"),
                ("file", Some("r.png"), &png),
                ("alt", None, b"My board"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let thread = app.get(&format!("/api/v1/posts/{post_id}"), None).await;
    assert!(
        thread.text.contains("alt=\\\"My board\\\""),
        "{}",
        thread.text
    );
    // The thread page asks for a file and its alt text in a multipart form.
    let page = web.get(&format!("/posts/{post_id}")).await;
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(page.contains("id=\"reply-alt\""));

    // The avatar, from the settings page.
    let (status, location) = web
        .post_multipart(
            "/settings/avatar",
            &[
                ("csrf", None, csrf.as_bytes()),
                ("file", Some("me.png"), &png),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, "/settings?saved=1"));
    let settings = web.get("/settings").await;
    assert!(
        settings.contains("src=\"&#x2f;media&#x2f;avatars&#x2f;"),
        "{settings}"
    );
    // The group's icon, from its edit page.
    let (status, _) = web
        .post_multipart(
            "/g/learners/pictures/icon",
            &[
                ("csrf", None, csrf.as_bytes()),
                ("file", Some("i.png"), &png),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let edit = web.get("/g/learners/edit").await;
    assert!(
        edit.contains("src=\"&#x2f;media&#x2f;groups&#x2f;"),
        "{edit}"
    );
    let group = web.get("/g/learners").await;
    assert!(group.contains("class=\"group-icon\""), "{group}");
    // Without the form's token: refused.
    let (status, _) = web
        .post_multipart("/settings/avatar", &[("file", Some("me.png"), &png)])
        .await;
    assert_eq!(status, 403);

    // Signed out: a form's file is refused at its first bytes, before anything is kept.
    let before = files_in(&app);
    for path in ["/media/upload", "/g/learners/submit", "/settings/avatar"] {
        let (content_type, body) =
            cohort::testing::multipart(&[("csrf", None, b"x"), ("file", Some("p.png"), &png)]);
        let r = app
            .client
            .post(format!("{}{path}", app.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path}");
    }
    assert_eq!(files_in(&app), before, "nothing kept");
}

#[tokio::test]
async fn uploads_live_in_an_s3_bucket_when_configured() {
    let Some(s3) = cohort::testing::s3::S3Server::start().await else {
        return;
    };
    let (endpoint, bucket) = (s3.endpoint.clone(), s3.bucket.clone());
    let app = TestApp::spawn_with(move |c| {
        c.media.store = cohort::config::MediaStore::S3;
        c.media.s3_endpoint = endpoint;
        c.media.s3_bucket = bucket;
        c.media.s3_access_key_id = "test".into();
        c.media.s3_secret_access_key = "test".into();
    })
    .await;
    assert!(app.ctx.media().unwrap().location.starts_with("s3://"));
    let token = app.user("alice").await;
    let photo = pictures::jpeg_with_exif(640, 480, "GPS-SECRET");
    let r = app.upload(&token, "photo.jpg", &photo, "A photo").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let key = r.json["key"].as_str().unwrap().to_string();
    let url = r.json["url"].as_str().unwrap().to_string();
    assert!(s3.holds(&format!("{key}.jpg")).await, "in the bucket");
    assert!(s3.holds(&format!("{key}_t.jpg")).await, "its thumbnail too");

    let me = Some(token.as_str());
    let served = fetch(&app, &url, me, &[]).await;
    assert_eq!(served.status(), 200);
    let bytes = served.bytes().await.unwrap();
    assert!(!bytes.windows(10).any(|w| w == b"GPS-SECRET"));
    let part = fetch(&app, &url, me, &[("range", "bytes=-16")]).await;
    assert_eq!(part.status(), 206);
    assert_eq!(&part.bytes().await.unwrap()[..], &bytes[bytes.len() - 16..]);

    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/media/{key}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert!(
        !s3.holds(&format!("{key}.jpg")).await,
        "gone from the bucket"
    );
    assert_eq!(fetch(&app, &url, None, &[]).await.status(), 404);
}

#[tokio::test]
async fn a_report_names_a_picture_and_a_moderator_removes_it() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    app.group(&alice, "learning").await;
    let up = app.upload(&bob, "x.png", &pictures::png(20, 20), "").await;
    let (key, url) = (
        up.json["key"].as_str().unwrap().to_string(),
        up.json["url"].as_str().unwrap().to_string(),
    );
    let post = app
        .post_in(
            &bob,
            "learning",
            "Look",
            up.json["markdown"].as_str().unwrap(),
        )
        .await;
    let other = app.upload(&bob, "y.png", &pictures::png(20, 20), "").await;

    // A picture the post does not show cannot be named.
    let r = app
        .post(
            "/api/v1/reports",
            Some(&carol),
            json!({"post_id": id(&post), "media": other.json["key"], "reason": "spam"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json["field"], "media");
    let r = app
        .post(
            "/api/v1/reports",
            Some(&carol),
            json!({"post_id": id(&post), "media": url, "reason": "Not for this group"}),
        )
        .await;
    assert!(r.status < 300, "{}", r.text);
    let reports = app
        .get("/api/v1/groups/learning/reports", Some(&alice))
        .await;
    let reason = reports.json[0]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        reason.contains(&format!("Picture: {url}")),
        "{}",
        reports.text
    );

    // The moderator removes the picture; the post stays.
    let r = app
        .request(
            "DELETE",
            &format!("/api/v1/media/{key}"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(fetch(&app, &url, None, &[]).await.status(), 404);
    assert_eq!(
        app.get(&format!("/api/v1/posts/{}", id(&post)), None)
            .await
            .status,
        200
    );
}
