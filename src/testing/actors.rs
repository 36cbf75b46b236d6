//! Remote actors for tests and benchmarks that send signed activities to a real server:
//! a loopback server of actor documents, and signed replies from them.

use std::{sync::Arc, time::SystemTime};

use axum::{Json, Router, extract::Path as UrlPath, extract::State, routing::get};
use serde_json::json;
use url::Url;

use crate::{
    error::Result,
    federation::signing::{PrivateKey, sign_post},
};

#[derive(Clone)]
struct ActorServer {
    base: String,
    keys: Arc<Vec<String>>,
}

async fn actor_doc(
    State(s): State<ActorServer>,
    UrlPath(n): UrlPath<usize>,
) -> impl axum::response::IntoResponse {
    let id = format!("{}/actors/{n}", s.base);
    let doc = Json(json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": format!("actor{n}"),
        "inbox": format!("{id}/inbox"),
        "endpoints": {"sharedInbox": format!("{}/inbox", s.base)},
        "publicKey": {
            "id": format!("{id}#main-key"),
            "owner": id,
            "publicKeyPem": s.keys[n % s.keys.len()],
        },
    }));
    (
        [(
            axum::http::header::CONTENT_TYPE,
            crate::federation::ACTIVITY_JSON,
        )],
        doc,
    )
}

/// Serves the remote actors `{base}/actors/{n}` (keys taken in turn from `keys`) on a
/// loopback port, for the signed activities a benchmark sends; returns the base URL and the
/// server's task.
pub async fn serve_actors(
    keys: &[activitypub_federation::http_signatures::Keypair],
) -> Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://localhost:{}", listener.local_addr()?.port());
    let state = ActorServer {
        base: base.clone(),
        keys: Arc::new(keys.iter().map(|k| k.public_key.clone()).collect()),
    };
    let app = Router::new()
        .route("/actors/{n}", get(actor_doc))
        .with_state(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((base, task))
}

/// A `Create{Note}` by `actor` replying to `post` in group `group`, number `i`, signed with
/// `key` for a POST to `inbox`: the body and its signature headers.
pub fn signed_reply(
    key: &PrivateKey,
    actor: &str,
    i: usize,
    post: &str,
    group: &str,
    inbox: &Url,
) -> Result<(String, [(&'static str, String); 4])> {
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/statuses/{i}/activity"),
        "type": "Create",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [group],
        "object": {
            "id": format!("{actor}/statuses/{i}"),
            "type": "Note",
            "attributedTo": actor,
            "inReplyTo": post,
            "content": format!("<p>Reply number {i}: have you tried the docs?</p>"),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [group],
        },
    })
    .to_string();
    let headers = sign_post(
        key,
        &format!("{actor}#main-key"),
        inbox,
        body.as_bytes(),
        SystemTime::now(),
    )?;
    Ok((body, headers))
}
