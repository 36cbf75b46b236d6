//! Periodic jobs shared by every process on one database (`scheduled_jobs`).
//!
//! [`claim`] moves a due job's `next_run_at` forward in one conditional UPDATE. Only one
//! caller can see the row still due: on PostgreSQL a second UPDATE waits for the first's row
//! lock and then re-checks the condition against the new row; SQLite has one writer. So each
//! period's run happens in exactly one process.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, OnConflict},
};

use super::entities::scheduled_jobs;

/// Claims job `name` if it is due at `now` (creating it, due at once, the first time); on
/// success the next run is due at `next`. True when this caller should run it now.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    who: &str,
    now: DateTime<Utc>,
    next: DateTime<Utc>,
) -> Result<bool, DbErr> {
    scheduled_jobs::Entity::insert(scheduled_jobs::ActiveModel {
        name: Set(name.to_string()),
        next_run_at: Set(now),
        last_started_at: Set(None),
        last_finished_at: Set(None),
        last_run_by: Set(None),
        last_outcome: Set(None),
    })
    .on_conflict(
        OnConflict::column(scheduled_jobs::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    let claimed = scheduled_jobs::Entity::update_many()
        .col_expr(scheduled_jobs::Column::NextRunAt, Expr::value(next))
        .col_expr(scheduled_jobs::Column::LastStartedAt, Expr::value(now))
        .col_expr(scheduled_jobs::Column::LastRunBy, Expr::value(who))
        .filter(scheduled_jobs::Column::Name.eq(name))
        .filter(scheduled_jobs::Column::NextRunAt.lte(now))
        .exec(conn)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Records how the run of `name` that started last ended.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    now: DateTime<Utc>,
    outcome: &str,
) -> Result<(), DbErr> {
    scheduled_jobs::Entity::update_many()
        .col_expr(scheduled_jobs::Column::LastFinishedAt, Expr::value(now))
        .col_expr(scheduled_jobs::Column::LastOutcome, Expr::value(outcome))
        .filter(scheduled_jobs::Column::Name.eq(name))
        .exec(conn)
        .await?;
    Ok(())
}

/// Every job's state, by name.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<scheduled_jobs::Model>, DbErr> {
    scheduled_jobs::Entity::find()
        .order_by_asc(scheduled_jobs::Column::Name)
        .all(conn)
        .await
}
