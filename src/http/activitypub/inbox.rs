//! `POST /inbox`, `/u/{name}/inbox`, `/g/{name}/inbox`: the HTTP face of
//! `inbox::receive`, which checks who sent the activity and stores it for the inbound
//! queue's workers.

use axum::{
    body::Bytes,
    extract::{OriginalUri, State},
    http::{HeaderMap, Method, StatusCode},
};

use crate::{
    error::Result,
    http::AppState,
    inbox::{Received, receive},
    storage,
};

/// `POST /inbox`, `/u/{name}/inbox`, `/g/{name}/inbox`: 202 once checked and stored in the
/// inbound queue (or, for a type Cohort does not act on, ignored); 4xx when refused; 429
/// with `Retry-After` when the queue is full.
pub async fn inbox(
    State(s): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode> {
    let data = s.federation.to_request_data();
    let target = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    // One activity's lookups repeat (object, parent, post, group, actor): memoise them.
    let result =
        storage::memo::scope(receive(&data, method.as_str(), target, &headers, &body)).await;
    #[derive(serde::Deserialize)]
    struct Kind {
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    let kind = serde_json::from_slice::<Kind>(&body)
        .ok()
        .and_then(|k| k.kind);
    let outcome = match &result {
        Ok(Received::Acted) => "accepted",
        Ok(Received::Queued) => "queued",
        Ok(Received::Ignored(_)) => "ignored",
        Err(e) if e.status().is_client_error() => "refused",
        Err(_) => "error",
    };
    data.metrics.inbound(kind.as_deref(), outcome);
    result?;
    Ok(StatusCode::ACCEPTED)
}
