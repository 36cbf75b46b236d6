//! Replies: answering a post or another reply, editing, deleting.

use crate::error::Code;
use sea_orm::TransactionTrait;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Ctx, accounts::CurrentUser, now, posts::load, text, views::ReplyView};
use crate::{
    error::{Error, Result},
    storage::{
        self,
        entities::{groups, persons, posts, replies},
        replies::NewLocalReply,
        votes::Target,
    },
};

/// Deepest nesting of a reply (0 answers the post). Deeper threads are hard to read, and a
/// bound keeps every recursive walk of a thread shallow: a thread as JSON nests two levels
/// per reply level, and common JSON parsers (serde_json among them) stop at 128.
pub const MAX_DEPTH: i32 = 50;

/// The new-reply request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReply {
    /// Markdown body.
    #[schema(max_length = 100000)]
    pub body: String,
    /// The reply this answers; absent to answer the post.
    pub parent_id: Option<i64>,
    /// The language it is written in (a BCP 47 tag such as `en`, `de`, `pt-BR`).
    #[serde(default)]
    #[schema(max_length = 35, example = "en")]
    pub language: Option<String>,
}

/// The edit-reply request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplyEdit {
    /// New markdown body.
    #[schema(max_length = 100000)]
    pub body: String,
    /// New language tag; an empty string clears it; absent keeps it.
    #[serde(default)]
    #[schema(max_length = 35)]
    pub language: Option<String>,
}

pub(crate) async fn load_reply(ctx: &Ctx, id: i64) -> Result<replies::Model> {
    storage::replies::find(&ctx.db, id)
        .await?
        .ok_or(Error::NotFound("reply"))
}

async fn view_one(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    reply: &replies::Model,
) -> Result<ReplyView> {
    let authors = storage::persons::by_ids(&ctx.db, [reply.author_id]).await?;
    let my_vote = match viewer {
        Some(u) => storage::votes::mine(&ctx.db, Target::Reply, u.person.id, &[reply.id])
            .await?
            .get(&reply.id)
            .copied(),
        None => None,
    };
    let mut view = ReplyView::new(reply, &authors, my_vote);
    view.accepted = storage::posts::find(&ctx.db, reply.post_id)
        .await?
        .is_some_and(|p| p.question && p.answer_id == Some(reply.id));
    Ok(view)
}

/// The one rule for where a new reply may go, whoever writes it (a member here, or a person
/// elsewhere whose reply arrives in the inbox). Returns its depth.
///
/// Always: the parent is a reply in the same thread, and the thread is at most
/// [`MAX_DEPTH`] deep. Where this server decides (its own members anywhere, and everyone in a
/// group hosted here; a group elsewhere applies its own rules before it relays a reply): the
/// author is not banned from the group, and the post and the reply answered are not deleted
/// and the thread is not locked.
pub async fn admit(
    ctx: &Ctx,
    author: &persons::Model,
    post: &posts::Model,
    group: &groups::Model,
    parent: Option<&replies::Model>,
) -> Result<i32> {
    let decide_here = author.local || group.local;
    if decide_here {
        super::members::ensure_member_in_thread(ctx, group, author.id, "post").await?;
        super::moderation::ensure_not_banned(ctx, group.id, author.id).await?;
        if post.deleted_at.is_some() {
            return Err(Error::refused(Code::Deleted, "this post was deleted"));
        }
        if post.locked {
            return Err(Error::refused(Code::Locked, "this thread is locked"));
        }
    }
    let Some(parent) = parent else {
        return Ok(0);
    };
    if parent.post_id != post.id {
        return Err(Error::invalid("parent_id", "is not a reply in this thread"));
    }
    if decide_here && parent.deleted_at.is_some() {
        return Err(Error::refused(
            Code::Deleted,
            "the reply you answer was deleted",
        ));
    }
    if parent.depth >= MAX_DEPTH {
        return Err(Error::invalid(
            "parent_id",
            format!("the thread is already {MAX_DEPTH} replies deep here; answer higher up"),
        ));
    }
    Ok(parent.depth + 1)
}

