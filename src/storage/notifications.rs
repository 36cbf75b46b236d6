//! The notification read mark (notifications themselves are queries in `feeds`).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set, sea_query::OnConflict};

use super::entities::notification_reads;

/// The time of the newest notification the person was shown, if any.
pub async fn seen_at<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(notification_reads::Entity::find_by_id(person_id)
        .one(conn)
        .await?
        .map(|r| r.seen_at))
}

/// Records that the person was shown notifications up to `at` (one upsert).
pub async fn mark_seen<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    notification_reads::Entity::insert(notification_reads::ActiveModel {
        person_id: Set(person_id),
        seen_at: Set(at),
    })
    .on_conflict(
        OnConflict::column(notification_reads::Column::PersonId)
            .update_column(notification_reads::Column::SeenAt)
            .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}
