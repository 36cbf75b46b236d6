//! "Log in with <provider>": the redirect to the provider, its callback, and the form where a
//! new person confirms their name. The rules are in `domain::sso`, the OpenID Connect side in
//! `crate::sso`.
//!
//! The `state` the provider returns must also be in this browser's `cohort_sso` cookie (set
//! with the redirect, `SameSite=Lax` so it comes back with the provider's top-level
//! redirect): a callback carried to someone else's browser (login CSRF) is refused.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::context;
use serde::Deserialize;

use super::{
    accounts::{form_error, is_user_error},
    render::{PageResult, page, tr},
    session::{
        Viewer, WebForm, WebPath, WebQuery, cookie, done, local_path, session_cookie, set_cookie,
    },
};
use crate::{
    domain::sso::{self, Joined, Outcome},
    error::{Code, Error},
    http::AppState,
};

/// The cookie binding a sign-in under way to this browser.
const SSO_COOKIE: &str = "cohort_sso";

fn secure(s: &AppState) -> bool {
    super::session::secure_cookies(&s.ctx.instance)
}

#[derive(Debug, Deserialize)]
pub(super) struct BeginQuery {
    next: Option<String>,
}

/// Sends the browser to the provider.
pub(super) async fn begin(
    State(s): State<AppState>,
    WebPath(id): WebPath<String>,
    WebQuery(q): WebQuery<BeginQuery>,
) -> PageResult {
    let next = local_path(q.next.as_deref());
    let (url, state) = s.ctx.sso.begin(&s.ctx, &id, &next).await?;
    let mut r = Redirect::to(&url).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            secure(&s),
            SSO_COOKIE,
            &state.replace(['-', '_'], ""),
            crate::sso::LOGIN_MINUTES * 60,
        ),
    );
    Ok(r)
}

#[derive(Debug, Deserialize)]
pub(super) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn refusal_page(s: &AppState, viewer: &Viewer, e: &Error) -> PageResult {
    page(
        &s.ctx.instance.domain,
        viewer,
        e.status(),
        "login.html",
        context! { next => "/", error => form_error(e) },
    )
}

fn with_session(s: &AppState, token: &str, next: &str) -> Response {
    let mut r = done(next);
    r.headers_mut()
        .append(header::SET_COOKIE, session_cookie(secure(s), token));
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(secure(s), SSO_COOKIE, "x", 0),
    );
    r
}

fn name_form(
    s: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    ticket: &str,
    proposed: &str,
    error: Option<&Error>,
) -> PageResult {
    let heading = tr(viewer.lang, "sso-name-heading");
    page(
        &s.ctx.instance.domain,
        viewer,
        status,
        "mail.html",
        context! {
            heading => heading,
            view => "sso-name",
            ticket => ticket,
            username => proposed,
            error => error.map(form_error),
        },
    )
}

/// The provider sends the browser back here with a code (or an error).
pub(super) async fn callback(
    State(s): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    WebPath(id): WebPath<String>,
    WebQuery(q): WebQuery<CallbackQuery>,
) -> PageResult {
    let result = async {
        if let Some(error) = &q.error {
            return Err(Error::refused(
                Code::SsoRefused,
                format!(
                    "the provider answered {error}: {}",
                    q.error_description.as_deref().unwrap_or("no reason given")
                ),
            ));
        }
        let (Some(code), Some(state)) = (q.code.as_deref(), q.state.as_deref()) else {
            return Err(Error::refused(
                Code::SsoRefused,
                "the provider's answer has no code or state",
            ));
        };
        let bound = cookie(&headers, SSO_COOKIE);
        if bound.as_deref() != Some(state.replace(['-', '_'], "").as_str()) {
            return Err(Error::refused(
                Code::SsoRefused,
                "this sign-in was not started in this browser: start again from the log-in page",
            ));
        }
        let verified = s.ctx.sso.finish(&s.ctx, &id, state, code).await?;
        let provider = s
            .ctx
            .sso
            .config(&id)
            .ok_or(Error::NotFound("sign-in provider"))?;
        sso::sign_in(&s.ctx, provider, verified).await
    }
    .await;
    match result {
        Ok(Outcome::SignedIn { token, next }) => Ok(with_session(&s, &token, &next)),
        Ok(Outcome::ChooseName { ticket, proposed }) => {
            let mut r = name_form(&s, &viewer, StatusCode::OK, &ticket, &proposed, None)?;
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(secure(&s), SSO_COOKIE, "x", 0),
            );
            Ok(r)
        }
        Err(e) if e.status().is_client_error() => refusal_page(&s, &viewer, &e),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct NameForm {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    username: String,
}

/// A new person confirms (or changes) the name proposed.
pub(super) async fn finish(
    State(s): State<AppState>,
    WebForm { viewer, data }: WebForm<NameForm>,
) -> PageResult {
    match sso::finish_signup(&s.ctx, &data.ticket, &data.username).await {
        Ok(Joined::SignedIn { token, next }) => Ok(with_session(&s, &token, &next)),
        Ok(Joined::Pending) => page(
            &s.ctx.instance.domain,
            &viewer,
            StatusCode::OK,
            "login.html",
            context! { notice => tr(viewer.lang, "signup-approval-notice"), next => "/" },
        ),
        Ok(Joined::Unconfirmed { email }) => {
            let notice = super::charts::msg(viewer.lang, "verify-sent", &[("email", &email)]);
            page(
                &s.ctx.instance.domain,
                &viewer,
                StatusCode::OK,
                "login.html",
                context! { notice => notice, next => "/" },
            )
        }
        Err(
            e @ Error::Refused {
                code: Code::SsoRefused,
                ..
            },
        ) => refusal_page(&s, &viewer, &e),
        Err(e) if is_user_error(&e) => name_form(
            &s,
            &viewer,
            e.status(),
            &data.ticket,
            &data.username,
            Some(&e),
        ),
        Err(e) => Err(e.into()),
    }
}
