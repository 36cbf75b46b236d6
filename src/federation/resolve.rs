//! Finding things on other servers: by handle (`@user@host`, `!group@host`, `group@host`) or
//! by URL (a person, group, post or reply), fetched, checked and stored like anything else.

use crate::error::Code;
use activitypub_federation::{
    config::Data,
    fetch::{fetch_object_http, object_id::ObjectId, webfinger::webfinger_resolve_actor},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{
    actors::{DbGroup, DbPerson},
    follow::resolve_group,
    objects::Content,
};
use crate::services::Services;
use crate::{
    domain::{
        Ctx,
        views::{GroupView, PersonRef, PostView, ReplyView},
    },
    error::{Error, Result},
    storage,
};

/// The resolve request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResolveQuery {
    /// A handle or a URL.
    pub query: String,
}

/// What a query resolved to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Resolved {
    /// A person.
    Person {
        /// The person.
        person: PersonRef,
    },
    /// A group.
    Group {
        /// The group.
        group: Box<GroupView>,
    },
    /// A post.
    Post {
        /// The post.
        post: Box<PostView>,
    },
    /// A reply.
    Reply {
        /// The reply.
        reply: Box<ReplyView>,
    },
}

async fn group_view(ctx: &Ctx, g: &storage::entities::groups::Model) -> Result<Resolved> {
    let mods = storage::groups::moderators(&ctx.db, &[g.id]).await?;
    Ok(Resolved::Group {
        group: Box::new(GroupView::new(
            g,
            mods.get(&g.id).map(Vec::as_slice).unwrap_or_default(),
        )),
    })
}

async fn content_view(ctx: &Ctx, c: &Content) -> Result<Resolved> {
    let authors = storage::persons::by_ids(&ctx.db, [c.author_id()]).await?;
    Ok(match c {
        Content::Post(p, _) => {
            let g = c.group(ctx).await?;
            Resolved::Post {
                post: Box::new(PostView::new(p, &g, &authors, None)),
            }
        }
        Content::Reply(r, _) => Resolved::Reply {
            reply: Box::new(ReplyView::new(r, &authors, None)),
        },
    })
}

fn not_found() -> Error {
    Error::NotFound("anything at that address")
}

/// Resolves a handle or URL.
pub async fn resolve(data: &Data<Services>, query: &str) -> Result<Resolved> {
    resolve_for(data, None, query).await
}

/// Resolves a handle or URL for `viewer`: a post or reply of a members-only group they may
/// not read is not found, even when this instance holds it for its members.
pub async fn resolve_for(
    data: &Data<Services>,
    viewer: Option<&crate::domain::accounts::CurrentUser>,
    query: &str,
) -> Result<Resolved> {
    let found = resolve_any(data, query).await?;
    let group = match &found {
        Resolved::Post { post } => storage::posts::find(&data.db, post.id)
            .await?
            .map(|p| p.group_id),
        Resolved::Reply { reply } => match storage::replies::find(&data.db, reply.id).await? {
            Some(r) => storage::posts::find(&data.db, r.post_id)
                .await?
                .map(|p| p.group_id),
            None => None,
        },
        _ => None,
    };
    if let Some(group_id) = group
        && let Some(g) = storage::groups::find(&data.db, group_id).await?
        && !crate::domain::members::may_read(data, &g, viewer).await?
    {
        return Err(not_found());
    }
    Ok(found)
}

async fn resolve_any(data: &Data<Services>, query: &str) -> Result<Resolved> {
    let q = query.trim();
    if q.is_empty() || q.len() > 2048 {
        return Err(Error::invalid(
            "query",
            "give a handle (@user@host, !group@host) or a URL",
        ));
    }
    // Nothing is looked up on a blocked instance.
    if let Ok(host) = crate::domain::instances::parse_host(q) {
        data.blocked.refuse_authority(&data.db, &host).await?;
    }
    if q.starts_with("https://") || q.starts_with("http://") {
        let url = Url::parse(q).map_err(|_| Error::invalid("query", "is not a valid URL"))?;
        return resolve_url(data, url).await;
    }
    if let Some(person) = q.strip_prefix('@').filter(|rest| rest.contains('@')) {
        let p = person_by_handle(data, person).await?;
        return Ok(Resolved::Person {
            person: PersonRef::from(&p),
        });
    }
    match resolve_group(data, q).await {
        Ok(g) => group_view(data, &g).await,
        Err(Error::NotFound(_)) if !q.starts_with('!') && q.contains('@') => {
            let p = person_by_handle(data, q).await?;
            Ok(Resolved::Person {
                person: PersonRef::from(&p),
            })
        }
        Err(e) => Err(e),
    }
}

