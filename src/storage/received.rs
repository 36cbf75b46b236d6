//! Ids of inbound activities already handled.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set, sea_query::OnConflict};

/// Whether `ap_id` was handled before.
pub async fn exists<C: ConnectionTrait>(conn: &C, ap_id: &str) -> Result<bool, DbErr> {
    Ok(received_activities::Entity::find_by_id(ap_id.to_string())
        .one(conn)
        .await?
        .is_some())
}

use super::entities::received_activities;

/// Records `ap_id`; false when it was recorded before.
pub async fn insert_if_new<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let inserted = received_activities::Entity::insert(received_activities::ActiveModel {
        ap_id: Set(ap_id.to_string()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(received_activities::Column::ApId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(inserted > 0)
}

/// Forgets ids received before `before`.
pub async fn purge_before<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(received_activities::Entity::delete_many()
        .filter(received_activities::Column::CreatedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}
