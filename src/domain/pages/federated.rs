//! Pages and other instances. A page's home is its group's instance, which alone stores its
//! revisions as they are written; everywhere else keeps a copy.
//!
//! - A person here who writes or edits a page of a group hosted elsewhere makes a
//!   proposal ([`propose`]): kept here with its text, sent to the group, and marked accepted
//!   when the group announces it, or refused (with the group's reason) when it answers
//!   `Reject`. Nothing they wrote is lost either way.
//! - A group hosted here takes a member's edit from elsewhere ([`receive`]) through the same
//!   rules as an edit made here (who may edit, locks, bans, the base revision); what it
//!   refuses becomes a [`Refusal`] and nothing is stored.
//! - A copy of a page of a group hosted elsewhere is kept up to date from what the group
//!   announces ([`mirror`]), numbered as its home numbers it.

use super::*;
use crate::storage::{entities::page_proposals, pages::Copy};

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    /// Sent; the group has not answered yet.
    Sent,
    /// The group saved it.
    Accepted,
    /// The group refused it (see `reason`).
    Refused,
}

impl ProposalState {
    /// As stored in `page_proposals.state`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Accepted => "accepted",
            Self::Refused => "refused",
        }
    }

    fn of(stored: &str) -> Self {
        match stored {
            "accepted" => Self::Accepted,
            "refused" => Self::Refused,
            _ => Self::Sent,
        }
    }
}

/// An edit (or a new page) sent to the group hosted elsewhere that keeps the page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalView {
    /// The activity sent (what the group's answer names).
    pub activity_id: String,
    /// Where it stands.
    pub state: ProposalState,
    /// The group's reason for a refusal, for people.
    pub reason: Option<String>,
    /// The page's address in the group.
    pub slug: String,
    /// The revision it was made on (none: a new page).
    pub base_revision: Option<i64>,
    /// The title sent.
    pub title: String,
    /// The markdown sent (kept, so nothing is lost whatever the answer).
    pub body: String,
    /// Why.
    pub summary: String,
    /// The page's web page here.
    pub path: String,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
}

fn proposal_view(group: &groups::Model, p: &page_proposals::Model) -> ProposalView {
    ProposalView {
        activity_id: p.activity_id.clone(),
        state: ProposalState::of(&p.state),
        reason: p.reason.clone(),
        slug: p.slug.clone(),
        base_revision: p.base_revision,
        title: p.title.clone(),
        body: p.body.clone(),
        summary: p.summary.clone(),
        path: path(group, &p.slug),
        created_at: p.created_at,
    }
}

/// A checked edit, before it is stored or sent.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub slug: String,
    pub base_revision: Option<i64>,
    pub title: String,
    pub body: String,
    pub summary: String,
}

/// The ActivityPub id of a group's page: `{group id}/pages/{slug}`, wherever the group is.
pub fn page_id(group: &groups::Model, slug: &str) -> String {
    format!("{}/pages/{slug}", group.ap_id)
}

/// The slug of the page `id` names under the group `group_id` (`{group id}/pages/{slug}`,
/// the slug well formed); `None`: not a page of that group.
pub fn slug_in(group_id: &str, id: &str) -> Option<String> {
    let slug = id.strip_prefix(group_id)?.strip_prefix("/pages/")?;
    check_slug(slug).is_ok().then(|| slug.to_string())
}

/// Keeps `draft` as `editor`'s proposal to the group hosted elsewhere, under a new activity
/// id (which the use case sends).
pub(crate) async fn propose(
    ctx: &Ctx,
    editor: Editor<'_>,
    group: &groups::Model,
    draft: Draft,
) -> Result<ProposalView> {
    if !editor.person.local {
        return Err(Error::forbidden("only a person here sends edits from here"));
    }
    let kind = if draft.base_revision.is_some() {
        "update"
    } else {
        "create"
    };
    let stored = storage::pages::propose(
        &ctx.db,
        page_proposals::Model {
            id: 0,
            activity_id: ctx.instance.activity_url(kind),
            group_id: group.id,
            slug: draft.slug,
            person_id: editor.person.id,
            base_revision: draft.base_revision,
            title: draft.title,
            body: draft.body,
            summary: draft.summary,
            state: ProposalState::Sent.as_str().into(),
            reason: None,
            created_at: now(),
            updated_at: now(),
        },
    )
    .await?;
    Ok(proposal_view(group, &stored))
}

