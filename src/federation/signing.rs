//! HTTP signatures (draft-cavage, RSA-SHA256 PKCS#1 v1.5) on the hot paths: signing every
//! delivery and verifying every inbound activity.
//!
//! The arithmetic is `ring`'s, about 3× faster to sign and 9× faster to verify than the `rsa`
//! crate (DESIGN.md; `cohort bench federation` measures both on the machine it runs on). PEM
//! parsing is done once per key: parsed keys are cached, private keys by signer, public keys
//! by the hash of their PEM (so a rotated key is simply a new entry). The signatures are the
//! standard ones, interchangeable with any other implementation; tests check ours against the
//! `rsa` crate in both directions.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, RwLock},
    time::{Duration, SystemTime},
};

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use ring::{
    rand::SystemRandom,
    signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents},
};
use rsa::{
    pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey},
    pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey},
    traits::PublicKeyParts,
};
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{Error, Result};

/// How old a signed `Date` may be: Mastodon's window (a peer that queued a delivery signs it
/// when it sends; replays are stopped by activity ids, not by this window).
pub const DATE_WINDOW: Duration = Duration::from_secs(12 * 3600);
/// How far in the future a signed `Date` may be (clock skew).
pub const CLOCK_SKEW: Duration = Duration::from_secs(3600);
/// Largest number of public keys kept parsed; the cache is emptied when it is full.
const PUBLIC_CACHE_MAX: usize = 50_000;

/// An RSA public key, parsed.
#[derive(Debug)]
pub struct PublicKey {
    n: Vec<u8>,
    e: Vec<u8>,
}

impl PublicKey {
    /// Parses a PEM public key: SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`) or PKCS#1.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let key = rsa::RsaPublicKey::from_public_key_pem(pem.trim())
            .or_else(|_| rsa::RsaPublicKey::from_pkcs1_pem(pem.trim()))
            .map_err(|_| Error::Signature("the actor's public key is not an RSA key".into()))?;
        Ok(Self {
            n: key.n().to_bytes_be(),
            e: key.e().to_bytes_be(),
        })
    }

    /// Whether `signature` is this key's RSA-SHA256 PKCS#1 v1.5 signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
        .is_ok()
    }

    /// Whether `signature` is this key's RSASSA-PSS signature of `message` with SHA-512, MGF1
    /// SHA-512 and a 64-byte salt (RFC 9421's `rsa-pss-sha512`).
    pub fn verify_pss_sha512(&self, message: &[u8], signature: &[u8]) -> bool {
        RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(
            &ring::signature::RSA_PSS_2048_8192_SHA512,
            message,
            signature,
        )
        .is_ok()
    }
}

/// An RSA private key, parsed.
pub struct PrivateKey(RsaKeyPair);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

impl PrivateKey {
    /// Parses a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem.trim())
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem.trim()))
            .map_err(|e| Error::Internal(format!("private key: {e}")))?;
        let der = key
            .to_pkcs8_der()
            .map_err(|e| Error::Internal(format!("private key: {e}")))?;
        RsaKeyPair::from_pkcs8(der.as_bytes())
            .map(Self)
            .map_err(|e| Error::Internal(format!("private key: {e}")))
    }

    /// RSA-SHA256 PKCS#1 v1.5 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
            .map_err(|_| Error::Internal("signing failed".into()))?;
        Ok(sig)
    }
}

/// Parsed keys, shared by the whole process.
#[derive(Debug, Default)]
pub struct KeyCache {
    private: RwLock<HashMap<String, Arc<PrivateKey>>>,
    public: RwLock<HashMap<[u8; 32], Arc<PublicKey>>>,
}

impl KeyCache {
    /// The parsed private key of local actor `signer`, parsing `pem` on first use.
    pub async fn private(
        &self,
        signer: &str,
        pem: impl AsyncFnOnce() -> Result<String>,
    ) -> Result<Arc<PrivateKey>> {
        if let Some(k) = self
            .private
            .read()
            .ok()
            .and_then(|m| m.get(signer).cloned())
        {
            return Ok(k);
        }
        let pem = pem().await?;
        let key = Arc::new(
            tokio::task::spawn_blocking(move || PrivateKey::from_pem(&pem))
                .await
                .map_err(|e| Error::Internal(e.to_string()))??,
        );
        if let Ok(mut m) = self.private.write() {
            m.insert(signer.to_string(), key.clone());
        }
        Ok(key)
    }

