//! Browser sessions and CSRF protection.
//!
//! A signed-in browser holds the same kind of session token as an API client (a row in
//! `sessions`, only its SHA-256 stored), in an `HttpOnly`, `SameSite=Lax` cookie that is
//! `Secure` when the instance is served over https. A visitor gets an anonymous cookie with
//! a random value, so that the sign-up and log-in forms are protected too.
//!
//! Every form carries a CSRF token: SHA-256 of a fixed label and the browser's secret (the
//! session token, or the anonymous value). Another site can neither read the cookie nor
//! compute the token, and a token stops working when the session ends. Nothing extra is
//! stored, so several processes agree on it.

use crate::error::Code;
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::render::{PageError, see_other};
use crate::{
    domain::{
        accounts::{self, CurrentUser, SESSION_DAYS},
        hex, random_hex,
    },
    error::Error,
    http::AppState,
};

/// The cookie holding a signed-in browser's session token.
pub const SESSION_COOKIE: &str = "cohort_session";
/// The cookie holding a visitor's anonymous secret (for CSRF tokens before signing in).
pub const ANON_COOKIE: &str = "cohort_anon";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 256 && v.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, the whole site, `Secure` over https.
pub fn set_cookie(secure: bool, name: &str, value: &str, max_age_seconds: i64) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    );
    // Names and values are ASCII alphanumerics (see `cookie`), so this cannot fail.
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The cookie that signs a browser in.
pub fn session_cookie(secure: bool, token: &str) -> HeaderValue {
    set_cookie(secure, SESSION_COOKIE, token, SESSION_DAYS * 24 * 3600)
}

/// The cookie that signs a browser out.
pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    set_cookie(secure, SESSION_COOKIE, "x", 0)
}

/// Whether cookies get `Secure`: when the instance is served over https, except on a
/// loopback domain (`localhost:8080`, the default), where a newcomer opens plain http.
pub fn secure_cookies(instance: &crate::domain::Instance) -> bool {
    let host = instance
        .domain
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(instance.domain.as_str(), |(h, _)| h);
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    instance.scheme == "https" && !loopback
}

/// The CSRF token for a browser secret.
pub fn csrf_token(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"cohort csrf v1\0");
    h.update(secret.as_bytes());
    hex(&h.finalize())
}

/// Equal in constant time (for tokens of equal length).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Gives a browser that has neither cookie an anonymous secret: added to the request (so
/// the page rendered now carries a token that will verify) and set on an HTML response.
pub async fn ensure_secret(
    axum::extract::State(s): axum::extract::State<AppState>,
    mut req: Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = req.headers();
    // Only pages (GET) show forms; nothing is added to API calls or inbox deliveries.
    let is_get = req.method() == axum::http::Method::GET;
    let fresh = (is_get
        && cookie(headers, SESSION_COOKIE).is_none()
        && cookie(headers, ANON_COOKIE).is_none())
    .then(|| random_hex(32));
    if let Some(v) = &fresh
        && let Ok(h) = HeaderValue::from_str(&format!("{ANON_COOKIE}={v}"))
    {
        req.headers_mut().append(header::COOKIE, h);
    }
    // Error pages have no viewer: they are written in the browser's language (or the
    // instance's), until a session names the person's own.
    let lang = crate::i18n::negotiate(
        None,
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
        &s.ctx.instance.language,
    );
    let mut response = super::render::with_page_lang(lang, next.run(req)).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if let Some(v) = fresh
        && is_html
    {
        let secure = secure_cookies(&s.ctx.instance);
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(secure, ANON_COOKIE, &v, 365 * 24 * 3600),
        );
    }
    response
}

/// Who is looking at a page: the signed-in person (if any) and the CSRF token their forms
/// must carry.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The signed-in person.
    pub user: Option<CurrentUser>,
    /// The token every form must send back as `csrf`.
    pub csrf: String,
    /// The session token from the cookie (for signing out).
    pub session_token: Option<String>,
    /// The path and query of this request (where to come back to after signing in).
    pub here: String,
    /// The language pages are shown in (`crate::i18n::negotiate`).
    pub lang: &'static str,
    /// The single sign-on providers as `(id, name)`, for the log-in buttons.
    pub sso: Vec<(String, String)>,
    /// Whether password sign-in and sign-up are on.
    pub password_login: bool,
}

