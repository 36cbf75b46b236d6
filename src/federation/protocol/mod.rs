//! ActivityStreams wire types as Cohort sends and accepts them: data only, no behaviour.
//!
//! Groups, posts and replies follow FEP-1b12 as the Lemmy family uses it
//! (<https://codeberg.org/fediverse/fep/src/branch/main/fep/1b12/fep-1b12.md>): a post is a
//! `Page` with `name`, a reply a `Note` with `inReplyTo`, both carrying `audience` = group.

pub mod content;
pub mod follow;
pub mod moderation;
pub mod pages;
pub mod questions;
pub mod reports;

use activitypub_federation::protocol::{helpers::deserialize_one_or_many, public_key::PublicKey};
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

/// The Public collection, always written in full (never the compacted `as:Public`).
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The namespace of Cohort's own extension terms (`cohort:question`). PieFed's
/// `questionAnswer` and `answer` are plain JSON keys with no context of their own; they are
/// given terms in this namespace so JSON-LD processors keep them.
pub const COHORT_NS: &str = "https://cohort.social/ns#";

/// The JSON-LD context of every document we serve: ActivityStreams, security (for
/// `publicKey`), and the extension terms we use, named by their defining vocabularies.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "lemmy": "https://join-lemmy.org/ns#",
            "toot": "http://joinmastodon.org/ns#",
            "pt": "https://joinpeertube.org/ns#",
            "sensitive": "as:sensitive",
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "discoverable": "toot:discoverable",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
            "stickied": "lemmy:stickied",
            "commentsEnabled": "pt:commentsEnabled",
            "source": "as:source",
            "cohort": COHORT_NS,
            "questionAnswer": "cohort:questionAnswer",
            "answer": "cohort:answer",
            "schema": "http://schema.org/",
            "language": "schema:inLanguage",
            "identifier": "schema:identifier"
        }
    ])
}

/// A document with its `@context` first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WithContext<T> {
    /// The JSON-LD context.
    #[serde(rename = "@context")]
    pub context: Value,
    /// The document.
    #[serde(flatten)]
    pub inner: T,
}

impl<T> WithContext<T> {
    /// Wraps `inner` with Cohort's context.
    pub fn new(inner: T) -> Self {
        Self {
            context: context(),
            inner,
        }
    }
}

/// The kinds of actor we serve or accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActorKind {
    /// A member.
    Person,
    /// A group (community).
    Group,
    /// An instance actor.
    Application,
    /// A bot or service account (Mastodon).
    Service,
    /// An organisation account.
    Organization,
}

/// Markdown source of an HTML `content` (the Lemmy family and Cohort send it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The source text.
    pub content: String,
    /// Its media type, `text/markdown`.
    pub media_type: String,
}

impl Source {
    /// Markdown source.
    pub fn markdown(content: &str) -> Self {
        Self {
            content: content.to_string(),
            media_type: "text/markdown".into(),
        }
    }
}

/// `endpoints` of an actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// The server-wide inbox.
    pub shared_inbox: Option<Url>,
}

/// A Person, Group or Application actor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// Person, Group, Application…
    #[serde(rename = "type")]
    pub kind: ActorKind,
    /// The actor's id.
    pub id: Url,
    /// The name part of its handle.
    pub preferred_username: String,
    /// Display name (a group's title).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// HTML about text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Markdown of `summary`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_source"
    )]
    pub source: Option<Source>,
    /// Where activities for it are delivered.
    pub inbox: Url,
    /// Its outbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox: Option<Url>,
    /// Its followers collection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<Url>,
    /// Pinned posts (groups).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featured: Option<Url>,
    /// For a group, its moderators collection (as the Lemmy family publishes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributed_to: Option<Url>,
    /// Shared inbox and other endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    /// A shared inbox given at the top level, as NodeBB does.
    #[serde(default, skip_serializing, rename = "sharedInbox")]
    pub top_level_shared_inbox: Option<Url>,
    /// The key its HTTP signatures verify with.
    pub public_key: PublicKey,
    /// Its page for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// Last change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// Whether follows need approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manually_approves_followers: Option<bool>,
    /// Whether it may be listed in directories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discoverable: Option<bool>,
    /// Whether only moderators may post (groups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posting_restricted_to_mods: Option<bool>,
    /// A group in Q&A mode: every post is a question (PieFed's `questionAnswer`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_bool"
    )]
    pub question_answer: Option<bool>,
    /// The avatar or icon: `{"type": "Image", "url": …}` (read by Mastodon, Lemmy, PieFed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<Value>,
    /// The header or banner, the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Value>,
}

