//! Pictures and files: who may upload what (quotas, alt text), which posts, replies and
//! pages show which upload (`media_links`, from the local media addresses their markdown
//! names), who may see a file, delete it or remove it, and how an upload is described to
//! other servers (`attachment`, `icon`, `image`). The bytes are kept by `crate::media`.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Ctx, accounts::CurrentUser, members, text};
use crate::{
    error::{Code, Error, Result},
    media::process::Refusal,
    storage::{
        self,
        entities::{groups, media, persons},
    },
};

/// `media_links.kind` of a post.
pub const POST: i16 = 0;
/// `media_links.kind` of a reply.
pub const REPLY: i16 = 1;
/// `media_links.kind` of a knowledge-base page.
pub const PAGE: i16 = 2;

/// Longest alt text, characters.
pub const MAX_ALT: usize = 1500;

/// An upload, as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Media)]
pub struct MediaView {
    /// Its name: the last part of its address, without the extension.
    pub key: String,
    /// `image` or `document`.
    pub kind: String,
    /// `image/jpeg`, `image/png` or `application/pdf`.
    pub content_type: String,
    /// Its address.
    #[schema(format = "uri")]
    pub url: String,
    /// The thumbnail's address (images).
    #[schema(format = "uri")]
    pub thumbnail_url: Option<String>,
    /// Width of the display size, pixels (images).
    pub width: Option<i32>,
    /// Height of the display size, pixels (images).
    pub height: Option<i32>,
    /// The alt text (images) or description.
    pub alt: String,
    /// The name the file was uploaded with.
    pub name: String,
    /// What it takes with its thumbnail, bytes (counted in the quota).
    pub bytes: i64,
    /// Markdown that shows it in a post or reply.
    pub markdown: String,
}

/// The view of stored file `m`.
pub fn view(ctx: &Ctx, m: &media::Model) -> MediaView {
    let url = file_url(ctx, m);
    let image = m.kind == "image";
    let markdown = if image {
        format!("![{}]({url})", markdown_text(&m.alt))
    } else {
        let label = if m.name.is_empty() { &m.key } else { &m.name };
        format!("[{}]({url})", markdown_text(label))
    };
    MediaView {
        key: m.key.clone(),
        kind: m.kind.clone(),
        content_type: m.content_type.clone(),
        thumbnail_url: image.then(|| thumbnail_url(ctx, m)),
        url,
        width: m.width,
        height: m.height,
        alt: m.alt.clone(),
        name: m.name.clone(),
        bytes: m.bytes,
        markdown,
    }
}

/// Text safe inside markdown's `[…]`.
fn markdown_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '[' | ']' | '\\' | '\n' | '\r' => ' ',
            c => c,
        })
        .collect()
}

/// The address of stored file `m`.
pub fn file_url(ctx: &Ctx, m: &media::Model) -> String {
    format!("{}/media/{}.{}", ctx.instance.base_url(), m.key, m.ext)
}

/// The address of the thumbnail of image `m`.
pub fn thumbnail_url(ctx: &Ctx, m: &media::Model) -> String {
    format!("{}/media/{}_t.{}", ctx.instance.base_url(), m.key, m.ext)
}

/// The path a person's avatar is shown at here: their upload, or a remote person's avatar
/// through the cache (the last part changes with the picture, so it may be cached for long).
pub fn avatar_path(p: &persons::Model) -> Option<String> {
    match (p.avatar_id, p.avatar_url.as_deref()) {
        (Some(id), _) => Some(format!("/media/avatars/{}/{id}", p.id)),
        (None, Some(url)) => Some(format!("/media/avatars/{}/r{}", p.id, short_hash(url))),
        _ => None,
    }
}

/// A group's icon or banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupPicture {
    /// The square picture shown beside its name.
    Icon,
    /// The wide picture at the top of its page.
    Banner,
}

impl GroupPicture {
    /// Its name in paths and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Icon => "icon",
            Self::Banner => "banner",
        }
    }

    /// From a path's or form's name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "icon" => Some(Self::Icon),
            "banner" => Some(Self::Banner),
            _ => None,
        }
    }

    /// The upload and the remote address stored for it.
    pub fn of(self, g: &groups::Model) -> (Option<i64>, Option<&str>) {
        match self {
            Self::Icon => (g.icon_id, g.icon_url.as_deref()),
            Self::Banner => (g.banner_id, g.banner_url.as_deref()),
        }
    }
}

