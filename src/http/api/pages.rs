//! The knowledge base: a group's pages, their history and diffs; writing, editing (with
//! conflicts), reverting and moderating them; who may edit them.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::pages::{
        self, NewPage, PageDiff, PageEdit, PageEditors, PageFromThread, PageModeration, PageRevert,
        PageView, ProposalView, RevisionAction, RevisionView, Saved, Written,
    },
    error::{Code, ErrorBody, Result},
    http::{
        AppState,
        api::openapi::{HandlePath, IdPath, JsonBody, SignedIn},
        extract::{ApiJson, ApiPath, ApiQuery, Auth, MaybeAuth},
    },
    usecases::pages as usecase,
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list, create))
        .routes(routes!(show, edit))
        .routes(routes!(history))
        .routes(routes!(proposals))
        .routes(routes!(revision))
        .routes(routes!(moderate_revision))
        .routes(routes!(diff))
        .routes(routes!(revert))
        .routes(routes!(moderate))
        .routes(routes!(set_editors))
        .routes(routes!(from_thread))
        .routes(routes!(thread_pages))
}

const TAG: &str = "pages";

/// `{slug}`: a page of the group.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct SlugPath {
    /// The page's address in the group
    slug: String,
}

/// `{number}`: a revision of the page.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct NumberPath {
    /// The revision's number, from 1
    number: i64,
}

/// A group's pages, by title
///
/// Removed pages are listed for the group's moderators only.
#[utoipa::path(
    get,
    path = "/groups/{handle}/pages",
    tag = TAG,
    operation_id = "listPages",
    security((), ("bearer" = [])),
    params(HandlePath),
    responses(
        (status = 403, description = "A members-only group the caller is not a member of (`members_only`)", body = ErrorBody),
        (status = 200, description = "The pages", body = Vec<PageView>),
        (status = 404, description = "Unknown group", body = ErrorBody),
        SignedIn,
    )
)]
async fn list(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<Vec<PageView>>> {
    Ok(Json(pages::list(&s.ctx, viewer.as_ref(), &handle).await?))
}

/// Write a new page
///
/// Who may is the group's choice (`page_editors`: moderators, members, or anyone signed
/// in); revision 1 is saved with it.
#[utoipa::path(
    post,
    path = "/groups/{handle}/pages",
    tag = TAG,
    operation_id = "createPage",
    security(("bearer" = [])),
    params(HandlePath),
    request_body = NewPage,
    responses(
        (status = 201, description = "The page", body = PageView),
        (status = 202, description = "A group on another instance: the page was sent to it, which keeps its pages; it appears here once the group saves it (see `…/proposals`)", body = ProposalView),
        (status = 403, description = "Not allowed to edit the group's pages (`forbidden`), or banned (`banned`)", body = ErrorBody),
        (status = 404, description = "Unknown group", body = ErrorBody),
        (status = 409, description = "The group has a page at that slug (`name_taken`)", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn create(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
    ApiJson(input): ApiJson<NewPage>,
) -> Result<Response> {
    Ok(written(
        usecase::create(&s.ctx, &user, &handle, input).await?,
    ))
}

/// 201 with the page written here, or 202 with the proposal sent to the group elsewhere.
fn written(w: Written) -> Response {
    match w {
        Written::Page(view) => (StatusCode::CREATED, Json(view)).into_response(),
        Written::Sent(p) => (StatusCode::ACCEPTED, Json(p)).into_response(),
    }
}

/// A page
#[utoipa::path(
    get,
    path = "/groups/{handle}/pages/{slug}",
    tag = TAG,
    operation_id = "showPage",
    security((), ("bearer" = [])),
    params(HandlePath, SlugPath),
    responses(
        (status = 403, description = "A members-only group the caller is not a member of (`members_only`)", body = ErrorBody),
        (status = 200, description = "The page", body = PageView),
        (status = 404, description = "Unknown group or page (or removed)", body = ErrorBody),
        SignedIn,
    )
)]
async fn show(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath((handle, slug)): ApiPath<(String, String)>,
) -> Result<Json<PageView>> {
    let (group, page) = pages::load(&s.ctx, viewer.as_ref(), &handle, &slug).await?;
    Ok(Json(
        pages::view_for(&s.ctx, viewer.as_ref(), &group, &page).await?,
    ))
}

/// An edit refused because the page was saved since its base revision.
#[derive(Debug, Serialize, ToSchema)]
struct EditConflict {
    /// `edit_conflict`.
    error: &'static str,
    /// Explanation for people.
    message: String,
    /// The page as it is now (its `revision` is the base to edit on).
    current: PageView,
    /// What changed from the edit's base revision to the newest.
    diff: PageDiff,
}

/// Save an edit of a page
///
/// The edit names the revision it was made on (`base_revision`). When the page was saved
/// since, nothing is stored and the answer is 409 with the page as it is now and what
/// changed since the base, to merge and send again.
#[utoipa::path(
    put,
    path = "/groups/{handle}/pages/{slug}",
    tag = TAG,
    operation_id = "editPage",
    security(("bearer" = [])),
    params(HandlePath, SlugPath),
    request_body = PageEdit,
    responses(
        (status = 200, description = "The page as saved (unchanged when nothing changed)", body = PageView),
        (status = 202, description = "A group on another instance: the edit was sent to it; the page changes here once the group saves it, and a refusal shows in `…/proposals`", body = ProposalView),
        (status = 403, description = "Not allowed to edit the group's pages, or banned", body = ErrorBody),
        (status = 404, description = "Unknown group or page", body = ErrorBody),
        (status = 409, description = "Saved since the base revision (`edit_conflict`, with the page and the diff), or locked (`locked`, an error body)", body = EditConflict),
        JsonBody,
        SignedIn,
    )
)]
async fn edit(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, slug)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<PageEdit>,
) -> Result<Response> {
    let base = input.base_revision;
    Ok(
        match usecase::edit(&s.ctx, &user, &handle, &slug, input).await? {
            Saved::Page(view) => Json(view).into_response(),
            Saved::Sent(p) => (StatusCode::ACCEPTED, Json(p)).into_response(),
            Saved::Conflict { current, diff } => (
                StatusCode::CONFLICT,
                Json(EditConflict {
                    error: Code::EditConflict.as_str(),
                    message: format!(
                        "the page was saved since revision {base}: it is at revision {} now",
                        current.revision
                    ),
                    current,
                    diff,
                }),
            )
                .into_response(),
        },
    )
}

