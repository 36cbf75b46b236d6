//! Queries on posts.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Value,
    sea_query::{Expr, ExprTrait, Query},
};

use super::entities::posts;
use crate::domain::pagination::{Cursor, CursorKey, PostSort};

/// A new post written here.
pub struct NewLocalPost {
    /// The group it is posted in.
    pub group_id: i64,
    /// The author.
    pub author_id: i64,
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Rendered, sanitised body.
    pub body_html: String,
    /// Initial hot rank.
    pub hot_rank: f64,
    /// Creation time.
    pub now: DateTime<Utc>,
    /// A question (not a discussion).
    pub question: bool,
    /// The language it is written in.
    pub language: Option<String>,
}

/// Inserts a local post and gives it its ActivityPub id (which contains its row id); call
/// inside a transaction so the placeholder id is never seen.
pub async fn insert_local<C: ConnectionTrait>(
    conn: &C,
    new: NewLocalPost,
    ap_id_for: impl FnOnce(i64) -> String,
) -> Result<posts::Model, DbErr> {
    super::memo::clear();
    let post = posts::ActiveModel {
        ap_id: Set(super::pending_ap_id()),
        group_id: Set(new.group_id),
        author_id: Set(new.author_id),
        title: Set(new.title),
        body: Set(new.body),
        body_html: Set(new.body_html),
        local: Set(true),
        upvotes: Set(0),
        downvotes: Set(0),
        score: Set(0),
        hot_rank: Set(new.hot_rank),
        reply_count: Set(0),
        last_activity_at: Set(new.now),
        created_at: Set(new.now),
        updated_at: Set(None),
        deleted_at: Set(None),
        question: Set(new.question),
        language: Set(new.language),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let mut active: posts::ActiveModel = post.into();
    let id = *active.id.as_ref();
    active.ap_id = Set(ap_id_for(id));
    active.update(conn).await
}

/// A post by id.
pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<posts::Model>, DbErr> {
    if let Some(hit) = super::memo::post(&id) {
        return Ok(hit);
    }
    let found = async { posts::Entity::find_by_id(id).one(conn).await }.await?;
    super::memo::put_post(&id, &found);
    Ok(found)
}

/// The column a sort orders by.
fn sort_column(sort: PostSort) -> posts::Column {
    match sort {
        PostSort::New => posts::Column::CreatedAt,
        PostSort::Active => posts::Column::LastActivityAt,
        PostSort::Hot => posts::Column::HotRank,
        PostSort::Top => posts::Column::Score,
    }
}

/// The cursor key of `post` under `sort`.
pub fn sort_key(post: &posts::Model, sort: PostSort) -> CursorKey {
    match sort {
        PostSort::New => CursorKey::Time(post.created_at),
        PostSort::Active => CursorKey::Active(post.last_activity_at),
        PostSort::Hot => CursorKey::Float(post.hot_rank),
        PostSort::Top => CursorKey::Int(i64::from(post.score)),
    }
}

/// A page of a group's live (not deleted) posts in `sort` order, strictly after `after`.
/// Returns `None` when the cursor was issued for another sort.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    sort: PostSort,
    after: Option<&Cursor>,
    limit: u64,
    questions: super::questions::QuestionFilter,
) -> Result<Option<Vec<posts::Model>>, DbErr> {
    let col = sort_column(sort);
    let mut q = super::questions::filtered(posts::Entity::find(), questions)
        .filter(posts::Column::GroupId.eq(group_id))
        .filter(posts::Column::DeletedAt.is_null())
        .order_by_desc(col)
        .order_by_desc(posts::Column::Id)
        .limit(limit);
    if let Some(c) = after {
        let key: Value = match (&c.key, sort) {
            (CursorKey::Time(t), PostSort::New) | (CursorKey::Active(t), PostSort::Active) => {
                (*t).into()
            }
            (CursorKey::Float(f), PostSort::Hot) => (*f).into(),
            (CursorKey::Int(i), PostSort::Top) => match i32::try_from(*i) {
                Ok(v) => v.into(),
                Err(_) => return Ok(None),
            },
            _ => return Ok(None),
        };
        q = q.filter(
            Condition::any()
                .add(col.lt(key.clone()))
                .add(col.eq(key).and(posts::Column::Id.lt(c.id))),
        );
    }
    q.all(conn).await.map(Some)
}