/// The path a group's icon or banner is shown at here (see [`avatar_path`]).
pub fn group_picture_path(g: &groups::Model, which: GroupPicture) -> Option<String> {
    let kind = which.as_str();
    match which.of(g) {
        (Some(id), _) => Some(format!("/media/groups/{}/{kind}/{id}", g.id)),
        (None, Some(url)) => Some(format!(
            "/media/groups/{}/{kind}/r{}",
            g.id,
            short_hash(url)
        )),
        _ => None,
    }
}

/// The first 12 hex digits of the SHA-256 of `s`.
fn short_hash(s: &str) -> String {
    let mut h = hash_url(s);
    h.truncate(12);
    h
}

/// The SHA-256 of a remote address, hex (the cache's key).
pub fn hash_url(url: &str) -> String {
    use sha2::{Digest, Sha256};
    super::hex(&Sha256::digest(url.as_bytes()))
}

/// The alt text as stored: one line, at most [`MAX_ALT`] characters.
pub fn alt(raw: &str) -> Result<String> {
    if raw.chars().count() > MAX_ALT {
        return Err(Error::invalid(
            "alt",
            format!("at most {MAX_ALT} characters"),
        ));
    }
    Ok(text::plain_line(raw, MAX_ALT))
}

/// The name a file was uploaded with, as stored (a plain name, no path).
pub fn file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    text::plain_line(base, 200)
}

/// `Err(413 quota_exceeded)` when `owner` keeping `adding` more bytes would go over their
/// quota or the instance's.
pub async fn ensure_room(ctx: &Ctx, owner: i64, adding: u64) -> Result<()> {
    let adding = i64::try_from(adding).unwrap_or(i64::MAX);
    let person = ctx.instance.media_person_quota;
    if person > 0 {
        let used = storage::media::uploaded_bytes(&ctx.db, Some(owner)).await?;
        if used.saturating_add(adding) > i64::try_from(person).unwrap_or(i64::MAX) {
            return Err(Error::refused(
                Code::QuotaExceeded,
                format!(
                    "your uploads would take more than your {} MB; delete some first",
                    person / 1_000_000
                ),
            ));
        }
    }
    let instance = ctx.instance.media_instance_quota;
    if instance > 0 {
        let used = storage::media::uploaded_bytes(&ctx.db, None).await?;
        if used.saturating_add(adding) > i64::try_from(instance).unwrap_or(i64::MAX) {
            return Err(Error::refused(
                Code::QuotaExceeded,
                "this server keeps no more uploads; ask its administrators",
            ));
        }
    }
    Ok(())
}

/// What a refused file is answered with.
pub fn refused(r: Refusal) -> Error {
    match r {
        Refusal::TooLarge(limit) => Error::PayloadTooLarge {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        },
        r => Error::refused(Code::MediaRefused, r.to_string()),
    }
}

/// The keys of this server's media addresses in `body` (`…/media/KEY.ext`, absolute on this
/// server or a path), at most 64.
pub fn keys_in(base_url: &str, body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("/media/") {
        let before = &rest[..at];
        let after = &rest[at + "/media/".len()..];
        let absolute_here = before.ends_with(base_url);
        // A path: "(/media/…", "\"/media/…", "'/media/…" or at the start.
        let path = before.is_empty() || before.ends_with(['(', '"', '\'', ' ', '<', '\n']);
        if absolute_here || path {
            let key: String = after.chars().take_while(char::is_ascii_hexdigit).collect();
            if key.len() == 32 && !out.contains(&key) {
                out.push(key);
            }
        }
        rest = after;
        if out.len() >= 64 {
            break;
        }
    }
    out
}

