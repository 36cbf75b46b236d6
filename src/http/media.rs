//! Serving pictures and files: `/media/{key}.{ext}` (an upload) and `/media/{key}_t.{ext}`
//! (its thumbnail), the avatars and group pictures at their stable paths, and the cached
//! copies of remote images (`/media/remote/…`, `media::remote`).
//!
//! Every file is served with its stored content type (read from its bytes when it was
//! taken), `nosniff`, a sandboxing Content-Security-Policy, an `ETag` and long cache headers
//! (a file's name changes whenever its content would), and answers single byte ranges.
//! Documents are served as downloads. Who may see a file is `domain::media::access`.

use axum::{
    Router,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use super::{
    AppState,
    extract::ApiPath,
    web::session::{SESSION_COOKIE, cookie},
};
use crate::{
    domain::{
        accounts::{self, CurrentUser},
        media::{self as rules, Access, GroupPicture},
    },
    error::{Error, Result},
    media::names,
    storage::{self, entities::media},
};

pub mod remote;

/// The routes that serve media.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/media/{file}", get(file))
        .route("/media/avatars/{person}/{version}", get(avatar))
        .route(
            "/media/groups/{group}/{which}/{version}",
            get(group_picture),
        )
        .route("/media/remote/{signed}", get(remote::serve))
}

/// Who asks: a bearer token's account or the session cookie's (anyone else is nobody).
async fn viewer(s: &AppState, headers: &HeaderMap) -> Option<CurrentUser> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::to_string);
    let token = bearer.or_else(|| cookie(headers, SESSION_COOKIE))?;
    accounts::authenticate(&s.ctx, &token).await.ok()
}

/// `{key}.{ext}` or `{key}_t.{ext}` read into the key, whether the thumbnail, and the ext.
fn parse_file(file: &str) -> Option<(&str, bool, &str)> {
    let (stem, ext) = file.rsplit_once('.')?;
    let (key, thumb) = match stem.strip_suffix("_t") {
        Some(k) => (k, true),
        None => (stem, false),
    };
    (key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit())).then_some((key, thumb, ext))
}

async fn file(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    ApiPath(file): ApiPath<String>,
) -> Result<Response> {
    let (key, thumb, ext) = parse_file(&file).ok_or(Error::NotFound("media"))?;
    let m = storage::media::by_key(&s.ctx.db, key)
        .await?
        .filter(|m| m.ext == ext && m.remote_hash.is_none())
        .ok_or(Error::NotFound("media"))?;
    if thumb && m.kind != "image" {
        return Err(Error::NotFound("media"));
    }
    let who = viewer(&s, &headers).await;
    let cache = match rules::access(&s.ctx, &m, who.as_ref()).await? {
        // The server of a member of a members-only group that shows it, by a signed fetch
        // (to show its members its own copy), as the group's posts are fetched.
        Access::Hidden if headers.contains_key("signature") => {
            let mut allowed = false;
            for g in rules::closed_groups_showing(&s.ctx, &m).await? {
                if crate::http::activitypub::ids::fetchable(&s, &g, "GET", &uri, &headers)
                    .await
                    .is_ok()
                {
                    allowed = true;
                    break;
                }
            }
            if !allowed {
                return Err(Error::NotFound("media"));
            }
            "private, max-age=300"
        }
        Access::Hidden => return Err(Error::NotFound("media")),
        // Short: a post's pictures go when it is deleted, removed, or its group closes.
        Access::Public => "public, max-age=300",
        Access::Private => "private, max-age=300",
    };
    send(&s, &headers, &m, thumb, cache).await
}

async fn avatar(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiPath((person, version)): ApiPath<(i64, String)>,
) -> Result<Response> {
    let p = storage::persons::find(&s.ctx.db, person)
        .await?
        .ok_or(Error::NotFound("avatar"))?;
    picture(
        &s,
        &headers,
        p.avatar_id,
        p.avatar_url.as_deref(),
        &version,
        true,
    )
    .await
}

async fn group_picture(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiPath((group, which, version)): ApiPath<(i64, String, String)>,
) -> Result<Response> {
    let which = GroupPicture::parse(&which).ok_or(Error::NotFound("picture"))?;
    let g = storage::groups::find(&s.ctx.db, group)
        .await?
        .ok_or(Error::NotFound("picture"))?;
    let (id, url) = which.of(&g);
    picture(&s, &headers, id, url, &version, which == GroupPicture::Icon).await
}

/// An actor's picture: the upload `id` (its thumbnail when `small`), or the cached copy of
/// the remote `url`. `version` must be the current one, so that an old path is not served
/// another picture under its long cache lifetime.
async fn picture(
    s: &AppState,
    headers: &HeaderMap,
    id: Option<i64>,
    url: Option<&str>,
    version: &str,
    small: bool,
) -> Result<Response> {
    match (id, url) {
        (Some(id), _) if version == id.to_string() => {
            let m = storage::media::find(&s.ctx.db, id)
                .await?
                .ok_or(Error::NotFound("picture"))?;
            if m.removed {
                return Err(Error::NotFound("picture"));
            }
            // The path names the picture: a new one gets a new path.
            send(s, headers, &m, small, "public, max-age=86400").await
        }
        (None, Some(url))
            if version
                .strip_prefix('r')
                .is_some_and(|h| rules::hash_url(url).starts_with(h) && h.len() == 12) =>
        {
            remote::show(s, headers, url).await
        }
        _ => Err(Error::NotFound("picture")),
    }
}

