//! What the domain hands out to readers: the shapes the API serialises.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::storage::entities::{groups, persons, posts, replies};

/// A person, as shown next to what they wrote.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Person)]
pub struct PersonRef {
    /// Local id.
    pub id: i64,
    /// The name part of the handle.
    pub username: String,
    /// `username@domain`.
    pub handle: String,
    /// ActivityPub id.
    #[schema(format = "uri")]
    pub ap_id: String,
    /// Whether the account lives on this instance.
    pub local: bool,
    /// The name to show, when the person set one.
    pub display_name: Option<String>,
    /// The avatar's address on this server (a path), when there is one: uploaded here, or
    /// a remote person's, shown from this server's cache.
    pub avatar: Option<String>,
}

impl From<&persons::Model> for PersonRef {
    fn from(p: &persons::Model) -> Self {
        Self {
            id: p.id,
            username: p.username.clone(),
            handle: format!("{}@{}", p.username, p.domain),
            ap_id: p.ap_id.clone(),
            local: p.local,
            display_name: p.display_name.clone(),
            avatar: super::media::avatar_path(p),
        }
    }
}

/// The signed-in account, as `GET /me` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Account)]
pub struct AccountView {
    /// Person id.
    pub id: i64,
    /// Account name.
    pub username: String,
    /// `username@domain`.
    pub handle: String,
    /// ActivityPub id.
    #[schema(format = "uri")]
    pub ap_id: String,
    /// Instance administrator.
    pub is_admin: bool,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
}

/// A group, short form, as shown on a post.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupRef {
    /// Local id.
    pub id: i64,
    /// The name part of the handle.
    pub name: String,
    /// `name@domain`.
    pub handle: String,
    /// ActivityPub id.
    #[schema(format = "uri")]
    pub ap_id: String,
}

impl From<&groups::Model> for GroupRef {
    fn from(g: &groups::Model) -> Self {
        Self {
            id: g.id,
            name: g.name.clone(),
            handle: format!("{}@{}", g.name, g.domain),
            ap_id: g.ap_id.clone(),
        }
    }
}