/// `user`'s proposals for page `slug` of the group of `handle` that the group has not saved
/// (waiting, or refused), newest first.
pub async fn open_proposals(
    ctx: &Ctx,
    user: &CurrentUser,
    handle: &str,
    slug: &str,
) -> Result<Vec<ProposalView>> {
    let group = find_by_handle(ctx, handle).await?;
    Ok(
        storage::pages::open_proposals(&ctx.db, group.id, slug, user.person.id)
            .await?
            .iter()
            .map(|p| proposal_view(&group, p))
            .collect(),
    )
}

/// The proposal sent as activity `activity_id`, with its group.
pub async fn proposal(
    ctx: &Ctx,
    activity_id: &str,
) -> Result<Option<(page_proposals::Model, groups::Model)>> {
    let Some(p) = storage::pages::proposal(&ctx.db, activity_id).await? else {
        return Ok(None);
    };
    let group = storage::groups::find(&ctx.db, p.group_id)
        .await?
        .ok_or(Error::NotFound("group"))?;
    Ok(Some((p, group)))
}

/// The group answered the proposal sent as `activity_id`: saved (`reason` none) or refused.
pub async fn proposal_answered(ctx: &Ctx, activity_id: &str, refused: Option<&str>) -> Result<()> {
    let state = match refused {
        None => ProposalState::Accepted,
        Some(_) => ProposalState::Refused,
    };
    storage::pages::set_proposal_state(
        &ctx.db,
        activity_id,
        state.as_str(),
        refused.map(|r| text::plain_line(r, MAX_SUMMARY_CHARS)),
        now(),
    )
    .await?;
    Ok(())
}

/// A member's page activity received by the group hosted here, as read from the wire.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The page's slug (from its id).
    pub slug: String,
    /// `Create`: a new page.
    pub new_page: bool,
    /// The revision an edit was made on.
    pub base_revision: Option<i64>,
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Why.
    pub summary: String,
    /// Locked, as the sender has it (a moderator changes it).
    pub locked: bool,
    /// Removed, as the sender has it (a moderator changes it).
    pub removed: bool,
}

/// Why a group here refused a member's page activity (answered with `Reject`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// For software: the error code (`edit_conflict`, `forbidden`, `locked`, …).
    pub code: &'static str,
    /// For people.
    pub message: String,
    /// On a conflict, the page's newest revision.
    pub revision: Option<i64>,
}

/// What a group here did with a member's page activity from elsewhere.
#[derive(Debug, Clone)]
pub enum Received {
    /// Stored (a new revision, or a moderator's lock or removal): the page now, to announce.
    Saved(pages::Model),
    /// Nothing changed (the same text again): nothing to announce (the sender is told).
    Unchanged,
    /// Refused; nothing stored.
    Refused(Refusal),
}

/// A refusal for the rules' answers; other errors (the database) stay errors.
fn refusal(e: Error) -> Result<Refusal> {
    let (code, message) = match e {
        Error::Refused { code, message } => (code.as_str(), message),
        Error::Invalid { field, message } => ("invalid", format!("{field}: {message}")),
        Error::NotFound(what) => ("not_found", format!("{what} not found")),
        other => return Err(other),
    };
    Ok(Refusal {
        code,
        message,
        revision: None,
    })
}

