//! Members-only groups: who may read and write in one, requests to join and their approval,
//! invitation links.
//!
//! A group is public (anyone reads it) or members-only: its name, description and rules stay
//! public (so people can ask to join), but its posts, replies, pages, member list and health
//! are read only by its approved members and its moderators (and, for a group hosted here,
//! the instance's administrators, who moderate it). The same rule covers a members-only
//! group elsewhere whose content this instance received for its members here: nobody else
//! here reads it.
//!
//! Every read that can show a group's content asks this module: a read of one group
//! [`ensure_readable`], a read across groups [`Sight`] (the members-only groups the viewer
//! may not read, filtered out like the content of blocked people). Every write in a group
//! (post, reply, vote, page edit, choosing an answer) asks [`ensure_member`].

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{Ctx, accounts::CurrentUser, hex, now, random_hex, views::PersonRef};
use crate::{
    error::{Code, Error, Result},
    storage::{
        self,
        entities::{group_followers, group_invites, groups, persons},
    },
};

/// Who reads a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Anyone, here and on other servers (the default).
    Public,
    /// Only its approved members; joining is by a moderator's approval or an invitation.
    Members,
}

impl Visibility {
    /// A group's visibility as stored.
    pub fn of(g: &groups::Model) -> Self {
        if g.visibility == "members" {
            Self::Members
        } else {
            Self::Public
        }
    }

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Members => "members",
        }
    }
}

/// Whether `g` is members-only.
pub fn is_members_only(g: &groups::Model) -> bool {
    Visibility::of(g) == Visibility::Members
}

/// The members-only groups a viewer may not read (everything else they may).
#[derive(Debug, Clone, Default)]
pub struct Sight {
    closed: HashSet<i64>,
}

impl Sight {
    /// Whether the viewer may read the group `group_id`.
    pub fn sees(&self, group_id: i64) -> bool {
        !self.closed.contains(&group_id)
    }

    /// The groups closed to the viewer.
    pub fn closed(&self) -> &HashSet<i64> {
        &self.closed
    }
}

/// What `viewer` (signed in or not) may read.
pub async fn sight(ctx: &Ctx, viewer: Option<&CurrentUser>) -> Result<Sight> {
    sight_of(ctx, viewer.map(|u| (u.person.id, u.is_admin))).await
}

/// What a person here (their person id, whether an administrator) or nobody may read.
pub async fn sight_of(ctx: &Ctx, who: Option<(i64, bool)>) -> Result<Sight> {
    let closed = storage::groups::closed_to(
        &ctx.db,
        who.map(|(id, _)| id),
        who.is_some_and(|(_, admin)| admin),
    )
    .await?;
    Ok(Sight {
        closed: closed.into_iter().collect(),
    })
}

/// Whether `person_id` is an approved member of `group` or moderates it.
pub async fn is_member(ctx: &Ctx, group: &groups::Model, person_id: i64) -> Result<bool> {
    if storage::followers::find(&ctx.db, group.id, person_id)
        .await?
        .is_some_and(|f| !f.pending)
    {
        return Ok(true);
    }
    Ok(storage::groups::is_moderator(&ctx.db, group.id, person_id).await?)
}

/// Whether `viewer` may read `group`'s content.
pub async fn may_read(
    ctx: &Ctx,
    group: &groups::Model,
    viewer: Option<&CurrentUser>,
) -> Result<bool> {
    if !is_members_only(group) {
        return Ok(true);
    }
    let Some(user) = viewer else {
        return Ok(false);
    };
    if user.is_admin && group.local {
        return Ok(true);
    }
    is_member(ctx, group, user.person.id).await
}

/// The refusal of a members-only group's content to someone outside it.
pub fn members_only() -> Error {
    Error::refused(
        Code::MembersOnly,
        "this group is members-only: only its approved members read and write in it",
    )
}

/// `Err(403 members_only)` unless `viewer` may read `group`'s content.
pub async fn ensure_readable(
    ctx: &Ctx,
    group: &groups::Model,
    viewer: Option<&CurrentUser>,
) -> Result<()> {
    if may_read(ctx, group, viewer).await? {
        Ok(())
    } else {
        Err(members_only())
    }
}

/// `Err(403 members_only)` unless `person_id` (here or elsewhere) may write in `group`: any
/// person in a public group, an approved member or a moderator in a members-only one.
pub async fn ensure_member(ctx: &Ctx, group: &groups::Model, person_id: i64) -> Result<()> {
    if !is_members_only(group) || is_member(ctx, group, person_id).await? {
        Ok(())
    } else {
        Err(members_only())
    }
}

/// [`ensure_member`] for an action on a post or reply by id (reply, vote, choose an answer):
/// someone outside a members-only group is told it is not there (`404 what`), before anything
/// else about it is said.
pub async fn ensure_member_in_thread(
    ctx: &Ctx,
    group: &groups::Model,
    person_id: i64,
    what: &'static str,
) -> Result<()> {
    if !is_members_only(group) || is_member(ctx, group, person_id).await? {
        Ok(())
    } else {
        Err(Error::NotFound(what))
    }
}