impl Viewer {
    /// Reads the cookies of a request. An expired or unknown session is a visitor.
    pub async fn from_headers(
        state: &AppState,
        headers: &HeaderMap,
        here: &str,
    ) -> Result<Self, Error> {
        let session = cookie(headers, SESSION_COOKIE);
        let user = match &session {
            Some(token) => match accounts::authenticate(&state.ctx, token).await {
                Ok(u) => Some(u),
                Err(Error::Unauthenticated) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        // Without a secret there is no token: no form can be sent (a token of the empty
        // secret would be the same for everyone, and forgeable).
        let csrf = session
            .clone()
            .or_else(|| cookie(headers, ANON_COOKIE))
            .map(|secret| csrf_token(&secret))
            .unwrap_or_default();
        let lang = crate::i18n::negotiate(
            user.as_ref().and_then(|u| u.language.as_deref()),
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
            &state.ctx.instance.language,
        );
        super::render::set_page_lang(lang);
        Ok(Self {
            user,
            csrf,
            session_token: session,
            here: here.to_string(),
            lang,
            sso: state.ctx.sso.buttons(),
            password_login: state.ctx.instance.password_login,
        })
    }

    /// The signed-in person, or a redirect to the log-in page that comes back here.
    pub fn require(&self) -> Result<&CurrentUser, PageError> {
        self.user
            .as_ref()
            .ok_or_else(|| PageError::Redirect(format!("/login?next={}", urlencode(&self.here))))
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let here = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_string(), |p| p.as_str().to_string());
        Ok(Self::from_headers(state, &parts.headers, &here).await?)
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A local path to go to next: only `/something` on this site (never `//host` or a URL).
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.chars().any(|c| c.is_control()) =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

/// A submitted form whose CSRF token matched, with who submitted it.
pub struct WebForm<T> {
    /// Who submitted it.
    pub viewer: Viewer,
    /// The fields.
    pub data: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for WebForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let form_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !form_type {
            return Err(Error::UnsupportedMediaType("send the form as a web form".into()).into());
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| Error::PayloadTooLarge {
                limit: state.body_limit,
            })?;
        let sent = url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if viewer.csrf.is_empty() || !same(&sent, &viewer.csrf) {
            return Err(Error::Refused {
                code: Code::Csrf,
                message: "this form has expired or did not come from this site; go back, reload the page and try again".into(),
            }
            .into());
        }
        let data = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| Error::BadRequest(format!("the form is incomplete: {e}")))?;
        Ok(Self { viewer, data })
    }
}

/// A submitted form that may carry a file (`multipart/form-data`, as a form with a file
/// input sends it; a plain web form is read too), with who submitted it. Its route has no
/// default body limit: the text is held to `http.body_limit` and the file to
/// `media.max_upload_bytes` while they are read.
pub struct WebUpload<T> {
    /// Who submitted it.
    pub viewer: Viewer,
    /// The text fields.
    pub data: T,
    /// The file, when one was chosen.
    pub file: Option<crate::usecases::media::Upload>,
}

impl<T: DeserializeOwned> FromRequest<AppState> for WebUpload<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, state.body_limit)
                .await
                .map_err(|_| Error::PayloadTooLarge {
                    limit: state.body_limit,
                })?;
            let req = Request::from_parts(parts, axum::body::Body::from(bytes));
            let WebForm { viewer, data } = WebForm::<T>::from_request(req, state).await?;
            return Ok(Self {
                viewer,
                data,
                file: None,
            });
        }
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let form = axum::extract::Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| Error::BadRequest(e.body_text()))?;
        // Only a signed-in person's file is read (and spooled); anyone else's form is refused
        // at its file, before its bytes are taken.
        let media = state.ctx.media()?;
        let uploader = viewer.user.as_ref().map(|u| (media, u.person.id));
        let (file, fields) = crate::http::api::media::read_form(form, uploader).await?;
        let sent = fields
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        if viewer.csrf.is_empty() || !same(sent, &viewer.csrf) {
            return Err(Error::Refused {
                code: Code::Csrf,
                message: "this form has expired or did not come from this site; go back, reload the page and try again".into(),
            }
            .into());
        }
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter())
            .finish();
        let data = serde_urlencoded::from_str(&encoded)
            .map_err(|e| Error::BadRequest(format!("the form is incomplete: {e}")))?;
        Ok(Self { viewer, data, file })
    }
}

/// Query parameters of a page; malformed ones are an HTML error page (400).
pub struct WebQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for WebQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, PageError> {
        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map(WebQuery)
            .map_err(|_| Error::BadRequest("the address has a malformed query".into()).into())
    }
}

/// A path parameter of a page; a malformed one (`/posts/abc/edit`) is an HTML 404.
pub struct WebPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for WebPath<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| WebPath(v))
            .map_err(|_| Error::NotFound("page").into())
    }
}

/// After a form: go to `path` (303, so the browser follows with GET).
pub fn done(path: &str) -> Response {
    see_other(path).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies_and_refuses_odd_values() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; cohort_session=abc123 ; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc123"));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("cohort_session=a\"b"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), None);
    }

    #[test]
    fn tokens_depend_on_the_secret() {
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert_eq!(csrf_token("a"), csrf_token("a"));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/g/rust?sort=new")), "/g/rust?sort=new");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "evil",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn cookies_are_http_only_and_lax() {
        let c = session_cookie(true, "t0k");
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("Secure"));
        assert!(
            !clear_session_cookie(false)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }
}
