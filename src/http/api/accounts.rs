//! Sign-up, sign-in, sign-out and the current account.

use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::{
        accounts,
        limits::{self, Limit},
        views::AccountView,
    },
    error::{ErrorBody, Result},
    http::{
        AppState,
        api::openapi::{JsonBody, RateLimited, SignedIn},
        extract::{ApiJson, Auth, BearerToken, ClientAddress},
    },
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
}

const TAG: &str = "accounts";

/// The account just made.
#[derive(Serialize, ToSchema)]
#[schema(as = CreatedAccount)]
struct Created {
    /// Person id.
    id: i64,
    /// Account name.
    username: String,
    /// ActivityPub id.
    #[schema(format = "uri")]
    ap_id: String,
    /// True when the account waits for an administrator's approval before it can log in.
    pending: bool,
}

/// Sign up (when registration is open)
///
/// What else the instance asks for depends on its registration mode: `email` (sign-up limited
/// to e-mail domains), `application` (approval by an administrator; the account is `pending`
/// until then) or `invite` (a single-use invitation code).
#[utoipa::path(
    post,
    path = "/accounts",
    tag = TAG,
    operation_id = "register",
    request_body = accounts::NewAccount,
    responses(
        (status = 201, description = "Created", body = Created),
        (status = 403, description = "Registration is closed (`registration_closed`)", body = ErrorBody),
        (status = 409, description = "Username taken (`name_taken`)", body = ErrorBody),
        JsonBody,
        RateLimited,
    )
)]
async fn register(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    ApiJson(input): ApiJson<accounts::NewAccount>,
) -> Result<(StatusCode, Json<Created>)> {
    limits::check(&s.ctx, Limit::Signup, &from).await?;
    let (p, pending) = accounts::register(&s.ctx, input).await?;
    // A confirmation mail may be queued: send it now rather than at the next poll.
    s.ctx.delivery_wake.notify_waiters();
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: p.id,
            username: p.username,
            ap_id: p.ap_id,
            pending,
        }),
    ))
}

/// A session's bearer token.
#[derive(Serialize, ToSchema)]
struct Token {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
}

/// Sign in; returns a bearer token valid for 30 days
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = TAG,
    operation_id = "login",
    request_body = accounts::Credentials,
    responses(
        (status = 200, description = "Signed in", body = Token),
        (status = 401, description = "Wrong username or password (`bad_credentials`)", body = ErrorBody),
        (status = 403, description = "The account waits for an administrator's approval (`pending_approval`)", body = ErrorBody),
        JsonBody,
        RateLimited,
    )
)]
async fn login(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    ApiJson(input): ApiJson<accounts::Credentials>,
) -> Result<Json<Token>> {
    limits::check(&s.ctx, Limit::Login, &from).await?;
    let token = accounts::login(&s.ctx, input).await?;
    Ok(Json(Token { token }))
}

/// End the session of the bearer token
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = TAG,
    operation_id = "logout",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), SignedIn)
)]
async fn logout(
    State(s): State<AppState>,
    _: Auth,
    BearerToken(token): BearerToken,
) -> Result<StatusCode> {
    accounts::logout(&s.ctx, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account
#[utoipa::path(
    get,
    path = "/me",
    tag = TAG,
    operation_id = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "The account", body = AccountView), SignedIn)
)]
async fn me(Auth(user): Auth) -> Json<AccountView> {
    Json(user.view())
}
