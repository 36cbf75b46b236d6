//! The inbox: what other servers send. This layer verifies who sent an activity and
//! translates its wire types into a use case's arguments; the use case (`usecases::`, the
//! same one a member here goes through) checks the rule, writes and relays in one unit.
//! The shared inbox and every actor's own inbox feed one handler, [`receive`].
//!
//! Order of checks, cheapest first: the body's `Digest`, the shape and freshness of the HTTP
//! signature, the activity's JSON, its id and actor (same server, not ours, allowed scheme),
//! then the actor (from the database, or fetched), then the signature against the actor's key
//! (parsed once and cached; verified with `ring`, see `signing`), the instance's rate limit
//! and the activity's own checks of who may send it (`verify`). Only then is it stored in the
//! durable inbound queue and answered 202; the queue's workers act on it (`queue`, then
//! `activities`), and a rule that refuses it then is logged, counted and kept for the admin.

use crate::error::Code;
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    traits::{Activity as _, Actor as _, Object as _},
};
use axum::http::HeaderMap;

use crate::{
    domain::now,
    error::{Error, Result},
    federation::{
        actors::{AnyActor, DbPerson, authority},
        protocol::follow::InboxActivity,
        rfc9421, signing,
    },
    services::Services,
    storage, usecases,
};

pub mod activities;
pub mod content;
pub mod moderation;
pub mod pages;
pub mod queue;
pub mod reports;

/// How recently an actor must have been fetched for a failed signature not to fetch it again.
const KEY_REFETCH: chrono::Duration = chrono::Duration::minutes(1);

/// A request's HTTP signature, parsed but not yet verified.
pub enum Signature {
    /// draft-cavage `Signature`: over the full target, and (when there is a query) over the
    /// path alone, as some servers sign.
    Cavage {
        /// Over path and query.
        full: signing::Unverified,
        /// Over the path alone.
        without_query: Option<signing::Unverified>,
    },
    /// RFC 9421 `Signature-Input` and `Signature`.
    Rfc9421(rfc9421::Unverified),
}

impl Signature {
    /// Parses the request's signature: RFC 9421 when it has `Signature-Input`, else the
    /// draft-cavage `Signature` header. `body`: a POST's body, whose digest must be signed
    /// (`Digest`, or `Content-Digest` for RFC 9421, which is checked against it here).
    pub fn parse(
        data: &Data<Services>,
        method: &str,
        path_and_query: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
    ) -> Result<Self> {
        if rfc9421::present(headers) {
            // The URI the peer signed: ours, as it addressed us (Host may carry a port).
            let host = headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or(&data.instance.domain);
            let uri = url::Url::parse(&format!(
                "{}://{host}{path_and_query}",
                data.instance.scheme
            ))
            .map_err(|_| Error::Signature("the request URI is not valid".into()))?;
            return rfc9421::Unverified::parse(
                method,
                &uri,
                headers,
                body,
                std::time::SystemTime::now(),
            )
            .map(Self::Rfc9421);
        }
        if body.is_some() {
            let digest = headers.get("digest").and_then(|v| v.to_str().ok());
            signing::verify_digest(digest, body.unwrap_or_default())?;
        }
        let parse = |target: &str| {
            if body.is_some() {
                signing::Unverified::parse(method, target, headers, &data.instance.domain)
            } else {
                signing::Unverified::parse_fetch(method, target, headers, &data.instance.domain)
            }
        };
        Ok(Self::Cavage {
            full: parse(path_and_query)?,
            without_query: path_and_query
                .split_once('?')
                .and_then(|(path, _)| parse(path).ok()),
        })
    }

    /// The actor the key id names (the key id without its fragment).
    pub fn key_owner(&self) -> Result<url::Url> {
        let key_id = match self {
            Self::Cavage { full, .. } => full.key_id(),
            Self::Rfc9421(s) => s.key_id(),
        };
        let mut u = url::Url::parse(key_id)
            .map_err(|_| Error::Signature("the keyId is not a URL".into()))?;
        u.set_fragment(None);
        Ok(u)
    }

