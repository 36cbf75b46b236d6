//! Installable as an app: the web app manifest, the service worker (`static/sw.js`, which
//! keeps only static assets and an offline page, never a page of the site) and that offline
//! page. The icons are `static/icon.svg` and its 192 and 512 pixel PNGs.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::http::AppState;

/// The theme colour (the stylesheet's accent) and background of the installed app.
const THEME: &str = "#1f5fbf";
const BACKGROUND: &str = "#fbfbfa";

/// A PNG asset.
pub(super) fn png(body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// `GET /manifest.webmanifest`: the web app manifest, named after this instance.
pub(super) async fn manifest(State(s): State<AppState>) -> Response {
    let lang = super::render::page_lang_now();
    let body = json!({
        "name": format!("Cohort · {}", s.ctx.instance.domain),
        "short_name": "Cohort",
        "description": super::render::tr(lang, "app-description"),
        "lang": lang,
        "dir": crate::i18n::dir(lang),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": THEME,
        "icons": [
            {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
            {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"}
        ]
    });
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::VARY, "Accept-Language"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// `GET /sw.js`: the service worker, its cache named after the running version. Served
/// from the root so that its scope is the whole site; never cached by HTTP, so a new
/// release's worker is found at once.
pub(super) async fn service_worker() -> Response {
    let body =
        include_str!("../../../static/sw.js").replace("COHORT_VERSION", env!("CARGO_PKG_VERSION"));
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// `GET /offline`: what the service worker shows when a page cannot be fetched, in the
/// language the browser asks for. The same for everyone who asks in that language (it holds
/// nobody's data), so it may be cached.
pub(super) async fn offline() -> Response {
    let lang = super::render::page_lang_now();
    let t = |key: &str| crate::domain::text::escape(&super::render::tr(lang, key));
    let body = format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · Cohort</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n\
         </head>\n<body>\n<main id=\"main\" class=\"offline\">\n<h1>{heading}</h1>\n\
         <p>{text}</p>\n<p><a href=\"/\">{retry}</a></p>\n</main>\n</body>\n</html>\n",
        dir = crate::i18n::dir(lang),
        title = t("offline-title"),
        heading = t("offline-heading"),
        text = t("offline-text"),
        retry = t("offline-retry"),
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            (header::VARY, "Accept-Language"),
        ],
        body,
    )
        .into_response()
}
