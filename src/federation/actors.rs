//! Actors as the federation library sees them: local and remote people and groups (stored in
//! `persons` and `groups`) and the instance actor. Remote actors are checked and stored
//! here when they are fetched.

use crate::error::Code;
use activitypub_federation::{
    config::Data,
    protocol::verification::verify_domains_match,
    traits::{Actor as ApActor, Object},
};
use async_trait::async_trait;
use url::Url;

use super::{
    Urls, documents,
    protocol::{Actor, ActorKind},
};
use crate::services::Services;
use crate::{
    domain::{Ctx, keys::KeyPair, now, text},
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, persons},
        groups::RemoteGroup,
        persons::RemotePerson,
    },
};

/// A person, local or remote.
#[derive(Debug, Clone)]
pub struct DbPerson {
    /// The stored row.
    pub model: persons::Model,
    id: Url,
}

/// A group, local or remote.
#[derive(Debug, Clone)]
pub struct DbGroup {
    /// The stored row.
    pub model: groups::Model,
    id: Url,
}

/// The instance's Application actor (signs fetches; receives at the shared inbox).
#[derive(Debug, Clone)]
pub struct InstanceActor {
    id: Url,
    inbox: Url,
    keys: KeyPair,
}

impl DbPerson {
    /// Wraps a stored row.
    pub fn new(model: persons::Model) -> Result<Self> {
        let id = documents::url(&model.ap_id)?;
        Ok(Self { model, id })
    }
}

impl DbGroup {
    /// Wraps a stored row.
    pub fn new(model: groups::Model) -> Result<Self> {
        let id = documents::url(&model.ap_id)?;
        Ok(Self { model, id })
    }
}

impl InstanceActor {
    /// The instance actor of `ctx`'s instance, with its keys.
    pub async fn load(ctx: &Ctx) -> Result<Self> {
        Ok(Self {
            id: documents::url(&ctx.instance.instance_actor_url())?,
            inbox: documents::url(&ctx.instance.shared_inbox_url())?,
            keys: crate::domain::keys::instance(ctx).await?,
        })
    }
}

/// `host[:port]` of a URL, as stored in `domain` columns.
pub fn authority(u: &Url) -> Result<String> {
    crate::domain::instances::authority(u)
        .ok_or_else(|| Error::refused(Code::InvalidActor, "actor id has no host"))
}

/// The address of an actor's `icon` or `image` (`{"type": "Image", "url": …}`, a `Link`'s
/// `href`, a bare string, or the first of a list), if it is http(s) and not too long.
fn picture_url(v: Option<&serde_json::Value>) -> Option<String> {
    use serde_json::Value;
    let v = match v? {
        Value::Array(items) => items.first()?,
        v => v,
    };
    let url = match v {
        Value::String(s) => s.as_str(),
        Value::Object(m) => match m.get("url").or_else(|| m.get("href"))? {
            Value::String(s) => s.as_str(),
            Value::Object(link) => link.get("href")?.as_str()?,
            _ => return None,
        },
        _ => return None,
    };
    let parsed = Url::parse(url).ok()?;
    (matches!(parsed.scheme(), "http" | "https") && url.len() <= crate::media::remote::MAX_URL)
        .then(|| parsed.to_string())
}

/// A remote name, trimmed to what we show: no control characters, at most 100 characters.
fn plain(s: &str, max: usize) -> String {
    text::plain_line(s, max)
}

fn check_key_owner(json: &Actor) -> Result<()> {
    // A handle is shown as `name@host`: a name that could disguise itself or another handle
    // (direction overrides, invisible characters, spaces, `@`, `/`) is refused. (`:` stays:
    // an instance actor is named after its domain, port included.)
    let name = &json.preferred_username;
    if name.is_empty()
        || name.chars().count() > 100
        || name.chars().any(|c| {
            c.is_control() || text::is_disguising(c) || c.is_whitespace() || "@/\\?#".contains(c)
        })
    {
        return Err(Error::refused(
            Code::InvalidActor,
            "preferredUsername is not a usable name",
        ));
    }
    if json.public_key.owner != json.id {
        return Err(Error::refused(
            Code::InvalidActor,
            "publicKey.owner differs from the actor id",
        ));
    }
    // Deliveries go to these inboxes: they must be on the actor's own server, or anyone could
    // point us at a third party.
    verify_domains_match(&json.inbox, &json.id)?;
    if let Some(shared) = json.shared_inbox() {
        verify_domains_match(&shared, &json.id)?;
    }
    Ok(())
}

/// A remote actor whose name clashes with another stored actor of its server is refused
/// rather than failing as a server error.
fn clash(e: sea_orm::DbErr) -> Error {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::refused(
            Code::InvalidActor,
            "another actor of that server has this name",
        ),
        _ => e.into(),
    }
}

