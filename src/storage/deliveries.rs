//! Queries on the outgoing queue.
//!
//! Each destination inbox receives its activities in the order they were made: only the
//! oldest pending row of an inbox can be claimed, so the next one waits until it is delivered
//! (or dropped), while other inboxes proceed in parallel. A slow or failing destination holds
//! up only itself.
//!
//! A worker claims due rows by pushing their `next_attempt_at` one lease ahead in the same
//! statement that selects them (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several processes
//! never claim the same row; SQLite has one writer and ignores the clause). A claimed row that
//! is neither deleted (delivered, or finally refused) nor rescheduled, because its process
//! died, becomes due again when the lease runs out: nothing is lost on a crash.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
    sea_query::{Alias, Expr, ExprTrait, LockBehavior, LockType, Query},
};

use super::entities::deliveries;

/// One delivery to enqueue.
pub struct NewDelivery<'a> {
    /// The activity's id.
    pub activity_id: &'a str,
    /// The actor whose key signs it.
    pub signer: &'a str,
    /// The destination inbox.
    pub inbox: String,
    /// The activity JSON.
    pub body: &'a str,
}

/// Stores deliveries, due now.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<NewDelivery<'_>>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let models = rows.into_iter().map(|r| deliveries::ActiveModel {
        activity_id: Set(r.activity_id.to_string()),
        signer: Set(r.signer.to_string()),
        inbox: Set(r.inbox),
        body: Set(r.body.to_string()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        created_at: Set(now),
        ..Default::default()
    });
    deliveries::Entity::insert_many(models)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Claims up to `limit` due deliveries, oldest first, leasing them until `lease_until`.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<deliveries::Model>, DbErr> {
    let earlier = Alias::new("earlier");
    let older_in_same_inbox = Query::select()
        .expr(Expr::value(1))
        .from_as(deliveries::Entity, earlier.clone())
        .and_where(
            Expr::col((earlier.clone(), deliveries::Column::Inbox))
                .equals((deliveries::Entity, deliveries::Column::Inbox)),
        )
        .and_where(
            Expr::col((earlier, deliveries::Column::Id))
                .lt(Expr::col((deliveries::Entity, deliveries::Column::Id))),
        )
        .to_owned();
    let due = deliveries::Entity::find()
        .select_only()
        .column(deliveries::Column::Id)
        .filter(deliveries::Column::NextAttemptAt.lte(now))
        .filter(Expr::exists(older_in_same_inbox).not())
        .order_by_asc(deliveries::Column::Id)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_query();

    let mut rows = deliveries::Entity::update_many()
        .col_expr(deliveries::Column::NextAttemptAt, Expr::value(lease_until))
        .filter(deliveries::Column::NextAttemptAt.lte(now))
        .filter(deliveries::Column::Id.in_subquery(due))
        .exec_with_returning(conn)
        .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Removes a delivery that is done (delivered, or refused for good).
pub async fn finish<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    deliveries::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Schedules another attempt after a failure.
pub async fn retry_at<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    attempts: i32,
    at: DateTime<Utc>,
    error: String,
) -> Result<(), DbErr> {
    deliveries::Entity::update_many()
        .col_expr(deliveries::Column::Attempts, Expr::value(attempts))
        .col_expr(deliveries::Column::NextAttemptAt, Expr::value(at))
        .col_expr(deliveries::Column::LastError, Expr::value(error))
        .filter(deliveries::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deliveries still queued.
pub async fn pending<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    deliveries::Entity::find().count(conn).await
}

/// Keeps a sent activity so its id can be fetched (the first copy wins).
pub async fn keep_activity<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use super::entities::sent_activities;
    use sea_orm::sea_query::OnConflict;
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
pub async fn sent_activity<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
) -> Result<Option<String>, DbErr> {
    use super::entities::sent_activities;
    Ok(sent_activities::Entity::find_by_id(ap_id.to_string())
        .one(conn)
        .await?
        .map(|a| a.body))
}

/// Forgets sent activities older than `before`.
pub async fn purge_sent_before<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use super::entities::sent_activities;
    Ok(sent_activities::Entity::delete_many()
        .filter(sent_activities::Column::CreatedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}