    /// Whether the key id names a key of `actor`: the actor with a fragment (`#main-key`,
    /// Mastodon and most others) or a path under it (`/main-key`, GoToSocial). A signature
    /// whose key belongs to someone else never speaks for the activity's actor, whatever the
    /// key.
    pub fn key_of(&self, actor: &url::Url) -> Result<()> {
        let owner = self.key_owner()?;
        let actor = actor.as_str();
        let owner = owner.as_str();
        let under = owner
            .strip_prefix(actor)
            .is_some_and(|rest| rest.starts_with('/') && !rest.contains(".."));
        if owner == actor || under {
            Ok(())
        } else {
            Err(Error::Signature(
                "the signing key is not the actor's (keyId names another owner)".into(),
            ))
        }
    }

    fn check(&self, data: &Data<Services>, actor: &AnyActor) -> Result<()> {
        let key = data.keys.public(actor.public_key_pem())?;
        match self {
            Self::Rfc9421(s) => s.verify(&key),
            Self::Cavage {
                full,
                without_query,
            } => match (full.verify(&key), without_query) {
                (Ok(()), _) => Ok(()),
                (Err(_), Some(alt)) if alt.verify(&key).is_ok() => Ok(()),
                (Err(e), _) => Err(e),
            },
        }
    }

    /// Verifies that `actor_id` signed: with its stored key, or, if that fails and our copy is
    /// over [`KEY_REFETCH`] old, with its key fetched again (key rotation; at most once a
    /// minute, so bad signatures cannot make us fetch on every request).
    pub async fn verify_by(&self, data: &Data<Services>, actor_id: &url::Url) -> Result<AnyActor> {
        let actor = ObjectId::<AnyActor>::from(actor_id.clone())
            .dereference(data)
            .await?;
        if actor.id() != actor_id {
            return Err(Error::Signature("the actor is not who signed".into()));
        }
        let Err(e) = self.check(data, &actor) else {
            return Ok(actor);
        };
        if now() - actor.stored_at() < KEY_REFETCH {
            return Err(e);
        }
        let fresh = ObjectId::<AnyActor>::from(actor_id.clone())
            .dereference_forced(data)
            .await?;
        self.check(data, &fresh)?;
        tracing::info!(actor = %actor_id, "verified with a re-fetched key");
        Ok(fresh)
    }
}

/// An account deleted on its server (`Delete` of itself). Its key can no longer be fetched
/// (the actor answers 410), so the signature is checked with the key already stored; an
/// account we never stored has nothing here to remove. Mastodon sends these to every server
/// it knows, so the unknown case is the common one and costs one lookup.
async fn delete_account(
    data: &Data<Services>,
    signature: &Signature,
    activity: &InboxActivity,
) -> Result<()> {
    let actor_id = activity.actor();
    let Some(person) = storage::persons::find_by_ap_id(&data.db, actor_id.as_str()).await? else {
        return Ok(());
    };
    if person.deleted_at.is_some() {
        return Ok(());
    }
    let person_id = person.id;
    let actor = AnyActor::Person(DbPerson::new(person)?);
    signature.check(data, &actor)?;
    let id = activity.id().to_string();
    activities::once(data, &id, async {
        // The groups here that carried its content tell their followers, whose copies came
        // from the group and who may never hear from the account's own server.
        let relay = match activity {
            InboxActivity::Group(deletion) => Some((**deletion).clone()),
            _ => None,
        };
        let erased = usecases::accounts::erase_remote(data, person_id, relay).await?;
        tracing::info!(actor = %actor_id, posts = erased.posts, replies = erased.replies,
            "remote account deleted");
        Ok(())
    })
    .await
}

/// The activity types Cohort acts on, at the top level or inside an `Announce` or `Undo`.
const UNDERSTOOD: &[&str] = &[
    "Follow", "Accept", "Undo", "Announce", "Create", "Update", "Delete", "Like", "Dislike",
    "Lock", "Add", "Remove", "Block", "Flag", "Resolve", "Reject",
];

/// What became of an activity that was not refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Verified and acted on at once (an account's deletion of itself).
    Acted,
    /// Verified and stored in the inbound queue, to be acted on by its workers.
    Queued,
    /// Of a type Cohort does not act on (named here): answered 202 like any other, so the
    /// sender does not count this server as failing, logged and counted, and otherwise
    /// ignored.
    Ignored(String),
}

