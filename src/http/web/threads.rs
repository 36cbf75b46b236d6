//! A post's page with its threaded replies, and what can be done there: reply, vote, edit,
//! delete.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use minijinja::context;
use serde::Deserialize;
use serde_json::json;

use super::{
    accounts::{Empty, form_error, is_user_error},
    groups::{PostForm, compose_page, group_path},
    media::{attach, attach_to_draft},
    render::{PageResult, error_page, page, path_segment},
    session::{Viewer, WebForm, WebPath, WebUpload, done, local_path},
};
use crate::{
    domain::{
        content::ContentRef,
        groups, moderation, posts, questions, replies,
        views::{PostDetail, PostKind, ReplyNode},
        votes,
    },
    error::Error,
    http::AppState,
    storage,
    usecases::{content, questions as qa},
};

/// Takes the subtree of reply `id` out of a thread (iteratively; threads may be deep).
fn subtree(nodes: Vec<ReplyNode>, id: i64) -> Option<ReplyNode> {
    let mut stack = nodes;
    while let Some(n) = stack.pop() {
        if n.reply.id == id {
            return Some(n);
        }
        stack.extend(n.children);
    }
    None
}

/// The schema.org `QAPage` of a question's thread (JSON-LD), for search engines: the
/// question, its accepted answer and the best-scored other replies. The template writes it
/// with the `json_script` filter, which keeps it inside its `<script>` element.
pub fn qa_page_json_ld(domain: &str, detail: &PostDetail) -> Option<serde_json::Value> {
    let post = &detail.post;
    if post.kind != PostKind::Question || post.deleted {
        return None;
    }
    let base = format!("https://{domain}");
    let person = |p: Option<&crate::domain::views::PersonRef>| {
        p.map(|p| {
            json!({"@type": "Person", "name": p.display_name.as_deref().unwrap_or(&p.username),
                   "url": p.ap_id})
        })
    };
    let mut all: Vec<&ReplyNode> = vec![];
    let mut stack: Vec<&ReplyNode> = detail.replies.iter().collect();
    while let Some(n) = stack.pop() {
        all.push(n);
        stack.extend(n.children.iter());
    }
    let shown: Vec<&ReplyNode> = all
        .into_iter()
        .filter(|n| !n.reply.deleted && !n.reply.hidden)
        .collect();
    let answer = |n: &ReplyNode| {
        json!({
            "@type": "Answer",
            "text": questions::excerpt(
                n.reply.body.as_deref().unwrap_or_default(),
                &n.reply.body_html,
                2000,
            ),
            "dateCreated": n.reply.created_at.to_rfc3339(),
            "upvoteCount": n.reply.upvotes,
            "url": format!("{base}/posts/{}#r{}", post.id, n.reply.id),
            "author": person(n.reply.author.as_ref()),
        })
    };
    let accepted = shown.iter().find(|n| n.reply.accepted).map(|n| answer(n));
    let mut others: Vec<&&ReplyNode> = shown.iter().filter(|n| !n.reply.accepted).collect();
    others.sort_by_key(|n| (std::cmp::Reverse(n.reply.score), n.reply.created_at));
    let suggested: Vec<_> = others.into_iter().take(5).map(|n| answer(n)).collect();
    let mut question = json!({
        "@type": "Question",
        "name": post.title,
        "text": questions::excerpt(post.body.as_deref().unwrap_or_default(), &post.body_html, 2000),
        "answerCount": post.reply_count,
        "upvoteCount": post.upvotes,
        "dateCreated": post.created_at.to_rfc3339(),
        "author": person(post.author.as_ref()),
        "suggestedAnswer": suggested,
    });
    if let (Some(a), Some(q)) = (accepted, question.as_object_mut()) {
        q.insert("acceptedAnswer".into(), a);
    }
    Some(json!({"@context": "https://schema.org", "@type": "QAPage", "mainEntity": question}))
}

