//! Sign up, log in, log out, account settings.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use minijinja::context;
use serde::Deserialize;

use super::{
    render::{PageResult, page, tr},
    session::{Viewer, WebForm, WebQuery, clear_session_cookie, done, local_path, session_cookie},
};
use crate::{
    config::RegistrationMode,
    domain::{
        accounts,
        limits::{self, Limit},
    },
    error::Error,
    http::{AppState, extract::ClientAddress},
};

/// A field error (or a form-wide one) as the templates show it.
/// In the page's language (see [`super::render::shown_error`]).
pub fn form_error(e: &Error) -> minijinja::Value {
    super::render::shown_error(super::render::page_lang_now(), e)
}

/// Whether an error is the person's to fix (shown on the form) rather than a failure.
pub fn is_user_error(e: &Error) -> bool {
    e.status().is_client_error() && !matches!(e, Error::TooManyRequests { .. })
}

fn mode_name(m: RegistrationMode) -> &'static str {
    match m {
        RegistrationMode::Open => "open",
        RegistrationMode::Approval => "approval",
        RegistrationMode::Invite => "invite",
        RegistrationMode::Closed => "closed",
    }
}

#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub(super) struct SignupForm {
    #[serde(default)]
    username: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    application: Option<String>,
    #[serde(default)]
    invite: Option<String>,
}

fn signup_page(
    s: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    form: &SignupForm,
    error: Option<&Error>,
) -> PageResult {
    let i = &s.ctx.instance;
    page(
        &i.domain,
        viewer,
        status,
        "signup.html",
        context! {
            mode => mode_name(i.registration),
            question => i.registration_question,
            needs_email => !i.email_domains.is_empty(),
            email_domains => i.email_domains.join(", "),
            form => form,
            error => error.map(form_error),
        },
    )
}

pub(super) async fn signup_form(State(s): State<AppState>, viewer: Viewer) -> PageResult {
    if viewer.user.is_some() {
        return Ok(done("/"));
    }
    if !s.ctx.instance.password_login {
        // Accounts are made by signing in through the identity provider.
        return Ok(done("/login"));
    }
    signup_page(&s, &viewer, StatusCode::OK, &SignupForm::default(), None)
}

pub(super) async fn signup(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    WebForm { viewer, data }: WebForm<SignupForm>,
) -> PageResult {
    limits::check(&s.ctx, Limit::Signup, &from).await?;
    let blank = |o: &Option<String>| o.clone().filter(|v| !v.trim().is_empty());
    let input = accounts::NewAccount {
        username: data.username.trim().to_string(),
        password: data.password.clone(),
        email: blank(&data.email),
        application: blank(&data.application),
        invite: blank(&data.invite),
    };
    let registered = accounts::register(&s.ctx, input).await;
    if registered.is_ok() {
        // A confirmation mail may be queued: send it now rather than at the next poll.
        s.ctx.delivery_wake.notify_waiters();
    }
    match registered {
        Ok((_, true)) => page(
            &s.ctx.instance.domain,
            &viewer,
            StatusCode::OK,
            "login.html",
            context! {
                notice => tr(viewer.lang, "signup-approval-notice"),
                next => "/",
                username => data.username.trim(),
            },
        ),
        Ok((_, false)) if s.ctx.instance.verify_email => {
            let email = blank(&data.email).unwrap_or_default();
            let notice = super::charts::msg(viewer.lang, "verify-sent", &[("email", &email)]);
            page(
                &s.ctx.instance.domain,
                &viewer,
                StatusCode::OK,
                "login.html",
                context! { notice => notice, next => "/", username => data.username.trim() },
            )
        }
        Ok((_, false)) => {
            // Signed up: sign in at once.
            let token = accounts::login(
                &s.ctx,
                accounts::Credentials {
                    username: data.username.trim().to_string(),
                    password: data.password,
                },
            )
            .await?;
            Ok(signed_in(&s, &token, "/groups"))
        }
        Err(e) if is_user_error(&e) => signup_page(&s, &viewer, e.status(), &data, Some(&e)),
        Err(e) => Err(e.into()),
    }
}

fn signed_in(s: &AppState, token: &str, next: &str) -> Response {
    let mut r = done(next);
    r.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(super::session::secure_cookies(&s.ctx.instance), token),
    );
    r
}

#[derive(Debug, Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

