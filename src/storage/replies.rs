//! Queries on replies. Creating or deleting a reply also keeps its post's reply count and
//! last-activity time current: the post's lock is taken first (see the module docs of
//! `storage`), then the live replies are recounted, so the count is right whatever order
//! concurrent writers run in.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
    sea_query::{Expr, ExprTrait, Query},
};

use super::entities::{posts, replies};

/// Takes the thread's lock: a no-op write to its post row (see the module docs of `storage`).
async fn lock_thread<C: ConnectionTrait>(conn: &C, post_id: i64) -> Result<(), DbErr> {
    conn.execute(
        Query::update()
            .table(posts::Entity)
            .value(
                posts::Column::ReplyCount,
                Expr::col(posts::Column::ReplyCount),
            )
            .and_where(Expr::col(posts::Column::Id).eq(post_id)),
    )
    .await?;
    Ok(())
}

/// Recounts a thread's live replies, and moves its last activity to `activity_at` if later,
/// in one statement. Call with the thread's lock held, so the count sees every earlier
/// writer's reply.
async fn recount<C: ConnectionTrait>(
    conn: &C,
    post_id: i64,
    activity_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let live = Query::select()
        .expr(Expr::col(replies::Column::Id).count())
        .from(replies::Entity)
        .and_where(Expr::col(replies::Column::PostId).eq(post_id))
        .and_where(Expr::col(replies::Column::DeletedAt).is_null())
        .to_owned();
    use sea_orm::sea_query::QueryStatementBuilder;
    let count =
        sea_orm::sea_query::SimpleExpr::SubQuery(None, Box::new(live.into_sub_query_statement()));
    update_counters(conn, post_id, count, activity_at).await
}

/// One more live reply in a thread (just inserted, under the thread's lock, which keeps the
/// count exact without counting them all again).
async fn count_one_more<C: ConnectionTrait>(
    conn: &C,
    post_id: i64,
    activity_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let plus_one = Expr::col(posts::Column::ReplyCount).add(1);
    update_counters(conn, post_id, plus_one, Some(activity_at)).await
}

async fn update_counters<C: ConnectionTrait>(
    conn: &C,
    post_id: i64,
    reply_count: impl Into<sea_orm::sea_query::SimpleExpr>,
    activity_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let mut update = Query::update();
    update
        .table(posts::Entity)
        .value(posts::Column::ReplyCount, reply_count.into())
        .and_where(Expr::col(posts::Column::Id).eq(post_id));
    if let Some(at) = activity_at {
        // Later of the stored time and this one.
        update.value(
            posts::Column::LastActivityAt,
            Expr::case(
                Expr::col(posts::Column::LastActivityAt).lt(at),
                Expr::value(at),
            )
            .finally(Expr::col(posts::Column::LastActivityAt)),
        );
    }
    conn.execute(&update).await?;
    Ok(())
}

/// A new reply written here.
pub struct NewLocalReply {
    /// The post whose thread it joins.
    pub post_id: i64,
    /// The reply it answers, if any.
    pub parent_id: Option<i64>,
    /// Nesting depth: 0 under the post.
    pub depth: i32,
    /// The author.
    pub author_id: i64,
    /// Markdown body.
    pub body: String,
    /// Rendered, sanitised body.
    pub body_html: String,
    /// Creation time.
    pub now: DateTime<Utc>,
    /// The language it is written in.
    pub language: Option<String>,
}