/// The knowledge base's pages beside a thread: those that link to it, and whether the viewer
/// may make a page of it.
#[derive(Debug, Default)]
pub struct ThreadPages {
    /// The pages whose text links to the thread.
    pub linking: Vec<crate::domain::pages::PageView>,
    /// The viewer may write the group's pages.
    pub may_write: bool,
}

/// Renders a thread. With `focus`, only that reply and its answers. `may_choose`: the viewer
/// may accept a reply as the question's answer.
pub fn render_thread(
    domain: &str,
    viewer: &Viewer,
    mut detail: PostDetail,
    focus: Option<i64>,
    may_moderate: bool,
    may_choose: bool,
    pages: ThreadPages,
) -> PageResult {
    let json_ld = qa_page_json_ld(domain, &detail);
    if let Some(id) = focus {
        let node =
            subtree(std::mem::take(&mut detail.replies), id).ok_or(Error::NotFound("reply"))?;
        detail.replies = vec![node];
    }
    page(
        domain,
        viewer,
        StatusCode::OK,
        "post.html",
        context! {
            post => &detail.post,
            shares => detail.shares,
            replies => &detail.replies,
            focus => focus,
            may_moderate => may_moderate,
            may_choose => may_choose,
            json_ld => json_ld,
            linking_pages => pages.linking,
            may_write_page => pages.may_write,
        },
    )
}

async fn thread(s: &AppState, viewer: &Viewer, post_id: i64, focus: Option<i64>) -> PageResult {
    let detail = posts::detail(&s.ctx, viewer.user.as_ref(), post_id).await?;
    let (_, group) = posts::load(&s.ctx, post_id).await?;
    // The domain's own rule, so the page offers exactly what the domain then allows (an
    // admin here moderates only the groups hosted here).
    let (moderate, choose) = match viewer.user.as_ref() {
        Some(u) => {
            let moderate =
                moderation::may_moderate(&s.ctx, &group, u.person.id, u.is_admin).await?;
            let post = storage::posts::find(&s.ctx.db, post_id)
                .await?
                .ok_or(Error::NotFound("post"))?;
            let choose = post.question
                && post.deleted_at.is_none()
                && questions::may_choose(&s.ctx, &post, &group, &u.person, u.is_admin).await?;
            (moderate, choose)
        }
        None => (false, false),
    };
    let pages = ThreadPages {
        linking: crate::domain::pages::linking_to(&s.ctx, viewer.user.as_ref(), post_id).await?,
        may_write: crate::domain::pages::rights(&s.ctx, &group, viewer.user.as_ref())
            .await?
            .may_edit(None),
    };
    render_thread(
        &s.ctx.instance.domain,
        viewer,
        detail,
        focus,
        moderate,
        choose,
        pages,
    )
}

/// `POST /posts/{id}/page`: makes a page of the thread and goes to it.
pub(super) async fn make_page(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, .. }: WebForm<serde::de::IgnoredAny>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let page = crate::usecases::pages::from_thread(
        &s.ctx,
        &user,
        id,
        crate::domain::pages::PageFromThread::default(),
    )
    .await?;
    Ok(done(match &page {
        crate::domain::pages::Written::Page(p) => &p.path,
        crate::domain::pages::Written::Sent(p) => &p.path,
    }))
}

async fn viewer_of(s: &AppState, headers: &HeaderMap, here: &str) -> Result<Viewer, Response> {
    Viewer::from_headers(s, headers, here)
        .await
        .map_err(|e| error_page(&e))
}

/// The page at `/posts/{id}`: any post this instance knows, local or remote.
pub async fn post_page(s: &AppState, headers: &HeaderMap, here: &str, id: i64) -> Response {
    let viewer = match viewer_of(s, headers, here).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    thread(s, &viewer, id, None).await.into_response()
}

