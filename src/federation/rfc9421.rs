//! RFC 9421 HTTP Message Signatures on inbound requests, as Mastodon 4.4+ sends them: the
//! `Signature-Input` and `Signature` fields, with the body bound by an RFC 9530
//! `Content-Digest`.
//!
//! Mastodon signs `("@method" "@target-uri" "content-digest");created=…;keyid="…"` with its
//! actors' RSA keys (PKCS#1 v1.5, SHA-256), label `sig1`. We verify that form and the other
//! usual ones: the derived components `@method`, `@target-uri`, `@authority`, `@scheme`,
//! `@path`, `@query` and `@request-target`, and ordinary header fields. The algorithms are
//! `rsa-v1_5-sha256` (also when `alg` is absent: the key is RSA) and `rsa-pss-sha512`.
//!
//! The structured fields (RFC 8941) are parsed and serialised by `sfv`, with our stricter rules
//! on top (module `sf`). Every field is capped at 8 KiB and a signature at 32 components, so
//! hostile input costs linear work at most.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderName};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use sfv::{BareItem, Item, KeyRef, ListEntry};
use sha2::{Digest, Sha256, Sha512};
use url::Url;

use super::signing::{CLOCK_SKEW, DATE_WINDOW, PrivateKey, PublicKey};
use crate::error::{Error, Result};

/// Largest `Signature-Input`, `Signature` or `Content-Digest` field (all its lines together),
/// and largest value of a covered header field.
const MAX_FIELD: usize = 8 * 1024;
/// Most components one signature may cover.
const MAX_COMPONENTS: usize = 32;
/// Longest signature, in bytes (an 8192-bit RSA key).
const MAX_SIGNATURE: usize = 1024;
/// The label we sign with, as Mastodon does.
const LABEL: &str = "sig1";
/// RSASSA-PKCS1-v1_5 with SHA-256.
const RSA_V1_5_SHA256: &str = "rsa-v1_5-sha256";
/// RSASSA-PSS with SHA-512.
const RSA_PSS_SHA512: &str = "rsa-pss-sha512";

fn refuse(message: impl std::fmt::Display) -> Error {
    Error::Signature(format!("RFC 9421 signature: {message}"))
}

/// `tchar` of RFC 9110 (methods, header names, tokens).
fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// The signature algorithms we verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    RsaV15Sha256,
    RsaPssSha512,
}

/// An RFC 9421 signature of a request, parsed and checked (freshness, coverage, body digest),
/// not yet verified against the signer's key.
#[derive(Debug)]
pub struct Unverified {
    key_id: String,
    base: String,
    signature: Vec<u8>,
    alg: Alg,
}

impl Unverified {
    /// Parses `Signature-Input`/`Signature` of a request. `target_uri` is the full URI the
    /// request was made to (scheme://authority/path?query) as reconstructed by the server.
    /// `body`: Some for a POST (then `content-digest` must be covered and must match the body,
    /// sha-256 or sha-512; a mismatch is refused).
    ///
    /// The signature used is the first label of `Signature-Input` that `Signature` also has.
    /// It must cover `@method`, and the target: `@target-uri`, or `@request-target` or `@path`
    /// (with `@query` when the request has a query) together with `@authority` or a `host`
    /// field equal to the target's authority. `created` is required, at most [`DATE_WINDOW`]
    /// old and at most [`CLOCK_SKEW`] ahead of `now`; `expires`, if present, must be after
    /// `now`; `keyid` is required; `alg` must be absent, `rsa-v1_5-sha256` or
    /// `rsa-pss-sha512`.
    pub fn parse(
        method: &str,
        target_uri: &Url,
        headers: &HeaderMap,
        body: Option<&[u8]>,
        now: SystemTime,
    ) -> Result<Self> {
        let method = request_method(method)?;
        let inputs_field = field(headers, "signature-input")?
            .ok_or_else(|| refuse("the Signature-Input header is missing"))?;
        let signatures_field = field(headers, "signature")?
            .ok_or_else(|| refuse("the Signature header is missing"))?;
        let inputs = sf::dictionary(&inputs_field)
            .map_err(|e| refuse(format!("Signature-Input is malformed: {e}")))?;
        let signatures = sf::dictionary(&signatures_field)
            .map_err(|e| refuse(format!("Signature is malformed: {e}")))?;
        let ((label, input), (_, signature)) = inputs
            .iter()
            .find_map(|i| signatures.iter().find(|s| s.0 == i.0).map(|s| (i, s)))
            .ok_or_else(|| refuse("no label of Signature-Input has a Signature"))?;
        let label = label.as_str();
        let ListEntry::InnerList(list) = input else {
            return Err(refuse(format!(
                "Signature-Input {label} is not an inner list"
            )));
        };
        let (items, params) = (&list.items, &list.params);
        let signature = match signature {
            ListEntry::Item(Item {
                bare_item: BareItem::ByteSequence(bytes),
                params,
            }) if params.is_empty() => bytes,
            _ => {
                return Err(refuse(format!("Signature {label} is not a byte sequence")));
            }
        };
        if signature.is_empty() || signature.len() > MAX_SIGNATURE {
            return Err(refuse(format!(
                "Signature {label} has an implausible length ({} bytes)",
                signature.len()
            )));
        }

        // The covered components.
        if items.len() > MAX_COMPONENTS {
            return Err(refuse(format!(
                "more than {MAX_COMPONENTS} covered components"
            )));
        }
        let mut components: Vec<&str> = Vec::with_capacity(items.len());
        for item in items {
            let BareItem::String(name) = &item.bare_item else {
                return Err(refuse("a covered component is not a string"));
            };
            if !item.params.is_empty() {
                return Err(refuse(format!(
                    "component {:?} has parameters, which are not supported",
                    name.as_str()
                )));
            }
            if components.contains(&name.as_str()) {
                return Err(refuse(format!(
                    "component {:?} is covered twice",
                    name.as_str()
                )));
            }
            components.push(name.as_str());
        }

        // The signature parameters; others (nonce, tag…) are only part of the base.
        let (mut created, mut expires, mut key_id, mut alg) = (None, None, None, None);
        for (key, value) in params {
            let key = key.as_str();
            match (key, value) {
                ("created", BareItem::Integer(n)) => created = Some(i64::from(*n)),
                ("expires", BareItem::Integer(n)) => expires = Some(i64::from(*n)),
                ("keyid", BareItem::String(s)) => key_id = Some(s.as_str()),
                ("alg", BareItem::String(s)) => alg = Some(s.as_str()),
                ("created" | "expires", _) => {
                    return Err(refuse(format!("the {key} parameter is not an integer")));
                }
                ("keyid" | "alg", _) => {
                    return Err(refuse(format!("the {key} parameter is not a string")));
                }
                _ => {}
            }
        }
        let now = unix_seconds(now)?;
        let created = created.ok_or_else(|| refuse("the created parameter is missing"))?;
        if created < 0 {
            return Err(refuse("the created parameter is negative"));
        }
        if created > now.saturating_add(secs(CLOCK_SKEW)) {
            return Err(refuse("the signature was created in the future"));
        }
        if now.saturating_sub(created) > secs(DATE_WINDOW) {
            return Err(refuse("the signature is too old"));
        }
        if let Some(expires) = expires
            && expires <= now
        {
            return Err(refuse("the signature has expired"));
        }
        let key_id = key_id
            .filter(|k| !k.is_empty())
            .ok_or_else(|| refuse("the keyid parameter is missing"))?
            .to_string();
        let alg = match alg {
            None | Some(RSA_V1_5_SHA256) => Alg::RsaV15Sha256,
            Some(RSA_PSS_SHA512) => Alg::RsaPssSha512,
            Some(other) => {
                return Err(refuse(format!("unsupported algorithm {other:?}")));
            }
        };

        // What must be covered.
        let covers = |c: &str| components.contains(&c);
        let authority = target_authority(target_uri)?;
        if !covers("@method") {
            return Err(refuse("the signature does not cover @method"));
        }
        if !covers("@target-uri") {
            if !covers("@request-target") && !covers("@path") {
                return Err(refuse(
                    "the signature covers neither @target-uri, @request-target nor @path",
                ));
            }
            if !covers("@request-target")
                && !covers("@query")
                && !target_uri.query().is_none_or(str::is_empty)
            {
                return Err(refuse(
                    "the signature covers @path but not @query, and the request has a query",
                ));
            }
            if !covers("@authority") {
                if !covers("host") {
                    return Err(refuse(
                        "the signature covers neither @target-uri, @authority nor host",
                    ));
                }
                let host = header_value(headers, "host")?;
                if !host.eq_ignore_ascii_case(&authority) {
                    return Err(refuse(format!(
                        "the signed host {host:?} is not this server ({authority})"
                    )));
                }
            }
        }
        if body.is_some() && !covers("content-digest") {
            return Err(refuse("the signature does not cover content-digest"));
        }

        let mut lines = Vec::with_capacity(components.len());
        for name in &components {
            lines.push((
                *name,
                component_value(name, &method, target_uri, &authority, headers)?,
            ));
        }
        if let Some(body) = body
            && let Some((_, digest)) = lines.iter().find(|(n, _)| *n == "content-digest")
        {
            check_content_digest(digest, body)?;
        }
        // RFC 9421 §2.3: the signature parameters as RFC 8941 serialises them.
        let mut params = sfv::ListSerializer::new();
        params.members([input]);
        let params = params.finish().unwrap_or_default();
        Ok(Self {
            key_id,
            base: signature_base(&lines, &params),
            signature: signature.clone(),
            alg,
        })
    }