/// The kinds of content object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectKind {
    /// A post with a title (Lemmy family, Cohort).
    Page,
    /// A reply, or a post from microblogging software.
    Note,
    /// A long-form post.
    Article,
}

/// A post (`Page`) or reply (`Note`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Object {
    /// Page, Note…
    #[serde(rename = "type")]
    pub kind: ObjectKind,
    /// The object's id.
    pub id: Url,
    /// The author.
    pub attributed_to: Url,
    /// Primary audience: the group and Public.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// Secondary audience.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    /// The group it belongs to (FEP-1b12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<Url>,
    /// A post's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// HTML body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The body by language, for servers that send only this (or both).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_language_map"
    )]
    pub content_map: Option<BTreeMap<String, String>>,
    /// A content warning (Mastodon's spoiler text), shown before the body.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub summary: Option<String>,
    /// `text/html`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Markdown of `content`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_source"
    )]
    pub source: Option<Source>,
    /// What a reply answers: a post or another reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<Url>,
    /// Its page for people.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_url"
    )]
    pub url: Option<Url>,
    /// A post's replies collection (used to backfill threads).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_url"
    )]
    pub replies: Option<Url>,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// Last edit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// Content warning flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    /// Whether replies are accepted (false once a thread is locked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments_enabled: Option<bool>,
    /// Pinned in its group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stickied: Option<bool>,
    /// A reply to a question: whether it is the accepted answer (PieFed's `answer`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_bool"
    )]
    pub answer: Option<bool>,
    /// A post that is a question, not a discussion (read by other Cohort instances; Lemmy,
    /// Mastodon and PieFed ignore it).
    #[serde(
        default,
        rename = "cohort:question",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_bool"
    )]
    pub question: Option<bool>,
    /// Mentions, hashtags and custom emoji (each kept as sent; read with [`Object::tags`]).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient_list"
    )]
    pub tag: Vec<Value>,
    /// Images, documents and links (each kept as sent; read with [`Object::attachments`]).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient_list"
    )]
    pub attachment: Vec<Value>,
    /// A post's picture as the Lemmy family sends it (`{"type": "Image", "url": …}`: the
    /// thumbnail of a link, or the picture of an image post); read only.
    #[serde(default, skip_serializing)]
    pub image: Option<Value>,
    /// The language it is written in, as Lemmy and PieFed send it (`contentMap`'s key is the
    /// other way; read both with [`Object::language_tag`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_language"
    )]
    pub language: Option<LanguageTag>,
}

/// Lemmy's `language` (`schema:inLanguage`): `{"identifier": "de", "name": "German"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageTag {
    /// The BCP 47 tag; `und` when undetermined.
    pub identifier: String,
    /// Its English name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Reads `language` as an object with a string `identifier` (Lemmy) or as a plain tag;
/// anything else is no language.
fn lenient_language<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<LanguageTag>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(LanguageTag {
            identifier: s,
            name: None,
        }),
        Value::Object(m) => m
            .get("identifier")
            .and_then(Value::as_str)
            .map(|id| LanguageTag {
                identifier: id.to_string(),
                name: m.get("name").and_then(Value::as_str).map(str::to_string),
            }),
        _ => None,
    })
}

/// What a `tag` entry is, as far as Cohort uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tag {
    /// `Mention` of an actor.
    Mention {
        /// The actor's id (or profile URL).
        href: Url,
        /// `@user@host`, as written.
        name: String,
    },
    /// `Hashtag`.
    Hashtag {
        /// The tag, without `#`.
        name: String,
    },
    /// A custom emoji: `:shortcode:` in the text is shown as `icon`.
    Emoji {
        /// The shortcode, without colons.
        shortcode: String,
        /// The image.
        icon: Url,
    },
}

/// An `attachment` entry, as far as Cohort shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Where it is.
    pub url: Url,
    /// Its alt text or title.
    pub name: Option<String>,
    /// Whether it is an image (shown as one) rather than a link.
    pub image: bool,
}

/// Most tags or attachments read from one object; the rest are ignored.
pub const MAX_TAGS: usize = 64;