/// A group in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Group)]
pub struct GroupView {
    /// Local id.
    pub id: i64,
    /// The name part of the handle.
    pub name: String,
    /// `name@domain`.
    pub handle: String,
    /// ActivityPub id.
    #[schema(format = "uri")]
    pub ap_id: String,
    /// Whether the group lives on this instance.
    pub local: bool,
    /// Display title.
    pub title: String,
    /// Markdown source of the description.
    pub description: String,
    /// The description as sanitised HTML.
    pub description_html: String,
    /// Markdown source of the rules (empty: none written).
    pub rules: String,
    /// The rules as sanitised HTML.
    pub rules_html: String,
    /// Its moderators.
    pub moderators: Vec<PersonRef>,
    /// Q&A mode: every new post is a question.
    pub qa_mode: bool,
    /// Who may edit its pages.
    pub page_editors: super::pages::PageEditors,
    /// Who reads it: `public`, or `members` (approved members only).
    pub visibility: super::members::Visibility,
    /// The icon's address on this server (a path), when it has one.
    pub icon: Option<String>,
    /// The banner's address on this server (a path), when it has one.
    pub banner: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl GroupView {
    /// Builds the view from a row and its moderators.
    pub fn new(g: &groups::Model, moderators: &[persons::Model]) -> Self {
        Self {
            id: g.id,
            name: g.name.clone(),
            handle: format!("{}@{}", g.name, g.domain),
            ap_id: g.ap_id.clone(),
            local: g.local,
            title: g.title.clone(),
            description: g.description.clone(),
            description_html: g.description_html.clone(),
            rules: g.rules.clone(),
            rules_html: g.rules_html.clone(),
            moderators: moderators.iter().map(PersonRef::from).collect(),
            qa_mode: g.qa_mode,
            page_editors: super::pages::PageEditors::of(g),
            visibility: super::members::Visibility::of(g),
            icon: super::media::group_picture_path(g, super::media::GroupPicture::Icon),
            banner: super::media::group_picture_path(g, super::media::GroupPicture::Banner),
            created_at: g.created_at,
        }
    }
}

/// The markdown source as the API shows it: empty once deleted; `None` when a remote server
/// sent none (stored as empty: Mastodon, Mitra and Misskey send only HTML), so that it does
/// not read as erased text. A remote `source` that was itself empty is shown as `None` too.
fn shown_body(local: bool, deleted: bool, body: &str) -> Option<String> {
    if deleted {
        Some(String::new())
    } else if !local && body.is_empty() {
        None
    } else {
        Some(body.to_string())
    }
}

/// A post (without its replies).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Post)]
pub struct PostView {
    /// Local id.
    pub id: i64,
    /// ActivityPub id.
    #[schema(format = "uri")]
    pub ap_id: String,
    /// The group it was posted in.
    pub group: GroupRef,
    /// Who wrote it; absent once deleted.
    pub author: Option<PersonRef>,
    /// Title; empty once deleted.
    pub title: String,
    /// Markdown source; empty once deleted. Null for remote content whose server sent no
    /// markdown source: its text is `body_html`.
    pub body: Option<String>,
    /// Sanitised HTML of the body.
    pub body_html: String,
    /// A warning to show before the body, when its author gave one.
    pub content_warning: Option<String>,
    /// The language it is written in (BCP 47), when known.
    pub language: Option<String>,
    /// No new replies are accepted.
    pub locked: bool,
    /// Shown first in its group.
    pub pinned: bool,
    /// Up-votes minus down-votes.
    pub score: i32,
    /// Up-votes.
    pub upvotes: i32,
    /// Down-votes.
    pub downvotes: i32,
    /// Replies that are not deleted.
    pub reply_count: i32,
    /// The viewer's own vote (1 or -1), when signed in and voted.
    pub my_vote: Option<i16>,
    /// Whether it came from this instance.
    pub local: bool,
    /// True for a tombstone: the post was deleted, its replies remain.
    pub deleted: bool,
    /// True when the deletion was a moderator's removal (which can be restored).
    pub removed: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last edited, if ever.
    pub updated_at: Option<DateTime<Utc>>,
    /// Last reply (or creation).
    pub last_activity_at: DateTime<Utc>,
    /// A question (it can have an accepted answer) or a discussion.
    pub kind: PostKind,
    /// The accepted answer, when the question has one.
    pub answer: Option<AnswerView>,
}

/// What a post is: a question or a discussion, chosen when it is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    /// An open conversation.
    #[default]
    Discussion,
    /// A question: one reply can be accepted as its answer.
    Question,
}

/// A question's accepted answer, as shown with the question.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Answer)]
pub struct AnswerView {
    /// The reply's id.
    pub reply_id: i64,
    /// Its ActivityPub id.
    #[schema(format = "uri")]
    pub ap_id: String,
    /// Who wrote it (absent when hidden from the viewer).
    pub author: Option<PersonRef>,
    /// The start of its text, as plain text.
    pub excerpt: String,
    /// Its place in the thread: `/posts/{id}#r{reply_id}`.
    pub link: String,
    /// When it was accepted.
    pub accepted_at: DateTime<Utc>,
    /// Who accepted it: the question's author or a moderator.
    pub accepted_by: Option<PersonRef>,
}

impl PostView {
    /// Builds the view; `authors` must hold the author unless the post is deleted.
    pub fn new(
        p: &posts::Model,
        group: &groups::Model,
        authors: &HashMap<i64, persons::Model>,
        my_vote: Option<i16>,
    ) -> Self {
        let deleted = p.deleted_at.is_some();
        Self {
            id: p.id,
            ap_id: p.ap_id.clone(),
            group: GroupRef::from(group),
            author: if deleted {
                None
            } else {
                authors.get(&p.author_id).map(PersonRef::from)
            },
            // A removal keeps the text for a restore; it is not shown meanwhile.
            title: if deleted {
                String::new()
            } else {
                p.title.clone()
            },
            body: shown_body(p.local, deleted, &p.body),
            body_html: if deleted {
                String::new()
            } else {
                p.body_html.clone()
            },
            content_warning: p.content_warning.clone().filter(|_| !deleted),
            language: p.language.clone(),
            locked: p.locked,
            pinned: p.pinned,
            score: p.score,
            upvotes: p.upvotes,
            downvotes: p.downvotes,
            reply_count: p.reply_count,
            my_vote,
            local: p.local,
            deleted,
            removed: p.removed,
            created_at: p.created_at,
            updated_at: p.updated_at,
            last_activity_at: p.last_activity_at,
            kind: if p.question {
                PostKind::Question
            } else {
                PostKind::Discussion
            },
            answer: None,
        }
    }
}

