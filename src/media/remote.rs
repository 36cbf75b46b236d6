//! Remote images shown through this server, so that readers' browsers never contact other
//! servers (which would tell them who reads what, from where): avatars, icons, banners,
//! and the pictures, emoji and attachments in remote posts and replies.
//!
//! A remote post's HTML is rewritten when it is stored: every `<img src>` on another server
//! becomes `/media/remote/{mac}.{address}`, the address in base64url and `mac` an
//! HMAC-SHA256 of it under a key derived from the instance's private key, so this server
//! fetches only addresses it wrote itself (it is no open proxy). Avatars and group pictures
//! are served at their actors' stable paths (`http::media`).
//!
//! The first request fetches the image through the federation's client (no redirects, 10 s,
//! internal addresses refused outside federation debug mode), at most `max_upload_bytes`,
//! decodes and re-encodes it like an upload (what is not a picture is refused), and keeps
//! the copy in the store; later requests are served from the copy, and a request for an
//! address being fetched waits for that fetch rather than making a second. When the copies
//! take more than `remote_cache_bytes`, the least recently shown go. An address that failed
//! is not tried again for ten minutes.

use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use futures::StreamExt;
use ring::hmac;
use sha2::{Digest, Sha256};

use super::{names, process::Processed};
use crate::{
    domain::{Instance, hex, instances::is_internal_ip, keys::KeyPair, media::hash_url, now},
    error::{Error, Result},
    federation::Urls,
    services::Services,
    storage::{self, entities::media, media::NewMedia},
};

/// Longest remote address proxied; longer ones are left out of the page.
pub const MAX_URL: usize = 2048;
/// How long a failed address is not tried again.
const RETRY_AFTER: Duration = Duration::from_secs(600);

/// The key the proxied addresses are signed with.
pub fn derive_key(keys: &KeyPair) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"cohort remote media v1\n");
    h.update(keys.private_pem.as_bytes());
    h.finalize().into()
}

fn mac(instance: &Instance, url: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, &instance.media_key);
    let tag = hmac::sign(&key, url.as_bytes());
    hex(&tag.as_ref()[..16])
}

/// The path here that shows remote image `url`, or `None` for an address that is not
/// http(s) or too long.
pub fn path(instance: &Instance, url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || url.len() > MAX_URL {
        return None;
    }
    Some(format!(
        "/media/remote/{}.{}",
        mac(instance, url),
        URL_SAFE_NO_PAD.encode(url.as_bytes())
    ))
}

/// The remote address a signed path's last part names, if this server signed it.
pub fn verify(instance: &Instance, signed: &str) -> Option<String> {
    let (tag, encoded) = signed.split_once('.')?;
    let url = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
    let expected = mac(instance, &url);
    // Compared in constant time.
    let same = expected.len() == tag.len()
        && expected
            .bytes()
            .zip(tag.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then_some(url)
}

/// HTML with every image on another server shown through this one (see the module docs).
/// `html` is sanitised HTML (ammonia writes `src="…"` with `&amp;` for `&`).
pub fn proxied(html: &str, instance: &Instance) -> String {
    if !html.contains("<img") {
        return html.to_string();
    }
    let own = format!("{}/", instance.base_url());
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<img") {
        let (before, tag_start) = rest.split_at(at);
        out.push_str(before);
        let end = tag_start.find('>').map_or(tag_start.len(), |i| i + 1);
        let tag = &tag_start[..end];
        out.push_str(&rewrite_img(tag, instance, &own));
        rest = &tag_start[end..];
    }
    out.push_str(rest);
    out
}

/// HTML written here as other servers should see it: every picture [`proxied`] shown at its
/// own address again (only addresses this server signed are restored).
pub fn unproxied(html: &str, instance: &Instance) -> String {
    const MARK: &str = "src=\"/media/remote/";
    if !html.contains(MARK) {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at + "src=\"".len()]);
        let value = &rest[at + MARK.len()..];
        let end = value.find('"').unwrap_or(value.len());
        match verify(instance, &value[..end]) {
            Some(url) => out.push_str(&crate::domain::text::escape(&url)),
            None => {
                out.push_str("/media/remote/");
                out.push_str(&value[..end]);
            }
        }
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

fn rewrite_img(tag: &str, instance: &Instance, own: &str) -> String {
    let Some(at) = tag.find(" src=\"") else {
        return tag.to_string();
    };
    let value_start = at + " src=\"".len();
    let Some(len) = tag[value_start..].find('"') else {
        return tag.to_string();
    };
    let raw = &tag[value_start..value_start + len];
    let url = raw
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    if url.starts_with(own) || url.starts_with('/') {
        return tag.to_string();
    }
    let replacement = path(instance, &url).unwrap_or_default();
    format!(
        "{}{}{}",
        &tag[..value_start],
        crate::domain::text::escape(&replacement),
        &tag[value_start + len..]
    )
}

