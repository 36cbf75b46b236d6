//! What Cohort mails, rendered from the catalogue (`locales/*/mail.ftl`) in the recipient's
//! language: a subject, a plain-text part and an HTML part that says the same. Every value
//! that came from a person (names, titles) is escaped in the HTML part; links are this
//! instance's own.

use crate::domain::text::escape;

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// One line of a notices mail.
#[derive(Debug, Clone, Default)]
pub struct NoticeLine {
    /// `reply`, `mention` or `accepted`.
    pub kind: String,
    /// Who wrote (a reply or a mention).
    pub who: String,
    /// The thread's title.
    pub title: String,
    /// The thread (at the reply).
    pub url: String,
    /// The start of what was written.
    pub excerpt: String,
}

/// A linked item of the digest.
#[derive(Debug, Clone)]
pub struct DigestItem {
    /// Its title.
    pub title: String,
    /// Its group's name.
    pub group: String,
    /// Its page here.
    pub url: String,
}

/// The digest's three lists.
#[derive(Debug, Clone, Default)]
pub struct Digest {
    /// Questions in the person's groups still without an accepted answer.
    pub waiting: Vec<DigestItem>,
    /// Knowledge-base pages made or changed this week.
    pub pages: Vec<DigestItem>,
    /// The threads of the week with the most votes and answers.
    pub helpful: Vec<DigestItem>,
}

impl Digest {
    /// Nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty() && self.pages.is_empty() && self.helpful.is_empty()
    }
}

/// A message of the catalogue in `lang`, with string arguments.
fn msg(lang: &str, key: &str, args: &[(&str, &str)]) -> String {
    render(lang, key, None, args)
}

/// A message with a `count` (plural rules need a number, not a string).
fn msg_count(lang: &str, key: &str, count: usize, args: &[(&str, &str)]) -> String {
    render(lang, key, Some(count), args)
}

fn render(lang: &str, key: &str, count: Option<usize>, args: &[(&str, &str)]) -> String {
    let Ok(catalogue) = crate::i18n::catalogue() else {
        return key.to_string();
    };
    let mut fluent = fluent_bundle::FluentArgs::new();
    if let Some(count) = count {
        fluent.set("count", count);
    }
    for (name, value) in args {
        fluent.set(*name, value.to_string());
    }
    // Fluent isolates placeables with U+2068/U+2069; a mail client shows them as boxes.
    catalogue
        .text(lang, key, Some(&fluent))
        .replace(['\u{2068}', '\u{2069}'], "")
}

/// The parts every mail shares around its own.
struct Frame<'a> {
    lang: &'a str,
    instance: &'a str,
    name: &'a str,
    settings_url: Option<&'a str>,
    unsubscribe_url: Option<&'a str>,
}

impl Frame<'_> {
    fn wrap(&self, subject: String, text_body: String, html_body: String) -> Draft {
        let lang = self.lang;
        let mut text = msg(lang, "mail-greeting", &[("name", self.name)]);
        text.push_str("\n\n");
        text.push_str(&text_body);
        text.push_str("\n-- \n");
        text.push_str(&msg(lang, "mail-footer", &[("instance", self.instance)]));
        let mut foot = format!(
            "<p>{}</p>",
            escape(&msg(lang, "mail-footer", &[("instance", self.instance)]))
        );
        if let Some(url) = self.settings_url {
            text.push('\n');
            text.push_str(&msg(lang, "mail-settings", &[("url", url)]));
            foot.push_str(&format!(
                "<p>{}</p>",
                link_in(&msg(lang, "mail-settings", &[("url", "\u{1}")]), url)
            ));
        }
        if let Some(url) = self.unsubscribe_url {
            text.push('\n');
            text.push_str(&msg(lang, "mail-unsubscribe", &[("url", url)]));
            foot.push_str(&format!(
                "<p>{}</p>",
                link_in(&msg(lang, "mail-unsubscribe", &[("url", "\u{1}")]), url)
            ));
        }
        text.push('\n');
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body style=\"font-family:sans-serif;line-height:1.5;max-width:40em\">\
             <p>{greeting}</p>{html_body}<hr><footer style=\"color:#555;font-size:0.9em\">{foot}</footer></body></html>\n",
            lang = escape(lang),
            title = escape(&subject),
            greeting = escape(&msg(lang, "mail-greeting", &[("name", self.name)])),
        );
        Draft {
            subject,
            text,
            html,
        }
    }
}

