//! Groups and the posts in them.

use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use serde::Deserialize;

use crate::{
    domain::{
        groups,
        pagination::{Page, PostSort},
        posts,
        views::{GroupView, PostView},
    },
    error::Result,
    http::{
        AppState,
        extract::{ApiJson, ApiPath, ApiQuery, Auth, MaybeAuth},
    },
    usecases::content,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list).post(create))
        .route("/groups/{handle}", get(show).patch(edit))
        .route("/groups/{handle}/posts", get(list_posts).post(create_post))
}

#[derive(Deserialize)]
struct PageQuery {
    cursor: Option<String>,
    limit: Option<u64>,
}

#[derive(Deserialize)]
struct PostsQuery {
    sort: Option<String>,
    cursor: Option<String>,
    limit: Option<u64>,
}

async fn list(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<GroupView>>> {
    Ok(Json(
        groups::list(&s.ctx, q.cursor.as_deref(), q.limit).await?,
    ))
}

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

async fn show(
    State(s): State<AppState>,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<GroupView>> {
    Ok(Json(groups::view(&s.ctx, &handle).await?))
}

async fn edit(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
    ApiJson(input): ApiJson<groups::GroupEdit>,
) -> Result<Json<GroupView>> {
    Ok(Json(groups::edit(&s.ctx, &user, &handle, input).await?))
}

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
    )
    .await?;
    Ok(Json(page))
}

async fn create_post(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
    ApiJson(input): ApiJson<posts::NewPost>,
) -> Result<(StatusCode, Json<PostView>)> {
    let view = content::create_post(&s.ctx, &user, &handle, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
