//! The knowledge base on the web: a group's page with its history (and a diff between two
//! revisions), the form that writes a new page, and the edit form, which shows a conflict
//! (the page saved since the form was opened) with what changed, the text kept.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, Uri},
};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{
    accounts::{form_error, is_user_error},
    render::{PageResult, page},
    session::{Viewer, WebForm, WebPath, WebQuery, done},
};
use crate::{
    domain::{
        groups,
        pages::{self, NewPage, PageEdit, ProposalView, RevisionAction, Saved, Written},
    },
    error::Error,
    federation::wants_activity_json,
    http::{AppState, activitypub},
    usecases::pages as usecase,
};

/// Which revisions a page's diff compares.
#[derive(Debug, Default, Deserialize)]
pub(super) struct DiffQuery {
    from: Option<i64>,
    to: Option<i64>,
}

/// `GET /g/{handle}/pages/{slug}`: the page, its history, a diff when asked for, and the edit
/// form for its editors.
pub(super) async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    viewer: Viewer,
    WebPath((handle, slug)): WebPath<(String, String)>,
    WebQuery(q): WebQuery<DiffQuery>,
) -> PageResult {
    if wants_activity_json(&headers) {
        let asked = activitypub::pages::Asked {
            uri: &uri,
            headers: &headers,
        };
        return Ok(activitypub::pages::article(&s, asked, &handle, &slug).await?);
    }
    let user = viewer.user.as_ref();
    let proposals = match user {
        Some(u) => shown(pages::open_proposals(&s.ctx, u, &handle, &slug).await?),
        None => vec![],
    };
    let (group, row) = match pages::load(&s.ctx, user, &handle, &slug).await {
        // A new page sent to a group elsewhere, not saved there yet: what was sent.
        Err(Error::NotFound("page")) if !proposals.is_empty() => {
            return page(
                &s.ctx.instance.domain,
                &viewer,
                StatusCode::OK,
                "page_sent.html",
                context! {
                    group => groups::view(&s.ctx, &handle).await?, path => handle, slug => slug,
                    proposals => proposals,
                },
            );
        }
        other => other?,
    };
    let rights = pages::rights(&s.ctx, &group, user).await?;
    let view = pages::view(&group, &row, rights);
    let history = pages::history(&s.ctx, user, &handle, &slug).await?;
    let moderator = rights.moderator;
    let diff = match (q.from, q.to) {
        (Some(from), Some(to)) => Some(pages::diff(&s.ctx, user, &handle, &slug, from, to).await?),
        _ => None,
    };
    let form = EditForm {
        base_revision: view.revision,
        title: view.title.clone(),
        body: view.body.clone(),
        summary: String::new(),
    };
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "page.html",
        context! {
            group => groups::view(&s.ctx, &handle).await?, path => handle, page => view,
            history => history, diff => diff, form => form, moderator => moderator,
            proposals => proposals,
        },
    )
}

/// Why-codes a group sends when it refuses an edit (`Reject`'s `cohort:reason`: the
/// `Refusal` codes of `domain::pages`, and the older names `conflict` and `taken`), each
/// worded by message `page-refusal-{code}`. Cohort sends a sentence too (stored as the
/// reason instead); a code alone is shown in the reader's language.
const REFUSAL_CODES: &[&str] = &[
    "edit_conflict",
    "conflict",
    "forbidden",
    "banned",
    "locked",
    "deleted",
    "name_taken",
    "taken",
    "invalid",
    "not_found",
    "unchanged",
];

/// A proposal as the page shows it: with the message key of its refusal's reason when the
/// group sent a known code rather than a sentence.
#[derive(Debug, Serialize)]
struct ShownProposal {
    #[serde(flatten)]
    proposal: ProposalView,
    reason_key: Option<String>,
}

fn shown(proposals: Vec<ProposalView>) -> Vec<ShownProposal> {
    proposals
        .into_iter()
        .map(|p| ShownProposal {
            reason_key: p
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|r| REFUSAL_CODES.contains(r))
                .map(|r| format!("page-refusal-{r}")),
            proposal: p,
        })
        .collect()
}