/// The page at `/replies/{id}`: the reply's permalink, its thread narrowed to it.
pub async fn reply_page(s: &AppState, headers: &HeaderMap, here: &str, id: i64) -> Response {
    let viewer = match viewer_of(s, headers, here).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let post_id = match storage::replies::find(&s.ctx.db, id).await {
        Ok(Some(r)) => r.post_id,
        Ok(None) => return error_page(&Error::NotFound("reply")),
        Err(e) => return error_page(&e.into()),
    };
    thread(s, &viewer, post_id, Some(id)).await.into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct ReplyForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    parent_id: Option<String>,
    /// The language it is written in (empty: not said).
    #[serde(default)]
    language: Option<String>,
    /// The alt text of the file attached.
    #[serde(default)]
    alt: String,
}

pub(super) async fn reply(
    State(s): State<AppState>,
    WebPath(post_id): WebPath<i64>,
    WebUpload {
        viewer,
        mut data,
        file,
    }: WebUpload<ReplyForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    // A file chosen with the reply goes in at its end.
    attach(&s, &user, &mut data.body, &data.alt, file).await?;
    let parent_id = match data
        .parent_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(p) => Some(
            p.parse::<i64>()
                .map_err(|_| Error::invalid("parent_id", "is not a reply"))?,
        ),
    };
    let view = content::reply(
        &s.ctx,
        &user,
        post_id,
        replies::NewReply {
            body: data.body,
            parent_id,
            language: data.language,
        },
    )
    .await?;
    Ok(done(&format!("/posts/{post_id}#r{}", view.id)))
}

#[derive(Debug, Deserialize)]
pub(super) struct VoteForm {
    #[serde(default)]
    value: String,
    next: Option<String>,
}

fn vote_value(raw: &str) -> Result<i64, Error> {
    raw.trim()
        .parse::<i64>()
        .map_err(|_| Error::invalid("value", "must be 1, -1 or 0"))
}

pub(super) async fn vote_post(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, data }: WebForm<VoteForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let value = vote_value(&data.value)?;
    content::vote(
        &s.ctx,
        &user,
        ContentRef::Post(id),
        votes::VoteInput { value },
    )
    .await?;
    let next = data.next.as_deref().map(|n| local_path(Some(n)));
    Ok(done(&next.unwrap_or_else(|| format!("/posts/{id}"))))
}

pub(super) async fn vote_reply(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, data }: WebForm<VoteForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let value = vote_value(&data.value)?;
    content::vote(
        &s.ctx,
        &user,
        ContentRef::Reply(id),
        votes::VoteInput { value },
    )
    .await?;
    let next = match data.next.as_deref() {
        Some(n) => local_path(Some(n)),
        None => {
            let post_id = storage::replies::find(&s.ctx.db, id)
                .await?
                .map_or(0, |r| r.post_id);
            format!("/posts/{post_id}#r{id}")
        }
    };
    Ok(done(&next))
}

pub(super) async fn edit_post_form(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(id): WebPath<i64>,
) -> PageResult {
    let user = viewer.require()?;
    let post = storage::posts::find(&s.ctx.db, id)
        .await?
        .filter(|p| p.deleted_at.is_none())
        .ok_or(Error::NotFound("post"))?;
    if post.author_id != user.person.id {
        return Err(Error::forbidden("only the author may edit a post").into());
    }
    let form = PostForm {
        title: post.title,
        body: post.body,
        language: Some(post.language.unwrap_or_default()),
        ..Default::default()
    };
    let (action, cancel) = (format!("/posts/{id}/edit"), format!("/posts/{id}"));
    compose_page(
        &s,
        &viewer,
        StatusCode::OK,
        None,
        &action,
        &cancel,
        &form,
        false,
        None,
    )
}

