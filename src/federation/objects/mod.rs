//! Posts and replies as the federation library sees them. A remote object is checked here
//! before it is stored: its id must be on its author's domain, its HTML is sanitised, its
//! group must be the one its thread belongs to, and a reply's missing parents are fetched
//! (bounded by the per-request fetch limit and the thread depth limit).

mod prepare;
pub use prepare::addressed_for;

pub use prepare::{NewContent, Prepared};

use crate::error::Code;
use activitypub_federation::{
    config::Data, fetch::object_id::ObjectId, protocol::verification::verify_domains_match,
    traits::Object as ApObject,
};
use async_trait::async_trait;
use chrono::SubsecRound;
use url::Url;

use super::{
    actors::DbGroup,
    documents::{self, url},
    protocol::{Attachment, MAX_TAGS, Object, ObjectKind, Tag, is_public_collection},
};
use crate::services::Services;
use crate::{
    domain::{Ctx, now, text},
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, posts, replies},
    },
};

/// A post or a reply: whatever a `Page`/`Note`/`Article` turns out to be. An object without
/// `inReplyTo` starts a thread; one with it answers a post or reply.
#[derive(Debug, Clone)]
pub enum Content {
    /// A post.
    Post(posts::Model, Url),
    /// A reply.
    Reply(replies::Model, Url),
}

impl Content {
    /// The group this content belongs to.
    pub async fn group(&self, ctx: &Ctx) -> Result<groups::Model> {
        let group_id = match self {
            Self::Post(p, _) => p.group_id,
            Self::Reply(r, _) => {
                storage::posts::find(&ctx.db, r.post_id)
                    .await?
                    .ok_or(Error::NotFound("post"))?
                    .group_id
            }
        };
        storage::groups::find(&ctx.db, group_id)
            .await?
            .ok_or(Error::NotFound("group"))
    }

    /// The document served at this content's id, read through `ctx` (inside a use case,
    /// its transaction sees the change being made).
    pub async fn to_document(&self, data: &Ctx) -> Result<Object> {
        let doc = self.document_alone(data).await?;
        with_media(data, self.id_ref(), doc).await
    }

    async fn document_alone(&self, data: &Ctx) -> Result<Object> {
        match self {
            Self::Post(p, _) => {
                let group = self.group(data).await?;
                let author = storage::persons::find(&data.db, p.author_id)
                    .await?
                    .ok_or(Error::NotFound("person"))?;
                documents::post(p, &group, &author)
            }
            Self::Reply(r, _) => {
                let group = self.group(data).await?;
                let author = storage::persons::find(&data.db, r.author_id)
                    .await?
                    .ok_or(Error::NotFound("person"))?;
                let (parent, parent_author) = match r.parent_id {
                    Some(pid) => storage::replies::find(&data.db, pid)
                        .await?
                        .map(|x| (x.ap_id, x.author_id)),
                    None => storage::posts::find(&data.db, r.post_id)
                        .await?
                        .map(|x| (x.ap_id, x.author_id)),
                }
                .ok_or(Error::NotFound("parent"))?;
                let parent_author = storage::persons::find(&data.db, parent_author).await?;
                let answer = storage::posts::find(&data.db, r.post_id)
                    .await?
                    .and_then(|p| documents::answer_flag(&p, r.id));
                documents::reply(r, &parent, &group, &author, parent_author.as_ref(), answer)
            }
        }
    }

    /// Which post or reply this is, as the rules name it.
    pub fn id_ref(&self) -> crate::domain::content::ContentRef {
        match self {
            Self::Post(p, _) => crate::domain::content::ContentRef::Post(p.id),
            Self::Reply(r, _) => crate::domain::content::ContentRef::Reply(r.id),
        }
    }

    /// The stored author.
    pub fn author_id(&self) -> i64 {
        match self {
            Self::Post(p, _) => p.author_id,
            Self::Reply(r, _) => r.author_id,
        }
    }