    /// The parsed public key of `pem`.
    pub fn public(&self, pem: &str) -> Result<Arc<PublicKey>> {
        let hash: [u8; 32] = Sha256::digest(pem.as_bytes()).into();
        if let Some(k) = self.public.read().ok().and_then(|m| m.get(&hash).cloned()) {
            return Ok(k);
        }
        let key = Arc::new(PublicKey::from_pem(pem)?);
        if let Ok(mut m) = self.public.write() {
            if m.len() >= PUBLIC_CACHE_MAX {
                m.clear();
            }
            m.insert(hash, key.clone());
        }
        Ok(key)
    }
}

/// `SHA-256=<base64>`, the `Digest` header of `body`.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", B64.encode(Sha256::digest(body)))
}

/// `host[:port]` as it goes in the `Host` header.
pub fn host_header(url: &Url) -> Result<String> {
    super::actors::authority(url)
}

/// The `Signature` header value over `headers` (name, value pairs, in order) for a request
/// `method url`: `(request-target)` first, then each header, as draft-cavage prescribes.
fn signature_header(
    key: &PrivateKey,
    key_id: &str,
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
) -> Result<String> {
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let mut signing_string = format!("(request-target): {method} {target}");
    let mut names = String::from("(request-target)");
    for (name, value) in headers {
        signing_string.push_str(&format!("\n{name}: {value}"));
        names.push(' ');
        names.push_str(name);
    }
    let signature = B64.encode(key.sign(signing_string.as_bytes())?);
    Ok(format!(
        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{names}\",signature=\"{signature}\""
    ))
}

