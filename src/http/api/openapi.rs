//! The OpenAPI 3.1 description of this API. It is written by hand in `openapi.json` and kept
//! honest by a test that calls every documented operation and checks that each route of the
//! router is documented.

use axum::{Router, http::header, response::IntoResponse, routing::get};

use crate::http::AppState;

/// The document, as served.
pub const DOCUMENT: &str = include_str!("openapi.json");

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(document))
}

async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn document_is_json_openapi_31() {
        let doc: serde_json::Value = serde_json::from_str(super::DOCUMENT).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"].as_object().is_some_and(|p| p.len() >= 10));
    }
}