/// A reply (without its children).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Reply)]
pub struct ReplyView {
    /// Local id.
    pub id: i64,
    /// ActivityPub id.
    #[schema(format = "uri")]
    pub ap_id: String,
    /// The post whose thread it is in.
    pub post_id: i64,
    /// The reply it answers; absent when it answers the post.
    pub parent_id: Option<i64>,
    /// Who wrote it; absent once deleted.
    pub author: Option<PersonRef>,
    /// Markdown source; empty once deleted or hidden. Null for remote content whose server
    /// sent no markdown source: its text is `body_html`.
    pub body: Option<String>,
    /// Sanitised HTML of the body.
    pub body_html: String,
    /// A warning to show before the body, when its author gave one.
    pub content_warning: Option<String>,
    /// The language it is written in (BCP 47), when known.
    pub language: Option<String>,
    /// Up-votes minus down-votes.
    pub score: i32,
    /// Up-votes.
    pub upvotes: i32,
    /// Down-votes.
    pub downvotes: i32,
    /// The viewer's own vote, when signed in and voted.
    pub my_vote: Option<i16>,
    /// Whether it came from this instance.
    pub local: bool,
    /// True for a tombstone: deleted, but its answers remain in the thread.
    pub deleted: bool,
    /// True when the deletion was a moderator's removal (which can be restored).
    pub removed: bool,
    /// True when its author's instance is one this instance no longer federates with, or
    /// the viewer blocked its author or their instance: its text is not shown, its answers
    /// remain.
    pub hidden: bool,
    /// The accepted answer of its question.
    pub accepted: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last edited, if ever.
    pub updated_at: Option<DateTime<Utc>>,
}

impl ReplyView {
    /// Hides the reply's author and text (see [`ReplyView::hidden`]).
    pub fn hide(&mut self) {
        self.hidden = true;
        self.author = None;
        self.body = Some(String::new());
        self.body_html.clear();
        self.content_warning = None;
    }