/// Inserts a local reply, gives it its ActivityPub id and updates the post's counters; call
/// inside a transaction. `None` when the post or the parent reply was deleted meanwhile.
pub async fn insert_local<C: ConnectionTrait>(
    conn: &C,
    new: NewLocalReply,
    ap_id_for: impl FnOnce(i64) -> String,
) -> Result<Option<replies::Model>, DbErr> {
    super::memo::clear();
    lock_thread(conn, new.post_id).await?;
    // Re-checked under the lock: the thread or the parent may have been deleted since the
    // caller looked.
    let post = posts::Entity::find_by_id(new.post_id)
        .one(conn)
        .await?
        .filter(|p| p.deleted_at.is_none());
    let parent_live = match new.parent_id {
        Some(pid) => replies::Entity::find_by_id(pid)
            .one(conn)
            .await?
            .is_some_and(|r| r.deleted_at.is_none()),
        None => true,
    };
    if post.is_none() || !parent_live {
        return Ok(None);
    }
    let (post_id, at) = (new.post_id, new.now);
    let reply = replies::ActiveModel {
        ap_id: Set(super::pending_ap_id()),
        post_id: Set(new.post_id),
        parent_id: Set(new.parent_id),
        depth: Set(new.depth),
        author_id: Set(new.author_id),
        body: Set(new.body),
        body_html: Set(new.body_html),
        local: Set(true),
        upvotes: Set(0),
        downvotes: Set(0),
        score: Set(0),
        created_at: Set(new.now),
        updated_at: Set(None),
        deleted_at: Set(None),
        language: Set(new.language),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let mut active: replies::ActiveModel = reply.into();
    let id = *active.id.as_ref();
    active.ap_id = Set(ap_id_for(id));
    let stored = active.update(conn).await?;
    count_one_more(conn, post_id, at).await?;
    Ok(Some(stored))
}

/// A reply by id.
pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<replies::Model>, DbErr> {
    replies::Entity::find_by_id(id).one(conn).await
}

/// Every reply of a post, oldest first.
pub async fn for_post<C: ConnectionTrait>(
    conn: &C,
    post_id: i64,
) -> Result<Vec<replies::Model>, DbErr> {
    replies::Entity::find()
        .filter(replies::Column::PostId.eq(post_id))
        .order_by_asc(replies::Column::CreatedAt)
        .order_by_asc(replies::Column::Id)
        .all(conn)
        .await
}

/// Sets the language a reply is written in.
pub async fn set_language<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    language: Option<String>,
) -> Result<(), DbErr> {
    super::memo::clear();
    conn.execute(
        Query::update()
            .table(replies::Entity)
            .value(replies::Column::Language, language)
            .and_where(Expr::col(replies::Column::Id).eq(id)),
    )
    .await?;
    Ok(())
}

/// Replaces the body of a live reply; `None` when it is deleted (or gone).
pub async fn update_body<C: ConnectionTrait>(
    conn: &C,
    reply: replies::Model,
    body: String,
    body_html: String,
    now: DateTime<Utc>,
) -> Result<Option<replies::Model>, DbErr> {
    super::memo::clear();
    // Only a live reply: an edit racing a deletion must not write text back onto the tombstone.
    let changed = conn
        .execute(
            Query::update()
                .table(replies::Entity)
                .value(replies::Column::Body, body)
                .value(replies::Column::BodyHtml, body_html)
                .value(replies::Column::UpdatedAt, now)
                .and_where(Expr::col(replies::Column::Id).eq(reply.id))
                .and_where(Expr::col(replies::Column::DeletedAt).is_null()),
        )
        .await?
        .rows_affected();
    if changed == 0 {
        return Ok(None);
    }
    find(conn, reply.id).await
}

/// Turns a reply into a tombstone and takes it out of its post's count; a reply already
/// deleted is left alone. Call inside a transaction.
pub async fn mark_deleted<C: ConnectionTrait>(
    conn: &C,
    reply: &replies::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    lock_thread(conn, reply.post_id).await?;
    conn.execute(
        Query::update()
            .table(replies::Entity)
            .value(replies::Column::Body, "")
            .value(replies::Column::BodyHtml, "")
            .value(replies::Column::ContentWarning, Option::<String>::None)
            .value(replies::Column::DeletedAt, now)
            .and_where(Expr::col(replies::Column::Id).eq(reply.id))
            .and_where(Expr::col(replies::Column::DeletedAt).is_null()),
    )
    .await?;
    super::questions::forget_answer(conn, reply).await?;
    recount(conn, reply.post_id, None).await
}

