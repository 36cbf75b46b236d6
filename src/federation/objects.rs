//! Posts and replies as the federation library sees them. A remote object is checked here
//! before it is stored: its id must be on its author's domain, its HTML is sanitised, its
//! group must be the one its thread belongs to, and a reply's missing parents are fetched
//! (bounded by the per-request fetch limit and the thread depth limit).

use activitypub_federation::{
    config::Data, fetch::object_id::ObjectId, protocol::verification::verify_domains_match,
    traits::Object as ApObject,
};
use async_trait::async_trait;
use chrono::SubsecRound;
use sea_orm::TransactionTrait;
use url::Url;

use super::{
    actors::{DbGroup, DbPerson},
    documents::{self, url},
    protocol::Object,
};
use crate::{
    domain::{Ctx, now, ranking, replies::MAX_DEPTH, text},
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, posts, replies},
        posts::NewRemotePost,
        replies::NewRemoteReply,
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
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
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
    let html = json.content.as_deref().unwrap_or_default();
    // Paragraph and line breaks end the first line.
    let marked = html.replace("<br", "\n<br").replace("</p>", "\n</p>");
    let text = ammonia::Builder::empty().clean(&marked).to_string();
    let text = text
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let title = plain_title(first, 100);
    if title.is_empty() {
        "(untitled)".to_string()
    } else {
        title
    }
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

fn sanitized_content(json: &Object) -> Result<String> {
    // NUL cannot be stored in PostgreSQL text; it never means anything in HTML.
    let html = json.content.clone().unwrap_or_default().replace('\0', "");
    if html.chars().count() > text::MAX_BODY_CHARS * 2 {
        return Err(Error::rejected("invalid_object", "content is too long"));
    }
    Ok(text::sanitize_html(&html))
}

/// The group an incoming object claims (FEP-1b12 `audience`, else a group in `to`/`cc`).
fn claimed_group(json: &Object) -> Option<Url> {
    json.audience.clone()
}

#[async_trait]
impl ApObject for Content {
    type DataType = Ctx;
    type Kind = Object;
    type Error = Error;

    fn id(&self) -> &Url {
        match self {
            Self::Post(_, id) | Self::Reply(_, id) => id,
        }
    }

    async fn read_from_id(id: Url, data: &Data<Ctx>) -> Result<Option<Self>> {
        Content::find(data, &id).await
    }

    async fn into_json(self, data: &Data<Ctx>) -> Result<Object> {
        match &self {
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
                let parent = match r.parent_id {
                    Some(pid) => storage::replies::find(&data.db, pid)
                        .await?
                        .map(|x| x.ap_id),
                    None => storage::posts::find(&data.db, r.post_id)
                        .await?
                        .map(|x| x.ap_id),
                }
                .ok_or(Error::NotFound("parent"))?;
                documents::reply(r, &parent, &group, &author)
            }
        }
    }

    async fn verify(json: &Object, expected_domain: &Url, _data: &Data<Ctx>) -> Result<()> {
        verify_domains_match(&json.id, expected_domain)?;
        // An object is published by its author's server.
        verify_domains_match(&json.id, &json.attributed_to)?;
        if json.in_reply_to.is_none() && claimed_group(json).is_none() {
            return Err(Error::rejected(
                "invalid_object",
                "a post must name its group in audience",
            ));
        }
        Ok(())
    }

    async fn from_json(json: Object, data: &Data<Ctx>) -> Result<Self> {
        // Fetched (as a parent, by resolve, by backfill, or announced): never into a group
        // hosted here, whose content only arrives through its own inbox.
        Content::store(json, data, false).await
    }
}

