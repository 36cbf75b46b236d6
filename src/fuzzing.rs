//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz) and for the test that replays
//! their corpus (`tests/api/fuzz_corpus.rs`).
//!
//! Each function takes arbitrary bytes, drives the real inbound code paths with them, and
//! returns nothing: it must never panic. A panic is a finding, and so is a broken invariant,
//! which is checked with `assert!`:
//!
//! - [`activity`] reads the bytes as the JSON body of an inbox POST (an activity, an object, an
//!   actor) and runs every object it finds through what storing it would do: tags,
//!   attachments, title, content warning and sanitised body. The sanitised body must be safe
//!   to show: no `script` element, no `on…` event handler, and no URL attribute (`href`,
//!   `src`…) whose scheme is `javascript:`, `vbscript:` or `data:`. (Plain *text* such as
//!   "javascript: is a URL scheme" is fine and is not flagged, nor is `<script` inside an
//!   attribute value like `title`: a browser shows both as text.) Titles and content warnings
//!   must be non-empty single lines of at most [`text::MAX_TITLE_CHARS`] characters without
//!   control or disguising characters.
//! - [`signature`] reads the bytes as a small HTTP request (format below) and runs both HTTP
//!   signature parsers (draft-cavage and RFC 9421) and the body digest check on it, then
//!   verifies whatever parses against a fixed test key.
//!
//! The request format of [`signature`] (lines end with `\n`, an optional `\r` before it is
//! dropped):
//!
//! ```text
//! POST /inbox?x=1              <- method and path-and-query (path defaults to `/`)
//! host: cohort.example         <- header lines, `name: value`; invalid ones are skipped
//! signature: keyId="…",…
//! @now: 1700000000             <- harness directive: the RFC 9421 clock (unix seconds)
//!                              <- an empty line ends the headers
//! {"type":"Follow"}            <- the body: everything after it
//! ```
//!
//! Anywhere in the input, `{date}` becomes the current time as an HTTP date and `{unix}` as
//! unix seconds: draft-cavage signatures are checked against the real clock (the library
//! reads it itself), so a seed with a fixed `Date` would go stale and stop reaching the
//! verification step. RFC 9421 uses `@now` when given, else the real clock. The target URI
//! of RFC 9421 is `https://<host header, or example.com><path>` (or the path itself when it is
//! an absolute `http(s)://` URI).

use std::{
    sync::OnceLock,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use activitypub_federation::traits::Activity as _;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::{
    domain::text,
    federation::{
        objects,
        protocol::{
            self,
            content::{Announced, GroupActivity},
            follow::InboxActivity,
        },
        rfc9421, signing,
    },
};

/// The host the draft-cavage parser assumes when a request has no `Host` header.
const LOCAL_HOST: &str = "example.com";

/// Public half of an RSA-2048 key made for fuzzing only (its private half signed the seeds in
/// `fuzz/seeds/signature/` that verify, with `fuzz/make_signature_seeds.py`, and was thrown
/// away). It authorises nothing anywhere.
pub const FUZZ_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3vmlltwnttR5YLSRtQru
j+M+0fDkNNrEjS4W6UDubWP3E+E1WkQnsROegK8T/dgXFWQ5SXyteVv5ayb5hfRK
OKHyDExzwAHy3x5S7u5DwF349qD5k4Ot2qYf6zwW3b3X0l/OrpEymnUEBmAMB1/j
ZiTWgiUZXLLCfSl9NwiPWIGWHvFeZoAAhxQydqhbpDiqk0c2tbRHY2cHAGDLWDNK
LWiqkAsg4++IcoOtpkcpIiZhvZqT7gRXgupDVSX77slo4zjrfir5ZAy2NloTIX7q
g0QwidESFKxBDPIWWm2yiLAdmLgSvA1T5xmNXemRw/gHeYR4aKJBUZ7ANZmkzYwP
fwIDAQAB
-----END PUBLIC KEY-----";

/// [`FUZZ_PUBLIC_KEY`], parsed once per process.
fn key() -> &'static signing::PublicKey {
    static KEY: OnceLock<signing::PublicKey> = OnceLock::new();
    KEY.get_or_init(|| signing::PublicKey::from_pem(FUZZ_PUBLIC_KEY).expect("the fuzzing key"))
}

// ---------------------------------------------------------------------------------------------
// Activities

/// What one input reached, for the corpus test to check that the seeds still go deep.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ActivityReached {
    /// It parsed as an [`InboxActivity`].
    pub inbox_activity: bool,
    /// It parsed as an [`protocol::Object`].
    pub object: bool,
    /// It parsed as an [`protocol::Actor`].
    pub actor: bool,
    /// How many objects (top-level or embedded) went through the content checks.
    pub objects_checked: usize,
}