/// Replaces the title and body of a live post; `None` when it is deleted (or gone).
pub async fn update_content<C: ConnectionTrait>(
    conn: &C,
    post: posts::Model,
    title: String,
    body: String,
    body_html: String,
    now: DateTime<Utc>,
) -> Result<Option<posts::Model>, DbErr> {
    super::memo::clear();
    // Only a live post: an edit racing a deletion must not write text back onto the tombstone.
    let changed = conn
        .execute(
            Query::update()
                .table(posts::Entity)
                .value(posts::Column::Title, title)
                .value(posts::Column::Body, body)
                .value(posts::Column::BodyHtml, body_html)
                .value(posts::Column::UpdatedAt, now)
                .and_where(Expr::col(posts::Column::Id).eq(post.id))
                .and_where(Expr::col(posts::Column::DeletedAt).is_null()),
        )
        .await?
        .rows_affected();
    if changed == 0 {
        return Ok(None);
    }
    find(conn, post.id).await
}

/// Sets the language a post is written in.
pub async fn set_language<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    language: Option<String>,
) -> Result<(), DbErr> {
    super::memo::clear();
    conn.execute(
        Query::update()
            .table(posts::Entity)
            .value(posts::Column::Language, language)
            .and_where(Expr::col(posts::Column::Id).eq(id)),
    )
    .await?;
    Ok(())
}

/// Turns a post into a tombstone: its text is erased, its thread stays.
pub async fn mark_deleted<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    conn.execute(
        Query::update()
            .table(posts::Entity)
            .value(posts::Column::Title, "")
            .value(posts::Column::Body, "")
            .value(posts::Column::BodyHtml, "")
            .value(posts::Column::ContentWarning, Option::<String>::None)
            .value(posts::Column::DeletedAt, now)
            .and_where(Expr::col(posts::Column::Id).eq(id))
            .and_where(Expr::col(posts::Column::DeletedAt).is_null()),
    )
    .await?;
    Ok(())
}

/// What a remote post carries besides its text: its content warning, and whether its group
/// locked or pinned it (as the group's server reports).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// Content warning (`summary` of a `sensitive` object).
    pub content_warning: Option<String>,
    /// `commentsEnabled: false`.
    pub locked: Option<bool>,
    /// `stickied`.
    pub pinned: Option<bool>,
    /// A question: `cohort:question`, or any post in a group in Q&A mode (PieFed's
    /// `questionAnswer` communities mark no post).
    pub question: Option<bool>,
}

/// Stores a post's [`Extras`]; fields given as `None` are left as they are.
pub async fn set_extras<C: ConnectionTrait>(conn: &C, id: i64, x: Extras) -> Result<(), DbErr> {
    super::memo::clear();
    let mut q = Query::update();
    q.table(posts::Entity)
        .value(posts::Column::ContentWarning, x.content_warning)
        .and_where(Expr::col(posts::Column::Id).eq(id))
        .and_where(Expr::col(posts::Column::DeletedAt).is_null());
    if let Some(locked) = x.locked {
        q.value(posts::Column::Locked, locked);
    }
    if let Some(pinned) = x.pinned {
        q.value(posts::Column::Pinned, pinned);
    }
    if let Some(question) = x.question {
        q.value(posts::Column::Question, question);
    }
    conn.execute(&q).await?;
    Ok(())
}

/// A thread's moderation flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// No new replies.
    Locked,
    /// Shown first in its group.
    Pinned,
}

/// Sets (`true`) or clears one of a thread's [`Flag`]s.
pub async fn set_flag<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    flag: Flag,
    value: bool,
) -> Result<(), DbErr> {
    super::memo::clear();
    let column = match flag {
        Flag::Locked => posts::Column::Locked,
        Flag::Pinned => posts::Column::Pinned,
    };
    conn.execute(
        Query::update()
            .table(posts::Entity)
            .value(column, value)
            .and_where(Expr::col(posts::Column::Id).eq(id)),
    )
    .await?;
    Ok(())
}

/// A moderator's removal: the post is deleted for everyone but its text is kept, so it can
/// be restored ([`restore`]).
pub async fn mark_removed<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    conn.execute(
        Query::update()
            .table(posts::Entity)
            .value(posts::Column::DeletedAt, now)
            .value(posts::Column::Removed, true)
            .and_where(Expr::col(posts::Column::Id).eq(id))
            .and_where(Expr::col(posts::Column::DeletedAt).is_null()),
    )
    .await?;
    Ok(())
}

