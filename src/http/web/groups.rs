//! The group directory, starting and joining groups, a group's page, and writing a post.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use minijinja::context;
use serde::Deserialize;

use super::{
    accounts::{form_error, is_user_error},
    render::{PageError, PageResult, page, path_segment, tr},
    session::{Viewer, WebForm, WebPath, WebQuery, WebUpload, done},
};
use crate::{
    domain::{
        groups,
        pagination::PostSort,
        posts, questions, search, text,
        views::{GroupView, PostKind},
    },
    error::Error,
    http::AppState,
    storage::{self, questions::QuestionFilter},
    usecases::{content, membership},
};

/// The path segment of a group's page: `name` here, `name@host` for a remote group.
pub fn group_path(g: &GroupView) -> String {
    if g.local {
        g.name.clone()
    } else {
        g.handle.clone()
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct DirectoryQuery {
    q: Option<String>,
    cursor: Option<String>,
}

pub(super) async fn directory(
    State(s): State<AppState>,
    viewer: Viewer,
    WebQuery(q): WebQuery<DirectoryQuery>,
) -> PageResult {
    directory_page(&s, &viewer, StatusCode::OK, q, None, None).await
}

async fn directory_page(
    s: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    q: DirectoryQuery,
    join_error: Option<minijinja::Value>,
    handle: Option<String>,
) -> PageResult {
    let text = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let (list, next) = match text {
        Some(t) => (
            crate::domain::feeds::search_groups(&s.ctx, viewer.user.as_ref(), t).await?,
            None,
        ),
        None => {
            let page =
                groups::list(&s.ctx, viewer.user.as_ref(), q.cursor.as_deref(), Some(50)).await?;
            (page.items, page.next_cursor)
        }
    };
    page(
        &s.ctx.instance.domain,
        viewer,
        status,
        "groups.html",
        context! { groups => list, next_cursor => next, q => text, join_error => join_error, handle => handle },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct JoinForm {
    #[serde(default)]
    handle: String,
}

/// Joins a group by handle or address, here or on another instance, then shows it.
pub(super) async fn join_by_handle(
    State(s): State<AppState>,
    WebForm { viewer, data }: WebForm<JoinForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let raw = data.handle.trim();
    let data_ = s.federation.to_request_data();
    // A group's address (its ActivityPub id or page) is looked up first.
    let handle = if raw.starts_with("https://") || raw.starts_with("http://") {
        match crate::federation::resolve::resolve_for(&data_, Some(&user), raw).await {
            Ok(crate::federation::resolve::Resolved::Group { group }) => group.handle.clone(),
            Ok(_) => {
                let e = message_error(tr(viewer.lang, "groups-join-not-a-group"));
                return directory_page(
                    &s,
                    &viewer,
                    StatusCode::BAD_REQUEST,
                    empty(),
                    Some(e),
                    Some(raw.into()),
                )
                .await;
            }
            Err(e) if is_user_error(&e) => {
                return directory_page(
                    &s,
                    &viewer,
                    e.status(),
                    empty(),
                    Some(join_message(viewer.lang, &e)),
                    Some(raw.into()),
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        raw.trim_start_matches('!').to_string()
    };
    match membership::join(&data_, &user, &handle).await {
        Ok(_) => {
            let g = groups::view(&s.ctx, &handle).await?;
            Ok(done(&format!("/g/{}", path_segment(&group_path(&g)))))
        }
        Err(e) if is_user_error(&e) || matches!(e, Error::Upstream(_)) => {
            directory_page(
                &s,
                &viewer,
                e.status(),
                empty(),
                Some(join_message(viewer.lang, &e)),
                Some(raw.into()),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn empty() -> DirectoryQuery {
    DirectoryQuery {
        q: None,
        cursor: None,
    }
}

/// Why joining by handle failed, as the directory shows it (`m.error_text`), in `lang`.
fn join_message(lang: &str, e: &Error) -> minijinja::Value {
    match e {
        Error::NotFound(_) => message_error(tr(lang, "groups-join-not-found")),
        Error::Upstream(_) => message_error(tr(lang, "groups-join-upstream")),
        other => form_error(other),
    }
}

/// An error shown as its sentence alone (no code, no detail).
fn message_error(message: String) -> minijinja::Value {
    context! { message => message }
}

pub(super) async fn new_group_form(State(s): State<AppState>, viewer: Viewer) -> PageResult {
    viewer.require()?;
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "group_new.html",
        context! {},
    )
}

#[derive(Debug, Deserialize, serde::Serialize)]
pub(super) struct NewGroupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    rules: String,
    /// The members-only checkbox: present ("on") when ticked.
    #[serde(default)]
    members_only: Option<String>,
}

pub(super) async fn create_group(
    State(s): State<AppState>,
    WebForm { viewer, data }: WebForm<NewGroupForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let input = groups::NewGroup {
        name: data.name.trim().to_string(),
        title: data.title.clone(),
        description: data.description.clone(),
        rules: data.rules.clone(),
        visibility: Some(visibility(data.members_only.is_some())),
    };
    match groups::create(&s.ctx, &user, input).await {
        Ok(g) => {
            // The creator is a member of their group.
            membership::join(&s.federation.to_request_data(), &user, &g.name).await?;
            Ok(done(&format!("/g/{}", path_segment(&g.name))))
        }
        Err(e) if is_user_error(&e) => page(
            &s.ctx.instance.domain,
            &viewer,
            e.status(),
            "group_new.html",
            context! { form => data, error => form_error(&e) },
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct GroupQuery {
    sort: Option<String>,
    cursor: Option<String>,
    questions: Option<String>,
}

/// The orders a group's posts can be listed in, as the page offers them (each one's name is
/// message `group-sort-{name}`).
const SORTS: &[&str] = &["hot", "new", "active", "top"];

/// A group's page (`/g/{name}` here, `/g/{name@host}` for a remote group).
pub async fn group_page(
    s: &AppState,
    headers: &HeaderMap,
    here: &str,
    handle: &str,
    query: Option<&str>,
) -> Response {
    let viewer = match Viewer::from_headers(s, headers, here).await {
        Ok(v) => v,
        Err(e) => return super::render::error_page(&e),
    };
    let q: GroupQuery = match serde_urlencoded::from_str(query.unwrap_or("")) {
        Ok(q) => q,
        Err(_) => {
            return super::render::error_page(&Error::BadRequest(
                "the address has a malformed query".into(),
            ));
        }
    };
    match render_group(s, &viewer, handle, q).await {
        Ok(r) => r,
        Err(e) => axum::response::IntoResponse::into_response(e),
    }
}

async fn render_group(s: &AppState, viewer: &Viewer, handle: &str, q: GroupQuery) -> PageResult {
    let group = groups::view(&s.ctx, handle).await?;
    let row = groups::find_by_handle(&s.ctx, handle).await?;
    if !crate::domain::members::may_read(&s.ctx, &row, viewer.user.as_ref()).await? {
        return render_closed_group(s, viewer, group).await;
    }
    let sort = PostSort::parse(q.sort.as_deref())?;
    let filter = questions::parse_filter(q.questions.as_deref())?;
    let posts = posts::list(
        &s.ctx,
        viewer.user.as_ref(),
        handle,
        sort,
        q.cursor.as_deref(),
        Some(25),
        filter,
    )
    .await?;
    let counts = questions::counts(&s.ctx, &row).await?;
    let waiting = questions::waiting(&s.ctx, viewer.user.as_ref(), Some(&row)).await?;
    let filter_name = match filter {
        QuestionFilter::Any => "",
        QuestionFilter::All => "all",
        QuestionFilter::Answered => "answered",
        QuestionFilter::Unanswered => "unanswered",
    };
    let membership = match &viewer.user {
        Some(u) => storage::followers::find(&s.ctx.db, group.id, u.person.id)
            .await?
            .map(|f| if f.pending { "pending" } else { "joined" }),
        None => None,
    };
    let members = storage::followers::count_accepted(&s.ctx.db, group.id).await?;
    let requests = match &viewer.user {
        Some(u)
            if crate::domain::members::is_members_only(&row)
                && row.local
                && crate::domain::moderation::may_moderate(
                    &s.ctx,
                    &row,
                    u.person.id,
                    u.is_admin,
                )
                .await? =>
        {
            storage::followers::requests(&s.ctx.db, row.id).await?.len()
        }
        _ => 0,
    };
    let pages = crate::domain::pages::list(&s.ctx, viewer.user.as_ref(), handle).await?;
    let pinned = posts::pinned(&s.ctx, &row).await?;
    let may_write_pages = crate::domain::pages::rights(&s.ctx, &row, viewer.user.as_ref())
        .await?
        .may_edit(None);
    let sort_name = match sort {
        PostSort::New => "new",
        PostSort::Active => "active",
        PostSort::Hot => "hot",
        PostSort::Top => "top",
    };
    page(
        &s.ctx.instance.domain,
        viewer,
        StatusCode::OK,
        "group.html",
        context! {
            path => group_path(&group),
            group => group,
            posts => posts.items,
            next_cursor => posts.next_cursor,
            sort => sort_name,
            sorts => SORTS,
            membership => membership,
            members => members,
            questions => filter_name,
            counts => counts,
            waiting => waiting,
            pages => pages,
            pinned => pinned,
            may_write_pages => may_write_pages,
            requests => requests,
            readable => true,
        },
    )
}

/// The page of a members-only group for someone outside it: what it is about, its rules
/// and moderators, and how to join; none of its content.
async fn render_closed_group(
    s: &AppState,
    viewer: &Viewer,
    group: crate::domain::views::GroupView,
) -> PageResult {
    let membership = match &viewer.user {
        Some(u) => storage::followers::find(&s.ctx.db, group.id, u.person.id)
            .await?
            .map(|f| if f.pending { "pending" } else { "joined" }),
        None => None,
    };
    page(
        &s.ctx.instance.domain,
        viewer,
        StatusCode::FORBIDDEN,
        "group.html",
        context! {
            path => group_path(&group),
            group => group,
            membership => membership,
            readable => false,
        },
    )
}

pub(super) async fn join(
    State(s): State<AppState>,
    WebPath(handle): WebPath<String>,
    WebForm { viewer, .. }: WebForm<super::accounts::Empty>,
) -> PageResult {
    let user = viewer.require()?.clone();
    membership::join(&s.federation.to_request_data(), &user, &handle).await?;
    Ok(done(&format!("/g/{}", path_segment(&handle))))
}

pub(super) async fn leave(
    State(s): State<AppState>,
    WebPath(handle): WebPath<String>,
    WebForm { viewer, .. }: WebForm<super::accounts::Empty>,
) -> PageResult {
    let user = viewer.require()?.clone();
    membership::leave(&s.federation.to_request_data(), &user, &handle).await?;
    Ok(done(&format!("/g/{}", path_segment(&handle))))
}

#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub(super) struct PostForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// "question" or "discussion" (new posts only).
    #[serde(default)]
    pub kind: String,
    /// The language it is written in (a tag; empty: not said). Absent keeps it on an edit.
    #[serde(default)]
    pub language: Option<String>,
    /// The alt text of the file being attached.
    #[serde(default)]
    pub alt: String,
    #[serde(default, skip_serializing)]
    pub action: String,
}

impl PostForm {
    /// The kind chosen on the form (a discussion unless "question").
    pub fn kind(&self) -> PostKind {
        if self.kind == "question" {
            PostKind::Question
        } else {
            PostKind::Discussion
        }
    }
}

/// The compose page (new post, or editing one), with an optional preview.
#[allow(clippy::too_many_arguments)]
pub(super) fn compose_page(
    s: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    group: Option<&GroupView>,
    action: &str,
    cancel: &str,
    form: &PostForm,
    preview: bool,
    error: Option<&Error>,
) -> PageResult {
    let draft = Draft {
        form,
        preview,
        similar: None,
    };
    compose_page_with(s, viewer, status, group, action, cancel, draft, error)
}

/// What the compose page shows of the draft being written.
pub(super) struct Draft<'a> {
    /// The fields as written so far.
    form: &'a PostForm,
    /// Whether to show its preview.
    preview: bool,
    /// Answered questions and the group's pages like it, when asked for (the
    /// similar-questions button).
    similar: Option<Vec<search::SearchHit>>,
}

/// The compose page with everything it can show of a draft.
#[allow(clippy::too_many_arguments)]
fn compose_page_with(
    s: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    group: Option<&GroupView>,
    action: &str,
    cancel: &str,
    Draft {
        form,
        preview,
        similar,
    }: Draft<'_>,
    error: Option<&Error>,
) -> PageResult {
    let editing = group.is_none();
    let lang = viewer.lang;
    page(
        &s.ctx.instance.domain,
        viewer,
        status,
        "compose.html",
        context! {
            heading => tr(lang, if editing { "compose-edit-post" } else { "group-new-post" }),
            group => group.map(|g| crate::domain::views::GroupRef { id: g.id, name: g.name.clone(), handle: g.handle.clone(), ap_id: g.ap_id.clone() }),
            qa_mode => group.is_some_and(|g| g.qa_mode),
            action => action,
            cancel => cancel,
            with_title => true,
            body_label => tr(lang, "compose-body"),
            submit_label => tr(lang, if editing { "group-save" } else { "compose-post" }),
            form => form,
            preview_html => preview.then(|| text::render_markdown(&form.body)),
            similar => similar,
            error => error.map(form_error),
        },
    )
}

pub(super) async fn compose(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(handle): WebPath<String>,
) -> PageResult {
    viewer.require()?;
    let group = groups::view(&s.ctx, &handle).await?;
    let path = path_segment(&group_path(&group));
    compose_page(
        &s,
        &viewer,
        StatusCode::OK,
        Some(&group),
        &format!("/g/{path}/submit"),
        &format!("/g/{path}"),
        // Written in the language of the pages, unless the writer picks another.
        &PostForm {
            language: Some(viewer.lang.to_string()),
            ..PostForm::default()
        },
        false,
        None,
    )
}

pub(super) async fn submit(
    State(s): State<AppState>,
    WebPath(handle): WebPath<String>,
    WebUpload {
        viewer,
        mut data,
        file,
    }: WebUpload<PostForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let group = groups::view(&s.ctx, &handle).await?;
    let path = path_segment(&group_path(&group));
    let (action, cancel) = (format!("/g/{path}/submit"), format!("/g/{path}"));
    if let Some(page) = super::media::attach_to_draft(
        &s,
        &viewer,
        &user,
        Some(&group),
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
            Some(&group),
            &action,
            &cancel,
            &data,
            true,
            None,
        );
    }
    if data.action == "similar" {
        // The similar-questions button: the same page, the draft kept, with answered
        // questions and the group's pages like its title (none for an empty title).
        let similar = search::similar(&s.ctx, Some(&user), &data.title, Some(group.id)).await?;
        let draft = Draft {
            form: &data,
            preview: false,
            similar: Some(similar),
        };
        return compose_page_with(
            &s,
            &viewer,
            StatusCode::OK,
            Some(&group),
            &action,
            &cancel,
            draft,
            None,
        );
    }
    let input = posts::NewPost {
        title: data.title.clone(),
        body: data.body.clone(),
        kind: Some(data.kind()),
        language: data.language.clone(),
    };
    match content::create_post(&s.ctx, &user, &handle, input).await {
        Ok(view) => Ok(done(&format!("/posts/{}", view.id))),
        Err(e) if is_user_error(&e) => compose_page(
            &s,
            &viewer,
            e.status(),
            Some(&group),
            &action,
            &cancel,
            &data,
            false,
            Some(&e),
        ),
        Err(e) => Err(PageError::from(e)),
    }
}

/// A members-only checkbox as a visibility.
pub(super) fn visibility(members_only: bool) -> crate::domain::members::Visibility {
    if members_only {
        crate::domain::members::Visibility::Members
    } else {
        crate::domain::members::Visibility::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys the group page and the compose page build from values (`group-sort-{name}`)
    /// or that the handlers ask for are in the catalogue.
    #[test]
    fn every_key_built_here_is_in_the_catalogue() {
        let catalogue = crate::i18n::catalogue().unwrap();
        let sorts = SORTS.iter().map(|s| format!("group-sort-{s}"));
        let fixed = [
            "groups-join-not-a-group",
            "groups-join-not-found",
            "groups-join-upstream",
            "compose-edit-post",
            "group-new-post",
            "compose-body",
            "group-save",
            "compose-post",
        ]
        .map(String::from);
        for key in sorts.chain(fixed) {
            assert!(catalogue.has("en", &key), "no message {key:?}");
        }
        // Every order offered is one the domain reads.
        for s in SORTS {
            assert!(PostSort::parse(Some(s)).is_ok(), "{s}");
        }
    }
}