/// A page's history, newest first
#[utoipa::path(
    get,
    path = "/groups/{handle}/pages/{slug}/revisions",
    tag = TAG,
    operation_id = "pageHistory",
    security((), ("bearer" = [])),
    params(HandlePath, SlugPath),
    responses(
        (status = 403, description = "A members-only group the caller is not a member of (`members_only`)", body = ErrorBody),
        (status = 200, description = "Every revision, without its text", body = Vec<RevisionView>),
        (status = 404, description = "Unknown group or page", body = ErrorBody),
        SignedIn,
    )
)]
async fn history(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath((handle, slug)): ApiPath<(String, String)>,
) -> Result<Json<Vec<RevisionView>>> {
    Ok(Json(
        pages::history(&s.ctx, viewer.as_ref(), &handle, &slug).await?,
    ))
}

/// Your edits of a page of a group on another instance that the group has not saved
#[utoipa::path(
    get,
    path = "/groups/{handle}/pages/{slug}/proposals",
    tag = TAG,
    operation_id = "pageProposals",
    security(("bearer" = [])),
    params(HandlePath, SlugPath),
    responses(
        (status = 200, description = "Sent and waiting for the group, or refused by it (with its reason), newest first; the text sent is kept", body = Vec<ProposalView>),
        (status = 404, description = "Unknown group", body = ErrorBody),
        SignedIn,
    )
)]
async fn proposals(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, slug)): ApiPath<(String, String)>,
) -> Result<Json<Vec<ProposalView>>> {
    Ok(Json(
        pages::open_proposals(&s.ctx, &user, &handle, &slug).await?,
    ))
}

/// One revision of a page, with its text
#[utoipa::path(
    get,
    path = "/groups/{handle}/pages/{slug}/revisions/{number}",
    tag = TAG,
    operation_id = "pageRevision",
    security((), ("bearer" = [])),
    params(HandlePath, SlugPath, NumberPath),
    responses(
        (status = 403, description = "A members-only group the caller is not a member of (`members_only`)", body = ErrorBody),
        (status = 200, description = "The revision", body = RevisionView),
        (status = 404, description = "Unknown group, page or revision", body = ErrorBody),
        SignedIn,
    )
)]
async fn revision(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath((handle, slug, number)): ApiPath<(String, String, i64)>,
) -> Result<Json<RevisionView>> {
    Ok(Json(
        pages::revision(&s.ctx, viewer.as_ref(), &handle, &slug, number).await?,
    ))
}

/// Which revisions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DiffQuery {
    /// The older revision
    from: i64,
    /// The newer revision
    to: i64,
}

