//! User-written text: validation of titles and bodies, and markdown rendered to safe HTML.

use std::sync::LazyLock;

use crate::error::{Error, Result};

/// Longest post title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest markdown body of a post or reply, in characters.
pub const MAX_BODY_CHARS: usize = 100_000;
/// Longest group title, in characters.
pub const MAX_GROUP_TITLE_CHARS: usize = 100;
/// Longest group description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;

/// A single-line title: trimmed, 1 to `max` characters, no control characters.
pub fn title(field: &str, raw: &str, max: usize) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "must be a single line without control characters",
        ));
    }
    if t.chars().any(is_disguising) {
        return Err(Error::invalid(
            field,
            "must not contain invisible direction or spacing characters",
        ));
    }
    Ok(t.to_string())
}

/// A markdown body of at most `max` characters; `required` rejects an empty one.
pub fn body(field: &str, raw: &str, max: usize, required: bool) -> Result<String> {
    if required && raw.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if raw.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if raw.contains('\0') {
        return Err(Error::invalid(field, "must not contain NUL characters"));
    }
    Ok(raw.to_string())
}

/// Whether `c` is invisible formatting that can disguise text: bidirectional embeddings,
/// overrides and isolates (the "RLO" trick that shows `exe.txt` for `txt.exe`), directional
/// marks, zero-width spaces, word joiners, the byte-order mark, and line/paragraph
/// separators. The zero-width joiner and non-joiner stay: emoji sequences and Persian need
/// them.
pub fn is_disguising(c: char) -> bool {
    matches!(c,
        '\u{061C}'
        | '\u{200B}'
        | '\u{200E}'..='\u{200F}'
        | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// One line of plain text from a remote name or title: control and disguising characters
/// removed, at most `max` characters, trimmed.
pub fn plain_line(s: &str, max: usize) -> String {
    let kept: String = s
        .chars()
        .filter(|c| !c.is_control() && !is_disguising(*c))
        .collect();
    kept.trim()
        .chars()
        .take(max)
        .collect::<String>()
        .trim_end()
        .to_string()
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.link_rel(Some("nofollow noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect());
    b
});

/// Renders markdown to HTML that is safe to show: raw HTML in the source is cleaned, links
/// get `rel="nofollow noopener noreferrer"`, only http(s) and mailto URLs survive.
pub fn render_markdown(source: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(source, options));
    sanitize_html(&out)
}

/// Cleans untrusted HTML (from markdown here, or from a remote server) for display.
pub fn sanitize_html(html: &str) -> String {
    SANITIZER.clean(&html.replace('\0', "")).to_string()
}

/// Escapes text for HTML element content and attribute values (for HTML built outside the
/// templates, such as remote content assembled before sanitising).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_is_sanitised() {
        let html = render_markdown(
            "**bold** [x](javascript:alert(1)) <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn links_are_marked_nofollow() {
        let html = render_markdown("[site](https://example.org)");
        assert!(
            html.contains("rel=\"nofollow noopener noreferrer\""),
            "{html}"
        );
    }

    #[test]
    fn direction_tricks_are_removed_from_names() {
        assert_eq!(plain_line("evil\u{202E}txt.exe", 100), "eviltxt.exe");
        assert_eq!(plain_line("\u{2066}a\u{2069}\u{200B}b\u{FEFF}", 100), "ab");
        assert_eq!(plain_line("line\nbreak\u{2028}", 100), "linebreak");
        // Emoji sequences keep their joiner.
        assert_eq!(plain_line("👩\u{200D}💻", 100), "👩\u{200D}💻");
        assert_eq!(plain_line("  spaced  ", 3), "spa");
    }

    #[test]
    fn titles() {
        assert_eq!(title("title", "  Hello  ", 10).unwrap(), "Hello");
        assert!(title("title", "   ", 10).is_err());
        assert!(title("title", "a\nb", 10).is_err());
        assert!(title("title", &"é".repeat(11), 10).is_err());
        assert!(title("title", &"é".repeat(10), 10).is_ok());
    }

    #[test]
    fn bodies() {
        assert!(body("body", "", 10, false).is_ok());
        assert!(body("body", " ", 10, true).is_err());
        assert!(body("body", "12345678901", 10, true).is_err());
        assert!(body("body", "a\0b", 10, true).is_err());
    }
}