impl Object {
    /// The tags Cohort understands, at most [`MAX_TAGS`].
    pub fn tags(&self) -> Vec<Tag> {
        self.tag
            .iter()
            .take(MAX_TAGS)
            .filter_map(|t| {
                let kind = t.get("type")?.as_str()?;
                let name = t.get("name").and_then(Value::as_str);
                match kind {
                    "Mention" => Some(Tag::Mention {
                        href: Url::parse(t.get("href")?.as_str()?).ok()?,
                        name: name.unwrap_or_default().to_string(),
                    }),
                    "Hashtag" => Some(Tag::Hashtag {
                        name: name?.trim_start_matches('#').to_string(),
                    }),
                    "Emoji" => {
                        let shortcode = name?.trim_matches(':').to_string();
                        let valid = !shortcode.is_empty()
                            && shortcode.len() <= 64
                            && shortcode
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                        let icon = t.get("icon")?;
                        let icon = icon.get("url").unwrap_or(icon);
                        let icon = Url::parse(icon.as_str()?).ok()?;
                        (valid && matches!(icon.scheme(), "https" | "http"))
                            .then_some(Tag::Emoji { shortcode, icon })
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// The attachments Cohort shows, at most [`MAX_TAGS`]: images (Mastodon's `Document`
    /// with an image type, `Image`) and links (Lemmy's `Link`, anything else with a URL), then
    /// the post's `image` (Lemmy's and PieFed's picture or link thumbnail). Each address once:
    /// an image post from PieFed or Lemmy names its picture both as its attachment and as its
    /// `image`: they are shown once, as a picture if either says it is one, with the first
    /// alt text given.
    pub fn attachments(&self) -> Vec<Attachment> {
        let found = self
            .attachment
            .iter()
            .chain(self.image.as_ref().filter(|i| i.is_object()))
            .take(MAX_TAGS)
            .filter_map(|a| {
                let kind = a.get("type").and_then(Value::as_str).unwrap_or_default();
                let href = a.get("url").or_else(|| a.get("href"))?;
                let href = match href {
                    Value::Object(m) => m.get("href").or_else(|| m.get("url"))?,
                    v => v,
                };
                let url = Url::parse(href.as_str()?).ok()?;
                if !matches!(url.scheme(), "https" | "http") {
                    return None;
                }
                let media = a
                    .get("mediaType")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let image = kind == "Image" || media.starts_with("image/");
                let name = a
                    .get("name")
                    .or_else(|| a.get("summary"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .filter(|n| !n.trim().is_empty());
                (kind != "PropertyValue").then_some(Attachment { url, name, image })
            });
        let mut out: Vec<Attachment> = Vec::new();
        for a in found {
            match out.iter_mut().find(|kept| kept.url == a.url) {
                Some(kept) => {
                    kept.image |= a.image;
                    if kept.name.is_none() {
                        kept.name = a.name;
                    }
                }
                None => out.push(a),
            }
        }
        out
    }

    /// The HTML body: `content`, else the first `contentMap` entry (English preferred).
    pub fn body_html(&self) -> Option<&str> {
        if let Some(c) = self.content.as_deref().filter(|c| !c.is_empty()) {
            return Some(c);
        }
        let map = self.content_map.as_ref()?;
        map.get("en")
            .or_else(|| map.values().next())
            .map(String::as_str)
    }

    /// The language it is written in: Lemmy's `language`, else the `contentMap` key whose
    /// text is `content` (or its only key); none when undetermined or not a language tag.
    pub fn language_tag(&self) -> Option<String> {
        if let Some(tag) = &self.language {
            return crate::domain::languages::normalize(&tag.identifier);
        }
        let map = self.content_map.as_ref()?;
        let key = match self.content.as_deref() {
            Some(c) if map.len() > 1 => map.iter().find(|(_, v)| v.as_str() == c)?.0,
            _ if map.len() == 1 => map.keys().next()?,
            _ => return None,
        };
        crate::domain::languages::normalize(key)
    }

    /// Whether it is addressed to the Public collection (in any of the forms servers use).
    pub fn is_public(&self) -> bool {
        self.to
            .iter()
            .chain(&self.cc)
            .any(|u| is_public_collection(u.as_str()))
    }
}

/// Whether `id` names the Public collection (`as:Public` and `Public` are compacted forms).
pub fn is_public_collection(id: &str) -> bool {
    matches!(id, PUBLIC | "as:Public" | "Public")
}

/// Reads a list of JSON values that may be one value, a list, or null.
fn lenient_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items,
        Value::Null => vec![],
        v => vec![v],
    })
}

/// Reads a flag that may be null or of another type (then ignored).
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(Value::deserialize(d)?.as_bool())
}

/// Reads a string that may be null or of another type (then ignored).
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

/// Reads a language map (`{"en": "..."}`), keeping only string values.
fn lenient_language_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(m) => {
            let map: BTreeMap<String, String> = m
                .into_iter()
                .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                .collect();
            (!map.is_empty()).then_some(map)
        }
        _ => None,
    })
}

