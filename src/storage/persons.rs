//! Queries on people and their local accounts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use super::entities::{local_users, persons};

/// A new local account.
pub struct NewLocalAccount<'a> {
    /// Account name.
    pub username: &'a str,
    /// This instance's domain.
    pub domain: &'a str,
    /// The person's ActivityPub id.
    pub ap_id: String,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// Instance administrator.
    pub is_admin: bool,
    /// The person's actor keys.
    pub keys: crate::domain::keys::KeyPair,
    /// Creation time.
    pub now: DateTime<Utc>,
    /// E-mail address, if given.
    pub email: Option<String>,
    /// False: waits for an administrator's approval.
    pub approved: bool,
    /// The answer to the application question.
    pub application: Option<String>,
}

/// Inserts the person and its credentials; call inside a transaction.
pub async fn insert_local_account<C: ConnectionTrait>(
    conn: &C,
    new: NewLocalAccount<'_>,
) -> Result<(persons::Model, local_users::Model), DbErr> {
    super::memo::clear();
    let person = persons::ActiveModel {
        ap_id: Set(new.ap_id),
        username: Set(new.username.to_string()),
        domain: Set(new.domain.to_string()),
        local: Set(true),
        display_name: Set(None),
        inbox_url: Set(None),
        shared_inbox_url: Set(None),
        public_key: Set(Some(new.keys.public_pem)),
        private_key: Set(Some(new.keys.private_pem)),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let user = local_users::ActiveModel {
        person_id: Set(person.id),
        password_hash: Set(new.password_hash),
        is_admin: Set(new.is_admin),
        created_at: Set(new.now),
        email: Set(new.email),
        approved: Set(new.approved),
        application: Set(new.application),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok((person, user))
}

/// A local person by name.
pub async fn find_local<C: ConnectionTrait>(
    conn: &C,
    username: &str,
) -> Result<Option<persons::Model>, DbErr> {
    persons::Entity::find()
        .filter(persons::Column::Local.eq(true))
        .filter(persons::Column::Username.eq(username))
        .one(conn)
        .await
}

/// A person by ActivityPub id.
pub async fn find_by_ap_id<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
) -> Result<Option<persons::Model>, DbErr> {
    if let Some(hit) = super::memo::person_by_ap_id(ap_id) {
        return Ok(hit);
    }
    let found = async {
        persons::Entity::find()
            .filter(persons::Column::ApId.eq(ap_id))
            .one(conn)
            .await
    }
    .await?;
    super::memo::put_person_by_ap_id(ap_id, &found);
    Ok(found)
}

/// A person by id.
pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<persons::Model>, DbErr> {
    persons::Entity::find_by_id(id).one(conn).await
}

/// A local account by name, with its credentials.
pub async fn find_local_account<C: ConnectionTrait>(
    conn: &C,
    username: &str,
) -> Result<Option<(persons::Model, local_users::Model)>, DbErr> {
    let Some(person) = persons::Entity::find()
        .filter(persons::Column::Local.eq(true))
        .filter(persons::Column::Username.eq(username))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let user = local_users::Entity::find()
        .filter(local_users::Column::PersonId.eq(person.id))
        .one(conn)
        .await?;
    Ok(user.map(|u| (person, u)))
}

/// Replaces the password hash of local user `local_user_id` and ends all its sessions, in
/// one transaction; returns how many sessions ended.
pub async fn set_password_hash(
    conn: &crate::storage::Db,
    local_user_id: i64,
    password_hash: &str,
) -> Result<u64, DbErr> {
    use sea_orm::{TransactionTrait, sea_query::Expr};
    let txn = conn.begin().await?;
    local_users::Entity::update_many()
        .col_expr(
            local_users::Column::PasswordHash,
            Expr::value(password_hash),
        )
        .filter(local_users::Column::Id.eq(local_user_id))
        .exec(&txn)
        .await?;
    let ended = super::entities::sessions::Entity::delete_many()
        .filter(super::entities::sessions::Column::LocalUserId.eq(local_user_id))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(ended)
}

/// Sets the interface language of local user `local_user_id` (`None`: as the browser asks);
/// false when there is no such user.
pub async fn set_language<C: ConnectionTrait>(
    conn: &C,
    local_user_id: i64,
    language: Option<String>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let updated = local_users::Entity::update_many()
        .col_expr(local_users::Column::Language, Expr::value(language))
        .filter(local_users::Column::Id.eq(local_user_id))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected > 0)
}

