//! The ActivityPub documents of local things: actors (people, groups, the instance), posts,
//! replies and group collections, built from what the domain stores.

use activitypub_federation::protocol::public_key::PublicKey;
use url::Url;

use super::{
    Urls,
    protocol::{
        Actor, ActorKind, Endpoints, LanguageTag, Object, ObjectKind, PUBLIC, Source, Tombstone,
    },
};
use crate::{
    domain::{Instance, keys::KeyPair},
    error::{Error, Result},
    storage::entities::{groups, persons, posts, replies},
};

/// Parses a URL we built ourselves; failure means a configuration bug, reported as a 500.
pub fn url(s: &str) -> Result<Url> {
    Url::parse(s).map_err(|e| Error::Internal(format!("bad URL {s:?}: {e}")))
}

/// Whom a group's content and activities are addressed to: the Public collection, or, for a
/// members-only group, only its followers collection (never Public: whoever relays it must
/// not show it to everyone).
pub fn addressed_to(group: &groups::Model) -> Result<Url> {
    if crate::domain::members::is_members_only(group) {
        match &group.followers_url {
            Some(f) if !group.local => url(f),
            _ => url(&format!("{}/followers", group.ap_id)),
        }
    } else {
        url(PUBLIC)
    }
}

fn public_key(owner: &Url, pem: &str) -> PublicKey {
    PublicKey {
        id: format!("{owner}#main-key"),
        owner: owner.clone(),
        public_key_pem: pem.to_string(),
    }
}

fn missing_key(what: &str) -> Error {
    Error::Internal(format!("{what} has no public key"))
}

/// The `Person` document of a local account.
pub fn person(instance: &Instance, p: &persons::Model) -> Result<Actor> {
    let id = url(&p.ap_id)?;
    Ok(Actor {
        kind: ActorKind::Person,
        preferred_username: p.username.clone(),
        name: p.display_name.clone(),
        summary: None,
        source: None,
        inbox: url(&instance.person_inbox_url(&p.username))?,
        outbox: Some(url(&instance.person_outbox_url(&p.username))?),
        followers: None,
        featured: None,
        attributed_to: None,
        endpoints: Some(Endpoints {
            shared_inbox: Some(url(&instance.shared_inbox_url())?),
        }),
        top_level_shared_inbox: None,
        public_key: public_key(
            &id,
            p.public_key
                .as_deref()
                .ok_or_else(|| missing_key(&p.ap_id))?,
        ),
        url: Some(id.clone()),
        published: Some(p.created_at),
        updated: None,
        manually_approves_followers: Some(false),
        discoverable: Some(true),
        posting_restricted_to_mods: None,
        question_answer: None,
        icon: picture(instance, crate::domain::media::avatar_path(p)),
        image: None,
        id,
    })
}

/// An actor's picture shown at `path` here, as an `Image`.
fn picture(instance: &Instance, path: Option<String>) -> Option<serde_json::Value> {
    path.map(|p| serde_json::json!({"type": "Image", "url": format!("{}{p}", instance.base_url())}))
}

/// The `Group` document of a local group.
pub fn group(instance: &Instance, g: &groups::Model) -> Result<Actor> {
    let id = url(&g.ap_id)?;
    let collection = |c: &str| url(&instance.group_collection_url(&g.name, c));
    Ok(Actor {
        kind: ActorKind::Group,
        preferred_username: g.name.clone(),
        name: Some(g.title.clone()),
        summary: Some(crate::media::remote::unproxied(
            &g.description_html,
            instance,
        )),
        source: Some(Source::markdown(&g.description)),
        inbox: url(&instance.group_inbox_url(&g.name))?,
        outbox: Some(collection("outbox")?),
        followers: Some(collection("followers")?),
        featured: Some(collection("featured")?),
        attributed_to: Some(collection("moderators")?),
        endpoints: Some(Endpoints {
            shared_inbox: Some(url(&instance.shared_inbox_url())?),
        }),
        top_level_shared_inbox: None,
        public_key: public_key(
            &id,
            g.public_key
                .as_deref()
                .ok_or_else(|| missing_key(&g.ap_id))?,
        ),
        url: Some(id.clone()),
        published: Some(g.created_at),
        updated: Some(g.updated_at),
        // A members-only group approves its followers (Lemmy's private communities and
        // Mastodon's locked accounts say it so) and is left out of directories.
        manually_approves_followers: Some(crate::domain::members::is_members_only(g)),
        discoverable: Some(!crate::domain::members::is_members_only(g)),
        posting_restricted_to_mods: Some(false),
        question_answer: Some(g.qa_mode),
        icon: picture(
            instance,
            crate::domain::media::group_picture_path(g, crate::domain::media::GroupPicture::Icon),
        ),
        image: picture(
            instance,
            crate::domain::media::group_picture_path(g, crate::domain::media::GroupPicture::Banner),
        ),
        id,
    })
}

/// The instance's `Application` actor, which signs fetches made on the instance's behalf.
pub fn instance_actor(instance: &Instance, keys: &KeyPair) -> Result<Actor> {
    let id = url(&instance.instance_actor_url())?;
    Ok(Actor {
        kind: ActorKind::Application,
        preferred_username: instance.domain.clone(),
        name: Some(format!("Cohort at {}", instance.domain)),
        summary: None,
        source: None,
        inbox: url(&instance.shared_inbox_url())?,
        // ActivityPub requires an outbox of every actor, and PieFed reads it unguarded when
        // it first meets an instance; it is always empty.
        outbox: Some(url(&format!("{}/outbox", instance.instance_actor_url()))?),
        followers: None,
        featured: None,
        attributed_to: None,
        endpoints: Some(Endpoints {
            shared_inbox: Some(url(&instance.shared_inbox_url())?),
        }),
        top_level_shared_inbox: None,
        public_key: public_key(&id, &keys.public_pem),
        url: Some(url(&instance.base_url())?),
        published: None,
        updated: None,
        manually_approves_followers: Some(true),
        discoverable: Some(false),
        posting_restricted_to_mods: None,
        question_answer: None,
        icon: None,
        image: None,
        id,
    })
}

