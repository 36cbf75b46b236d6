//! Groups and the posts in them.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::{
        groups,
        pagination::{Page, PostSort},
        posts, questions,
        views::{GroupView, PostView},
    },
    error::{ErrorBody, Result},
    http::{
        AppState,
        api::openapi::{HandlePath, JsonBody, RateLimited, SignedIn},
        extract::{ApiJson, ApiPath, ApiQuery, Auth, MaybeAuth},
    },
    usecases::{content, questions as qa},
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list, create))
        .routes(routes!(show, edit))
        .routes(routes!(list_posts, create_post))
}

const TAG: &str = "groups";

/// A page of a listing.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// `next_cursor` of the previous page
    cursor: Option<String>,
    /// Items per page, 1–100 (default 20)
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}

/// A page of a group's posts, in an order.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PostsQuery {
    /// new | active | hot (default) | top
    #[param(value_type = Option<PostSort>, inline)]
    sort: Option<String>,
    /// Only questions: all | answered | unanswered (absent: every post)
    questions: Option<String>,
    /// `next_cursor` of the previous page
    cursor: Option<String>,
    /// Items per page, 1–100 (default 20)
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}

/// The group directory, by name
///
/// A members-only group is listed only to its members (and, for a group here, admins).
#[utoipa::path(
    get,
    path = "/groups",
    tag = TAG,
    operation_id = "listGroups",
    security((), ("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of groups", body = Page<GroupView>),
        (status = 400, description = "Invalid `cursor` or `limit`", body = ErrorBody),
    )
)]
async fn list(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<GroupView>>> {
    Ok(Json(
        groups::list(&s.ctx, viewer.as_ref(), q.cursor.as_deref(), q.limit).await?,
    ))
}

/// Create a group; the creator becomes its moderator
#[utoipa::path(
    post,
    path = "/groups",
    tag = TAG,
    operation_id = "createGroup",
    security(("bearer" = [])),
    request_body = groups::NewGroup,
    responses(
        (status = 201, description = "Created", body = GroupView),
        (status = 409, description = "Name taken (`name_taken`)", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn create(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiJson(input): ApiJson<groups::NewGroup>,
) -> Result<(StatusCode, Json<GroupView>)> {
    Ok((
        StatusCode::CREATED,
        Json(groups::create(&s.ctx, &user, input).await?),
    ))
}

/// One group
#[utoipa::path(
    get,
    path = "/groups/{handle}",
    tag = TAG,
    operation_id = "getGroup",
    params(HandlePath),
    responses(
        (status = 200, description = "The group", body = GroupView),
        (status = 404, description = "Unknown group", body = ErrorBody),
    )
)]
async fn show(
    State(s): State<AppState>,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<GroupView>> {
    Ok(Json(groups::view(&s.ctx, &handle).await?))
}

/// A moderator (or an admin) edits a group hosted here: title, description, rules, Q&A mode, visibility (only while it has no posts or pages); absent fields stay
#[utoipa::path(
    patch,
    path = "/groups/{handle}",
    tag = TAG,
    operation_id = "editGroup",
    security(("bearer" = [])),
    params(HandlePath),
    request_body = groups::GroupEdit,
    responses(
        (status = 200, description = "The group", body = GroupView),
        (status = 403, description = "Not a moderator, or a group on another instance", body = ErrorBody),
        (status = 404, description = "Unknown group", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
async fn edit(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
    ApiJson(mut input): ApiJson<groups::GroupEdit>,
) -> Result<Json<GroupView>> {
    let about = input.title.is_some()
        || input.description.is_some()
        || input.rules.is_some()
        || input.visibility.is_some();
    if let Some(on) = input.qa_mode.take() {
        let view = qa::set_qa_mode(&s.ctx, &user, &handle, on).await?;
        if !about {
            return Ok(Json(view));
        }
    }
    Ok(Json(groups::edit(&s.ctx, &user, &handle, input).await?))
}

/// A group's posts (deleted ones left out)
///
/// Signed in, the viewer's own votes are shown and what they block is left out.
#[utoipa::path(
    get,
    path = "/groups/{handle}/posts",
    tag = TAG,
    operation_id = "listPosts",
    security((), ("bearer" = [])),
    params(HandlePath, PostsQuery),
    responses(
        (status = 403, description = "A members-only group the caller is not a member of (`members_only`)", body = ErrorBody),
        (status = 200, description = "A page of posts", body = Page<PostView>),
        (status = 400, description = "Invalid `sort`, `questions`, `cursor` or `limit`", body = ErrorBody),
        (status = 404, description = "Unknown group", body = ErrorBody),
        SignedIn,
    )
)]
async fn list_posts(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(handle): ApiPath<String>,
    ApiQuery(q): ApiQuery<PostsQuery>,
) -> Result<Json<Page<PostView>>> {
    let sort = PostSort::parse(q.sort.as_deref())?;
    let page = posts::list(
        &s.ctx,
        viewer.as_ref(),
        &handle,
        sort,
        q.cursor.as_deref(),
        q.limit,
        questions::parse_filter(q.questions.as_deref())?,
    )
    .await?;
    Ok(Json(page))
}

/// Write a post in a group
///
/// In a group on another instance, the post is sent to the group, which relays it.
#[utoipa::path(
    post,
    path = "/groups/{handle}/posts",
    tag = TAG,
    operation_id = "createPost",
    security(("bearer" = [])),
    params(HandlePath),
    request_body = posts::NewPost,
    responses(
        (status = 201, description = "Created", body = PostView),
        (status = 403, description = "Banned from the group (`banned`)", body = ErrorBody),
        (status = 404, description = "Unknown group", body = ErrorBody),
        JsonBody,
        SignedIn,
        RateLimited,
    )
)]
async fn create_post(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
    ApiJson(input): ApiJson<posts::NewPost>,
) -> Result<(StatusCode, Json<PostView>)> {
    let view = content::create_post(&s.ctx, &user, &handle, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