/// Records which uploads post, reply or page `object_id` shows, after `writer` saved it
/// with `body`. Only the writer's own uploads are linked (naming someone else's address
/// links nothing: it neither opens a members-only picture to a public group nor lets that
/// group's moderators take it down). A post's or reply's links are its body's; a page's
/// add up over its revisions, so an older revision (or a revert to it) still shows them.
pub async fn link(ctx: &Ctx, kind: i16, object_id: i64, body: &str, writer: i64) -> Result<()> {
    let keys = keys_in(&ctx.instance.base_url(), body);
    let found = storage::media::uploads_by_keys(&ctx.db, &keys).await?;
    let mut ids: Vec<i64> = found
        .iter()
        .filter(|m| m.owner_id == Some(writer))
        .map(|m| m.id)
        .collect();
    if kind == PAGE {
        for m in storage::media::linked(&ctx.db, kind, object_id).await? {
            if !ids.contains(&m.id) {
                ids.push(m.id);
            }
        }
    }
    storage::media::set_links(&ctx.db, kind, object_id, &ids).await?;
    Ok(())
}

/// Markdown written here as HTML to show, with pictures on other servers shown through this
/// one (the pages allow pictures from this site only).
pub fn render_markdown(ctx: &Ctx, source: &str) -> String {
    crate::media::remote::proxied(&text::render_markdown(source), &ctx.instance)
}

/// Links the uploads a post or reply here names (after it was written or edited).
pub async fn link_content(ctx: &Ctx, id: super::content::ContentRef) -> Result<()> {
    use super::content::ContentRef;
    match id {
        ContentRef::Post(p) => match storage::posts::find(&ctx.db, p).await? {
            Some(post) => link(ctx, POST, p, &post.body, post.author_id).await,
            None => Ok(()),
        },
        ContentRef::Reply(r) => match storage::replies::find(&ctx.db, r).await? {
            Some(reply) => link(ctx, REPLY, r, &reply.body, reply.author_id).await,
            None => Ok(()),
        },
    }
}

/// Links the uploads of `writer` that page `page_id` names (after their save).
pub async fn link_page(ctx: &Ctx, page_id: i64, writer: i64) -> Result<()> {
    let body = storage::pages::find_by_id(&ctx.db, page_id)
        .await?
        .map(|p| p.body);
    link(
        ctx,
        PAGE,
        page_id,
        body.as_deref().unwrap_or_default(),
        writer,
    )
    .await
}

/// Who may see a stored file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; shared caches may keep it.
    Public,
    /// The viewer, who may read a members-only group that shows it; kept by their browser
    /// only.
    Private,
    /// Nobody (removed, or shown only by what is deleted, removed or closed to the viewer).
    Hidden,
}

/// Who may see upload `m` at its address: what shows it decides. One that nothing shows (a
/// draft's, before its post is saved) is its uploader's alone. (Avatars, icons and banners
/// are served at their actors' paths, cached remote images at theirs.)
pub async fn access(ctx: &Ctx, m: &media::Model, viewer: Option<&CurrentUser>) -> Result<Access> {
    if m.removed {
        return Ok(Access::Hidden);
    }
    let uses = storage::media::uses(&ctx.db, m.id).await?;
    if uses.is_empty() {
        let owner = viewer.is_some_and(|v| m.owner_id == Some(v.person.id));
        return Ok(if owner {
            Access::Private
        } else {
            Access::Hidden
        });
    }
    let mut best = Access::Hidden;
    for (kind, id) in uses {
        let Some(group_id) = live_group_of(ctx, kind, id).await? else {
            continue;
        };
        let Some(group) = storage::groups::find(&ctx.db, group_id).await? else {
            continue;
        };
        if !members::is_members_only(&group) {
            return Ok(Access::Public);
        }
        if members::may_read(ctx, &group, viewer).await? {
            best = Access::Private;
        }
    }
    Ok(best)
}

/// The members-only groups whose live posts, replies or pages show upload `m` (their
/// members' servers may fetch it: `http::media`).
pub async fn closed_groups_showing(ctx: &Ctx, m: &media::Model) -> Result<Vec<groups::Model>> {
    let mut out: Vec<groups::Model> = Vec::new();
    if m.removed {
        return Ok(out);
    }
    for (kind, id) in storage::media::uses(&ctx.db, m.id).await? {
        let Some(group_id) = live_group_of(ctx, kind, id).await? else {
            continue;
        };
        if out.iter().any(|g| g.id == group_id) {
            continue;
        }
        if let Some(g) = storage::groups::find(&ctx.db, group_id).await?
            && members::is_members_only(&g)
        {
            out.push(g);
        }
    }
    Ok(out)
}