/// Answers a post (or, with `parent_id`, a reply in its thread).
pub async fn create(
    ctx: &Ctx,
    user: &CurrentUser,
    post_id: i64,
    input: NewReply,
) -> Result<ReplyView> {
    let body = text::body("body", &input.body, text::MAX_BODY_CHARS, true)?;
    let language = super::languages::given("language", input.language.as_deref())?;
    let (post, group) = load(ctx, post_id).await?;
    let parent = match input.parent_id {
        None => None,
        Some(pid) => Some(
            storage::replies::find(&ctx.db, pid)
                .await?
                .ok_or_else(|| Error::invalid("parent_id", "is not a reply in this thread"))?,
        ),
    };
    let depth = admit(ctx, &user.person, &post, &group, parent.as_ref()).await?;
    super::limits::check(ctx, super::limits::Limit::Post, &user.person.id.to_string()).await?;
    let txn = ctx.db.begin().await?;
    let reply = storage::replies::insert_local(
        &txn,
        NewLocalReply {
            post_id: post.id,
            parent_id: input.parent_id,
            depth,
            author_id: user.person.id,
            body_html: super::media::render_markdown(ctx, &body),
            body,
            now: now(),
            language,
        },
        |id| ctx.instance.reply_url(id),
    )
    .await?
    .ok_or_else(|| {
        Error::refused(
            Code::Deleted,
            "the post or the reply you answer was deleted",
        )
    })?;
    txn.commit().await?;
    view_one(ctx, Some(user), &reply).await
}

/// One reply.
pub async fn get(ctx: &Ctx, viewer: Option<&CurrentUser>, id: i64) -> Result<ReplyView> {
    let reply = load_reply(ctx, id).await?;
    let (_, group) = super::posts::load(ctx, reply.post_id).await?;
    if !super::members::may_read(ctx, &group, viewer).await? {
        return Err(Error::NotFound("reply"));
    }
    view_one(ctx, viewer, &reply).await
}

/// Edits a reply; only its author may.
pub async fn edit(ctx: &Ctx, user: &CurrentUser, id: i64, input: ReplyEdit) -> Result<ReplyView> {
    let reply = load_reply(ctx, id).await?;
    super::content::ensure_author(reply.author_id, user.person.id, "edit")?;
    if reply.deleted_at.is_some() {
        return Err(Error::refused(Code::Deleted, "this reply was deleted"));
    }
    let body = text::body("body", &input.body, text::MAX_BODY_CHARS, true)?;
    let language = input
        .language
        .as_deref()
        .map(|l| super::languages::given("language", Some(l)))
        .transpose()?;
    let body_html = super::media::render_markdown(ctx, &body);
    let txn = ctx.db.begin().await?;
    if let Some(language) = language {
        storage::replies::set_language(&txn, reply.id, language).await?;
    }
    let reply = storage::replies::update_body(&txn, reply, body, body_html, now())
        .await?
        .ok_or_else(|| Error::refused(Code::Deleted, "this reply was deleted"))?;
    txn.commit().await?;
    view_one(ctx, Some(user), &reply).await
}

/// Deletes a reply, leaving a tombstone so the answers to it stay in place. Someone else's
/// reply is removed instead, by a moderator: what that did is returned, to be sent on.
pub async fn delete(
    ctx: &Ctx,
    user: &CurrentUser,
    id: i64,
) -> Result<Option<super::moderation::Done>> {
    let reply = load_reply(ctx, id).await?;
    if reply.author_id != user.person.id {
        return super::moderation::remove(
            ctx,
            user,
            super::content::ContentRef::Reply(id),
            true,
            None,
        )
        .await
        .map(Some);
    }
    super::content::delete_own(ctx, user.person.id, super::content::ContentRef::Reply(id)).await?;
    Ok(None)
}