    /// The `keyid` the signature claims.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Verifies the signature with `key`, the public key of [`Unverified::key_id`].
    pub fn verify(&self, key: &PublicKey) -> Result<()> {
        let valid = match self.alg {
            Alg::RsaV15Sha256 => key.verify(self.base.as_bytes(), &self.signature),
            Alg::RsaPssSha512 => key.verify_pss_sha512(self.base.as_bytes(), &self.signature),
        };
        if valid {
            Ok(())
        } else {
            Err(refuse("the signature does not match the actor's key"))
        }
    }
}

/// True when the request carries an RFC 9421 signature (a `signature-input` header).
pub fn present(headers: &HeaderMap) -> bool {
    headers.contains_key("signature-input")
}

/// Signs a request as Mastodon does with RFC 9421: covers ("@method" "@target-uri" and, with a
/// body, "content-digest"), params created + keyid (+ alg="rsa-v1_5-sha256" only if
/// `with_alg`), label "sig1". Returns the headers to add: for a body
/// `("content-digest", "sha-256=:...:")`, then `("signature-input", ...)`,
/// `("signature", "sig1=:...:")`.
pub fn sign(
    key: &PrivateKey,
    key_id: &str,
    method: &str,
    target_uri: &Url,
    body: Option<&[u8]>,
    created: SystemTime,
    with_alg: bool,
) -> Result<Vec<(&'static str, String)>> {
    let method = request_method(method)?;
    let created = unix_seconds(created)?;
    let key_id = sfv::StringRef::from_str(key_id)
        .map_err(|_| refuse("the key id is not printable ASCII"))?;
    let created = sfv::Integer::try_from(created).map_err(|_| refuse("the time is too late"))?;
    let mut headers = Vec::with_capacity(3);
    let mut lines = vec![
        ("@method", method),
        ("@target-uri", target_string(target_uri)),
    ];
    if let Some(body) = body {
        let digest = format!("sha-256=:{}:", B64.encode(Sha256::digest(body)));
        lines.push(("content-digest", digest.clone()));
        headers.push(("content-digest", digest));
    }
    let mut params = sfv::ListSerializer::new();
    let mut list = params.inner_list();
    for (name, _) in &lines {
        let _ = list.bare_item(sfv::StringRef::constant(name));
    }
    let mut list_params = list
        .finish()
        .parameter(KeyRef::constant("created"), created)
        .parameter(KeyRef::constant("keyid"), key_id);
    if with_alg {
        list_params = list_params.parameter(
            KeyRef::constant("alg"),
            sfv::StringRef::constant(RSA_V1_5_SHA256),
        );
    }
    let _ = list_params.finish();
    let params = params.finish().unwrap_or_default();
    let signature = key.sign(signature_base(&lines, &params).as_bytes())?;
    headers.push(("signature-input", format!("{LABEL}={params}")));
    headers.push(("signature", format!("{LABEL}=:{}:", B64.encode(signature))));
    Ok(headers)
}

/// RFC 9421 §2.5: one `"name": value` line per component, then `"@signature-params": ` and
/// the inner list as the signer wrote it; no trailing newline.
fn signature_base(components: &[(&str, String)], params: &str) -> String {
    let mut base = String::new();
    for (name, value) in components {
        base.push('"');
        base.push_str(name);
        base.push_str("\": ");
        base.push_str(value);
        base.push('\n');
    }
    base.push_str("\"@signature-params\": ");
    base.push_str(params);
    base
}

/// The value of covered component `name`.
fn component_value(
    name: &str,
    method: &str,
    target: &Url,
    authority: &str,
    headers: &HeaderMap,
) -> Result<String> {
    Ok(match name {
        "@method" => method.to_string(),
        "@target-uri" => target_string(target),
        "@authority" => authority.to_string(),
        "@scheme" => target.scheme().to_ascii_lowercase(),
        "@path" => path(target).to_string(),
        "@query" => format!("?{}", target.query().unwrap_or("")),
        "@request-target" => match target.query() {
            Some(q) => format!("{}?{q}", path(target)),
            None => path(target).to_string(),
        },
        _ if name.starts_with('@') => {
            return Err(refuse(format!(
                "the derived component {name:?} is not supported"
            )));
        }
        _ => header_value(headers, name)?,
    })
}

/// The value of a covered header field: its lines trimmed and joined by `, `.
fn header_value(headers: &HeaderMap, name: &str) -> Result<String> {
    let header = HeaderName::from_bytes(name.as_bytes())
        .ok()
        .filter(|h| h.as_str() == name)
        .ok_or_else(|| refuse(format!("{name:?} is not a lowercase header field name")))?;
    let mut value: Option<String> = None;
    for line in headers.get_all(&header) {
        let line = line
            .to_str()
            .map_err(|_| refuse(format!("the covered header {name} is not visible ASCII")))?
            .trim_matches([' ', '\t']);
        match &mut value {
            None => value = Some(line.to_string()),
            Some(v) => {
                v.push_str(", ");
                v.push_str(line);
            }
        }
        if value.as_ref().is_some_and(|v| v.len() > MAX_FIELD) {
            return Err(refuse(format!("the covered header {name} is too long")));
        }
    }
    value.ok_or_else(|| refuse(format!("the covered header {name} is absent")))
}

/// A structured field, all its lines joined by `, ` (RFC 8941 §4.2), or None when absent.
fn field(headers: &HeaderMap, name: &'static str) -> Result<Option<String>> {
    let mut value: Option<String> = None;
    for line in headers.get_all(name) {
        let line = line
            .to_str()
            .map_err(|_| refuse(format!("the {name} header is not visible ASCII")))?;
        match &mut value {
            None => value = Some(line.to_string()),
            Some(v) => {
                v.push_str(", ");
                v.push_str(line);
            }
        }
        if value.as_ref().is_some_and(|v| v.len() > MAX_FIELD) {
            return Err(refuse(format!(
                "the {name} header is longer than {MAX_FIELD} bytes"
            )));
        }
    }
    Ok(value)
}

/// Checks `body` against a `Content-Digest` value: at least one sha-256 or sha-512 digest, and
/// every one of them must match. Other algorithms are ignored.
fn check_content_digest(value: &str, body: &[u8]) -> Result<()> {
    let members =
        sf::dictionary(value).map_err(|e| refuse(format!("Content-Digest is malformed: {e}")))?;
    let mut checked = false;
    for (key, value) in &members {
        let expected = match key.as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        let ListEntry::Item(Item {
            bare_item: BareItem::ByteSequence(digest),
            ..
        }) = value
        else {
            return Err(refuse(format!(
                "Content-Digest {} is not a byte sequence",
                key.as_str()
            )));
        };
        if *digest != expected {
            return Err(refuse("the body does not match its Content-Digest"));
        }
        checked = true;
    }
    if checked {
        Ok(())
    } else {
        Err(refuse("Content-Digest has no sha-256 or sha-512 digest"))
    }
}