/// Parses `data` as an inbox body (activity, object and actor) and exercises every object
/// found. Panics only on a bug (see the module docs for the invariants).
pub fn activity(data: &[u8]) {
    activity_reached(data);
}

/// [`activity`], telling what the input reached.
pub fn activity_reached(data: &[u8]) -> ActivityReached {
    let mut reached = ActivityReached::default();
    if let Ok(a) = serde_json::from_slice::<InboxActivity>(data) {
        reached.inbox_activity = true;
        inbox_activity(&a, &mut reached);
    }
    if let Ok(o) = serde_json::from_slice::<protocol::Object>(data) {
        reached.object = true;
        object(&o, &mut reached);
    }
    if let Ok(actor) = serde_json::from_slice::<protocol::Actor>(data) {
        reached.actor = true;
        let _ = actor.shared_inbox();
        let _ = serde_json::to_vec(&actor);
    }
    reached
}

fn inbox_activity(a: &InboxActivity, reached: &mut ActivityReached) {
    let _ = a.id();
    let _ = a.actor();
    let _ = serde_json::to_vec(a);
    match a {
        InboxActivity::Group(g) => group_activity(g, reached),
        InboxActivity::Announce(announce) => match &announce.object {
            Announced::Activity(g) => group_activity(g, reached),
            Announced::Object(o) => object(o, reached),
            Announced::Page(_) | Announced::Id(_) => {}
        },
        InboxActivity::Follow(_)
        | InboxActivity::Accept(_)
        | InboxActivity::Undo(_)
        | InboxActivity::UndoShare(_)
        | InboxActivity::Reject(_) => {}
    }
}

fn group_activity(g: &GroupActivity, reached: &mut ActivityReached) {
    let _ = g.id();
    let _ = g.actor();
    let _ = g.dedupe_key();
    let _ = g.is_account_deletion();
    if let GroupActivity::CreateOrUpdate(c) = g {
        object(&c.object, reached);
    }
}

fn object(obj: &protocol::Object, reached: &mut ActivityReached) {
    reached.objects_checked += 1;
    let _ = obj.tags();
    let _ = obj.attachments();
    let _ = obj.body_html();
    let _ = obj.is_public();
    check_line("title_of", &objects::title_of(obj));
    if let Some(cw) = objects::content_warning(obj) {
        check_line("content_warning", &cw);
    }
    if let Ok(html) = objects::sanitized_content(
        obj,
        &crate::domain::Instance::from_config(&crate::config::Config::default()),
    ) {
        check_safe_html(&html);
    }
}

fn check_line(what: &str, s: &str) {
    assert!(!s.is_empty(), "{what} is empty");
    assert!(
        s.chars().count() <= text::MAX_TITLE_CHARS,
        "{what} is longer than {} characters: {s:?}",
        text::MAX_TITLE_CHARS
    );
    assert!(
        !s.chars().any(|c| c.is_control() || text::is_disguising(c)),
        "{what} has a control or disguising character: {s:?}"
    );
    assert_eq!(s.trim(), s, "{what} is not trimmed");
}

/// Attributes whose value a browser loads or follows as a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "srcset",
    "cite",
    "action",
    "formaction",
    "background",
    "poster",
    "data",
    "longdesc",
    "usemap",
    "xlink:href",
    "ping",
];

/// Panics unless `html` (serialised by the sanitiser) is safe to show: see the module docs.
pub fn check_safe_html(html: &str) {
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        // A comment: skipped whole (the sanitiser drops them anyway).
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(bytes.len(), |e| i + e + 3);
            continue;
        }
        let name_start = i;
        while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/') {
            i += 1;
        }
        // `</`: a closing tag.
        if i == name_start && i < bytes.len() && bytes[i] == b'/' {
            i += 1;
            continue;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        assert!(name != "script", "a script element survived: {html}");
        // Attributes, up to the end of the tag.
        loop {
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                i += 1;
                break;
            }
            let attr_start = i;
            while i < bytes.len()
                && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'=' | b'/')
            {
                i += 1;
            }
            let attr = html[attr_start..i].to_ascii_lowercase();
            let mut value = "";
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                let (start, end) = match bytes.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let start = i + 1;
                        let end = html[start..]
                            .find(char::from(q))
                            .map_or(bytes.len(), |e| start + e);
                        i = (end + 1).min(bytes.len());
                        (start, end)
                    }
                    _ => {
                        let start = i;
                        while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'>') {
                            i += 1;
                        }
                        (start, i)
                    }
                };
                value = &html[start..end];
            }
            assert!(
                !attr.starts_with("on"),
                "an event handler attribute {attr:?} survived: {html}"
            );
            if URL_ATTRIBUTES.contains(&attr.as_str()) {
                let urls: Vec<&str> = if attr == "srcset" || attr == "ping" {
                    value.split([',', ' ']).collect()
                } else {
                    vec![value]
                };
                for url in urls {
                    let scheme = url_scheme(url);
                    assert!(
                        !matches!(scheme.as_str(), "javascript" | "vbscript" | "data"),
                        "a {scheme}: URL survived in {attr}: {html}"
                    );
                }
            }
        }
    }
}

