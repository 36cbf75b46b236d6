//! Read-only queries behind the web pages: the home feed, a person's writing, search, and the
//! replies and mentions that make up notifications. Nothing here writes.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, ExprTrait, Func, IntoColumnRef, LikeExpr, Query},
};

use super::entities::{group_followers, groups, pages, persons, posts, replies};

/// The most recently active live posts in the groups `person_id` has joined (accepted
/// follows only), or in every group when `person_id` is `None`.
pub async fn recent_posts<C: ConnectionTrait>(
    conn: &C,
    person_id: Option<i64>,
    limit: u64,
) -> Result<Vec<posts::Model>, DbErr> {
    let mut q = posts::Entity::find()
        .filter(posts::Column::DeletedAt.is_null())
        .order_by_desc(posts::Column::LastActivityAt)
        .order_by_desc(posts::Column::Id)
        .limit(limit);
    if let Some(me) = person_id {
        q = q.filter(posts::Column::GroupId.in_subquery(joined_groups(me)));
    }
    q.all(conn).await
}

/// The ids of the groups `person_id` has joined (accepted follows only), as a subquery.
pub fn joined_groups(person_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(group_followers::Column::GroupId)
        .from(group_followers::Entity)
        .and_where(Expr::col(group_followers::Column::PersonId).eq(person_id))
        .and_where(Expr::col(group_followers::Column::Pending).eq(false))
        .to_owned()
}

/// Rows of entity `E` by their `id` column, 500 ids per query.
async fn rows_by_ids<C, E>(
    conn: &C,
    id: E::Column,
    ids: impl IntoIterator<Item = i64>,
    key: impl Fn(&E::Model) -> i64,
) -> Result<std::collections::HashMap<i64, E::Model>, DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for row in E::find()
            .filter(id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            out.insert(key(&row), row);
        }
    }
    Ok(out)
}

/// Groups by id (for showing posts from several groups).
pub async fn groups_by_ids<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, groups::Model>, DbErr> {
    rows_by_ids::<_, groups::Entity>(conn, groups::Column::Id, ids, |g| g.id).await
}

/// The person `username@domain` (local or remote), if known here.
pub async fn person_by_handle<C: ConnectionTrait>(
    conn: &C,
    username: &str,
    domain: &str,
) -> Result<Option<persons::Model>, DbErr> {
    persons::Entity::find()
        .filter(persons::Column::Username.eq(username))
        .filter(persons::Column::Domain.eq(domain))
        .filter(persons::Column::DeletedAt.is_null())
        .one(conn)
        .await
}