/// Reads a field that should be a URL but that some servers send as an object or a list
/// (Mastodon's `url` can be a Link, PeerTube's a list, `replies` an embedded collection): keeps
/// the first URL found, or nothing.
fn lenient_url<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    fn first(v: &Value) -> Option<Url> {
        match v {
            Value::String(s) => Url::parse(s).ok(),
            Value::Array(items) => items.iter().find_map(first),
            Value::Object(m) => m.get("href").or_else(|| m.get("id")).and_then(first),
            _ => None,
        }
    }
    Ok(first(&Value::deserialize(d)?))
}

/// Reads `source` given as `{content, mediaType}` or as a bare string (taken as markdown);
/// anything else is ignored rather than failing the whole document.
fn lenient_source<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Source>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(content) => Some(Source::markdown(&content)),
        v @ Value::Object(_) => serde_json::from_value(v).ok(),
        _ => None,
    })
}

impl Actor {
    /// The server-wide inbox, wherever the actor gives it.
    pub fn shared_inbox(&self) -> Option<Url> {
        self.endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.clone())
            .or_else(|| self.top_level_shared_inbox.clone())
    }
}

/// What stands where a deleted object was.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    /// Always `Tombstone`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The deleted object's id.
    pub id: Url,
    /// What it was.
    pub former_type: ObjectKind,
    /// When it was deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<DateTime<Utc>>,
}

/// An `OrderedCollection`; items are left out of collections that only publish a count.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollection<T> {
    /// Always `OrderedCollection`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The collection's id.
    pub id: Url,
    /// How many items it has.
    pub total_items: u64,
    /// The items, newest first where order matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_items: Option<Vec<T>>,
}

impl<T> OrderedCollection<T> {
    /// A collection of `items`.
    pub fn of(id: Url, total_items: u64, items: Option<Vec<T>>) -> Self {
        Self {
            kind: "OrderedCollection".into(),
            id,
            total_items,
            ordered_items: items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(extra: Value) -> Object {
        let mut v = json!({
            "type": "Note",
            "id": "https://a.example/n/1",
            "attributedTo": "https://a.example/u/ann",
            "content": "<p>Hallo</p>"
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_language_is_read_from_lemmy_or_from_the_content_map() {
        let lemmy = note(json!({"language": {"identifier": "de", "name": "German"}}));
        assert_eq!(lemmy.language_tag().as_deref(), Some("de"));
        let und = note(json!({"language": {"identifier": "und", "name": "Undetermined"}}));
        assert_eq!(und.language_tag(), None);
        let mastodon = note(json!({"contentMap": {"pt-br": "<p>Olá</p>"}}));
        assert_eq!(mastodon.language_tag().as_deref(), Some("pt-BR"));
        // Several translations: the one that is `content`.
        let both = note(json!({"contentMap": {"en": "<p>Hello</p>", "de": "<p>Hallo</p>"}}));
        assert_eq!(both.language_tag().as_deref(), Some("de"));
        let neither = note(json!({"contentMap": {"en": "<p>a</p>", "fr": "<p>b</p>"}}));
        assert_eq!(neither.language_tag(), None);
        // Hostile or odd values are no language, and never fail the whole object.
        for odd in [
            json!(42),
            json!({"identifier": 7}),
            json!("<script>"),
            json!([]),
        ] {
            assert_eq!(note(json!({"language": odd})).language_tag(), None);
        }
        assert_eq!(
            note(json!({"language": "fr"})).language_tag().as_deref(),
            Some("fr")
        );
        assert_eq!(note(json!({})).language_tag(), None);
    }
}
