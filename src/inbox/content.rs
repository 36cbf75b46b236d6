//! The content flow of FEP-1b12, received: a member's Create/Update/Delete of a post or
//! reply, and Like/Dislike and their Undo, go to the group; the group checks and stores them
//! and wraps each, unchanged, in an `Announce` to its followers. A follower accepts an
//! announced activity only when the announcing group is the group the object belongs to.
//! Here: who may send what, and which use case (`usecases::content`) it becomes.

use crate::error::Code;
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    protocol::verification::{verify_domains_match, verify_urls_match},
    traits::{Activity, Object as _},
};
use async_trait::async_trait;
use url::Url;

use crate::{
    error::{Error, Result},
    federation::{
        actors::{AnyActor, DbPerson, authority},
        documents,
        objects::Content,
        protocol::content::{
            Announce, AnnounceRef, Announced, CreateOrUpdateKind, GroupActivity, UndoById,
            UndoShare, VoteKind,
        },
    },
    services::Services,
    storage::{
        self,
        entities::{groups, persons},
        votes::Target,
    },
    usecases,
};

async fn person(data: &Data<Services>, actor: &ObjectId<DbPerson>) -> Result<persons::Model> {
    Ok(actor.dereference(data).await?.model)
}

/// How a member's activity reached us, which decides whose content it may touch.
#[derive(Clone, Copy, Debug)]
pub enum Via<'a> {
    /// Delivered by its actor (signed by them): only for a group hosted here.
    Direct,
    /// Relayed by the group with this id: only for that group's own content.
    Announced(&'a str),
}

impl GroupActivity {
    /// Checks that hold wherever the activity arrives from.
    async fn verify_own(&self, data: &Data<Services>) -> Result<()> {
        // An activity is issued by its actor's server.
        verify_domains_match(self.id(), self.actor())?;
        match self {
            Self::CreateOrUpdate(a) => {
                verify_urls_match(a.actor.inner(), &a.object.attributed_to)?;
                Content::verify(&a.object, a.actor.inner(), data).await
            }
            Self::Page(a) => super::pages::verify(a),
            Self::UndoVote(a) => {
                verify_urls_match(a.actor.inner(), a.object.actor.inner()).map_err(Into::into)
            }
            Self::UndoLock(a) => {
                verify_urls_match(a.actor.inner(), a.object.actor.inner()).map_err(Into::into)
            }
            Self::UndoDelete(a) => {
                verify_urls_match(a.actor.inner(), a.object.actor.inner()).map_err(Into::into)
            }
            Self::UndoBlock(a) => {
                verify_urls_match(a.actor.inner(), a.object.actor.inner()).map_err(Into::into)
            }
            // Only the actor's own server can name its activities; whether the actor is the
            // named activity's author is checked against what is stored.
            Self::UndoById(a) => {
                verify_domains_match(&a.object, a.actor.inner()).map_err(Into::into)
            }
            // Who may choose or take back an answer is decided against what is stored (the
            // question's author, the group's moderators), by the use case.
            Self::Delete(_)
            | Self::Vote(_)
            | Self::Lock(_)
            | Self::Feature(_)
            | Self::Block(_)
            | Self::Flag(_)
            | Self::Resolve(_)
            | Self::ChooseAnswer(_)
            | Self::UndoChooseAnswer(_) => Ok(()),
        }
    }

    /// Whether it speaks for someone or something on this instance: never true of a relayed
    /// activity, which carries no signature of its actor.
    fn claims_local(&self, data: &Data<Services>) -> bool {
        let local = |u: &Url| authority(u).is_ok_and(|a| a == data.instance.domain);
        local(self.actor())
            || match self {
                Self::CreateOrUpdate(a) => local(&a.object.id) || local(&a.object.attributed_to),
                _ => false,
            }
    }