/// The group `group` (hosted here) takes `person`'s page activity from elsewhere: a new
/// page, an edit on a base revision, or (a moderator) a lock or removal. It goes through the
/// rules an edit made here goes through; an edit on an older revision than the newest is
/// refused as a conflict, and every refusal stores nothing.
pub async fn receive(
    ctx: &Ctx,
    group: &groups::Model,
    person: &persons::Model,
    incoming: Incoming,
) -> Result<Received> {
    let editor = Editor::remote(person);
    let current = storage::pages::find(&ctx.db, group.id, &incoming.slug).await?;
    let outcome = match (incoming.new_page, current) {
        (true, _) => create_in(
            ctx,
            editor,
            group,
            NewPage {
                title: incoming.title,
                slug: Some(incoming.slug.clone()),
                body: incoming.body,
                summary: incoming.summary,
            },
        )
        .await
        .map(|_| None),
        (false, None) => Err(Error::NotFound("page")),
        (false, Some(page)) if page.removed && incoming.removed == page.removed => {
            Err(Error::NotFound("page"))
        }
        (false, Some(page)) => match incoming.base_revision {
            None => Err(Error::invalid(
                "cohort:baseRevision",
                "an edit names the revision it was made on",
            )),
            Some(base) if page.locked != incoming.locked || page.removed != incoming.removed => {
                moderate_remote(ctx, group, &page, person, base, &incoming)
                    .await
                    .map(|()| None)
            }
            Some(base) => {
                let edit = PageEdit {
                    base_revision: base,
                    title: Some(incoming.title),
                    body: incoming.body,
                    summary: incoming.summary,
                };
                match edit_in(ctx, editor, group, &page, edit).await {
                    Ok(Saved::Conflict { current, .. }) => Ok(Some(Refusal {
                        code: Code::EditConflict.as_str(),
                        message: format!(
                            "the page was saved since revision {base}: its newest is {}",
                            current.revision
                        ),
                        revision: Some(current.revision),
                    })),
                    Ok(Saved::Page(view)) if view.revision == page.revision => {
                        return Ok(Received::Unchanged);
                    }
                    Ok(_) => Ok(None),
                    Err(e) => Err(e),
                }
            }
        },
    };
    let refused = match outcome {
        Ok(r) => r,
        Err(e) => Some(refusal(e)?),
    };
    if let Some(r) = refused {
        return Ok(Received::Refused(r));
    }
    storage::pages::find(&ctx.db, group.id, &incoming.slug)
        .await?
        .map(Received::Saved)
        .ok_or(Error::NotFound("page"))
}

/// A remote moderator's lock or removal of `page`: only on its newest revision, by someone
/// who may moderate the group.
async fn moderate_remote(
    ctx: &Ctx,
    group: &groups::Model,
    page: &pages::Model,
    person: &persons::Model,
    base: i64,
    incoming: &Incoming,
) -> Result<()> {
    if !moderation::may_moderate(ctx, group, person.id, false).await? {
        return Err(Error::forbidden(
            "only the group's moderators may lock or remove a page",
        ));
    }
    if base != page.revision {
        return Err(Error::refused(
            Code::EditConflict,
            format!("the page's newest revision is {}", page.revision),
        ));
    }
    storage::pages::set_state(&ctx.db, page.id, incoming.locked, incoming.removed).await?;
    Ok(())
}

/// A page of a group hosted elsewhere, at one revision, as its group announced it.
#[derive(Debug, Clone)]
pub struct Mirrored {
    /// Its slug.
    pub slug: String,
    /// The revision's number at the page's home.
    pub revision: i64,
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Why it was saved.
    pub summary: String,
    /// A revert's target.
    pub reverts: Option<i64>,
    /// Locked by a moderator.
    pub locked: bool,
    /// Removed by a moderator.
    pub removed: bool,
    /// Older revisions whose text a moderator removed.
    pub removed_revisions: Vec<i64>,
    /// When the page was written.
    pub published: Option<DateTime<Utc>>,
    /// When this revision was saved.
    pub updated: Option<DateTime<Utc>>,
    /// The group's instance (`scheme://host`), against which relative links are read.
    pub home: String,
}