/// The group of post, reply or page `id` while it is live (not deleted or removed).
async fn live_group_of(ctx: &Ctx, kind: i16, id: i64) -> Result<Option<i64>> {
    Ok(match kind {
        POST => storage::posts::find(&ctx.db, id)
            .await?
            .filter(|p| p.deleted_at.is_none() && !p.removed)
            .map(|p| p.group_id),
        REPLY => {
            let Some(r) = storage::replies::find(&ctx.db, id)
                .await?
                .filter(|r| r.deleted_at.is_none() && !r.removed)
            else {
                return Ok(None);
            };
            storage::posts::find(&ctx.db, r.post_id)
                .await?
                .filter(|p| p.deleted_at.is_none() && !p.removed)
                .map(|p| p.group_id)
        }
        _ => storage::pages::find_by_id(&ctx.db, id)
            .await?
            .filter(|p| !p.removed)
            .map(|p| p.group_id),
    })
}

/// What `user` may do to `m`: delete it (its uploader, an administrator) or remove it as a
/// moderator of a group one of whose posts, replies or pages shows it.
pub async fn ensure_may_take_down(ctx: &Ctx, user: &CurrentUser, m: &media::Model) -> Result<()> {
    if m.owner_id == Some(user.person.id) || user.is_admin {
        return Ok(());
    }
    for (kind, id) in storage::media::uses(&ctx.db, m.id).await? {
        let group_id = match kind {
            POST => storage::posts::find(&ctx.db, id).await?.map(|p| p.group_id),
            REPLY => match storage::replies::find(&ctx.db, id).await? {
                Some(r) => storage::posts::find(&ctx.db, r.post_id)
                    .await?
                    .map(|p| p.group_id),
                None => None,
            },
            _ => storage::pages::find_by_id(&ctx.db, id)
                .await?
                .map(|p| p.group_id),
        };
        if let Some(g) = group_id
            && storage::groups::is_moderator(&ctx.db, g, user.person.id).await?
        {
            return Ok(());
        }
    }
    Err(Error::NotFound("media"))
}

/// The uploads post, reply or page `object_id` shows, as ActivityPub attachments (as
/// Mastodon and Lemmy read them: `Image` or `Document`, `mediaType`, `url`, `name` — the alt
/// text —, `width`, `height`).
pub async fn attachments(ctx: &Ctx, kind: i16, object_id: i64) -> Result<Vec<serde_json::Value>> {
    let files = storage::media::linked(&ctx.db, kind, object_id).await?;
    Ok(files.iter().map(|m| attachment(ctx, m)).collect())
}

/// One upload as an ActivityPub attachment.
pub fn attachment(ctx: &Ctx, m: &media::Model) -> serde_json::Value {
    let mut a = serde_json::json!({
        "type": if m.kind == "image" { "Image" } else { "Document" },
        "mediaType": m.content_type,
        "url": file_url(ctx, m),
    });
    let name = if m.kind == "image" { &m.alt } else { &m.name };
    if !name.is_empty() {
        a["name"] = name.clone().into();
    }
    if let (Some(w), Some(h)) = (m.width, m.height) {
        a["width"] = w.into();
        a["height"] = h.into();
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_in_markdown_and_html() {
        let base = "https://here.example";
        let k1 = "0123456789abcdef0123456789abcdef";
        let k2 = "fedcba9876543210fedcba9876543210";
        let body = format!(
            "![a]({}/media/{k1}.jpg) and <img src=\"/media/{k2}_t.png\"> and \
             https://elsewhere.example/media/{k1}ff.jpg and ![b]({}/media/{k1}.jpg)",
            base, base
        );
        assert_eq!(keys_in(base, &body), vec![k1.to_string(), k2.to_string()]);
        assert!(
            keys_in(
                base,
                "https://elsewhere.example/media/0123456789abcdef0123456789abcdef.jpg"
            )
            .is_empty()
        );
    }
}