    /// The group whose content this activity touches, decided from what is stored (a stored
    /// object's own group, never what the activity claims), else a new reply's parent thread,
    /// else a new post's `audience`. `None`: nothing here to act on.
    async fn target_group(&self, data: &Data<Services>) -> Result<Option<groups::Model>> {
        let stored = |id: Url| async move {
            match Content::find(data, &id).await? {
                Some(c) => Ok::<_, Error>(Some(c.group(data).await?)),
                None => Ok(None),
            }
        };
        match self {
            Self::CreateOrUpdate(a) => match stored(a.object.id.clone()).await? {
                Some(g) => Ok(Some(g)),
                // A status that only mentions a member (Mastodon delivers it to them): no
                // group of ours is involved, nothing to do.
                None if a.object.in_reply_to.is_none()
                    && !Content::names_known_group(&a.object, data).await? =>
                {
                    Ok(None)
                }
                None => Content::group_of_new(&a.object, data).await.map(Some),
            },
            // Read by `inbox::pages`, never here.
            Self::Page(_) => Ok(None),
            Self::Delete(a) => stored(a.object.id().clone()).await,
            Self::UndoVote(a) => stored(a.object.object.id().clone()).await,
            Self::Lock(a) => stored(a.object.id().clone()).await,
            Self::UndoLock(a) => stored(a.object.object.id().clone()).await,
            Self::UndoDelete(a) => stored(a.object.object.id().clone()).await,
            Self::ChooseAnswer(a) => stored(a.object.clone()).await,
            Self::UndoChooseAnswer(a) => stored(a.object.object.clone()).await,
            Self::Feature(a) if !a.is_moderator_change() => stored(a.object.id().clone()).await,
            Self::Feature(_)
            | Self::Block(_)
            | Self::UndoBlock(_)
            | Self::Flag(_)
            | Self::Resolve(_) => super::moderation::target_group(data, self).await,
            Self::Vote(a) => {
                let c = ObjectId::<Content>::from(a.object.id().clone())
                    .dereference(data)
                    .await?;
                Ok(Some(c.group(data).await?))
            }
            Self::UndoById(a) => match named_vote(data, &a.object).await? {
                Some((content, _)) => Ok(Some(content.group(data).await?)),
                None => {
                    tracing::debug!(undo = %a.id, object = %a.object,
                        "Undo of an id stored nowhere here: nothing to do");
                    Ok(None)
                }
            },
        }
    }

