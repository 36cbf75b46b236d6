//! Sign-up, sign-in, sign-out and the current account.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};
use serde::Serialize;

use crate::{
    domain::{
        accounts,
        limits::{self, Limit},
        views::AccountView,
    },
    error::Result,
    http::{
        AppState,
        extract::{ApiJson, Auth, BearerToken, ClientAddress},
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
}

#[derive(Serialize)]
struct Created {
    id: i64,
    username: String,
    ap_id: String,
    /// True when the account waits for an administrator's approval before it can log in.
    pending: bool,
}

async fn register(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    ApiJson(input): ApiJson<accounts::NewAccount>,
) -> Result<(StatusCode, Json<Created>)> {
    limits::check(&s.ctx, Limit::Signup, &from).await?;
    let (p, pending) = accounts::register(&s.ctx, input).await?;
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

#[derive(Serialize)]
struct Token {
    token: String,
}

async fn login(
    State(s): State<AppState>,
    ClientAddress(from): ClientAddress,
    ApiJson(input): ApiJson<accounts::Credentials>,
) -> Result<Json<Token>> {
    limits::check(&s.ctx, Limit::Login, &from).await?;
    let token = accounts::login(&s.ctx, input).await?;
    Ok(Json(Token { token }))
}

async fn logout(
    State(s): State<AppState>,
    _: Auth,
    BearerToken(token): BearerToken,
) -> Result<StatusCode> {
    accounts::logout(&s.ctx, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(Auth(user): Auth) -> Json<AccountView> {
    Json(user.view())
}
