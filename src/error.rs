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
    /// Refused for a reason with its own stable code (403, 409 or 400: the code's status).
    #[error("{message}")]
    Refused {
        /// The code, which decides the status.
        code: Code,
        /// Why, for people.
        message: String,
    },
    /// The thing does not exist, or the caller may not know it exists (404).
    #[error("{0} not found")]
    NotFound(&'static str),
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

/// The stable codes of refusals, each with the status it is answered with. A client reads
/// the code in the body's `error`; the other errors' codes (`invalid_input`, `not_found`,
/// `rate_limited` …) come from their own variants of [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Not allowed to do this.
    Forbidden,
    /// This instance takes no sign-ups.
    RegistrationClosed,
    /// The account waits for an administrator's approval.
    PendingApproval,
    /// The account's e-mail address is not confirmed yet (the instance requires it).
    EmailUnverified,
    /// This instance sends no e-mail, and what was asked needs it.
    MailUnavailable,
    /// A single sign-on that did not check out (a refused ID token, a replayed or expired
    /// sign-in, an address the provider may not vouch for), or password sign-in turned off.
    SsoRefused,
    /// The group is members-only and the caller is not an approved member.
    MembersOnly,
    /// The caller is banned from the group.
    Banned,
    /// This instance does not federate with that one.
    InstanceBlocked,
    /// This instance federates only with the instances it allows.
    InstanceNotAllowed,
    /// A form without its CSRF token, or with a stale one.
    Csrf,
    /// The name is taken.
    NameTaken,
    /// The post or reply was deleted.
    Deleted,
    /// The thread is locked.
    Locked,
    /// Nothing to restore: it was not removed.
    NotRemoved,
    /// The person moderates the group (and cannot be banned).
    IsModerator,
    /// A group keeps at least one moderator.
    LastModerator,
    /// The person named is banned from the group.
    IsBanned,
    /// The post is a discussion, not a question: it has no accepted answer.
    NotAQuestion,
    /// The reply is not in the question's thread.
    NotInThread,
    /// An edit made on an older revision than the page's newest.
    EditConflict,
    /// A federated activity this server will not act on.
    InvalidActivity,
    /// A remote actor document that does not check out.
    InvalidActor,
    /// A remote post or reply that does not check out.
    InvalidObject,
    /// Only public posts and replies enter a group.
    NotPublic,
    /// The remote object is gone.
    ObjectDeleted,
    /// A remote document of a kind this server does not show.
    UnsupportedObject,
    /// An address this server will not fetch (internal, or not allowed).
    UrlRefused,
    /// A remote document could not be fetched or read.
    FetchFailed,
    /// Reading one request would need more fetches from other servers than allowed.
    FetchLimit,
    /// An uploaded file that is not taken (not a picture or allowed document, too many
    /// pixels, animated, unreadable).
    MediaRefused,
    /// The upload would go over the person's or the instance's quota.
    QuotaExceeded,
}