/// The scheme a browser would read from an attribute value: character references decoded,
/// leading and trailing C0 controls and spaces trimmed, tabs and newlines removed (the URL
/// standard's preprocessing), lowercased; empty when there is none.
fn url_scheme(value: &str) -> String {
    let decoded = decode_references(value);
    let cleaned: String = decoded
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    match cleaned.split_once(':') {
        Some((scheme, _))
            if scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            scheme.to_ascii_lowercase()
        }
        _ => String::new(),
    }
}

/// Character references decoded once, as a browser does in an attribute value: the named ones
/// a serialiser writes, and numeric ones.
fn decode_references(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '#')
            .map_or(rest.len(), |e| e + 1);
        let name = &rest[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "nbsp" => Some('\u{a0}'),
            "colon" => Some(':'),
            "tab" | "Tab" => Some('\t'),
            "newline" | "NewLine" => Some('\n'),
            _ => name.strip_prefix('#').and_then(|n| {
                let code = match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => n.parse().ok(),
                };
                code.and_then(char::from_u32)
            }),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = rest.get(end..).unwrap_or("");
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// HTTP signatures

/// A request read from the fuzzer's bytes (see the module docs for the format).
struct Request {
    method: String,
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
    now: Option<SystemTime>,
}

/// `data` with every `from` replaced by `to`.
fn replace(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

fn parse_request(data: &[u8]) -> Request {
    let now = SystemTime::now();
    let unix = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let data = replace(data, b"{date}", httpdate::fmt_http_date(now).as_bytes());
    let data = replace(&data, b"{unix}", unix.to_string().as_bytes());

    let mut lines = data.split(|&b| b == b'\n');
    let mut consumed = 0;
    let mut next_line = |consumed: &mut usize| {
        lines.next().map(|l| {
            *consumed += l.len() + 1;
            l.strip_suffix(b"\r").unwrap_or(l)
        })
    };
    let first = String::from_utf8_lossy(next_line(&mut consumed).unwrap_or_default()).into_owned();
    let (method, path) = match first.split_once(' ') {
        Some((m, p)) => (m.to_string(), p.trim().to_string()),
        None => (first.clone(), String::new()),
    };
    let path = if path.is_empty() { "/".into() } else { path };
    let mut headers = HeaderMap::new();
    let mut clock = None;
    while let Some(line) = next_line(&mut consumed) {
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (trim(&line[..colon]), trim(&line[colon + 1..]));
        if name == b"@now" {
            clock = std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s)));
            continue;
        }
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    let body = data.get(consumed..).unwrap_or_default().to_vec();
    Request {
        method,
        path,
        headers,
        body,
        now: clock,
    }
}

/// The URI the request was made to, as the inbox reconstructs it.
fn target_uri(r: &Request) -> Url {
    if (r.path.starts_with("https://") || r.path.starts_with("http://"))
        && let Ok(u) = Url::parse(&r.path)
    {
        return u;
    }
    let host = r
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or(LOCAL_HOST);
    Url::parse(&format!("https://{host}{}", r.path))
        .or_else(|_| Url::parse(&format!("https://{LOCAL_HOST}{}", r.path)))
        .unwrap_or_else(|_| Url::parse("https://example.com/inbox").expect("a valid URL"))
}

/// What one request reached, for the corpus test to check that the seeds still go deep.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SignatureReached {
    /// The `Digest` header matched the body.
    pub digest_ok: bool,
    /// The draft-cavage parser accepted it as a POST; the key id it claims.
    pub cavage_post: Option<String>,
    /// The draft-cavage parser accepted it as a signed GET; the key id it claims.
    pub cavage_fetch: Option<String>,
    /// The RFC 9421 parser accepted it with its body (as a POST); the key id it claims.
    pub rfc9421: Option<String>,
    /// The RFC 9421 parser accepted it as a request without a body (a signed GET); the key id
    /// it claims.
    pub rfc9421_without_body: Option<String>,
    /// Some signature verified with [`FUZZ_PUBLIC_KEY`].
    pub verified: bool,
}

