//! Receiving a remote post or reply: [`Content::prepare`] does everything that needs the
//! network or only reads (author, group, parent, the reply rule, sanitising), and
//! [`Prepared::insert`] writes it inside a unit, so SQLite's write lock is held only for the
//! writes.

use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use chrono::SubsecRound;
use url::Url;

use super::{
    Content, claimed_group, content_warning, markdown_source, post_extras, sanitized_content,
    title_of,
};
use crate::{
    domain::{Ctx, now, ranking, replies as reply_rules},
    error::{Code, Error, Result},
    federation::{
        actors::{DbGroup, DbPerson},
        protocol::Object,
    },
    services::{Services, Unit},
    storage::{
        self,
        entities::{groups, persons},
        posts::NewRemotePost,
        replies::NewRemoteReply,
    },
};

impl Content {
    /// Stores a checked remote object. `accept_local_group` is true only on the path where the
    /// author delivered it to a group hosted here; everywhere else, content claiming such a
    /// group was not accepted by it and is refused.
    pub async fn store(
        json: Object,
        data: &Data<Services>,
        accept_local_group: bool,
    ) -> Result<Self> {
        match Self::prepare(json, data, accept_local_group).await? {
            Prepared::Stored(existing) => Ok(*existing),
            new => {
                let unit = Unit::begin(data).await?;
                let stored = new.insert(unit.ctx()).await?;
                unit.commit().await?;
                Ok(stored)
            }
        }
    }

    /// Everything storing a remote object needs from the network (its author, its group or
    /// parent, fetched if unknown) and every check that needs no write. What is left,
    /// [`Prepared::insert`], touches only the database, so it can run inside a use case's
    /// unit together with the relay.
    pub async fn prepare(
        json: Object,
        data: &Data<Services>,
        accept_local_group: bool,
    ) -> Result<Prepared> {
        // Nothing from a blocked instance is stored, however it reached us.
        data.blocked.refuse(&data.db, &json.id).await?;
        data.blocked.refuse(&data.db, &json.attributed_to).await?;
        if let Some(existing) = Content::find(data, &json.id).await? {
            return Ok(Prepared::Stored(Box::new(existing)));
        }
        let author = ObjectId::<DbPerson>::from(json.attributed_to.clone())
            .dereference(data)
            .await?
            .model;
        if author.deleted_at.is_some() {
            return Err(Error::refused(
                Code::InvalidObject,
                "its author's account was deleted",
            ));
        }
        match json.in_reply_to.clone() {
            None => {
                let group_id = claimed_group(&json, data)
                    .await?
                    .ok_or_else(|| Error::refused(Code::InvalidObject, "no group"))?;
                let group = ObjectId::<DbGroup>::from(group_id)
                    .dereference(data)
                    .await?
                    .model;
                if group.local && !accept_local_group {
                    return Err(Error::refused(
                        Code::InvalidObject,
                        "a post in a group hosted here that it did not receive",
                    ));
                }
                addressed_for(&json, &group)?;
                Ok(Prepared::New(Box::new(NewContent::new(
                    &json,
                    author,
                    group,
                    None,
                    &data.instance,
                )?)))
            }
            Some(parent_id) => {
                let parent = ObjectId::<Content>::from(parent_id)
                    .dereference(data)
                    .await?;
                let group = parent.group(data).await?;
                if group.local && !accept_local_group {
                    return Err(Error::refused(
                        Code::InvalidObject,
                        "a reply in a group hosted here that it did not receive",
                    ));
                }
                addressed_for(&json, &group)?;
                if let Some(claimed) = &json.audience
                    && claimed.as_str() != group.ap_id
                {
                    return Err(Error::refused(
                        Code::InvalidObject,
                        "audience is not the thread's group",
                    ));
                }
                let (post, parent_reply) = match &parent {
                    Content::Post(p, _) => (p.clone(), None),
                    Content::Reply(r, _) => (
                        storage::posts::find(&data.db, r.post_id)
                            .await?
                            .ok_or(Error::NotFound("post"))?,
                        Some(r),
                    ),
                };
                // The rule a reply written here obeys (bans, deleted posts and locks where
                // this server decides; the depth bound everywhere). A lock or ban that
                // commits between this check and the write is caught by the next reply.
                let depth = reply_rules::admit(data, &author, &post, &group, parent_reply).await?;
                let place = (post.id, parent_reply.map(|r| r.id), depth);
                Ok(Prepared::New(Box::new(NewContent::new(
                    &json,
                    author,
                    group,
                    Some(place),
                    &data.instance,
                )?)))
            }
        }
    }
}