/// The type Cohort does not understand that makes `body` unreadable: its own `type`, or that
/// of the activity an `Announce` or `Undo` wraps. `None`: every type is one we act on (so it
/// is malformed, and refused).
fn not_understood(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let kind = |v: &serde_json::Value| v.get("type").and_then(|t| t.as_str()).map(str::to_owned);
    let outer = kind(&v)?;
    if !UNDERSTOOD.contains(&outer.as_str()) {
        return Some(outer);
    }
    if matches!(outer.as_str(), "Announce" | "Undo")
        && let Some(inner) = v.get("object").and_then(kind)
        && !UNDERSTOOD.contains(&inner.as_str())
        // An announced post (Mastodon's form) is not an activity.
        && !matches!(inner.as_str(), "Page" | "Note" | "Article" | "Question")
    {
        return Some(format!("{outer}{{{inner}}}"));
    }
    None
}

/// Verifies and acts on one signed activity.
pub async fn receive(
    data: &Data<Services>,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Received> {
    let signature = Signature::parse(data, method, path_and_query, headers, Some(body))?;
    let activity: InboxActivity = match serde_json::from_slice(body) {
        Ok(a) => a,
        Err(e) => match not_understood(body) {
            Some(kind) => {
                tracing::info!(%kind, "activity of a type not acted on: ignored");
                return Ok(Received::Ignored(kind));
            }
            None => {
                return Err(Error::refused(
                    Code::InvalidActivity,
                    format!("unreadable activity: {e}"),
                ));
            }
        },
    };
    let (id, actor_id) = (activity.id(), activity.actor());
    let host = authority(actor_id)?;
    if authority(id)? != host {
        return Err(Error::refused(
            Code::InvalidActivity,
            "the activity's id is not on its actor's server",
        ));
    }
    if host == data.instance.domain {
        return Err(Error::refused(
            Code::InvalidActivity,
            "activities from this instance are not received",
        ));
    }
    let debug = data.instance.scheme == "http";
    match actor_id.scheme() {
        "https" => {}
        "http" if debug => {}
        _ => {
            return Err(Error::refused(
                Code::InvalidActivity,
                "actor ids must be https URLs",
            ));
        }
    }
    signature.key_of(actor_id)?;
    // A blocked instance is refused before anything of it is fetched.
    data.blocked.refuse_authority(&data.db, &host).await?;
    if let InboxActivity::Group(g) = &activity
        && g.is_account_deletion()
    {
        return delete_account(data, &signature, &activity)
            .await
            .map(|()| Received::Acted);
    }
    if let Err(e) = signature.verify_by(data, actor_id).await {
        // The library reports a name that resolves to an internal address as a resolution
        // failure (which a sender should retry); it is a refusal, for good.
        if matches!(e, Error::Upstream(_))
            && !debug
            && let Some(name) = actor_id.host_str()
            && crate::domain::instances::resolves_internal(name).await
        {
            return Err(Error::refused(
                Code::UrlRefused,
                format!("{name} resolves to an internal address"),
            ));
        }
        return Err(e);
    }
    // Per remote instance, once we know it really sent this: a flood of forgeries in its
    // name cannot use up its allowance.
    crate::domain::limits::check(data, crate::domain::limits::Limit::Inbound, &host).await?;
    // A server we had given up on is back: deliver to it again.
    if data.unreachable.contains(&data.db, &host).await {
        match storage::queue::heard_from(&data.db, &host, now()).await {
            Ok(true) => {
                tracing::info!(%host, "unreachable destination heard from; delivering again");
                data.unreachable.forget(&host);
                data.delivery_wake.notify_waiters();
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "could not update destination state"),
        }
    }
    activity.verify(data).await?;
    // Checked: stored durably, acted on by the queue's workers (`queue`).
    let raw: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Error::refused(Code::InvalidActivity, format!("unreadable activity: {e}")))?;
    let (object_key, after_key) = queue::keys(&raw);
    let ap_id = id.to_string();
    if ap_id.len() > activities::MAX_ID_LEN {
        return Err(Error::refused(
            Code::InvalidActivity,
            "activity id is too long",
        ));
    }
    data.inbound
        .enqueue(storage::inbound::NewActivity {
            object_key: if object_key.is_empty() {
                ap_id.clone()
            } else {
                object_key
            },
            after_key,
            actor: actor_id.to_string(),
            body: String::from_utf8_lossy(body).into_owned(),
            ap_id,
        })
        .await?;
    Ok(Received::Queued)
}