pub(super) async fn edit_post(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebUpload {
        viewer,
        mut data,
        file,
    }: WebUpload<PostForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let (action, cancel) = (format!("/posts/{id}/edit"), format!("/posts/{id}"));
    if let Some(page) = attach_to_draft(
        &s,
        &viewer,
        &user,
        None,
        (&action, &cancel),
        &mut data,
        file,
    )
    .await
    {
        return page;
    }
    if data.action == "preview" {
        return compose_page(
            &s,
            &viewer,
            StatusCode::OK,
            None,
            &action,
            &cancel,
            &data,
            true,
            None,
        );
    }
    let input = posts::PostEdit {
        title: Some(data.title.clone()),
        body: Some(data.body.clone()),
        language: data.language.clone(),
    };
    match content::edit_post(&s.ctx, &user, id, input).await {
        Ok(_) => Ok(done(&format!("/posts/{id}"))),
        Err(e) if matches!(e, Error::Invalid { .. }) => compose_page(
            &s,
            &viewer,
            e.status(),
            None,
            &action,
            &cancel,
            &data,
            false,
            Some(&e),
        ),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn delete_post(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, .. }: WebForm<Empty>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let (_, group) = crate::domain::posts::load(&s.ctx, id).await?;
    // Someone else's post is a moderator's removal, and federates as that.
    content::delete(&s.ctx, &user, ContentRef::Post(id)).await?;
    let g = groups::view(&s.ctx, &format!("{}@{}", group.name, group.domain)).await?;
    Ok(done(&format!("/g/{}", path_segment(&group_path(&g)))))
}

pub(super) async fn edit_reply_form(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(id): WebPath<i64>,
) -> PageResult {
    let user = viewer.require()?;
    let reply = storage::replies::find(&s.ctx.db, id)
        .await?
        .filter(|r| r.deleted_at.is_none())
        .ok_or(Error::NotFound("reply"))?;
    if reply.author_id != user.person.id {
        return Err(Error::forbidden("only the author may edit a reply").into());
    }
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "reply_edit.html",
        context! { id => reply.id, post_id => reply.post_id, body => reply.body, language => reply.language },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ReplyEditForm {
    #[serde(default)]
    body: String,
    /// The language (empty: not said; absent: kept).
    #[serde(default)]
    language: Option<String>,
}

pub(super) async fn edit_reply(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, data }: WebForm<ReplyEditForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    match content::edit_reply(
        &s.ctx,
        &user,
        id,
        replies::ReplyEdit {
            body: data.body.clone(),
            language: data.language.clone(),
        },
    )
    .await
    {
        Ok(view) => Ok(done(&format!("/posts/{}#r{id}", view.post_id))),
        Err(e) if is_user_error(&e) && matches!(e, Error::Invalid { .. }) => {
            let post_id = storage::replies::find(&s.ctx.db, id)
                .await?
                .map_or(0, |r| r.post_id);
            page(
                &s.ctx.instance.domain,
                &viewer,
                e.status(),
                "reply_edit.html",
                context! { id => id, post_id => post_id, body => data.body, language => data.language, error => form_error(&e) },
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn delete_reply(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, .. }: WebForm<Empty>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let post_id = storage::replies::find(&s.ctx.db, id)
        .await?
        .map(|r| r.post_id)
        .ok_or(Error::NotFound("reply"))?;
    content::delete(&s.ctx, &user, ContentRef::Reply(id)).await?;
    Ok(done(&format!("/posts/{post_id}#r{id}")))
}

#[derive(Debug, Deserialize)]
pub(super) struct AnswerForm {
    #[serde(default)]
    reply_id: String,
}

/// `POST /posts/{id}/answer`: accept a reply as the question's answer (or change it).
pub(super) async fn accept_answer(
    State(s): State<AppState>,
    WebPath(post_id): WebPath<i64>,
    WebForm { viewer, data }: WebForm<AnswerForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let reply_id = data
        .reply_id
        .trim()
        .parse::<i64>()
        .map_err(|_| Error::invalid("reply_id", "is not a reply"))?;
    qa::accept(&s.ctx, &user, post_id, reply_id).await?;
    Ok(done(&format!("/posts/{post_id}#answer")))
}

/// `POST /posts/{id}/answer/withdraw`: take the accepted answer back.
pub(super) async fn withdraw_answer(
    State(s): State<AppState>,
    WebPath(post_id): WebPath<i64>,
    WebForm { viewer, .. }: WebForm<Empty>,
) -> PageResult {
    let user = viewer.require()?.clone();
    qa::withdraw(&s.ctx, &user, post_id).await?;
    Ok(done(&format!("/posts/{post_id}")))
}