/// The cached copy of remote image `url`, fetched now when there is none; `None` when it
/// cannot be had (refused, unreachable, not a picture).
pub async fn copy_of(s: &Services, url: &str) -> Result<Option<media::Model>> {
    let hash = hash_url(url);
    if let Some(m) = storage::media::cached(&s.db, &hash).await? {
        if now() - m.used_at > chrono::Duration::minutes(10) {
            storage::media::touch(&s.db, m.id, now()).await?;
        }
        return Ok(Some(m));
    }
    let store = s.media()?;
    if failed_lately(store, &hash)? {
        return Ok(None);
    }
    // One fetch per address at a time: whoever comes second waits, then finds the copy.
    let turn = {
        let mut fetching = store
            .fetching
            .lock()
            .map_err(|_| Error::Internal("media fetches lock".into()))?;
        fetching.entry(hash.clone()).or_default().clone()
    };
    // The entry goes when the last request holding it is done or dropped (its reader gone).
    let leaving = Leaving {
        map: &store.fetching,
        hash: &hash,
        turn,
    };
    let _turn = leaving.turn.lock().await;
    match storage::media::cached(&s.db, &hash).await? {
        Some(m) => Ok(Some(m)),
        None if failed_lately(store, &hash)? => Ok(None),
        None => fetch_and_keep(s, url, hash.clone()).await,
    }
}

/// A request's hold on an address's turn: the map's entry goes with the last holder, and
/// only if it is still this turn's (the map and this are its only holders; a holder is only
/// added under the map's lock, so the count cannot change meanwhile).
struct Leaving<'a> {
    map: &'a InFlight,
    hash: &'a str,
    turn: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        if let Ok(mut fetching) = self.map.lock() {
            let last = fetching.get(self.hash).is_some_and(|t| {
                std::sync::Arc::ptr_eq(t, &self.turn) && std::sync::Arc::strong_count(t) == 2
            });
            if last {
                fetching.remove(self.hash);
            }
        }
    }
}

/// Remote addresses being fetched, by hash, each with the lock its fetch holds.
pub type InFlight = std::sync::Arc<
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
>;

fn failed_lately(store: &super::Media, hash: &str) -> Result<bool> {
    let mut failed = store
        .failed
        .lock()
        .map_err(|_| Error::Internal("media failures lock".into()))?;
    failed.retain(|_, at| at.elapsed() < RETRY_AFTER);
    Ok(failed.contains_key(hash))
}

async fn fetch_and_keep(s: &Services, url: &str, hash: String) -> Result<Option<media::Model>> {
    let store = s.media()?;
    match fetch(s, url).await {
        Ok(bytes) => match store.process(bytes.into()).await? {
            Ok(Processed::Image(img)) => {
                let key = crate::domain::random_hex(16);
                let total = (img.display.len() + img.thumbnail.len()) as i64;
                let (main, thumb) = names(&key, img.ext);
                store.put(&main, img.display).await?;
                store.put(&thumb, img.thumbnail).await?;
                let inserted = storage::media::insert(
                    &s.db,
                    NewMedia {
                        key,
                        owner_id: None,
                        kind: "image",
                        content_type: img.content_type.to_string(),
                        ext: img.ext.to_string(),
                        bytes: total,
                        size: Some((img.width, img.height)),
                        alt: String::new(),
                        name: String::new(),
                        remote: Some((url.to_string(), hash.clone())),
                    },
                    now(),
                )
                .await;
                match inserted {
                    Ok(m) => {
                        evict(s, store.cache_limit).await?;
                        Ok(Some(m))
                    }
                    // Another request cached it meanwhile: that copy stays.
                    Err(_) => {
                        let _ = store.delete(&main).await;
                        let _ = store.delete(&thumb).await;
                        Ok(storage::media::cached(&s.db, &hash).await?)
                    }
                }
            }
            Ok(Processed::Document { .. }) | Err(_) => {
                remember_failure(s, hash)?;
                Ok(None)
            }
        },
        Err(e) => {
            tracing::debug!(url, error = %e, "remote image not fetched");
            remember_failure(s, hash)?;
            Ok(None)
        }
    }
}

fn remember_failure(s: &Services, hash: String) -> Result<()> {
    let store = s.media()?;
    store
        .failed
        .lock()
        .map_err(|_| Error::Internal("media failures lock".into()))?
        .insert(hash, Instant::now());
    Ok(())
}

