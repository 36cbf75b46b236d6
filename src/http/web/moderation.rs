//! A group's public mod log as a page, and its moderators' form for what the group is
//! about (title, description, rules).

use axum::{extract::State, http::StatusCode};
use minijinja::context;
use serde::Deserialize;

use super::{
    accounts::{form_error, is_user_error},
    render::{PageResult, page, path_segment},
    session::{Viewer, WebForm, WebPath, WebQuery, done},
};
use crate::{
    domain::{groups, moderation},
    error::Error,
    http::AppState,
};

#[derive(Debug, Deserialize)]
pub(super) struct LogQuery {
    before: Option<i64>,
}

/// `GET /g/{handle}/modlog`: what the group's moderators did, newest first, with why.
pub(super) async fn modlog(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(handle): WebPath<String>,
    WebQuery(q): WebQuery<LogQuery>,
) -> PageResult {
    let group = groups::view(&s.ctx, &handle).await?;
    let log = moderation::modlog(&s.ctx, &handle, q.before, Some(50)).await?;
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "modlog.html",
        context! { group => group, path => handle, entries => log.items, next_before => log.next_before },
    )
}

/// `GET /g/{handle}/edit`: the moderators' form.
pub(super) async fn edit_form(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(handle): WebPath<String>,
) -> PageResult {
    let user = viewer.require()?;
    let group = groups::find_by_handle(&s.ctx, &handle).await?;
    if !group.local {
        return Err(Error::forbidden("a group on another instance is edited there").into());
    }
    moderation::authorize(&s.ctx, user, &group).await?;
    let view = groups::view(&s.ctx, &handle).await?;
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "group_edit.html",
        context! { group => view, path => handle, form => EditForm {
        title: group.title, description: group.description, rules: group.rules } },
    )
}

#[derive(Debug, Deserialize, serde::Serialize)]
pub(super) struct EditForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    rules: String,
}

/// `POST /g/{handle}/edit`.
pub(super) async fn edit(
    State(s): State<AppState>,
    WebPath(handle): WebPath<String>,
    WebForm { viewer, data }: WebForm<EditForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let input = groups::GroupEdit {
        title: Some(data.title.clone()),
        description: Some(data.description.clone()),
        rules: Some(data.rules.clone()),
    };
    match groups::edit(&s.ctx, &user, &handle, input).await {
        Ok(g) => Ok(done(&format!("/g/{}", path_segment(&g.name)))),
        Err(e) if is_user_error(&e) => {
            let view = groups::view(&s.ctx, &handle).await?;
            page(
                &s.ctx.instance.domain,
                &viewer,
                e.status(),
                "group_edit.html",
                context! { group => view, path => handle, form => data, error => form_error(&e) },
            )
        }
        Err(e) => Err(e.into()),
    }
}
