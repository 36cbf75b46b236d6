//! Payloads shaped as Mastodon, Lemmy, Mbin, PieFed, NodeBB, Misskey, GoToSocial and Mitra send them (`tests/fixtures/`)
//! parse into Cohort's wire types, and the fields Cohort relies on come through.

use cohort::federation::{
    moderation::FeatureKind,
    objects::title_of,
    protocol::{
        Actor, ActorKind, Object, ObjectKind,
        content::{Announced, CreateOrUpdateKind, GroupActivity, VoteKind},
        follow::InboxActivity,
    },
};
use serde_json::Value;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn actor(path: &str) -> Actor {
    serde_json::from_str(&fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn object(path: &str) -> Object {
    serde_json::from_str(&fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn activity(path: &str) -> InboxActivity {
    serde_json::from_str(&fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn group_activity(path: &str) -> GroupActivity {
    match activity(path) {
        InboxActivity::Group(g) => *g,
        other => panic!("{path}: not a group activity: {other:?}"),
    }
}

/// Every fixture is read as what it is: an actor, an object, or an activity an inbox takes
/// (and each activity as the kind it says it is, never as a look-alike).
#[test]
fn every_fixture_parses_as_its_wire_type() {
    let root = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut failures = vec![];
    let mut count = 0;
    for server in std::fs::read_dir(&root).unwrap() {
        let server = server.unwrap().path();
        if !server.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&server).unwrap() {
            let path = file.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            let kind = v["type"].as_str().unwrap_or_default().to_string();
            let parsed = match kind.as_str() {
                "Person" | "Group" | "Service" | "Application" | "Organization" => {
                    serde_json::from_str::<Actor>(&text).map(|_| kind.clone())
                }
                "Page" | "Note" | "Article" => {
                    serde_json::from_str::<Object>(&text).map(|_| kind.clone())
                }
                _ => serde_json::from_str::<InboxActivity>(&text).map(|a| {
                    let json = serde_json::to_value(&a).unwrap();
                    json["type"].as_str().unwrap_or_default().to_string()
                }),
            };
            count += 1;
            match parsed {
                Ok(k) if k == kind => {}
                Ok(k) => failures.push(format!("{}: {kind} read as {k}", path.display())),
                Err(e) => failures.push(format!("{}: {e}", path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count >= 100, "{count} fixtures");
}

#[test]
fn mastodon() {
    let p = actor("mastodon/person.json");
    assert_eq!(p.kind, ActorKind::Person);
    assert_eq!(p.preferred_username, "maria");
    assert_eq!(
        p.shared_inbox().unwrap().as_str(),
        "https://mastodon.example/inbox"
    );
    assert_eq!(p.public_key.owner, p.id);

    match group_activity("mastodon/create_note_reply.json") {
        GroupActivity::CreateOrUpdate(c) => {
            assert_eq!(c.kind, CreateOrUpdateKind::Create);
            assert_eq!(c.to.len(), 1, "a single `to` string is read as a list");
            assert_eq!(c.object.kind, ObjectKind::Note);
            assert_eq!(
                c.object.in_reply_to.as_ref().unwrap().as_str(),
                "https://cohort.example/posts/7"
            );
            assert!(c.object.audience.is_none(), "Mastodon names no group");
            assert_eq!(
                c.object.replies.as_ref().unwrap().as_str(),
                "https://mastodon.example/users/maria/statuses/110/replies",
                "an embedded replies collection is read by its id"
            );
        }
        other => panic!("{other:?}"),
    }
    match group_activity("mastodon/like.json") {
        GroupActivity::Vote(v) => {
            assert_eq!(v.kind, VoteKind::Like);
            assert_eq!(v.object.id().as_str(), "https://cohort.example/posts/7");
        }
        other => panic!("{other:?}"),
    }
    match group_activity("mastodon/delete_tombstone.json") {
        GroupActivity::Delete(d) => {
            assert_eq!(
                d.object.id().as_str(),
                "https://mastodon.example/users/maria/statuses/110",
                "Tombstone embedded"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        activity("mastodon/follow.json"),
        InboxActivity::Follow(_)
    ));
    match activity("mastodon/undo_follow.json") {
        InboxActivity::Undo(u) => assert_eq!(
            u.object.object.inner().as_str(),
            "https://cohort.example/g/rust"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn lemmy() {
    let g = actor("lemmy/group.json");
    assert_eq!(g.kind, ActorKind::Group);
    assert_eq!(g.source.as_ref().unwrap().content, "All things **Rust**");
    assert_eq!(
        g.attributed_to.as_ref().unwrap().as_str(),
        "https://lemmy.example/c/rust/moderators"
    );
    assert_eq!(g.posting_restricted_to_mods, Some(false));

    let page = object("lemmy/page.json");
    assert_eq!(page.kind, ObjectKind::Page);
    assert_eq!(page.name.as_deref(), Some("Lifetimes explained"));
    assert_eq!(
        page.audience.as_ref().unwrap().as_str(),
        "https://lemmy.example/c/rust"
    );
    assert_eq!(page.comments_enabled, Some(true));

    match activity("lemmy/announce_create_page.json") {
        InboxActivity::Announce(a) => {
            assert_eq!(a.actor.inner().as_str(), "https://lemmy.example/c/rust");
            match a.object {
                Announced::Activity(inner) => match *inner {
                    GroupActivity::CreateOrUpdate(c) => {
                        assert_eq!(c.object.id.as_str(), "https://lemmy.example/post/55")
                    }
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    match group_activity("lemmy/create_note.json") {
        GroupActivity::CreateOrUpdate(c) => {
            assert_eq!(c.object.kind, ObjectKind::Note);
            assert_eq!(
                c.audience.as_ref().unwrap().as_str(),
                "https://lemmy.example/c/rust"
            );
        }
        other => panic!("{other:?}"),
    }
    match group_activity("lemmy/undo_dislike.json") {
        GroupActivity::UndoVote(u) => assert_eq!(u.object.kind, VoteKind::Dislike),
        other => panic!("{other:?}"),
    }
    match group_activity("lemmy/delete_page.json") {
        GroupActivity::Delete(d) => {
            assert_eq!(d.object.id().as_str(), "https://lemmy.example/post/55")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn mbin() {
    match activity("mbin/accept.json") {
        InboxActivity::Accept(a) => {
            assert_eq!(a.id.fragment(), Some("accept"));
            assert_eq!(
                a.object.actor.inner().as_str(),
                "https://cohort.example/u/alice"
            );
        }
        other => panic!("{other:?}"),
    }
    let page = object("mbin/page.json");
    assert!(page.in_reply_to.is_none(), "inReplyTo: null");
    assert_eq!(
        page.source.as_ref().unwrap().content,
        "Finally.",
        "source as a bare string"
    );
    assert_eq!(title_of(&page), "Async traits are stable");
}

#[test]
fn piefed() {
    let page = object("piefed/page.json");
    assert_eq!(page.name.as_deref(), Some("Peer review that works"));
    assert_eq!(
        page.audience.as_ref().unwrap().as_str(),
        "https://piefed.example/c/pedagogy"
    );
    let note = object("piefed/note.json");
    assert_eq!(
        note.in_reply_to.as_ref().unwrap().as_str(),
        "https://piefed.example/post/9001"
    );
    assert!(
        note.cc
            .iter()
            .any(|u| u.as_str() == "https://piefed.example/c/pedagogy")
    );
}

#[test]
fn nodebb() {
    let g = actor("nodebb/group.json");
    assert_eq!(g.kind, ActorKind::Group);
    assert_eq!(g.preferred_username, "learning-design");
    assert_eq!(
        g.shared_inbox().unwrap().as_str(),
        "https://forum.example/inbox",
        "top-level sharedInbox"
    );
    let note = object("nodebb/note.json");
    assert!(
        note.name.is_none() && note.in_reply_to.is_none(),
        "a topic's first post: untitled Note"
    );
    assert_eq!(
        title_of(&note),
        "How do you run a peer-feedback session online?",
        "title from the first line"
    );
    assert_eq!(
        note.replies.as_ref().unwrap().as_str(),
        "https://forum.example/post/3456/replies"
    );
}

#[test]
fn mitra() {
    let p = actor("mitra/person.json");
    assert_eq!(p.kind, ActorKind::Person);
    assert!(p.shared_inbox().is_none(), "no shared inbox");
    // Undo names what it withdraws by id only: read as that, never as a look-alike.
    for (file, named) in [
        (
            "mitra/undo_like.json",
            "https://mitra.example/activities/like/019a8b2e-4c1d-7e53-9f20-6b7d3a1c5e88",
        ),
        (
            "mitra/undo_announce.json",
            "https://mitra.example/activities/announce/019a8b31-07f6-7a42-b8d5-1e9c4f2a6d03",
        ),
    ] {
        match group_activity(file) {
            GroupActivity::UndoById(u) => assert_eq!(u.object.as_str(), named, "{file}"),
            other => panic!("{file}: {other:?}"),
        }
    }
    match group_activity("mitra/create_reply.json") {
        GroupActivity::CreateOrUpdate(c) => {
            assert!(c.object.source.is_none(), "Mitra sends no markdown source");
            assert!(c.object.body_html().unwrap().contains("names a region"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn lemmy_moderation() {
    let inner = |path: &str| match activity(path) {
        InboxActivity::Announce(a) => match a.object {
            Announced::Activity(inner) => *inner,
            other => panic!("{path}: {other:?}"),
        },
        other => panic!("{path}: {other:?}"),
    };
    match inner("lemmy/announce_block_user.json") {
        GroupActivity::Block(b) => {
            assert_eq!(b.target.as_str(), "https://lemmy.example/c/rust");
            assert_eq!(b.object.id().as_str(), "https://cohort.example/u/bob");
            assert_eq!(b.remove_data, Some(true));
            assert_eq!(b.summary.as_deref(), Some("spam"));
            assert_eq!(
                b.end_time.map(|t| t.to_rfc3339()).as_deref(),
                Some("2031-05-01T10:00:00+00:00")
            );
        }
        other => panic!("{other:?}"),
    }
    match inner("lemmy/announce_undo_block_user.json") {
        GroupActivity::UndoBlock(u) => {
            assert_eq!(u.restore_data, Some(true));
            assert_eq!(
                u.object.object.id().as_str(),
                "https://cohort.example/u/bob"
            );
        }
        other => panic!("{other:?}"),
    }
    match inner("lemmy/announce_add_mod.json") {
        GroupActivity::Feature(f) => {
            assert!(f.is_moderator_change());
            assert_eq!(f.kind, FeatureKind::Add);
        }
        other => panic!("{other:?}"),
    }
    match inner("lemmy/announce_add_featured.json") {
        GroupActivity::Feature(f) => assert!(!f.is_moderator_change()),
        other => panic!("{other:?}"),
    }
    match group_activity("lemmy/flag.json") {
        GroupActivity::Flag(f) => {
            assert_eq!(f.summary.as_deref(), Some("not about rust"));
            assert_eq!(f.to[0].as_str(), "https://cohort.example/g/rust");
        }
        other => panic!("{other:?}"),
    }
    match group_activity("lemmy/resolve_flag.json") {
        GroupActivity::Resolve(r) => assert_eq!(
            r.object.id.as_str(),
            "https://lemmy.example/activities/flag/3a9d5e27-6c1b-4f84-9e02-8b7c4a1d5f63"
        ),
        other => panic!("{other:?}"),
    }
}