/// `sentence` (with U+0001 where the address goes) with the address as a link.
fn link_in(sentence: &str, url: &str) -> String {
    let link = format!("<a href=\"{}\">{}</a>", escape(url), escape(url));
    escape(sentence).replace('\u{1}', &link)
}

fn button(url: &str, label: &str) -> String {
    format!(
        "<p><a href=\"{}\" style=\"display:inline-block;padding:0.5em 1em;background:#1f5fbf;color:#fff;text-decoration:none;border-radius:4px\">{}</a></p><p style=\"font-size:0.9em\">{}</p>",
        escape(url),
        escape(label),
        escape(url)
    )
}

/// A mail whose point is one link (`keys`: subject, body, button, expiry).
fn link_mail(
    lang: &str,
    instance: &str,
    username: &str,
    url: &str,
    keys: [&str; 4],
    expiry: (&str, i64),
) -> Draft {
    let [subject, body, button_label, expiry_key] = keys;
    let args = [("instance", instance), ("username", username)];
    let body = msg(lang, body, &args);
    let expiry = msg(lang, expiry_key, &[(expiry.0, &expiry.1.to_string())]);
    let frame = Frame {
        lang,
        instance,
        name: username,
        settings_url: None,
        unsubscribe_url: None,
    };
    frame.wrap(
        msg(lang, subject, &args),
        format!("{body}\n\n{url}\n\n{expiry}\n"),
        format!(
            "<p>{}</p>{}<p>{}</p>",
            escape(&body),
            button(url, &msg(lang, button_label, &[])),
            escape(&expiry)
        ),
    )
}

/// The address-confirmation mail.
pub fn verification(lang: &str, instance: &str, username: &str, url: &str, hours: i64) -> Draft {
    let keys = [
        "mail-verify-subject",
        "mail-verify-body",
        "mail-verify-button",
        "mail-verify-expiry",
    ];
    link_mail(lang, instance, username, url, keys, ("hours", hours))
}

/// The password-reset mail.
pub fn reset(lang: &str, instance: &str, username: &str, url: &str, minutes: i64) -> Draft {
    let keys = [
        "mail-reset-subject",
        "mail-reset-body",
        "mail-reset-button",
        "mail-reset-expiry",
    ];
    link_mail(lang, instance, username, url, keys, ("minutes", minutes))
}

fn notice_line(lang: &str, line: &NoticeLine) -> String {
    let key = match line.kind.as_str() {
        "mention" => "mail-notice-mention",
        "accepted" => "mail-notice-accepted",
        _ => "mail-notice-reply",
    };
    msg(lang, key, &[("who", &line.who), ("title", &line.title)])
}