    /// Acts on the activity after checking it may touch the group it concerns.
    pub async fn receive_via(self, data: &Data<Services>, via: Via<'_>) -> Result<()> {
        if let Self::Page(a) = self {
            return super::pages::receive(data, *a, via).await;
        }
        if matches!(via, Via::Announced(_)) && self.is_account_deletion() {
            return relayed_account_deletion(data, self.actor()).await;
        }
        if matches!(via, Via::Announced(_)) && self.claims_local(data) {
            // A group relays to every follower, so what a member or moderator here sent to a
            // remote group comes back: it was applied here when it was sent.
            if authority(self.actor()).is_ok_and(|a| a == data.instance.domain) {
                return Ok(());
            }
            return Err(Error::refused(
                Code::InvalidActivity,
                "a relayed activity speaking for this instance",
            ));
        }
        let Some(group) = self.target_group(data).await? else {
            return Ok(());
        };
        // A group's own server speaks for it: an activity sent straight to us by someone on
        // the server that hosts the group (Mbin delivers its local members' posts and its
        // moderators' locks to the magazine's followers that way, unannounced) counts as if
        // the group had relayed it.
        let from_groups_server = !group.local
            && authority(self.actor()).ok()
                == url::Url::parse(&group.ap_id)
                    .ok()
                    .and_then(|u| authority(&u).ok());
        match via {
            Via::Direct if !group.local && !from_groups_server => {
                return Err(Error::refused(
                    Code::InvalidActivity,
                    "send this to the group's own server",
                ));
            }
            Via::Announced(announcer) if group.ap_id != announcer => {
                return Err(Error::refused(
                    Code::InvalidActivity,
                    "the group announced another group's content",
                ));
            }
            _ => {}
        }
        // Direct: a member's activity for a group hosted here, checked by us as the group's
        // server would.
        let direct = matches!(via, Via::Direct) && group.local;
        if direct
            && matches!(self, Self::CreateOrUpdate(_) | Self::Vote(_))
            && let Some(p) =
                storage::persons::find_by_ap_id(&data.db, self.actor().as_str()).await?
        {
            crate::domain::moderation::ensure_not_banned(data, group.id, p.id).await?;
            crate::domain::members::ensure_member(data, &group, p.id).await?;
        }
        match self {
            Self::Page(_) => Ok(()),
            Self::CreateOrUpdate(a) => {
                // What needs the network (the author, the group or the parent) is looked up
                // first; the use case stores (or edits) and relays it in one unit.
                let prepared = Content::prepare(a.object.clone(), data, direct).await?;
                let editor = match a.kind {
                    CreateOrUpdateKind::Update => Some(person(data, &a.actor).await?),
                    CreateOrUpdateKind::Create => None,
                };
                usecases::content::receive_remote(data, &group, prepared, editor.as_ref(), a).await
            }
            Self::Delete(a) => {
                let Some(content) = Content::find(data, a.object.id()).await? else {
                    return Ok(());
                };
                // The author deletes; a moderator removes (Lemmy sends both as Delete, a removal
                // with a `summary` reason), which `moderation` reads.
                let actor = person(data, &a.actor).await?;
                if content.author_id() != actor.id {
                    return super::moderation::receive(data, &group, direct, Self::Delete(a)).await;
                }
                usecases::content::delete_remote(data, &actor, &content, Self::Delete(a)).await
            }
            Self::Vote(a) => {
                let value = match a.kind {
                    VoteKind::Like => 1,
                    VoteKind::Dislike => -1,
                };
                let content = ObjectId::<Content>::from(a.object.id().clone())
                    .dereference(data)
                    .await?;
                let (actor, id) = (a.actor.clone(), a.id.to_string());
                vote(data, &content, &actor, value, Some(id), Self::Vote(a)).await
            }
            Self::UndoVote(a) => {
                let Some(content) = Content::find(data, a.object.object.id()).await? else {
                    return Ok(());
                };
                let actor = a.actor.clone();
                vote(data, &content, &actor, 0, None, Self::UndoVote(a)).await
            }
            Self::UndoById(a) => {
                let Some((content, cast)) = named_vote(data, &a.object).await? else {
                    return Ok(());
                };
                if cast.person_id != person(data, &a.actor).await?.id {
                    return Err(Error::forbidden("only the voter may withdraw a vote"));
                }
                let actor = a.actor.clone();
                vote(data, &content, &actor, 0, None, Self::UndoById(a)).await
            }
            Self::ChooseAnswer(a) => {
                let Some(reply) = stored_reply(data, &a.object).await? else {
                    return Ok(());
                };
                let actor = person(data, &ObjectId::from(a.actor.clone())).await?;
                usecases::questions::choose_remote(data, &actor, &reply, Self::ChooseAnswer(a))
                    .await
            }
            Self::UndoChooseAnswer(a) => {
                let Some(reply) = stored_reply(data, &a.object.object).await? else {
                    return Ok(());
                };
                let actor = person(data, &ObjectId::from(a.actor.clone())).await?;
                let activity = Self::UndoChooseAnswer(a);
                usecases::questions::withdraw_remote(data, &actor, &reply, activity).await
            }
            Self::UndoDelete(_)
            | Self::Lock(_)
            | Self::UndoLock(_)
            | Self::Feature(_)
            | Self::Block(_)
            | Self::UndoBlock(_)
            | Self::Flag(_)
            | Self::Resolve(_) => super::moderation::receive(data, &group, direct, self).await,
        }
    }
}

/// The stored reply at `id` (an answer is always a reply); `None`: nothing here to act on.
async fn stored_reply(
    data: &Data<Services>,
    id: &Url,
) -> Result<Option<storage::entities::replies::Model>> {
    Ok(match Content::find(data, id).await? {
        Some(Content::Reply(r, _)) => Some(r),
        Some(Content::Post(..)) | None => None,
    })
}

