//! Groups: creation, lookup by handle, the directory.

use crate::error::Code;
use sea_orm::{DbErr, SqlErr, TransactionTrait};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    Ctx,
    accounts::CurrentUser,
    names::{GroupName, Handle},
    now,
    pagination::{Cursor, CursorKey, Page},
    text,
    views::GroupView,
};
use crate::{
    error::{Error, Result},
    storage::{self, entities::groups, groups::NewLocalGroup},
};

/// The create-group request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGroup {
    /// Name part of the handle, `[a-z0-9_]{3,32}`.
    #[schema(pattern = "^[a-z0-9_]{3,32}$")]
    pub name: String,
    /// Display title.
    #[schema(max_length = 100)]
    pub title: String,
    /// Markdown description.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// Markdown rules.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub rules: String,
    /// Who reads it: `public` (the default) or `members` (approved members only).
    #[serde(default)]
    pub visibility: Option<super::members::Visibility>,
}

/// The edit-group request (moderators): absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupEdit {
    /// New title.
    #[schema(max_length = 100)]
    pub title: Option<String>,
    /// New markdown description.
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// New markdown rules.
    #[schema(max_length = 10000)]
    pub rules: Option<String>,
    /// Q&A mode: every new post is a question (posts written before keep their kind).
    pub qa_mode: Option<bool>,
    /// Who reads it (`public` or `members`); changes only while the group has no posts or pages.
    pub visibility: Option<super::members::Visibility>,
}

/// Creates a local group; its creator becomes its first moderator.
pub async fn create(ctx: &Ctx, user: &CurrentUser, input: NewGroup) -> Result<GroupView> {
    let name = GroupName::parse(&input.name)?;
    let title = text::title("title", &input.title, text::MAX_GROUP_TITLE_CHARS)?;
    let description = text::body(
        "description",
        &input.description,
        text::MAX_DESCRIPTION_CHARS,
        false,
    )?;
    let rules = text::body("rules", &input.rules, text::MAX_DESCRIPTION_CHARS, false)?;
    let taken = || {
        Error::refused(
            Code::NameTaken,
            format!("a group named {} exists", name.as_str()),
        )
    };
    if storage::groups::find_by_name(&ctx.db, name.as_str(), &ctx.instance.domain)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    let keys = super::keys::generate().await?;
    let txn = ctx.db.begin().await?;
    let inserted = storage::groups::insert_local(
        &txn,
        NewLocalGroup {
            name: name.as_str(),
            domain: &ctx.instance.domain,
            ap_id: ctx.instance.group_url(name.as_str()),
            title,
            description_html: super::media::render_markdown(ctx, &description),
            description,
            rules_html: super::media::render_markdown(ctx, &rules),
            rules,
            creator_id: user.person.id,
            keys,
            visibility: input
                .visibility
                .unwrap_or(super::members::Visibility::Public)
                .as_str(),
            now: now(),
        },
    )
    .await;
    let group = match inserted {
        Ok(g) => g,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(taken());
        }
        Err(e) => return Err(e.into()),
    };
    txn.commit().await?;
    Ok(GroupView::new(&group, std::slice::from_ref(&user.person)))
}

/// A moderator (or, for a group here, an admin) edits a group hosted here: its title,
/// description and rules. Followers see the change when they next fetch the group.
pub async fn edit(
    ctx: &Ctx,
    user: &CurrentUser,
    raw_handle: &str,
    input: GroupEdit,
) -> Result<GroupView> {
    let group = find_by_handle(ctx, raw_handle).await?;
    if !group.local {
        return Err(Error::forbidden(
            "a group on another instance is edited there",
        ));
    }
    super::moderation::authorize(ctx, user, &group).await?;
    let about = input.title.is_some() || input.description.is_some() || input.rules.is_some();
    let title = match input.title {
        Some(t) => text::title("title", &t, text::MAX_GROUP_TITLE_CHARS)?,
        None => group.title.clone(),
    };
    let description = match input.description {
        Some(d) => text::body("description", &d, text::MAX_DESCRIPTION_CHARS, false)?,
        None => group.description.clone(),
    };
    let rules = match input.rules {
        Some(r) => text::body("rules", &r, text::MAX_DESCRIPTION_CHARS, false)?,
        None => group.rules.clone(),
    };
    // Everything is checked before anything changes.
    if let Some(v) = input.visibility {
        super::members::set_visibility(ctx, user, &group, v).await?;
    }
    if !about {
        return view(ctx, raw_handle).await;
    }
    storage::groups::update_about(
        &ctx.db,
        group.id,
        storage::groups::About {
            description_html: super::media::render_markdown(ctx, &description),
            rules_html: super::media::render_markdown(ctx, &rules),
            title,
            description,
            rules,
        },
        now(),
    )
    .await?;
    view(ctx, raw_handle).await
}

/// The group a handle names (`name` or `name@host`), if this instance knows it.
pub async fn find_by_handle(ctx: &Ctx, raw: &str) -> Result<groups::Model> {
    let handle = Handle::parse(raw)?;
    let domain = handle.host.as_deref().unwrap_or(&ctx.instance.domain);
    storage::groups::find_by_name(&ctx.db, &handle.name, domain)
        .await?
        .ok_or(Error::NotFound("group"))
}

/// A group in full, by handle.
pub async fn view(ctx: &Ctx, raw_handle: &str) -> Result<GroupView> {
    let group = find_by_handle(ctx, raw_handle).await?;
    let mods = storage::groups::moderators(&ctx.db, &[group.id]).await?;
    Ok(GroupView::new(
        &group,
        mods.get(&group.id).map(Vec::as_slice).unwrap_or_default(),
    ))
}

/// The group directory, by name. A members-only group is listed only to who may read it.
pub async fn list(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    cursor: Option<&str>,
    limit: Option<u64>,
) -> Result<Page<GroupView>> {
    let limit = super::pagination::limit(limit)?;
    let after = match Cursor::decode_opt(cursor)? {
        None => None,
        Some(Cursor {
            key: CursorKey::Text(name),
            id,
        }) => Some((name, id)),
        Some(_) => return Err(Error::invalid("cursor", "is not a cursor for this list")),
    };
    let sight = super::members::sight(ctx, viewer).await?;
    let mut rows = storage::groups::page(
        &ctx.db,
        after.as_ref().map(|(n, i)| (n.as_str(), *i)),
        limit + 1,
        sight.closed(),
    )
    .await?;
    let next = next_cursor(&mut rows, limit, |g| Cursor {
        key: CursorKey::Text(g.name.clone()),
        id: g.id,
    });
    let ids: Vec<i64> = rows.iter().map(|g| g.id).collect();
    let mods = storage::groups::moderators(&ctx.db, &ids).await?;
    Ok(Page {
        items: rows
            .iter()
            .map(|g| GroupView::new(g, mods.get(&g.id).map(Vec::as_slice).unwrap_or_default()))
            .collect(),
        next_cursor: next,
    })
}

/// Trims a `limit + 1` fetch to `limit` and returns the cursor of the next page, if any.
pub(crate) fn next_cursor<T>(
    rows: &mut Vec<T>,
    limit: u64,
    key: impl Fn(&T) -> Cursor,
) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| key(r).encode())
    } else {
        None
    }
}

/// Whether `person_id` moderates the group.
pub async fn is_moderator(ctx: &Ctx, group_id: i64, person_id: i64) -> Result<bool, DbErr> {
    storage::groups::is_moderator(&ctx.db, group_id, person_id).await
}
