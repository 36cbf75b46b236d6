//! Follows and their acceptance, and the one type every inbox takes (`InboxActivity`): who
//! may send each (verify) and which use case it becomes (receive).
//!
//! Before any `verify` here runs, the library has checked the HTTP signature against the
//! actor's key (fetching the actor if needed), the body digest, and that the activity id is
//! on the actor's domain (`activitypub_federation::axum::inbox::receive_activity`).

use crate::error::Code;
use activitypub_federation::{
    config::Data, protocol::verification::verify_urls_match, traits::Activity,
};
use async_trait::async_trait;
use url::Url;

use crate::{
    domain::now,
    error::{Error, Result},
    federation::{
        backfill,
        protocol::follow::{Accept, Follow, InboxActivity, UndoFollow},
    },
    services::Services,
    storage, usecases,
};

/// Longest activity id accepted (ids are kept for de-duplication).
pub const MAX_ID_LEN: usize = 2048;

/// Runs `act` unless activity `id` was handled before (a replay or a re-delivery), and records
/// it as handled only once `act` succeeded: an activity that failed half-way is acted on
/// again when its sender retries, instead of being dropped as a duplicate. Everything an
/// activity does is idempotent, so two copies racing in at once do no harm either.
pub async fn once<F>(data: &Data<Services>, id: &str, act: F) -> Result<()>
where
    F: std::future::Future<Output = Result<()>>,
{
    if id.len() > MAX_ID_LEN {
        return Err(Error::refused(
            Code::InvalidActivity,
            "activity id is too long",
        ));
    }
    if storage::received::exists(&data.db, id).await? {
        return Ok(());
    }
    // Acting on a queued activity: the use case's unit records the id in its own commit.
    super::queue::name_key(id);
    act.await?;
    if !super::queue::recorded(id) {
        storage::received::insert_if_new(&data.db, id, now()).await?;
    }
    Ok(())
}

#[async_trait]
impl Activity for Follow {
    type DataType = Services;
    type Error = Error;
    fn id(&self) -> &Url {
        &self.id
    }
    fn actor(&self) -> &Url {
        self.actor.inner()
    }
    async fn verify(&self, data: &Data<Services>) -> Result<()> {
        if !self.object.is_local(data) {
            return Err(Error::refused(
                Code::InvalidActivity,
                "Follow of something not on this instance",
            ));
        }
        Ok(())
    }
    async fn receive(self, data: &Data<Services>) -> Result<()> {
        let group = storage::groups::find_by_ap_id(&data.db, self.object.inner().as_str())
            .await?
            .filter(|g| g.local)
            .ok_or(Error::NotFound("group"))?;
        let person = self.actor.dereference(data).await?;
        usecases::membership::follow_remote(data, &group, &person, self).await
    }
}

#[async_trait]
impl Activity for Accept {
    type DataType = Services;
    type Error = Error;
    fn id(&self) -> &Url {
        &self.id
    }
    fn actor(&self) -> &Url {
        self.actor.inner()
    }
    async fn verify(&self, data: &Data<Services>) -> Result<()> {
        // Only the group that was followed may accept the follow.
        verify_urls_match(self.actor.inner(), self.object.object.inner())?;
        if !self.object.actor.is_local(data) {
            return Err(Error::refused(
                Code::InvalidActivity,
                "Accept of a follow not made here",
            ));
        }
        Ok(())
    }
    async fn receive(self, data: &Data<Services>) -> Result<()> {
        let group = self.actor.dereference(data).await?;
        let person = storage::persons::find_by_ap_id(&data.db, self.object.actor.inner().as_str())
            .await?
            .ok_or(Error::NotFound("person"))?;
        // The first member here: fetch the group's history in the background, once.
        if usecases::membership::follow_accepted(data, group.model.id, person.id).await? {
            let data = data.reset_request_count();
            let model = group.model.clone();
            tokio::spawn(async move {
                match backfill::group(&data, &model).await {
                    Ok(n) => tracing::info!(group = %model.ap_id, stored = n, "backfill done"),
                    Err(e) => tracing::warn!(group = %model.ap_id, error = %e, "backfill failed"),
                }
            });
        }
        Ok(())
    }
}

#[async_trait]
impl Activity for UndoFollow {
    type DataType = Services;
    type Error = Error;
    fn id(&self) -> &Url {
        &self.id
    }
    fn actor(&self) -> &Url {
        self.actor.inner()
    }
    async fn verify(&self, data: &Data<Services>) -> Result<()> {
        // Only the follower may undo its follow.
        verify_urls_match(self.actor.inner(), self.object.actor.inner())?;
        self.object.verify(data).await
    }
    async fn receive(self, data: &Data<Services>) -> Result<()> {
        usecases::membership::unfollow_remote(
            data,
            self.object.object.inner().as_str(),
            self.actor.inner().as_str(),
        )
        .await
    }
}

#[async_trait]
impl Activity for InboxActivity {
    type DataType = Services;
    type Error = Error;
    fn id(&self) -> &Url {
        match self {
            Self::Follow(a) => a.id(),
            Self::Accept(a) => a.id(),
            Self::Undo(a) => a.id(),
            Self::Announce(a) => a.id(),
            Self::Group(a) => a.id(),
            Self::UndoShare(a) => a.id(),
            Self::Reject(a) => a.id(),
        }
    }
    fn actor(&self) -> &Url {
        match self {
            Self::Follow(a) => a.actor(),
            Self::Accept(a) => a.actor(),
            Self::Undo(a) => a.actor(),
            Self::Announce(a) => a.actor(),
            Self::Group(a) => a.actor(),
            Self::UndoShare(a) => a.actor(),
            Self::Reject(a) => a.actor(),
        }
    }
    async fn verify(&self, data: &Data<Services>) -> Result<()> {
        match self {
            Self::Follow(a) => a.verify(data).await,
            Self::Accept(a) => a.verify(data).await,
            Self::Undo(a) => a.verify(data).await,
            Self::Announce(a) => a.verify(data).await,
            Self::Group(a) => a.verify(data).await,
            Self::UndoShare(a) => a.verify(data).await,
            Self::Reject(a) => a.verify(data).await,
        }
    }
    async fn receive(self, data: &Data<Services>) -> Result<()> {
        let key = match &self {
            Self::Group(a) => a.dedupe_key(),
            other => Activity::id(other).to_string(),
        };
        once(data, &key, self.dispatch(data)).await
    }
}

impl InboxActivity {
    async fn dispatch(self, data: &Data<Services>) -> Result<()> {
        match self {
            Self::Follow(a) => a.receive(data).await,
            Self::Accept(a) => a.receive(data).await,
            Self::Undo(a) => a.receive(data).await,
            Self::Announce(a) => (*a).receive(data).await,
            Self::Group(a) => (*a).receive(data).await,
            Self::UndoShare(a) => a.receive(data).await,
            Self::Reject(a) => (*a).receive(data).await,
        }
    }
}
