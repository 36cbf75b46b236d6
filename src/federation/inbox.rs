//! The inboxes: the shared inbox and every actor's own inbox feed one handler.

use activitypub_federation::axum::inbox::{ActivityData, receive_activity};
use axum::{extract::State, http::StatusCode};

use super::{activities::InboxActivity, actors::AnyActor};
use crate::{domain::Ctx, error::Result, http::AppState};

/// `POST /inbox`, `/u/{name}/inbox`, `/g/{name}/inbox`: verify the signature, the digest and
/// the actor, then act (see `activities`). 202 once handled; 4xx when refused.
pub async fn inbox(State(s): State<AppState>, activity: ActivityData) -> Result<StatusCode> {
    let data = s.federation.to_request_data();
    receive_activity::<InboxActivity, AnyActor, Ctx>(activity, &data).await?;
    Ok(StatusCode::ACCEPTED)
}
