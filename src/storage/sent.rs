//! Activities this instance sent, kept so that their ids can be fetched (and read by the
//! delivery workers, which send the stored body as is).

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, sea_query::OnConflict,
};

use super::entities::sent_activities;

/// Keeps a sent activity so its id can be fetched (the first copy wins).
pub async fn keep<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    sent_activities::Entity::insert(sent_activities::ActiveModel {
        ap_id: Set(ap_id.to_string()),
        body: Set(body.to_string()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(sent_activities::Column::ApId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// A sent activity's JSON, by id.
pub async fn find<C: ConnectionTrait>(conn: &C, ap_id: &str) -> Result<Option<String>, DbErr> {
    Ok(sent_activities::Entity::find_by_id(ap_id.to_string())
        .one(conn)
        .await?
        .map(|a| a.body))
}

/// Forgets sent activities older than `before`.
pub async fn purge_before<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(sent_activities::Entity::delete_many()
        .filter(sent_activities::Column::CreatedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}