impl Content {
    /// Stores a checked remote object. `accept_local_group` is true only on the path where the
    /// author delivered it to a group hosted here; everywhere else, content claiming such a
    /// group was not accepted by it and is refused.
    pub async fn store(json: Object, data: &Data<Ctx>, accept_local_group: bool) -> Result<Self> {
        // Nothing from a blocked instance is stored, however it reached us.
        data.blocked.refuse(&data.db, &json.id).await?;
        data.blocked.refuse(&data.db, &json.attributed_to).await?;
        if let Some(existing) = Content::find(data, &json.id).await? {
            return Ok(existing);
        }
        let author = ObjectId::<DbPerson>::from(json.attributed_to.clone())
            .dereference(data)
            .await?;
        let body = markdown_source(&json);
        let body_html = sanitized_content(&json)?;
        // At the precision both databases store, so keyset cursors compare exactly.
        let created_at = json
            .published
            .unwrap_or_else(now)
            .min(now())
            .trunc_subsecs(6);
        let updated_at = json.updated.map(|u| u.min(now()).trunc_subsecs(6));
        match json.in_reply_to.clone() {
            None => {
                let group_id = claimed_group(&json)
                    .ok_or_else(|| Error::rejected("invalid_object", "no group"))?;
                let group = ObjectId::<DbGroup>::from(group_id)
                    .dereference(data)
                    .await?;
                if group.model.local && !accept_local_group {
                    return Err(Error::rejected(
                        "invalid_object",
                        "a post in a group hosted here that it did not receive",
                    ));
                }
                let title = title_of(&json);
                let stored = storage::posts::insert_remote(
                    &data.db,
                    NewRemotePost {
                        ap_id: json.id.to_string(),
                        group_id: group.model.id,
                        author_id: author.model.id,
                        title,
                        body,
                        body_html,
                        hot_rank: ranking::hot_rank(0, created_at),
                        created_at,
                        updated_at,
                    },
                )
                .await?;
                Ok(Self::Post(stored, json.id))
            }
            Some(parent_id) => {
                let parent = ObjectId::<Content>::from(parent_id)
                    .dereference(data)
                    .await?;
                let (post_id, parent_reply, depth) = match &parent {
                    Self::Post(p, _) => (p.id, None, 0),
                    Self::Reply(r, _) => (r.post_id, Some(r.id), r.depth + 1),
                };
                if depth > MAX_DEPTH {
                    return Err(Error::rejected("invalid_object", "the thread is too deep"));
                }
                let group = parent.group(data).await?;
                if group.local && !accept_local_group {
                    return Err(Error::rejected(
                        "invalid_object",
                        "a reply in a group hosted here that it did not receive",
                    ));
                }
                if let Some(claimed) = claimed_group(&json)
                    && claimed.as_str() != group.ap_id
                {
                    return Err(Error::rejected(
                        "invalid_object",
                        "audience is not the thread's group",
                    ));
                }
                let txn = data.db.begin().await?;
                let stored = storage::replies::insert_remote(
                    &txn,
                    NewRemoteReply {
                        ap_id: json.id.to_string(),
                        post_id,
                        parent_id: parent_reply,
                        depth,
                        author_id: author.model.id,
                        body,
                        body_html,
                        created_at,
                        updated_at,
                    },
                )
                .await?;
                txn.commit().await?;
                Ok(Self::Reply(stored, json.id))
            }
        }
    }

    /// The group a new object would join: its parent's group for a reply (fetching the parent
    /// if needed), the group in `audience` for a post. Nothing is stored for the object itself.
    pub async fn group_of_new(json: &Object, data: &Data<Ctx>) -> Result<groups::Model> {
        match &json.in_reply_to {
            Some(parent) => {
                let parent = ObjectId::<Content>::from(parent.clone())
                    .dereference(data)
                    .await?;
                parent.group(data).await
            }
            None => {
                let group = claimed_group(json)
                    .ok_or_else(|| Error::rejected("invalid_object", "no group"))?;
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
    let body_html = sanitized_content(json)?;
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
        }
        Content::Reply(r, _) => {
            storage::replies::update_body(&ctx.db, r.clone(), body, body_html, edited).await?;
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
