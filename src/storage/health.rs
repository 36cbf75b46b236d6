//! Community health: the weekly rollups (`health_weekly`, `health_active`,
//! `health_first_replies`, `health_questions`, described in migration 34) and the reads of a
//! health page.
//!
//! The rollups are written inside the writer's transaction, so local and remote writes both
//! count and a rolled-back write leaves no trace. Posts and replies are counted by database
//! triggers on their insert (migration 36: one upsert and one insert-or-ignore, and for a
//! reply by someone other than the post's author one conditional upsert, all inside the
//! database); questions and their accepted answers by triggers on `posts` (migration 34),
//! since the Q&A feature owns those columns and may change them from any code path; votes by
//! [`vote_cast`], called from `votes::set`, since a changed vote counts in the week it
//! changed. Counts are of what was written: a later deletion does not take a post back out of
//! its week.

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbErr, FromQueryResult,
    sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Query, SelectStatement},
};

/// Seconds in a week.
pub const WEEK_SECONDS: i64 = 604_800;
/// Weeks start on Monday: the Monday before the epoch is 3 days before it.
const MONDAY_OFFSET: i64 = 259_200;

/// The week number of a time (whole weeks since Monday 1969-12-29 00:00 UTC).
pub fn week_of(t: DateTime<Utc>) -> i64 {
    (t.timestamp() + MONDAY_OFFSET).div_euclid(WEEK_SECONDS)
}

/// When week `week` starts (Monday 00:00 UTC).
pub fn week_start(week: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(week * WEEK_SECONDS - MONDAY_OFFSET, 0).unwrap_or_default()
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

/// Records that someone took part in a group in a week; `source` selects
/// `(group_id, week, person_id)`.
async fn mark_active<C: ConnectionTrait>(conn: &C, source: SelectStatement) -> Result<(), DbErr> {
    let mut insert = Query::insert();
    insert
        .into_table(t("health_active"))
        .columns([t("group_id"), t("week"), t("person_id")])
        .select_from(source)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(
            OnConflict::columns([t("group_id"), t("week"), t("person_id")])
                .do_nothing()
                .to_owned(),
        );
    conn.execute(&insert).await?;
    Ok(())
}

/// `person_id` voted on a post (or on a reply, `on_reply`) now; call in the vote's
/// transaction.
pub(super) async fn vote_cast<C: ConnectionTrait>(
    conn: &C,
    on_reply: bool,
    object_id: i64,
    person_id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut source = Query::select();
    source
        .column((t("p"), t("group_id")))
        .expr(Expr::val(week_of(at)))
        .expr(Expr::val(person_id));
    if on_reply {
        source
            .from_as(t("replies"), t("r"))
            .inner_join(
                sea_orm::sea_query::TableRef::Table(t("posts").into(), Some(t("p").into())),
                Expr::col((t("p"), t("id"))).equals((t("r"), t("post_id"))),
            )
            .and_where(Expr::col((t("r"), t("id"))).eq(object_id));
    } else {
        source
            .from_as(t("posts"), t("p"))
            .and_where(Expr::col((t("p"), t("id"))).eq(object_id));
    }
    mark_active(conn, source).await
}

/// Whose figures a read covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// One group (hosted here or not).
    Group(i64),
    /// Every group hosted here.
    Local,
}

impl Scope {
    /// `group_id` (qualified by `table`) within the scope.
    fn filter(self, table: Option<&str>) -> sea_orm::sea_query::SimpleExpr {
        let col = match table {
            Some(tb) => Expr::col((t(tb), t("group_id"))),
            None => Expr::col(t("group_id")),
        };
        match self {
            Self::Group(id) => col.eq(id),
            Self::Local => col.in_subquery(
                Query::select()
                    .column(t("id"))
                    .from(t("groups"))
                    .and_where(Expr::col(t("local")).eq(true))
                    .to_owned(),
            ),
        }
    }
}

/// Posts and replies in one week by the people of one instance.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct WeeklyRow {
    /// Week number.
    pub week: i64,
    /// The authors' instance.
    pub domain: String,
    /// Posts.
    pub posts: i64,
    /// Replies.
    pub replies: i64,
}

/// The weekly counts by instance for weeks `from..=to`.
pub async fn weekly<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    from: i64,
    to: i64,
) -> Result<Vec<WeeklyRow>, DbErr> {
    let q = Query::select()
        .column(t("week"))
        .column(t("domain"))
        .expr_as(
            Func::cast_as(Func::sum(Expr::col(t("posts"))), t("BIGINT")),
            t("posts"),
        )
        .expr_as(
            Func::cast_as(Func::sum(Expr::col(t("replies"))), t("BIGINT")),
            t("replies"),
        )
        .from(t("health_weekly"))
        .and_where(scope.filter(None))
        .and_where(Expr::col(t("week")).between(from, to))
        .group_by_col(t("week"))
        .group_by_col(t("domain"))
        .to_owned();
    let b = conn.get_database_backend();
    WeeklyRow::find_by_statement(b.build(&q)).all(conn).await
}

#[derive(Debug, FromQueryResult)]
struct WeekCount {
    week: i64,
    n: i64,
}