/// Undoes a removal; true when there was one (an author's deletion is not undone).
pub async fn restore<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool, DbErr> {
    super::memo::clear();
    Ok(conn
        .execute(
            Query::update()
                .table(posts::Entity)
                .value(posts::Column::DeletedAt, Option::<DateTime<Utc>>::None)
                .value(posts::Column::Removed, false)
                .and_where(Expr::col(posts::Column::Id).eq(id))
                .and_where(Expr::col(posts::Column::Removed).eq(true)),
        )
        .await?
        .rows_affected()
        > 0)
}

/// Whether a group has any post, deleted ones included.
pub async fn exists_in_group<C: ConnectionTrait>(conn: &C, group_id: i64) -> Result<bool, DbErr> {
    Ok(posts::Entity::find()
        .filter(posts::Column::GroupId.eq(group_id))
        .one(conn)
        .await?
        .is_some())
}

/// Number of live posts in a group.
pub async fn count_in_group<C: ConnectionTrait>(conn: &C, group_id: i64) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    posts::Entity::find()
        .filter(posts::Column::GroupId.eq(group_id))
        .filter(posts::Column::DeletedAt.is_null())
        .count(conn)
        .await
}

/// Number of live local posts.
pub async fn count_local<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    posts::Entity::find()
        .filter(posts::Column::Local.eq(true))
        .filter(posts::Column::DeletedAt.is_null())
        .count(conn)
        .await
}

/// A post by ActivityPub id.
pub async fn find_by_ap_id<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
) -> Result<Option<posts::Model>, DbErr> {
    if let Some(hit) = super::memo::post_by_ap_id(ap_id) {
        return Ok(hit);
    }
    let found = async {
        posts::Entity::find()
            .filter(posts::Column::ApId.eq(ap_id))
            .one(conn)
            .await
    }
    .await?;
    super::memo::put_post_by_ap_id(ap_id, &found);
    Ok(found)
}

/// A post received from another server.
pub struct NewRemotePost {
    /// ActivityPub id.
    pub ap_id: String,
    /// Its group.
    pub group_id: i64,
    /// Its author.
    pub author_id: i64,
    /// Title.
    pub title: String,
    /// Markdown source, when sent.
    pub body: String,
    /// Sanitised HTML.
    pub body_html: String,
    /// Hot rank at score 0.
    pub hot_rank: f64,
    /// `published`.
    pub created_at: DateTime<Utc>,
    /// `updated`.
    pub updated_at: Option<DateTime<Utc>>,
    /// The language it is written in.
    pub language: Option<String>,
}

/// Stores a remote post unless one with its id exists; returns the stored row.
pub async fn insert_remote<C: ConnectionTrait>(
    conn: &C,
    p: NewRemotePost,
) -> Result<posts::Model, DbErr> {
    super::memo::clear();
    use sea_orm::sea_query::OnConflict;
    posts::Entity::insert(posts::ActiveModel {
        ap_id: Set(p.ap_id.clone()),
        group_id: Set(p.group_id),
        author_id: Set(p.author_id),
        title: Set(p.title),
        body: Set(p.body),
        body_html: Set(p.body_html),
        local: Set(false),
        upvotes: Set(0),
        downvotes: Set(0),
        score: Set(0),
        hot_rank: Set(p.hot_rank),
        reply_count: Set(0),
        last_activity_at: Set(p.created_at),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
        deleted_at: Set(None),
        language: Set(p.language),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(posts::Column::ApId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    find_by_ap_id(conn, &p.ap_id)
        .await?
        .ok_or(DbErr::RecordNotFound(p.ap_id))
}

/// A group's pinned posts (not deleted or removed), newest first, at most `limit`.
pub async fn pinned<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    limit: u64,
) -> Result<Vec<posts::Model>, DbErr> {
    posts::Entity::find()
        .filter(posts::Column::GroupId.eq(group_id))
        .filter(posts::Column::Pinned.eq(true))
        .filter(posts::Column::DeletedAt.is_null())
        .filter(posts::Column::Removed.eq(false))
        .order_by_desc(posts::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}
