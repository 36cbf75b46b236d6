//! Single sign-on: sign-ins under way (`sso_logins`) and linked identities (`identities`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, sea_query::Expr,
};

use super::entities::{identities, sso_logins};

/// A sign-in to remember until its callback.
#[derive(Debug, Clone)]
pub struct NewLogin {
    /// SHA-256 of the `state` (or of the name-choice ticket).
    pub state_hash: String,
    /// The provider's id.
    pub provider: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier.
    pub pkce_verifier: String,
    /// Where to go afterwards.
    pub next: String,
    /// Now.
    pub now: DateTime<Utc>,
    /// When it stops working.
    pub expires: DateTime<Utc>,
}

/// Stores a sign-in under way.
pub async fn begin<C: ConnectionTrait>(conn: &C, login: NewLogin) -> Result<(), DbErr> {
    sso_logins::ActiveModel {
        state_hash: Set(login.state_hash),
        provider: Set(login.provider),
        nonce: Set(login.nonce),
        pkce_verifier: Set(login.pkce_verifier),
        next: Set(login.next),
        subject: Set(None),
        email: Set(None),
        email_verified: Set(false),
        proposed_name: Set(None),
        created_at: Set(login.now),
        expires_at: Set(login.expires),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Stores what a provider vouched for a person without an account, under a ticket's hash,
/// while they choose their name.
#[allow(clippy::too_many_arguments)]
pub async fn hold_claims<C: ConnectionTrait>(
    conn: &C,
    ticket_hash: &str,
    provider: &str,
    subject: &str,
    email: Option<&str>,
    email_verified: bool,
    proposed: &str,
    next: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), DbErr> {
    sso_logins::ActiveModel {
        state_hash: Set(ticket_hash.to_string()),
        provider: Set(provider.to_string()),
        nonce: Set(String::new()),
        pkce_verifier: Set(String::new()),
        next: Set(next.to_string()),
        subject: Set(Some(subject.to_string())),
        email: Set(email.map(str::to_string)),
        email_verified: Set(email_verified),
        proposed_name: Set(Some(proposed.to_string())),
        created_at: Set(now),
        expires_at: Set(expires),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Takes (deletes and returns) the unexpired row under `hash`: only one caller gets it.
pub async fn take<C: ConnectionTrait>(
    conn: &C,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<sso_logins::Model>, DbErr> {
    let Some(row) = sso_logins::Entity::find_by_id(hash.to_string())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let gone = sso_logins::Entity::delete_many()
        .filter(sso_logins::Column::StateHash.eq(hash))
        .exec(conn)
        .await?
        .rows_affected;
    Ok((gone == 1 && row.expires_at > now).then_some(row))
}

/// Reads the row under `hash` without taking it (the name form shows it again on an error).
pub async fn peek<C: ConnectionTrait>(
    conn: &C,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<sso_logins::Model>, DbErr> {
    Ok(sso_logins::Entity::find_by_id(hash.to_string())
        .one(conn)
        .await?
        .filter(|r| r.expires_at > now))
}

/// Removes sign-ins that expired before `before`.
pub async fn purge<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(sso_logins::Entity::delete_many()
        .filter(sso_logins::Column::ExpiresAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}

/// The identity of `subject` at `provider`.
pub async fn identity<C: ConnectionTrait>(
    conn: &C,
    provider: &str,
    subject: &str,
) -> Result<Option<identities::Model>, DbErr> {
    identities::Entity::find()
        .filter(identities::Column::Provider.eq(provider))
        .filter(identities::Column::Subject.eq(subject))
        .one(conn)
        .await
}

/// Links `subject` at `provider` to `local_user_id`.
pub async fn link<C: ConnectionTrait>(
    conn: &C,
    local_user_id: i64,
    provider: &str,
    subject: &str,
    email: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    identities::ActiveModel {
        local_user_id: Set(local_user_id),
        provider: Set(provider.to_string()),
        subject: Set(subject.to_string()),
        email: Set(email.map(str::to_string)),
        created_at: Set(now),
        last_login_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Records a sign-in through identity `id`.
pub async fn touch<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    email: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    identities::Entity::update_many()
        .col_expr(identities::Column::LastLoginAt, Expr::value(now))
        .col_expr(identities::Column::Email, Expr::value(email))
        .filter(identities::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Every identity, by account and provider.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<identities::Model>, DbErr> {
    identities::Entity::find()
        .order_by_asc(identities::Column::LocalUserId)
        .order_by_asc(identities::Column::Provider)
        .all(conn)
        .await
}

/// Unlinks `local_user_id` from `provider`; returns how many links went.
pub async fn unlink<C: ConnectionTrait>(
    conn: &C,
    local_user_id: i64,
    provider: &str,
) -> Result<u64, DbErr> {
    Ok(identities::Entity::delete_many()
        .filter(identities::Column::LocalUserId.eq(local_user_id))
        .filter(identities::Column::Provider.eq(provider))
        .exec(conn)
        .await?
        .rows_affected)
}