/// People who took part, per week of `from..=to` (a person active in several groups of the
/// scope counts once).
pub async fn active<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let count = match scope {
        Scope::Group(_) => Func::count(Expr::col(t("person_id"))),
        Scope::Local => Func::count_distinct(Expr::col(t("person_id"))),
    };
    let q = Query::select()
        .column(t("week"))
        .expr_as(Func::cast_as(count, t("BIGINT")), t("n"))
        .from(t("health_active"))
        .and_where(Expr::col(t("week")).between(from, to))
        .and_where(scope.filter(None))
        .group_by_col(t("week"))
        .to_owned();
    let b = conn.get_database_backend();
    let rows = WeekCount::find_by_statement(b.build(&q)).all(conn).await?;
    Ok(rows.into_iter().map(|r| (r.week, r.n)).collect())
}

#[derive(Debug, FromQueryResult)]
struct Seconds {
    seconds: i64,
}

/// Exact medians per week of `column` (non-null) in `table` (keyed by group and week): one
/// count per week, then one offset into the week's index range. `(week, count, median)`.
async fn week_medians<C: ConnectionTrait>(
    conn: &C,
    (table, column): (&str, &str),
    scope: Scope,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64, i64)>, DbErr> {
    let b = conn.get_database_backend();
    let counts = Query::select()
        .column(t("week"))
        .expr_as(
            Func::cast_as(Func::count(Expr::col(t(column))), t("BIGINT")),
            t("n"),
        )
        .from(t(table))
        .and_where(Expr::col(t("week")).between(from, to))
        .and_where(scope.filter(None))
        .and_where(Expr::col(t(column)).is_not_null())
        .group_by_col(t("week"))
        .to_owned();
    let counts = WeekCount::find_by_statement(b.build(&counts))
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(counts.len());
    for WeekCount { week, n } in counts {
        if n == 0 {
            continue;
        }
        // The middle one, or the middle two.
        let take = if n % 2 == 0 { 2 } else { 1 };
        let q = Query::select()
            .expr_as(Expr::col(t(column)), t("seconds"))
            .from(t(table))
            .and_where(scope.filter(None))
            .and_where(Expr::col(t("week")).eq(week))
            .and_where(Expr::col(t(column)).is_not_null())
            .order_by(t(column), sea_orm::Order::Asc)
            .limit(take)
            .offset(u64::try_from((n - 1) / 2).unwrap_or(0))
            .to_owned();
        let middle = Seconds::find_by_statement(b.build(&q)).all(conn).await?;
        if middle.is_empty() {
            continue;
        }
        let sum: i64 = middle.iter().map(|s| s.seconds).sum();
        out.push((week, n, sum / middle.len() as i64));
    }
    Ok(out)
}

/// The median wait for a first reply (by someone other than the author) of the posts of
/// each week of `from..=to` that have one: `(week, posts replied to, median seconds)`.
pub async fn first_reply_medians<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64, i64)>, DbErr> {
    week_medians(conn, ("health_first_replies", "seconds"), scope, from, to).await
}

/// The median wait from question to accepted answer, for the answered questions of each
/// week of `from..=to`: `(week, answered, median seconds)`.
pub async fn answer_medians<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64, i64)>, DbErr> {
    week_medians(
        conn,
        ("health_questions", "answered_seconds"),
        scope,
        from,
        to,
    )
    .await
}

/// Questions of one week whose accepted answer (if any) is by people of one instance.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct QuestionRow {
    /// Week number (when asked).
    pub week: i64,
    /// The accepted answer's author's instance; none for the unanswered (or an answer
    /// that is gone).
    pub answer_domain: Option<String>,
    /// Questions.
    pub asked: i64,
    /// Of them, with an accepted answer.
    pub answered: i64,
}

/// The live questions asked in weeks `from..=to`, by week and answer's instance
/// (`health_questions`, kept by triggers on `posts`).
pub async fn questions<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    from: i64,
    to: i64,
) -> Result<Vec<QuestionRow>, DbErr> {
    let q = Query::select()
        .column(t("week"))
        .column(t("answer_domain"))
        .expr_as(
            Func::cast_as(Func::count(Expr::col(t("post_id"))), t("BIGINT")),
            t("asked"),
        )
        .expr_as(
            Func::cast_as(Func::count(Expr::col(t("answered_seconds"))), t("BIGINT")),
            t("answered"),
        )
        .from(t("health_questions"))
        .and_where(scope.filter(None))
        .and_where(Expr::col(t("week")).between(from, to))
        .group_by_col(t("week"))
        .group_by_col(t("answer_domain"))
        .to_owned();
    let b = conn.get_database_backend();
    QuestionRow::find_by_statement(b.build(&q)).all(conn).await
}

/// Drops who-took-part rows of weeks before `before` (the hourly clean-up keeps 13 weeks:
/// the page's 12 and the one that is ending). Returns how many went.
pub async fn purge_active<C: ConnectionTrait>(conn: &C, before: i64) -> Result<u64, DbErr> {
    let r = conn
        .execute(
            Query::delete()
                .from_table(t("health_active"))
                .and_where(Expr::col(t("week")).lt(before)),
        )
        .await?;
    Ok(r.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_utc() {
        let monday = DateTime::parse_from_rfc3339("2026-12-07T00:00:00Z")
            .unwrap()
            .to_utc();
        let w = week_of(monday);
        assert_eq!(week_start(w), monday);
        assert_eq!(week_of(monday - chrono::Duration::seconds(1)), w - 1);
        assert_eq!(
            week_of(monday + chrono::Duration::seconds(WEEK_SECONDS - 1)),
            w
        );
        assert_eq!(week_of(DateTime::from_timestamp(-259_200, 0).unwrap()), 0);
    }
}
