//! Templates: compiled into the binary from `templates/`, parsed once, rendered with
//! auto-escaping on (every `.html` template). The only unescaped values are the `*_html`
//! fields, which hold HTML sanitised before it was stored (`domain/text.rs`, and
//! `federation/objects.rs` for remote content); a test checks that `|safe` is used on
//! nothing else.

use std::sync::LazyLock;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use minijinja::{Environment, Value, context};

use super::session::Viewer;
pub use super::translate::{page_lang_now, set_page_lang, tr, with_page_lang};
use crate::error::Error;

/// Every template, by name, as compiled in.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../templates/base.html")),
    (
        "macros.html",
        include_str!("../../../templates/macros.html"),
    ),
    ("error.html", include_str!("../../../templates/error.html")),
    ("home.html", include_str!("../../../templates/home.html")),
    (
        "signup.html",
        include_str!("../../../templates/signup.html"),
    ),
    ("login.html", include_str!("../../../templates/login.html")),
    (
        "settings.html",
        include_str!("../../../templates/settings.html"),
    ),
    (
        "groups.html",
        include_str!("../../../templates/groups.html"),
    ),
    (
        "group_new.html",
        include_str!("../../../templates/group_new.html"),
    ),
    ("group.html", include_str!("../../../templates/group.html")),
    (
        "health.html",
        include_str!("../../../templates/health.html"),
    ),
    (
        "compose.html",
        include_str!("../../../templates/compose.html"),
    ),
    ("post.html", include_str!("../../../templates/post.html")),
    (
        "reply_edit.html",
        include_str!("../../../templates/reply_edit.html"),
    ),
    (
        "person.html",
        include_str!("../../../templates/person.html"),
    ),
    (
        "notifications.html",
        include_str!("../../../templates/notifications.html"),
    ),
    (
        "search.html",
        include_str!("../../../templates/search.html"),
    ),
    (
        "modlog.html",
        include_str!("../../../templates/modlog.html"),
    ),
    (
        "members.html",
        include_str!("../../../templates/members.html"),
    ),
    (
        "invitation.html",
        include_str!("../../../templates/invitation.html"),
    ),
    (
        "group_edit.html",
        include_str!("../../../templates/group_edit.html"),
    ),
    ("page.html", include_str!("../../../templates/page.html")),
    (
        "page_proposals.html",
        include_str!("../../../templates/page_proposals.html"),
    ),
    (
        "page_sent.html",
        include_str!("../../../templates/page_sent.html"),
    ),
    (
        "page_new.html",
        include_str!("../../../templates/page_new.html"),
    ),
    ("mail.html", include_str!("../../../templates/mail.html")),
];

/// The part of a handle after `@` (`name@host` → `host`).
fn host(handle: &str) -> String {
    handle
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or("")
        .to_string()
}

/// A path segment: everything but unreserved characters, `@` and `:` percent-encoded (so
/// `/g/rust@example.org:8080` reads as it is).
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn build() -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    // `form.name` on a page shown without a form is empty, not an error.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    // Tags on lines of their own leave no blank lines or indentation behind (a thread of
    // hundreds of replies is mostly template whitespace otherwise).
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, source) in TEMPLATES {
        // Indentation is for people reading the templates, not for browsers: dropped
        // (no template has text whose leading spaces matter, such as a literal <pre>).
        let source: String = source
            .lines()
            .map(str::trim_start)
            .collect::<Vec<_>>()
            .join("\n");
        env.add_template_owned(name.to_string(), source)
            .map_err(|e| format!("template {name}: {e}"))?;
    }
    env.add_filter("host", |h: &str| host(h));
    env.add_filter("seg", |s: &str| path_segment(s));
    super::translate::register(&mut env);
    env.add_filter("host_of_url", |u: &str| {
        url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    });
    env.add_filter("json_script", |v: minijinja::Value| {
        serde_json::to_string(&v)
            .map(|j| minijinja::Value::from_safe_string(json_script(&j)))
            .map_err(|e| {
                minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
            })
    });
    env.add_global("version", env!("CARGO_PKG_VERSION"));
    // The languages a post or reply can be said to be written in, for the writing forms.
    env.add_global(
        "content_languages",
        Value::from_serialize(crate::domain::languages::OFFERED),
    );
    Ok(env)
}

/// JSON made safe to place inside a `<script>` element (JSON-LD): `<`, `>` and `&` are
/// written as JSON escapes, so no text in it can close the element or open a comment. Still
/// the same JSON to a parser.
pub fn json_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

pub(super) static ENV: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(build);

/// Renders template `name` with `page` and what every page needs (the viewer, the CSRF
/// token, this instance's domain).
pub fn render_to_string(
    domain: &str,
    viewer: Option<&Viewer>,
    name: &str,
    page: Value,
) -> Result<String, Error> {
    let env = ENV.as_ref().map_err(|e| Error::Internal(e.clone()))?;
    let me = viewer.and_then(|v| v.user.as_ref()).map(|u| {
        context! {
            username => u.person.username,
            handle => format!("{}@{}", u.person.username, u.person.domain),
            is_admin => u.is_admin,
        }
    });
    let lang = viewer.map_or_else(page_lang_now, |v| v.lang);
    let ctx = context! {
        lang => lang,
        dir => crate::i18n::dir(lang),
        me => me,
        me_id => viewer.and_then(|v| v.user.as_ref()).map(|u| u.person.id),
        csrf => viewer.map(|v| v.csrf.as_str()),
        here => viewer.map(|v| v.here.as_str()),
        domain => domain,
        sso => viewer.map(|v| v.sso.iter().map(|(id, name)| context! { id => id, name => name }).collect::<Vec<_>>()),
        password_login => viewer.is_none_or(|v| v.password_login),
        ..page
    };
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| Error::Internal(format!("rendering {name}: {e:#}")))
}