    /// Builds the view; `authors` must hold the author unless the reply is deleted.
    pub fn new(
        r: &replies::Model,
        authors: &HashMap<i64, persons::Model>,
        my_vote: Option<i16>,
    ) -> Self {
        let deleted = r.deleted_at.is_some();
        Self {
            id: r.id,
            ap_id: r.ap_id.clone(),
            post_id: r.post_id,
            parent_id: r.parent_id,
            author: if deleted {
                None
            } else {
                authors.get(&r.author_id).map(PersonRef::from)
            },
            body: shown_body(r.local, deleted, &r.body),
            body_html: if deleted {
                String::new()
            } else {
                r.body_html.clone()
            },
            content_warning: r.content_warning.clone().filter(|_| !deleted),
            language: r.language.clone(),
            score: r.score,
            upvotes: r.upvotes,
            downvotes: r.downvotes,
            my_vote,
            local: r.local,
            deleted,
            removed: r.removed,
            hidden: false,
            accepted: false,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A reply with its answers, recursively.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyNode {
    /// The reply itself.
    #[serde(flatten)]
    pub reply: ReplyView,
    /// Its direct answers, oldest first.
    #[schema(no_recursion)]
    pub children: Vec<ReplyNode>,
}

/// A post with its whole thread.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostDetail {
    /// The post.
    #[serde(flatten)]
    pub post: PostView,
    /// How many people boosted it (Mastodon, Misskey).
    pub shares: u64,
    /// Replies to the post, oldest first, each with its answers.
    pub replies: Vec<ReplyNode>,
}

/// Counts after a vote.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(as = Vote)]
pub struct VoteView {
    /// Up-votes minus down-votes.
    pub score: i32,
    /// Up-votes.
    pub upvotes: i32,
    /// Down-votes.
    pub downvotes: i32,
    /// The caller's vote now (absent after withdrawing it).
    pub my_vote: Option<i16>,
}

/// Arranges replies (in any order) into trees under the post, children oldest first.
///
/// Iterative, so a hostile or very deep thread cannot overflow the stack. A reply whose
/// parent is missing is shown at the top level rather than lost.
pub fn build_tree(mut views: Vec<ReplyView>) -> Vec<ReplyNode> {
    views.sort_by_key(|v| (v.created_at, v.id));
    let present: std::collections::HashSet<i64> = views.iter().map(|v| v.id).collect();
    let mut children: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
    for v in &views {
        let parent = v.parent_id.filter(|p| present.contains(p) && *p != v.id);
        children.entry(parent).or_default().push(v.id);
    }
    let mut by_id: HashMap<i64, ReplyView> = views.into_iter().map(|v| (v.id, v)).collect();
    // Post-order walk from the roots: every node is built after all of its children.
    let mut order = Vec::with_capacity(by_id.len());
    let mut stack: Vec<i64> = children.get(&None).cloned().unwrap_or_default();
    let mut visited = std::collections::HashSet::new();
    while let Some(id) = stack.pop() {
        if !visited.insert(id) {
            continue;
        }
        order.push(id);
        if let Some(kids) = children.get(&Some(id)) {
            stack.extend(kids.iter().copied());
        }
    }
    let mut built: HashMap<i64, ReplyNode> = HashMap::with_capacity(order.len());
    for id in order.iter().rev() {
        let Some(reply) = by_id.remove(id) else {
            continue;
        };
        let kids = children
            .get(&Some(*id))
            .map(|k| k.iter().filter_map(|c| built.remove(c)).collect())
            .unwrap_or_default();
        built.insert(
            *id,
            ReplyNode {
                reply,
                children: kids,
            },
        );
    }
    children
        .get(&None)
        .map(|roots| roots.iter().filter_map(|r| built.remove(r)).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(id: i64, parent: Option<i64>) -> ReplyView {
        ReplyView {
            id,
            ap_id: format!("x/{id}"),
            post_id: 1,
            parent_id: parent,
            author: None,
            body: Some(String::new()),
            body_html: String::new(),
            content_warning: None,
            language: None,
            score: 0,
            upvotes: 0,
            downvotes: 0,
            my_vote: None,
            local: true,
            deleted: false,
            removed: false,
            hidden: false,
            accepted: false,
            created_at: DateTime::from_timestamp(1_800_000_000 + id, 0).unwrap(),
            updated_at: None,
        }
    }

    #[test]
    fn tree_nests_in_order() {
        let tree = build_tree(vec![
            view(3, Some(1)),
            view(1, None),
            view(2, None),
            view(4, Some(3)),
            view(5, Some(1)),
        ]);
        assert_eq!(
            tree.iter().map(|n| n.reply.id).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert_eq!(
            tree[0]
                .children
                .iter()
                .map(|n| n.reply.id)
                .collect::<Vec<_>>(),
            vec![3, 5]
        );
        assert_eq!(tree[0].children[0].children[0].reply.id, 4);
    }

    #[test]
    fn orphans_surface_and_deep_chains_do_not_overflow() {
        let tree = build_tree(vec![view(7, Some(99))]);
        assert_eq!(tree[0].reply.id, 7);
        let chain: Vec<_> = (1..=50_000)
            .map(|i| view(i, if i == 1 { None } else { Some(i - 1) }))
            .collect();
        let tree = build_tree(chain);
        assert_eq!(tree.len(), 1);
        // Drop of a 50,000-deep tree is recursive in std; unwind it by hand.
        let mut node = tree.into_iter().next();
        let mut depth = 0;
        while let Some(mut n) = node {
            depth += 1;
            node = n.children.pop();
        }
        assert_eq!(depth, 50_000);
    }
}