/// Keeps the copy of a page of `group` (hosted elsewhere) as its group announced it:
/// `author` saved revision `m.revision`, `creator` wrote the page. An older revision than
/// the copy's newest only fills in the history; the same one changes only the moderators'
/// state (lock, removal, removed revisions). `past` fills in older revisions the copy lacks.
pub async fn mirror(
    ctx: &Ctx,
    group: &groups::Model,
    author: &persons::Model,
    creator: &persons::Model,
    m: Mirrored,
    past: &[Past],
) -> Result<pages::Model> {
    if group.local {
        return Err(Error::forbidden("a group here keeps its own pages"));
    }
    let title = text::title("name", &m.title, text::MAX_TITLE_CHARS)?;
    let body = text::body("source", &m.body, text::MAX_BODY_CHARS, true)?;
    if m.revision < 1 {
        return Err(Error::invalid("cohort:revision", "revisions count from 1"));
    }
    let at = m.updated.unwrap_or_else(now);
    let save = Save {
        body_html: render(&ctx.instance, group, &absolute_links(&body, &m.home)),
        title,
        body,
        author_id: author.id,
        summary: summary(&m.summary),
        reverts: m.reverts,
        now: at,
    };
    let page = storage::pages::copy(
        &ctx.db,
        group.id,
        &m.slug,
        Copy {
            number: m.revision,
            save,
            creator_id: creator.id,
            created_at: m.published.unwrap_or(at),
            locked: m.locked,
            removed: m.removed,
        },
    )
    .await?;
    for r in past {
        let removed = r.title.is_none() || r.body.is_none();
        let save = Save {
            title: r.title.as_deref().map_or(String::new(), |t| {
                text::plain_line(t, text::MAX_TITLE_CHARS)
            }),
            body: r.body.clone().unwrap_or_default(),
            body_html: String::new(),
            author_id: r.author.id,
            summary: if removed {
                String::new()
            } else {
                summary(&r.summary)
            },
            reverts: r.reverts,
            now: r.published,
        };
        // Older than the copy's newest: only its history gains the revision.
        storage::pages::copy(
            &ctx.db,
            group.id,
            &m.slug,
            Copy {
                number: r.number,
                save,
                creator_id: creator.id,
                created_at: page.created_at,
                locked: m.locked,
                removed: m.removed,
            },
        )
        .await?;
    }
    storage::pages::set_removed_revisions(&ctx.db, page.id, &m.removed_revisions).await?;
    Ok(page)
}

/// An older revision of a page kept elsewhere, read from its history at its home (to fill in
/// what a copy here missed: revisions saved before anyone here followed the group).
#[derive(Debug, Clone)]
pub struct Past {
    /// Its number at the page's home.
    pub number: i64,
    /// Who saved it.
    pub author: persons::Model,
    /// The title then (none: removed by a moderator).
    pub title: Option<String>,
    /// The markdown then (none: removed).
    pub body: Option<String>,
    /// Why.
    pub summary: String,
    /// A revert's target.
    pub reverts: Option<i64>,
    /// When.
    pub published: DateTime<Utc>,
}

/// Markdown whose links relative to its home (`](/…)`) point there, not here.
fn absolute_links(body: &str, home: &str) -> String {
    body.replace("](/", &format!("]({home}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_id_names_its_group_and_slug() {
        let g = "https://a.example/g/rust";
        assert_eq!(
            slug_in(g, "https://a.example/g/rust/pages/tls-setup").as_deref(),
            Some("tls-setup")
        );
        for bad in [
            "https://a.example/g/rustacean/pages/x",
            "https://a.example/g/rust/pages/",
            "https://a.example/g/rust/pages/a/b",
            "https://a.example/g/rust/pages/A",
            "https://b.example/g/rust/pages/x",
            "https://a.example/g/rust/posts/x",
        ] {
            assert_eq!(slug_in(g, bad), None, "{bad}");
        }
    }

    #[test]
    fn relative_links_point_home() {
        assert_eq!(
            absolute_links(
                "[t](/posts/3) and [x](https://c.example/y)",
                "https://a.example"
            ),
            "[t](https://a.example/posts/3) and [x](https://c.example/y)"
        );
    }
}
