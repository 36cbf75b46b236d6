//! Posts: writing, reading (listing with sorts, a thread in full), editing, deleting.

use crate::error::Code;
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Ctx,
    accounts::CurrentUser,
    groups::{find_by_handle, next_cursor},
    now,
    pagination::{Cursor, Page, PostSort},
    questions::attach_answers,
    ranking, text,
    views::{PostDetail, PostKind, PostView, ReplyView, build_tree},
};
use crate::{
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, posts},
        posts::NewLocalPost,
        votes::Target,
    },
};

/// The new-post request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPost {
    /// Title, one line.
    #[schema(max_length = 200)]
    pub title: String,
    /// Markdown body; may be empty.
    #[serde(default)]
    #[schema(max_length = 100000)]
    pub body: String,
    /// A question (one reply can be accepted as its answer) or a discussion (the default).
    /// In a group in Q&A mode every post is a question.
    #[serde(default)]
    pub kind: Option<PostKind>,
    /// The language it is written in (a BCP 47 tag such as `en`, `de`, `pt-BR`); sent to
    /// other servers as `contentMap`'s key and Lemmy's `language`.
    #[serde(default)]
    #[schema(max_length = 35, example = "en")]
    pub language: Option<String>,
}

/// The edit-post request: absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PostEdit {
    /// New title.
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// New markdown body.
    #[schema(max_length = 100000)]
    pub body: Option<String>,
    /// New language tag; an empty string clears it.
    #[serde(default)]
    #[schema(max_length = 35)]
    pub language: Option<String>,
}

/// A post and its group, or 404.
pub(crate) async fn load(ctx: &Ctx, id: i64) -> Result<(posts::Model, groups::Model)> {
    let post = storage::posts::find(&ctx.db, id)
        .await?
        .ok_or(Error::NotFound("post"))?;
    let group = storage::groups::find(&ctx.db, post.group_id)
        .await?
        .ok_or(Error::NotFound("post"))?;
    Ok((post, group))
}

pub(crate) async fn view_one(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    post: &posts::Model,
    group: &groups::Model,
) -> Result<PostView> {
    let authors = storage::persons::by_ids(&ctx.db, [post.author_id]).await?;
    let my_vote = match viewer {
        Some(u) => storage::votes::mine(&ctx.db, Target::Post, u.person.id, &[post.id])
            .await?
            .get(&post.id)
            .copied(),
        None => None,
    };
    let mut views = [PostView::new(post, group, &authors, my_vote)];
    attach_answers(ctx, viewer, &mut views, std::slice::from_ref(post)).await?;
    let [view] = views;
    Ok(view)
}

/// Writes a new post in a group on this instance.
pub async fn create(
    ctx: &Ctx,
    user: &CurrentUser,
    group_handle: &str,
    input: NewPost,
) -> Result<PostView> {
    let title = text::title("title", &input.title, text::MAX_TITLE_CHARS)?;
    let body = text::body("body", &input.body, text::MAX_BODY_CHARS, false)?;
    let language = super::languages::given("language", input.language.as_deref())?;
    let group = find_by_handle(ctx, group_handle).await?;
    super::moderation::ensure_not_banned(ctx, group.id, user.person.id).await?;
    super::members::ensure_member(ctx, &group, user.person.id).await?;
    super::limits::check(ctx, super::limits::Limit::Post, &user.person.id.to_string()).await?;
    let t = now();
    let txn = ctx.db.begin().await?;
    let post = storage::posts::insert_local(
        &txn,
        NewLocalPost {
            group_id: group.id,
            author_id: user.person.id,
            title,
            body_html: super::media::render_markdown(ctx, &body),
            body,
            hot_rank: ranking::hot_rank(0, t),
            now: t,
            question: super::questions::is_question(&group, input.kind),
            language,
        },
        |id| ctx.instance.post_url(id),
    )
    .await?;
    txn.commit().await?;
    view_one(ctx, Some(user), &post, &group).await
}

