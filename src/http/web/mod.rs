//! Server-rendered pages. For now, the plain pages a browser gets at the URL of a person,
//! group, post or reply (which is also its ActivityPub id); the full interface comes with the
//! web-interface issue.

use crate::storage::entities::{groups, persons, posts, replies};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Cohort</title></head><body><main>{body}</main></body></html>",
        escape(title)
    )
}

/// A person's page.
pub fn person(p: &persons::Model) -> String {
    let handle = format!("@{}@{}", p.username, p.domain);
    page(&handle, &format!("<h1>{}</h1>", escape(&handle)))
}

/// A group's page. `description_html` is already sanitised.
pub fn group(g: &groups::Model) -> String {
    page(
        &g.title,
        &format!(
            "<h1>{}</h1><p>!{}@{}</p><div>{}</div>",
            escape(&g.title),
            escape(&g.name),
            escape(&g.domain),
            g.description_html
        ),
    )
}

/// A post's page. `body_html` is already sanitised.
pub fn post(p: &posts::Model) -> String {
    page(
        &p.title,
        &format!(
            "<article><h1>{}</h1>{}</article>",
            escape(&p.title),
            p.body_html
        ),
    )
}

/// A reply's page. `body_html` is already sanitised.
pub fn reply(r: &replies::Model) -> String {
    page("Reply", &format!("<article>{}</article>", r.body_html))
}

/// What stands at the address of deleted content.
pub fn gone() -> String {
    page("Deleted", "<p>This was deleted.</p>")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(
            super::escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