/// Parses `data` as a signed request and runs both signature parsers and the digest check on
/// it, verifying what parses with [`FUZZ_PUBLIC_KEY`]. Panics only on a bug.
pub fn signature(data: &[u8]) {
    signature_reached(data);
}

/// [`signature`], telling what the request reached.
pub fn signature_reached(data: &[u8]) -> SignatureReached {
    let r = parse_request(data);
    let key = key();
    let mut reached = SignatureReached::default();

    let digest = r.headers.get("digest").and_then(|v| v.to_str().ok());
    reached.digest_ok = signing::verify_digest(digest, &r.body).is_ok();

    // As the inbox does: over the full target, and over the path alone when there is a
    // query (some servers sign that).
    let without_query = r.path.split_once('?').map(|(path, _)| path);
    for path in std::iter::once(r.path.as_str()).chain(without_query) {
        for fetch in [false, true] {
            let parsed = if fetch {
                signing::Unverified::parse_fetch(&r.method, path, &r.headers, LOCAL_HOST)
            } else {
                signing::Unverified::parse(&r.method, path, &r.headers, LOCAL_HOST)
            };
            if let Ok(u) = parsed {
                let key_id = Some(u.key_id().to_string());
                if fetch {
                    reached.cavage_fetch = key_id;
                } else {
                    reached.cavage_post = key_id;
                }
                reached.verified |= u.verify(key).is_ok();
            }
        }
    }

    let _ = rfc9421::present(&r.headers);
    let url = target_uri(&r);
    let now = r.now.unwrap_or_else(SystemTime::now);
    for with_body in [true, false] {
        let body = with_body.then_some(r.body.as_slice());
        if let Ok(u) = rfc9421::Unverified::parse(&r.method, &url, &r.headers, body, now) {
            assert!(
                !u.key_id().is_empty(),
                "an RFC 9421 signature without keyid"
            );
            let key_id = Some(u.key_id().to_string());
            if with_body {
                reached.rfc9421 = key_id;
            } else {
                reached.rfc9421_without_body = key_id;
            }
            reached.verified |= u.verify(key).is_ok();
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsafe_html(html: &str) -> bool {
        std::panic::catch_unwind(|| check_safe_html(html)).is_err()
    }

    #[test]
    fn the_html_check_catches_what_would_run() {
        for bad in [
            "<SCRIPT>alert(1)</SCRIPT>",
            "<p>x</p><script src=\"https://a.example/x.js\"></script>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\" JaVa&#x09;Script&colon;alert(1)\">x</a>",
            "<a href=\"java\nscript:alert(1)\">x</a>",
            "<a href='vbscript:x'>x</a>",
            "<img src=data:text/html,x>",
            "<img srcset=\"https://a.example/1.png 1x, javascript:alert(1) 2x\">",
            "<img src=\"https://a.example/x.png\" onerror=\"alert(1)\">",
        ] {
            assert!(unsafe_html(bad), "not caught: {bad}");
        }
    }

    #[test]
    fn the_html_check_leaves_text_and_other_attributes_alone() {
        for good in [
            "<p>javascript: is a URL scheme, &lt;script&gt; a tag</p>",
            "<p title=\"<script>javascript:alert(1)\">x</p>",
            "<img src=\"https://a.example/x.png\" alt=\"javascript:\">",
            "<a href=\"https://a.example/?q=javascript:1\" rel=\"nofollow\">x</a>",
            "<a href=\"/relative/javascript:1\">x</a><!-- <script> -->",
        ] {
            assert!(!unsafe_html(good), "flagged: {good}");
        }
    }

    #[test]
    fn requests_are_read_from_lines() {
        let r = parse_request(
            b"POST /inbox?a=1\r\nhost: h.example\r\nbad header\r\nx-v: \xff\r\n@now: 5\r\n\r\nbody\nmore",
        );
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/inbox?a=1"));
        assert_eq!(r.headers["host"], "h.example");
        assert_eq!(r.headers["x-v"].as_bytes(), b"\xff");
        assert_eq!(r.headers.len(), 2);
        assert_eq!(r.now, Some(UNIX_EPOCH + Duration::from_secs(5)));
        assert_eq!(r.body, b"body\nmore");
        assert_eq!(target_uri(&r).as_str(), "https://h.example/inbox?a=1");
        let r = parse_request(b"GET");
        assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/"));
        assert!(r.body.is_empty());
        let r = parse_request(b"GET /x\ndate: {date}\n");
        assert!(httpdate::parse_http_date(r.headers["date"].to_str().unwrap()).is_ok());
    }
}