/// The stored vote cast by the activity `id` (a `Like` or `Dislike`), with what it is on.
async fn named_vote(
    data: &Data<Services>,
    id: &Url,
) -> Result<Option<(Content, storage::votes::Cast)>> {
    let Some(cast) = storage::votes::by_ap_id(&data.db, id.as_str()).await? else {
        return Ok(None);
    };
    let content = match cast.target {
        Target::Post => match storage::posts::find(&data.db, cast.object_id).await? {
            Some(p) => {
                let id = documents::url(&p.ap_id)?;
                Some(Content::Post(p, id))
            }
            None => None,
        },
        Target::Reply => match storage::replies::find(&data.db, cast.object_id).await? {
            Some(r) => {
                let id = documents::url(&r.ap_id)?;
                Some(Content::Reply(r, id))
            }
            None => None,
        },
    };
    Ok(content.map(|c| (c, cast)))
}

impl UndoById {
    /// Sent directly, it may name a boost or a follow, which are the person's own and no
    /// group's content: withdraws the boost or ends the follow. False: it names neither.
    async fn undo_boost_or_follow(&self, data: &Data<Services>) -> Result<bool> {
        let named = self.object.as_str();
        let stored = storage::shares::find(&data.db, named).await?.is_some()
            || storage::followers::find_by_follow_ap_id(&data.db, named)
                .await?
                .is_some();
        if !stored {
            return Ok(false);
        }
        let actor = person(data, &self.actor).await?;
        Ok(
            usecases::content::unboost_remote(data, &actor, named).await?
                || usecases::membership::unfollow_by_id(data, &actor, named).await?,
        )
    }
}

/// A group relays an account's deletion. The relay carries no signature of the account, so
/// the account's own server is asked: only when it answers that the actor is gone (410 or
/// 404) is what the account wrote erased here.
async fn relayed_account_deletion(data: &Data<Services>, actor: &Url) -> Result<()> {
    let Some(person) = storage::persons::find_by_ap_id(&data.db, actor.as_str()).await? else {
        return Ok(());
    };
    if person.local || person.deleted_at.is_some() {
        return Ok(());
    }
    match ObjectId::<DbPerson>::from(actor.clone())
        .dereference_forced(data)
        .await
    {
        Err(Error::NotFound(_)) => {}
        Err(Error::Refused {
            code: Code::ObjectDeleted,
            ..
        }) => {}
        Ok(_) => {
            return Err(Error::refused(
                Code::InvalidActivity,
                "the account still exists on its server",
            ));
        }
        Err(e) => return Err(e),
    }
    let erased = usecases::accounts::erase_remote(data, person.id, None).await?;
    tracing::info!(actor = %actor, posts = erased.posts, replies = erased.replies,
        "remote account deleted (relayed by its group)");
    Ok(())
}

/// A person's boost: counted when it is of content held here.
async fn share(data: &Data<Services>, person: &DbPerson, announce: &Announce) -> Result<()> {
    let object = match &announce.object {
        Announced::Id(id) => id,
        Announced::Object(o) => &o.id,
        Announced::Page(p) => &p.id,
        Announced::Activity(_) => {
            return Err(Error::refused(
                Code::InvalidActivity,
                "a person announced an activity",
            ));
        }
    };
    usecases::content::boost_remote(data, &person.model, announce.id.as_str(), object).await
}

#[async_trait]
impl Activity for UndoShare {
    type DataType = Services;
    type Error = Error;
    fn id(&self) -> &Url {
        &self.id
    }
    fn actor(&self) -> &Url {
        self.actor.inner()
    }
    async fn verify(&self, _data: &Data<Services>) -> Result<()> {
        let boost = match &self.object {
            AnnounceRef::Embedded { id, .. } | AnnounceRef::Id(id) => id,
        };
        // Only the booster's server can name its boost.
        verify_domains_match(boost, self.actor.inner()).map_err(Into::into)
    }
    async fn receive(self, data: &Data<Services>) -> Result<()> {
        let boost = match &self.object {
            AnnounceRef::Embedded { id, .. } | AnnounceRef::Id(id) => id,
        };
        if let Some(p) =
            storage::persons::find_by_ap_id(&data.db, self.actor.inner().as_str()).await?
        {
            usecases::content::unboost_remote(data, &p, boost.as_str()).await?;
        }
        Ok(())
    }
}