/// Credentials by their id.
pub async fn find_local_user<C: ConnectionTrait>(
    conn: &C,
    local_user_id: i64,
) -> Result<Option<local_users::Model>, DbErr> {
    local_users::Entity::find_by_id(local_user_id)
        .one(conn)
        .await
}

/// People by id, for showing authors next to what they wrote.
pub async fn by_ids<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, persons::Model>, DbErr> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::with_capacity(ids.len());
    // Bounded IN lists keep every backend's bind-parameter limit out of reach.
    for chunk in ids.chunks(500) {
        for p in persons::Entity::find()
            .filter(persons::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            out.insert(p.id, p);
        }
    }
    Ok(out)
}

/// Number of local accounts.
pub async fn count_local<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    local_users::Entity::find().count(conn).await
}

/// What we keep of a remote person.
pub struct RemotePerson {
    /// ActivityPub id.
    pub ap_id: String,
    /// preferredUsername.
    pub username: String,
    /// host[:port] of the id.
    pub domain: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Inbox.
    pub inbox_url: String,
    /// Shared inbox.
    pub shared_inbox_url: Option<String>,
    /// PEM public key.
    pub public_key: String,
}

/// Inserts or refreshes a remote person by ActivityPub id.
pub async fn upsert_remote<C: ConnectionTrait>(
    conn: &C,
    p: RemotePerson,
    now: DateTime<Utc>,
) -> Result<persons::Model, DbErr> {
    super::memo::clear();
    use sea_orm::sea_query::OnConflict;
    persons::Entity::insert(persons::ActiveModel {
        ap_id: Set(p.ap_id.clone()),
        username: Set(p.username),
        domain: Set(p.domain),
        local: Set(false),
        display_name: Set(p.display_name),
        inbox_url: Set(Some(p.inbox_url)),
        shared_inbox_url: Set(p.shared_inbox_url),
        public_key: Set(Some(p.public_key)),
        private_key: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(persons::Column::ApId)
            .update_columns([
                persons::Column::Username,
                persons::Column::DisplayName,
                persons::Column::InboxUrl,
                persons::Column::SharedInboxUrl,
                persons::Column::PublicKey,
                persons::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    find_by_ap_id(conn, &p.ap_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(p.ap_id))
}

/// What erasing an account removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Erased {
    /// Posts turned into tombstones.
    pub posts: usize,
    /// Replies turned into tombstones.
    pub replies: usize,
    /// The groups (ids) the erased content was in, each once.
    pub groups: Vec<i64>,
}

/// Erases a remote account that was deleted on its server: it is marked deleted and loses
/// its display name, every post and reply it wrote becomes a tombstone (threads keep their
/// shape), and its follows and boosts end. Its votes stay counted. Runs in one transaction.
pub async fn erase_remote(
    db: &crate::storage::Db,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<Erased, DbErr> {
    use sea_orm::TransactionTrait;

    use super::entities::{group_followers, posts, replies, shares};
    super::memo::clear();
    let txn = db.begin().await?;
    let Some(person) = persons::Entity::find_by_id(person_id).one(&txn).await? else {
        return Ok(Erased::default());
    };
    if person.local {
        return Err(DbErr::Custom(
            "a local account is not erased this way".into(),
        ));
    }
    let mut active: persons::ActiveModel = person.into();
    active.display_name = Set(None);
    active.avatar_url = Set(None);
    active.deleted_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let mut erased = Erased::default();
    let own_posts = posts::Entity::find()
        .filter(posts::Column::AuthorId.eq(person_id))
        .filter(posts::Column::DeletedAt.is_null())
        .all(&txn)
        .await?;
    let mut threads = vec![];
    for p in own_posts {
        super::posts::mark_deleted(&txn, p.id, now).await?;
        erased.posts += 1;
        erased.groups.push(p.group_id);
    }
    let own_replies = replies::Entity::find()
        .filter(replies::Column::AuthorId.eq(person_id))
        .filter(replies::Column::DeletedAt.is_null())
        .all(&txn)
        .await?;
    for r in &own_replies {
        super::replies::mark_deleted(&txn, r, now).await?;
        erased.replies += 1;
        threads.push(r.post_id);
    }
    threads.sort_unstable();
    threads.dedup();
    for post in threads {
        if let Some(p) = posts::Entity::find_by_id(post).one(&txn).await? {
            erased.groups.push(p.group_id);
        }
    }
    erased.groups.sort_unstable();
    erased.groups.dedup();
    group_followers::Entity::delete_many()
        .filter(group_followers::Column::PersonId.eq(person_id))
        .exec(&txn)
        .await?;
    shares::Entity::delete_many()
        .filter(shares::Column::PersonId.eq(person_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(erased)
}

/// Local accounts waiting for approval, oldest first, with their credentials rows.
pub async fn pending_approval<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(persons::Model, local_users::Model)>, DbErr> {
    use sea_orm::QueryOrder;
    let users = local_users::Entity::find()
        .filter(local_users::Column::Approved.eq(false))
        .order_by_asc(local_users::Column::CreatedAt)
        .all(conn)
        .await?;
    let people = by_ids(conn, users.iter().map(|u| u.person_id)).await?;
    Ok(users
        .into_iter()
        .filter_map(|u| people.get(&u.person_id).cloned().map(|p| (p, u)))
        .collect())
}

/// Approves the waiting account `local_user_id`; false when it was not waiting.
pub async fn approve<C: ConnectionTrait>(conn: &C, local_user_id: i64) -> Result<bool, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    Ok(conn
        .execute(
            Query::update()
                .table(local_users::Entity)
                .value(local_users::Column::Approved, true)
                .and_where(Expr::col(local_users::Column::Id).eq(local_user_id))
                .and_where(Expr::col(local_users::Column::Approved).eq(false)),
        )
        .await?
        .rows_affected()
        > 0)
}

/// Removes a waiting (never approved) account and its person; false when there was none.
pub async fn reject(db: &crate::storage::Db, local_user_id: i64) -> Result<bool, DbErr> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let Some(user) = local_users::Entity::find_by_id(local_user_id)
        .one(&txn)
        .await?
        .filter(|u| !u.approved)
    else {
        return Ok(false);
    };
    local_users::Entity::delete_by_id(user.id)
        .exec(&txn)
        .await?;
    persons::Entity::delete_by_id(user.person_id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// Stores a new invitation (the SHA-256 hex of its code).
pub async fn add_invite<C: ConnectionTrait>(
    conn: &C,
    code_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    use super::entities::invites;
    invites::Entity::insert(invites::ActiveModel {
        code_hash: Set(code_hash.to_string()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_by: Set(None),
        used_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Uses the invitation `code_hash` for `person_id`, once: true when it was unused and
/// unexpired (one conditional UPDATE, so two sign-ups cannot share it). Call inside the
/// sign-up's transaction.
pub async fn use_invite<C: ConnectionTrait>(
    conn: &C,
    code_hash: &str,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};

    use super::entities::invites;
    Ok(conn
        .execute(
            Query::update()
                .table(invites::Entity)
                .value(invites::Column::UsedBy, person_id)
                .value(invites::Column::UsedAt, now)
                .and_where(Expr::col(invites::Column::CodeHash).eq(code_hash))
                .and_where(Expr::col(invites::Column::UsedBy).is_null())
                .and_where(Expr::col(invites::Column::ExpiresAt).gt(now)),
        )
        .await?
        .rows_affected()
        > 0)
}
