//! The OpenAPI 3.1 description of this API, generated from the code: each handler's
//! `#[utoipa::path]` attribute and the `ToSchema` types it reads and answers. Each module adds
//! its routes with `utoipa_axum::routes!`, so a route and its description are declared in one
//! place. The document is built once and served at `/api/v1/openapi.json`;
//! `tests/api/openapi.rs` walks the served router and fails on any route the document lacks.
//!
//! This module holds what the handlers share: the document's info, servers, tags and bearer
//! scheme, the path parameters, and the error answers common to many operations.

use std::sync::LazyLock;

use axum::{
    body::Bytes,
    http::header,
    response::{IntoResponse, Response},
};
use utoipa::{
    IntoParams, IntoResponses, Modify, OpenApi,
    openapi::{
        Ref, RefOr,
        schema::{ArrayItems, Schema},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    error::{Error, ErrorBody},
    http::AppState,
};

/// What the document says of itself; the paths and schemas come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Cohort API",
        version = "1",
        description = "The JSON REST API of a Cohort instance. Errors are `{\"error\": code, \
            \"message\": text, \"field\"?: name}`. Lists are keyset-paginated: pass \
            `next_cursor` back as `cursor`."
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerScheme),
    components(schemas(ErrorBody)),
    tags(
        (name = "accounts", description = "Sign-up, sign-in, sign-out and the current account"),
        (name = "mail", description = "E-mail: password reset and address confirmation by \
            mailed link, and each person's mail settings (notices, the weekly digest)"),
        (name = "groups", description = "Groups and the posts in them"),
        (name = "membership", description = "Joining and leaving groups, here or on other \
            instances, and finding things elsewhere"),
        (name = "posts", description = "One post: its thread, edits, deletion, votes, and new \
            replies to it"),
        (name = "replies", description = "One reply: reading, edits, deletion, votes"),
        (name = "questions", description = "Questions and their accepted answers, and the \
            questions waiting for one"),
        (name = "moderation", description = "Moderators' actions: removals, locks, pins, bans, \
            moderators, and the public mod log"),
        (name = "reports", description = "Reports to a group's moderators"),
        (name = "blocks", description = "Each member's own blocks of people and instances"),
        (name = "health", description = "Community health: weekly aggregates of a group or of the instance"),
        (name = "search", description = "Full-text search of posts and replies, ranked, with \
            highlighted snippets and filters; similar answered questions"),
        (name = "pages", description = "The knowledge base: a group's pages with their history, \
            diffs, conflicts, reverts and moderation"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// Adds the `bearer` security scheme the operations that need a signed-in user name.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Token from POST /auth/login"))
                    .build(),
            ),
        );
    }
}

/// The document as served: the routes' description, with the items of each page (`Page_Post`
/// for `Page<PostView>`) referring to their schema, which utoipa would copy into the page's
/// instead (it inlines a generic type's argument: juhaku/utoipa#1586).
pub(super) fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    if let Some(components) = doc.components.as_mut() {
        let names: Vec<String> = components.schemas.keys().cloned().collect();
        for (name, schema) in components.schemas.iter_mut() {
            let Some(item) = name.strip_prefix("Page_") else {
                continue;
            };
            if names.iter().any(|n| n == item)
                && let RefOr::T(Schema::Object(page)) = schema
                && let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items")
            {
                items.items =
                    ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
            }
        }
    }
    doc
}

/// The document, serialised once (on first use; `api::router` forces it at start-up).
static DOCUMENT: LazyLock<Result<Bytes, String>> = LazyLock::new(|| {
    serde_json::to_vec(&super::document())
        .map(Bytes::from)
        .map_err(|e| format!("cannot serialise the OpenAPI document: {e}"))
});

/// Builds the served document now, so no request pays for it.
pub(super) fn prepare() {
    if let Err(e) = &*DOCUMENT {
        tracing::error!(error = %e, "the OpenAPI document is unavailable");
    }
}

/// The route that serves the document.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(document))
}

/// This document
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    operation_id = "openapi",
    responses((status = 200, description = "OpenAPI 3.1", body = Object))
)]
async fn document() -> Response {
    match &*DOCUMENT {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json.clone()).into_response(),
        Err(e) => Error::Internal(e.clone()).into_response(),
    }
}

