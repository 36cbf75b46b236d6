//! Boosts of posts and replies (`shares`), keyed by the boost's own activity id.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, sea_query::OnConflict,
};

use super::entities::shares;

/// Records that `person_id` boosted `object_ap_id` with the activity `ap_id`; a second boost
/// of the same object by the same person changes nothing. True when it is new.
pub async fn add<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
    person_id: i64,
    object_ap_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let inserted = shares::Entity::insert(shares::ActiveModel {
        ap_id: Set(ap_id.to_string()),
        person_id: Set(person_id),
        object_ap_id: Set(object_ap_id.to_string()),
        created_at: Set(now),
    })
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(conn)
    .await?;
    Ok(inserted > 0)
}

/// Withdraws the boost `ap_id`, which only its booster may do. True when one was removed.
pub async fn remove<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
    person_id: i64,
) -> Result<bool, DbErr> {
    Ok(shares::Entity::delete_many()
        .filter(shares::Column::ApId.eq(ap_id))
        .filter(shares::Column::PersonId.eq(person_id))
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}

/// How many people boosted `object_ap_id`.
pub async fn count<C: ConnectionTrait>(conn: &C, object_ap_id: &str) -> Result<u64, DbErr> {
    shares::Entity::find()
        .filter(shares::Column::ObjectApId.eq(object_ap_id))
        .count(conn)
        .await
}

/// The boost `ap_id`, if stored.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
) -> Result<Option<shares::Model>, DbErr> {
    shares::Entity::find_by_id(ap_id.to_string())
        .one(conn)
        .await
}
