//! Who may write and edit a group's pages: the group's setting ([`PageEditors`]), the person
//! writing ([`Editor`], here or elsewhere), what a viewer may do ([`Rights`], found once per
//! request), and the check an edit made here passes (`authorize_edit`).

use super::*;

/// Who may edit a group's pages (and write new ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PageEditors {
    /// Its moderators only.
    Moderators,
    /// Its members, here or elsewhere, and its moderators (the default).
    Members,
    /// Anyone signed in here, and its members elsewhere.
    SignedIn,
}

impl PageEditors {
    /// As stored in `groups.page_editors`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Moderators => "moderators",
            Self::Members => "members",
            Self::SignedIn => "signed_in",
        }
    }

    /// A group's setting (an unknown value reads as the default).
    pub fn of(group: &groups::Model) -> Self {
        match group.page_editors.as_str() {
            "moderators" => Self::Moderators,
            "signed_in" => Self::SignedIn,
            _ => Self::Members,
        }
    }
}

/// Who writes or edits a page: a person here (with their admin flag), or a member of a group
/// hosted here who is elsewhere (never an admin here).
#[derive(Debug, Clone, Copy)]
pub struct Editor<'a> {
    /// The person.
    pub person: &'a persons::Model,
    /// An administrator of this instance.
    pub is_admin: bool,
}

impl<'a> From<&'a CurrentUser> for Editor<'a> {
    fn from(u: &'a CurrentUser) -> Self {
        Self {
            person: &u.person,
            is_admin: u.is_admin,
        }
    }
}

impl<'a> Editor<'a> {
    /// A person on another server.
    pub fn remote(person: &'a persons::Model) -> Self {
        Self {
            person,
            is_admin: false,
        }
    }
}

/// What a viewer may do with a group's pages, found once per request (not once per page).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rights {
    /// They may moderate the group (edit locked pages, see removed ones).
    pub moderator: bool,
    /// The group's setting lets them write and edit its pages (and no ban stops them).
    pub editor: bool,
}

impl Rights {
    /// Whether they may edit `page` (none: write a new page).
    pub fn may_edit(self, page: Option<&pages::Model>) -> bool {
        self.moderator || (self.editor && !page.is_some_and(|p| p.locked || p.removed))
    }
}

/// What `user` (none: signed out) may do with `group`'s pages.
pub async fn rights(
    ctx: &Ctx,
    group: &groups::Model,
    user: Option<&CurrentUser>,
) -> Result<Rights> {
    match user {
        Some(u) => rights_of(ctx, group, u.into()).await,
        None => Ok(Rights::default()),
    }
}

/// What `editor` may do with `group`'s pages. A group hosted elsewhere keeps its pages there
/// and decides on the edits sent to it: anyone signed in here may send one.
pub async fn rights_of(ctx: &Ctx, group: &groups::Model, editor: Editor<'_>) -> Result<Rights> {
    let person = editor.person;
    if !group.local {
        return Ok(Rights {
            moderator: false,
            editor: person.local,
        });
    }
    if moderation::may_moderate(ctx, group, person.id, editor.is_admin).await? {
        return Ok(Rights {
            moderator: true,
            editor: true,
        });
    }
    if storage::moderation::ban_in_force(&ctx.db, group.id, person.id, now())
        .await?
        .is_some()
    {
        return Ok(Rights::default());
    }
    let member = || async {
        Ok::<_, Error>(
            storage::followers::find(&ctx.db, group.id, person.id)
                .await?
                .is_some_and(|f| !f.pending),
        )
    };
    let editor = match PageEditors::of(group) {
        PageEditors::Moderators => false,
        PageEditors::SignedIn => person.local || member().await?,
        PageEditors::Members => member().await?,
    };
    Ok(Rights {
        moderator: false,
        editor,
    })
}

pub(super) async fn authorize_edit(
    ctx: &Ctx,
    group: &groups::Model,
    page: Option<&pages::Model>,
    editor: Editor<'_>,
) -> Result<()> {
    if !group.local {
        return Err(Error::forbidden(
            "a group on another instance keeps its pages there",
        ));
    }
    moderation::ensure_not_banned(ctx, group.id, editor.person.id).await?;
    crate::domain::members::ensure_member(ctx, group, editor.person.id).await?;
    if page.is_some_and(|p| p.locked)
        && !moderation::may_moderate(ctx, group, editor.person.id, editor.is_admin).await?
    {
        return Err(Error::refused(
            Code::Locked,
            "this page is locked: only the group's moderators may edit it",
        ));
    }
    if !rights_of(ctx, group, editor).await?.may_edit(page) {
        return Err(Error::forbidden(match PageEditors::of(group) {
            PageEditors::Moderators => "only the group's moderators may edit its pages",
            PageEditors::Members => "only the group's members may edit its pages",
            PageEditors::SignedIn => "you may not edit this group's pages",
        }));
    }
    Ok(())
}