/// `GET /g/{handle}/pages/{slug}/history`: the history collection for servers; people are
/// sent to the page, which shows it.
pub(super) async fn history(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    WebPath((handle, slug)): WebPath<(String, String)>,
) -> PageResult {
    if wants_activity_json(&headers) {
        let asked = activitypub::pages::Asked {
            uri: &uri,
            headers: &headers,
        };
        return Ok(activitypub::pages::history(&s, asked, &handle, &slug).await?);
    }
    Ok(done(&format!("/g/{handle}/pages/{slug}#history-h")))
}

/// `GET /g/{handle}/pages/{slug}/revisions/{number}`: the revision for servers; people see
/// what it changed.
pub(super) async fn revision(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    WebPath((handle, slug, number)): WebPath<(String, String, i64)>,
) -> PageResult {
    if wants_activity_json(&headers) {
        let asked = activitypub::pages::Asked {
            uri: &uri,
            headers: &headers,
        };
        return Ok(activitypub::pages::revision(&s, asked, &handle, &slug, number).await?);
    }
    Ok(done(&format!(
        "/g/{handle}/pages/{slug}?from={}&to={number}",
        (number - 1).max(1)
    )))
}

/// The edit form.
#[derive(Debug, Deserialize, Serialize)]
pub(super) struct EditForm {
    base_revision: i64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    summary: String,
}

/// `POST /g/{handle}/pages/{slug}/edit`: saves, or shows the conflict with the text kept.
pub(super) async fn edit(
    State(s): State<AppState>,
    WebPath((handle, slug)): WebPath<(String, String)>,
    WebForm { viewer, data }: WebForm<EditForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let input = PageEdit {
        base_revision: data.base_revision,
        title: Some(data.title.clone()),
        body: data.body.clone(),
        summary: data.summary.clone(),
    };
    let (status, error, conflict) = match usecase::edit(&s.ctx, &user, &handle, &slug, input).await
    {
        Ok(Saved::Page(p)) => return Ok(done(&p.path)),
        Ok(Saved::Sent(p)) => return Ok(done(&p.path)),
        Ok(Saved::Conflict { current, diff }) => (
            StatusCode::CONFLICT,
            None,
            Some(context! { current => current, diff => diff }),
        ),
        Err(e) if is_user_error(&e) => (e.status(), Some(form_error(&e)), None),
        Err(e) => return Err(e.into()),
    };
    let (group, row) = pages::load(&s.ctx, Some(&user), &handle, &slug).await?;
    let view = pages::view_for(&s.ctx, Some(&user), &group, &row).await?;
    let history = pages::history(&s.ctx, Some(&user), &handle, &slug).await?;
    page(
        &s.ctx.instance.domain,
        &viewer,
        status,
        "page.html",
        context! {
            group => groups::view(&s.ctx, &handle).await?, path => handle, page => view,
            history => history, form => data, error => error, conflict => conflict,
        },
    )
}

/// The new-page form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(super) struct NewForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    summary: String,
}

/// `GET /g/{handle}/pages/new`: the form (`?title=` fills in the title, as a `[[link]]` to a
/// missing page does).
pub(super) async fn new_form(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(handle): WebPath<String>,
    WebQuery(form): WebQuery<NewForm>,
) -> PageResult {
    viewer.require()?;
    let group = groups::view(&s.ctx, &handle).await?;
    page(
        &s.ctx.instance.domain,
        &viewer,
        StatusCode::OK,
        "page_new.html",
        context! { group => group, path => handle, form => form },
    )
}

