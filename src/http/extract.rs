//! Extractors that answer bad requests with Cohort's JSON errors instead of axum's plain
//! text: JSON bodies, path and query parameters, and bearer authentication.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Path, Query, Request},
    http::{HeaderMap, StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;

use super::AppState;
use crate::{
    domain::accounts::{self, CurrentUser},
    error::Error,
};

/// A JSON request body, checked for media type and size, with the failing field named.
pub struct ApiJson<T>(pub T);

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| {
            let m = m.trim().to_ascii_lowercase();
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
        .unwrap_or(false)
}

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        if !is_json(req.headers()) {
            return Err(Error::UnsupportedMediaType(
                "send the body as application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge {
                    limit: state.body_limit,
                }
            } else {
                Error::BadRequest(format!("could not read the body: {e}"))
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Deserialises `bytes`, naming the field at fault when the JSON is well-formed but wrong.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            return Error::BadRequest(format!("the body is not valid JSON: {inner}"));
        }
        let message = inner.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        // serde reports a missing field at the parent's path; the name is in the message.
        let field = if path == "." {
            message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
                .unwrap_or("body")
                .to_string()
        } else {
            path
        };
        Error::invalid(field, message)
    })
}

/// A path parameter; a malformed one is a 400 naming `id`.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiPath<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|_| Error::invalid("id", "must be a whole number"))
    }
}

/// Query parameters; malformed ones are a 400.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| Error::BadRequest(e.body_text()))
    }
}

fn bearer(parts: &Parts) -> Result<Option<String>, Error> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| Error::Unauthenticated)?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(Error::Unauthenticated),
    }
}

/// The signed-in user; 401 without a valid bearer token.
pub struct Auth(pub CurrentUser);

impl FromRequestParts<AppState> for Auth {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = bearer(parts)?.ok_or(Error::Unauthenticated)?;
        accounts::authenticate(&state.ctx, &token).await.map(Auth)
    }
}

/// The signed-in user if a token was sent (a bad token is still a 401), else nobody.
pub struct MaybeAuth(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        match bearer(parts)? {
            None => Ok(MaybeAuth(None)),
            Some(token) => accounts::authenticate(&state.ctx, &token)
                .await
                .map(|u| MaybeAuth(Some(u))),
        }
    }
}

/// The raw bearer token of a signed-in request (for signing out).
pub struct BearerToken(pub String);

impl FromRequestParts<AppState> for BearerToken {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Error> {
        bearer(parts)?
            .map(BearerToken)
            .ok_or(Error::Unauthenticated)
    }
}

/// The client's address, for per-address rate limits: the last entry of the configured
/// proxy header (`limits.client_address_header`) when set and present, else the
/// connection's peer address.
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let name = &state.ctx.instance.limits.client_address_header;
        if !name.is_empty()
            && let Some(last) = parts
                .headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        {
            return Ok(Self(last.to_string()));
        }
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        Ok(Self(peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct T {
        title: String,
        n: i64,
    }

    #[test]
    fn names_missing_and_mistyped_fields() {
        match parse_json::<T>(br#"{"n": 1}"#) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "title"),
            other => panic!("{other:?}"),
        }
        match parse_json::<T>(br#"{"title": "x", "n": "one"}"#) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "n"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_json::<T>(b"{nope"),
            Err(Error::BadRequest(_))
        ));
        assert!(matches!(parse_json::<T>(b""), Err(Error::BadRequest(_))));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "[".repeat(100_000);
        assert!(parse_json::<serde_json::Value>(deep.as_bytes()).is_err());
    }
}