/// A page of a group's posts.
pub async fn list(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    group_handle: &str,
    sort: PostSort,
    cursor: Option<&str>,
    limit: Option<u64>,
    questions: storage::questions::QuestionFilter,
) -> Result<Page<PostView>> {
    let limit = super::pagination::limit(limit)?;
    let after = Cursor::decode_opt(cursor)?;
    let group = find_by_handle(ctx, group_handle).await?;
    super::members::ensure_readable(ctx, &group, viewer).await?;
    let mut rows = storage::posts::page(
        &ctx.db,
        group.id,
        sort,
        after.as_ref(),
        limit + 1,
        questions,
    )
    .await?
    .ok_or_else(|| Error::invalid("cursor", "was issued for another sort"))?;
    let next = next_cursor(&mut rows, limit, |p| Cursor {
        key: storage::posts::sort_key(p, sort),
        id: p.id,
    });
    let authors = storage::persons::by_ids(&ctx.db, rows.iter().map(|p| p.author_id)).await?;
    // Content from an instance this one no longer federates with is not shown.
    // So is what the viewer blocked.
    let hidden = hidden_authors(ctx, viewer, &authors).await?;
    rows.retain(|p| !hidden.contains(&p.author_id));
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let votes = match viewer {
        Some(u) => storage::votes::mine(&ctx.db, Target::Post, u.person.id, &ids).await?,
        None => Default::default(),
    };
    let mut items: Vec<PostView> = rows
        .iter()
        .map(|p| PostView::new(p, &group, &authors, votes.get(&p.id).copied()))
        .collect();
    attach_answers(ctx, viewer, &mut items, &rows).await?;
    Ok(Page {
        items,
        next_cursor: next,
    })
}

/// The authors among `authors` whose instance the federation policy now refuses (blocked,
/// or not allowed): what they wrote stays stored but is not shown.
pub async fn refused_authors(
    ctx: &Ctx,
    authors: &std::collections::HashMap<i64, crate::storage::entities::persons::Model>,
) -> Result<std::collections::HashSet<i64>> {
    let mut refused = std::collections::HashSet::new();
    let mut seen: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for (id, p) in authors {
        if p.local {
            continue;
        }
        let blocked = match seen.get(p.domain.as_str()) {
            Some(b) => *b,
            None => {
                let b = ctx.blocked.contains(&ctx.db, &p.domain).await?;
                seen.insert(p.domain.as_str(), b);
                b
            }
        };
        if blocked {
            refused.insert(*id);
        }
    }
    Ok(refused)
}

/// The authors among `authors` whose content `viewer` is not shown: those of an instance the
/// federation policy refuses, and those the viewer blocked (the person or their instance).
pub async fn hidden_authors(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    authors: &std::collections::HashMap<i64, crate::storage::entities::persons::Model>,
) -> Result<std::collections::HashSet<i64>> {
    let mut hidden = refused_authors(ctx, authors).await?;
    let blocked = super::user_blocks::of_viewer(ctx, viewer).await?;
    hidden.extend(
        authors
            .values()
            .filter(|a| blocked.hides(a.id, &a.domain))
            .map(|a| a.id),
    );
    Ok(hidden)
}