/// A moderator sets who reads a group hosted here. A group that has posts keeps its
/// visibility: what was public may be copied anywhere already, and what was written for
/// members was written for them.
pub async fn set_visibility(
    ctx: &Ctx,
    user: &CurrentUser,
    group: &groups::Model,
    visibility: Visibility,
) -> Result<()> {
    if !group.local {
        return Err(Error::forbidden(
            "a group on another instance is edited there",
        ));
    }
    super::moderation::authorize(ctx, user, group).await?;
    if Visibility::of(group) == visibility {
        return Ok(());
    }
    // Deleted posts count too: their replies stay readable.
    if storage::posts::exists_in_group(&ctx.db, group.id).await?
        || !storage::pages::of_group(&ctx.db, group.id)
            .await?
            .is_empty()
    {
        return Err(Error::invalid(
            "visibility",
            "can only change while the group has no posts or pages",
        ));
    }
    storage::groups::set_visibility(&ctx.db, group.id, visibility.as_str(), now()).await?;
    Ok(())
}

/// A request to join a members-only group, as its moderators see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = JoinRequest)]
pub struct JoinRequest {
    /// Who asks.
    pub person: PersonRef,
    /// When they asked.
    pub requested_at: DateTime<Utc>,
    /// True when nobody of their instance is a member yet: approving them sends the group's
    /// content to a new server.
    pub new_instance: bool,
    /// Their server's software, from its NodeInfo (`cohort`, `lemmy`, `piefed`, `mastodon` …),
    /// once it has been read: whether it keeps a members-only group's content private is its
    /// own (see docs/interop.md).
    pub software: Option<String>,
}

