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
    domain::{accounts::CurrentUser, content::ContentRef, groups, moderation, reports},
    error::Error,
    http::AppState,
    usecases::moderation::{self as usecase, Action},
};

#[derive(Debug, Deserialize)]
pub(super) struct LogQuery {
    before: Option<i64>,
}

/// Every action the mod log records (`domain::moderation::Act::name`); the page words each
/// one with message `modlog-action-{action}`, and shows any other as it is stored.
const MODLOG_ACTIONS: &[&str] = &[
    "remove_post",
    "restore_post",
    "remove_reply",
    "restore_reply",
    "lock",
    "unlock",
    "pin",
    "unpin",
    "ban",
    "unban",
    "add_moderator",
    "remove_moderator",
];

/// `GET /g/{handle}/modlog`: what the group's moderators did, newest first, with why.
pub(super) async fn modlog(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(handle): WebPath<String>,
    WebQuery(q): WebQuery<LogQuery>,
) -> PageResult {
    let group = groups::view(&s.ctx, &handle).await?;
    let log = moderation::modlog(&s.ctx, viewer.user.as_ref(), &handle, q.before, Some(50)).await?;
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "modlog.html",
        context! {
            group => group, path => handle, entries => log.items, next_before => log.next_before,
            actions => MODLOG_ACTIONS,
        },
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
        qa_mode: group.qa_mode.then(|| "on".into()),
        members_only: crate::domain::members::is_members_only(&group).then(|| "on".into()),
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
    /// The Q&A mode checkbox: present ("on") when ticked.
    #[serde(default)]
    qa_mode: Option<String>,
    /// The members-only checkbox: present ("on") when ticked.
    #[serde(default)]
    members_only: Option<String>,
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
        qa_mode: None,
        visibility: Some(super::groups::visibility(data.members_only.is_some())),
    };
    let edited = match groups::edit(&s.ctx, &user, &handle, input).await {
        Ok(_) => {
            crate::usecases::questions::set_qa_mode(&s.ctx, &user, &handle, data.qa_mode.is_some())
                .await
        }
        Err(e) => Err(e),
    };
    match edited {
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

/// What a moderator's button sends: whether to set or clear, and an optional reason.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ActForm {
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

impl ActForm {
    fn on(&self) -> bool {
        self.on.as_deref() != Some("false")
    }
}

/// `POST /posts/{id}/lock` (`on=false`: unlock).
pub(super) async fn lock(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, data }: WebForm<ActForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let reason = moderation::reason(data.reason.as_deref())?;
    let action = Action::Lock {
        post_id: id,
        locked: data.on(),
        reason,
    };
    usecase::act(&s.ctx, &user, action).await?;
    Ok(super::session::done(&format!("/posts/{id}")))
}

/// `POST /posts/{id}/pin` (`on=false`: unpin).
pub(super) async fn pin(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, data }: WebForm<ActForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let action = Action::Pin {
        post_id: id,
        pinned: data.on(),
    };
    usecase::act(&s.ctx, &user, action).await?;
    Ok(super::session::done(&format!("/posts/{id}")))
}

/// `POST /posts/{id}/restore`: a moderator undoes a removal.
pub(super) async fn restore_post(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, .. }: WebForm<ActForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let action = Action::Remove {
        id: ContentRef::Post(id),
        remove: false,
        reason: None,
    };
    usecase::act(&s.ctx, &user, action).await?;
    Ok(super::session::done(&format!("/posts/{id}")))
}

/// `POST /replies/{id}/restore`.
pub(super) async fn restore_reply(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, .. }: WebForm<ActForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let action = Action::Remove {
        id: ContentRef::Reply(id),
        remove: false,
        reason: None,
    };
    let done = usecase::act(&s.ctx, &user, action).await?;
    let post = match &done.act {
        moderation::Act::Restore {
            target: moderation::Target::Reply(r),
            ..
        } => r.post_id,
        _ => return Err(Error::NotFound("reply").into()),
    };
    Ok(super::session::done(&format!("/posts/{post}#r{id}")))
}

async fn report(
    s: &AppState,
    user: &CurrentUser,
    post_id: Option<i64>,
    reply_id: Option<i64>,
    reason: String,
) -> Result<(), Error> {
    let input = reports::NewReport {
        post_id,
        reply_id,
        page_id: None,
        person: None,
        group: None,
        media: None,
        reason,
    };
    usecase::report(&s.ctx, user, input, None).await?;
    Ok(())
}

/// `POST /posts/{id}/report`: to the group's moderators.
pub(super) async fn report_post(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, data }: WebForm<ActForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    report(&s, &user, Some(id), None, data.reason.unwrap_or_default()).await?;
    Ok(super::session::done(&format!("/posts/{id}?reported=1")))
}

/// `POST /pages/{id}/report`: a page of the knowledge base, to its group's moderators.
pub(super) async fn report_page(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, data }: WebForm<ActForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let input = reports::NewReport {
        post_id: None,
        reply_id: None,
        page_id: Some(id),
        person: None,
        group: None,
        media: None,
        reason: data.reason.unwrap_or_default(),
    };
    let view = usecase::report(&s.ctx, &user, input, None).await?;
    let path = view.page.map(|p| p.path).unwrap_or_else(|| "/".into());
    Ok(super::session::done(&format!("{path}?reported=1")))
}

/// `POST /replies/{id}/report`.
pub(super) async fn report_reply(
    State(s): State<AppState>,
    WebPath(id): WebPath<i64>,
    WebForm { viewer, data }: WebForm<ActForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let post = crate::storage::replies::find(&s.ctx.db, id)
        .await?
        .ok_or(Error::NotFound("reply"))?
        .post_id;
    report(&s, &user, None, Some(id), data.reason.unwrap_or_default()).await?;
    Ok(super::session::done(&format!(
        "/posts/{post}?reported=1#r{id}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action the domain writes to the mod log (the names `Act::name` returns, read
    /// from its source) is one the page words, and its message is in the catalogue.
    #[test]
    fn every_mod_log_action_has_a_message() {
        let source = include_str!("../../domain/moderation.rs");
        let start = source
            .find("pub fn name(&self) -> &'static str {")
            .expect("Act::name");
        let body = &source[start..];
        let body = &body[..body.find("\n    }\n").expect("the end of Act::name")];
        let written: Vec<&str> = body.split('"').skip(1).step_by(2).collect();
        assert_eq!(written.len(), MODLOG_ACTIONS.len(), "{written:?}");
        for action in &written {
            assert!(MODLOG_ACTIONS.contains(action), "{action} is not worded");
        }
        let catalogue = crate::i18n::catalogue().unwrap();
        for action in MODLOG_ACTIONS {
            let key = format!("modlog-action-{action}");
            assert!(catalogue.has("en", &key), "no message {key:?}");
        }
    }
}
