//! Instance-wide rows: the instance actor's keys, and the counts NodeInfo reports.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    Set, sea_query::OnConflict,
};

use super::entities::{instance_keys, local_users, posts, replies};
use crate::domain::keys::KeyPair;

/// The stored instance keys, if made yet.
pub async fn keys<C: ConnectionTrait>(conn: &C) -> Result<Option<KeyPair>, DbErr> {
    Ok(instance_keys::Entity::find_by_id(1)
        .one(conn)
        .await?
        .map(|k| KeyPair {
            public_pem: k.public_key,
            private_pem: k.private_key,
        }))
}

/// Stores `keys` as the instance keys unless some are stored already.
pub async fn insert_keys_if_absent<C: ConnectionTrait>(
    conn: &C,
    keys: &KeyPair,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    instance_keys::Entity::insert(instance_keys::ActiveModel {
        id: Set(1),
        public_key: Set(keys.public_pem.clone()),
        private_key: Set(keys.private_pem.clone()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(instance_keys::Column::Id)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Usage figures for NodeInfo.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// Local accounts.
    pub users: u64,
    /// Local accounts that posted or replied in the last 30 days.
    pub active_month: u64,
    /// Local accounts that posted or replied in the last 180 days.
    pub active_halfyear: u64,
    /// Live local posts.
    pub local_posts: u64,
    /// Live local replies.
    pub local_comments: u64,
}

async fn authors_since<C: ConnectionTrait>(
    conn: &C,
    since: DateTime<Utc>,
) -> Result<HashSet<i64>, DbErr> {
    let mut out: HashSet<i64> = posts::Entity::find()
        .select_only()
        .column(posts::Column::AuthorId)
        .distinct()
        .filter(posts::Column::Local.eq(true))
        .filter(posts::Column::CreatedAt.gt(since))
        .into_tuple::<i64>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    out.extend(
        replies::Entity::find()
            .select_only()
            .column(replies::Column::AuthorId)
            .distinct()
            .filter(replies::Column::Local.eq(true))
            .filter(replies::Column::CreatedAt.gt(since))
            .into_tuple::<i64>()
            .all(conn)
            .await?,
    );
    Ok(out)
}

/// Counts what NodeInfo reports.
pub async fn usage<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>) -> Result<Usage, DbErr> {
    Ok(Usage {
        users: local_users::Entity::find().count(conn).await?,
        active_month: authors_since(conn, now - chrono::Duration::days(30))
            .await?
            .len() as u64,
        active_halfyear: authors_since(conn, now - chrono::Duration::days(180))
            .await?
            .len() as u64,
        local_posts: super::posts::count_local(conn).await?,
        local_comments: replies::Entity::find()
            .filter(replies::Column::Local.eq(true))
            .filter(replies::Column::DeletedAt.is_null())
            .count(conn)
            .await?,
    })
}