/// `POST /g/{handle}/pages`: writes the page and goes to it.
pub(super) async fn create(
    State(s): State<AppState>,
    WebPath(handle): WebPath<String>,
    WebForm { viewer, data }: WebForm<NewForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let input = NewPage {
        title: data.title.clone(),
        slug: Some(data.slug.trim().to_string()).filter(|s| !s.is_empty()),
        body: data.body.clone(),
        summary: data.summary.clone(),
    };
    match usecase::create(&s.ctx, &user, &handle, input).await {
        Ok(Written::Page(p)) => Ok(done(&p.path)),
        Ok(Written::Sent(p)) => Ok(done(&p.path)),
        Err(e) if is_user_error(&e) => page(
            &s.ctx.instance.domain,
            &viewer,
            e.status(),
            "page_new.html",
            context! {
                group => groups::view(&s.ctx, &handle).await?, path => handle, form => data,
                error => form_error(&e),
            },
        ),
        Err(e) => Err(e.into()),
    }
}

/// The revision-moderation form.
#[derive(Debug, Deserialize)]
pub(super) struct RevisionForm {
    action: RevisionAction,
}

/// `POST /g/{handle}/pages/{slug}/revisions/{number}`: a moderator removes or restores an
/// older revision's text.
pub(super) async fn moderate_revision(
    State(s): State<AppState>,
    WebPath((handle, slug, number)): WebPath<(String, String, i64)>,
    WebForm { viewer, data }: WebForm<RevisionForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    usecase::moderate_revision(&s.ctx, &user, &handle, &slug, number, data.action).await?;
    let (group, _) = pages::load(&s.ctx, Some(&user), &handle, &slug).await?;
    Ok(done(&pages::path(&group, &slug)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal code the page words has its message, and every code the domain refuses
    /// a page activity with is among them.
    #[test]
    fn every_refusal_code_has_a_message() {
        let catalogue = crate::i18n::catalogue().unwrap();
        for code in REFUSAL_CODES {
            let key = format!("page-refusal-{code}");
            assert!(catalogue.has("en", &key), "no message {key:?}");
        }
        for code in [
            crate::error::Code::EditConflict,
            crate::error::Code::Forbidden,
            crate::error::Code::Locked,
            crate::error::Code::NameTaken,
            crate::error::Code::Deleted,
            crate::error::Code::Banned,
        ] {
            assert!(REFUSAL_CODES.contains(&code.as_str()), "{}", code.as_str());
        }
    }

    #[tokio::test]
    async fn a_known_code_is_worded_and_a_sentence_is_kept() {
        let proposal = |reason: &str| ProposalView {
            activity_id: "https://b.example/a/1".into(),
            state: pages::ProposalState::Refused,
            reason: Some(reason.into()),
            slug: "s".into(),
            base_revision: Some(1),
            title: "T".into(),
            body: "B".into(),
            summary: String::new(),
            path: "/g/x@b.example/pages/s".into(),
            created_at: chrono::Utc::now(),
        };
        let out = shown(vec![proposal("locked"), proposal("the page is locked")]);
        assert_eq!(out[0].reason_key.as_deref(), Some("page-refusal-locked"));
        assert_eq!(out[1].reason_key, None);
        // As the page shows them: the code in the reader's language, the sentence as sent.
        let render = |lang: &'static str, proposals| {
            super::super::render::with_page_lang(lang, async move {
                super::super::render::render_to_string(
                    "a.example",
                    None,
                    "page_sent.html",
                    context! {
                        group => context! { title => "Ops" }, path => "ops@b.example",
                        slug => "s", proposals => proposals,
                    },
                )
                .unwrap()
            })
        };
        let reasons = || shown(vec![proposal("locked"), proposal("while <b>locked</b>")]);
        let en = render("en", reasons()).await;
        assert!(
            en.contains("refused by the group</strong>: the page is locked. Nothing"),
            "{en}"
        );
        assert!(
            en.contains(": while &lt;b&gt;locked&lt;/b&gt;. Nothing"),
            "{en}"
        );
        let de = render("de", reasons()).await;
        assert!(
            de.contains("abgelehnt</strong>: die Seite ist gesperrt."),
            "{de}"
        );
    }
}
