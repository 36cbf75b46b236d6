//! Stored pictures and files (`media`) and what shows them (`media_links`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait},
};

use super::entities::{groups, media, media_links, persons};

/// What is known of a file before it is stored.
#[derive(Debug, Clone)]
pub struct NewMedia {
    /// Its name in the store and in its URL.
    pub key: String,
    /// Who uploaded it; none for a cached remote image.
    pub owner_id: Option<i64>,
    /// `image` or `document`.
    pub kind: &'static str,
    /// Its content type.
    pub content_type: String,
    /// Its extension.
    pub ext: String,
    /// The file and its thumbnail, bytes.
    pub bytes: i64,
    /// Width and height (images).
    pub size: Option<(u32, u32)>,
    /// Alt text.
    pub alt: String,
    /// The uploaded file's name.
    pub name: String,
    /// For a cached copy: the remote URL and its SHA-256.
    pub remote: Option<(String, String)>,
}

/// Stores the row of a file already written to the store.
pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    new: NewMedia,
    now: DateTime<Utc>,
) -> Result<media::Model, DbErr> {
    let (remote_url, remote_hash) = new.remote.unzip();
    media::ActiveModel {
        key: Set(new.key),
        owner_id: Set(new.owner_id),
        kind: Set(new.kind.to_string()),
        content_type: Set(new.content_type),
        ext: Set(new.ext),
        bytes: Set(new.bytes),
        width: Set(new.size.map(|(w, _)| w as i32)),
        height: Set(new.size.map(|(_, h)| h as i32)),
        alt: Set(new.alt),
        name: Set(new.name),
        remote_url: Set(remote_url),
        remote_hash: Set(remote_hash),
        created_at: Set(now),
        used_at: Set(now),
        removed: Set(false),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// The file named `key`.
pub async fn by_key<C: ConnectionTrait>(
    conn: &C,
    key: &str,
) -> Result<Option<media::Model>, DbErr> {
    media::Entity::find()
        .filter(media::Column::Key.eq(key))
        .one(conn)
        .await
}

/// The file with this id.
pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<media::Model>, DbErr> {
    media::Entity::find_by_id(id).one(conn).await
}

/// The uploads (not cached copies) named by `keys`, not removed.
pub async fn uploads_by_keys<C: ConnectionTrait>(
    conn: &C,
    keys: &[String],
) -> Result<Vec<media::Model>, DbErr> {
    if keys.is_empty() {
        return Ok(vec![]);
    }
    media::Entity::find()
        .filter(media::Column::Key.is_in(keys.iter().cloned()))
        .filter(media::Column::RemoteHash.is_null())
        .filter(media::Column::Removed.eq(false))
        .all(conn)
        .await
}

#[derive(FromQueryResult)]
struct Total {
    total: Option<i64>,
}

/// The bytes `owner` keeps uploaded (every upload when `None`).
pub async fn uploaded_bytes<C: ConnectionTrait>(
    conn: &C,
    owner: Option<i64>,
) -> Result<i64, DbErr> {
    let mut q = media::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(SUM(bytes) AS BIGINT)"), "total")
        .filter(media::Column::RemoteHash.is_null());
    if let Some(o) = owner {
        q = q.filter(media::Column::OwnerId.eq(o));
    }
    let row = q.into_model::<Total>().one(conn).await?;
    Ok(row.and_then(|r| r.total).unwrap_or(0))
}

/// The bytes the cached copies of remote images take.
pub async fn cached_bytes<C: ConnectionTrait>(conn: &C) -> Result<i64, DbErr> {
    let row = media::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(SUM(bytes) AS BIGINT)"), "total")
        .filter(media::Column::RemoteHash.is_not_null())
        .into_model::<Total>()
        .one(conn)
        .await?;
    Ok(row.and_then(|r| r.total).unwrap_or(0))
}

/// Makes `media_ids` the files `object` (`kind`: 0 a post, 1 a reply, 2 a page) shows.
pub async fn set_links<C: ConnectionTrait>(
    conn: &C,
    kind: i16,
    object_id: i64,
    media_ids: &[i64],
) -> Result<(), DbErr> {
    media_links::Entity::delete_many()
        .filter(media_links::Column::Kind.eq(kind))
        .filter(media_links::Column::ObjectId.eq(object_id))
        .exec(conn)
        .await?;
    if media_ids.is_empty() {
        return Ok(());
    }
    media_links::Entity::insert_many(media_ids.iter().map(|&media_id| media_links::ActiveModel {
        kind: Set(kind),
        object_id: Set(object_id),
        media_id: Set(media_id),
    }))
    .exec(conn)
    .await
    .map(|_| ())
}

/// The files `object` shows, in upload order, without removed ones.
pub async fn linked<C: ConnectionTrait>(
    conn: &C,
    kind: i16,
    object_id: i64,
) -> Result<Vec<media::Model>, DbErr> {
    let ids: Vec<i64> = media_links::Entity::find()
        .select_only()
        .column(media_links::Column::MediaId)
        .filter(media_links::Column::Kind.eq(kind))
        .filter(media_links::Column::ObjectId.eq(object_id))
        .into_tuple()
        .all(conn)
        .await?;
    if ids.is_empty() {
        return Ok(vec![]);
    }
    media::Entity::find()
        .filter(media::Column::Id.is_in(ids))
        .filter(media::Column::Removed.eq(false))
        .order_by_asc(media::Column::Id)
        .all(conn)
        .await
}

/// What shows file `media_id`: `(kind, object_id)` pairs.
pub async fn uses<C: ConnectionTrait>(conn: &C, media_id: i64) -> Result<Vec<(i16, i64)>, DbErr> {
    media_links::Entity::find()
        .select_only()
        .column(media_links::Column::Kind)
        .column(media_links::Column::ObjectId)
        .filter(media_links::Column::MediaId.eq(media_id))
        .into_tuple()
        .all(conn)
        .await
}

/// Whether file `media_id` is an avatar, an icon or a banner.
pub async fn is_picture_of_actor<C: ConnectionTrait>(
    conn: &C,
    media_id: i64,
) -> Result<bool, DbErr> {
    use sea_orm::PaginatorTrait;
    let people = persons::Entity::find()
        .filter(persons::Column::AvatarId.eq(media_id))
        .count(conn)
        .await?;
    let groups = groups::Entity::find()
        .filter(
            groups::Column::IconId
                .eq(media_id)
                .or(groups::Column::BannerId.eq(media_id)),
        )
        .count(conn)
        .await?;
    Ok(people + groups > 0)
}

/// An upload nothing refers to: no link, avatar, icon or banner.
const UNREFERENCED: &str = "(NOT EXISTS (SELECT 1 FROM media_links l WHERE l.media_id = media.id) \
     AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.avatar_id = media.id) \
     AND NOT EXISTS (SELECT 1 FROM groups g WHERE g.icon_id = media.id OR g.banner_id = media.id))";

/// Uploads nothing refers to (no link, avatar, icon or banner) made before `before`, and
/// removed files: what the clean-up deletes, at most `limit`.
pub async fn unused<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<media::Model>, DbErr> {
    let unreferenced = Expr::cust(UNREFERENCED);
    media::Entity::find()
        .filter(media::Column::RemoteHash.is_null())
        .filter(
            media::Column::Removed
                .eq(true)
                .or(unreferenced.and(media::Column::CreatedAt.lt(before))),
        )
        .order_by_asc(media::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// The cached copy of the remote image whose URL hashes to `hash`.
pub async fn cached<C: ConnectionTrait>(
    conn: &C,
    hash: &str,
) -> Result<Option<media::Model>, DbErr> {
    media::Entity::find()
        .filter(media::Column::RemoteHash.eq(hash))
        .one(conn)
        .await
}

/// Notes that a cached copy was shown (at most once a minute per copy is enough for the
/// least-recently-shown order; the caller decides).
pub async fn touch<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    media::Entity::update_many()
        .col_expr(media::Column::UsedAt, Expr::value(now))
        .filter(media::Column::Id.eq(id))
        .exec(conn)
        .await
        .map(|_| ())
}

/// The least recently shown cached copies, oldest first, at most `limit`.
pub async fn least_recent<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<media::Model>, DbErr> {
    media::Entity::find()
        .filter(media::Column::RemoteHash.is_not_null())
        .order_by_asc(media::Column::UsedAt)
        .order_by_asc(media::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Marks a file removed by a moderator; no one keeps it as a picture.
pub async fn mark_removed<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    forget_as_picture(conn, id).await?;
    media::Entity::update_many()
        .col_expr(media::Column::Removed, Expr::value(true))
        .filter(media::Column::Id.eq(id))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Forgets a file's row (its links go with it); no person or group keeps it as a picture.
pub async fn delete<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    forget_as_picture(conn, id).await?;
    media::Entity::delete_by_id(id).exec(conn).await.map(|_| ())
}

/// No person or group keeps file `id` as its avatar, icon or banner any more.
pub async fn forget_as_picture<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    super::memo::clear();
    persons::Entity::update_many()
        .col_expr(persons::Column::AvatarId, Expr::value(Option::<i64>::None))
        .filter(persons::Column::AvatarId.eq(id))
        .exec(conn)
        .await?;
    for col in [groups::Column::IconId, groups::Column::BannerId] {
        groups::Entity::update_many()
            .col_expr(col, Expr::value(Option::<i64>::None))
            .filter(col.eq(id))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Deletes the row of upload `id` if it is still unused as [`unused`] found it (removed, or
/// referred to by nothing); whether it was deleted. Checked in the DELETE itself, so an
/// upload linked meanwhile is kept.
pub async fn delete_if_unused<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    before: DateTime<Utc>,
) -> Result<bool, DbErr> {
    forget_removed_picture(conn, id).await?;
    let unreferenced = Expr::cust(UNREFERENCED);
    let done = media::Entity::delete_many()
        .filter(media::Column::Id.eq(id))
        .filter(
            media::Column::Removed
                .eq(true)
                .or(unreferenced.and(media::Column::CreatedAt.lt(before))),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected > 0)
}

/// A removed file stops being anyone's picture (an unremoved one that is a picture is not
/// deleted at all).
async fn forget_removed_picture<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    let removed = media::Entity::find_by_id(id)
        .one(conn)
        .await?
        .is_some_and(|m| m.removed);
    if removed {
        forget_as_picture(conn, id).await?;
    }
    Ok(())
}

/// A person's uploads, newest first, at most `limit`.
pub async fn of_owner<C: ConnectionTrait>(
    conn: &C,
    owner: i64,
    limit: u64,
) -> Result<Vec<media::Model>, DbErr> {
    media::Entity::find()
        .filter(media::Column::OwnerId.eq(owner))
        .filter(media::Column::Removed.eq(false))
        .order_by_desc(media::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Sets (or clears) a person's uploaded avatar.
pub async fn set_avatar<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    media_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    persons::Entity::update_many()
        .col_expr(persons::Column::AvatarId, Expr::value(media_id))
        .col_expr(persons::Column::UpdatedAt, Expr::value(now))
        .filter(persons::Column::Id.eq(person_id))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Sets (or clears) a group's uploaded icon (`banner` false) or banner.
pub async fn set_group_picture<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    banner: bool,
    media_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    let col = if banner {
        groups::Column::BannerId
    } else {
        groups::Column::IconId
    };
    groups::Entity::update_many()
        .col_expr(col, Expr::value(media_id))
        .col_expr(groups::Column::UpdatedAt, Expr::value(now))
        .filter(groups::Column::Id.eq(group_id))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Stores the avatar address a remote person's actor names (when it changed).
pub async fn set_remote_avatar<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    url: Option<String>,
) -> Result<(), DbErr> {
    super::memo::clear();
    persons::Entity::update_many()
        .col_expr(persons::Column::AvatarUrl, Expr::value(url.clone()))
        .filter(persons::Column::Id.eq(person_id))
        .filter(persons::Column::Local.eq(false))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Stores the icon and banner addresses a remote group's actor names.
pub async fn set_remote_group_pictures<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    icon: Option<String>,
    banner: Option<String>,
) -> Result<(), DbErr> {
    super::memo::clear();
    groups::Entity::update_many()
        .col_expr(groups::Column::IconUrl, Expr::value(icon))
        .col_expr(groups::Column::BannerUrl, Expr::value(banner))
        .filter(groups::Column::Id.eq(group_id))
        .filter(groups::Column::Local.eq(false))
        .exec(conn)
        .await
        .map(|_| ())
}