/// What changed between two revisions of a page, line by line
#[utoipa::path(
    get,
    path = "/groups/{handle}/pages/{slug}/diff",
    tag = TAG,
    operation_id = "pageDiff",
    security((), ("bearer" = [])),
    params(HandlePath, SlugPath, DiffQuery),
    responses(
        (status = 403, description = "A members-only group the caller is not a member of (`members_only`)", body = ErrorBody),
        (status = 200, description = "The diff", body = PageDiff),
        (status = 400, description = "`from` or `to` missing or not a number", body = ErrorBody),
        (status = 404, description = "Unknown group, page or revision", body = ErrorBody),
        (status = 409, description = "A revision removed by a moderator (`deleted`), asked for by someone else", body = ErrorBody),
        SignedIn,
    )
)]
async fn diff(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath((handle, slug)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> Result<Json<PageDiff>> {
    Ok(Json(
        pages::diff(&s.ctx, viewer.as_ref(), &handle, &slug, q.from, q.to).await?,
    ))
}

/// Revert a page to an older revision (moderators)
///
/// Saves a new revision with the older one's title and text.
#[utoipa::path(
    post,
    path = "/groups/{handle}/pages/{slug}/revert",
    tag = TAG,
    operation_id = "revertPage",
    security(("bearer" = [])),
    params(HandlePath, SlugPath),
    request_body = PageRevert,
    responses(
        (status = 200, description = "The page as reverted", body = PageView),
        (status = 403, description = "Not a moderator", body = ErrorBody),
        (status = 404, description = "Unknown group, page or revision", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn revert(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, slug)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<PageRevert>,
) -> Result<Json<PageView>> {
    Ok(Json(
        usecase::revert(&s.ctx, &user, &handle, &slug, input).await?,
    ))
}

/// Lock, unlock, remove or restore a page (moderators)
///
/// A locked page is edited by moderators only; a removed one is seen by moderators only.
#[utoipa::path(
    post,
    path = "/groups/{handle}/pages/{slug}/moderation",
    tag = TAG,
    operation_id = "moderatePage",
    security(("bearer" = [])),
    params(HandlePath, SlugPath),
    request_body = PageModeration,
    responses(
        (status = 200, description = "The page", body = PageView),
        (status = 403, description = "Not a moderator", body = ErrorBody),
        (status = 404, description = "Unknown group or page", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn moderate(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, slug)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<PageModeration>,
) -> Result<Json<PageView>> {
    Ok(Json(
        usecase::moderate(&s.ctx, &user, &handle, &slug, input.action).await?,
    ))
}

/// Who may edit a group's pages.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PageSettings {
    /// `moderators`, `members` (the default) or `signed_in`.
    editors: PageEditors,
}

/// Set who may edit a group's pages (moderators)
#[utoipa::path(
    put,
    path = "/groups/{handle}/page-settings",
    tag = TAG,
    operation_id = "setPageEditors",
    security(("bearer" = [])),
    params(HandlePath),
    request_body = PageSettings,
    responses(
        (status = 200, description = "The setting", body = PageSettings),
        (status = 403, description = "Not a moderator, or a group on another instance", body = ErrorBody),
        (status = 404, description = "Unknown group", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn set_editors(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
    ApiJson(input): ApiJson<PageSettings>,
) -> Result<Json<PageSettings>> {
    usecase::set_editors(&s.ctx, &user, &handle, input.editors).await?;
    Ok(Json(input))
}

/// Make a page of a thread
///
/// A new page in the thread's group with the question (or post) and its accepted answer, each
/// attributed, linking back to the thread. Who may is who may write the group's pages.
#[utoipa::path(
    post,
    path = "/posts/{id}/page",
    tag = TAG,
    operation_id = "pageFromThread",
    security(("bearer" = [])),
    params(IdPath),
    request_body = PageFromThread,
    responses(
        (status = 201, description = "The page", body = PageView),
        (status = 202, description = "A thread of a group on another instance: the page was sent to the group", body = ProposalView),
        (status = 403, description = "Not allowed to write the group's pages, or banned", body = ErrorBody),
        (status = 404, description = "Unknown post", body = ErrorBody),
        (status = 409, description = "A page at that slug exists (`name_taken`), or the thread was deleted or removed (`deleted`)", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn from_thread(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<PageFromThread>,
) -> Result<Response> {
    Ok(written(
        usecase::from_thread(&s.ctx, &user, id, input).await?,
    ))
}

/// The pages that link to a thread
#[utoipa::path(
    get,
    path = "/posts/{id}/pages",
    tag = TAG,
    operation_id = "threadPages",
    security((), ("bearer" = [])),
    params(IdPath),
    responses(
        (status = 200, description = "The pages (not removed) whose text links to the thread", body = Vec<PageView>),
        (status = 404, description = "Unknown post", body = ErrorBody),
        SignedIn,
    )
)]
async fn thread_pages(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<PageView>>> {
    Ok(Json(pages::linking_to(&s.ctx, viewer.as_ref(), id).await?))
}

/// The revision-moderation request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RevisionModeration {
    /// What to do.
    action: RevisionAction,
}

/// Remove or restore an older revision's text (moderators)
///
/// A removed revision's title, summary and text are shown to moderators only (the newest
/// revision cannot be removed: revert first).
#[utoipa::path(
    post,
    path = "/groups/{handle}/pages/{slug}/revisions/{number}/moderation",
    tag = TAG,
    operation_id = "moderateRevision",
    security(("bearer" = [])),
    params(HandlePath, SlugPath, NumberPath),
    request_body = RevisionModeration,
    responses(
        (status = 200, description = "The revision, as moderators see it", body = RevisionView),
        (status = 400, description = "The newest revision (`number`)", body = ErrorBody),
        (status = 403, description = "Not a moderator", body = ErrorBody),
        (status = 404, description = "Unknown group, page or revision", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn moderate_revision(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, slug, number)): ApiPath<(String, String, i64)>,
    ApiJson(input): ApiJson<RevisionModeration>,
) -> Result<Json<RevisionView>> {
    Ok(Json(
        usecase::moderate_revision(&s.ctx, &user, &handle, &slug, number, input.action).await?,
    ))
}
