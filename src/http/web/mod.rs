//! The web interface: server-rendered HTML pages over the same domain calls as the JSON API.
//!
//! - `render`: the templates (compiled in from `templates/`, auto-escaped) and error pages;
//! - `session`: cookie sessions, the anonymous secret, CSRF tokens, the form extractor;
//! - `accounts`, `groups`, `threads`, `people`: the pages, a few lines each.
//!
//! The pages at ActivityPub ids (`/u/…`, `/g/…`, `/posts/…`, `/replies/…`) are served from
//! `federation/routes.rs`, which negotiates by `Accept` and calls [`person_page`],
//! [`group_page`], [`post_page`] and [`reply_page`] for browsers. Works without JavaScript;
//! `static/app.js` only adds conveniences. Every HTML response gets a Content-Security-Policy
//! that allows no inline script or style ([`security_headers`]).

use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};

use super::AppState;

mod accounts;
mod app;
mod charts;
mod groups;
mod health;
mod mail;
mod media;
mod members;
mod moderation;
mod pages;
mod people;
pub mod render;
mod search;
pub mod session;
mod sso;
mod syndication;
mod threads;
pub mod translate;

pub use groups::group_page;
pub use people::{home, person_page};
pub use threads::{post_page, render_thread, reply_page};

/// The stylesheet, compiled in.
const STYLE: &str = include_str!("../../../static/style.css");
/// The optional script, compiled in.
const SCRIPT: &str = include_str!("../../../static/app.js");