/// Fetches `url` under the rules in the module docs.
async fn fetch(s: &Services, url: &str) -> Result<Vec<u8>> {
    let store = s.media()?;
    let client = store
        .client
        .as_ref()
        .ok_or_else(|| Error::Internal("no client for remote media".into()))?;
    let parsed = url::Url::parse(url).map_err(|e| Error::invalid("url", e.to_string()))?;
    let debug = s.instance.scheme == "http";
    let host = parsed.host_str().unwrap_or_default();
    if !(parsed.scheme() == "https" || debug && parsed.scheme() == "http") || host.is_empty() {
        return Err(Error::refused(
            crate::error::Code::UrlRefused,
            "not an https address",
        ));
    }
    // A literal address never reaches the resolver that refuses internal ones.
    let literal = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .ok();
    if !debug && literal.is_some_and(is_internal_ip) {
        return Err(Error::refused(
            crate::error::Code::UrlRefused,
            "an internal address",
        ));
    }
    s.blocked.refuse(&s.db, &parsed).await?;
    // Signed by the instance actor, as fetches of documents are: a members-only group's
    // server gives its members' servers their pictures (`http::media`).
    let actor = s.instance.instance_actor_url();
    let key = s
        .keys
        .private(&actor, async || {
            Ok(crate::domain::keys::instance(s).await?.private_pem)
        })
        .await?;
    let signed = crate::federation::signing::sign_get(
        &key,
        &format!("{actor}#main-key"),
        &parsed,
        std::time::SystemTime::now(),
    )?;
    let mut request = client.get(parsed).header("accept", "image/*");
    for (name, value) in signed {
        request = request.header(name, value);
    }
    let resp = request
        .send()
        .await
        .map_err(|e| Error::Upstream(e.to_string()))?;
    if !resp.status().is_success() {
        return Err(Error::Upstream(format!("answered {}", resp.status())));
    }
    let limit = store.limits.max_bytes;
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(Error::Upstream("too large".into()));
    }
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Error::Upstream(e.to_string()))?;
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(Error::Upstream("too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Deletes the least recently shown copies while the copies take more than `limit`.
async fn evict(s: &Services, limit: u64) -> Result<()> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut total = storage::media::cached_bytes(&s.db).await?;
    while total > limit {
        let oldest = storage::media::least_recent(&s.db, 50).await?;
        if oldest.is_empty() {
            break;
        }
        for m in oldest {
            if total <= limit {
                break;
            }
            storage::media::delete(&s.db, m.id).await?;
            let (main, thumb) = names(&m.key, &m.ext);
            s.media()?.delete(&main).await?;
            s.media()?.delete(&thumb).await?;
            total -= m.bytes;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance() -> Instance {
        let mut i = Instance::from_config(&crate::config::Config::default());
        i.media_key = [7; 32];
        i
    }

    #[test]
    fn only_signed_addresses_are_fetched() {
        let i = instance();
        let p = path(&i, "https://elsewhere.example/a.png?x=1&y=2").unwrap();
        let signed = p.strip_prefix("/media/remote/").unwrap();
        assert_eq!(
            verify(&i, signed).as_deref(),
            Some("https://elsewhere.example/a.png?x=1&y=2")
        );
        let forged = format!(
            "{}.{}",
            "0".repeat(32),
            URL_SAFE_NO_PAD.encode("http://169.254.169.254/")
        );
        assert_eq!(verify(&i, &forged), None);
        let mut other = instance();
        other.media_key = [8; 32];
        assert_eq!(verify(&other, signed), None);
        assert_eq!(path(&i, "javascript:alert(1)"), None);
    }

    #[test]
    fn remote_images_in_html_are_rewritten() {
        let i = instance();
        let html = "<p>x <img src=\"https://e.example/a.png?a=1&amp;b=2\" alt=\"a\"> \
                    <img src=\"https://localhost:8080/media/k.png\"></p>";
        let out = proxied(html, &i);
        assert!(!out.contains("e.example"), "{out}");
        assert!(out.contains("<img src=\"/media/remote/"), "{out}");
        assert!(out.contains("alt=\"a\""), "{out}");
        assert!(out.contains("https://localhost:8080/media/k.png"), "{out}");
        let p = path(&i, "https://e.example/a.png?a=1&b=2").unwrap();
        assert!(out.contains(&p), "{out}");
        // Sent to other servers, the addresses are theirs again.
        assert_eq!(unproxied(&out, &i), html);
    }
}
