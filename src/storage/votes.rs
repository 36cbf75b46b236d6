//! Queries on votes. Posts and replies are voted on alike; the counts on the voted row are
//! recounted from the votes table inside the same transaction, after taking the row's lock,
//! so concurrent votes can never leave a stale count.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbErr,
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, OnConflict, Query},
};

/// What is voted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A post.
    Post,
    /// A reply.
    Reply,
}

impl Target {
    fn table(self) -> Alias {
        Alias::new(match self {
            Self::Post => "posts",
            Self::Reply => "replies",
        })
    }
    fn votes(self) -> Alias {
        Alias::new(match self {
            Self::Post => "post_votes",
            Self::Reply => "reply_votes",
        })
    }
    fn fk_name(self) -> &'static str {
        match self {
            Self::Post => "post_id",
            Self::Reply => "reply_id",
        }
    }
    fn fk(self) -> Alias {
        Alias::new(self.fk_name())
    }
}

/// Vote totals of one post or reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Up-votes.
    pub up: i32,
    /// Down-votes.
    pub down: i32,
}

impl Counts {
    /// Up minus down.
    pub fn score(self) -> i32 {
        self.up - self.down
    }
}

fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// Sets `person_id`'s vote on the object to `value` (1, -1, or 0 to withdraw it) and stores
/// the new totals on the object; `None` (nothing changed) when the object is deleted. Call
/// inside a transaction.
pub async fn set<C: ConnectionTrait>(
    conn: &C,
    target: Target,
    object_id: i64,
    person_id: i64,
    value: i16,
    ap_id: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<Counts>, DbErr> {
    super::memo::clear();
    // Take the object's lock first (a no-op write): votes on one object queue up here.
    conn.execute(
        Query::update()
            .table(target.table())
            .value(col("upvotes"), Expr::col(col("upvotes")))
            .and_where(Expr::col(col("id")).eq(object_id)),
    )
    .await?;
    // Re-checked under the lock: no votes on something deleted since the caller looked.
    let live = conn
        .query_one(
            Query::select()
                .expr(Expr::value(1))
                .from(target.table())
                .and_where(Expr::col(col("id")).eq(object_id))
                .and_where(Expr::col(col("deleted_at")).is_null()),
        )
        .await?
        .is_some();
    if !live {
        return Ok(None);
    }
    if value == 0 {
        conn.execute(
            Query::delete()
                .from_table(target.votes())
                .and_where(Expr::col(target.fk()).eq(object_id))
                .and_where(Expr::col(col("person_id")).eq(person_id)),
        )
        .await?;
    } else {
        conn.execute(
            Query::insert()
                .into_table(target.votes())
                .columns([
                    target.fk(),
                    col("person_id"),
                    col("value"),
                    col("ap_id"),
                    col("created_at"),
                ])
                .values_panic([
                    object_id.into(),
                    person_id.into(),
                    value.into(),
                    ap_id.into(),
                    now.into(),
                ])
                .on_conflict(
                    OnConflict::columns([target.fk(), col("person_id")])
                        .update_columns([col("value"), col("ap_id")])
                        .to_owned(),
                ),
        )
        .await?;
        super::health::vote_cast(conn, target == Target::Reply, object_id, person_id, now).await?;
    }
    let mut totals = [0i32; 2];
    for (slot, positive) in totals.iter_mut().zip([true, false]) {
        let cond = if positive {
            Expr::col(col("value")).gt(0)
        } else {
            Expr::col(col("value")).lt(0)
        };
        let row = conn
            .query_one(
                Query::select()
                    .expr_as(Func::count(Expr::col(Asterisk)), col("n"))
                    .from(target.votes())
                    .and_where(Expr::col(target.fk()).eq(object_id))
                    .and_where(cond),
            )
            .await?;
        let n: i64 = match row {
            Some(r) => r.try_get("", "n")?,
            None => 0,
        };
        *slot = i32::try_from(n).unwrap_or(i32::MAX);
    }
    let counts = Counts {
        up: totals[0],
        down: totals[1],
    };
    conn.execute(
        Query::update()
            .table(target.table())
            .value(col("upvotes"), counts.up)
            .value(col("downvotes"), counts.down)
            .value(col("score"), counts.score())
            .and_where(Expr::col(col("id")).eq(object_id)),
    )
    .await?;
    Ok(Some(counts))
}

/// Stores a post's hot rank.
pub async fn set_hot_rank<C: ConnectionTrait>(
    conn: &C,
    post_id: i64,
    rank: f64,
) -> Result<(), DbErr> {
    super::memo::clear();
    conn.execute(
        Query::update()
            .table(Target::Post.table())
            .value(col("hot_rank"), rank)
            .and_where(Expr::col(col("id")).eq(post_id)),
    )
    .await?;
    Ok(())
}

/// `person_id`'s votes on the given objects, by object id.
pub async fn mine<C: ConnectionTrait>(
    conn: &C,
    target: Target,
    person_id: i64,
    object_ids: &[i64],
) -> Result<HashMap<i64, i16>, DbErr> {
    let mut out = HashMap::new();
    for chunk in object_ids.chunks(500) {
        let rows = conn
            .query_all(
                Query::select()
                    .column(target.fk())
                    .column(col("value"))
                    .from(target.votes())
                    .and_where(Expr::col(col("person_id")).eq(person_id))
                    .and_where(Expr::col(target.fk()).is_in(chunk.iter().copied())),
            )
            .await?;
        for r in rows {
            out.insert(
                r.try_get::<i64>("", target.fk_name())?,
                r.try_get::<i16>("", "value")?,
            );
        }
    }
    Ok(out)
}

/// A stored vote, found by the id of the activity that cast it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cast {
    /// What it is on.
    pub target: Target,
    /// The post's or reply's row id.
    pub object_id: i64,
    /// Who voted.
    pub person_id: i64,
    /// 1 or -1.
    pub value: i16,
}

/// The vote cast by the activity `ap_id` (a `Like` or `Dislike`), on a post or a reply.
pub async fn by_ap_id<C: ConnectionTrait>(conn: &C, ap_id: &str) -> Result<Option<Cast>, DbErr> {
    for target in [Target::Post, Target::Reply] {
        let row = conn
            .query_one(
                Query::select()
                    .column(target.fk())
                    .columns([col("person_id"), col("value")])
                    .from(target.votes())
                    .and_where(Expr::col(col("ap_id")).eq(ap_id))
                    .limit(1),
            )
            .await?;
        if let Some(r) = row {
            return Ok(Some(Cast {
                target,
                object_id: r.try_get("", target.fk_name())?,
                person_id: r.try_get("", "person_id")?,
                value: r.try_get("", "value")?,
            }));
        }
    }
    Ok(None)
}