#[async_trait]
impl Object for DbPerson {
    type DataType = Services;
    type Kind = Actor;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(id: Url, data: &Data<Services>) -> Result<Option<Self>> {
        storage::persons::find_by_ap_id(&data.db, id.as_str())
            .await?
            .map(DbPerson::new)
            .transpose()
    }

    async fn into_json(self, data: &Data<Services>) -> Result<Actor> {
        documents::person(&data.instance, &self.model)
    }

    async fn verify(json: &Actor, expected_domain: &Url, data: &Data<Services>) -> Result<()> {
        verify_domains_match(&json.id, expected_domain)?;
        data.blocked.refuse(&data.db, &json.id).await?;
        if json.kind == ActorKind::Group {
            return Err(Error::refused(
                Code::InvalidActor,
                "expected a person, got a group",
            ));
        }
        check_key_owner(json)
    }

    async fn from_json(json: Actor, data: &Data<Services>) -> Result<Self> {
        let stored = storage::persons::upsert_remote(
            &data.db,
            RemotePerson {
                domain: authority(&json.id)?,
                username: plain(&json.preferred_username, 100),
                display_name: json
                    .name
                    .as_deref()
                    .map(|n| plain(n, 100))
                    .filter(|n| !n.is_empty()),
                inbox_url: json.inbox.to_string(),
                shared_inbox_url: json.shared_inbox().map(|u| u.to_string()),
                public_key: json.public_key.public_key_pem.replace('\0', ""),
                ap_id: json.id.to_string(),
            },
            now(),
        )
        .await
        .map_err(clash)?;
        let avatar = picture_url(json.icon.as_ref());
        if stored.avatar_url != avatar {
            storage::media::set_remote_avatar(&data.db, stored.id, avatar.clone()).await?;
        }
        let stored = persons::Model {
            avatar_url: avatar,
            ..stored
        };
        DbPerson::new(stored)
    }
}

#[async_trait]
impl Object for DbGroup {
    type DataType = Services;
    type Kind = Actor;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(id: Url, data: &Data<Services>) -> Result<Option<Self>> {
        storage::groups::find_by_ap_id(&data.db, id.as_str())
            .await?
            .map(DbGroup::new)
            .transpose()
    }

    async fn into_json(self, data: &Data<Services>) -> Result<Actor> {
        documents::group(&data.instance, &self.model)
    }

    async fn verify(json: &Actor, expected_domain: &Url, data: &Data<Services>) -> Result<()> {
        verify_domains_match(&json.id, expected_domain)?;
        data.blocked.refuse(&data.db, &json.id).await?;
        if json.kind != ActorKind::Group {
            return Err(Error::refused(Code::InvalidActor, "expected a group"));
        }
        check_key_owner(json)
    }

    async fn from_json(json: Actor, data: &Data<Services>) -> Result<Self> {
        let description = json
            .source
            .as_ref()
            .map(|s| s.content.clone())
            .unwrap_or_default();
        let description_html = crate::media::remote::proxied(
            &match json.summary.as_deref() {
                Some(html) => text::sanitize_html(html),
                None => text::render_markdown(&description),
            },
            &data.instance,
        );
        let name = plain(&json.preferred_username, 100);
        // A group that approves its followers is members-only (Lemmy's private communities,
        // Cohort's members-only groups): what it sends its members here is read by them
        // only. Once members-only with content here, it stays so whatever a later copy of
        // its actor says: what was received for members stays theirs.
        let mut members_only = json.manually_approves_followers == Some(true);
        if !members_only
            && let Some(known) = storage::groups::find_by_ap_id(&data.db, json.id.as_str()).await?
            && crate::domain::members::is_members_only(&known)
            && storage::posts::exists_in_group(&data.db, known.id).await?
        {
            members_only = true;
        }
        let stored = storage::groups::upsert_remote(
            &data.db,
            RemoteGroup {
                domain: authority(&json.id)?,
                title: json
                    .name
                    .as_deref()
                    .map(|n| plain(n, 200))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| name.clone()),
                name,
                description: description
                    .chars()
                    .filter(|c| *c != '\0')
                    .take(text::MAX_DESCRIPTION_CHARS)
                    .collect(),
                description_html,
                inbox_url: json.inbox.to_string(),
                shared_inbox_url: json.shared_inbox().map(|u| u.to_string()),
                followers_url: json.followers.map(|u| u.to_string()),
                public_key: json.public_key.public_key_pem.replace('\0', ""),
                qa_mode: json.question_answer.unwrap_or(false),
                visibility: if members_only { "members" } else { "public" },
                ap_id: json.id.to_string(),
            },
            now(),
        )
        .await
        .map_err(clash)?;
        let (icon, banner) = (
            picture_url(json.icon.as_ref()),
            picture_url(json.image.as_ref()),
        );
        if (&stored.icon_url, &stored.banner_url) != (&icon, &banner) {
            storage::media::set_remote_group_pictures(
                &data.db,
                stored.id,
                icon.clone(),
                banner.clone(),
            )
            .await?;
        }
        let stored = groups::Model {
            icon_url: icon,
            banner_url: banner,
            ..stored
        };
        DbGroup::new(stored)
    }
}