pub(super) async fn login_form(
    State(s): State<AppState>,
    viewer: Viewer,
    WebQuery(q): WebQuery<NextQuery>,
) -> PageResult {
    let next = local_path(q.next.as_deref());
    if viewer.user.is_some() {
        return Ok(done(&next));
    }
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "login.html",
        context! { next => next },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub(super) async fn login(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    WebForm { viewer, data }: WebForm<LoginForm>,
) -> PageResult {
    limits::check(&s.ctx, Limit::Login, &from).await?;
    let next = local_path(data.next.as_deref());
    let username = data.username.trim().to_ascii_lowercase();
    match accounts::login(
        &s.ctx,
        accounts::Credentials {
            username: username.clone(),
            password: data.password,
        },
    )
    .await
    {
        Ok(token) => Ok(signed_in(&s, &token, &next)),
        Err(e) if is_user_error(&e) => page(
            &s.ctx.instance.domain,
            &viewer,
            e.status(),
            "login.html",
            context! { next => next, username => username, error => form_error(&e) },
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct Empty {}

pub(super) async fn logout(
    State(s): State<AppState>,
    WebForm { viewer, .. }: WebForm<Empty>,
) -> PageResult {
    if let Some(token) = &viewer.session_token {
        accounts::logout(&s.ctx, token).await?;
    }
    let mut r = done("/");
    r.headers_mut().append(
        header::SET_COOKIE,
        clear_session_cookie(super::session::secure_cookies(&s.ctx.instance)),
    );
    // Whatever this browser cached of the site goes with the session (the service worker
    // keeps no page, but the HTTP cache might).
    r.headers_mut().insert(
        header::HeaderName::from_static("clear-site-data"),
        header::HeaderValue::from_static("\"cache\""),
    );
    Ok(r)
}

/// The settings page showing `e` at the form it belongs to.
pub(super) async fn settings_error(s: &AppState, viewer: &Viewer, e: &Error) -> PageResult {
    settings_page(s, viewer, e.status(), None, Some(e)).await
}

/// The settings page; `notice` is the catalogue key of a sentence shown at its top.
pub(super) async fn settings_page(
    s: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&Error>,
) -> PageResult {
    let user = viewer.require()?;
    let mail = crate::domain::mail::settings(&s.ctx, user).await?;
    let languages: Vec<minijinja::Value> = crate::i18n::LANGUAGES
        .iter()
        .map(|l| context! { code => l.code, name => l.name })
        .collect();
    page(
        &s.ctx.instance.domain,
        viewer,
        status,
        "settings.html",
        context! {
            created_at => user.person.created_at.to_rfc3339(),
            display_name => user.person.display_name,
            avatar => crate::domain::media::avatar_path(&user.person),
            language => user.language,
            languages => languages,
            mail => mail,
            notice => notice.map(|key| tr(viewer.lang, key)),
            error => error.map(form_error),
        },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct NoticeQuery {
    changed: Option<String>,
    saved: Option<String>,
}

pub(super) async fn settings(
    State(s): State<AppState>,
    viewer: Viewer,
    WebQuery(q): WebQuery<NoticeQuery>,
) -> PageResult {
    let notice = if q.changed.is_some() {
        Some("settings-password-changed")
    } else if q.saved.is_some() {
        Some("settings-saved")
    } else {
        None
    };
    settings_page(&s, &viewer, StatusCode::OK, notice, None).await
}

#[derive(Debug, Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
}

/// Changes the password: the current one must be right (checked as a log-in is), then every
/// session ends (`reset_password`) and this browser gets a fresh one.
pub(super) async fn change_password(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    WebForm { viewer, data }: WebForm<PasswordForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    limits::check(&s.ctx, Limit::Login, &from).await?;
    let check = accounts::login(
        &s.ctx,
        accounts::Credentials {
            username: user.person.username.clone(),
            password: data.current,
        },
    )
    .await;
    let probe = match check {
        Ok(t) => t,
        Err(Error::BadCredentials) => {
            let e = Error::invalid("current", "the current password is not right");
            return settings_page(&s, &viewer, StatusCode::BAD_REQUEST, None, Some(&e)).await;
        }
        Err(e) => return Err(e.into()),
    };
    accounts::logout(&s.ctx, &probe).await?;
    if let Err(e) =
        accounts::reset_password(&s.ctx, &user.person.username, &data.new_password).await
    {
        if is_user_error(&e) {
            return settings_page(&s, &viewer, e.status(), None, Some(&e)).await;
        }
        return Err(e.into());
    }
    let token = accounts::login(
        &s.ctx,
        accounts::Credentials {
            username: user.person.username.clone(),
            password: data.new_password,
        },
    )
    .await?;
    Ok(signed_in(&s, &token, "/settings?changed=1").into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct ProfileForm {
    #[serde(default)]
    display_name: String,
}

pub(super) async fn save_profile(
    State(s): State<AppState>,
    WebForm { viewer, data }: WebForm<ProfileForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    match crate::domain::settings::set_display_name(&s.ctx, &user, &data.display_name).await {
        Ok(_) => Ok(done("/settings?saved=1")),
        Err(e) if is_user_error(&e) => settings_page(&s, &viewer, e.status(), None, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct LanguageForm {
    #[serde(default)]
    language: String,
}

/// Sets the interface language: one of [`crate::i18n::LANGUAGES`], or empty for whatever the
/// browser asks. The next page is in it (the setting is read with the session).
pub(super) async fn save_language(
    State(s): State<AppState>,
    WebForm { viewer, data }: WebForm<LanguageForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    if let Err(e) = crate::domain::settings::set_language(&s.ctx, &user, &data.language).await {
        if matches!(e, Error::Invalid { .. }) {
            return settings_page(&s, &viewer, e.status(), None, Some(&e)).await;
        }
        return Err(e.into());
    }
    Ok(done("/settings?saved=1"))
}
