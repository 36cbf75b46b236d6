//! Queries on who follows which group.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set,
    sea_query::OnConflict,
};

use super::entities::group_followers;

/// Accepted followers of a group.
pub async fn count_accepted<C: ConnectionTrait>(conn: &C, group_id: i64) -> Result<u64, DbErr> {
    group_followers::Entity::find()
        .filter(group_followers::Column::GroupId.eq(group_id))
        .filter(group_followers::Column::Pending.eq(false))
        .count(conn)
        .await
}

/// Records (or refreshes) a follow. A remote follower of a local group names the
/// destination its server is delivered at (`storage::queue::ensure_destinations`).
pub async fn upsert<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
    pending: bool,
    follow_ap_id: Option<String>,
    destination_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    group_followers::Entity::insert(group_followers::ActiveModel {
        group_id: Set(group_id),
        person_id: Set(person_id),
        pending: Set(pending),
        follow_ap_id: Set(follow_ap_id),
        destination_id: Set(destination_id),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            group_followers::Column::GroupId,
            group_followers::Column::PersonId,
        ])
        .update_columns([
            group_followers::Column::Pending,
            group_followers::Column::FollowApId,
            group_followers::Column::DestinationId,
        ])
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The follow of `person_id` in `group_id`, if any.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
) -> Result<Option<group_followers::Model>, DbErr> {
    group_followers::Entity::find_by_id((group_id, person_id))
        .one(conn)
        .await
}

/// The follow made by the `Follow` activity `ap_id`, if stored.
pub async fn find_by_follow_ap_id<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
) -> Result<Option<group_followers::Model>, DbErr> {
    group_followers::Entity::find()
        .filter(group_followers::Column::FollowApId.eq(ap_id))
        .one(conn)
        .await
}

/// Marks a pending follow accepted; true only when it was pending (a repeated Accept changes
/// nothing).
pub async fn accept<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
) -> Result<bool, DbErr> {
    let r = group_followers::Entity::update_many()
        .col_expr(
            group_followers::Column::Pending,
            sea_orm::sea_query::Expr::value(false),
        )
        .filter(group_followers::Column::GroupId.eq(group_id))
        .filter(group_followers::Column::PersonId.eq(person_id))
        .filter(group_followers::Column::Pending.eq(true))
        .exec(conn)
        .await?;
    Ok(r.rows_affected > 0)
}

/// Ends a follow.
pub async fn remove<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
) -> Result<bool, DbErr> {
    let r = group_followers::Entity::delete_by_id((group_id, person_id))
        .exec(conn)
        .await?;
    Ok(r.rows_affected > 0)
}

/// Whether any accepted follower of a group is on another server (so its activities need
/// delivering at all).
pub async fn has_remote<C: ConnectionTrait>(conn: &C, group_id: i64) -> Result<bool, DbErr> {
    Ok(group_followers::Entity::find()
        .filter(group_followers::Column::GroupId.eq(group_id))
        .filter(group_followers::Column::Pending.eq(false))
        .filter(group_followers::Column::DestinationId.is_not_null())
        .one(conn)
        .await?
        .is_some())
}

/// The groups a person follows, with whether each follow is still pending.
pub async fn of_person<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Vec<(super::entities::groups::Model, bool)>, DbErr> {
    let rows = group_followers::Entity::find()
        .filter(group_followers::Column::PersonId.eq(person_id))
        .all(conn)
        .await?;
    // One query for all the groups, not one per follow.
    let ids: Vec<i64> = rows.iter().map(|r| r.group_id).collect();
    let mut groups: HashMap<i64, super::entities::groups::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for g in super::entities::groups::Entity::find()
            .filter(super::entities::groups::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            groups.insert(g.id, g);
        }
    }
    let mut out: Vec<_> = rows
        .into_iter()
        .filter_map(|r| groups.remove(&r.group_id).map(|g| (g, r.pending)))
        .collect();
    out.sort_by(|a, b| (&a.0.name, &a.0.domain).cmp(&(&b.0.name, &b.0.domain)));
    Ok(out)
}

/// The inboxes a group's accepted remote followers are delivered at (each once).
pub async fn inboxes<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
) -> Result<std::collections::HashSet<String>, DbErr> {
    use super::entities::destinations;
    let ids: Vec<i64> = group_followers::Entity::find()
        .filter(group_followers::Column::GroupId.eq(group_id))
        .filter(group_followers::Column::Pending.eq(false))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|f| f.destination_id)
        .collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(destinations::Entity::find()
        .filter(destinations::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.inbox)
        .collect())
}

/// The requests to join a group waiting for a moderator, oldest first, with who asked.
pub async fn requests<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
) -> Result<Vec<(group_followers::Model, super::entities::persons::Model)>, DbErr> {
    use sea_orm::QueryOrder;
    let rows = group_followers::Entity::find()
        .filter(group_followers::Column::GroupId.eq(group_id))
        .filter(group_followers::Column::Pending.eq(true))
        .order_by_asc(group_followers::Column::CreatedAt)
        .order_by_asc(group_followers::Column::PersonId)
        .all(conn)
        .await?;
    let mut people = super::persons::by_ids(conn, rows.iter().map(|r| r.person_id)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| people.remove(&r.person_id).map(|p| (r, p)))
        .collect())
}

/// The accepted members of a group, by when they joined, with their follow rows.
pub async fn members<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    limit: u64,
) -> Result<Vec<super::entities::persons::Model>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let rows = group_followers::Entity::find()
        .filter(group_followers::Column::GroupId.eq(group_id))
        .filter(group_followers::Column::Pending.eq(false))
        .order_by_asc(group_followers::Column::CreatedAt)
        .order_by_asc(group_followers::Column::PersonId)
        .limit(limit)
        .all(conn)
        .await?;
    let mut people = super::persons::by_ids(conn, rows.iter().map(|r| r.person_id)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| people.remove(&r.person_id))
        .collect())
}
