//! Blocked instances (`instance_blocks`). The matching rule is in `domain::instances`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryOrder, sea_query::OnConflict,
};

use super::entities::instance_blocks;

/// Blocks `host` (when it is already blocked, a new reason replaces the old; no reason keeps
/// it); true when it was not blocked before.
pub async fn add<C: ConnectionTrait>(
    conn: &C,
    host: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let existed = instance_blocks::Entity::find_by_id(host.to_string())
        .one(conn)
        .await?
        .is_some();
    instance_blocks::Entity::insert(instance_blocks::ActiveModel {
        host: Set(host.to_string()),
        reason: Set(reason.map(str::to_string)),
        created_at: Set(now),
    })
    .on_conflict({
        let mut on = OnConflict::column(instance_blocks::Column::Host);
        if reason.is_some() {
            on.update_column(instance_blocks::Column::Reason);
        } else {
            on.do_nothing();
        }
        on
    })
    .exec_without_returning(conn)
    .await?;
    Ok(!existed)
}

/// Lifts the block on `host`; false when it was not blocked.
pub async fn remove<C: ConnectionTrait>(conn: &C, host: &str) -> Result<bool, DbErr> {
    Ok(instance_blocks::Entity::delete_by_id(host.to_string())
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}

/// Every block, by host.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<instance_blocks::Model>, DbErr> {
    instance_blocks::Entity::find()
        .order_by_asc(instance_blocks::Column::Host)
        .all(conn)
        .await
}

/// The blocked hosts as a set (the loader of `domain::instances::BlockedInstances`).
pub fn hosts(
    conn: &crate::storage::Db,
) -> futures::future::BoxFuture<'_, Result<HashSet<String>, DbErr>> {
    Box::pin(async move { Ok(list(conn).await?.into_iter().map(|b| b.host).collect()) })
}

/// Allows `host` under the allowlist policy; true when it was not allowed before.
pub async fn allow<C: ConnectionTrait>(
    conn: &C,
    host: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use super::entities::instance_allows;
    let inserted = instance_allows::Entity::insert(instance_allows::ActiveModel {
        host: Set(host.to_string()),
        created_at: Set(now),
    })
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(conn)
    .await?;
    Ok(inserted > 0)
}

/// Takes `host` off the allowlist; false when it was not on it.
pub async fn disallow<C: ConnectionTrait>(conn: &C, host: &str) -> Result<bool, DbErr> {
    use super::entities::instance_allows;
    Ok(instance_allows::Entity::delete_by_id(host.to_string())
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}

/// The allowlist, by host.
pub async fn allowed<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<super::entities::instance_allows::Model>, DbErr> {
    use super::entities::instance_allows;
    instance_allows::Entity::find()
        .order_by_asc(instance_allows::Column::Host)
        .all(conn)
        .await
}

/// The allowed hosts as a set (the allowlist's snapshot loader).
pub fn allowed_hosts(
    conn: &crate::storage::Db,
) -> futures::future::BoxFuture<'_, Result<HashSet<String>, DbErr>> {
    Box::pin(async move { Ok(allowed(conn).await?.into_iter().map(|b| b.host).collect()) })
}
