//! Queries on groups and their moderators.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::ExprTrait,
};

use super::entities::{group_moderators, groups, persons};

/// A new local group.
pub struct NewLocalGroup<'a> {
    /// Name part of the handle.
    pub name: &'a str,
    /// This instance's domain.
    pub domain: &'a str,
    /// ActivityPub id.
    pub ap_id: String,
    /// Display title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// Rendered, sanitised description.
    pub description_html: String,
    /// Markdown rules.
    pub rules: String,
    /// Rendered, sanitised rules.
    pub rules_html: String,
    /// The creating person, who becomes its first moderator.
    pub creator_id: i64,
    /// The group's actor keys.
    pub keys: crate::domain::keys::KeyPair,
    /// `public` or `members`.
    pub visibility: &'a str,
    /// Creation time.
    pub now: DateTime<Utc>,
}

/// Inserts a local group and makes its creator a moderator; call inside a transaction.
pub async fn insert_local<C: ConnectionTrait>(
    conn: &C,
    new: NewLocalGroup<'_>,
) -> Result<groups::Model, DbErr> {
    super::memo::clear();
    let group = groups::ActiveModel {
        ap_id: Set(new.ap_id),
        name: Set(new.name.to_string()),
        domain: Set(new.domain.to_string()),
        local: Set(true),
        title: Set(new.title),
        description: Set(new.description),
        description_html: Set(new.description_html),
        rules: Set(new.rules),
        rules_html: Set(new.rules_html),
        inbox_url: Set(None),
        shared_inbox_url: Set(None),
        followers_url: Set(None),
        public_key: Set(Some(new.keys.public_pem)),
        private_key: Set(Some(new.keys.private_pem)),
        creator_id: Set(Some(new.creator_id)),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        visibility: Set(new.visibility.to_string()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    group_moderators::ActiveModel {
        group_id: Set(group.id),
        person_id: Set(new.creator_id),
        created_at: Set(new.now),
    }
    .insert(conn)
    .await?;
    Ok(group)
}

/// A group by id.
pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<groups::Model>, DbErr> {
    if let Some(hit) = super::memo::group(&id) {
        return Ok(hit);
    }
    let found = async { groups::Entity::find_by_id(id).one(conn).await }.await?;
    super::memo::put_group(&id, &found);
    Ok(found)
}

/// A group by name and domain.
pub async fn find_by_name<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    domain: &str,
) -> Result<Option<groups::Model>, DbErr> {
    groups::Entity::find()
        .filter(groups::Column::Name.eq(name))
        .filter(groups::Column::Domain.eq(domain))
        .one(conn)
        .await
}

/// A group by ActivityPub id.
pub async fn find_by_ap_id<C: ConnectionTrait>(
    conn: &C,
    ap_id: &str,
) -> Result<Option<groups::Model>, DbErr> {
    groups::Entity::find()
        .filter(groups::Column::ApId.eq(ap_id))
        .one(conn)
        .await
}

/// What we keep of a remote group.
pub struct RemoteGroup {
    /// ActivityPub id.
    pub ap_id: String,
    /// preferredUsername.
    pub name: String,
    /// host[:port] of the id.
    pub domain: String,
    /// Display title.
    pub title: String,
    /// Markdown source of the description, if sent.
    pub description: String,
    /// Sanitised HTML description.
    pub description_html: String,
    /// Inbox.
    pub inbox_url: String,
    /// Shared inbox.
    pub shared_inbox_url: Option<String>,
    /// Followers collection.
    pub followers_url: Option<String>,
    /// PEM public key.
    pub public_key: String,
    /// Q&A mode (`questionAnswer` on the Group, as PieFed and Cohort publish it).
    pub qa_mode: bool,
    /// `members` when its actor says it approves followers by hand, else `public`.
    pub visibility: &'static str,
}

/// Inserts or refreshes a remote group by ActivityPub id.
pub async fn upsert_remote<C: ConnectionTrait>(
    conn: &C,
    g: RemoteGroup,
    now: DateTime<Utc>,
) -> Result<groups::Model, DbErr> {
    super::memo::clear();
    use sea_orm::sea_query::OnConflict;
    groups::Entity::insert(groups::ActiveModel {
        ap_id: Set(g.ap_id.clone()),
        name: Set(g.name),
        domain: Set(g.domain),
        local: Set(false),
        title: Set(g.title),
        description: Set(g.description),
        description_html: Set(g.description_html),
        inbox_url: Set(Some(g.inbox_url)),
        shared_inbox_url: Set(g.shared_inbox_url),
        followers_url: Set(g.followers_url),
        public_key: Set(Some(g.public_key)),
        private_key: Set(None),
        creator_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        qa_mode: Set(g.qa_mode),
        visibility: Set(g.visibility.to_string()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(groups::Column::ApId)
            .update_columns([
                groups::Column::QaMode,
                groups::Column::Visibility,
                groups::Column::Title,
                groups::Column::Description,
                groups::Column::DescriptionHtml,
                groups::Column::InboxUrl,
                groups::Column::SharedInboxUrl,
                groups::Column::FollowersUrl,
                groups::Column::PublicKey,
                groups::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    find_by_ap_id(conn, &g.ap_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(g.ap_id))
}

/// What a group's moderators write about it.
pub struct About {
    /// Display title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// Its sanitised HTML.
    pub description_html: String,
    /// Markdown rules.
    pub rules: String,
    /// Their sanitised HTML.
    pub rules_html: String,
}

/// Turns a local group's Q&A mode on or off.
pub async fn set_qa_mode<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    on: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    groups::ActiveModel {
        id: Set(id),
        qa_mode: Set(on),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok(())
}

/// Sets a local group's visibility (`public` or `members`).
pub async fn set_visibility<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    visibility: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    groups::ActiveModel {
        id: Set(id),
        visibility: Set(visibility.to_string()),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok(())
}

/// The members-only groups `person` may not read: those they neither follow (accepted) nor
/// moderate; with `admin`, the groups hosted here are readable too. No person: every
/// members-only group.
pub async fn closed_to<C: ConnectionTrait>(
    conn: &C,
    person: Option<i64>,
    admin: bool,
) -> Result<Vec<i64>, DbErr> {
    use super::entities::group_followers;
    use sea_orm::sea_query::Query;
    let mut q = groups::Entity::find()
        .select_only()
        .column(groups::Column::Id)
        .filter(groups::Column::Visibility.eq("members"));
    if let Some(person) = person {
        q = q
            .filter(
                groups::Column::Id.not_in_subquery(
                    Query::select()
                        .column(group_followers::Column::GroupId)
                        .from(group_followers::Entity)
                        .and_where(group_followers::Column::PersonId.eq(person))
                        .and_where(group_followers::Column::Pending.eq(false))
                        .to_owned(),
                ),
            )
            .filter(
                groups::Column::Id.not_in_subquery(
                    Query::select()
                        .column(group_moderators::Column::GroupId)
                        .from(group_moderators::Entity)
                        .and_where(group_moderators::Column::PersonId.eq(person))
                        .to_owned(),
                ),
            );
        if admin {
            q = q.filter(groups::Column::Local.eq(false));
        }
    }
    q.into_tuple::<i64>().all(conn).await
}

/// Whether a person of `domain` (another instance) is an approved member of `group_id`:
/// what lets that instance fetch the group's content.
pub async fn has_member_from<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    domain: &str,
) -> Result<bool, DbErr> {
    use super::entities::group_followers;
    use sea_orm::sea_query::Query;
    let found = group_followers::Entity::find()
        .filter(group_followers::Column::GroupId.eq(group_id))
        .filter(group_followers::Column::Pending.eq(false))
        .filter(
            group_followers::Column::PersonId.in_subquery(
                Query::select()
                    .column(persons::Column::Id)
                    .from(persons::Entity)
                    .and_where(persons::Column::Domain.eq(domain))
                    .to_owned(),
            ),
        )
        .one(conn)
        .await?;
    Ok(found.is_some())
}

/// Replaces a local group's title, description and rules.
pub async fn update_about<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    about: About,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    super::memo::clear();
    groups::ActiveModel {
        id: Set(id),
        title: Set(about.title),
        description: Set(about.description),
        description_html: Set(about.description_html),
        rules: Set(about.rules),
        rules_html: Set(about.rules_html),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok(())
}

/// The moderators of each of `group_ids`, in the order they were added.
pub async fn moderators<C: ConnectionTrait>(
    conn: &C,
    group_ids: &[i64],
) -> Result<HashMap<i64, Vec<persons::Model>>, DbErr> {
    if group_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = group_moderators::Entity::find()
        .filter(group_moderators::Column::GroupId.is_in(group_ids.iter().copied()))
        .order_by_asc(group_moderators::Column::CreatedAt)
        .order_by_asc(group_moderators::Column::PersonId)
        .all(conn)
        .await?;
    let people = super::persons::by_ids(conn, rows.iter().map(|r| r.person_id)).await?;
    let mut out: HashMap<i64, Vec<persons::Model>> = HashMap::new();
    for r in rows {
        if let Some(p) = people.get(&r.person_id) {
            out.entry(r.group_id).or_default().push(p.clone());
        }
    }
    Ok(out)
}

/// True when `person_id` moderates `group_id`.
pub async fn is_moderator<C: ConnectionTrait>(
    conn: &C,
    group_id: i64,
    person_id: i64,
) -> Result<bool, DbErr> {
    Ok(group_moderators::Entity::find_by_id((group_id, person_id))
        .one(conn)
        .await?
        .is_some())
}

/// A page of groups ordered by name then id, after `(name, id)`.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    after: Option<(&str, i64)>,
    limit: u64,
    left_out: &std::collections::HashSet<i64>,
) -> Result<Vec<groups::Model>, DbErr> {
    let mut q = groups::Entity::find()
        .filter(groups::Column::Id.is_not_in(left_out.iter().copied()))
        .order_by_asc(groups::Column::Name)
        .order_by_asc(groups::Column::Id)
        .limit(limit);
    if let Some((name, id)) = after {
        q = q.filter(
            Condition::any()
                .add(groups::Column::Name.gt(name))
                .add(groups::Column::Name.eq(name).and(groups::Column::Id.gt(id))),
        );
    }
    q.all(conn).await
}

/// Number of local groups.
pub async fn count_local<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    groups::Entity::find()
        .filter(groups::Column::Local.eq(true))
        .count(conn)
        .await
}