/// Replies, mentions and accepted answers, in one mail (one event: its own subject).
pub fn notices(
    lang: &str,
    instance: &str,
    username: &str,
    lines: &[NoticeLine],
    settings_url: &str,
    unsubscribe_url: &str,
) -> Draft {
    let subject = match lines {
        [one] => notice_line(lang, one),
        _ => msg_count(
            lang,
            "mail-notices-subject-many",
            lines.len(),
            &[("instance", instance)],
        ),
    };
    let intro = msg(lang, "mail-notices-intro", &[]);
    let mut text = format!("{intro}\n");
    let mut html = format!("<p>{}</p><ul>", escape(&intro));
    for line in lines {
        let head = notice_line(lang, line);
        text.push_str(&format!("\n* {head}\n"));
        if !line.excerpt.is_empty() {
            text.push_str(&format!("  > {}\n", line.excerpt));
        }
        text.push_str(&format!("  {}\n", line.url));
        html.push_str(&format!(
            "<li><p><a href=\"{}\">{}</a></p>",
            escape(&line.url),
            escape(&head)
        ));
        if !line.excerpt.is_empty() {
            html.push_str(&format!(
                "<blockquote style=\"margin:0 0 0 1em;color:#333\">{}</blockquote>",
                escape(&line.excerpt)
            ));
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    Frame {
        lang,
        instance,
        name: username,
        settings_url: Some(settings_url),
        unsubscribe_url: Some(unsubscribe_url),
    }
    .wrap(subject, text, html)
}

/// The weekly digest.
pub fn digest(
    lang: &str,
    instance: &str,
    username: &str,
    digest: &Digest,
    settings_url: &str,
    unsubscribe_url: &str,
) -> Draft {
    let intro = msg(lang, "mail-digest-intro", &[]);
    let mut text = format!("{intro}\n");
    let mut html = format!("<p>{}</p>", escape(&intro));
    for (key, items) in [
        ("mail-digest-waiting", &digest.waiting),
        ("mail-digest-pages", &digest.pages),
        ("mail-digest-helpful", &digest.helpful),
    ] {
        if items.is_empty() {
            continue;
        }
        let heading = msg(lang, key, &[]);
        text.push_str(&format!("\n{heading}\n"));
        html.push_str(&format!(
            "<h2 style=\"font-size:1.1em\">{}</h2><ul>",
            escape(&heading)
        ));
        for item in items {
            let group = msg(lang, "mail-digest-in", &[("group", &item.group)]);
            text.push_str(&format!("* {} ({group})\n  {}\n", item.title, item.url));
            html.push_str(&format!(
                "<li><a href=\"{}\">{}</a> <span style=\"color:#555\">{}</span></li>",
                escape(&item.url),
                escape(&item.title),
                escape(&group)
            ));
        }
        html.push_str("</ul>");
    }
    Frame {
        lang,
        instance,
        name: username,
        settings_url: Some(settings_url),
        unsubscribe_url: Some(unsubscribe_url),
    }
    .wrap(
        msg(lang, "mail-digest-subject", &[("instance", instance)]),
        text,
        html,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_titles_are_escaped_in_html_and_kept_in_text() {
        let lines = [NoticeLine {
            kind: "reply".into(),
            who: "<b>mallory</b>".into(),
            title: "Why <script>alert(1)</script>?".into(),
            url: "https://a.example/posts/1#r2".into(),
            excerpt: "x < y & z".into(),
        }];
        let d = notices(
            "en",
            "a.example",
            "ann",
            &lines,
            "https://a.example/settings",
            "https://a.example/mail/unsubscribe/k?list=notices",
        );
        assert!(!d.html.contains("<script>"), "{}", d.html);
        assert!(!d.html.contains("<b>mallory"), "{}", d.html);
        assert!(d.html.contains("&lt;script&gt;"), "{}", d.html);
        assert!(d.text.contains("<b>mallory</b> replied in"), "{}", d.text);
        assert!(d.subject.contains("replied in"), "{}", d.subject);
        assert!(!d.subject.contains('\u{2068}'), "no Fluent isolation marks");
        assert!(d.text.contains("unsubscribe/k?list=notices"));
        assert!(
            d.html
                .contains("href=\"https://a.example/mail/unsubscribe/k?list=notices\"")
        );
    }

    #[test]
    fn several_notices_are_counted_in_the_subject() {
        let line = NoticeLine {
            kind: "mention".into(),
            who: "bob".into(),
            title: "T".into(),
            url: "https://a.example/posts/1".into(),
            excerpt: String::new(),
        };
        let d = notices("en", "a.example", "ann", &[line.clone(), line], "s", "u");
        assert!(d.subject.starts_with("2 new"), "{}", d.subject);
        let de = notices(
            "de",
            "a.example",
            "ann",
            &[NoticeLine {
                kind: "accepted".into(),
                ..Default::default()
            }],
            "s",
            "u",
        );
        assert_ne!(de.subject, "", "German renders");
    }

    #[test]
    fn the_reset_mail_carries_its_link_in_both_parts() {
        let d = reset(
            "en",
            "a.example",
            "ann",
            "https://a.example/password/reset?token=abc",
            60,
        );
        assert!(
            d.text
                .contains("https://a.example/password/reset?token=abc")
        );
        assert!(
            d.html
                .contains("href=\"https://a.example/password/reset?token=abc\"")
        );
        assert!(d.subject.contains("a.example"));
    }
}