/// A public group takes only what is addressed to Public: a followers-only or direct post (a
/// Mastodon DM to a member) is never published in its threads. A members-only group takes
/// only what is not: public content there would be shown to everyone by the servers that
/// relay it (as Lemmy's private communities refuse it).
pub fn addressed_for(json: &Object, group: &groups::Model) -> Result<()> {
    match (
        crate::domain::members::is_members_only(group),
        json.is_public(),
    ) {
        (false, false) => Err(Error::refused(
            Code::NotPublic,
            "only public posts and replies are accepted in a group",
        )),
        (true, true) => Err(Error::refused(
            Code::NotPublic,
            "a members-only group takes nothing addressed to Public",
        )),
        _ => Ok(()),
    }
}

/// A remote object checked and with everything it refers to at hand (see
/// [`Content::prepare`]), its text already sanitised: ready to be written.
#[derive(Debug)]
pub enum Prepared {
    /// Already stored (a repeat): nothing to write.
    Stored(Box<Content>),
    /// A new post or reply.
    New(Box<NewContent>),
}

/// A new post or reply, prepared.
#[derive(Debug)]
pub struct NewContent {
    /// Its id.
    ap_id: Url,
    /// Its author, stored.
    author: persons::Model,
    /// Its (thread's) group, stored.
    group: groups::Model,
    /// Where a reply goes: its post, the reply it answers, its depth (`None`: a new post).
    place: Option<(i64, Option<i64>, i32)>,
    /// Its title (posts).
    title: String,
    /// Markdown source, if any.
    body: String,
    /// Sanitised HTML.
    body_html: String,
    /// Content warning (replies) and the post's extras.
    content_warning: Option<String>,
    extras: storage::posts::Extras,
    /// When it was written and edited, at the precision both databases store.
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The language it is written in (`language` or `contentMap`).
    language: Option<String>,
}

impl NewContent {
    fn new(
        json: &Object,
        author: persons::Model,
        group: groups::Model,
        place: Option<(i64, Option<i64>, i32)>,
        instance: &crate::domain::Instance,
    ) -> Result<Self> {
        Ok(Self {
            ap_id: json.id.clone(),
            title: if place.is_none() {
                title_of(json)
            } else {
                String::new()
            },
            body: markdown_source(json),
            // Sanitising is the costly part: done here, before any transaction.
            body_html: sanitized_content(json, instance)?,
            content_warning: content_warning(json),
            extras: post_extras(json, &group),
            created_at: json
                .published
                .unwrap_or_else(now)
                .min(now())
                .trunc_subsecs(6),
            updated_at: json.updated.map(|u| u.min(now()).trunc_subsecs(6)),
            language: json.language_tag(),
            author,
            group,
            place,
        })
    }
}

impl Prepared {
    /// Writes it through `ctx`, a unit's: only writes, everything else was done while it was
    /// prepared, so SQLite's write lock is held as briefly as it can be.
    pub async fn insert(self, ctx: &Ctx) -> Result<Content> {
        let n = match self {
            Self::Stored(c) => return Ok(*c),
            Self::New(n) => *n,
        };
        match n.place {
            None => {
                let stored = storage::posts::insert_remote(
                    &ctx.db,
                    NewRemotePost {
                        ap_id: n.ap_id.to_string(),
                        group_id: n.group.id,
                        author_id: n.author.id,
                        title: n.title,
                        body: n.body,
                        body_html: n.body_html,
                        hot_rank: ranking::hot_rank(0, n.created_at),
                        created_at: n.created_at,
                        updated_at: n.updated_at,
                        language: n.language,
                    },
                )
                .await?;
                if n.extras != storage::posts::Extras::default() {
                    storage::posts::set_extras(&ctx.db, stored.id, n.extras).await?;
                }
                Ok(Content::Post(stored, n.ap_id))
            }
            Some((post_id, parent_id, depth)) => {
                let stored = storage::replies::insert_remote(
                    &ctx.db,
                    NewRemoteReply {
                        ap_id: n.ap_id.to_string(),
                        post_id,
                        parent_id,
                        depth,
                        author_id: n.author.id,
                        body: n.body,
                        body_html: n.body_html,
                        created_at: n.created_at,
                        updated_at: n.updated_at,
                        language: n.language,
                    },
                )
                .await?;
                if n.content_warning.is_some() {
                    storage::replies::set_content_warning(&ctx.db, stored.id, n.content_warning)
                        .await?;
                }
                Ok(Content::Reply(stored, n.ap_id))
            }
        }
    }
}