/// The headers that sign a POST of `body` to `inbox`: `Host`, `Date`, `Digest` and
/// `Signature` over `(request-target) host date digest` (the form every fediverse server
/// accepts).
pub fn sign_post(
    key: &PrivateKey,
    key_id: &str,
    inbox: &Url,
    body: &[u8],
    date: SystemTime,
) -> Result<[(&'static str, String); 4]> {
    let host = host_header(inbox)?;
    let date = httpdate::fmt_http_date(date);
    let digest = digest_header(body);
    let signature = signature_header(
        key,
        key_id,
        "post",
        inbox,
        &[("host", &host), ("date", &date), ("digest", &digest)],
    )?;
    Ok([
        ("host", host),
        ("date", date),
        ("digest", digest),
        ("signature", signature),
    ])
}

/// The headers that sign a GET of `url` (an authorized fetch): `Host`, `Date` and `Signature`
/// over `(request-target) host date`.
pub fn sign_get(
    key: &PrivateKey,
    key_id: &str,
    url: &Url,
    date: SystemTime,
) -> Result<[(&'static str, String); 3]> {
    let host = host_header(url)?;
    let date = httpdate::fmt_http_date(date);
    let signature = signature_header(key, key_id, "get", url, &[("host", &host), ("date", &date)])?;
    Ok([("host", host), ("date", date), ("signature", signature)])
}

/// Checks a request body against its `Digest` header: at least one SHA-256 value, and every
/// SHA-256 value must match.
pub fn verify_digest(header: Option<&str>, body: &[u8]) -> Result<()> {
    let header = header.ok_or_else(|| Error::Signature("the Digest header is missing".into()))?;
    let expected = B64.encode(Sha256::digest(body));
    let mut seen = false;
    for part in header.split(',') {
        let Some((alg, value)) = part.trim().split_once('=') else {
            continue;
        };
        if alg.trim().eq_ignore_ascii_case("sha-256") {
            seen = true;
            if value.trim() != expected {
                return Err(Error::Signature(
                    "the body does not match its Digest".into(),
                ));
            }
        }
    }
    if seen {
        Ok(())
    } else {
        Err(Error::Signature(
            "the Digest header has no SHA-256 value".into(),
        ))
    }
}

/// The `headers` parameter of a request's `Signature` (or `Authorization: Signature`) header.
fn signed_headers(headers: &axum::http::HeaderMap) -> Vec<String> {
    let value = headers
        .get("signature")
        .or_else(|| headers.get("authorization"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    value
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("headers=\""))
        .flat_map(|list| list.trim_end_matches('"').split_whitespace())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Latest `created` or `expires` accepted, 9999-12-31T23:59:59Z. The signature library adds
/// these to `UNIX_EPOCH` (and `created` to the date window) unchecked, which panics beyond the
/// range of `SystemTime`: `created=18446744073709551615` would crash the request's task.
const MAX_TIMESTAMP: u64 = 253_402_300_799;

/// Refuses a `created` or `expires` parameter of a `Signature` header value that is beyond
/// [`MAX_TIMESTAMP`]. Reads the value as the library does (`Signature` prefix dropped, split on
/// `,` then `=`, quotes trimmed), a little more leniently, so that nothing it would parse
/// gets past.
fn check_timestamps(header: &str) -> Result<()> {
    for part in header.trim_start_matches("Signature").trim().split(',') {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if matches!(key, "created" | "expires")
            && value
                .trim()
                .trim_matches('"')
                .parse::<u64>()
                .is_ok_and(|t| t > MAX_TIMESTAMP)
        {
            return Err(Error::Signature(format!(
                "the signature's {key} is out of range"
            )));
        }
    }
    Ok(())
}

/// A signature header, parsed and checked for freshness, not yet verified.
pub struct Unverified {
    inner: http_signature_normalization::verify::Unverified,
}

impl Unverified {
    /// Parses the `Signature` header of a request. The signature must cover
    /// `(request-target)`, `host`, `date` and `digest`; the `Date` must be at most
    /// [`DATE_WINDOW`] old and at most [`CLOCK_SKEW`] ahead; the algorithm must be absent,
    /// `hs2019` or `rsa-sha256` (the key is RSA either way).
    pub fn parse(
        method: &str,
        path_and_query: &str,
        headers: &axum::http::HeaderMap,
        local_host: &str,
    ) -> Result<Self> {
        Self::parse_with(method, path_and_query, headers, local_host, true)
    }

    /// As [`Unverified::parse`], for a request without a body (a signed GET): no `digest`.
    pub fn parse_fetch(
        method: &str,
        path_and_query: &str,
        headers: &axum::http::HeaderMap,
        local_host: &str,
    ) -> Result<Self> {
        Self::parse_with(method, path_and_query, headers, local_host, false)
    }

    fn parse_with(
        method: &str,
        path_and_query: &str,
        headers: &axum::http::HeaderMap,
        local_host: &str,
        digest: bool,
    ) -> Result<Self> {
        let mut map = BTreeMap::new();
        for (name, value) in headers {
            if let Ok(v) = value.to_str() {
                map.insert(name.as_str().to_string(), v.to_string());
            }
        }
        // HTTP/2 and some proxies drop Host; the signature was made for this host.
        map.entry("host".to_string())
            .or_insert_with(|| local_host.to_string());
        for header in ["authorization", "signature"] {
            if let Some(value) = map.get(header) {
                check_timestamps(value)?;
            }
        }
        let date = map.get("date").cloned();
        let mut config = http_signature_normalization::Config::new()
            .set_expiration(DATE_WINDOW)
            .require_header("(request-target)");
        if digest {
            config = config
                .require_header("host")
                .require_header("date")
                .require_digest();
        } else {
            // A signed GET (as activitypub_federation signs its fetches) may leave out `host`
            // and `date`, but it must be dated somehow, or it could be replayed for ever.
            let signed = signed_headers(headers);
            if !signed.iter().any(|h| h == "date" || h == "(created)") {
                return Err(Error::Signature(
                    "the signature covers neither date nor (created)".into(),
                ));
            }
        }
        let inner = config
            .begin_verify(method, path_and_query, map)
            .map_err(|e| Error::Signature(format!("HTTP signature: {e}")))?;
        if let Some(date) = date.and_then(|d| httpdate::parse_http_date(&d).ok())
            && date > SystemTime::now() + CLOCK_SKEW
        {
            return Err(Error::Signature("the signed Date is in the future".into()));
        }
        use http_signature_normalization::verify::{Algorithm, DeprecatedAlgorithm};
        match inner.algorithm() {
            None
            | Some(Algorithm::Hs2019 | Algorithm::Deprecated(DeprecatedAlgorithm::RsaSha256)) => {}
            Some(other) => {
                return Err(Error::Signature(format!(
                    "unsupported signature algorithm {other:?}"
                )));
            }
        }
        Ok(Self { inner })
    }

    /// The `keyId` the request claims.
    pub fn key_id(&self) -> &str {
        self.inner.key_id()
    }

    /// Verifies the signature with `key`.
    pub fn verify(&self, key: &PublicKey) -> Result<()> {
        let sig = B64
            .decode(self.inner.signature())
            .map_err(|_| Error::Signature("the signature is not base64".into()))?;
        if key.verify(self.inner.signing_string().as_bytes(), &sig) {
            Ok(())
        } else {
            Err(Error::Signature(
                "the HTTP signature does not match the actor's key".into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::{
        Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey,
        pkcs8::{EncodePublicKey, LineEnding},
    };

    fn keys() -> (String, String, RsaPrivateKey) {
        let k = crate::testing::test_key();
        let public = RsaPublicKey::from(&k)
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let private = k.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
        (public, private, k)
    }

    #[test]
    fn ring_signatures_verify_with_the_rsa_crate_and_back() {
        let (public_pem, private_pem, k) = keys();
        let msg = b"(request-target): post /inbox\nhost: a.example";
        let ours = PrivateKey::from_pem(&private_pem)
            .unwrap()
            .sign(msg)
            .unwrap();
        RsaPublicKey::from(&k)
            .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), &ours)
            .expect("the rsa crate accepts ring's signature");
        let theirs = k
            .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg))
            .unwrap();
        assert_eq!(ours, theirs, "PKCS#1 v1.5 is deterministic");
        let public = PublicKey::from_pem(&public_pem).unwrap();
        assert!(public.verify(msg, &theirs));
        assert!(!public.verify(b"something else", &theirs));
    }

    #[test]
    fn a_signed_post_verifies_and_tampering_fails() {
        let (public_pem, private_pem, _) = keys();
        let key = PrivateKey::from_pem(&private_pem).unwrap();
        let inbox = Url::parse("https://b.example:8443/inbox?x=1").unwrap();
        let body = br#"{"type":"Follow"}"#;
        let headers = sign_post(
            &key,
            "https://a.example/u/x#main-key",
            &inbox,
            body,
            SystemTime::now(),
        )
        .unwrap();
        let mut map = axum::http::HeaderMap::new();
        for (k, v) in &headers {
            map.insert(*k, v.parse().unwrap());
        }
        assert_eq!(map["host"], "b.example:8443");
        verify_digest(map.get("digest").and_then(|v| v.to_str().ok()), body).unwrap();
        assert!(verify_digest(map.get("digest").and_then(|v| v.to_str().ok()), b"{}").is_err());
        let cache = KeyCache::default();
        let public = cache.public(&public_pem).unwrap();
        let u = Unverified::parse("POST", "/inbox?x=1", &map, "ignored").unwrap();
        assert_eq!(u.key_id(), "https://a.example/u/x#main-key");
        u.verify(&public).unwrap();
        // Another path, or another host, breaks it.
        let u = Unverified::parse("POST", "/other", &map, "ignored").unwrap();
        assert!(u.verify(&public).is_err());
        map.insert("host", "c.example".parse().unwrap());
        let u = Unverified::parse("POST", "/inbox?x=1", &map, "ignored").unwrap();
        assert!(u.verify(&public).is_err());
    }

    #[test]
    fn stale_future_and_partial_signatures_are_refused() {
        let (_, private_pem, _) = keys();
        let key = PrivateKey::from_pem(&private_pem).unwrap();
        let inbox = Url::parse("https://b.example/inbox").unwrap();
        for when in [
            SystemTime::now() - Duration::from_secs(13 * 3600),
            SystemTime::now() + Duration::from_secs(7200),
        ] {
            let headers = sign_post(&key, "k", &inbox, b"{}", when).unwrap();
            let mut map = axum::http::HeaderMap::new();
            for (k, v) in &headers {
                map.insert(*k, v.parse().unwrap());
            }
            assert!(Unverified::parse("POST", "/inbox", &map, "b.example").is_err());
        }
        // A signature that does not cover the digest proves nothing about the body.
        let mut map = axum::http::HeaderMap::new();
        map.insert(
            "date",
            httpdate::fmt_http_date(SystemTime::now()).parse().unwrap(),
        );
        map.insert(
            "signature",
            "keyId=\"k\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date\",signature=\"AAAA\""
                .parse()
                .unwrap(),
        );
        assert!(Unverified::parse("POST", "/inbox", &map, "b.example").is_err());
        assert!(verify_digest(None, b"{}").is_err());
        assert!(verify_digest(Some("MD5=abc"), b"{}").is_err());
    }
}

#[cfg(test)]
mod peer_forms {
    use super::*;
    use rsa::pkcs8::{EncodePublicKey, LineEnding};

    /// Signs as activitypub_federation (Lemmy) does by default: `hs2019`, with `(created)`
    /// and `(expires)`, over every header it sends.
    #[test]
    fn hs2019_with_created_and_expires_verifies() {
        let k = crate::testing::test_key();
        let public_pem = rsa::RsaPublicKey::from(&k)
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let key = PrivateKey::from_pem(&k.to_pkcs8_pem(LineEnding::LF).unwrap()).unwrap();
        let body = br#"{"type":"Like"}"#;
        let mut headers = BTreeMap::new();
        headers.insert("host".to_string(), "cohort.example".to_string());
        headers.insert(
            "date".to_string(),
            httpdate::fmt_http_date(SystemTime::now()),
        );
        headers.insert("digest".to_string(), digest_header(body));
        headers.insert(
            "content-type".to_string(),
            "application/activity+json".to_string(),
        );
        let signed = http_signature_normalization::Config::new()
            .begin_sign("POST", "/inbox", headers.clone())
            .unwrap()
            .sign("https://lemmy.example/u/a#main-key".into(), |s| {
                key.sign(s.as_bytes()).map(|sig| B64.encode(sig))
            })
            .unwrap()
            .signature_header();
        assert!(
            signed.contains("hs2019") && signed.contains("(created)"),
            "{signed}"
        );
        let mut map = axum::http::HeaderMap::new();
        for (k, v) in &headers {
            map.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        map.insert("signature", signed.parse().unwrap());
        let u = Unverified::parse("POST", "/inbox", &map, "cohort.example").unwrap();
        u.verify(&PublicKey::from_pem(&public_pem).unwrap())
            .unwrap();
    }

    #[test]
    fn other_algorithms_are_refused() {
        let mut map = axum::http::HeaderMap::new();
        map.insert("host", "cohort.example".parse().unwrap());
        map.insert(
            "date",
            httpdate::fmt_http_date(SystemTime::now()).parse().unwrap(),
        );
        map.insert("digest", digest_header(b"{}").parse().unwrap());
        map.insert(
            "signature",
            "keyId=\"k\",algorithm=\"hmac-sha256\",headers=\"(request-target) host date digest\",signature=\"AAAA\""
                .parse()
                .unwrap(),
        );
        assert!(Unverified::parse("POST", "/inbox", &map, "cohort.example").is_err());
    }
}

#[cfg(test)]
mod fetches {
    use super::*;

    fn signed(headers_list: &str) -> axum::http::HeaderMap {
        let mut map = axum::http::HeaderMap::new();
        map.insert(
            "date",
            httpdate::fmt_http_date(SystemTime::now()).parse().unwrap(),
        );
        map.insert(
            "signature",
            format!(
                "keyId=\"k\",algorithm=\"rsa-sha256\",headers=\"{headers_list}\",signature=\"AAAA\""
            )
            .parse()
            .unwrap(),
        );
        map
    }

    #[test]
    fn a_signed_get_must_be_dated_and_name_its_target() {
        assert!(
            Unverified::parse_fetch("GET", "/g/x", &signed("(request-target) host date"), "h")
                .is_ok()
        );
        assert!(
            Unverified::parse_fetch("GET", "/g/x", &signed("(request-target) accept"), "h")
                .is_err()
        );
        assert!(Unverified::parse_fetch("GET", "/g/x", &signed("host date"), "h").is_err());
        // A POST needs its digest signed.
        assert!(
            Unverified::parse("POST", "/inbox", &signed("(request-target) host date"), "h")
                .is_err()
        );
    }
}