/// The requests waiting in a group (its moderators only).
pub async fn requests(
    ctx: &Ctx,
    user: &CurrentUser,
    group: &groups::Model,
) -> Result<Vec<JoinRequest>> {
    super::moderation::authorize(ctx, user, group).await?;
    let rows = storage::followers::requests(&ctx.db, group.id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (f, p) in rows {
        let new_instance =
            !p.local && !storage::groups::has_member_from(&ctx.db, group.id, &p.domain).await?;
        let software = match p.local {
            true => None,
            false => storage::software::find(&ctx.db, &p.domain)
                .await?
                .and_then(|s| s.software),
        };
        out.push(JoinRequest {
            person: PersonRef::from(&p),
            requested_at: f.created_at,
            new_instance,
            software,
        });
    }
    Ok(out)
}

/// What a moderator decided about a request; the follow row it was (for a person elsewhere,
/// the use case answers their `Follow`).
pub struct Decided {
    /// Who asked.
    pub person: persons::Model,
    /// Their request as it was stored.
    pub follow: group_followers::Model,
    /// Approved (now a member) or refused (the request deleted).
    pub approved: bool,
}

/// A moderator approves or refuses `person_id`'s request to join a group hosted here.
pub async fn decide(
    ctx: &Ctx,
    user: &CurrentUser,
    group: &groups::Model,
    person_id: i64,
    approve: bool,
) -> Result<Decided> {
    if !group.local {
        return Err(Error::forbidden(
            "requests to join a group on another instance are decided there",
        ));
    }
    super::moderation::authorize(ctx, user, group).await?;
    let follow = storage::followers::find(&ctx.db, group.id, person_id)
        .await?
        .filter(|f| f.pending)
        .ok_or(Error::NotFound("request"))?;
    let person = storage::persons::find(&ctx.db, person_id)
        .await?
        .ok_or(Error::NotFound("request"))?;
    if approve {
        storage::followers::accept(&ctx.db, group.id, person_id).await?;
    } else {
        storage::followers::remove(&ctx.db, group.id, person_id).await?;
    }
    Ok(Decided {
        person,
        follow,
        approved: approve,
    })
}

/// The accepted members of a group (what its member list shows), at most `limit`.
pub async fn members(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    group: &groups::Model,
    limit: u64,
) -> Result<Vec<PersonRef>> {
    ensure_readable(ctx, group, viewer).await?;
    Ok(storage::followers::members(&ctx.db, group.id, limit)
        .await?
        .iter()
        .map(PersonRef::from)
        .collect())
}

/// How long an invitation link works unless its maker says otherwise.
pub const INVITE_DAYS: i64 = 14;
/// The longest an invitation link may work.
pub const MAX_INVITE_DAYS: i64 = 90;

/// An invitation link as its group's moderators see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = GroupInvite)]
pub struct InviteView {
    /// Its id (to revoke it).
    pub id: i64,
    /// The link; shown only when it is made (only its hash is stored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Until when it works.
    pub expires_at: DateTime<Utc>,
    /// How many people joined with it.
    pub uses: i64,
}

impl InviteView {
    fn new(i: &group_invites::Model, url: Option<String>) -> Self {
        Self {
            id: i.id,
            url,
            created_at: i.created_at,
            expires_at: i.expires_at,
            uses: i.uses,
        }
    }
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The path an invitation token is opened at.
pub fn invite_path(token: &str) -> String {
    format!("/invite/{token}")
}

/// A moderator makes an invitation link to a members-only group hosted here, working for
/// `days` (default [`INVITE_DAYS`], at most [`MAX_INVITE_DAYS`]).
pub async fn create_invite(
    ctx: &Ctx,
    user: &CurrentUser,
    group: &groups::Model,
    days: Option<i64>,
) -> Result<InviteView> {
    if !group.local {
        return Err(Error::forbidden(
            "invitations to a group on another instance are made there",
        ));
    }
    super::moderation::authorize(ctx, user, group).await?;
    if !is_members_only(group) {
        return Err(Error::invalid(
            "group",
            "is public: anyone may join it without an invitation",
        ));
    }
    let days = days.unwrap_or(INVITE_DAYS);
    if !(1..=MAX_INVITE_DAYS).contains(&days) {
        return Err(Error::invalid(
            "days",
            format!("must be between 1 and {MAX_INVITE_DAYS}"),
        ));
    }
    let token = random_hex(24);
    let at = now();
    let row = storage::group_invites::insert(
        &ctx.db,
        group.id,
        token_hash(&token),
        user.person.id,
        at,
        at + Duration::days(days),
    )
    .await?;
    let url = format!("{}{}", ctx.instance.base_url(), invite_path(&token));
    Ok(InviteView::new(&row, Some(url)))
}

/// A group's working invitation links (its moderators only).
pub async fn invites(
    ctx: &Ctx,
    user: &CurrentUser,
    group: &groups::Model,
) -> Result<Vec<InviteView>> {
    super::moderation::authorize(ctx, user, group).await?;
    Ok(storage::group_invites::of_group(&ctx.db, group.id, now())
        .await?
        .iter()
        .map(|i| InviteView::new(i, None))
        .collect())
}

/// A moderator revokes an invitation link.
pub async fn revoke_invite(
    ctx: &Ctx,
    user: &CurrentUser,
    group: &groups::Model,
    id: i64,
) -> Result<()> {
    super::moderation::authorize(ctx, user, group).await?;
    if storage::group_invites::revoke(&ctx.db, group.id, id).await? {
        Ok(())
    } else {
        Err(Error::NotFound("invitation"))
    }
}

/// The group an invitation token opens, if it still works (what its page shows before the
/// person accepts).
pub async fn invited_to(ctx: &Ctx, token: &str) -> Result<groups::Model> {
    let invite = storage::group_invites::find_live(&ctx.db, &token_hash(token), now())
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    storage::groups::find(&ctx.db, invite.group_id)
        .await?
        .ok_or(Error::NotFound("invitation"))
}

/// A person here accepts an invitation: they are a member at once (a pending request of
/// theirs becomes the membership). A banned person stays out.
pub async fn redeem(ctx: &Ctx, user: &CurrentUser, token: &str) -> Result<groups::Model> {
    let invite = storage::group_invites::find_live(&ctx.db, &token_hash(token), now())
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    let group = storage::groups::find(&ctx.db, invite.group_id)
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    super::moderation::ensure_not_banned(ctx, group.id, user.person.id).await?;
    if storage::followers::find(&ctx.db, group.id, user.person.id)
        .await?
        .is_some_and(|f| !f.pending)
    {
        return Ok(group);
    }
    storage::followers::upsert(&ctx.db, group.id, user.person.id, false, None, None, now()).await?;
    storage::group_invites::used(&ctx.db, invite.id).await?;
    Ok(group)
}

/// How a person here joins a group hosted here: at once when public, or when they may
/// moderate it; otherwise their request waits for a moderator (pending).
pub async fn join_local(ctx: &Ctx, user: &CurrentUser, group: &groups::Model) -> Result<bool> {
    if is_members_only(group) {
        super::moderation::ensure_not_banned(ctx, group.id, user.person.id).await?;
        if !super::moderation::may_moderate(ctx, group, user.person.id, user.is_admin).await? {
            if let Some(f) = storage::followers::find(&ctx.db, group.id, user.person.id).await? {
                return Ok(!f.pending);
            }
            storage::followers::upsert(&ctx.db, group.id, user.person.id, true, None, None, now())
                .await?;
            return Ok(false);
        }
    }
    storage::followers::upsert(&ctx.db, group.id, user.person.id, false, None, None, now()).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibility_reads_what_is_stored() {
        assert_eq!(Visibility::Members.as_str(), "members");
        assert_eq!(Visibility::Public.as_str(), "public");
        let json = serde_json::to_string(&Visibility::Members).unwrap();
        assert_eq!(json, "\"members\"");
    }

    #[test]
    fn tokens_are_stored_hashed() {
        let h = token_hash("abc");
        assert_eq!(h.len(), 64);
        assert_ne!(h, "abc");
        assert_eq!(invite_path("abc"), "/invite/abc");
    }
}
