//! History for a new follower: when an instance gets its first member of a remote group, it
//! reads the group's outbox (recent posts) and each post's replies, so the member does not
//! land in an empty room. Each post is processed with its own fetch budget; failures are
//! logged and skipped, never fatal.

use crate::error::Code;
use activitypub_federation::{config::Data, fetch::fetch_object_http, traits::Object as _};
use serde_json::Value;
use url::Url;

use super::{
    objects::Content,
    protocol::{Actor, Object},
};
use crate::services::Services;
use crate::{
    error::{Error, Result},
    storage::{self, entities::groups},
};

/// Most posts taken from the outbox.
const MAX_POSTS: usize = 20;

/// The `Page`s in outbox items: bare objects, `Create{Page}`, or `Announce{Create{Page}}`.
fn page_in(item: &Value) -> Option<Object> {
    match item.get("type").and_then(Value::as_str) {
        Some("Create") | Some("Announce") => item.get("object").and_then(page_in),
        Some("Page") | Some("Article") | Some("Note") => serde_json::from_value(item.clone()).ok(),
        _ => None,
    }
}

async fn fetch_json(url: &Url, data: &Data<Services>) -> Result<Value> {
    Ok(fetch_object_http::<Services, Value>(url, data)
        .await?
        .object)
}

/// Stores one outbox or replies item after checking, before anything is stored, that it
/// belongs to `group` (by what is stored, or the new object's thread or audience) and does
/// not claim this instance.
async fn store(obj: Object, group: &groups::Model, data: &Data<Services>) -> Result<Content> {
    Content::verify(&obj, &obj.id, data).await?;
    if super::actors::authority(&obj.id)? == data.instance.domain {
        return Err(Error::refused(
            Code::InvalidObject,
            "an item with an id of this instance",
        ));
    }
    let target = match Content::find(data, &obj.id).await? {
        Some(c) => c.group(data).await?,
        None => Content::group_of_new(&obj, data).await?,
    };
    if target.id != group.id {
        return Err(Error::refused(
            Code::InvalidObject,
            "an item of another group",
        ));
    }
    Content::store(obj, data, false).await
}

/// Most moderators read from a group's moderators collection.
const MAX_MODERATORS: usize = 50;

/// Reads a remote group's moderators collection (its `attributedTo`, on its own server) and
/// records who moderates it here; later changes arrive as relayed `Add`/`Remove`.
async fn moderators(data: &Data<Services>, group: &groups::Model, collection: &Url) -> Result<()> {
    let group_id = super::documents::url(&group.ap_id)?;
    activitypub_federation::protocol::verification::verify_domains_match(collection, &group_id)?;
    let doc = fetch_json(collection, data).await?;
    let items = doc
        .get("orderedItems")
        .or_else(|| doc.get("items"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut people = vec![];
    for item in items.iter().take(MAX_MODERATORS) {
        let id = match item {
            Value::String(s) => s.as_str(),
            other => match other.get("id").and_then(Value::as_str) {
                Some(s) => s,
                None => continue,
            },
        };
        let Ok(id) = Url::parse(id) else { continue };
        let data = data.reset_request_count();
        match activitypub_federation::fetch::object_id::ObjectId::<super::actors::DbPerson>::from(
            id,
        )
        .dereference(&data)
        .await
        {
            Ok(p) => people.push(p.model.id),
            Err(e) => tracing::info!(error = %e, "a listed moderator could not be fetched"),
        }
    }
    storage::moderation::set_moderators(&data.db, group.id, &people, crate::domain::now()).await?;
    Ok(())
}

/// Backfills `group` (a remote group) from its outbox.
pub async fn group(data: &Data<Services>, group: &groups::Model) -> Result<usize> {
    let data = data.reset_request_count();
    let actor: Actor =
        serde_json::from_value(fetch_json(&super::documents::url(&group.ap_id)?, &data).await?)
            .map_err(|e| Error::refused(Code::InvalidActor, e.to_string()))?;
    if let Some(moderators) = &actor.attributed_to
        && let Err(e) = self::moderators(&data, group, moderators).await
    {
        tracing::info!(error = %e, "backfill could not read the group's moderators");
    }
    let Some(outbox) = actor.outbox else {
        return Ok(0);
    };
    let collection = fetch_json(&outbox, &data).await?;
    let items = collection
        .get("orderedItems")
        .or_else(|| collection.get("first").and_then(|f| f.get("orderedItems")))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut stored = 0;
    for page in items.iter().filter_map(page_in).take(MAX_POSTS) {
        // A fresh fetch budget per post and its thread.
        let data = data.reset_request_count();
        let replies = page.replies.clone();
        match store(page, group, &data).await {
            Ok(_) => stored += 1,
            Err(e) => {
                tracing::info!(error = %e, "backfill skipped a post");
                continue;
            }
        }
        let Some(replies) = replies else { continue };
        let Ok(collection) = fetch_json(&replies, &data).await else {
            continue;
        };
        let notes = collection
            .get("orderedItems")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for note in notes {
            match serde_json::from_value::<Object>(note) {
                Ok(obj) => {
                    if let Err(e) = store(obj, group, &data).await {
                        tracing::info!(error = %e, "backfill skipped a reply");
                    } else {
                        stored += 1;
                    }
                }
                Err(e) => tracing::info!(error = %e, "backfill skipped an unreadable reply"),
            }
        }
    }
    Ok(stored)
}