/// Sends stored file `m` (its thumbnail when `thumb`) with `cache` as its Cache-Control.
pub(super) async fn send(
    s: &AppState,
    headers: &HeaderMap,
    m: &media::Model,
    thumb: bool,
    cache: &'static str,
) -> Result<Response> {
    let (main, small) = names(&m.key, &m.ext);
    let name = if thumb && m.kind == "image" {
        small
    } else {
        main
    };
    let etag = format!("\"{name}\"");
    let mut head = HeaderMap::new();
    head.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        head.insert(header::ETAG, v);
    }
    head.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // Nothing in a file may run or load anything, even opened directly.
    head.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    // Other servers' pages (a Mastodon user's timeline) show these pictures.
    head.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    if let Ok(v) = HeaderValue::from_str(&m.content_type) {
        head.insert(header::CONTENT_TYPE, v);
    }
    if m.kind != "image" {
        let file = if m.name.is_empty() {
            format!("{}.{}", m.key, m.ext)
        } else {
            m.name.clone()
        };
        let ascii: String = file
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
            head.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok((StatusCode::NOT_MODIFIED, head).into_response());
    }
    let store = s.ctx.media()?;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(range) = range {
        let size = store.size(&name).await?.ok_or(Error::NotFound("media"))?;
        return match byte_range(&range, size) {
            // A range this server does not read (another unit, not a number) is ignored.
            Range::Unread => {
                let bytes = store
                    .get(&name, None)
                    .await?
                    .ok_or(Error::NotFound("media"))?;
                Ok((StatusCode::OK, head, Body::from(bytes)).into_response())
            }
            Range::Within(start, end) => {
                let bytes = store
                    .get(&name, Some(start..end + 1))
                    .await?
                    .ok_or(Error::NotFound("media"))?;
                if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
                    head.insert(header::CONTENT_RANGE, v);
                }
                Ok((StatusCode::PARTIAL_CONTENT, head, Body::from(bytes)).into_response())
            }
            Range::Outside => {
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                    head.insert(header::CONTENT_RANGE, v);
                }
                Ok((StatusCode::RANGE_NOT_SATISFIABLE, head).into_response())
            }
        };
    }
    let bytes = store
        .get(&name, None)
        .await?
        .ok_or(Error::NotFound("media"))?;
    Ok((StatusCode::OK, head, Body::from(bytes)).into_response())
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Range {
    /// Not a byte range this server reads (answered with the whole file, as RFC 9110 says).
    Unread,
    /// The first range, as inclusive offsets (several ranges are answered with the first).
    Within(u64, u64),
    /// A byte range outside the file (416).
    Outside,
}

fn byte_range(header: &str, size: u64) -> Range {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Range::Unread;
    };
    let first = spec.split(',').next().unwrap_or_default().trim();
    let Some((a, b)) = first.split_once('-') else {
        return Range::Unread;
    };
    let (a, b) = (a.trim(), b.trim());
    let number = |s: &str| s.parse::<u64>().ok();
    let asked = match (a.is_empty(), b.is_empty()) {
        (true, false) => number(b).map(|n| (None, Some(n))),
        (false, true) => number(a).map(|s| (Some(s), None)),
        (false, false) => number(a).zip(number(b)).map(|(s, e)| (Some(s), Some(e))),
        (true, true) => None,
    };
    let Some(asked) = asked else {
        return Range::Unread;
    };
    if size == 0 {
        return Range::Outside;
    }
    match asked {
        (None, Some(0)) => Range::Outside,
        (None, Some(n)) => Range::Within(size.saturating_sub(n), size - 1),
        (Some(s), e) => {
            let end = e.map_or(size - 1, |e| e.min(size - 1));
            if s <= end && s < size {
                Range::Within(s, end)
            } else {
                Range::Outside
            }
        }
        (None, None) => Range::Unread,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(byte_range("bytes=0-9", 100), Range::Within(0, 9));
        assert_eq!(byte_range("bytes=90-", 100), Range::Within(90, 99));
        assert_eq!(byte_range("bytes=-10", 100), Range::Within(90, 99));
        assert_eq!(byte_range("bytes=50-500", 100), Range::Within(50, 99));
        assert_eq!(byte_range("bytes=100-", 100), Range::Outside);
        assert_eq!(byte_range("bytes=9-1", 100), Range::Outside);
        assert_eq!(byte_range("items=0-1", 100), Range::Unread);
        assert_eq!(byte_range("bytes=abc", 100), Range::Unread);
    }

    #[test]
    fn file_names() {
        let k = "0123456789abcdef0123456789abcdef";
        assert_eq!(parse_file(&format!("{k}.jpg")), Some((k, false, "jpg")));
        assert_eq!(parse_file(&format!("{k}_t.png")), Some((k, true, "png")));
        assert_eq!(parse_file("../etc/passwd"), None);
        assert_eq!(parse_file(&format!("{k}x.jpg")), None);
    }
}
