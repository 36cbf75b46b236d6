//! Outgoing delivery: every activity is stored, one row per destination inbox, before the
//! request that made it returns; workers sign and send in the background, retry failures with
//! back-off, and survive restarts (see `storage::deliveries` for the claim protocol).

use std::{sync::Arc, time::Duration};

use activitypub_federation::{
    activity_sending::SendActivityTask,
    config::{Data, FederationConfig},
    traits::Activity,
};
use async_trait::async_trait;
use chrono::Utc;
use futures::StreamExt;
use sea_orm::TransactionTrait;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::{
    domain::{Ctx, now},
    error::{Error, Result},
    federation::{
        actors::{DbGroup, DbPerson, InstanceActor, authority},
        protocol::WithContext,
    },
    storage::{self, deliveries::NewDelivery, entities::deliveries},
};

/// How long a claimed delivery is reserved for the worker that claimed it.
const LEASE: Duration = Duration::from_secs(120);
/// Deliveries claimed per round.
const BATCH: u64 = 64;
/// Sends in flight per worker.
const CONCURRENCY: usize = 16;
/// Longest wait between retries.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// After this long a delivery that keeps failing is dropped.
const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::days(3);
/// Idle poll interval: a safety net, since enqueueing wakes the workers at once.
const IDLE_POLL: Duration = Duration::from_secs(2);

/// Stores `activity` (fetchable by its id from then on) and one delivery per inbox
/// (deduplicated; inboxes on this instance are skipped) in one transaction, and wakes the
/// workers. Returns once it is stored.
pub async fn send<A: Serialize>(
    ctx: &Ctx,
    activity: &A,
    activity_id: &Url,
    signer: &Url,
    inboxes: Vec<Url>,
) -> Result<()> {
    let body = serde_json::to_string(&WithContext::new(activity))
        .map_err(|e| Error::Internal(format!("serialising activity: {e}")))?;
    let mut targets: Vec<String> = inboxes
        .into_iter()
        .filter(|u| {
            authority(u)
                .map(|a| a != ctx.instance.domain)
                .unwrap_or(false)
        })
        .map(|u| u.to_string())
        .collect();
    targets.sort();
    targets.dedup();
    let rows = targets
        .into_iter()
        .map(|inbox| NewDelivery {
            activity_id: activity_id.as_str(),
            signer: signer.as_str(),
            inbox,
            body: &body,
        })
        .collect();
    let t = now();
    let txn = ctx.db.begin().await?;
    storage::deliveries::keep_activity(&txn, activity_id.as_str(), &body, t).await?;
    storage::deliveries::enqueue(&txn, rows, t).await?;
    txn.commit().await?;
    ctx.delivery_wake.notify_waiters();
    Ok(())
}

/// The stored JSON of an activity, handed to the library's signer as is.
#[derive(Debug)]
struct Stored {
    id: Url,
    actor: Url,
    body: Value,
}

impl Serialize for Stored {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.body.serialize(s)
    }
}

#[async_trait]
impl Activity for Stored {
    type DataType = Ctx;
    type Error = Error;
    fn id(&self) -> &Url {
        &self.id
    }
    fn actor(&self) -> &Url {
        &self.actor
    }
    async fn verify(&self, _: &Data<Ctx>) -> Result<()> {
        Err(Error::Internal(
            "outgoing activities are not received".into(),
        ))
    }
    async fn receive(self, _: &Data<Ctx>) -> Result<()> {
        Err(Error::Internal(
            "outgoing activities are not received".into(),
        ))
    }
}

async fn tasks_for(row: &deliveries::Model, data: &Data<Ctx>) -> Result<Vec<SendActivityTask>> {
    let body: Value = serde_json::from_str(&row.body)
        .map_err(|e| Error::Internal(format!("stored activity: {e}")))?;
    let stored = Stored {
        id: Url::parse(&row.activity_id).map_err(|e| Error::Internal(e.to_string()))?,
        actor: Url::parse(&row.signer).map_err(|e| Error::Internal(e.to_string()))?,
        body,
    };
    let inbox = vec![Url::parse(&row.inbox).map_err(|e| Error::Internal(e.to_string()))?];
    let signer = row.signer.as_str();
    if let Some(p) = storage::persons::find_by_ap_id(&data.db, signer)
        .await?
        .filter(|p| p.local)
    {
        return Ok(SendActivityTask::prepare(&stored, &DbPerson::new(p)?, inbox, data).await?);
    }
    if let Some(g) = storage::groups::find_by_ap_id(&data.db, signer)
        .await?
        .filter(|g| g.local)
    {
        return Ok(SendActivityTask::prepare(&stored, &DbGroup::new(g)?, inbox, data).await?);
    }
    let instance = InstanceActor::load(data).await?;
    if activitypub_federation::traits::Object::id(&instance).as_str() == signer {
        return Ok(SendActivityTask::prepare(&stored, &instance, inbox, data).await?);
    }
    Err(Error::Internal(format!("no local signer {signer}")))
}

/// Back-off before attempt `attempts + 1`: 2 s, 4 s, 8 s … capped at an hour.
pub fn backoff(attempts: i32) -> Duration {
    let secs = 2u64.saturating_pow(u32::try_from(attempts.clamp(1, 20)).unwrap_or(20));
    Duration::from_secs(secs).min(MAX_BACKOFF)
}

async fn deliver(row: deliveries::Model, data: Data<Ctx>) {
    let outcome = async {
        for task in tasks_for(&row, &data).await? {
            task.sign_and_send(&data).await?;
        }
        Ok::<(), Error>(())
    }
    .await;
    let db = &data.db;
    let result = match outcome {
        // Delivered, or refused for good (a 4xx other than 408/429): either way, done.
        Ok(()) => storage::deliveries::finish(db, row.id).await,
        Err(e) if Utc::now() - row.created_at > GIVE_UP_AFTER => {
            tracing::warn!(inbox = %row.inbox, activity = %row.activity_id, error = %e, "delivery abandoned");
            storage::deliveries::finish(db, row.id).await
        }
        Err(e) => {
            let attempts = row.attempts + 1;
            let wait =
                chrono::Duration::from_std(backoff(attempts)).unwrap_or(chrono::Duration::hours(1));
            tracing::info!(inbox = %row.inbox, attempts, error = %e, "delivery failed; will retry");
            storage::deliveries::retry_at(db, row.id, attempts, now() + wait, e.to_string()).await
        }
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "could not record a delivery outcome");
    }
}

/// Runs one delivery worker until the task is aborted.
pub async fn worker(federation: FederationConfig<Ctx>) {
    let ctx: Ctx = (*federation.to_request_data()).clone();
    let wake: Arc<tokio::sync::Notify> = ctx.delivery_wake.clone();
    loop {
        // Register interest before looking, so a wake-up between the claim and the wait is not
        // lost: `notify_waiters` only reaches futures already enabled.
        let notified = wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let t = now();
        let lease = chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::minutes(2));
        let claimed = match storage::deliveries::claim(&ctx.db, t, t + lease, BATCH).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "claiming deliveries failed");
                tokio::time::sleep(IDLE_POLL).await;
                continue;
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                () = &mut notified => {},
                () = tokio::time::sleep(IDLE_POLL) => {},
            }
            continue;
        }
        futures::stream::iter(claimed)
            .for_each_concurrent(CONCURRENCY, |row| {
                deliver(row, federation.to_request_data())
            })
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert!(backoff(5) < backoff(6));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