/// The `Actor` side of a stored person or group: keys and inboxes come from its row.
macro_rules! stored_actor {
    ($t:ty) => {
        impl ApActor for $t {
            fn public_key_pem(&self) -> &str {
                self.model.public_key.as_deref().unwrap_or_default()
            }
            fn private_key_pem(&self) -> Option<String> {
                self.model.private_key.clone()
            }
            fn inbox(&self) -> Url {
                self.model
                    .inbox_url
                    .as_deref()
                    .and_then(|u| Url::parse(u).ok())
                    .unwrap_or_else(|| self.id.join("inbox").unwrap_or_else(|_| self.id.clone()))
            }
            fn shared_inbox(&self) -> Option<Url> {
                self.model
                    .shared_inbox_url
                    .as_deref()
                    .and_then(|u| Url::parse(u).ok())
            }
        }
    };
}

stored_actor!(DbPerson);
stored_actor!(DbGroup);

#[async_trait]
impl Object for InstanceActor {
    type DataType = Services;
    type Kind = Actor;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(id: Url, data: &Data<Services>) -> Result<Option<Self>> {
        if id.as_str() == data.instance.instance_actor_url() {
            Ok(Some(InstanceActor::load(data).await?))
        } else {
            Ok(None)
        }
    }

    async fn into_json(self, data: &Data<Services>) -> Result<Actor> {
        documents::instance_actor(&data.instance, &self.keys)
    }

    async fn verify(_json: &Actor, _expected_domain: &Url, _data: &Data<Services>) -> Result<()> {
        Err(Error::refused(
            Code::InvalidActor,
            "remote instance actors are not stored",
        ))
    }

    async fn from_json(_json: Actor, _data: &Data<Services>) -> Result<Self> {
        Err(Error::refused(
            Code::InvalidActor,
            "remote instance actors are not stored",
        ))
    }
}

impl ApActor for InstanceActor {
    fn public_key_pem(&self) -> &str {
        &self.keys.public_pem
    }
    fn private_key_pem(&self) -> Option<String> {
        Some(self.keys.private_pem.clone())
    }
    fn inbox(&self) -> Url {
        self.inbox.clone()
    }
}

/// A remote or local actor that may be a person or a group, told apart by its `type`.
/// (Not boxed: one is made per activity received, and both rows are of a size.)
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum AnyActor {
    /// A person (or service, application, organisation).
    Person(DbPerson),
    /// A group.
    Group(DbGroup),
}

#[async_trait]
impl Object for AnyActor {
    type DataType = Services;
    type Kind = Actor;
    type Error = Error;

    fn id(&self) -> &Url {
        match self {
            Self::Person(p) => p.id(),
            Self::Group(g) => g.id(),
        }
    }

    async fn read_from_id(id: Url, data: &Data<Services>) -> Result<Option<Self>> {
        if let Some(p) = DbPerson::read_from_id(id.clone(), data).await? {
            return Ok(Some(Self::Person(p)));
        }
        Ok(DbGroup::read_from_id(id, data).await?.map(Self::Group))
    }

    async fn into_json(self, data: &Data<Services>) -> Result<Actor> {
        match self {
            Self::Person(p) => p.into_json(data).await,
            Self::Group(g) => g.into_json(data).await,
        }
    }

    async fn verify(json: &Actor, expected_domain: &Url, data: &Data<Services>) -> Result<()> {
        match json.kind {
            ActorKind::Group => DbGroup::verify(json, expected_domain, data).await,
            _ => DbPerson::verify(json, expected_domain, data).await,
        }
    }

    async fn from_json(json: Actor, data: &Data<Services>) -> Result<Self> {
        match json.kind {
            ActorKind::Group => DbGroup::from_json(json, data).await.map(Self::Group),
            _ => DbPerson::from_json(json, data).await.map(Self::Person),
        }
    }
}

impl AnyActor {
    /// When the stored copy was last written (fetched, for a remote actor).
    pub fn stored_at(&self) -> chrono::DateTime<chrono::Utc> {
        match self {
            Self::Person(p) => p.model.updated_at,
            Self::Group(g) => g.model.updated_at,
        }
    }
}

impl ApActor for AnyActor {
    fn public_key_pem(&self) -> &str {
        match self {
            Self::Person(p) => p.public_key_pem(),
            Self::Group(g) => g.public_key_pem(),
        }
    }
    fn private_key_pem(&self) -> Option<String> {
        match self {
            Self::Person(p) => p.private_key_pem(),
            Self::Group(g) => g.private_key_pem(),
        }
    }
    fn inbox(&self) -> Url {
        match self {
            Self::Person(p) => p.inbox(),
            Self::Group(g) => g.inbox(),
        }
    }
}