/// The `Page` of a post. Addressed to the group and Public, with the group as `audience`
/// (FEP-1b12). Mastodon shows a `Page` as its title and a link; `content` carries the body
/// for the servers that show it.
pub fn post(p: &posts::Model, group: &groups::Model, author: &persons::Model) -> Result<Object> {
    let group_id = url(&group.ap_id)?;
    Ok(Object {
        kind: ObjectKind::Page,
        id: url(&p.ap_id)?,
        attributed_to: url(&author.ap_id)?,
        to: vec![group_id.clone(), addressed_to(group)?],
        cc: vec![],
        audience: Some(group_id),
        name: Some(p.title.clone()),
        content: Some(p.body_html.clone()),
        content_map: content_map(p.language.as_deref(), &p.body_html),
        summary: p.content_warning.clone(),
        media_type: Some("text/html".into()),
        source: Some(Source::markdown(&p.body)),
        in_reply_to: None,
        url: Some(url(&p.ap_id)?),
        replies: Some(url(&format!("{}/replies", p.ap_id))?),
        published: Some(p.created_at),
        updated: p.updated_at,
        sensitive: Some(p.content_warning.is_some()),
        comments_enabled: Some(!p.locked),
        stickied: Some(p.pinned),
        answer: None,
        question: p.question.then_some(true),
        tag: vec![],
        attachment: vec![],
        image: None,
        language: language(p.language.as_deref()),
    })
}

/// The body under its language's key, as Mastodon reads a language (none when unknown).
fn content_map(
    language: Option<&str>,
    html: &str,
) -> Option<std::collections::BTreeMap<String, String>> {
    language.map(|l| [(l.to_string(), html.to_string())].into())
}

/// The language as Lemmy and PieFed read it.
fn language(language: Option<&str>) -> Option<LanguageTag> {
    language.map(|l| LanguageTag {
        identifier: l.to_string(),
        name: Some(crate::domain::languages::english_name(l)),
    })
}

/// A post in the form Mastodon shows with its text: a `Note` whose content starts with the
/// title (Mastodon shows a `Page` only as its title and a link). Sent only inside the
/// group's plain `Announce` of a new post; the Lemmy family ignores that Announce and reads
/// the `Page` in `Announce{Create{Page}}`.
pub fn post_as_note(mut page: Object) -> Object {
    let title = page.name.clone().unwrap_or_default();
    let body = page.content.take().unwrap_or_default();
    page.kind = ObjectKind::Note;
    let content = format!(
        "<p><strong>{}</strong></p>{body}",
        crate::domain::text::escape(&title)
    );
    if let Some(map) = page.content_map.as_mut() {
        for v in map.values_mut() {
            v.clone_from(&content);
        }
    }
    page.content = Some(content);
    page.source = None;
    page
}

/// PieFed's `answer` on a reply: whether it is its question's accepted answer; absent when
/// the thread is a discussion.
pub fn answer_flag(post: &posts::Model, reply_id: i64) -> Option<bool> {
    post.question.then_some(post.answer_id == Some(reply_id))
}

/// The `Note` of a reply: `inReplyTo` is the post or the parent reply. `parent_author` is the
/// parent's author when that is someone elsewhere: they are mentioned and addressed, so a
/// Mastodon user sees the answer to what they wrote. `answer` is [`answer_flag`].
pub fn reply(
    r: &replies::Model,
    in_reply_to: &str,
    group: &groups::Model,
    author: &persons::Model,
    parent_author: Option<&persons::Model>,
    answer: Option<bool>,
) -> Result<Object> {
    let group_id = url(&group.ap_id)?;
    let mut cc = vec![group_id.clone()];
    let mut tag = vec![];
    if let Some(p) = parent_author.filter(|p| !p.local && p.id != author.id) {
        let href = url(&p.ap_id)?;
        tag.push(serde_json::json!({
            "type": "Mention",
            "href": href,
            "name": format!("@{}@{}", p.username, p.domain),
        }));
        cc.push(href);
    }
    Ok(Object {
        kind: ObjectKind::Note,
        id: url(&r.ap_id)?,
        attributed_to: url(&author.ap_id)?,
        to: vec![addressed_to(group)?],
        cc,
        audience: Some(group_id),
        name: None,
        content: Some(r.body_html.clone()),
        content_map: content_map(r.language.as_deref(), &r.body_html),
        summary: r.content_warning.clone(),
        media_type: Some("text/html".into()),
        source: Some(Source::markdown(&r.body)),
        in_reply_to: Some(url(in_reply_to)?),
        url: Some(url(&r.ap_id)?),
        replies: None,
        published: Some(r.created_at),
        updated: r.updated_at,
        sensitive: r.content_warning.as_ref().map(|_| true),
        comments_enabled: None,
        stickied: None,
        answer,
        question: None,
        tag,
        attachment: vec![],
        image: None,
        language: language(r.language.as_deref()),
    })
}

/// What is served in place of a deleted post or reply.
pub fn tombstone(
    id: &str,
    former: ObjectKind,
    deleted: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Tombstone> {
    Ok(Tombstone {
        kind: "Tombstone".into(),
        id: url(id)?,
        former_type: former,
        deleted,
    })
}