/// `{id}`: a post, reply or report.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    /// Numeric id
    pub id: i64,
}

/// `{handle}`: a group.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct HandlePath {
    /// `name` (this instance) or `name@host` (another instance, found through WebFinger)
    pub handle: String,
}

/// `{person}`: a person here or elsewhere.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PersonPath {
    /// `user@host`, a local account name, or an actor URL
    pub person: String,
}

/// `{host}`: an instance.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct HostPath {
    /// `host` or `host:port` (a handle or URL on it also works)
    pub host: String,
}

/// What an operation reading a JSON body can answer before it acts (`http::extract::ApiJson`).
#[derive(IntoResponses)]
pub enum JsonBody {
    /// Invalid input; `field` names the offending field
    #[response(status = 400)]
    Invalid(ErrorBody),
    /// Body larger than the limit (1 MiB by default)
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// Body is not application/json
    #[response(status = 415)]
    NotJson(ErrorBody),
}

/// What an operation for signed-in users answers without a valid token (`http::extract::Auth`).
#[derive(IntoResponses)]
pub enum SignedIn {
    /// Missing or invalid bearer token
    #[response(
        status = 401,
        headers(("WWW-Authenticate" = String, description = "`Bearer`"))
    )]
    Unauthenticated(ErrorBody),
}

/// What a rate-limited operation answers when its limit is reached (`domain::limits`).
#[derive(IntoResponses)]
pub enum RateLimited {
    /// Too many requests (`rate_limited`); try again after `Retry-After` seconds
    #[response(
        status = 429,
        headers(("Retry-After" = u64, description = "Seconds until the limit's window ends"))
    )]
    TooMany(ErrorBody),
}

/// What a moderator's action answers when it cannot be done (`domain::moderation`).
#[derive(IntoResponses)]
pub enum Moderation {
    /// Invalid input; `field` names the offending field
    #[response(status = 400)]
    Invalid(ErrorBody),
    /// Not a moderator of the group (`forbidden`)
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Unknown post, reply, group or person
    #[response(status = 404)]
    NotFound(ErrorBody),
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::domain::{accounts, moderation, text};

    fn document() -> Value {
        serde_json::to_value(super::super::document()).expect("serialisable")
    }

    #[test]
    fn document_is_openapi_31_and_served_once_built() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"].as_object().is_some_and(|p| p.len() >= 10));
        assert!(super::DOCUMENT.is_ok());
    }

    /// The limits the schemas state are literals (utoipa takes no constants there): the ones
    /// the domain enforces.
    #[test]
    fn schema_limits_are_the_domains() {
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        let max = |schema: &str, field: &str| {
            schemas[schema]["properties"][field]["maxLength"]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or_else(|| panic!("{schema}.{field} has no maxLength"))
        };
        assert_eq!(max("NewPost", "title"), text::MAX_TITLE_CHARS);
        assert_eq!(max("PostEdit", "title"), text::MAX_TITLE_CHARS);
        for (schema, field) in [
            ("NewPost", "body"),
            ("PostEdit", "body"),
            ("NewReply", "body"),
            ("ReplyEdit", "body"),
        ] {
            assert_eq!(max(schema, field), text::MAX_BODY_CHARS);
        }
        assert_eq!(max("NewGroup", "title"), text::MAX_GROUP_TITLE_CHARS);
        assert_eq!(max("GroupEdit", "title"), text::MAX_GROUP_TITLE_CHARS);
        for (schema, field) in [
            ("NewGroup", "description"),
            ("NewGroup", "rules"),
            ("GroupEdit", "description"),
            ("GroupEdit", "rules"),
        ] {
            assert_eq!(max(schema, field), text::MAX_DESCRIPTION_CHARS);
        }
        for (schema, field) in [
            ("NewBan", "reason"),
            ("NewReport", "reason"),
            ("Reason", "reason"),
        ] {
            assert_eq!(max(schema, field), moderation::MAX_REASON_CHARS);
        }
        assert_eq!(
            max("NewAccount", "application"),
            accounts::MAX_APPLICATION_CHARS
        );
        assert_eq!(
            schemas["NewAccount"]["properties"]["password"]["minLength"].as_u64(),
            u64::try_from(accounts::MIN_PASSWORD_CHARS).ok()
        );
    }
}
