//! The pages' words: `t("key", …)` in templates (a catalogue message as HTML), times in the
//! page's language, and the language of the request being answered (set from
//! `Accept-Language` for every request, then from the person's setting once their session is
//! read), which error pages, having no viewer, are written in. The catalogue itself is
//! `crate::i18n`.

use minijinja::{Environment, Value};

tokio::task_local! {
    /// The language of the page being answered, set for each request from its
    /// `Accept-Language` and the instance's default (and then from the person's setting, once
    /// their session is read): error pages, which have no viewer, are written in it too.
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
                    // The placeholders' own characters are taken out of what people wrote,
                    // so their text cannot name another argument's placeholder.
                    let text: String = v
                        .to_string()
                        .chars()
                        .filter(|c| !matches!(c, '\u{E000}' | '\u{E001}'))
                        .collect();
                    crate::domain::text::escape(&text)
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
    let mut out = crate::domain::text::escape(&catalogue.text(&page_lang(state), key, Some(&args)));
    for (token, html) in pieces {
        out = out.replace(&token, &html);
    }
    Ok(Value::from_safe_string(out))
}

/// Adds `t()` and the filters that write times in the page's language (`|ago`, `|since`,
/// `|date`) to the templates' environment.
pub(super) fn register(env: &mut Environment<'static>) {
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
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use minijinja::context;

    use super::*;
    use crate::http::web::render::{ENV, TEMPLATES, title_key};

    /// What people wrote cannot name another argument's placeholder (and so pull that
    /// argument's markup into its own place); it is escaped either way.
    #[test]
    fn an_argument_cannot_name_another_ones_placeholder() {
        let env = ENV.as_ref().unwrap();
        let out = env
            .render_str(
                "{{ t('by-person', person='<b>\u{E000}1\u{E001}</b>') }}",
                context! { lang => "en" },
            )
            .unwrap();
        assert_eq!(out, "by &lt;b&gt;1&lt;/b&gt;");
    }

    #[test]
    fn times_and_dates_in_the_pages_language() {
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
}