/// A person's latest live posts, newest first.
pub async fn posts_by<C: ConnectionTrait>(
    conn: &C,
    author_id: i64,
    limit: u64,
) -> Result<Vec<posts::Model>, DbErr> {
    posts::Entity::find()
        .filter(posts::Column::AuthorId.eq(author_id))
        .filter(posts::Column::DeletedAt.is_null())
        .order_by_desc(posts::Column::CreatedAt)
        .order_by_desc(posts::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// A person's latest live replies, newest first.
pub async fn replies_by<C: ConnectionTrait>(
    conn: &C,
    author_id: i64,
    limit: u64,
) -> Result<Vec<replies::Model>, DbErr> {
    replies::Entity::find()
        .filter(replies::Column::AuthorId.eq(author_id))
        .filter(replies::Column::DeletedAt.is_null())
        .order_by_desc(replies::Column::CreatedAt)
        .order_by_desc(replies::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Posts by id (for replies shown out of their thread).
pub async fn posts_by_ids<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, posts::Model>, DbErr> {
    rows_by_ids::<_, posts::Entity>(conn, posts::Column::Id, ids, |p| p.id).await
}

/// Replies by id (for search results).
pub async fn replies_by_ids<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, replies::Model>, DbErr> {
    rows_by_ids::<_, replies::Entity>(conn, replies::Column::Id, ids, |r| r.id).await
}

/// Pages of the knowledge base by id (for search results).
pub async fn pages_by_ids<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, pages::Model>, DbErr> {
    rows_by_ids::<_, pages::Entity>(conn, pages::Column::Id, ids, |p| p.id).await
}

/// `%text%` for LIKE, with LIKE's own wildcards in `text` escaped (the escape is `\`).
fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// `lower(col) LIKE pattern ESCAPE '\'`, the same on SQLite and PostgreSQL.
fn lower_like(col: impl IntoColumnRef, pattern: &str) -> Expr {
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
}

/// Groups whose name or title contains `text` (case-insensitively), by name.
pub async fn search_groups<C: ConnectionTrait>(
    conn: &C,
    text: &str,
    limit: u64,
) -> Result<Vec<groups::Model>, DbErr> {
    let p = contains_pattern(text);
    groups::Entity::find()
        .filter(
            Condition::any()
                .add(lower_like(groups::Column::Name, &p))
                .add(lower_like(groups::Column::Title, &p)),
        )
        .order_by_asc(groups::Column::Name)
        .order_by_asc(groups::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Live replies by others that answer something `person_id` wrote: a reply to one of their
/// replies, or a top-level reply to one of their posts. Newest first.
pub async fn replies_to<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    limit: u64,
) -> Result<Vec<replies::Model>, DbErr> {
    let my_replies = Query::select()
        .column(replies::Column::Id)
        .from(replies::Entity)
        .and_where(Expr::col(replies::Column::AuthorId).eq(person_id))
        .to_owned();
    let my_posts = Query::select()
        .column(posts::Column::Id)
        .from(posts::Entity)
        .and_where(Expr::col(posts::Column::AuthorId).eq(person_id))
        .to_owned();
    replies::Entity::find()
        .filter(replies::Column::AuthorId.ne(person_id))
        .filter(replies::Column::DeletedAt.is_null())
        .filter(
            Condition::any()
                .add(replies::Column::ParentId.in_subquery(my_replies))
                .add(
                    Condition::all()
                        .add(replies::Column::ParentId.is_null())
                        .add(replies::Column::PostId.in_subquery(my_posts)),
                ),
        )
        .order_by_desc(replies::Column::CreatedAt)
        .order_by_desc(replies::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Live replies by others whose text may mention `username` (`@username` in the markdown) or
/// whose HTML links to `ap_id` (how Mastodon and others mark a mention). The caller checks
/// each candidate; this only narrows the rows. Newest first.
pub async fn reply_mention_candidates<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    username: &str,
    ap_id: &str,
    limit: u64,
) -> Result<Vec<replies::Model>, DbErr> {
    replies::Entity::find()
        .filter(replies::Column::AuthorId.ne(person_id))
        .filter(replies::Column::DeletedAt.is_null())
        .filter(
            Condition::any()
                .add(lower_like(
                    replies::Column::Body,
                    &contains_pattern(&format!("@{username}")),
                ))
                .add(lower_like(
                    replies::Column::BodyHtml,
                    &contains_pattern(ap_id),
                )),
        )
        .order_by_desc(replies::Column::CreatedAt)
        .order_by_desc(replies::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Live posts by others that may mention the person (see [`reply_mention_candidates`]).
pub async fn post_mention_candidates<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    username: &str,
    ap_id: &str,
    limit: u64,
) -> Result<Vec<posts::Model>, DbErr> {
    posts::Entity::find()
        .filter(posts::Column::AuthorId.ne(person_id))
        .filter(posts::Column::DeletedAt.is_null())
        .filter(
            Condition::any()
                .add(lower_like(
                    posts::Column::Body,
                    &contains_pattern(&format!("@{username}")),
                ))
                .add(lower_like(
                    posts::Column::BodyHtml,
                    &contains_pattern(ap_id),
                )),
        )
        .order_by_desc(posts::Column::CreatedAt)
        .order_by_desc(posts::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::contains_pattern("A_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