/// The request method, which must be a token, uppercased.
fn request_method(method: &str) -> Result<String> {
    if method.is_empty() || method.len() > 32 || !method.bytes().all(is_tchar) {
        return Err(refuse("the request method is not a token"));
    }
    Ok(method.to_ascii_uppercase())
}

/// `@authority`: the lowercase host, and the port unless it is the scheme's default.
fn target_authority(target: &Url) -> Result<String> {
    crate::domain::instances::authority(target).ok_or_else(|| refuse("the target URI has no host"))
}

/// `@target-uri`: the target without a fragment.
fn target_string(target: &Url) -> String {
    if target.fragment().is_none() {
        target.as_str().to_string()
    } else {
        let mut target = target.clone();
        target.set_fragment(None);
        target.as_str().to_string()
    }
}

/// `@path`: the absolute path, `/` when empty.
fn path(target: &Url) -> &str {
    match target.path() {
        "" => "/",
        p => p,
    }
}

fn unix_seconds(t: SystemTime) -> Result<i64> {
    t.duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .ok_or_else(|| refuse("the time is before 1970"))
}

fn secs(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// The parts of RFC 8941 structured fields that signatures use, parsed by `sfv` into its own
/// types. Strict where RFC 8941 is lenient: keys and parameters may not repeat (RFC 8941 would
/// let the last one win; a signature has no use for that ambiguity), RFC 9651 dates and
/// display strings are refused, and members, items and parameters are counted.
mod sf {
    use sfv::visitor::{
        DictionaryVisitor, EntryVisitor, InnerListVisitor, ItemVisitor, ParameterVisitor,
    };
    use sfv::{BareItemFromInput, InnerList, Item, Key, KeyRef, ListEntry, Parameters};

    /// Most members of a dictionary.
    const MAX_MEMBERS: usize = 64;
    /// Most items of an inner list.
    const MAX_ITEMS: usize = 64;
    /// Most parameters of an item or inner list.
    const MAX_PARAMS: usize = 32;

    /// Parses a dictionary (RFC 8941 §4.2.2) into its members, in order.
    pub(super) fn dictionary(input: &str) -> Result<Vec<(Key, ListEntry)>, sfv::Error> {
        sfv::Parser::new(input)
            .with_version(sfv::Version::Rfc8941)
            .parse_dictionary_with_visitor(Members(Vec::new()))
    }

    /// A structure rule of ours that the input breaks.
    #[derive(Debug)]
    struct Refused(&'static str);

    impl std::fmt::Display for Refused {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Refused {}

    struct Members(Vec<(Key, ListEntry)>);

    impl<'de> DictionaryVisitor<'de> for Members {
        type Out = Vec<(Key, ListEntry)>;
        type Error = Refused;

        fn entry(&mut self, key: &'de KeyRef) -> Result<impl EntryVisitor<'de>, Refused> {
            if self.0.iter().any(|(k, _)| k.as_ref() == key) {
                return Err(Refused("a key is repeated"));
            }
            if self.0.len() >= MAX_MEMBERS {
                return Err(Refused("too many members"));
            }
            self.0
                .push((key.to_owned(), ListEntry::Item(Item::new(true))));
            match self.0.last_mut() {
                Some((_, entry)) => Ok(Entry(entry)),
                None => Err(Refused("a member is missing")),
            }
        }

        fn finish(self) -> Result<Self::Out, Refused> {
            Ok(self.0)
        }
    }

    struct Entry<'a>(&'a mut ListEntry);

    impl<'de> EntryVisitor<'de> for Entry<'_> {
        type Error = Refused;

        fn item(self) -> Result<impl ItemVisitor<'de>, Refused> {
            Ok(self)
        }

        fn inner_list(self) -> Result<impl InnerListVisitor<'de>, Refused> {
            *self.0 = ListEntry::InnerList(InnerList::default());
            match self.0 {
                ListEntry::InnerList(list) => Ok(List(list)),
                ListEntry::Item(_) => Err(Refused("an inner list is missing")),
            }
        }
    }

    impl<'de> ItemVisitor<'de> for Entry<'_> {
        type Out = ();
        type Error = Refused;

        fn bare_item(
            self,
            bare_item: BareItemFromInput<'de>,
        ) -> Result<impl ParameterVisitor<'de, Out = ()>, Refused> {
            *self.0 = ListEntry::Item(Item::new(bare_item));
            match self.0 {
                ListEntry::Item(item) => Ok(Params(&mut item.params)),
                ListEntry::InnerList(_) => Err(Refused("an item is missing")),
            }
        }
    }

    struct List<'a>(&'a mut InnerList);

    impl<'de> InnerListVisitor<'de> for List<'_> {
        type Error = Refused;

        fn item(&mut self) -> Result<impl ItemVisitor<'de>, Refused> {
            if self.0.items.len() >= MAX_ITEMS {
                return Err(Refused("too many items in an inner list"));
            }
            Ok(ListItem(&mut self.0.items))
        }

        fn finish(self) -> Result<impl ParameterVisitor<'de>, Refused> {
            Ok(Params(&mut self.0.params))
        }
    }

    struct ListItem<'a>(&'a mut Vec<Item>);

    impl<'de> ItemVisitor<'de> for ListItem<'_> {
        type Out = ();
        type Error = Refused;

        fn bare_item(
            self,
            bare_item: BareItemFromInput<'de>,
        ) -> Result<impl ParameterVisitor<'de, Out = ()>, Refused> {
            self.0.push(Item::new(bare_item));
            match self.0.last_mut() {
                Some(item) => Ok(Params(&mut item.params)),
                None => Err(Refused("an item is missing")),
            }
        }
    }

    struct Params<'a>(&'a mut Parameters);

    impl<'de> ParameterVisitor<'de> for Params<'_> {
        type Out = ();
        type Error = Refused;

        fn parameter(
            &mut self,
            key: &'de KeyRef,
            value: BareItemFromInput<'de>,
        ) -> Result<(), Refused> {
            if self.0.contains_key(key) {
                return Err(Refused("a parameter is repeated"));
            }
            if self.0.len() >= MAX_PARAMS {
                return Err(Refused("too many parameters"));
            }
            self.0.insert(key.to_owned(), value.into());
            Ok(())
        }

        fn finish(self) -> Result<(), Refused> {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use rsa::{
        Pkcs1v15Sign, RsaPublicKey,
        pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding},
    };
    use std::time::Duration;

    const KEY_ID: &str = "https://mastodon.example/users/alice#main-key";
    const BODY: &[u8] = br#"{"type":"Follow"}"#;
    /// SHA-256 of [`BODY`], computed independently.
    const BODY_SHA256: &str = "GYwYnH3BiO6aICFt0ThC5bUIJ4byvqdpWtR8m5fNkww=";
    const NOW: u64 = 1_700_000_000;

    /// RFC 9421 Appendix B.1.2, `test-key-rsa-pss`.
    const RFC_PSS_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----";

    struct Keys {
        public: PublicKey,
        private: PrivateKey,
        rsa: rsa::RsaPrivateKey,
    }

    fn keys() -> Keys {
        let rsa = crate::testing::test_key();
        let public = RsaPublicKey::from(&rsa)
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let private = rsa.to_pkcs8_pem(LineEnding::LF).unwrap();
        Keys {
            public: PublicKey::from_pem(&public).unwrap(),
            private: PrivateKey::from_pem(&private).unwrap(),
            rsa,
        }
    }

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(NOW)
    }

    fn inbox() -> Url {
        Url::parse("https://cohort.example/inbox").unwrap()
    }

    fn map(pairs: &[(&str, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn signed_post(keys: &Keys, created: SystemTime, with_alg: bool) -> HeaderMap {
        let headers = sign(
            &keys.private,
            KEY_ID,
            "POST",
            &inbox(),
            Some(BODY),
            created,
            with_alg,
        )
        .unwrap();
        map(&headers)
    }

    /// The message of a refusal; panics on success or any other error.
    #[track_caller]
    fn refused<T: std::fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(Error::Signature(m)) => m,
            other => panic!("expected a signature refusal, got {other:?}"),
        }
    }

    /// Headers signing `lines` (the components, `"name": value`) under `params` (the inner
    /// list with its parameters) with label sig1, plus `extra`.
    fn hand_signed(
        key: &PrivateKey,
        params: &str,
        lines: &[&str],
        extra: &[(&str, &str)],
    ) -> HeaderMap {
        let mut base = String::new();
        for line in lines {
            base.push_str(line);
            base.push('\n');
        }
        base.push_str("\"@signature-params\": ");
        base.push_str(params);
        let sig = B64.encode(key.sign(base.as_bytes()).unwrap());
        let mut pairs: Vec<(&str, String)> =
            extra.iter().map(|(k, v)| (*k, v.to_string())).collect();
        pairs.push(("signature-input", format!("sig1={params}")));
        pairs.push(("signature", format!("sig1=:{sig}:")));
        map(&pairs)
    }

    fn digest_header() -> String {
        format!("sha-256=:{BODY_SHA256}:")
    }

    /// A header map with `signature-input: sig1=<input>` and a dummy signature.
    fn with_input(input: &str) -> HeaderMap {
        map(&[
            ("signature-input", format!("sig1={input}")),
            ("signature", "sig1=:AAAA:".into()),
            ("content-digest", digest_header()),
        ])
    }

    fn params(extra: &str) -> String {
        format!(
            "(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=\"{KEY_ID}\"{extra}"
        )
    }

    #[test]
    fn a_signed_post_round_trips() {
        let keys = keys();
        for with_alg in [false, true] {
            let headers = sign(
                &keys.private,
                KEY_ID,
                "post",
                &inbox(),
                Some(BODY),
                now(),
                with_alg,
            )
            .unwrap();
            let names: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
            assert_eq!(names, ["content-digest", "signature-input", "signature"]);
            assert_eq!(headers[0].1, digest_header());
            assert!(headers[2].1.starts_with("sig1=:") && headers[2].1.ends_with(':'));
            assert_eq!(headers[1].1.contains("alg="), with_alg);
            let map = map(&headers);
            assert!(present(&map));
            for method in ["POST", "post"] {
                let u = Unverified::parse(method, &inbox(), &map, Some(BODY), now()).unwrap();
                assert_eq!(u.key_id(), KEY_ID);
                assert_eq!(u.alg, Alg::RsaV15Sha256);
                u.verify(&keys.public).unwrap();
            }
            // Delivered a while later, still within the window.
            let later = now() + Duration::from_secs(11 * 3600);
            Unverified::parse("POST", &inbox(), &map, Some(BODY), later)
                .unwrap()
                .verify(&keys.public)
                .unwrap();
        }
    }

    #[test]
    fn sign_verifies_with_the_rsa_crate_over_the_expected_base() {
        let keys = keys();
        let headers = sign(
            &keys.private,
            KEY_ID,
            "POST",
            &inbox(),
            Some(BODY),
            now(),
            true,
        )
        .unwrap();
        let input = "(\"@method\" \"@target-uri\" \"content-digest\");created=1700000000;keyid=\"https://mastodon.example/users/alice#main-key\";alg=\"rsa-v1_5-sha256\"";
        assert_eq!(headers[1], ("signature-input", format!("sig1={input}")));
        let expected = format!(
            "\"@method\": POST\n\
             \"@target-uri\": https://cohort.example/inbox\n\
             \"content-digest\": sha-256=:GYwYnH3BiO6aICFt0ThC5bUIJ4byvqdpWtR8m5fNkww=:\n\
             \"@signature-params\": {input}"
        );
        let sig = B64
            .decode(
                headers[2]
                    .1
                    .strip_prefix("sig1=:")
                    .unwrap()
                    .strip_suffix(':')
                    .unwrap(),
            )
            .unwrap();
        RsaPublicKey::from(&keys.rsa)
            .verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(expected.as_bytes()),
                &sig,
            )
            .expect("the rsa crate accepts the signature over the expected base");
        let theirs = keys
            .rsa
            .sign(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(expected.as_bytes()),
            )
            .unwrap();
        assert_eq!(sig, theirs, "PKCS#1 v1.5 is deterministic");
        let u = Unverified::parse("POST", &inbox(), &map(&headers), Some(BODY), now()).unwrap();
        assert_eq!(u.base, expected);
        assert!(!u.base.ends_with('\n'));
    }

    #[test]
    fn a_signed_get_round_trips() {
        let keys = keys();
        let url = Url::parse("https://cohort.example/g/rust/outbox?page=2").unwrap();
        let headers = sign(&keys.private, KEY_ID, "GET", &url, None, now(), false).unwrap();
        assert_eq!(headers.len(), 2);
        assert_eq!(
            headers[0].1,
            format!("sig1=(\"@method\" \"@target-uri\");created={NOW};keyid=\"{KEY_ID}\"")
        );
        let map = map(&headers);
        let u = Unverified::parse("GET", &url, &map, None, now()).unwrap();
        assert_eq!(
            u.base,
            format!(
                "\"@method\": GET\n\"@target-uri\": https://cohort.example/g/rust/outbox?page=2\n\"@signature-params\": (\"@method\" \"@target-uri\");created={NOW};keyid=\"{KEY_ID}\""
            )
        );
        u.verify(&keys.public).unwrap();
        // Another page is another request.
        let other = Url::parse("https://cohort.example/g/rust/outbox?page=3").unwrap();
        assert!(
            Unverified::parse("GET", &other, &map, None, now())
                .unwrap()
                .verify(&keys.public)
                .is_err()
        );
        // The same headers cannot carry a body: nothing binds it.
        let m = refused(Unverified::parse("POST", &url, &map, Some(BODY), now()));
        assert!(m.contains("content-digest"), "{m}");
    }

    fn rfc_request(input: &str, signature: &str) -> HeaderMap {
        map(&[
            ("host", "example.com".into()),
            ("date", "Tue, 20 Apr 2021 02:07:55 GMT".into()),
            ("content-type", "application/json".into()),
            (
                "content-digest",
                "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:".into(),
            ),
            ("content-length", "18".into()),
            ("signature-input", input.into()),
            ("signature", signature.into()),
        ])
    }

    const RFC_BODY: &[u8] = br#"{"hello": "world"}"#;
    const RFC_CREATED: u64 = 1_618_884_473;

    fn rfc_url() -> Url {
        Url::parse("https://example.com/foo?param=Value&Pet=dog").unwrap()
    }

    /// RFC 9421 Appendix B.2.3, "Full Coverage using rsa-pss-sha512".
    #[test]
    fn rfc9421_b23_full_coverage_rsa_pss_verifies() {
        let input = r#"sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#;
        let signature = "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:";
        let headers = rfc_request(input, signature);
        let when = UNIX_EPOCH + Duration::from_secs(RFC_CREATED + 2);
        let key = PublicKey::from_pem(RFC_PSS_PUBLIC).unwrap();
        let u = Unverified::parse("POST", &rfc_url(), &headers, Some(RFC_BODY), when).unwrap();
        assert_eq!(u.key_id(), "test-key-rsa-pss");
        // The base as printed in the RFC.
        assert_eq!(
            u.base,
            [
                r#""date": Tue, 20 Apr 2021 02:07:55 GMT"#,
                r#""@method": POST"#,
                r#""@path": /foo"#,
                r#""@query": ?param=Value&Pet=dog"#,
                r#""@authority": example.com"#,
                r#""content-type": application/json"#,
                r#""content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"#,
                r#""content-length": 18"#,
                r#""@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#,
            ]
            .join("\n")
        );
        // No alg: the RSA key is taken as PKCS#1 v1.5, which this PSS signature is not.
        assert!(u.verify(&key).is_err());
        assert!(key.verify_pss_sha512(u.base.as_bytes(), &u.signature));
        // With the algorithm named, it verifies through the public API.
        let named = input.replace(
            r#"keyid="test-key-rsa-pss""#,
            r#"keyid="test-key-rsa-pss";alg="rsa-pss-sha512""#,
        );
        let headers_named = rfc_request(&named, signature);
        let u =
            Unverified::parse("POST", &rfc_url(), &headers_named, Some(RFC_BODY), when).unwrap();
        assert_eq!(u.alg, Alg::RsaPssSha512);
        // …but naming the algorithm changed the base, so the RFC's signature no longer holds.
        assert!(u.verify(&key).is_err());
        // Another query, or another date, breaks it.
        let other = Url::parse("https://example.com/foo?param=Value&Pet=cat").unwrap();
        let u = Unverified::parse("POST", &other, &headers, Some(RFC_BODY), when).unwrap();
        assert!(!key.verify_pss_sha512(u.base.as_bytes(), &u.signature));
        let mut redated = headers.clone();
        redated.insert(
            "date",
            HeaderValue::from_static("Tue, 20 Apr 2021 02:07:56 GMT"),
        );
        let u = Unverified::parse("POST", &rfc_url(), &redated, Some(RFC_BODY), when).unwrap();
        assert!(!key.verify_pss_sha512(u.base.as_bytes(), &u.signature));
        // Another body does not match the sha-512 digest.
        let m = refused(Unverified::parse(
            "POST",
            &rfc_url(),
            &headers,
            Some(b"{}"),
            when,
        ));
        assert!(m.contains("Content-Digest"), "{m}");
        // Years later it is stale.
        refused(Unverified::parse(
            "POST",
            &rfc_url(),
            &headers,
            Some(RFC_BODY),
            now(),
        ));
    }

    /// B.2.1 covers nothing and B.2.2 uses `@query-param`: neither is acceptable here.
    #[test]
    fn rfc9421_b21_and_b22_are_refused() {
        let when = UNIX_EPOCH + Duration::from_secs(RFC_CREATED + 2);
        let b21 = rfc_request(
            r#"sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#,
            "sig-b21=:AAAA:",
        );
        let m = refused(Unverified::parse(
            "POST",
            &rfc_url(),
            &b21,
            Some(RFC_BODY),
            when,
        ));
        assert!(m.contains("@method"), "{m}");
        let b22 = rfc_request(
            r#"sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example""#,
            "sig-b22=:AAAA:",
        );
        let m = refused(Unverified::parse(
            "POST",
            &rfc_url(),
            &b22,
            Some(RFC_BODY),
            when,
        ));
        assert!(m.contains("parameters"), "{m}");
    }

    #[test]
    fn rsa_pss_round_trip_and_algorithm_confusion() {
        let keys = keys();
        let pair =
            ring::signature::RsaKeyPair::from_pkcs8(keys.rsa.to_pkcs8_der().unwrap().as_bytes())
                .unwrap();
        let sign_pss = |base: &str| {
            let mut sig = vec![0; pair.public().modulus_len()];
            pair.sign(
                &ring::signature::RSA_PSS_SHA512,
                &ring::rand::SystemRandom::new(),
                base.as_bytes(),
                &mut sig,
            )
            .unwrap();
            B64.encode(sig)
        };
        let lines = format!(
            "\"@method\": POST\n\"@target-uri\": https://cohort.example/inbox\n\"content-digest\": {}\n\"@signature-params\": ",
            digest_header()
        );
        let pss_params = params(";alg=\"rsa-pss-sha512\"");
        let pss_sig = sign_pss(&format!("{lines}{pss_params}"));
        let headers = map(&[
            ("content-digest", digest_header()),
            ("signature-input", format!("sig1={pss_params}")),
            ("signature", format!("sig1=:{pss_sig}:")),
        ]);
        Unverified::parse("POST", &inbox(), &headers, Some(BODY), now())
            .unwrap()
            .verify(&keys.public)
            .unwrap();
        // A PSS signature presented without alg (so as PKCS#1 v1.5) fails.
        let plain_params = params("");
        let pss_sig = sign_pss(&format!("{lines}{plain_params}"));
        let headers = map(&[
            ("content-digest", digest_header()),
            ("signature-input", format!("sig1={plain_params}")),
            ("signature", format!("sig1=:{pss_sig}:")),
        ]);
        let u = Unverified::parse("POST", &inbox(), &headers, Some(BODY), now()).unwrap();
        refused(u.verify(&keys.public));
        // A PKCS#1 v1.5 signature claimed as PSS fails.
        let v15 = B64.encode(
            keys.private
                .sign(format!("{lines}{pss_params}").as_bytes())
                .unwrap(),
        );
        let headers = map(&[
            ("content-digest", digest_header()),
            ("signature-input", format!("sig1={pss_params}")),
            ("signature", format!("sig1=:{v15}:")),
        ]);
        let u = Unverified::parse("POST", &inbox(), &headers, Some(BODY), now()).unwrap();
        refused(u.verify(&keys.public));
    }

    #[test]
    fn tampered_requests_fail_verification() {
        let keys = keys();
        let headers = signed_post(&keys, now(), false);
        let fails = |method: &str, url: &str, headers: &HeaderMap| {
            let u = Unverified::parse(
                method,
                &Url::parse(url).unwrap(),
                headers,
                Some(BODY),
                now(),
            )
            .unwrap();
            refused(u.verify(&keys.public));
        };
        fails("PUT", "https://cohort.example/inbox", &headers);
        fails("POST", "https://cohort.example/g/rust/inbox", &headers);
        fails("POST", "https://cohort.example/inbox?x=1", &headers);
        fails("POST", "https://other.example/inbox", &headers);
        fails("POST", "https://cohort.example:8443/inbox", &headers);
        fails("POST", "http://cohort.example/inbox", &headers);
        // Another key id in Signature-Input changes the base.
        let mut other_key = headers.clone();
        let input = headers["signature-input"]
            .to_str()
            .unwrap()
            .replace("alice", "mallory");
        other_key.insert("signature-input", input.parse().unwrap());
        let u = Unverified::parse("POST", &inbox(), &other_key, Some(BODY), now()).unwrap();
        assert!(u.key_id().contains("mallory"));
        refused(u.verify(&keys.public));
        // Another key does not verify it.
        let u = Unverified::parse("POST", &inbox(), &headers, Some(BODY), now()).unwrap();
        refused(u.verify(&PublicKey::from_pem(RFC_PSS_PUBLIC).unwrap()));
        // Nor does a flipped bit.
        let mut sig = B64
            .decode(
                headers["signature"]
                    .to_str()
                    .unwrap()
                    .strip_prefix("sig1=:")
                    .unwrap()
                    .strip_suffix(':')
                    .unwrap(),
            )
            .unwrap();
        sig[10] ^= 1;
        let mut flipped = headers.clone();
        flipped.insert(
            "signature",
            format!("sig1=:{}:", B64.encode(sig)).parse().unwrap(),
        );
        let u = Unverified::parse("POST", &inbox(), &flipped, Some(BODY), now()).unwrap();
        refused(u.verify(&keys.public));
    }

    #[test]
    fn tampered_bodies_and_digests_are_refused() {
        let keys = keys();
        let headers = signed_post(&keys, now(), false);
        let m = refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(br#"{"type":"Undo"}"#),
            now(),
        ));
        assert!(m.contains("does not match its Content-Digest"), "{m}");
        // A Content-Digest changed to match another body passes the digest, not the signature.
        let mut swapped = headers.clone();
        swapped.insert(
            "content-digest",
            format!("sha-256=:{}:", B64.encode(Sha256::digest(b"{}")))
                .parse()
                .unwrap(),
        );
        let u = Unverified::parse("POST", &inbox(), &swapped, Some(b"{}"), now()).unwrap();
        refused(u.verify(&keys.public));
        // Digest forms, each signed properly: only the digest check decides.
        let sha512 = format!("sha-512=:{}:", B64.encode(Sha512::digest(BODY)));
        let wrong512 = format!("sha-512=:{}:", B64.encode(Sha512::digest(b"{}")));
        for (digest, ok) in [
            (sha512.clone(), true),
            (format!("{}, {sha512}", digest_header()), true),
            (format!("md5=:AAAA:, {}", digest_header()), true),
            (format!("{}, {wrong512}", digest_header()), false),
            ("md5=:AAAA:".to_string(), false),
            (format!("sha-256={BODY_SHA256}"), false),
            (format!("sha-256=\"{BODY_SHA256}\""), false),
            (format!("sha-256=:{BODY_SHA256}"), false),
            (format!("SHA-256=:{BODY_SHA256}:"), false),
            (format!("{}, {}", digest_header(), digest_header()), false),
            ("sha-256=:AAAA:".to_string(), false),
            (String::new(), false),
        ] {
            let p = params("");
            let headers = hand_signed(
                &keys.private,
                &p,
                &[
                    "\"@method\": POST",
                    "\"@target-uri\": https://cohort.example/inbox",
                    &format!("\"content-digest\": {digest}"),
                ],
                &[("content-digest", &digest)],
            );
            let r = Unverified::parse("POST", &inbox(), &headers, Some(BODY), now());
            if ok {
                r.unwrap().verify(&keys.public).unwrap();
            } else {
                refused(r);
            }
        }
    }

    #[test]
    fn content_digest_must_be_covered_and_present() {
        let keys = keys();
        let p = format!("(\"@method\" \"@target-uri\");created={NOW};keyid=\"{KEY_ID}\"");
        let digest = digest_header();
        let headers = hand_signed(
            &keys.private,
            &p,
            &[
                "\"@method\": POST",
                "\"@target-uri\": https://cohort.example/inbox",
            ],
            &[("content-digest", &digest)],
        );
        let m = refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(BODY),
            now(),
        ));
        assert!(m.contains("does not cover content-digest"), "{m}");
        // Without a body (a GET) the same signature is fine.
        Unverified::parse("GET", &inbox(), &headers, None, now()).unwrap();
        // Covered, but the header is absent.
        let mut headers = signed_post(&keys, now(), false);
        headers.remove("content-digest");
        let m = refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(BODY),
            now(),
        ));
        assert!(m.contains("content-digest is absent"), "{m}");
    }

    #[test]
    fn created_and_expires_are_checked() {
        let keys = keys();
        let at = |offset: i64| {
            if offset >= 0 {
                now() + Duration::from_secs(offset.unsigned_abs())
            } else {
                now() - Duration::from_secs(offset.unsigned_abs())
            }
        };
        for (offset, ok) in [
            (-13 * 3600, false),
            (-11 * 3600, true),
            (-60, true),
            (30 * 60, true),
            (2 * 3600, false),
        ] {
            let headers = signed_post(&keys, at(offset), false);
            let r = Unverified::parse("POST", &inbox(), &headers, Some(BODY), now());
            if ok {
                r.unwrap().verify(&keys.public).unwrap();
            } else {
                let m = refused(r);
                assert!(m.contains("too old") || m.contains("future"), "{m}");
            }
        }
        let lines = [
            "\"@method\": POST".to_string(),
            "\"@target-uri\": https://cohort.example/inbox".to_string(),
            format!("\"content-digest\": {}", digest_header()),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let digest = digest_header();
        for (extra, ok) in [
            (format!(";expires={}", NOW + 300), true),
            (format!(";expires={}", NOW), false),
            (format!(";expires={}", NOW - 1), false),
            (";expires=\"soon\"".to_string(), false),
            (";expires=1.5".to_string(), false),
            (";nonce=\"abc\";tag=\"fediverse\"".to_string(), true),
        ] {
            let p = params(&extra);
            let headers = hand_signed(&keys.private, &p, &lines, &[("content-digest", &digest)]);
            let r = Unverified::parse("POST", &inbox(), &headers, Some(BODY), now());
            if ok {
                let u = r.unwrap();
                assert!(u.base.ends_with(&extra), "{}", u.base);
                u.verify(&keys.public).unwrap();
            } else {
                refused(r);
            }
        }
        for bad in [
            format!("(\"@method\" \"@target-uri\" \"content-digest\");keyid=\"{KEY_ID}\""),
            format!(
                "(\"@method\" \"@target-uri\" \"content-digest\");created=\"{NOW}\";keyid=\"k\""
            ),
            "(\"@method\" \"@target-uri\" \"content-digest\");created=1700000000.5;keyid=\"k\""
                .to_string(),
            "(\"@method\" \"@target-uri\" \"content-digest\");created=-1;keyid=\"k\"".to_string(),
            "(\"@method\" \"@target-uri\" \"content-digest\");created;keyid=\"k\"".to_string(),
        ] {
            let m = refused(Unverified::parse(
                "POST",
                &inbox(),
                &with_input(&bad),
                Some(BODY),
                now(),
            ));
            assert!(m.contains("created"), "{m}");
        }
    }

    #[test]
    fn algorithms_other_than_rsa_are_refused() {
        for alg in [
            "\"hs2019\"",
            "\"rsa-sha256\"",
            "\"ecdsa-p256-sha256\"",
            "\"ecdsa-p384-sha384\"",
            "\"ed25519\"",
            "\"hmac-sha256\"",
            "\"RSA-V1_5-SHA256\"",
            "\"\"",
            "rsa-v1_5-sha256",
            "?1",
        ] {
            let m = refused(Unverified::parse(
                "POST",
                &inbox(),
                &with_input(&params(&format!(";alg={alg}"))),
                Some(BODY),
                now(),
            ));
            assert!(m.contains("alg"), "{alg}: {m}");
        }
        for alg in ["\"rsa-v1_5-sha256\"", "\"rsa-pss-sha512\""] {
            Unverified::parse(
                "POST",
                &inbox(),
                &with_input(&params(&format!(";alg={alg}"))),
                Some(BODY),
                now(),
            )
            .unwrap();
        }
    }

    #[test]
    fn the_first_label_with_a_signature_is_used() {
        let keys = keys();
        let signed = signed_post(&keys, now(), false);
        let input = signed["signature-input"].to_str().unwrap().to_string();
        let signature = signed["signature"].to_str().unwrap().to_string();
        let sig1 = input.strip_prefix("sig1=").unwrap();
        // An earlier label with no signature is skipped; a later one is ignored.
        for input in [
            format!("sig0=(\"@method\");created=1;keyid=\"x\", {input}, sig2={sig1}"),
            format!("{input}, sig2=(\"@method\");created=1;keyid=\"x\""),
        ] {
            let headers = map(&[
                ("content-digest", digest_header()),
                ("signature-input", input),
                ("signature", format!("sig2=:AAAA:, {signature}")),
            ]);
            let u = Unverified::parse("POST", &inbox(), &headers, Some(BODY), now()).unwrap();
            u.verify(&keys.public).unwrap();
        }
        // The fields may arrive over several lines.
        let headers = map(&[
            ("content-digest", digest_header()),
            (
                "signature-input",
                "sig0=(\"@method\");created=1;keyid=\"x\"".into(),
            ),
            ("signature-input", input.clone()),
            ("signature", "sig9=:AAAA:".into()),
            ("signature", signature.clone()),
        ]);
        Unverified::parse("POST", &inbox(), &headers, Some(BODY), now())
            .unwrap()
            .verify(&keys.public)
            .unwrap();
        // No matching label.
        let headers = map(&[
            ("content-digest", digest_header()),
            ("signature-input", input.clone()),
            ("signature", signature.replacen("sig1", "sig2", 1)),
        ]);
        let m = refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(BODY),
            now(),
        ));
        assert!(m.contains("no label"), "{m}");
        // Missing fields.
        let mut headers = signed.clone();
        headers.remove("signature");
        refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(BODY),
            now(),
        ));
        let mut headers = signed.clone();
        headers.remove("signature-input");
        assert!(!present(&headers));
        refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(BODY),
            now(),
        ));
    }

    #[test]
    fn keyid_is_required() {
        for p in [
            format!("(\"@method\" \"@target-uri\" \"content-digest\");created={NOW}"),
            format!("(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=\"\""),
            format!(
                "(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=main-key"
            ),
            format!("(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=:AAAA:"),
        ] {
            let m = refused(Unverified::parse(
                "POST",
                &inbox(),
                &with_input(&p),
                Some(BODY),
                now(),
            ));
            assert!(m.contains("keyid"), "{m}");
        }
    }

    #[test]
    fn the_target_must_be_covered() {
        let keys = keys();
        let digest = digest_header();
        let url = Url::parse("https://cohort.example:8443/inbox?x=1").unwrap();
        let check = |components: &[(&str, &str)], extra: &[(&str, &str)], ok: bool| {
            let list: Vec<String> = components.iter().map(|(n, _)| format!("\"{n}\"")).collect();
            let p = format!("({});created={NOW};keyid=\"{KEY_ID}\"", list.join(" "));
            let lines: Vec<String> = components
                .iter()
                .map(|(n, v)| format!("\"{n}\": {v}"))
                .collect();
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            let mut extra = extra.to_vec();
            extra.push(("content-digest", digest.as_str()));
            let headers = hand_signed(&keys.private, &p, &lines, &extra);
            let r = Unverified::parse("POST", &url, &headers, Some(BODY), now());
            if ok {
                r.unwrap().verify(&keys.public).unwrap();
            } else {
                refused(r);
            }
        };
        let method = ("@method", "POST");
        let digest_c = ("content-digest", digest.as_str());
        let authority = ("@authority", "cohort.example:8443");
        let host = ("host", "cohort.example:8443");
        let path = ("@path", "/inbox");
        let query = ("@query", "?x=1");
        let target = ("@request-target", "/inbox?x=1");
        let uri = ("@target-uri", "https://cohort.example:8443/inbox?x=1");
        let scheme = ("@scheme", "https");
        check(&[method, uri, digest_c], &[], true);
        check(&[uri, method, digest_c, scheme], &[], true);
        check(&[method, authority, path, query, digest_c], &[], true);
        check(&[method, authority, target, digest_c], &[], true);
        check(
            &[method, host, target, digest_c],
            &[("host", "cohort.example:8443")],
            true,
        );
        let mixed = ("host", "Cohort.Example:8443");
        check(
            &[method, mixed, target, digest_c],
            &[("host", "Cohort.Example:8443")],
            true,
        );
        // Refused: no method; no target; no authority; the query left out; a foreign host.
        check(&[uri, digest_c], &[], false);
        check(&[method, digest_c], &[], false);
        check(&[method, authority, digest_c], &[], false);
        check(&[method, path, query, digest_c], &[], false);
        check(&[method, authority, path, digest_c], &[], false);
        check(&[method, host, target, digest_c], &[], false);
        let foreign = ("host", "other.example");
        check(
            &[method, foreign, target, digest_c],
            &[("host", "other.example")],
            false,
        );
        // Values that do not match the request fail verification instead.
        let u = Unverified::parse(
            "POST",
            &Url::parse("https://cohort.example/inbox?x=1").unwrap(),
            &hand_signed(
                &keys.private,
                &format!("(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\");created={NOW};keyid=\"k\""),
                &[
                    "\"@method\": POST",
                    "\"@authority\": cohort.example:8443",
                    "\"@path\": /inbox",
                    "\"@query\": ?x=1",
                    &format!("\"content-digest\": {digest}"),
                ],
                &[("content-digest", &digest)],
            ),
            Some(BODY),
            now(),
        )
        .unwrap();
        refused(u.verify(&keys.public));
    }

    #[test]
    fn covered_header_fields() {
        let keys = keys();
        let digest = digest_header();
        let p = format!(
            "(\"@method\" \"@target-uri\" \"date\" \"x-list\" \"x-empty\" \"content-digest\");created={NOW};keyid=\"{KEY_ID}\""
        );
        let date = httpdate::fmt_http_date(now());
        let lines = [
            "\"@method\": POST".to_string(),
            "\"@target-uri\": https://cohort.example/inbox".to_string(),
            format!("\"date\": {date}"),
            "\"x-list\": a, b,  c".to_string(),
            "\"x-empty\": ".to_string(),
            format!("\"content-digest\": {digest}"),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let headers = hand_signed(
            &keys.private,
            &p,
            &lines,
            &[
                ("date", &date),
                ("x-list", " a "),
                ("x-list", "b,  c\t"),
                ("x-empty", ""),
                ("content-digest", &digest),
            ],
        );
        let u = Unverified::parse("POST", &inbox(), &headers, Some(BODY), now()).unwrap();
        assert_eq!(
            u.base,
            format!("{}\n\"@signature-params\": {p}", lines.join("\n"))
        );
        u.verify(&keys.public).unwrap();
        let mut changed = headers.clone();
        changed.append("x-list", HeaderValue::from_static("d"));
        let u = Unverified::parse("POST", &inbox(), &changed, Some(BODY), now()).unwrap();
        refused(u.verify(&keys.public));
        let mut absent = headers.clone();
        absent.remove("date");
        let m = refused(Unverified::parse(
            "POST",
            &inbox(),
            &absent,
            Some(BODY),
            now(),
        ));
        assert!(m.contains("date is absent"), "{m}");
    }

    #[test]
    fn unsupported_or_invalid_components_are_refused() {
        let too_many: Vec<String> = (0..33).map(|i| format!("\"x-h{i}\"")).collect();
        let too_many = format!(
            "(\"@method\" \"@target-uri\" \"content-digest\" {})",
            too_many.join(" ")
        );
        for list in [
            "(\"@method\" \"@target-uri\" \"content-digest\" \"@status\")",
            "(\"@method\" \"@target-uri\" \"content-digest\" \"@query-param\";name=\"a\")",
            "(\"@method\" \"@target-uri\" \"content-digest\" \"@signature-params\")",
            "(\"@method\" \"@target-uri\" \"content-digest\" \"@foo\")",
            "(\"@method\" \"@target-uri\" \"content-digest\" \"Date\")",
            "(\"@method\" \"@target-uri\" \"content-digest\" \"x b\")",
            "(\"@method\" \"@target-uri\" \"content-digest\" \"\")",
            "(\"@method\" \"@target-uri\" \"content-digest\" \"content-digest\";sf)",
            "(\"@method\" \"@target-uri\" \"content-digest\" \"date\";key=\"a\")",
            "(\"@method\" \"@target-uri\" \"content-digest\" \"@method\")",
            "(\"@method\" \"@target-uri\" content-digest)",
            "(\"@method\" \"@target-uri\" :AAAA:)",
            "(\"@method\" \"@target-uri\" 1)",
            "(\"@method\" \"@target-uri\" \"x-absent\" \"content-digest\")",
            too_many.as_str(),
        ] {
            let input = format!("{list};created={NOW};keyid=\"k\"");
            let mut headers = with_input(&input);
            headers.insert("date", HeaderValue::from_static("today"));
            refused(Unverified::parse(
                "POST",
                &inbox(),
                &headers,
                Some(BODY),
                now(),
            ));
        }
    }

    #[test]
    fn malformed_structured_fields_are_refused() {
        let good = params("");
        for input in [
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest);created={NOW};keyid=\"k\""
            ),
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\";created={NOW};keyid=\"k\""
            ),
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=\"k"
            ),
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=\"k\\x\""
            ),
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=\"k\\"
            ),
            format!(
                "sig1=(\"@method\"  \"@target-uri\"\"content-digest\");created={NOW};keyid=\"k\""
            ),
            format!(
                "sig1=(\"@method\"\t\"@target-uri\" \"content-digest\");created={NOW};keyid=\"k\""
            ),
            "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created=1234567890123456;keyid=\"k\""
                .to_string(),
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};created={NOW};keyid=\"k\""
            ),
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=%\"k\""
            ),
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=\"k\";"
            ),
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};Keyid=\"k\""
            ),
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=\"k\" x"
            ),
            format!("sig1={good},"),
            format!("sig1={good},,sig2={good}"),
            format!("sig1={good};sig2={good}"),
            format!("sig1={good}, sig1={good}"),
            format!("Sig1={good}"),
            format!("1sig={good}"),
            format!("sig1=\"{good}\""),
            "sig1=?2".to_string(),
            "sig1=-".to_string(),
            "sig1=1.".to_string(),
            "sig1=1.2345".to_string(),
            "sig1".to_string(),
            "sig1=".to_string(),
            "sig1=(".to_string(),
            "=".to_string(),
            ",".to_string(),
            String::new(),
            format!(
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created={NOW};keyid=\"{}\"",
                "k".repeat(MAX_FIELD)
            ),
        ] {
            let headers = map(&[
                ("content-digest", digest_header()),
                ("signature-input", input.clone()),
                ("signature", "sig1=:AAAA:".into()),
            ]);
            refused(Unverified::parse(
                "POST",
                &inbox(),
                &headers,
                Some(BODY),
                now(),
            ));
        }
        let long_sig = format!("sig1=:{}:", B64.encode(vec![7_u8; 1100]));
        for signature in [
            "sig1=:not base64!:",
            "sig1=:AA=A:",
            "sig1=:AAAA",
            "sig1=AAAA",
            "sig1=\"AAAA\"",
            "sig1=::",
            "sig1=(:AAAA:)",
            "sig1=:AAAA:;x=1",
            "sig1=:AAAA:, sig1=:AAAA:",
            "sig1",
            long_sig.as_str(),
        ] {
            let headers = map(&[
                ("content-digest", digest_header()),
                ("signature-input", format!("sig1={good}")),
                ("signature", signature.into()),
            ]);
            refused(Unverified::parse(
                "POST",
                &inbox(),
                &headers,
                Some(BODY),
                now(),
            ));
        }
        // Byte sequences without padding, or with stray pad bits, are accepted (RFC 8941).
        for signature in ["sig1=:AAA:", "sig1=:AAB=:", "sig1=:AAAA:"] {
            let headers = map(&[
                ("content-digest", digest_header()),
                ("signature-input", format!("sig1={good}")),
                ("signature", signature.into()),
            ]);
            Unverified::parse("POST", &inbox(), &headers, Some(BODY), now()).unwrap();
        }
        // Non-ASCII (obs-text) values.
        let mut headers = with_input(&good);
        headers.insert(
            "signature-input",
            HeaderValue::from_bytes("sig1=(\"é\")".as_bytes()).unwrap(),
        );
        refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(BODY),
            now(),
        ));
        // Huge inputs: one long line, or many lines adding up.
        let mut headers = with_input(&good);
        headers.insert(
            "signature",
            format!("sig1=:{}:", "A".repeat(MAX_FIELD + 4))
                .parse()
                .unwrap(),
        );
        let m = refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(BODY),
            now(),
        ));
        assert!(m.contains("longer than"), "{m}");
        let mut headers = with_input(&good);
        for i in 0..2000 {
            headers.append("signature-input", format!("s{i}=?1").parse().unwrap());
        }
        let m = refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(BODY),
            now(),
        ));
        assert!(m.contains("longer than"), "{m}");
        let many: Vec<String> = (0..100).map(|i| format!("s{i}=?1")).collect();
        let headers = map(&[
            (
                "signature-input",
                format!("{}, sig1={good}", many.join(", ")),
            ),
            ("signature", "sig1=:AAAA:".into()),
        ]);
        let m = refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(BODY),
            now(),
        ));
        assert!(m.contains("too many"), "{m}");
        let mut headers = with_input(&good);
        headers.insert(
            "content-digest",
            format!("sha-256=:{}:", "A".repeat(MAX_FIELD))
                .parse()
                .unwrap(),
        );
        refused(Unverified::parse(
            "POST",
            &inbox(),
            &headers,
            Some(BODY),
            now(),
        ));
        // Bad methods.
        let long = "P".repeat(40);
        for method in ["", "PO ST", "POST\n", long.as_str()] {
            refused(Unverified::parse(
                method,
                &inbox(),
                &with_input(&good),
                Some(BODY),
                now(),
            ));
        }
    }

    /// Truncating or corrupting the fields of a valid signature anywhere must be refused (or
    /// fail verification), never panic, never verify.
    #[test]
    fn hostile_mutations_never_panic_or_verify() {
        let keys = keys();
        let signed = signed_post(&keys, now(), true);
        let input = signed["signature-input"].to_str().unwrap().to_string();
        let signature = signed["signature"].to_str().unwrap().to_string();
        let attempt = |input: &[u8], signature: &[u8]| {
            let (Ok(i), Ok(s)) = (
                HeaderValue::from_bytes(input),
                HeaderValue::from_bytes(signature),
            ) else {
                return;
            };
            let mut headers = signed.clone();
            headers.insert("signature-input", i);
            headers.insert("signature", s);
            match Unverified::parse("POST", &inbox(), &headers, Some(BODY), now()) {
                Ok(u) => assert!(
                    matches!(u.verify(&keys.public), Err(Error::Signature(_))),
                    "a mutation verified: {input:?} {signature:?}"
                ),
                Err(e) => assert!(matches!(e, Error::Signature(_)), "{e:?}"),
            }
        };
        for end in 0..input.len() {
            attempt(&input.as_bytes()[..end], signature.as_bytes());
        }
        for end in 0..signature.len() {
            attempt(input.as_bytes(), &signature.as_bytes()[..end]);
        }
        let specials = b"\"\\();=,: \t%?*-.0aZ/";
        for at in 0..input.len() {
            for c in specials {
                let mut bytes = input.clone().into_bytes();
                if bytes[at] == *c {
                    continue;
                }
                bytes[at] = *c;
                attempt(&bytes, signature.as_bytes());
            }
        }
        for at in 0..signature.len() {
            for c in b"\"\\();=,: \t%?*-." {
                let mut bytes = signature.clone().into_bytes();
                if bytes[at] == *c {
                    continue;
                }
                bytes[at] = *c;
                attempt(input.as_bytes(), &bytes);
            }
        }
        // And the untouched request still verifies.
        Unverified::parse("POST", &inbox(), &signed, Some(BODY), now())
            .unwrap()
            .verify(&keys.public)
            .unwrap();
    }

    #[test]
    fn sign_refuses_unserializable_input() {
        let keys = keys();
        for key_id in ["k\n", "clé", "k\u{7f}"] {
            refused(sign(
                &keys.private,
                key_id,
                "POST",
                &inbox(),
                Some(BODY),
                now(),
                false,
            ));
        }
        refused(sign(
            &keys.private,
            KEY_ID,
            "PO ST",
            &inbox(),
            None,
            now(),
            false,
        ));
        refused(sign(
            &keys.private,
            KEY_ID,
            "GET",
            &inbox(),
            None,
            UNIX_EPOCH - Duration::from_secs(1),
            false,
        ));
        // Quotes and backslashes are escaped, and round-trip.
        let headers = sign(&keys.private, "k\"\\", "GET", &inbox(), None, now(), false).unwrap();
        assert!(
            headers[0].1.contains(r#"keyid="k\"\\""#),
            "{}",
            headers[0].1
        );
        let u = Unverified::parse("GET", &inbox(), &map(&headers), None, now()).unwrap();
        assert_eq!(u.key_id(), "k\"\\");
        u.verify(&keys.public).unwrap();
    }

    /// RFC 9421 §2.3: `@signature-params` is the serialisation of the parameters, so a field
    /// written with extra spaces or `?1` is signed over its canonical form.
    #[test]
    fn signature_params_are_serialised_canonically() {
        let loose = format!(
            "(  \"@method\" \"@target-uri\" \"content-digest\" );created=0{NOW};keyid=\"{KEY_ID}\";x=?1"
        );
        let u =
            Unverified::parse("POST", &inbox(), &with_input(&loose), Some(BODY), now()).unwrap();
        assert!(
            u.base
                .ends_with(&format!("\"@signature-params\": {}", params(";x"))),
            "{}",
            u.base
        );
    }

    #[test]
    fn present_detects_signature_input() {
        assert!(!present(&HeaderMap::new()));
        assert!(!present(&map(&[("signature", "keyId=\"k\"".into())])));
        assert!(present(&map(&[("signature-input", "sig1=()".into())])));
    }
}