/// A moderator's removal of a reply: deleted for everyone, text kept for [`restore`]. Call
/// inside a transaction.
pub async fn mark_removed<C: ConnectionTrait>(
    conn: &C,
    reply: &replies::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    lock_thread(conn, reply.post_id).await?;
    conn.execute(
        Query::update()
            .table(replies::Entity)
            .value(replies::Column::DeletedAt, now)
            .value(replies::Column::Removed, true)
            .and_where(Expr::col(replies::Column::Id).eq(reply.id))
            .and_where(Expr::col(replies::Column::DeletedAt).is_null()),
    )
    .await?;
    super::questions::forget_answer(conn, reply).await?;
    recount(conn, reply.post_id, None).await
}

/// Undoes a removal of a reply; true when there was one. Call inside a transaction.
pub async fn restore<C: ConnectionTrait>(conn: &C, reply: &replies::Model) -> Result<bool, DbErr> {
    super::memo::clear();
    lock_thread(conn, reply.post_id).await?;
    let restored = conn
        .execute(
            Query::update()
                .table(replies::Entity)
                .value(replies::Column::DeletedAt, Option::<DateTime<Utc>>::None)
                .value(replies::Column::Removed, false)
                .and_where(Expr::col(replies::Column::Id).eq(reply.id))
                .and_where(Expr::col(replies::Column::Removed).eq(true)),
        )
        .await?
        .rows_affected()
        > 0;
    recount(conn, reply.post_id, None).await?;
    Ok(restored)
}

/// Sets a live reply's content warning.
pub async fn set_content_warning<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    content_warning: Option<String>,
) -> Result<(), DbErr> {
    super::memo::clear();
    conn.execute(
        Query::update()
            .table(replies::Entity)
            .value(replies::Column::ContentWarning, content_warning)
            .and_where(Expr::col(replies::Column::Id).eq(id))
            .and_where(Expr::col(replies::Column::DeletedAt).is_null()),
    )
    .await?;
    Ok(())
}

/// A reply by ActivityPub id.
pub async fn find_by_ap_id<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
) -> Result<Option<replies::Model>, DbErr> {
    if let Some(hit) = super::memo::reply_by_ap_id(ap_id) {
        return Ok(hit);
    }
    let found = async {
        replies::Entity::find()
            .filter(replies::Column::ApId.eq(ap_id))
            .one(conn)
            .await
    }
    .await?;
    super::memo::put_reply_by_ap_id(ap_id, &found);
    Ok(found)
}

/// A reply received from another server.
pub struct NewRemoteReply {
    /// ActivityPub id.
    pub ap_id: String,
    /// Its thread.
    pub post_id: i64,
    /// The reply it answers, if any.
    pub parent_id: Option<i64>,
    /// Nesting depth.
    pub depth: i32,
    /// Its author.
    pub author_id: i64,
    /// Markdown source, when sent.
    pub body: String,
    /// Sanitised HTML.
    pub body_html: String,
    /// `published`.
    pub created_at: DateTime<Utc>,
    /// `updated`.
    pub updated_at: Option<DateTime<Utc>>,
    /// The language it is written in.
    pub language: Option<String>,
}

/// Stores a remote reply unless one with its id exists, keeping its post's counters right;
/// call inside a transaction. Returns the stored row.
pub async fn insert_remote<C: ConnectionTrait>(
    conn: &C,
    r: NewRemoteReply,
) -> Result<replies::Model, DbErr> {
    super::memo::clear();
    // Lock the thread first, so two copies of one reply arriving at once are stored once.
    lock_thread(conn, r.post_id).await?;
    if let Some(existing) = find_by_ap_id(conn, &r.ap_id).await? {
        return Ok(existing);
    }
    let (post_id, at) = (r.post_id, r.created_at);
    let stored = replies::ActiveModel {
        ap_id: Set(r.ap_id),
        post_id: Set(r.post_id),
        parent_id: Set(r.parent_id),
        depth: Set(r.depth),
        author_id: Set(r.author_id),
        body: Set(r.body),
        body_html: Set(r.body_html),
        local: Set(false),
        upvotes: Set(0),
        downvotes: Set(0),
        score: Set(0),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
        deleted_at: Set(None),
        language: Set(r.language),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    count_one_more(conn, post_id, at).await?;
    Ok(stored)
}
