//! E-mail: the outgoing queue, single-use tokens, the notices waiting to be mailed and each
//! person's mail settings (migration `m20261207_000043_add_mail`).
//!
//! The queue is claimed as the delivery queue is: [`claim_due`] leases due rows in one
//! statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer), so several
//! processes share the work and none sends a row another holds. A process that dies while
//! sending leaves the row due again when its lease ends.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
    sea_query::{Expr, OnConflict},
};

use super::{
    entities::{local_users, mail_notices, mail_queue, mail_tokens},
    queue::stmt,
};

/// A mail to queue, rendered whole.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// The person it is for, when it is for an account.
    pub local_user_id: Option<i64>,
    /// The address.
    pub to: String,
    /// `verify`, `reset`, `notices`, `digest`.
    pub kind: &'static str,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// The one-click unsubscribe address, for notices and digests.
    pub unsubscribe_url: Option<String>,
    /// `<…@domain>`.
    pub message_id: String,
}

/// Queues `mail`, due at `now`; returns its id.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    mail: NewMail,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let row = mail_queue::ActiveModel {
        local_user_id: Set(mail.local_user_id),
        to_address: Set(mail.to),
        kind: Set(mail.kind.to_string()),
        subject: Set(mail.subject),
        text_body: Set(mail.text),
        html_body: Set(mail.html),
        unsubscribe_url: Set(mail.unsubscribe_url),
        message_id: Set(mail.message_id),
        created_at: Set(now),
        next_attempt_at: Set(now),
        attempts: Set(0),
        leased_until: Set(None),
        sent_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}

/// Leases up to `limit` due mails (oldest first) until `lease_until` and returns them.
pub async fn claim_due<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<mail_queue::Model>, DbErr> {
    // A read first: the lease is a write, and most turns find nothing due.
    let due = mail_queue::Entity::find()
        .select_only()
        .column(mail_queue::Column::Id)
        .filter(mail_queue::Column::SentAt.is_null())
        .filter(mail_queue::Column::FailedAt.is_null())
        .filter(mail_queue::Column::NextAttemptAt.lte(now))
        .limit(1)
        .into_tuple::<i64>()
        .one(conn)
        .await?;
    if due.is_none() {
        return Ok(vec![]);
    }
    let backend = conn.get_database_backend();
    let lock = if backend == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE mail_queue SET leased_until = ?, attempts = attempts + 1 WHERE id IN \
         (SELECT id FROM mail_queue WHERE sent_at IS NULL AND failed_at IS NULL \
         AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until < ?) \
         ORDER BY id LIMIT ?{lock}) RETURNING *"
    );
    let mut rows = mail_queue::Model::find_by_statement(stmt(
        backend,
        &sql,
        vec![
            lease_until.into(),
            now.into(),
            now.into(),
            (limit as i64).into(),
        ],
    ))
    .all(conn)
    .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// The relay took mail `id`.
