//! Invitation links to members-only groups (`group_invites`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
    sea_query::{Expr, ExprTrait},
};

use super::entities::group_invites;

/// Stores a new link by its token's hash.
pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    token_hash: String,
    created_by: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<group_invites::Model, DbErr> {
    group_invites::ActiveModel {
        group_id: Set(group_id),
        token_hash: Set(token_hash),
        created_by: Set(created_by),
        created_at: Set(now),
        expires_at: Set(expires_at),
        uses: Set(0),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// A group's links that still work, newest first.
pub async fn of_group<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<group_invites::Model>, DbErr> {
    group_invites::Entity::find()
        .filter(group_invites::Column::GroupId.eq(group_id))
        .filter(group_invites::Column::ExpiresAt.gt(now))
        .order_by_desc(group_invites::Column::CreatedAt)
        .order_by_desc(group_invites::Column::Id)
        .all(conn)
        .await
}

/// The working link whose token hashes to `token_hash`.
pub async fn find_live<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<group_invites::Model>, DbErr> {
    group_invites::Entity::find()
        .filter(group_invites::Column::TokenHash.eq(token_hash))
        .filter(group_invites::Column::ExpiresAt.gt(now))
        .one(conn)
        .await
}

/// Counts one use of a link.
pub async fn used<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    group_invites::Entity::update_many()
        .col_expr(
            group_invites::Column::Uses,
            Expr::col(group_invites::Column::Uses).add(Expr::val(1)),
        )
        .filter(group_invites::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Revokes a group's link; false when it has no such link.
pub async fn revoke<C: ConnectionTrait>(conn: &C, group_id: i64, id: i64) -> Result<bool, DbErr> {
    let r = group_invites::Entity::delete_many()
        .filter(group_invites::Column::GroupId.eq(group_id))
        .filter(group_invites::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(r.rows_affected > 0)
}
