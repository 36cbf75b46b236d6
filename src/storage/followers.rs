//! Queries on who follows which group.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

use super::entities::group_followers;

/// Accepted followers of a group.
pub async fn count_accepted<C: ConnectionTrait>(conn: &C, group_id: i64) -> Result<u64, DbErr> {
    group_followers::Entity::find()
        .filter(group_followers::Column::GroupId.eq(group_id))
        .filter(group_followers::Column::Pending.eq(false))
        .count(conn)
        .await
}
