//! What the web pages read beyond one group or thread: the home feed, a person's profile,
//! and search. Read-only; the same hiding rules as listings (deleted content is left out,
//! content from refused instances is not shown).

use std::collections::HashMap;

use serde::Serialize;

use super::{
    Ctx,
    accounts::CurrentUser,
    posts::hidden_authors,
    views::{GroupRef, GroupView, PersonRef, PostView, ReplyView},
};
use crate::{
    error::{Error, Result},
    storage::{
        self,
        entities::{posts, replies},
        votes::Target,
    },
};

/// Posts shown on the home page.
pub const HOME_POSTS: u64 = 30;
/// Posts and replies shown on a profile.
pub const PROFILE_ITEMS: u64 = 20;
/// Groups shown by a search.
pub const SEARCH_RESULTS: u64 = 25;
/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// A reply shown outside its thread, with where it belongs.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyInContext {
    /// The reply.
    pub reply: ReplyView,
    /// The post whose thread it is in.
    pub post_id: i64,
    /// That post's title.
    pub post_title: String,
    /// The group of that post.
    pub group: GroupRef,
}

/// A person's page.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    /// Who.
    pub person: PersonRef,
    /// Their latest posts known here.
    pub posts: Vec<PostView>,
    /// Their latest replies known here.
    pub replies: Vec<ReplyInContext>,
    /// Their replies accepted as answers, newest acceptance first.
    pub answers: Vec<ReplyInContext>,
}

/// Views of post rows from any groups, in the given order, leaving out refused authors.
pub(crate) async fn post_views(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    rows: Vec<posts::Model>,
) -> Result<Vec<PostView>> {
    let groups = storage::feeds::groups_by_ids(&ctx.db, rows.iter().map(|p| p.group_id)).await?;
    let authors = storage::persons::by_ids(&ctx.db, rows.iter().map(|p| p.author_id)).await?;
    let hidden_ids = hidden_authors(ctx, viewer, &authors).await?;
    let sight = super::members::sight(ctx, viewer).await?;
    let hidden = |id: &i64| hidden_ids.contains(id);
    let rows: Vec<posts::Model> = rows
        .into_iter()
        .filter(|p| sight.sees(p.group_id))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let votes = match viewer {
        Some(u) => storage::votes::mine(&ctx.db, Target::Post, u.person.id, &ids).await?,
        None => HashMap::new(),
    };
    let mut views: Vec<PostView> = rows
        .iter()
        .filter(|p| !hidden(&p.author_id))
        .filter_map(|p| {
            let g = groups.get(&p.group_id)?;
            Some(PostView::new(p, g, &authors, votes.get(&p.id).copied()))
        })
        .collect();
    super::questions::attach_answers(ctx, viewer, &mut views, &rows).await?;
    Ok(views)
}

/// Views of reply rows with their posts and groups, leaving out refused authors and replies
/// in deleted posts.
pub(crate) async fn reply_views(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    rows: Vec<replies::Model>,
) -> Result<Vec<ReplyInContext>> {
    let posts = storage::feeds::posts_by_ids(&ctx.db, rows.iter().map(|r| r.post_id)).await?;
    let groups = storage::feeds::groups_by_ids(&ctx.db, posts.values().map(|p| p.group_id)).await?;
    let authors = storage::persons::by_ids(
        &ctx.db,
        rows.iter()
            .map(|r| r.author_id)
            .chain(posts.values().map(|p| p.author_id)),
    )
    .await?;
    let hidden_ids = hidden_authors(ctx, viewer, &authors).await?;
    let sight = super::members::sight(ctx, viewer).await?;
    let hidden = |id: &i64| hidden_ids.contains(id);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let votes = match viewer {
        Some(u) => storage::votes::mine(&ctx.db, Target::Reply, u.person.id, &ids).await?,
        None => HashMap::new(),
    };
    Ok(rows
        .iter()
        .filter(|r| !hidden(&r.author_id))
        .filter_map(|r| {
            let post = posts.get(&r.post_id).filter(|p| p.deleted_at.is_none())?;
            if hidden(&post.author_id) || !sight.sees(post.group_id) {
                return None;
            }
            let group = groups.get(&post.group_id)?;
            let mut reply = ReplyView::new(r, &authors, votes.get(&r.id).copied());
            reply.accepted = post.question && post.answer_id == Some(r.id);
            Some(ReplyInContext {
                reply,
                post_id: post.id,
                post_title: post.title.clone(),
                group: GroupRef::from(group),
            })
        })
        .collect())
}

/// The home feed: the most recently active posts in the viewer's groups; for a visitor, in
/// all groups known here.
pub async fn home(ctx: &Ctx, viewer: Option<&CurrentUser>) -> Result<Vec<PostView>> {
    let rows =
        storage::feeds::recent_posts(&ctx.db, viewer.map(|u| u.person.id), HOME_POSTS).await?;
    post_views(ctx, viewer, rows).await
}

/// A person's profile by `username` and `domain` (this instance's for a local person).
pub async fn profile(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    username: &str,
    domain: &str,
) -> Result<Profile> {
    let person = storage::feeds::person_by_handle(&ctx.db, username, domain)
        .await?
        .ok_or(Error::NotFound("person"))?;
    if !person.local && ctx.blocked.contains(&ctx.db, &person.domain).await? {
        return Err(Error::NotFound("person"));
    }
    let posts = storage::feeds::posts_by(&ctx.db, person.id, PROFILE_ITEMS).await?;
    let replies = storage::feeds::replies_by(&ctx.db, person.id, PROFILE_ITEMS).await?;
    Ok(Profile {
        person: PersonRef::from(&person),
        posts: post_views(ctx, viewer, posts).await?,
        replies: reply_views(ctx, viewer, replies).await?,
        answers: super::questions::accepted_of(ctx, viewer, person.id).await?,
    })
}

/// Groups whose name or title contains `text` (the directory's and the search page's
/// group list; posts and replies are searched by `search::search`).
pub async fn search_groups(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    text: &str,
) -> Result<Vec<GroupView>> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_SEARCH_CHARS || text.contains('\0') {
        return Err(Error::invalid(
            "q",
            format!("give 1 to {MAX_SEARCH_CHARS} characters to search for"),
        ));
    }
    let sight = super::members::sight(ctx, viewer).await?;
    let mut groups = storage::feeds::search_groups(&ctx.db, text, SEARCH_RESULTS).await?;
    groups.retain(|g| sight.sees(g.id));
    let ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
    let mods = storage::groups::moderators(&ctx.db, &ids).await?;
    Ok(groups
        .iter()
        .map(|g| GroupView::new(g, mods.get(&g.id).map(Vec::as_slice).unwrap_or_default()))
        .collect())
}
