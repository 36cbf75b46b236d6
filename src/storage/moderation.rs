//! Queries on moderation: group bans, the moderators list, the mod log and reports.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{OnConflict, Query},
};

use super::entities::{group_bans, group_moderators, mod_log, posts, replies, reports};

/// Bans `person_id` from `group_id` until `expires_at` (`None`: until lifted). A new ban
/// replaces an earlier one.
pub async fn ban<C: ConnectionTrait>(conn: &C, row: group_bans::Model) -> Result<(), DbErr> {
    group_bans::Entity::insert(group_bans::ActiveModel {
        group_id: Set(row.group_id),
        person_id: Set(row.person_id),
        reason: Set(row.reason),
        expires_at: Set(row.expires_at),
        banned_by: Set(row.banned_by),
        created_at: Set(row.created_at),
    })
    .on_conflict(
        OnConflict::columns([group_bans::Column::GroupId, group_bans::Column::PersonId])
            .update_columns([
                group_bans::Column::Reason,
                group_bans::Column::ExpiresAt,
                group_bans::Column::BannedBy,
                group_bans::Column::CreatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Lifts a ban; false when there was none.
pub async fn unban<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
) -> Result<bool, DbErr> {
    Ok(group_bans::Entity::delete_by_id((group_id, person_id))
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}

fn in_force(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(group_bans::Column::ExpiresAt.is_null())
        .add(group_bans::Column::ExpiresAt.gt(now))
}

/// The ban in force on `person_id` in `group_id`, if any (an expired ban is no ban).
pub async fn ban_in_force<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<group_bans::Model>, DbErr> {
    group_bans::Entity::find()
        .filter(group_bans::Column::GroupId.eq(group_id))
        .filter(group_bans::Column::PersonId.eq(person_id))
        .filter(in_force(now))
        .one(conn)
        .await
}

/// The bans in force in a group, newest first.
pub async fn bans<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<group_bans::Model>, DbErr> {
    group_bans::Entity::find()
        .filter(group_bans::Column::GroupId.eq(group_id))
        .filter(in_force(now))
        .order_by_desc(group_bans::Column::CreatedAt)
        .all(conn)
        .await
}

/// Deletes bans that have run out.
pub async fn purge_expired_bans<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(group_bans::Entity::delete_many()
        .filter(group_bans::Column::ExpiresAt.lte(now))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Makes `person_id` a moderator of `group_id`; false when they already were.
pub async fn add_moderator<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = group_moderators::Entity::insert(group_moderators::ActiveModel {
        group_id: Set(group_id),
        person_id: Set(person_id),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            group_moderators::Column::GroupId,
            group_moderators::Column::PersonId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(n > 0)
}

/// Takes `person_id` off the moderators of `group_id`; false when they were not one.
pub async fn remove_moderator<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
) -> Result<bool, DbErr> {
    Ok(
        group_moderators::Entity::delete_by_id((group_id, person_id))
            .exec(conn)
            .await?
            .rows_affected
            > 0,
    )
}

/// Makes `person_ids` exactly the moderators of (remote) group `group_id`, keeping when each
/// one that stays was added.
pub async fn set_moderators<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    group_moderators::Entity::delete_many()
        .filter(group_moderators::Column::GroupId.eq(group_id))
        .filter(group_moderators::Column::PersonId.is_not_in(person_ids.iter().copied()))
        .exec(conn)
        .await?;
    for p in person_ids {
        add_moderator(conn, group_id, *p, now).await?;
    }
    Ok(())
}

/// When `person_id` became a moderator of `group_id`.
pub async fn moderator_since<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(group_moderators::Entity::find_by_id((group_id, person_id))
        .one(conn)
        .await?
        .map(|m| m.created_at))
}

/// The number of moderators of a group.
pub async fn moderator_count<C: ConnectionTrait>(conn: &C, group_id: i64) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    group_moderators::Entity::find()
        .filter(group_moderators::Column::GroupId.eq(group_id))
        .count(conn)
        .await
}

/// The posts and replies of `person_id` in `group_id` that are live (`removed == false`) or
/// removed (`removed == true`), for a ban that removes or restores them.
pub async fn content_of<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
    removed: bool,
) -> Result<(Vec<posts::Model>, Vec<replies::Model>), DbErr> {
    let posts = posts::Entity::find()
        .filter(posts::Column::GroupId.eq(group_id))
        .filter(posts::Column::AuthorId.eq(person_id))
        .filter(if removed {
            posts::Column::Removed.eq(true)
        } else {
            posts::Column::DeletedAt.is_null()
        })
        .all(conn)
        .await?;
    let replies = replies::Entity::find()
        .filter(replies::Column::AuthorId.eq(person_id))
        .filter(
            replies::Column::PostId.in_subquery(
                Query::select()
                    .column(posts::Column::Id)
                    .from(posts::Entity)
                    .and_where(posts::Column::GroupId.eq(group_id))
                    .to_owned(),
            ),
        )
        .filter(if removed {
            replies::Column::Removed.eq(true)
        } else {
            replies::Column::DeletedAt.is_null()
        })
        .all(conn)
        .await?;
    Ok((posts, replies))
}

/// What a mod log entry records.
#[derive(Debug, Clone, Default)]
pub struct LogEntry {
    /// The group.
    pub group_id: i64,
    /// Who acted (`None`: not known, e.g. a ban that ran out).
    pub moderator_id: Option<i64>,
    /// What was done (see `domain::moderation::Action`).
    pub action: &'static str,
    /// The post acted on.
    pub post_id: Option<i64>,
    /// The reply acted on.
    pub reply_id: Option<i64>,
    /// The person acted on.
    pub person_id: Option<i64>,
    /// The moderator's reason.
    pub reason: Option<String>,
    /// When a ban ends.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Appends to the mod log.
pub async fn log<C: ConnectionTrait>(
    conn: &C,
    e: LogEntry,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    mod_log::Entity::insert(mod_log::ActiveModel {
        group_id: Set(e.group_id),
        moderator_id: Set(e.moderator_id),
        action: Set(e.action.to_string()),
        post_id: Set(e.post_id),
        reply_id: Set(e.reply_id),
        person_id: Set(e.person_id),
        reason: Set(e.reason),
        expires_at: Set(e.expires_at),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// A page of a group's mod log, newest first, before entry `before` when given.
pub async fn log_page<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<mod_log::Model>, DbErr> {
    let mut q = mod_log::Entity::find()
        .filter(mod_log::Column::GroupId.eq(group_id))
        .order_by_desc(mod_log::Column::Id)
        .limit(limit);
    if let Some(b) = before {
        q = q.filter(mod_log::Column::Id.lt(b));
    }
    q.all(conn).await
}

/// Stores a report, once per `ap_id`: the stored row either way.
pub async fn add_report<C: ConnectionTrait>(
    conn: &C,
    row: reports::Model,
) -> Result<reports::Model, DbErr> {
    let ap_id = row.ap_id.clone();
    reports::Entity::insert(reports::ActiveModel {
        ap_id: Set(row.ap_id),
        group_id: Set(row.group_id),
        reporter_id: Set(row.reporter_id),
        post_id: Set(row.post_id),
        reply_id: Set(row.reply_id),
        person_id: Set(row.person_id),
        page_id: Set(row.page_id),
        reason: Set(row.reason),
        created_at: Set(row.created_at),
        resolved_at: Set(None),
        resolved_by: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(reports::Column::ApId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    find_report_by_ap_id(conn, &ap_id)
        .await?
        .ok_or(DbErr::RecordNotFound(ap_id))
}

/// A report by id.
pub async fn find_report<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<reports::Model>, DbErr> {
    reports::Entity::find_by_id(id).one(conn).await
}

/// A report by its `Flag`'s id.
pub async fn find_report_by_ap_id<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
) -> Result<Option<reports::Model>, DbErr> {
    reports::Entity::find()
        .filter(reports::Column::ApId.eq(ap_id))
        .one(conn)
        .await
}

/// Whose reports to list.
#[derive(Debug, Clone, Copy)]
pub enum ReportScope {
    /// One group's.
    Group(i64),
    /// One reporter's.
    Reporter(i64),
    /// Every report stored here.
    All,
}

/// Reports, newest first; only unresolved ones unless `resolved` too.
pub async fn reports<C: ConnectionTrait>(
    conn: &C,
    scope: ReportScope,
    include_resolved: bool,
    limit: u64,
) -> Result<Vec<reports::Model>, DbErr> {
    let mut q = reports::Entity::find()
        .order_by_desc(reports::Column::Id)
        .limit(limit);
    q = match scope {
        ReportScope::Group(g) => q.filter(reports::Column::GroupId.eq(g)),
        ReportScope::Reporter(p) => q.filter(reports::Column::ReporterId.eq(p)),
        ReportScope::All => q,
    };
    if !include_resolved {
        q = q.filter(reports::Column::ResolvedAt.is_null());
    }
    q.all(conn).await
}

/// Marks a report resolved by `by`; false when it already was.
pub async fn resolve_report<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(conn
        .execute(
            Query::update()
                .table(reports::Entity)
                .value(reports::Column::ResolvedAt, now)
                .value(reports::Column::ResolvedBy, by)
                .and_where(reports::Column::Id.eq(id))
                .and_where(reports::Column::ResolvedAt.is_null()),
        )
        .await?
        .rows_affected()
        > 0)
}