impl Code {
    /// Every code, for the documentation and its test.
    pub const ALL: &'static [Code] = &[
        Code::Forbidden,
        Code::RegistrationClosed,
        Code::PendingApproval,
        Code::EmailUnverified,
        Code::MailUnavailable,
        Code::SsoRefused,
        Code::MembersOnly,
        Code::Banned,
        Code::InstanceBlocked,
        Code::InstanceNotAllowed,
        Code::Csrf,
        Code::NameTaken,
        Code::Deleted,
        Code::Locked,
        Code::NotRemoved,
        Code::IsModerator,
        Code::LastModerator,
        Code::IsBanned,
        Code::NotAQuestion,
        Code::NotInThread,
        Code::EditConflict,
        Code::InvalidActivity,
        Code::InvalidActor,
        Code::InvalidObject,
        Code::NotPublic,
        Code::ObjectDeleted,
        Code::UnsupportedObject,
        Code::UrlRefused,
        Code::FetchFailed,
        Code::FetchLimit,
        Code::MediaRefused,
        Code::QuotaExceeded,
    ];

    /// The code as clients read it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Forbidden => "forbidden",
            Self::RegistrationClosed => "registration_closed",
            Self::PendingApproval => "pending_approval",
            Self::EmailUnverified => "email_unverified",
            Self::MailUnavailable => "mail_unavailable",
            Self::SsoRefused => "sso_refused",
            Self::MembersOnly => "members_only",
            Self::Banned => "banned",
            Self::InstanceBlocked => "instance_blocked",
            Self::InstanceNotAllowed => "instance_not_allowed",
            Self::Csrf => "csrf",
            Self::NameTaken => "name_taken",
            Self::Deleted => "deleted",
            Self::Locked => "locked",
            Self::NotRemoved => "not_removed",
            Self::IsModerator => "is_moderator",
            Self::LastModerator => "last_moderator",
            Self::IsBanned => "is_banned",
            Self::NotAQuestion => "not_a_question",
            Self::NotInThread => "not_in_thread",
            Self::EditConflict => "edit_conflict",
            Self::InvalidActivity => "invalid_activity",
            Self::InvalidActor => "invalid_actor",
            Self::InvalidObject => "invalid_object",
            Self::NotPublic => "not_public",
            Self::ObjectDeleted => "object_deleted",
            Self::UnsupportedObject => "unsupported_object",
            Self::UrlRefused => "url_refused",
            Self::FetchFailed => "fetch_failed",
            Self::FetchLimit => "fetch_limit",
            Self::MediaRefused => "media_refused",
            Self::QuotaExceeded => "quota_exceeded",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::RegistrationClosed => StatusCode::FORBIDDEN,
            Self::PendingApproval => StatusCode::FORBIDDEN,
            Self::EmailUnverified => StatusCode::FORBIDDEN,
            Self::MailUnavailable => StatusCode::CONFLICT,
            Self::SsoRefused => StatusCode::FORBIDDEN,
            Self::MembersOnly => StatusCode::FORBIDDEN,
            Self::Banned => StatusCode::FORBIDDEN,
            Self::InstanceBlocked => StatusCode::FORBIDDEN,
            Self::InstanceNotAllowed => StatusCode::FORBIDDEN,
            Self::Csrf => StatusCode::FORBIDDEN,
            Self::NameTaken => StatusCode::CONFLICT,
            Self::Deleted => StatusCode::CONFLICT,
            Self::Locked => StatusCode::CONFLICT,
            Self::NotRemoved => StatusCode::CONFLICT,
            Self::IsModerator => StatusCode::CONFLICT,
            Self::LastModerator => StatusCode::CONFLICT,
            Self::IsBanned => StatusCode::CONFLICT,
            Self::NotAQuestion => StatusCode::CONFLICT,
            Self::NotInThread => StatusCode::CONFLICT,
            Self::EditConflict => StatusCode::CONFLICT,
            Self::InvalidActivity => StatusCode::BAD_REQUEST,
            Self::InvalidActor => StatusCode::BAD_REQUEST,
            Self::InvalidObject => StatusCode::BAD_REQUEST,
            Self::NotPublic => StatusCode::BAD_REQUEST,
            Self::ObjectDeleted => StatusCode::BAD_REQUEST,
            Self::UnsupportedObject => StatusCode::BAD_REQUEST,
            Self::UrlRefused => StatusCode::BAD_REQUEST,
            Self::FetchFailed => StatusCode::BAD_REQUEST,
            Self::FetchLimit => StatusCode::BAD_REQUEST,
            Self::MediaRefused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::QuotaExceeded => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// Stable machine-readable code: `invalid_input` (with `field`), `bad_request`,
    /// `unauthenticated`, `bad_credentials`, `bad_signature`, `not_found`, `no_route`,
    /// `method_not_allowed`, `payload_too_large`, `unsupported_media_type`, `rate_limited`,
    /// `upstream_unavailable`, `internal`; and the refusals, whose status each code fixes:
    /// 403 `forbidden`, `registration_closed`, `pending_approval`, `email_unverified`, `sso_refused`, `members_only`, `banned`,
    /// `instance_blocked`, `instance_not_allowed`, `csrf`; 409 `name_taken`, `deleted`,
    /// `locked`, `not_removed`, `is_moderator`, `last_moderator`, `is_banned`, `not_a_question`,
    /// `not_in_thread`, `edit_conflict`, `mail_unavailable` (this instance sends no e-mail); 400 (a federated input refused) `invalid_activity`, `invalid_actor`,
    /// `invalid_object`, `not_public`, `object_deleted`, `unsupported_object`, `url_refused`,
    /// `fetch_failed`, `fetch_limit`; 413 `quota_exceeded` (an upload over the person's or
    /// the instance's quota); 422 `media_refused` (an upload that is not taken).
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
        Self::refused(Code::Forbidden, message)
    }

    /// A refusal with `code` (its status is the code's).
    pub fn refused(code: Code, message: impl Into<String>) -> Self {
        Self::Refused {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid { .. } | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Refused { code, .. } => code.status(),
            Self::Unauthenticated | Self::BadCredentials | Self::Signature(_) => {
                StatusCode::UNAUTHORIZED
            }
            Self::NotFound(_) => StatusCode::NOT_FOUND,
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
            Self::Refused { code, .. } => (code.as_str(), None),
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
            F::ParseReceivedActivity { .. } => Self::refused(Code::InvalidActivity, e.to_string()),
            F::UrlVerificationError(_) | F::ResolveInternalIpError(..) => {
                Self::refused(Code::UrlRefused, e.to_string())
            }
            // A name that resolves to an internal address: refused for good, not retried.
            F::Reqwest(ref inner) if resolves_internal(inner) => {
                Self::refused(Code::UrlRefused, e.to_string())
            }
            F::ReqwestMiddleware(ref inner) if resolves_internal(inner) => {
                Self::refused(Code::UrlRefused, e.to_string())
            }
            // Transient: the sender should retry (a 4xx would make it drop the activity).
            F::DomainResolveError(_) | F::Reqwest(_) | F::ReqwestMiddleware(_) => {
                Self::Upstream(e.to_string())
            }
            F::ObjectDeleted(_) => Self::refused(Code::ObjectDeleted, e.to_string()),
            F::RequestLimit => Self::refused(Code::FetchLimit, e.to_string()),
            F::SerializeOutgoingActivity(..) => Self::Internal(e.to_string()),
            other => Self::refused(Code::FetchFailed, other.to_string()),
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