pub async fn mark_sent<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    mail_queue::Entity::update_many()
        .col_expr(mail_queue::Column::SentAt, Expr::value(now))
        .col_expr(
            mail_queue::Column::LeasedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(mail_queue::Column::LastError, Expr::value(None::<String>))
        .filter(mail_queue::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Mail `id` failed for now: tried again at `next`.
pub async fn mark_retry<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    next: DateTime<Utc>,
    error: &str,
) -> Result<(), DbErr> {
    mail_queue::Entity::update_many()
        .col_expr(mail_queue::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            mail_queue::Column::LeasedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(mail_queue::Column::LastError, Expr::value(error))
        .filter(mail_queue::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Mail `id` is given up. When `bounced` (the relay refused it for good), its person's
/// address is marked failing, so no more notices or digests are queued for it.
pub async fn mark_failed<C: ConnectionTrait>(
    conn: &C,
    mail: &mail_queue::Model,
    now: DateTime<Utc>,
    error: &str,
    bounced: bool,
) -> Result<(), DbErr> {
    mail_queue::Entity::update_many()
        .col_expr(mail_queue::Column::FailedAt, Expr::value(now))
        .col_expr(
            mail_queue::Column::LeasedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(mail_queue::Column::LastError, Expr::value(error))
        .filter(mail_queue::Column::Id.eq(mail.id))
        .exec(conn)
        .await?;
    if bounced && let Some(user) = mail.local_user_id {
        local_users::Entity::update_many()
            .col_expr(local_users::Column::EmailFailedAt, Expr::value(now))
            .filter(local_users::Column::Id.eq(user))
            .filter(local_users::Column::Email.eq(mail.to_address.as_str()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// A bounce reported after the relay took a mail (a delivery status notice that came back
/// later): the accounts with `address` stop getting notices and digests, as after a 5xx, and
/// the mails to it still waiting are given up. Case-insensitive. Returns how many accounts
/// and how many mails it changed.
pub async fn bounced<C: ConnectionTrait>(
    conn: &C,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(u64, u64), DbErr> {
    use sea_orm::sea_query::{ExprTrait, Func};
    let lower = address.to_lowercase();
    let accounts = local_users::Entity::update_many()
        .col_expr(local_users::Column::EmailFailedAt, Expr::value(now))
        .filter(Expr::expr(Func::lower(Expr::col(local_users::Column::Email))).eq(lower.clone()))
        .filter(local_users::Column::EmailFailedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected;
    let mails = mail_queue::Entity::update_many()
        .col_expr(mail_queue::Column::FailedAt, Expr::value(now))
        .col_expr(
            mail_queue::Column::LastError,
            Expr::value("bounced (reported with `cohort admin mail-bounced`)"),
        )
        .filter(Expr::expr(Func::lower(Expr::col(mail_queue::Column::ToAddress))).eq(lower))
        .filter(mail_queue::Column::SentAt.is_null())
        .filter(mail_queue::Column::FailedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected;
    Ok((accounts, mails))
}

/// Every mail queued for `address`, oldest first (tests and `cohort admin mail`).
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<mail_queue::Model>, DbErr> {
    mail_queue::Entity::find()
        .order_by_desc(mail_queue::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Removes mails sent or given up before `before`; returns how many.
pub async fn purge<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let sent = mail_queue::Entity::delete_many()
        .filter(mail_queue::Column::SentAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected;
    let failed = mail_queue::Entity::delete_many()
        .filter(mail_queue::Column::FailedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected;
    let tokens = mail_tokens::Entity::delete_many()
        .filter(mail_tokens::Column::ExpiresAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected;
    Ok(sent + failed + tokens)
}

/// Stores a token's hash for `purpose`, mailed to `email`, valid until `expires`.
pub async fn add_token<C: ConnectionTrait>(
    conn: &C,
    hash: &str,
    local_user_id: i64,
    purpose: &str,
    email: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), DbErr> {
    mail_tokens::ActiveModel {
        token_hash: Set(hash.to_string()),
        local_user_id: Set(local_user_id),
        purpose: Set(purpose.to_string()),
        email: Set(email.to_string()),
        created_at: Set(now),
        expires_at: Set(expires),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Uses the token with hash `hash` for `purpose`: marks it used, in one conditional UPDATE,
/// only if it is unused and unexpired; returns it then. A second use finds nothing.
pub async fn take_token<C: ConnectionTrait>(
    conn: &C,
    hash: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<mail_tokens::Model>, DbErr> {
    let taken = mail_tokens::Entity::update_many()
        .col_expr(mail_tokens::Column::UsedAt, Expr::value(now))
        .filter(mail_tokens::Column::TokenHash.eq(hash))
        .filter(mail_tokens::Column::Purpose.eq(purpose))
        .filter(mail_tokens::Column::UsedAt.is_null())
        .filter(mail_tokens::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?
        .rows_affected;
    if taken != 1 {
        return Ok(None);
    }
    mail_tokens::Entity::find_by_id(hash.to_string())
        .one(conn)
        .await
}

/// Whether a token for `purpose` was made for `local_user_id` after `since` (resending is
/// limited to one per few minutes).
pub async fn token_since<C: ConnectionTrait>(
    conn: &C,
    local_user_id: i64,
    purpose: &str,
    since: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(mail_tokens::Entity::find()
        .filter(mail_tokens::Column::LocalUserId.eq(local_user_id))
        .filter(mail_tokens::Column::Purpose.eq(purpose))
        .filter(mail_tokens::Column::CreatedAt.gt(since))
        .one(conn)
        .await?
        .is_some())
}

/// Ends every unused token of `local_user_id` for `purpose` (a reset used, an address
/// changed).
pub async fn drop_tokens<C: ConnectionTrait>(
    conn: &C,
    local_user_id: i64,
    purpose: &str,
) -> Result<(), DbErr> {
    mail_tokens::Entity::delete_many()
        .filter(mail_tokens::Column::LocalUserId.eq(local_user_id))
        .filter(mail_tokens::Column::Purpose.eq(purpose))
        .filter(mail_tokens::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Records a notice (once per person, kind and content).
#[allow(clippy::too_many_arguments)]
pub async fn add_notice<C: ConnectionTrait>(
    conn: &C,
    local_user_id: i64,
    kind: &str,
    post_id: i64,
    reply_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let subject = match reply_id {
        Some(r) => format!("r{r}"),
        None => format!("p{post_id}"),
    };
    mail_notices::Entity::insert(mail_notices::ActiveModel {
        local_user_id: Set(local_user_id),
        kind: Set(kind.to_string()),
        subject: Set(subject),
        post_id: Set(post_id),
        reply_id: Set(reply_id),
        created_at: Set(now),
        mailed_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            mail_notices::Column::LocalUserId,
            mail_notices::Column::Kind,
            mail_notices::Column::Subject,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Notices not yet mailed to people whose setting is `mode`, oldest first.
pub async fn waiting_notices<C: ConnectionTrait>(
    conn: &C,
    mode: &str,
    limit: u64,
) -> Result<Vec<mail_notices::Model>, DbErr> {
    let users = local_users::Entity::find()
        .select_only()
        .column(local_users::Column::Id)
        .filter(local_users::Column::MailNotices.eq(mode))
        .into_query();
    mail_notices::Entity::find()
        .filter(mail_notices::Column::MailedAt.is_null())
        .filter(mail_notices::Column::LocalUserId.in_subquery(users))
        .order_by_asc(mail_notices::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Marks notices `ids` mailed, only those not marked yet; returns how many it marked (fewer
/// than asked: another process got there first).
pub async fn mark_notices_mailed<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(mail_notices::Entity::update_many()
        .col_expr(mail_notices::Column::MailedAt, Expr::value(now))
        .filter(mail_notices::Column::Id.is_in(ids.iter().copied()))
        .filter(mail_notices::Column::MailedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected)
}

/// Local accounts whose weekly digest is due: approved, a confirmed address that has not
/// failed, the digest on; by id after `after`.
pub async fn digest_recipients<C: ConnectionTrait>(
    conn: &C,
    after: i64,
    limit: u64,
) -> Result<Vec<local_users::Model>, DbErr> {
    local_users::Entity::find()
        .filter(local_users::Column::Id.gt(after))
        .filter(local_users::Column::Approved.eq(true))
        .filter(local_users::Column::MailDigest.eq(true))
        .filter(local_users::Column::Email.is_not_null())
        .filter(local_users::Column::EmailVerifiedAt.is_not_null())
        .filter(local_users::Column::EmailFailedAt.is_null())
        .order_by_asc(local_users::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// The local account with address `email` (addresses are stored lowercased).
pub async fn user_by_email<C: ConnectionTrait>(
    conn: &C,
    email: &str,
) -> Result<Option<local_users::Model>, DbErr> {
    local_users::Entity::find()
        .filter(local_users::Column::Email.eq(email))
        .order_by_asc(local_users::Column::Id)
        .one(conn)
        .await
}

/// The local account whose unsubscribe secret is `key`.
pub async fn user_by_key<C: ConnectionTrait>(
    conn: &C,
    key: &str,
) -> Result<Option<local_users::Model>, DbErr> {
    local_users::Entity::find()
        .filter(local_users::Column::MailKey.eq(key))
        .one(conn)
        .await
}

/// Sets the unsubscribe secret of `local_user_id` if it has none; returns the one it has.
pub async fn ensure_key<C: ConnectionTrait>(
    conn: &C,
    local_user_id: i64,
    fresh: &str,
) -> Result<String, DbErr> {
    local_users::Entity::update_many()
        .col_expr(local_users::Column::MailKey, Expr::value(fresh))
        .filter(local_users::Column::Id.eq(local_user_id))
        .filter(local_users::Column::MailKey.is_null())
        .exec(conn)
        .await?;
    Ok(local_users::Entity::find_by_id(local_user_id)
        .one(conn)
        .await?
        .and_then(|u| u.mail_key)
        .unwrap_or_else(|| fresh.to_string()))
}

/// What a person changes of their mail settings (`None`: unchanged).
#[derive(Debug, Default, Clone)]
pub struct SettingsChange {
    /// A new address (`Some(None)`: removed); a change clears its confirmation and failure.
    pub email: Option<Option<String>>,
    /// `immediately`, `daily`, `never`.
    pub notices: Option<&'static str>,
    /// The weekly digest.
    pub digest: Option<bool>,
}

/// Applies `change` to `local_user_id`.
pub async fn save_settings<C: ConnectionTrait>(
    conn: &C,
    local_user_id: i64,
    change: SettingsChange,
) -> Result<(), DbErr> {
    let mut update = local_users::Entity::update_many();
    if let Some(email) = change.email {
        update = update
            .col_expr(local_users::Column::Email, Expr::value(email))
            .col_expr(
                local_users::Column::EmailVerifiedAt,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(
                local_users::Column::EmailFailedAt,
                Expr::value(None::<DateTime<Utc>>),
            );
    }
    if let Some(mode) = change.notices {
        update = update.col_expr(local_users::Column::MailNotices, Expr::value(mode));
    }
    if let Some(digest) = change.digest {
        update = update.col_expr(local_users::Column::MailDigest, Expr::value(digest));
    }
    update
        .filter(local_users::Column::Id.eq(local_user_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Marks `email` of `local_user_id` confirmed (if it is still its address); false otherwise.
pub async fn mark_verified<C: ConnectionTrait>(
    conn: &C,
    local_user_id: i64,
    email: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(local_users::Entity::update_many()
        .col_expr(local_users::Column::EmailVerifiedAt, Expr::value(now))
        .col_expr(
            local_users::Column::EmailFailedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(local_users::Column::Id.eq(local_user_id))
        .filter(local_users::Column::Email.eq(email))
        .exec(conn)
        .await?
        .rows_affected
        == 1)
}

/// How many mails wait, were sent, and failed (the admin's view and the metrics).
#[derive(Debug, Clone, Default, FromQueryResult, serde::Serialize)]
pub struct Counts {
    /// Not yet sent (due or waiting for a retry).
    pub waiting: i64,
    /// Sent.
    pub sent: i64,
    /// Given up.
    pub failed: i64,
}

/// The queue's counts.
pub async fn counts<C: ConnectionTrait>(conn: &C) -> Result<Counts, DbErr> {
    let backend = conn.get_database_backend();
    Ok(Counts::find_by_statement(stmt(
        backend,
        "SELECT \
         COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0) AS waiting, \
         COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent, \
         COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS failed \
         FROM mail_queue",
        vec![],
    ))
    .one(conn)
    .await?
    .unwrap_or_default())
}

/// A thread or page named in a digest.
#[derive(Debug, Clone, FromQueryResult)]
pub struct DigestRow {
    /// The post's id (threads) or the page's (pages).
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The page's slug (pages only).
    pub slug: Option<String>,
    /// Its group's name, domain and whether it is hosted here.
    pub group_name: String,
    /// See `group_name`.
    pub group_domain: String,
    /// See `group_name`.
    pub group_local: bool,
}

/// What the weekly digest of person `person_id` lists: questions in their groups (followed or
/// moderated) asked since
/// `month_ago` still without an accepted answer, pages made or changed since `week_ago`, and
/// the threads since `week_ago` with the most votes and replies; at most `limit` of each.
/// Removed and deleted content is never named.
pub async fn digest_rows<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    week_ago: DateTime<Utc>,
    month_ago: DateTime<Utc>,
    limit: i64,
) -> Result<[Vec<DigestRow>; 3], DbErr> {
    let backend = conn.get_database_backend();
    let (t, f) = if backend == DbBackend::Postgres {
        ("TRUE", "FALSE")
    } else {
        ("1", "0")
    };
    // The person's groups: those they follow (accepted) and those they moderate.
    let groups = format!(
        "JOIN groups g ON g.id = x.group_id \
         JOIN (SELECT group_id FROM group_followers WHERE person_id = ? AND pending = {f} \
               UNION SELECT group_id FROM group_moderators WHERE person_id = ?) mine \
         ON mine.group_id = x.group_id"
    );
    let live = format!("x.deleted_at IS NULL AND x.removed = {f}");
    let waiting = format!(
        "SELECT x.id, x.title, NULL AS slug, g.name AS group_name, g.domain AS group_domain, \
         g.local AS group_local FROM posts x {groups} \
         WHERE x.question = {t} AND x.answer_id IS NULL AND {live} AND x.created_at > ? \
         ORDER BY x.created_at DESC LIMIT ?"
    );
    let pages = format!(
        "SELECT x.id, x.title, x.slug, g.name AS group_name, g.domain AS group_domain, \
         g.local AS group_local FROM pages x {groups} \
         WHERE x.removed = {f} AND x.updated_at > ? ORDER BY x.updated_at DESC LIMIT ?"
    );
    let helpful = format!(
        "SELECT x.id, x.title, NULL AS slug, g.name AS group_name, g.domain AS group_domain, \
         g.local AS group_local FROM posts x {groups} \
         WHERE {live} AND x.created_at > ? AND (x.score > 0 OR x.reply_count > 0) \
         ORDER BY x.score + x.reply_count DESC, x.id DESC LIMIT ?"
    );
    let run = |sql: String, since: DateTime<Utc>| {
        DigestRow::find_by_statement(stmt(
            backend,
            &sql,
            vec![
                person_id.into(),
                person_id.into(),
                since.into(),
                limit.into(),
            ],
        ))
        .all(conn)
    };
    Ok([
        run(waiting, month_ago).await?,
        run(pages, week_ago).await?,
        run(helpful, week_ago).await?,
    ])
}

/// The local account of person `person_id`, if they have one here.
pub async fn user_of_person<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Option<local_users::Model>, DbErr> {
    local_users::Entity::find()
        .filter(local_users::Column::PersonId.eq(person_id))
        .one(conn)
        .await
}
