//! E-mail: password reset and address confirmation by mailed link, and the signed-in
//! person's mail settings.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::{
        limits::{self, Limit},
        mail::{self, MailSettings, MailSettingsInput},
    },
    error::{ErrorBody, Result},
    http::{
        AppState,
        api::openapi::{JsonBody, RateLimited, SignedIn},
        extract::{ApiJson, Auth, ClientAddress},
    },
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(request_reset))
        .routes(routes!(confirm_reset))
        .routes(routes!(verify))
        .routes(routes!(resend))
        .routes(routes!(get_settings, save_settings))
}

const TAG: &str = "mail";

/// Who forgot their password.
#[derive(Deserialize, ToSchema)]
struct ResetRequest {
    /// The account name or its e-mail address.
    login: String,
}

/// A password reset with the token from the mailed link.
#[derive(Deserialize, ToSchema)]
struct ResetConfirm {
    /// The `token` of the link.
    token: String,
    /// The new password.
    #[schema(min_length = 8)]
    password: String,
}

/// The token of an address-confirmation link.
#[derive(Deserialize, ToSchema)]
struct VerifyRequest {
    /// The `token` of the link.
    token: String,
}

/// Whose confirmation link to send again.
#[derive(Deserialize, ToSchema)]
struct ResendRequest {
    /// The account name.
    username: String,
}

/// The address just confirmed.
#[derive(Serialize, ToSchema)]
struct Verified {
    /// The address.
    email: String,
}

/// Mail a password-reset link
///
/// The answer is the same whether or not an account has that name or address (and an
/// address), so it does not tell who has an account. The link works once, for an hour.
#[utoipa::path(
    post,
    path = "/auth/password-reset",
    tag = TAG,
    operation_id = "request_password_reset",
    request_body = ResetRequest,
    responses(
        (status = 202, description = "A link is on its way if the account exists and has an address"),
        (status = 409, description = "This instance sends no e-mail (`mail_unavailable`)", body = ErrorBody),
        JsonBody,
        RateLimited,
    )
)]
async fn request_reset(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    ApiJson(input): ApiJson<ResetRequest>,
) -> Result<StatusCode> {
    limits::check(&s.ctx, Limit::Login, &from).await?;
    mail::request_reset(&s.ctx, &input.login).await?;
    s.ctx.delivery_wake.notify_waiters();
    Ok(StatusCode::ACCEPTED)
}

/// Set a new password with a mailed link's token
///
/// Every session of the account ends; sign in again with the new password.
#[utoipa::path(
    post,
    path = "/auth/password-reset/confirm",
    tag = TAG,
    operation_id = "confirm_password_reset",
    request_body = ResetConfirm,
    responses(
        (status = 204, description = "The password is changed"),
        JsonBody,
        RateLimited,
    )
)]
async fn confirm_reset(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    ApiJson(input): ApiJson<ResetConfirm>,
) -> Result<StatusCode> {
    limits::check(&s.ctx, Limit::Login, &from).await?;
    mail::reset(&s.ctx, &input.token, &input.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Confirm an e-mail address with a mailed link's token
#[utoipa::path(
    post,
    path = "/auth/verify",
    tag = TAG,
    operation_id = "verify_email",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "Confirmed", body = Verified),
        JsonBody,
    )
)]
async fn verify(
    State(s): State<AppState>,
    ApiJson(input): ApiJson<VerifyRequest>,
) -> Result<Json<Verified>> {
    let email = mail::verify(&s.ctx, &input.token).await?;
    Ok(Json(Verified { email }))
}

/// Mail an account's confirmation link again
///
/// Only for an account whose address waits to be confirmed, at most once in two minutes;
/// the answer is the same either way.
#[utoipa::path(
    post,
    path = "/auth/verify/resend",
    tag = TAG,
    operation_id = "resend_verification",
    request_body = ResendRequest,
    responses(
        (status = 202, description = "A link is on its way if the account waits for one"),
        (status = 409, description = "This instance sends no e-mail (`mail_unavailable`)", body = ErrorBody),
        JsonBody,
        RateLimited,
    )
)]
async fn resend(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    ApiJson(input): ApiJson<ResendRequest>,
) -> Result<StatusCode> {
    limits::check(&s.ctx, Limit::Login, &from).await?;
    mail::resend_verification(&s.ctx, &input.username).await?;
    s.ctx.delivery_wake.notify_waiters();
    Ok(StatusCode::ACCEPTED)
}

/// The signed-in person's mail settings
#[utoipa::path(
    get,
    path = "/me/mail",
    tag = TAG,
    operation_id = "mail_settings",
    security(("bearer" = [])),
    responses((status = 200, description = "The settings", body = MailSettings), SignedIn)
)]
async fn get_settings(State(s): State<AppState>, Auth(user): Auth) -> Result<Json<MailSettings>> {
    Ok(Json(mail::settings(&s.ctx, &user).await?))
}

/// Change the signed-in person's mail settings
///
/// Fields left out stay as they are. A new address is mailed a confirmation link and gets no
/// notices or digests until it is confirmed.
#[utoipa::path(
    patch,
    path = "/me/mail",
    tag = TAG,
    operation_id = "save_mail_settings",
    security(("bearer" = [])),
    request_body = MailSettingsInput,
    responses(
        (status = 200, description = "The settings now", body = MailSettings),
        SignedIn,
        JsonBody,
    )
)]
async fn save_settings(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiJson(input): ApiJson<MailSettingsInput>,
) -> Result<Json<MailSettings>> {
    let saved = mail::save_settings(&s.ctx, &user, input).await?;
    s.ctx.delivery_wake.notify_waiters();
    Ok(Json(saved))
}