/// A remote vote (or its withdrawal, `value` 0): the voter is looked up (fetched if need be),
/// then the use case applies the rule a local vote obeys and relays it.
async fn vote(
    data: &Data<Services>,
    content: &Content,
    actor: &ObjectId<DbPerson>,
    value: i16,
    ap_id: Option<String>,
    activity: GroupActivity,
) -> Result<()> {
    let voter = person(data, actor).await?;
    usecases::content::vote_remote(data, &voter, content, value, ap_id, activity).await
}

#[async_trait]
impl Activity for GroupActivity {
    type DataType = Services;
    type Error = Error;
    fn id(&self) -> &Url {
        GroupActivity::id(self)
    }
    fn actor(&self) -> &Url {
        GroupActivity::actor(self)
    }
    async fn verify(&self, data: &Data<Services>) -> Result<()> {
        self.verify_own(data).await
    }
    async fn receive(self, data: &Data<Services>) -> Result<()> {
        if let Self::UndoById(a) = &self
            && a.undo_boost_or_follow(data).await?
        {
            return Ok(());
        }
        self.receive_via(data, Via::Direct).await
    }
}

#[async_trait]
impl Activity for Announce {
    type DataType = Services;
    type Error = Error;
    fn id(&self) -> &Url {
        &self.id
    }
    fn actor(&self) -> &Url {
        self.actor.inner()
    }
    async fn verify(&self, data: &Data<Services>) -> Result<()> {
        if self.actor.is_local(data) {
            return Err(Error::refused(
                Code::InvalidActivity,
                "Announce in the name of a group hosted here",
            ));
        }
        match &self.object {
            Announced::Activity(inner) => inner.verify_own(data).await,
            Announced::Object(obj) => Content::verify(obj, &obj.id, data).await,
            Announced::Page(_) | Announced::Id(_) => Ok(()),
        }
    }
    async fn receive(self, data: &Data<Services>) -> Result<()> {
        // A person announcing is a boost: counted as a share of content we hold, never stored
        // as a post of its own.
        if let AnyActor::Person(person) = ObjectId::<AnyActor>::from(self.actor.inner().clone())
            .dereference(data)
            .await?
        {
            return share(data, &person, &self).await;
        }
        let group = self.actor.inner().to_string();
        let foreign = || {
            Error::refused(
                Code::InvalidActivity,
                "the group announced another group's content",
            )
        };
        match self.object {
            // The inner activity is de-duplicated by its own id too: the same Create may
            // reach us directly and announced.
            Announced::Activity(inner) => {
                let key = inner.dedupe_key();
                super::activities::once(data, &key, inner.receive_via(data, Via::Announced(&group)))
                    .await
            }
            // A new page announced as itself, for Mastodon: the `Create` announced with it
            // is what is read.
            Announced::Page(_) => Ok(()),
            Announced::Object(obj) => {
                if authority(&obj.id).is_ok_and(|a| a == data.instance.domain) {
                    return Err(Error::refused(
                        Code::InvalidActivity,
                        "a relayed object with an id of this instance",
                    ));
                }
                let target = match Content::find(data, &obj.id).await? {
                    Some(c) => c.group(data).await?,
                    None => Content::group_of_new(&obj, data).await?,
                };
                if target.ap_id != group {
                    return Err(foreign());
                }
                Content::store(*obj, data, false).await.map(|_| ())
            }
            Announced::Id(id) => {
                // Fetched from its origin, so its content is the author's own.
                let content = ObjectId::<Content>::from(id).dereference(data).await?;
                if content.group(data).await?.ap_id != group {
                    return Err(foreign());
                }
                Ok(())
            }
        }
    }
}