    /// Whether an edit made at `edited` is newer than what is stored (an edit without a time
    /// counts as newer). Keeps a late, older edit from overwriting a newer one.
    pub fn older_than(&self, edited: Option<chrono::DateTime<chrono::Utc>>) -> bool {
        let stored = match self {
            Self::Post(p, _) => p.updated_at,
            Self::Reply(r, _) => r.updated_at,
        };
        match (stored, edited) {
            (Some(s), Some(e)) => s < e,
            _ => true,
        }
    }

    /// Whether it was deleted.
    pub fn is_deleted_row(&self) -> bool {
        match self {
            Self::Post(p, _) => p.deleted_at.is_some(),
            Self::Reply(r, _) => r.deleted_at.is_some(),
        }
    }

    /// Loads by ActivityPub id.
    pub async fn find(ctx: &Ctx, id: &Url) -> Result<Option<Self>> {
        if let Some(p) = storage::posts::find_by_ap_id(&ctx.db, id.as_str()).await? {
            return Ok(Some(Self::Post(p, id.clone())));
        }
        Ok(storage::replies::find_by_ap_id(&ctx.db, id.as_str())
            .await?
            .map(|r| Self::Reply(r, id.clone())))
    }
}

/// Plain text of at most `max` characters from a title-like field.
fn plain_title(s: &str, max: usize) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    text::plain_line(&spaced, max)
}

/// A post's title: its `name`, or (for servers that send untitled posts, such as NodeBB topics
/// or Mastodon posts) the first line of its text.
pub fn title_of(json: &Object) -> String {
    if let Some(t) = json
        .name
        .as_deref()
        .map(|n| plain_title(n, text::MAX_TITLE_CHARS))
        && !t.is_empty()
    {
        return t;
    }
    let html = json.body_html().unwrap_or_default();
    // Paragraph and line breaks end the first line.
    let marked = html.replace("<br", "\n<br").replace("</p>", "\n</p>");
    let text = ammonia::Builder::empty().clean(&marked).to_string();
    let text = decode_entities(&text);
    // A post that starts by mentioning its group (`@rust@host How do I…`): the mentions
    // are not part of the title.
    let first = text
        .lines()
        .map(|l| strip_leading_mentions(l.trim()))
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let title = plain_title(first, 100);
    if title.is_empty() {
        "(untitled)".to_string()
    } else {
        title
    }
}

/// `line` without the `@name` / `@name@host` words it starts with.
fn strip_leading_mentions(mut line: &str) -> &str {
    while let Some(rest) = line.strip_prefix('@') {
        line = rest
            .split_once(char::is_whitespace)
            .map_or("", |(_, after)| after)
            .trim_start();
    }
    line
}

