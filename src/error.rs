//! The one error type of the application, and its one mapping to HTTP.
//!
//! Domain code returns [`Error`]; handlers return it unchanged. Client errors carry a stable
//! machine-readable code and a message for people. Server errors are logged with their detail
//! and answered with generic text, so nothing internal leaks.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use sea_orm::DbErr;
use serde::Serialize;
use utoipa::ToSchema;

/// Everything that can go wrong while serving a request or running a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field of the request is missing or invalid (400).
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field, as the client named it.
        field: String,
        /// What is wrong with it, for people.
        message: String,
    },
    /// The request is malformed as a whole: bad JSON, bad query string (400).
    #[error("{0}")]
    BadRequest(String),
    /// No valid credentials were given (401).
    #[error("authentication required")]
    Unauthenticated,
    /// Username or password is wrong (401).
    #[error("invalid username or password")]
    BadCredentials,
    /// Authenticated, but not allowed to do this (403).
    #[error("{message}")]
    Forbidden {
        /// Stable code, e.g. `forbidden` or `registration_closed`.
        code: &'static str,
        /// Why, for people.
        message: String,
    },
    /// The thing does not exist, or the caller may not know it exists (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state, e.g. a name is taken (409).
    #[error("{message}")]
    Conflict {
        /// Stable code, e.g. `name_taken` or `deleted`.
        code: &'static str,
        /// What conflicts, for people.
        message: String,
    },
    /// The body is larger than the configured limit (413).
    #[error("request body is too large (the limit is {limit} bytes)")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is not of a media type this endpoint reads (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// An HTTP signature or digest that does not verify (401).
    #[error("signature rejected: {0}")]
    Signature(String),
    /// A federated request or document we will not act on (400).
    #[error("{message}")]
    Rejected {
        /// Stable code, e.g. `invalid_activity` or `fetch_failed`.
        code: &'static str,
        /// Why, for people.
        message: String,
    },
    /// A rate limit was reached (429, with `Retry-After`).
    #[error("too many requests: {what}; try again in {retry_after} s")]
    TooManyRequests {
        /// What was limited, for people.
        what: &'static str,
        /// Seconds until the limit's window ends.
        retry_after: u64,
    },
    /// Another server could not be reached or answered badly; worth retrying (502).
    #[error("upstream unavailable: {0}")]
    Upstream(String),
    /// A database failure (500, logged).
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// Any other failure on our side (500, logged).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid_input`, `bad_request`, `unauthenticated`,
    /// `bad_credentials`, `forbidden`, `registration_closed`, `pending_approval`, `banned`,
    /// `not_found`, `no_route`, `method_not_allowed`, `name_taken`, `deleted`, `locked`,
    /// `not_removed`, `is_moderator`, `last_moderator`, `rate_limited`, `payload_too_large`,
    /// `unsupported_media_type`, `upstream_unavailable`, `internal`, `url_refused`,
    /// `fetch_failed`.
    pub error: &'static str,
    /// Explanation for people.
    pub message: String,
    /// The request field at fault, for `invalid_input`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A 400 naming `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A 403 with the generic `forbidden` code.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden {
            code: "forbidden",
            message: message.into(),
        }
    }

    /// A 409 with the given code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid { .. } | Self::BadRequest(_) | Self::Rejected { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::Unauthenticated | Self::BadCredentials | Self::Signature(_) => {
                StatusCode::UNAUTHORIZED
            }
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body this error is answered with; server errors say nothing of their cause.
    pub fn body(&self) -> ErrorBody {
        let (error, field) = match self {
            Self::Invalid { field, .. } => ("invalid_input", Some(field.clone())),
            Self::BadRequest(_) => ("bad_request", None),
            Self::Unauthenticated => ("unauthenticated", None),
            Self::BadCredentials => ("bad_credentials", None),
            Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Rejected { code, .. } => (*code, None),
            Self::Signature(_) => ("bad_signature", None),
            Self::Upstream(_) => ("upstream_unavailable", None),
            Self::TooManyRequests { .. } => ("rate_limited", None),
            Self::NotFound(_) => ("not_found", None),
            Self::PayloadTooLarge { .. } => ("payload_too_large", None),
            Self::UnsupportedMediaType(_) => ("unsupported_media_type", None),
            Self::Database(_) | Self::Internal(_) => ("internal", None),
        };
        let message = match self {
            Self::Invalid { message, .. } => message.clone(),
            Self::Database(_) | Self::Internal(_) => "something went wrong on our side".into(),
            other => other.to_string(),
        };
        ErrorBody {
            error,
            message,
            field,
        }
    }
}

impl Error {
    /// A 400 for a federated input we refuse.
    pub fn rejected(code: &'static str, message: impl Into<String>) -> Self {
        Self::Rejected {
            code,
            message: message.into(),
        }
    }
}

/// Whether a request failed because our resolver refused an internal address (the error is
/// the federation library's, boxed inside reqwest's).
fn resolves_internal(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(activitypub_federation::error::Error::ResolveInternalIpError(..)) =
            s.downcast_ref::<activitypub_federation::error::Error>()
        {
            return true;
        }
        source = s.source();
    }
    false
}

impl From<activitypub_federation::error::Error> for Error {
    fn from(e: activitypub_federation::error::Error) -> Self {
        use activitypub_federation::error::Error as F;
        match e {
            F::ActivitySignatureInvalid | F::ActivityBodyDigestInvalid => {
                Self::Signature(e.to_string())
            }
            F::NotFound => Self::NotFound("object"),
            F::ParseReceivedActivity { .. } => Self::rejected("invalid_activity", e.to_string()),
            F::UrlVerificationError(_) | F::ResolveInternalIpError(..) => {
                Self::rejected("url_refused", e.to_string())
            }
            // A name that resolves to an internal address: refused for good, not retried.
            F::Reqwest(ref inner) if resolves_internal(inner) => {
                Self::rejected("url_refused", e.to_string())
            }
            F::ReqwestMiddleware(ref inner) if resolves_internal(inner) => {
                Self::rejected("url_refused", e.to_string())
            }
            // Transient: the sender should retry (a 4xx would make it drop the activity).
            F::DomainResolveError(_) | F::Reqwest(_) | F::ReqwestMiddleware(_) => {
                Self::Upstream(e.to_string())
            }
            F::ObjectDeleted(_) => Self::rejected("object_deleted", e.to_string()),
            F::RequestLimit => Self::rejected("fetch_limit", e.to_string()),
            F::SerializeOutgoingActivity(..) => Self::Internal(e.to_string()),
            other => Self::rejected("fetch_failed", other.to_string()),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (status, Json(self.body())).into_response();
        if let Self::TooManyRequests { retry_after, .. } = &self
            && let Ok(v) = axum::http::HeaderValue::from_str(&retry_after.to_string())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Internal(format!("I/O: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_do_not_leak() {
        let e = Error::Database(DbErr::Custom("relation secret_table missing".into()));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = e.body();
        assert_eq!(body.error, "internal");
        assert!(!body.message.contains("secret_table"));
    }

    #[test]
    fn invalid_names_the_field() {
        let body = Error::invalid("title", "must not be empty").body();
        assert_eq!(body.error, "invalid_input");
        assert_eq!(body.field.as_deref(), Some("title"));
        assert_eq!(body.message, "must not be empty");
    }
}
