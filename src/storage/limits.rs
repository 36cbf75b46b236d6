//! Rate-limit counters (`rate_limits`). The rules (which limits, how big) are in
//! `domain::limits`.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// Counts `hits` more hits in `bucket`'s window starting at `window_start` (Unix seconds) and
/// returns the window's count, in one statement, so concurrent processes never lose a hit.
pub async fn hit<C: ConnectionTrait>(
    conn: &C,
    bucket: &str,
    window_start: i64,
    hits: i64,
) -> Result<i64, DbErr> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO rate_limits (bucket, window_start, count) VALUES ($1, $2, $3) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + $3 \
             RETURNING count"
        }
        _ => {
            "INSERT INTO rate_limits (bucket, window_start, count) VALUES (?1, ?2, ?3) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + ?3 \
             RETURNING count"
        }
    };
    let hits = i32::try_from(hits).unwrap_or(i32::MAX);
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                Value::from(bucket),
                Value::from(window_start),
                Value::from(hits),
            ],
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("the rate-limit upsert returned nothing".into()))?;
    let count: i32 = row.try_get("", "count")?;
    Ok(i64::from(count))
}

/// Forgets windows that started before `before` (Unix seconds); returns how many.
pub async fn purge<C: ConnectionTrait>(conn: &C, before: i64) -> Result<u64, DbErr> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "DELETE FROM rate_limits WHERE window_start < $1",
        _ => "DELETE FROM rate_limits WHERE window_start < ?",
    };
    Ok(conn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(before)],
        ))
        .await?
        .rows_affected())
}