/// The content warning of an object: its `summary` as plain text (Mastodon's spoiler text),
/// or a generic one for an object marked `sensitive` without a summary. A titled post's
/// `summary` is only a warning when it is marked `sensitive`: Mbin puts the title and tags
/// there for Mastodon's sake.
pub fn content_warning(json: &Object) -> Option<String> {
    let titled = json.kind != ObjectKind::Note || json.name.is_some();
    if titled && json.sensitive != Some(true) {
        return None;
    }
    let summary = json
        .summary
        .as_deref()
        .map(|s| {
            let text = ammonia::Builder::empty().clean(s).to_string();
            plain_title(&decode_entities(&text), text::MAX_TITLE_CHARS)
        })
        .filter(|s| !s.is_empty());
    match (summary, json.sensitive) {
        (Some(s), _) => Some(s),
        (None, Some(true)) => Some("Sensitive content".to_string()),
        _ => None,
    }
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The markdown source, when the sender gave one; otherwise empty (the HTML is what we show).
fn markdown_source(json: &Object) -> String {
    json.source
        .as_ref()
        .filter(|s| s.media_type == "text/markdown")
        .map(|s| {
            s.content
                .chars()
                .filter(|c| *c != '\0')
                .take(text::MAX_BODY_CHARS)
                .collect()
        })
        .unwrap_or_default()
}

/// The body as Cohort shows it: the sanitised HTML, custom emoji as small images, then the
/// attachments (images and links), all sanitised again as a whole.
pub fn sanitized_content(json: &Object, instance: &crate::domain::Instance) -> Result<String> {
    Ok(crate::media::remote::proxied(
        &sanitized_html(json)?,
        instance,
    ))
}

/// [`sanitized_content`] before its remote images are made to show through this server.
fn sanitized_html(json: &Object) -> Result<String> {
    // NUL cannot be stored in PostgreSQL text; it never means anything in HTML.
    let mut html = json.body_html().unwrap_or_default().replace('\0', "");
    if html.chars().count() > text::MAX_BODY_CHARS * 2 {
        return Err(Error::refused(Code::InvalidObject, "content is too long"));
    }
    // The form a Cohort group announces to Mastodon repeats the title as a first paragraph.
    if let Some(name) = json.name.as_deref() {
        let repeated = format!(
            "<p><strong>{}</strong></p>",
            crate::domain::text::escape(name)
        );
        if let Some(rest) = html.strip_prefix(&repeated) {
            html = rest.to_string();
        }
    }
    let mut out = text::sanitize_html(&html);
    let emoji: Vec<(String, Url)> = json
        .tags()
        .into_iter()
        .filter_map(|t| match t {
            Tag::Emoji { shortcode, icon } => Some((shortcode, icon)),
            _ => None,
        })
        .collect();
    if !emoji.is_empty() {
        out = with_emoji(&out, &emoji);
    }
    // What the body already shows (a Cohort post's pictures are in its text too) is not
    // added again.
    let attachments: Vec<Attachment> = json
        .attachments()
        .into_iter()
        .filter(|a| {
            !html.contains(&crate::domain::text::escape(a.url.as_str()))
                && !html.contains(a.url.as_str())
        })
        .collect();
    if !attachments.is_empty() {
        out.push_str(&attachments_html(&attachments));
    }
    if emoji.is_empty() && attachments.is_empty() {
        return Ok(out);
    }
    Ok(text::sanitize_html(&out))
}

/// `doc` with the uploads its post or reply shows as `attachment`s, and its pictures at
/// their own addresses.
pub async fn with_media(
    ctx: &Ctx,
    id: crate::domain::content::ContentRef,
    mut doc: Object,
) -> Result<Object> {
    use crate::domain::{content::ContentRef, media};
    let (kind, object_id) = match id {
        ContentRef::Post(p) => (media::POST, p),
        ContentRef::Reply(r) => (media::REPLY, r),
    };
    doc.attachment = media::attachments(ctx, kind, object_id).await?;
    // Pictures elsewhere that the pages show through this server go out at their own
    // addresses.
    let restore = |html: &mut String| *html = crate::media::remote::unproxied(html, &ctx.instance);
    if let Some(c) = doc.content.as_mut() {
        restore(c);
    }
    for c in doc.content_map.iter_mut().flat_map(|m| m.values_mut()) {
        restore(c);
    }
    Ok(doc)
}

/// Most custom emoji shown as images in one body; the shortcodes after that stay text.
const MAX_EMOJI_IMAGES: usize = 500;
/// Longest emoji image URL shown; an emoji with a longer one stays text.
const MAX_EMOJI_URL: usize = 2048;

/// Replaces `:shortcode:` in the text (never inside a tag) by the emoji's image, the first
/// emoji of that shortcode. The text is read once, left to right, and an image put in is never
/// searched again: each image's `alt` and `title` repeat the shortcode, so replacing emoji by
/// emoji made every duplicate tag double the body (40 copies of one emoji in a 3 KB activity
/// asked for terabytes). With the caps above the body grows by a few MB at most.
fn with_emoji(html: &str, emoji: &[(String, Url)]) -> String {
    let mut images: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for (code, icon) in emoji {
        if icon.as_str().len() <= MAX_EMOJI_URL {
            images.entry(code.as_str()).or_insert_with(|| {
                format!(
                    "<img src=\"{}\" alt=\":{code}:\" title=\":{code}:\" width=\"20\" height=\"20\">",
                    crate::domain::text::escape(icon.as_str())
                )
            });
        }
    }
    let mut out = String::with_capacity(html.len());
    let mut shown = 0;
    let mut rest = html;
    while !rest.is_empty() {
        // Copy tags unchanged; only text between them is rewritten.
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let mut text = &rest[..end];
        while let Some(at) = text.find(':') {
            out.push_str(&text[..at]);
            let after = &text[at + 1..];
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(after.len());
            let image = (shown < MAX_EMOJI_IMAGES && after[len..].starts_with(':'))
                .then(|| images.get(&after[..len]))
                .flatten();
            match image {
                Some(img) => {
                    out.push_str(img);
                    shown += 1;
                    text = &after[len + 1..];
                }
                None => {
                    out.push(':');
                    text = after;
                }
            }
        }
        out.push_str(text);
        rest = &rest[end..];
    }
    out
}

/// Attachments as HTML: an image as a linked image with its alt text, anything else as a link.
fn attachments_html(items: &[Attachment]) -> String {
    let mut out = String::new();
    for a in items {
        let href = crate::domain::text::escape(a.url.as_str());
        let name = a.name.as_deref().map(crate::domain::text::escape);
        if a.image {
            let alt = name.clone().unwrap_or_default();
            out.push_str(&format!(
                "<p><a href=\"{href}\"><img src=\"{href}\" alt=\"{alt}\"></a></p>"
            ));
        } else {
            let label = name.unwrap_or_else(|| href.clone());
            out.push_str(&format!("<p><a href=\"{href}\">{label}</a></p>"));
        }
    }
    out
}

/// URLs an object addresses or mentions that could be its group, in the order they are
/// tried: `audience`, then mentions, then `to` and `cc` (never the Public collection).
fn group_candidates(json: &Object) -> Vec<Url> {
    let mentions = json.tags().into_iter().filter_map(|t| match t {
        Tag::Mention { href, .. } => Some(href),
        _ => None,
    });
    json.audience
        .iter()
        .cloned()
        .chain(mentions)
        .chain(json.to.iter().cloned())
        .chain(json.cc.iter().cloned())
        .filter(|u| !is_public_collection(u.as_str()))
        .take(MAX_TAGS)
        .collect()
}

/// The group a new post belongs to: its FEP-1b12 `audience`; else (Mastodon, Misskey and
/// other microblogs, which name no audience) the first group we know that it mentions or
/// addresses. Groups are never fetched on a mention's word alone.
async fn claimed_group(json: &Object, data: &Data<Services>) -> Result<Option<Url>> {
    if let Some(a) = &json.audience {
        return Ok(Some(a.clone()));
    }
    for candidate in group_candidates(json) {
        if storage::groups::find_by_ap_id(&data.db, candidate.as_str())
            .await?
            .is_some()
        {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

/// The extras stored beside a remote post's text. Locked and pinned are the group's to say:
/// they are read only for a group hosted elsewhere (whose server relays the post); for a
/// group hosted here only its own moderators decide them.
fn post_extras(json: &Object, group: &groups::Model) -> storage::posts::Extras {
    let remote = !group.local;
    storage::posts::Extras {
        content_warning: content_warning(json),
        locked: json
            .comments_enabled
            .filter(|_| remote)
            .map(|enabled| !enabled),
        pinned: json.stickied.filter(|_| remote),
        // Once a question, always one: an edit never turns it back into a discussion.
        question: (json.question == Some(true) || group.qa_mode).then_some(true),
    }
}

#[async_trait]
impl ApObject for Content {
    type DataType = Services;
    type Kind = Object;
    type Error = Error;

    fn id(&self) -> &Url {
        match self {
            Self::Post(_, id) | Self::Reply(_, id) => id,
        }
    }

    async fn read_from_id(id: Url, data: &Data<Services>) -> Result<Option<Self>> {
        Content::find(data, &id).await
    }

    async fn into_json(self, data: &Data<Services>) -> Result<Object> {
        self.to_document(data).await
    }

    async fn verify(json: &Object, expected_domain: &Url, _data: &Data<Services>) -> Result<()> {
        verify_domains_match(&json.id, expected_domain)?;
        // An object is published by its author's server.
        verify_domains_match(&json.id, &json.attributed_to)?;
        // Whether it is addressed as its group requires (Public, or only the followers of a
        // members-only group) is checked once the group is known: `prepare::addressed_for`.
        if json.in_reply_to.is_none() && group_candidates(json).is_empty() {
            return Err(Error::refused(
                Code::InvalidObject,
                "a post must name its group (audience, a mention, or to/cc)",
            ));
        }
        Ok(())
    }

    async fn from_json(json: Object, data: &Data<Services>) -> Result<Self> {
        // Fetched (as a parent, by resolve, by backfill, or announced): never into a group
        // hosted here, whose content only arrives through its own inbox.
        Content::store(json, data, false).await
    }
}

impl Content {
    /// Whether a new post names a group we know (see `claimed_group`).
    pub async fn names_known_group(json: &Object, data: &Data<Services>) -> Result<bool> {
        Ok(claimed_group(json, data).await?.is_some())
    }

    /// The group a new object would join: its parent's group for a reply (fetching the parent
    /// if needed), the group in `audience` for a post. Nothing is stored for the object itself.
    pub async fn group_of_new(json: &Object, data: &Data<Services>) -> Result<groups::Model> {
        match &json.in_reply_to {
            Some(parent) => {
                let parent = ObjectId::<Content>::from(parent.clone())
                    .dereference(data)
                    .await?;
                parent.group(data).await
            }
            None => {
                let group = claimed_group(json, data)
                    .await?
                    .ok_or_else(|| Error::refused(Code::InvalidObject, "no group"))?;
                Ok(ObjectId::<DbGroup>::from(group)
                    .dereference(data)
                    .await?
                    .model)
            }
        }
    }
}

/// Applies a remote edit to stored content (the caller has checked the editor is the author).
pub async fn apply_update(ctx: &Ctx, existing: &Content, json: &Object) -> Result<()> {
    let body = markdown_source(json);
    let body_html = sanitized_content(json, &ctx.instance)?;
    // The sender's edit time (never in the future), so later edits compare correctly.
    let edited = json.updated.unwrap_or_else(now).min(now()).trunc_subsecs(6);
    match existing {
        Content::Post(p, _) => {
            let title = json
                .name
                .as_deref()
                .map(|n| plain_title(n, text::MAX_TITLE_CHARS))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| p.title.clone());
            storage::posts::update_content(&ctx.db, p.clone(), title, body, body_html, edited)
                .await?;
            let group = existing.group(ctx).await?;
            storage::posts::set_extras(&ctx.db, p.id, post_extras(json, &group)).await?;
            storage::posts::set_language(&ctx.db, p.id, json.language_tag()).await?;
        }
        Content::Reply(r, _) => {
            storage::replies::update_body(&ctx.db, r.clone(), body, body_html, edited).await?;
            storage::replies::set_content_warning(&ctx.db, r.id, content_warning(json)).await?;
            storage::replies::set_language(&ctx.db, r.id, json.language_tag()).await?;
        }
    }
    Ok(())
}

/// The id URL of stored content.
pub fn id_of(c: &Content) -> Result<Url> {
    match c {
        Content::Post(p, _) => url(&p.ap_id),
        Content::Reply(r, _) => url(&r.ap_id),
    }
}