/// An HTML response of template `name`.
pub fn page(
    domain: &str,
    viewer: &Viewer,
    status: StatusCode,
    name: &str,
    ctx: Value,
) -> Result<Response, PageError> {
    let body = render_to_string(domain, Some(viewer), name, ctx)?;
    Ok(html(status, body))
}

/// An HTML response; pages depend on who asks, so caches must not share them.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, Html(body)).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    r
}

/// A 303 to a local path.
pub fn see_other(path: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(path) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// What a page handler fails with: an error shown as an HTML page, or a redirect (to the
/// log-in page, say).
#[derive(Debug)]
pub enum PageError {
    /// Shown as an error page with the error's status.
    Error(Error),
    /// A 303 to this local path.
    Redirect(String),
}

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        Self::Error(e)
    }
}

impl From<sea_orm::DbErr> for PageError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Error(e.into())
    }
}

/// What a page handler returns.
pub type PageResult = Result<Response, PageError>;

/// The catalogue key of an error page's heading.
pub(super) fn title_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "error-title-400",
        401 => "error-title-401",
        403 => "error-title-403",
        404 => "error-title-404",
        409 => "error-title-409",
        413 => "error-title-413",
        429 => "error-title-429",
        502 => "error-title-502",
        _ => "error-title-500",
    }
}

/// An error as a page shows it, in `lang`: its code, the field it is about, and a message
/// from the catalogue (`error-{code}`). Invalid input, refusals and what was not found keep
/// the domain's own English sentence as `detail` (marked `lang="en"` where it is shown).
pub fn shown_error(lang: &str, e: &Error) -> Value {
    let body = e.body();
    let key = format!("error-{}", body.error);
    let known = crate::i18n::catalogue().is_ok_and(|c| c.has(crate::i18n::FALLBACK, &key));
    let message = tr(lang, if known { &key } else { "error-other" });
    // What exactly was wrong or refused, as the domain says it: kept (in English) beside
    // the catalogue's sentence, which can only say what kind of error it was.
    let detail = matches!(
        e,
        Error::Invalid { .. } | Error::BadRequest(_) | Error::Refused { .. } | Error::NotFound(_)
    )
    .then_some(body.message);
    context! { error => body.error, field => body.field, message => message, detail => detail }
}

/// The HTML page for an error; server errors are logged and say nothing of their cause.
pub fn error_page(e: &Error) -> Response {
    let status = e.status();
    if status.is_server_error() {
        tracing::error!(error = %e, "page failed");
    }
    let lang = page_lang_now();
    let title = tr(lang, title_key(status));
    let rendered = render_to_string(
        "",
        None,
        "error.html",
        context! { title => title, error => shown_error(lang, e), status => status.as_u16() },
    );
    let mut r = match rendered {
        Ok(b) => html(status, b),
        Err(_) => html(
            status,
            format!(
                "<!doctype html><html lang=\"{lang}\"><meta charset=\"utf-8\"><title>{}</title><h1>{}</h1></html>",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error")
            ),
        ),
    };
    if let Error::TooManyRequests { retry_after, .. } = e
        && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::Error(e) => error_page(&e),
            Self::Redirect(path) => see_other(&path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_script_cannot_close_it() {
        let raw = serde_json::json!({"t": "</script><!-- & -->"}).to_string();
        let safe = json_script(&raw);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["t"], "</script><!-- & -->");
    }

    #[test]
    fn every_template_parses() {
        if let Err(e) = &*ENV {
            panic!("{e}");
        }
    }

    /// `|safe` only on fields holding HTML sanitised before storage (`*_html`).
    #[test]
    fn only_sanitised_html_is_unescaped() {
        for (name, source) in TEMPLATES {
            for (i, _) in source.match_indices("|safe") {
                let before = &source[..i];
                let start = before
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                    .map_or(0, |p| p + 1);
                let expr = &before[start..];
                assert!(expr.ends_with("_html"), "{name}: |safe on {expr:?}");
            }
            assert!(!source.contains("autoescape false"), "{name}");
            assert!(
                !source.contains("<pre"),
                "{name}: indentation is stripped at load"
            );
            assert!(!source.contains("<script>"), "{name}: inline script");
            assert!(!source.contains("style="), "{name}: inline style");
            let lower = source.to_ascii_lowercase();
            for (i, _) in lower.match_indices(" on") {
                let attr: String = lower[i + 3..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                let after = lower[i + 3 + attr.len()..].chars().next();
                assert!(
                    attr.is_empty() || after != Some('='),
                    "{name}: inline event handler on{attr}"
                );
            }
        }
    }

    #[test]
    fn escapes_by_default() {
        let out = render_to_string(
            "x.example",
            None,
            "error.html",
            context! { title => "<b>t</b>", error => context! { message => "<script>alert(1)</script>" }, status => 400 },
        )
        .unwrap();
        assert!(!out.contains("<script>alert"), "{out}");
        assert!(out.contains("&lt;script&gt;"));
    }

    #[test]
    fn path_segments_keep_handles_readable() {
        assert_eq!(path_segment("rust@b.example:8080"), "rust@b.example:8080");
        assert_eq!(path_segment("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
    }

    #[test]
    fn hosts() {
        assert_eq!(host("ann@b.example:8080"), "b.example:8080");
        assert_eq!(host("ann"), "");
    }
}