/// The routes of pages that are not ActivityPub ids.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(accounts::signup_form).post(accounts::signup))
        .route("/login", get(accounts::login_form).post(accounts::login))
        .route("/logout", post(accounts::logout))
        .route("/settings", get(accounts::settings))
        .route("/settings/password", post(accounts::change_password))
        .route("/settings/profile", post(accounts::save_profile))
        .route(
            "/media/upload",
            post(media::dropped).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/settings/avatar",
            post(media::avatar).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/g/{handle}/pictures/{which}",
            post(media::group_picture).layer(DefaultBodyLimit::disable()),
        )
        .route("/settings/language", post(accounts::save_language))
        .route("/settings/mail", post(mail::save_settings))
        .route("/login/sso/finish", post(sso::finish))
        .route("/login/sso/{id}", get(sso::begin))
        .route("/login/sso/{id}/callback", get(sso::callback))
        .route(
            "/password/forgot",
            get(mail::forgot_form).post(mail::forgot),
        )
        .route("/password/reset", get(mail::reset_form).post(mail::reset))
        .route("/account/verify", get(mail::verify))
        .route("/account/verify/resend", post(mail::resend))
        .route(
            "/mail/unsubscribe/{key}",
            get(mail::unsubscribe_form).post(mail::unsubscribe),
        )
        .route("/groups", get(groups::directory))
        .route(
            "/groups/new",
            get(groups::new_group_form).post(groups::create_group),
        )
        .route("/groups/join", post(groups::join_by_handle))
        .route("/g/{handle}/join", post(groups::join))
        .route("/g/{handle}/leave", post(groups::leave))
        .route("/g/{handle}/modlog", get(moderation::modlog))
        .route("/g/{handle}/members", get(members::list))
        .route("/g/{handle}/requests/{person}", post(members::decide))
        .route("/g/{handle}/invites", post(members::create_invite))
        .route(
            "/g/{handle}/invites/{id}/revoke",
            post(members::revoke_invite),
        )
        .route(
            "/invite/{token}",
            get(members::invitation).post(members::accept),
        )
        .route("/g/{handle}/pages", post(pages::create))
        .route("/g/{handle}/pages/new", get(pages::new_form))
        .route("/g/{handle}/pages/{slug}", get(pages::show))
        .route("/g/{handle}/pages/{slug}/edit", post(pages::edit))
        .route("/g/{handle}/pages/{slug}/history", get(pages::history))
        .route(
            "/g/{handle}/pages/{slug}/revisions/{number}",
            get(pages::revision).post(pages::moderate_revision),
        )
        .route("/g/{handle}/feed.atom", get(syndication::group))
        .route("/g/{handle}/waiting.atom", get(syndication::waiting))
        .route("/u/{handle}/feed.atom", get(syndication::person))
        .route("/posts/{id}/feed.atom", get(syndication::thread))
        .route("/g/{handle}/health", get(health::group_page))
        .route("/g/{handle}/health.csv", get(health::group_csv))
        .route("/admin/health", get(health::admin_page))
        .route("/admin/health.csv", get(health::admin_csv))
        .route(
            "/g/{handle}/edit",
            get(moderation::edit_form).post(moderation::edit),
        )
        .route(
            "/g/{handle}/submit",
            get(groups::compose)
                .post(groups::submit)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/posts/{id}/reply",
            post(threads::reply).layer(DefaultBodyLimit::disable()),
        )
        .route("/posts/{id}/vote", post(threads::vote_post))
        .route(
            "/posts/{id}/edit",
            get(threads::edit_post_form)
                .post(threads::edit_post)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/posts/{id}/delete", post(threads::delete_post))
        .route("/posts/{id}/answer", post(threads::accept_answer))
        .route(
            "/posts/{id}/answer/withdraw",
            post(threads::withdraw_answer),
        )
        .route("/posts/{id}/page", post(threads::make_page))
        .route("/posts/{id}/lock", post(moderation::lock))
        .route("/posts/{id}/pin", post(moderation::pin))
        .route("/posts/{id}/restore", post(moderation::restore_post))
        .route("/posts/{id}/report", post(moderation::report_post))
        .route("/replies/{id}/restore", post(moderation::restore_reply))
        .route("/replies/{id}/report", post(moderation::report_reply))
        .route("/pages/{id}/report", post(moderation::report_page))
        .route("/replies/{id}/vote", post(threads::vote_reply))
        .route(
            "/replies/{id}/edit",
            get(threads::edit_reply_form).post(threads::edit_reply),
        )
        .route("/replies/{id}/delete", post(threads::delete_reply))
        .route("/notifications", get(people::notifications_page))
        .route("/search", get(search::search))
        .route("/static/style.css", get(style))
        .route("/static/app.js", get(script))
        .route("/static/icon.svg", get(icon_svg))
        .route("/static/icon-192.png", get(icon_192))
        .route("/static/icon-512.png", get(icon_512))
        .route("/manifest.webmanifest", get(app::manifest))
        .route("/sw.js", get(app::service_worker))
        .route("/offline", get(app::offline))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // The URL carries the version, so a new release is fetched anew.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

async fn icon_svg() -> Response {
    asset("image/svg+xml", include_str!("../../../static/icon.svg"))
}

async fn icon_192() -> Response {
    app::png(include_bytes!("../../../static/icon-192.png"))
}

async fn icon_512() -> Response {
    app::png(include_bytes!("../../../static/icon-512.png"))
}

/// The Content-Security-Policy of every page: scripts, styles, images and forms only from
/// this site (remote pictures are shown through it: `media::remote`), no inline script or
/// style, no framing.
pub fn content_security_policy(_scheme: &str) -> String {
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'"
        .to_string()
}

/// Adds the security headers to every HTML response.
pub async fn security_headers(
    State(s): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(req).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_html {
        if let Ok(v) = HeaderValue::from_str(&content_security_policy(s.ctx.instance.scheme)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    response
}

/// The HTML page for "nothing here" (browsers asking for an unknown address).
pub fn not_found_page() -> Response {
    render::error_page(&crate::error::Error::NotFound("page"))
}

pub use crate::domain::text::escape;

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(
            super::escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_policy_allows_no_inline_code() {
        let p = super::content_security_policy("https");
        assert!(p.contains("script-src 'self';") && p.contains("style-src 'self';"));
        assert!(!p.contains("unsafe-inline") && !p.contains("http:"));
        assert!(p.contains("frame-ancestors 'none'") && p.contains("form-action 'self'"));
    }
}
