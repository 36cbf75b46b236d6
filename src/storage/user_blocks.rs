//! Each member's own blocks: people (`person_blocks`) and instances (`person_instance_blocks`).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::OnConflict,
};

use super::entities::{person_blocks, person_instance_blocks};

/// `person_id` blocks `blocked_id`; false when they already did.
pub async fn block_person<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    blocked_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = person_blocks::Entity::insert(person_blocks::ActiveModel {
        person_id: Set(person_id),
        blocked_id: Set(blocked_id),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            person_blocks::Column::PersonId,
            person_blocks::Column::BlockedId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(n > 0)
}

/// Lifts a block of a person; false when there was none.
pub async fn unblock_person<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    blocked_id: i64,
) -> Result<bool, DbErr> {
    Ok(person_blocks::Entity::delete_by_id((person_id, blocked_id))
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}

/// `person_id` blocks every account on `host`; false when they already did.
pub async fn block_instance<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    host: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = person_instance_blocks::Entity::insert(person_instance_blocks::ActiveModel {
        person_id: Set(person_id),
        host: Set(host.to_string()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            person_instance_blocks::Column::PersonId,
            person_instance_blocks::Column::Host,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(n > 0)
}

/// Lifts a block of an instance; false when there was none.
pub async fn unblock_instance<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    host: &str,
) -> Result<bool, DbErr> {
    Ok(
        person_instance_blocks::Entity::delete_by_id((person_id, host.to_string()))
            .exec(conn)
            .await?
            .rows_affected
            > 0,
    )
}

/// Whom `person_id` blocks: people's ids and instance hosts, oldest first.
pub async fn of<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<
    (
        Vec<person_blocks::Model>,
        Vec<person_instance_blocks::Model>,
    ),
    DbErr,
> {
    let people = person_blocks::Entity::find()
        .filter(person_blocks::Column::PersonId.eq(person_id))
        .order_by_asc(person_blocks::Column::CreatedAt)
        .all(conn)
        .await?;
    let hosts = person_instance_blocks::Entity::find()
        .filter(person_instance_blocks::Column::PersonId.eq(person_id))
        .order_by_asc(person_instance_blocks::Column::CreatedAt)
        .order_by_asc(person_instance_blocks::Column::Host)
        .all(conn)
        .await?;
    Ok((people, hosts))
}

/// What one viewer has blocked, as sets to filter with.
#[derive(Debug, Clone, Default)]
pub struct Blocked {
    /// Blocked people.
    pub people: HashSet<i64>,
    /// Blocked instance hosts.
    pub hosts: HashSet<String>,
}

impl Blocked {
    /// Whether content by a person with this id on this host is hidden.
    pub fn hides(&self, person_id: i64, host: &str) -> bool {
        self.people.contains(&person_id) || self.hosts.contains(host)
    }
}

/// The viewer's blocks as sets.
pub async fn blocked<C: ConnectionTrait>(conn: &C, person_id: i64) -> Result<Blocked, DbErr> {
    let (people, hosts) = of(conn, person_id).await?;
    Ok(Blocked {
        people: people.into_iter().map(|b| b.blocked_id).collect(),
        hosts: hosts.into_iter().map(|b| b.host).collect(),
    })
}