/// A person by `user@host` handle (a local one by name), fetched by WebFinger when not known.
pub async fn person_by_handle(
    data: &Data<Services>,
    handle: &str,
) -> Result<storage::entities::persons::Model> {
    let (name, host) = handle
        .rsplit_once('@')
        .ok_or_else(|| Error::invalid("query", "expected user@host"))?;
    if host.eq_ignore_ascii_case(&data.instance.domain) {
        return storage::persons::find_local(&data.db, &name.to_ascii_lowercase())
            .await?
            .ok_or(Error::NotFound("person"));
    }
    let p: DbPerson = webfinger_resolve_actor(handle, data)
        .await
        .map_err(|e| match e {
            Error::Refused { code, .. } if code.status() == axum::http::StatusCode::BAD_REQUEST => {
                Error::NotFound("person")
            }
            other => other,
        })?;
    Ok(p.model)
}

async fn resolve_url(data: &Data<Services>, url: Url) -> Result<Resolved> {
    // Known already (including everything local)?
    if let Some(p) = storage::persons::find_by_ap_id(&data.db, url.as_str()).await? {
        return Ok(Resolved::Person {
            person: PersonRef::from(&p),
        });
    }
    if let Some(g) = storage::groups::find_by_ap_id(&data.db, url.as_str()).await? {
        return group_view(data, &g).await;
    }
    if let Some(c) = Content::find(data, &url).await? {
        return content_view(data, &c).await;
    }
    if super::actors::authority(&url)? == data.instance.domain {
        return Err(not_found());
    }
    // Look at what it is, then fetch it properly as that kind (checked and stored).
    let probe = fetch_object_http::<Services, Value>(&url, data)
        .await
        .map_err(|_| not_found())?;
    let kind = probe
        .object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    match kind.as_str() {
        "Group" => {
            let g = ObjectId::<DbGroup>::from(url).dereference(data).await?;
            group_view(data, &g.model).await
        }
        "Person" | "Service" | "Application" | "Organization" => {
            let p = ObjectId::<DbPerson>::from(url).dereference(data).await?;
            Ok(Resolved::Person {
                person: PersonRef::from(&p.model),
            })
        }
        "Page" | "Note" | "Article" => {
            let c = ObjectId::<Content>::from(url).dereference(data).await?;
            content_view(data, &c).await
        }
        _ => Err(Error::refused(
            Code::UnsupportedObject,
            format!("cannot use an object of type {kind:?}"),
        )),
    }
}

/// A person named by `@user@host`, `user@host`, a local account name, or an actor URL;
/// fetched from their server when not known yet.
pub async fn person(data: &Data<Services>, raw: &str) -> Result<storage::entities::persons::Model> {
    let q = raw.trim();
    let q = q.strip_prefix('@').unwrap_or(q);
    if q.is_empty() || q.len() > 2048 {
        return Err(Error::invalid(
            "person",
            "give a handle (user@host) or an actor URL",
        ));
    }
    if q.starts_with("https://") || q.starts_with("http://") {
        let url = Url::parse(q).map_err(|_| Error::invalid("person", "is not a valid URL"))?;
        data.blocked.refuse(&data.db, &url).await?;
        if let Some(p) = storage::persons::find_by_ap_id(&data.db, url.as_str()).await? {
            return Ok(p);
        }
        let p: DbPerson = ObjectId::<DbPerson>::from(url)
            .dereference(data)
            .await
            .map_err(|_| Error::NotFound("person"))?;
        return Ok(p.model);
    }
    if !q.contains('@') {
        return storage::persons::find_local(&data.db, &q.to_ascii_lowercase())
            .await?
            .ok_or(Error::NotFound("person"));
    }
    if let Ok(host) = crate::domain::instances::parse_host(q) {
        data.blocked.refuse_authority(&data.db, &host).await?;
    }
    person_by_handle(data, q).await
}