/// A post with its whole thread. A deleted post is shown as a tombstone with its replies.
pub async fn detail(ctx: &Ctx, viewer: Option<&CurrentUser>, id: i64) -> Result<PostDetail> {
    let (post, group) = load(ctx, id).await?;
    // A members-only group's thread does not exist for anyone outside it.
    if !super::members::may_read(ctx, &group, viewer).await? {
        return Err(Error::NotFound("post"));
    }
    let replies = storage::replies::for_post(&ctx.db, post.id).await?;
    let authors = storage::persons::by_ids(
        &ctx.db,
        replies.iter().map(|r| r.author_id).chain([post.author_id]),
    )
    .await?;
    let (post_vote, reply_votes) = match viewer {
        Some(u) => {
            let ids: Vec<i64> = replies.iter().map(|r| r.id).collect();
            (
                storage::votes::mine(&ctx.db, Target::Post, u.person.id, &[post.id])
                    .await?
                    .get(&post.id)
                    .copied(),
                storage::votes::mine(&ctx.db, Target::Reply, u.person.id, &ids).await?,
            )
        }
        None => (None, Default::default()),
    };
    let refused = refused_authors(ctx, &authors).await?;
    if refused.contains(&post.author_id) {
        return Err(Error::NotFound("post"));
    }
    let hidden = hidden_authors(ctx, viewer, &authors).await?;
    let views = replies
        .iter()
        .map(|r| {
            let mut v = ReplyView::new(r, &authors, reply_votes.get(&r.id).copied());
            v.accepted = post.question && post.answer_id == Some(r.id);
            if hidden.contains(&r.author_id) {
                v.hide();
            }
            v
        })
        .collect();
    let mut post_view = PostView::new(&post, &group, &authors, post_vote);
    attach_answers(
        ctx,
        viewer,
        std::slice::from_mut(&mut post_view),
        std::slice::from_ref(&post),
    )
    .await?;
    // The post row and its replies are two reads; a reply committed between them would make
    // the stored count disagree with the tree shown. Count what is shown.
    post_view.reply_count =
        i32::try_from(replies.iter().filter(|r| r.deleted_at.is_none()).count())
            .unwrap_or(i32::MAX);
    Ok(PostDetail {
        post: post_view,
        shares: storage::shares::count(&ctx.db, &post.ap_id).await?,
        replies: build_tree(views),
    })
}

/// Edits a post; only its author may.
pub async fn edit(ctx: &Ctx, user: &CurrentUser, id: i64, input: PostEdit) -> Result<PostView> {
    if input.title.is_none() && input.body.is_none() && input.language.is_none() {
        return Err(Error::invalid(
            "title",
            "give a new title, a new body, a language, or more than one",
        ));
    }
    let language = input
        .language
        .as_deref()
        .map(|l| super::languages::given("language", Some(l)))
        .transpose()?;
    let (post, group) = load(ctx, id).await?;
    super::content::ensure_author(post.author_id, user.person.id, "edit")?;
    if post.deleted_at.is_some() {
        return Err(Error::refused(Code::Deleted, "this post was deleted"));
    }
    let title = match input.title {
        Some(t) => text::title("title", &t, text::MAX_TITLE_CHARS)?,
        None => post.title.clone(),
    };
    let body = match input.body {
        Some(b) => text::body("body", &b, text::MAX_BODY_CHARS, false)?,
        None => post.body.clone(),
    };
    let body_html = super::media::render_markdown(ctx, &body);
    let txn = ctx.db.begin().await?;
    if let Some(language) = language {
        storage::posts::set_language(&txn, post.id, language).await?;
    }
    let post = storage::posts::update_content(&txn, post, title, body, body_html, now())
        .await?
        .ok_or_else(|| Error::refused(Code::Deleted, "this post was deleted"))?;
    txn.commit().await?;
    view_one(ctx, Some(user), &post, &group).await
}

/// Deletes a post, leaving a tombstone so its replies stay readable. Deleting twice is fine.
/// Someone else's post is removed instead, by a moderator ([`super::moderation::remove`]):
/// what that did is returned, to be sent on.
pub async fn delete(
    ctx: &Ctx,
    user: &CurrentUser,
    id: i64,
) -> Result<Option<super::moderation::Done>> {
    let (post, _) = load(ctx, id).await?;
    if post.author_id != user.person.id {
        return super::moderation::remove(
            ctx,
            user,
            super::content::ContentRef::Post(id),
            true,
            None,
        )
        .await
        .map(Some);
    }
    super::content::delete_own(ctx, user.person.id, super::content::ContentRef::Post(id)).await?;
    Ok(None)
}

/// A pinned post, as a group's sidebar lists it.
#[derive(Debug, Clone, Serialize)]
pub struct PinnedPost {
    /// Local id.
    pub id: i64,
    /// Title.
    pub title: String,
}

/// The posts a group's moderators pinned (its standing resources), newest first.
pub async fn pinned(ctx: &Ctx, group: &groups::Model) -> Result<Vec<PinnedPost>> {
    Ok(storage::posts::pinned(&ctx.db, group.id, 20)
        .await?
        .into_iter()
        .map(|p| PinnedPost {
            id: p.id,
            title: p.title,
        })
        .collect())
}
