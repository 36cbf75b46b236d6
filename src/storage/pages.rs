//! The knowledge base's pages and their revisions (migration `m20261206_000038_create_pages`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set, Value,
    sea_query::{Expr, OnConflict},
};

use super::queue::stmt;

use super::entities::{groups, page_proposals, page_revisions, pages};

/// A save of a page: what it reads after, and who saved it why.
pub struct Save {
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Its sanitised HTML.
    pub body_html: String,
    /// Who saved it.
    pub author_id: i64,
    /// Why (may be empty).
    pub summary: String,
    /// The revision a revert goes back to.
    pub reverts: Option<i64>,
    /// When.
    pub now: DateTime<Utc>,
}

/// Stores a new page of `group_id` at `slug` with its first revision.
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    slug: &str,
    save: Save,
) -> Result<pages::Model, DbErr> {
    let page = pages::ActiveModel {
        group_id: Set(group_id),
        slug: Set(slug.to_string()),
        title: Set(save.title.clone()),
        body: Set(save.body.clone()),
        body_html: Set(save.body_html.clone()),
        revision: Set(1),
        creator_id: Set(Some(save.author_id)),
        locked: Set(false),
        removed: Set(false),
        created_at: Set(save.now),
        updated_at: Set(save.now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    add_revision(conn, page.id, 1, save).await?;
    Ok(page)
}

async fn add_revision<C: ConnectionTrait>(
    conn: &C,
    page_id: i64,
    number: i64,
    save: Save,
) -> Result<page_revisions::Model, DbErr> {
    page_revisions::ActiveModel {
        page_id: Set(page_id),
        number: Set(number),
        author_id: Set(Some(save.author_id)),
        title: Set(save.title),
        body: Set(save.body),
        summary: Set(save.summary),
        reverts: Set(save.reverts),
        removed: Set(false),
        created_at: Set(save.now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Saves a new revision of page `page_id` made on revision `base`; `None` (nothing written)
/// when the page's newest revision is no longer `base` (someone saved in between: a
/// conflict). The check and the write are one statement, so two saves on the same base
/// cannot both succeed.
pub async fn save<C: ConnectionTrait>(
    conn: &C,
    page_id: i64,
    base: i64,
    save: Save,
) -> Result<Option<i64>, DbErr> {
    let next = base + 1;
    let updated = pages::Entity::update_many()
        .col_expr(pages::Column::Title, Expr::value(save.title.clone()))
        .col_expr(pages::Column::Body, Expr::value(save.body.clone()))
        .col_expr(pages::Column::BodyHtml, Expr::value(save.body_html.clone()))
        .col_expr(pages::Column::Revision, Expr::value(next))
        .col_expr(pages::Column::UpdatedAt, Expr::value(save.now))
        .filter(pages::Column::Id.eq(page_id))
        .filter(pages::Column::Revision.eq(base))
        .exec(conn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(None);
    }
    add_revision(conn, page_id, next, save).await?;
    Ok(Some(next))
}

/// The page of `group_id` at `slug`.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    slug: &str,
) -> Result<Option<pages::Model>, DbErr> {
    pages::Entity::find()
        .filter(pages::Column::GroupId.eq(group_id))
        .filter(pages::Column::Slug.eq(slug))
        .one(conn)
        .await
}

/// The page with local id `id`.
pub async fn find_by_id<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<pages::Model>, DbErr> {
    pages::Entity::find_by_id(id).one(conn).await
}

/// A group's pages, by title (removed ones too, for the caller to filter).
pub async fn of_group<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
) -> Result<Vec<pages::Model>, DbErr> {
    pages::Entity::find()
        .filter(pages::Column::GroupId.eq(group_id))
        .order_by_asc(pages::Column::Title)
        .order_by_asc(pages::Column::Id)
        .all(conn)
        .await
}

/// A page's revisions, newest first.
pub async fn revisions<C: ConnectionTrait>(
    conn: &C,
    page_id: i64,
) -> Result<Vec<page_revisions::Model>, DbErr> {
    page_revisions::Entity::find()
        .filter(page_revisions::Column::PageId.eq(page_id))
        .order_by_desc(page_revisions::Column::Number)
        .all(conn)
        .await
}

/// Revision `number` of a page.
pub async fn revision<C: ConnectionTrait>(
    conn: &C,
    page_id: i64,
    number: i64,
) -> Result<Option<page_revisions::Model>, DbErr> {
    page_revisions::Entity::find()
        .filter(page_revisions::Column::PageId.eq(page_id))
        .filter(page_revisions::Column::Number.eq(number))
        .one(conn)
        .await
}

/// Locks or unlocks a page, removes or restores it.
pub async fn set_state<C: ConnectionTrait>(
    conn: &C,
    page_id: i64,
    locked: bool,
    removed: bool,
) -> Result<(), DbErr> {
    pages::Entity::update_many()
        .col_expr(pages::Column::Locked, Expr::value(locked))
        .col_expr(pages::Column::Removed, Expr::value(removed))
        .filter(pages::Column::Id.eq(page_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Sets who may edit a local group's pages.
pub async fn set_editors<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    editors: &str,
) -> Result<(), DbErr> {
    super::memo::clear();
    groups::Entity::update_many()
        .col_expr(groups::Column::PageEditors, Expr::value(editors))
        .filter(groups::Column::Id.eq(group_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Replaces the threads page `page_id` links to (posts that exist; others are left out;
/// `post_ids` has no repeats).
pub async fn set_links<C: ConnectionTrait>(
    conn: &C,
    page_id: i64,
    post_ids: &[i64],
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    conn.execute_raw(stmt(
        backend,
        "DELETE FROM page_links WHERE page_id = ?",
        vec![page_id.into()],
    ))
    .await?;
    if post_ids.is_empty() {
        return Ok(());
    }
    let list = vec!["?"; post_ids.len()].join(", ");
    let mut values: Vec<Value> = vec![page_id.into()];
    values.extend(post_ids.iter().map(|id| Value::from(*id)));
    conn.execute_raw(stmt(
        backend,
        &format!(
            "INSERT INTO page_links (page_id, post_id) SELECT CAST(? AS BIGINT), id FROM posts \
             WHERE id IN ({list})"
        ),
        values,
    ))
    .await?;
    Ok(())
}

/// The pages (not removed) whose newest text links to thread `post_id`, by title.
pub async fn linking_to<C: ConnectionTrait>(
    conn: &C,
    post_id: i64,
) -> Result<Vec<pages::Model>, DbErr> {
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            "SELECT page_id FROM page_links WHERE post_id = ?",
            vec![post_id.into()],
        ))
        .await?;
    let ids = rows
        .iter()
        .map(|r| r.try_get::<i64>("", "page_id"))
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    pages::Entity::find()
        .filter(pages::Column::Id.is_in(ids))
        .filter(pages::Column::Removed.eq(false))
        .order_by_asc(pages::Column::Title)
        .all(conn)
        .await
}

/// Hides or shows again the text of revision `number` of a page.
pub async fn set_revision_removed<C: ConnectionTrait>(
    conn: &C,
    page_id: i64,
    number: i64,
    removed: bool,
) -> Result<(), DbErr> {
    page_revisions::Entity::update_many()
        .col_expr(page_revisions::Column::Removed, Expr::value(removed))
        .filter(page_revisions::Column::PageId.eq(page_id))
        .filter(page_revisions::Column::Number.eq(number))
        .exec(conn)
        .await?;
    Ok(())
}

/// A revision of a page kept elsewhere, as its home numbered it.
pub struct Copy {
    /// Its number at the page's home.
    pub number: i64,
    /// Its text, author and time.
    pub save: Save,
    /// Who wrote the page.
    pub creator_id: i64,
    /// When the page was written.
    pub created_at: DateTime<Utc>,
    /// Locked by a moderator.
    pub locked: bool,
    /// Removed by a moderator.
    pub removed: bool,
}

/// Keeps the copy of page `slug` of `group_id` (a group hosted elsewhere): written when
/// new; its text replaced when `copy` is newer than the copy's newest revision; its lock
/// and removal set when it is that revision or newer; the revision stored in its history
/// unless it is there already.
pub async fn copy<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    slug: &str,
    copy: Copy,
) -> Result<pages::Model, DbErr> {
    let page = match find(conn, group_id, slug).await? {
        Some(p) => p,
        None => {
            pages::ActiveModel {
                group_id: Set(group_id),
                slug: Set(slug.to_string()),
                title: Set(copy.save.title.clone()),
                body: Set(copy.save.body.clone()),
                body_html: Set(copy.save.body_html.clone()),
                revision: Set(copy.number),
                creator_id: Set(Some(copy.creator_id)),
                locked: Set(copy.locked),
                removed: Set(copy.removed),
                created_at: Set(copy.created_at),
                updated_at: Set(copy.save.now),
                ..Default::default()
            }
            .insert(conn)
            .await?
        }
    };
    if copy.number >= page.revision {
        let mut row = page.clone().into_active_model();
        if copy.number > page.revision {
            row.title = Set(copy.save.title.clone());
            row.body = Set(copy.save.body.clone());
            row.body_html = Set(copy.save.body_html.clone());
            row.revision = Set(copy.number);
            row.updated_at = Set(copy.save.now);
        }
        row.locked = Set(copy.locked);
        row.removed = Set(copy.removed);
        row.update(conn).await?;
    }
    let s = copy.save;
    page_revisions::Entity::insert(page_revisions::ActiveModel {
        page_id: Set(page.id),
        number: Set(copy.number),
        author_id: Set(Some(s.author_id)),
        title: Set(s.title),
        body: Set(s.body),
        summary: Set(s.summary),
        reverts: Set(s.reverts),
        removed: Set(false),
        created_at: Set(s.now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            page_revisions::Column::PageId,
            page_revisions::Column::Number,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    pages::Entity::find_by_id(page.id)
        .one(conn)
        .await?
        .ok_or(DbErr::RecordNotFound("page".into()))
}

/// Marks exactly the revisions `numbers` of page `page_id` as removed (the others shown).
pub async fn set_removed_revisions<C: ConnectionTrait>(
    conn: &C,
    page_id: i64,
    numbers: &[i64],
) -> Result<(), DbErr> {
    page_revisions::Entity::update_many()
        .col_expr(page_revisions::Column::Removed, Expr::value(false))
        .filter(page_revisions::Column::PageId.eq(page_id))
        .filter(page_revisions::Column::Number.is_not_in(numbers.iter().copied()))
        .filter(page_revisions::Column::Removed.eq(true))
        .exec(conn)
        .await?;
    if numbers.is_empty() {
        return Ok(());
    }
    page_revisions::Entity::update_many()
        .col_expr(page_revisions::Column::Removed, Expr::value(true))
        .filter(page_revisions::Column::PageId.eq(page_id))
        .filter(page_revisions::Column::Number.is_in(numbers.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}

/// The numbers of page `page_id`'s revisions whose text a moderator removed.
pub async fn removed_revisions<C: ConnectionTrait>(
    conn: &C,
    page_id: i64,
) -> Result<Vec<i64>, DbErr> {
    page_revisions::Entity::find()
        .select_only()
        .column(page_revisions::Column::Number)
        .filter(page_revisions::Column::PageId.eq(page_id))
        .filter(page_revisions::Column::Removed.eq(true))
        .order_by_asc(page_revisions::Column::Number)
        .into_tuple()
        .all(conn)
        .await
}

/// Stores a proposal (its `id` is ignored) and returns it.
pub async fn propose<C: ConnectionTrait>(
    conn: &C,
    p: page_proposals::Model,
) -> Result<page_proposals::Model, DbErr> {
    let mut row = p.into_active_model();
    row.id = sea_orm::ActiveValue::NotSet;
    row.insert(conn).await
}

/// The proposal sent as activity `activity_id`.
pub async fn proposal<C: ConnectionTrait>(
    conn: &C,
    activity_id: &str,
) -> Result<Option<page_proposals::Model>, DbErr> {
    page_proposals::Entity::find()
        .filter(page_proposals::Column::ActivityId.eq(activity_id))
        .one(conn)
        .await
}

/// Records the group's answer to the proposal sent as `activity_id`.
pub async fn set_proposal_state<C: ConnectionTrait>(
    conn: &C,
    activity_id: &str,
    state: &str,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    page_proposals::Entity::update_many()
        .col_expr(page_proposals::Column::State, Expr::value(state))
        .col_expr(page_proposals::Column::Reason, Expr::value(reason))
        .col_expr(page_proposals::Column::UpdatedAt, Expr::value(now))
        .filter(page_proposals::Column::ActivityId.eq(activity_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Person `person_id`'s proposals for page `slug` of `group_id` not (yet) saved by the
/// group, newest first (the last ten).
pub async fn open_proposals<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    slug: &str,
    person_id: i64,
) -> Result<Vec<page_proposals::Model>, DbErr> {
    page_proposals::Entity::find()
        .filter(page_proposals::Column::GroupId.eq(group_id))
        .filter(page_proposals::Column::Slug.eq(slug))
        .filter(page_proposals::Column::PersonId.eq(person_id))
        .filter(page_proposals::Column::State.ne("accepted"))
        .order_by_desc(page_proposals::Column::Id)
        .limit(10)
        .all(conn)
        .await
}
