//! Members-only groups on the web: the member list (with, for moderators, the requests to
//! join and the invitation links) and the page an invitation link opens.

use axum::{extract::State, http::StatusCode};
use minijinja::context;
use serde::Deserialize;

use super::{
    groups::group_path,
    render::{PageResult, page, path_segment},
    session::{Viewer, WebForm, WebPath, done},
};
use crate::{
    domain::{
        groups, members,
        members::{InviteView, MAX_INVITE_DAYS},
        moderation,
    },
    http::AppState,
    usecases::membership,
};

/// Most members listed on the page.
const LISTED: u64 = 500;

/// `GET /g/{handle}/members`.
pub(super) async fn list(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(handle): WebPath<String>,
) -> PageResult {
    show(&s, &viewer, &handle, None).await
}

async fn show(
    s: &AppState,
    viewer: &Viewer,
    handle: &str,
    new_invite: Option<InviteView>,
) -> PageResult {
    let row = groups::find_by_handle(&s.ctx, handle).await?;
    let people = members::members(&s.ctx, viewer.user.as_ref(), &row, LISTED).await?;
    let moderates = match &viewer.user {
        Some(u) => moderation::may_moderate(&s.ctx, &row, u.person.id, u.is_admin).await?,
        None => false,
    };
    let (requests, invites) = match &viewer.user {
        Some(u) if moderates && row.local => (
            members::requests(&s.ctx, u, &row).await?,
            if members::is_members_only(&row) {
                members::invites(&s.ctx, u, &row).await?
            } else {
                vec![]
            },
        ),
        _ => (vec![], vec![]),
    };
    let group = groups::view(&s.ctx, handle).await?;
    page(
        &s.ctx.instance.domain,
        viewer,
        if new_invite.is_some() {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        "members.html",
        context! {
            path => group_path(&group),
            members_only => members::is_members_only(&row),
            group => group,
            people => people,
            moderates => moderates && row.local,
            requests => requests,
            invites => invites,
            new_invite => new_invite,
            max_days => MAX_INVITE_DAYS,
        },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct DecideForm {
    /// `approve` or `refuse`.
    #[serde(default)]
    decision: String,
}

/// `POST /g/{handle}/requests/{person}`: a moderator's decision.
pub(super) async fn decide(
    State(s): State<AppState>,
    WebPath((handle, person)): WebPath<(String, i64)>,
    WebForm { viewer, data }: WebForm<DecideForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let approve = match data.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => {
            return Err(
                crate::error::Error::invalid("decision", "must be approve or refuse").into(),
            );
        }
    };
    membership::decide(&s.ctx, &user, &handle, person, approve).await?;
    Ok(done(&format!(
        "/g/{}/members#requests-h",
        path_segment(&handle)
    )))
}

#[derive(Debug, Deserialize)]
pub(super) struct InviteForm {
    #[serde(default)]
    days: Option<i64>,
}

/// `POST /g/{handle}/invites`: a new link, shown once.
pub(super) async fn create_invite(
    State(s): State<AppState>,
    WebPath(handle): WebPath<String>,
    WebForm { viewer, data }: WebForm<InviteForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let group = groups::find_by_handle(&s.ctx, &handle).await?;
    let invite = members::create_invite(&s.ctx, &user, &group, data.days).await?;
    show(&s, &viewer, &handle, Some(invite)).await
}

/// `POST /g/{handle}/invites/{id}/revoke`.
pub(super) async fn revoke_invite(
    State(s): State<AppState>,
    WebPath((handle, id)): WebPath<(String, i64)>,
    WebForm { viewer, .. }: WebForm<super::accounts::Empty>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let group = groups::find_by_handle(&s.ctx, &handle).await?;
    members::revoke_invite(&s.ctx, &user, &group, id).await?;
    Ok(done(&format!(
        "/g/{}/members#invites-h",
        path_segment(&handle)
    )))
}

/// `GET /invite/{token}`: what the link opens, and the button that joins.
pub(super) async fn invitation(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(token): WebPath<String>,
) -> PageResult {
    let row = members::invited_to(&s.ctx, &token).await?;
    let group = groups::view(&s.ctx, &format!("{}@{}", row.name, row.domain)).await?;
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "invitation.html",
        context! { group => group, token => token },
    )
}

/// `POST /invite/{token}`: join with it.
pub(super) async fn accept(
    State(s): State<AppState>,
    WebPath(token): WebPath<String>,
    WebForm { viewer, .. }: WebForm<super::accounts::Empty>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let group = membership::join_by_invite(&s.ctx, &user, &token).await?;
    Ok(done(&format!("/g/{}", path_segment(&group.name))))
}
