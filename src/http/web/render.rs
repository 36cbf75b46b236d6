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

/// A time as people read it in the page's language: "just now", "5 minutes ago", or the
/// date after a month. A value that is not a time is shown as it is.
fn ago(lang: &str, rfc3339: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(rfc3339) else {
        return rfc3339.to_string();
    };
    match crate::i18n::catalogue() {
        Ok(c) => c.ago(lang, t.with_timezone(&chrono::Utc)),
        Err(_) => t.format("%Y-%m-%d").to_string(),
    }
}

/// The language of the page being rendered (`lang` in its context).
fn page_lang(state: &minijinja::State) -> String {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| crate::i18n::FALLBACK.to_string())
}

/// `t("key", name=value, …)`: message `key` of the catalogue in the page's language, as
/// HTML. The message's own text is escaped; an argument is escaped too unless it is markup
/// already (a macro's output, such as a link to a person), so a catalogue can place links
/// in a sentence in each language's order. Numbers stay numbers, for plural rules.
fn translate(
    state: &minijinja::State,
    key: &str,
    kwargs: minijinja::value::Kwargs,
) -> Result<Value, minijinja::Error> {
    let catalogue = crate::i18n::catalogue()
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e))?;
    let mut args = fluent_bundle::FluentArgs::new();
    let mut pieces = Vec::new();
    for name in kwargs.args() {
        let v: Value = kwargs.get(name)?;
        let value = match f64::try_from(v.clone()) {
            Ok(n) if v.kind() == minijinja::value::ValueKind::Number => {
                fluent_bundle::FluentValue::from(n)
            }
            _ => {
                let html = if v.is_safe() {
                    v.to_string()
                } else if v.is_none() || v.is_undefined() {
                    String::new()
                } else {
                    escape_html(&v.to_string())
                };
                // A private-use placeholder, which no catalogue text holds; replaced by
                // the argument's HTML once the message is escaped.
                let token = format!("\u{E000}{}\u{E001}", pieces.len());
                pieces.push((token.clone(), html));
                fluent_bundle::FluentValue::from(token)
            }
        };
        args.set(name.to_string(), value);
    }
    let mut out = escape_html(&catalogue.text(&page_lang(state), key, Some(&args)));
    for (token, html) in pieces {
        out = out.replace(&token, &html);
    }
    Ok(Value::from_safe_string(out))
}

/// Text made safe inside HTML elements and quoted attributes.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
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
    env.add_filter("ago", |state: &minijinja::State, t: &str| {
        ago(&page_lang(state), t)
    });
    env.add_filter("since", |state: &minijinja::State, t: &str| {
        match (
            chrono::DateTime::parse_from_rfc3339(t),
            crate::i18n::catalogue(),
        ) {
            (Ok(t), Ok(c)) => c.since(&page_lang(state), t.with_timezone(&chrono::Utc)),
            _ => t.to_string(),
        }
    });
    // A day as the page's language writes it (a ban's end, say): `7. Dezember 2026`.
    env.add_filter("date", |state: &minijinja::State, t: &str| {
        match (
            chrono::DateTime::parse_from_rfc3339(t),
            crate::i18n::catalogue(),
        ) {
            (Ok(t), Ok(c)) => c.date(&page_lang(state), t.date_naive()),
            _ => t.to_string(),
        }
    });
    env.add_function("t", translate);
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

tokio::task_local! {
    /// The language of the page being answered, set for each request from its
    /// `Accept-Language` and the instance's default (and then from the person's setting, once
    /// their session is read): error pages, which have no [`Viewer`], are written in it too.
    static PAGE_LANG: std::cell::Cell<&'static str>;
}

/// Runs `f` with `lang` as the request's page language.
pub async fn with_page_lang<F: std::future::Future>(lang: &'static str, f: F) -> F::Output {
    PAGE_LANG.scope(std::cell::Cell::new(lang), f).await
}

/// Sets the request's page language (the person's setting, once known).
pub fn set_page_lang(lang: &'static str) {
    let _ = PAGE_LANG.try_with(|l| l.set(lang));
}

/// The request's page language; English outside a request.
pub fn page_lang_now() -> &'static str {
    PAGE_LANG
        .try_with(std::cell::Cell::get)
        .unwrap_or(crate::i18n::FALLBACK)
}

/// Message `key` in `lang`, without arguments (for text set by handlers).
pub fn tr(lang: &str, key: &str) -> String {
    crate::i18n::catalogue().map_or_else(|_| key.to_string(), |c| c.text(lang, key, None))
}

