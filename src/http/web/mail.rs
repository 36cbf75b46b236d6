//! The pages mailed links open: forgot password, reset password, confirm an address, stop a
//! kind of mail (RFC 8058 one-click, no sign-in), and the settings' mail form.

use axum::{extract::State, http::StatusCode};
use minijinja::context;
use serde::Deserialize;

use super::{
    accounts::{form_error, is_user_error},
    render::{PageResult, page, tr},
    session::{Viewer, WebForm, WebPath, WebQuery, done},
};
use crate::{
    domain::{
        limits::{self, Limit},
        mail::{self, List, MailSettingsInput, NoticeMode, RESET_MINUTES},
    },
    error::{Code, Error},
    http::{AppState, extract::ClientAddress},
};

/// `mail.html` with `heading` (a catalogue key) and the rest of `ctx`.
fn mail_page(
    s: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    heading: &str,
    ctx: minijinja::Value,
) -> PageResult {
    let heading = tr(viewer.lang, heading);
    page(
        &s.ctx.instance.domain,
        viewer,
        status,
        "mail.html",
        context! { heading => heading, ..ctx },
    )
}

fn link(viewer: &Viewer, href: &str, key: &str) -> minijinja::Value {
    context! { href => href, label => tr(viewer.lang, key) }
}

pub(super) async fn forgot_form(State(s): State<AppState>, viewer: Viewer) -> PageResult {
    if !s.ctx.instance.mail {
        return mail_page(
            &s,
            &viewer,
            StatusCode::OK,
            "forgot-heading",
            context! { notice => tr(viewer.lang, "forgot-no-mail") },
        );
    }
    mail_page(
        &s,
        &viewer,
        StatusCode::OK,
        "forgot-heading",
        context! { view => "forgot" },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ForgotForm {
    #[serde(default)]
    login: String,
}

pub(super) async fn forgot(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    WebForm { viewer, data }: WebForm<ForgotForm>,
) -> PageResult {
    limits::check(&s.ctx, Limit::Login, &from).await?;
    match mail::request_reset(&s.ctx, &data.login).await {
        Ok(()) => {
            s.ctx.delivery_wake.notify_waiters();
            let minutes = RESET_MINUTES.to_string();
            let notice = super::charts::msg(viewer.lang, "forgot-sent", &[("minutes", &minutes)]);
            mail_page(
                &s,
                &viewer,
                StatusCode::OK,
                "forgot-heading",
                context! { notice => notice },
            )
        }
        Err(Error::Refused {
            code: Code::MailUnavailable,
            ..
        }) => mail_page(
            &s,
            &viewer,
            StatusCode::CONFLICT,
            "forgot-heading",
            context! { notice => tr(viewer.lang, "forgot-no-mail") },
        ),
        Err(e) if is_user_error(&e) => mail_page(
            &s,
            &viewer,
            e.status(),
            "forgot-heading",
            context! { view => "forgot", login => data.login, error => form_error(&e) },
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub(super) async fn reset_form(
    State(s): State<AppState>,
    viewer: Viewer,
    WebQuery(q): WebQuery<TokenQuery>,
) -> PageResult {
    mail_page(
        &s,
        &viewer,
        StatusCode::OK,
        "reset-heading",
        context! { view => "reset", token => q.token },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

pub(super) async fn reset(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    WebForm { viewer, data }: WebForm<ResetForm>,
) -> PageResult {
    limits::check(&s.ctx, Limit::Login, &from).await?;
    match mail::reset(&s.ctx, &data.token, &data.password).await {
        Ok(()) => page(
            &s.ctx.instance.domain,
            &viewer,
            StatusCode::OK,
            "login.html",
            context! { notice => tr(viewer.lang, "reset-done"), next => "/" },
        ),
        Err(Error::Invalid { field, .. }) if field == "token" => mail_page(
            &s,
            &viewer,
            StatusCode::BAD_REQUEST,
            "reset-heading",
            context! {
                notice => tr(viewer.lang, "reset-invalid"),
                link => link(&viewer, "/password/forgot", "forgot-heading"),
            },
        ),
        Err(e) if is_user_error(&e) => mail_page(
            &s,
            &viewer,
            e.status(),
            "reset-heading",
            context! { view => "reset", token => data.token, error => form_error(&e) },
        ),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn verify(
    State(s): State<AppState>,
    viewer: Viewer,
    WebQuery(q): WebQuery<TokenQuery>,
) -> PageResult {
    match mail::verify(&s.ctx, &q.token).await {
        Ok(email) => {
            let notice = super::charts::msg(viewer.lang, "verify-done", &[("email", &email)]);
            mail_page(
                &s,
                &viewer,
                StatusCode::OK,
                "verify-heading",
                context! { notice => notice, link => link(&viewer, "/login", "nav-login") },
            )
        }
        Err(e) if is_user_error(&e) => mail_page(
            &s,
            &viewer,
            StatusCode::BAD_REQUEST,
            "verify-heading",
            context! { notice => tr(viewer.lang, "verify-invalid"), view => "resend" },
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ResendForm {
    #[serde(default)]
    username: String,
}

pub(super) async fn resend(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    WebForm { viewer, data }: WebForm<ResendForm>,
) -> PageResult {
    limits::check(&s.ctx, Limit::Login, &from).await?;
    mail::resend_verification(&s.ctx, &data.username).await?;
    s.ctx.delivery_wake.notify_waiters();
    mail_page(
        &s,
        &viewer,
        StatusCode::OK,
        "verify-heading",
        context! { notice => tr(viewer.lang, "verify-resent"), link => link(&viewer, "/login", "nav-login") },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    list: Option<String>,
}

fn list_of(q: &ListQuery) -> List {
    match q.list.as_deref() {
        Some("digest") => List::Digest,
        _ => List::Notices,
    }
}

pub(super) async fn unsubscribe_form(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(key): WebPath<String>,
    WebQuery(q): WebQuery<ListQuery>,
) -> PageResult {
    let list = list_of(&q);
    match mail::unsubscribe_target(&s.ctx, &key).await {
        Ok(username) => {
            let question_key = match list {
                List::Notices => "unsubscribe-notices",
                List::Digest => "unsubscribe-digest",
            };
            let question =
                super::charts::msg(viewer.lang, question_key, &[("username", &username)]);
            mail_page(
                &s,
                &viewer,
                StatusCode::OK,
                "unsubscribe-heading",
                context! { view => "unsubscribe", question => question, key => key, list => list.as_str() },
            )
        }
        Err(Error::NotFound(_)) => mail_page(
            &s,
            &viewer,
            StatusCode::NOT_FOUND,
            "unsubscribe-heading",
            context! { notice => tr(viewer.lang, "unsubscribe-invalid") },
        ),
        Err(e) => Err(e.into()),
    }
}

/// RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the link; the person's
/// own click on the confirmation page POSTs the same. The key in the link is the only
/// credential (no session, no CSRF token: nothing else can be done with it).
pub(super) async fn unsubscribe(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(key): WebPath<String>,
    WebQuery(q): WebQuery<ListQuery>,
) -> PageResult {
    match mail::unsubscribe(&s.ctx, &key, list_of(&q)).await {
        Ok(username) => {
            let notice =
                super::charts::msg(viewer.lang, "unsubscribe-done", &[("username", &username)]);
            mail_page(
                &s,
                &viewer,
                StatusCode::OK,
                "unsubscribe-heading",
                context! { notice => notice },
            )
        }
        Err(Error::NotFound(_)) => mail_page(
            &s,
            &viewer,
            StatusCode::NOT_FOUND,
            "unsubscribe-heading",
            context! { notice => tr(viewer.lang, "unsubscribe-invalid") },
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct MailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    notices: String,
    #[serde(default)]
    digest: Option<String>,
}

/// The settings' mail form: the address, how notices come, the digest.
pub(super) async fn save_settings(
    State(s): State<AppState>,
    WebForm { viewer, data }: WebForm<MailForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let input = MailSettingsInput {
        email: Some(data.email),
        notices: Some(match data.notices.as_str() {
            "daily" => NoticeMode::Daily,
            "never" => NoticeMode::Never,
            _ => NoticeMode::Immediately,
        }),
        digest: Some(data.digest.is_some()),
    };
    match mail::save_settings(&s.ctx, &user, input).await {
        Ok(_) => {
            s.ctx.delivery_wake.notify_waiters();
            Ok(done("/settings?saved=1#mail-h"))
        }
        Err(e) if is_user_error(&e) => super::accounts::settings_error(&s, &viewer, &e).await,
        Err(e) => Err(e.into()),
    }
}
