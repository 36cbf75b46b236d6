//! Writes behind a person's account settings.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::Expr};

use super::entities::persons;

/// Sets (or with `None` clears) a local person's display name.
pub async fn set_display_name<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    name: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    persons::Entity::update_many()
        .col_expr(persons::Column::DisplayName, Expr::value(name))
        .col_expr(persons::Column::UpdatedAt, Expr::value(now))
        .filter(persons::Column::Id.eq(person_id))
        .filter(persons::Column::Local.eq(true))
        .exec(conn)
        .await?;
    Ok(())
}