static ENV: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(build);

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
fn title_key(status: StatusCode) -> &'static str {
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

    /// Text a template shows people, outside `{{ }}`, `{% %}` and comments: the text between
    /// tags and the attributes people read (`title`, `placeholder`, `aria-label`, `alt`).
    fn visible_text(source: &str) -> Vec<String> {
        let mut text = source.to_string();
        for (open, close) in [("{#", "#}"), ("{%", "%}"), ("{{", "}}")] {
            while let Some(start) = text.find(open) {
                let Some(len) = text[start..].find(close) else {
                    break;
                };
                text.replace_range(start..start + len + close.len(), " ");
            }
        }
        let mut out = Vec::new();
        let mut rest = text.as_str();
        while let Some(lt) = rest.find('<') {
            out.push(rest[..lt].to_string());
            let Some(gt) = rest[lt..].find('>') else {
                break;
            };
            let tag = &rest[lt..lt + gt];
            for attr in ["title=\"", "placeholder=\"", "aria-label=\"", "alt=\""] {
                for (i, _) in tag.match_indices(attr) {
                    let value = &tag[i + attr.len()..];
                    out.push(value[..value.find('"').unwrap_or(value.len())].to_string());
                }
            }
            rest = &rest[lt + gt + 1..];
        }
        out.push(rest.to_string());
        out.into_iter()
            .map(|t| {
                t.replace("&nbsp;", " ")
                    .replace("&middot;", " ")
                    .replace("Cohort", " ")
            })
            .filter(|t| t.chars().any(char::is_alphabetic))
            .map(|t| t.trim().to_string())
            .collect()
    }

    /// Every word a page shows comes from the catalogue, so a page in German has no English
    /// left: a template with text of its own fails here.
    #[test]
    fn templates_hold_no_text_outside_the_catalogue() {
        let mut found = vec![];
        for (name, source) in TEMPLATES {
            for text in visible_text(source) {
                found.push(format!("{name}: {text:?}"));
            }
        }
        assert!(
            found.is_empty(),
            "text not in the catalogue:\n{}",
            found.join("\n")
        );
        assert_eq!(
            visible_text("<p title=\"x y\">{{ t('a') }} Hello {# no #}<b>{% if x %}</b></p>"),
            vec!["x y", "Hello"]
        );
    }

    /// Every `t("key")` of a template names a message of the English catalogue (and so, by
    /// `i18n`'s test, of every language).
    #[test]
    fn every_key_a_template_asks_for_exists() {
        let catalogue = crate::i18n::catalogue().unwrap();
        for (name, source) in TEMPLATES {
            for quote in ['"', '\''] {
                let open = format!("t({quote}");
                for (i, _) in source.match_indices(&open) {
                    if i > 0 && source.as_bytes()[i - 1].is_ascii_alphanumeric() {
                        continue;
                    }
                    let rest = &source[i + open.len()..];
                    let key = &rest[..rest.find(quote).unwrap_or(0)];
                    assert!(catalogue.has("en", key), "{name}: no message {key:?}");
                }
            }
        }
    }

    /// Every error a page can show has its sentence and its heading in the catalogue.
    #[test]
    fn every_error_has_a_message() {
        let catalogue = crate::i18n::catalogue().unwrap();
        let base = [
            "invalid_input",
            "bad_request",
            "unauthenticated",
            "bad_credentials",
            "bad_signature",
            "upstream_unavailable",
            "rate_limited",
            "not_found",
            "payload_too_large",
            "unsupported_media_type",
            "internal",
            "other",
        ];
        let codes = crate::error::Code::ALL.iter().map(|c| c.as_str());
        for code in base.into_iter().chain(codes) {
            assert!(
                catalogue.has("en", &format!("error-{code}")),
                "error-{code}"
            );
        }
        for status in [400u16, 401, 403, 404, 409, 413, 429, 500, 502, 503] {
            let key = title_key(StatusCode::from_u16(status).unwrap());
            assert!(catalogue.has("en", key), "{key}");
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
    fn hosts_and_times() {
        assert_eq!(host("ann@b.example:8080"), "b.example:8080");
        assert_eq!(host("ann"), "");
        assert_eq!(ago("en", &chrono::Utc::now().to_rfc3339()), "just now");
        assert_eq!(ago("en", "2001-02-03T04:05:06Z"), "3 February 2001");
        assert_eq!(ago("de", "2001-02-03T04:05:06Z"), "3. Februar 2001");
        assert_eq!(ago("en", "yesterday"), "yesterday");
        let env = ENV.as_ref().unwrap();
        let date = |lang: &str| {
            env.render_str(
                "{{ t|date }}",
                context! { lang => lang, t => "2099-01-02T03:04:05Z" },
            )
            .unwrap()
        };
        assert_eq!(date("en"), "2 January 2099");
        assert_eq!(date("fr"), "2 janvier 2099");
    }
}
