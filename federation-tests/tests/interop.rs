//! Other servers' payloads, played end to end through the HTTP inboxes of a running instance,
//! signed the way each server signs (`federation_tests::peer`): follow a group and receive its
//! posts, reply to posts and replies, vote, boost, edit, delete, delete the account, start a
//! thread by mentioning the group; and, for the Lemmy family, host a community a Cohort member
//! joins and takes part in.

use cohort::{
    storage,
    testing::{TestApp, eventually, id},
};
use federation_tests::{
    DEADLINE,
    peer::{Peer, Signing, Software, When},
    replies, thread,
};
use serde_json::Value;

/// A Cohort instance with bob, group `rust`, post 7 ("Borrowing") and reply 9, and a peer.
struct World {
    app: TestApp,
    peer: Peer,
    token: String,
    post: Value,
    reply: Value,
    actor: Value,
}

impl World {
    async fn new(software: Software) -> Self {
        let app = TestApp::spawn().await;
        let token = app.user("bob").await;
        app.group(&token, "rust").await;
        let post = app
            .post_in(&token, "rust", "Borrowing", "How do *lifetimes* work?")
            .await;
        let reply = app
            .reply_to(&token, id(&post), None, "Start with the book.")
            .await;
        let peer = Peer::start(software).await;
        let actor = peer.actor("person.json", &app);
        Self {
            app,
            peer,
            token,
            post,
            reply,
            actor,
        }
    }

    /// A fixture of the peer with Cohort's placeholder ids made real.
    fn fixture(&self, name: &str) -> Value {
        let post = self.post["ap_id"].as_str().unwrap_or_default().to_string();
        let reply = self.reply["ap_id"].as_str().unwrap_or_default().to_string();
        self.peer.fixture(
            name,
            &self.app,
            &[
                ("https://cohort.example/posts/7", &post),
                ("https://cohort.example/replies/9", &reply),
            ],
        )
    }

    /// Delivers fixture `name` to `path`, as the peer's user; returns Cohort's status.
    async fn play(&self, name: &str, path: &str) -> u16 {
        let activity = self.fixture(name);
        self.peer
            .deliver(&self.app, path, &self.actor, &activity)
            .await
    }

    async fn play_ok(&self, name: &str, path: &str) {
        let status = self.play(name, path).await;
        assert_eq!(status, 202, "{:?} {name} to {path}", self.peer.software);
    }

    async fn thread(&self) -> Value {
        thread(&self.app, id(&self.post)).await
    }

    /// What was recorded of the peer's software once its NodeInfo was checked (learnt or
    /// not).
    async fn software_checked(&self) -> storage::software::PeerSoftware {
        let host = self.peer.base.trim_start_matches("http://").to_string();
        let started = chrono::Utc::now();
        eventually("the peer's NodeInfo checked", DEADLINE, || async {
            storage::software::find(&self.app.ctx.db, &host)
                .await
                .ok()
                .flatten()
                .filter(|s| {
                    s.checked_at.is_some()
                        || s.next_check_at > started + chrono::Duration::minutes(30)
                })
        })
        .await
    }

    async fn followers(&self) -> u64 {
        let g = storage::groups::find_by_name(&self.app.ctx.db, "rust", &self.app.domain)
            .await
            .unwrap()
            .unwrap();
        storage::followers::count_accepted(&self.app.ctx.db, g.id)
            .await
            .unwrap()
    }
}

fn find_reply(thread: &Value, ap_id: &str) -> Option<Value> {
    replies(thread).into_iter().find(|r| r["ap_id"] == ap_id)
}

/// The language a fixture's object says it is in: Lemmy's `language.identifier` (none when
/// `und`), else the only key of `contentMap`.
fn sent_language(object: &Value) -> Value {
    if let Some(id) = object["language"]["identifier"].as_str() {
        return if id == "und" { Value::Null } else { id.into() };
    }
    match object["contentMap"].as_object() {
        Some(map) if map.len() == 1 => map.keys().next().cloned().into(),
        _ => Value::Null,
    }
}

/// The object id of fixture activity `v` (its `object.id`, or `object` itself).
fn object_id(v: &Value) -> String {
    v["object"]["id"]
        .as_str()
        .or_else(|| v["object"].as_str())
        .expect("an object id")
        .to_string()
}

/// How one server takes part: where it delivers a reply to a post in a group elsewhere, and
/// which of the optional activities it sends.
struct Plays {
    software: Software,
    /// Microblogs deliver replies to the shared inbox of the people they answer; the Lemmy
    /// family to the group.
    reply_inbox: &'static str,
    boosts: bool,
    dislikes: bool,
    updates: bool,
    /// Whether it federates the deletion of an account.
    deletes_accounts: bool,
}

/// The scenario every server plays against a group hosted here.
async fn member_of_a_cohort_group(p: Plays) {
    let w = World::new(p.software).await;
    let name = format!("{:?}", p.software);

    // Follow → Accept, signed by the group, to the follower's inbox.
    let follow = w.fixture("follow.json");
    w.play_ok("follow.json", "/g/rust/inbox").await;
    let follow_id = follow["id"].as_str().unwrap().to_string();
    let accept = w
        .peer
        .wait_for(&format!("{name}: Accept"), |b| {
            b["type"] == "Accept"
                && (b["object"]["id"] == follow_id.as_str() || b["object"] == follow_id.as_str())
        })
        .await;
    assert!(accept.headers.contains_key("signature"), "{name}: signed");
    assert_eq!(w.followers().await, 1, "{name}");

    // The follower's software is learnt from its NodeInfo.
    let learnt = w.software_checked().await;
    assert_eq!(
        learnt.software.as_deref(),
        Some(p.software.nodeinfo_name()),
        "{name}"
    );
    assert_eq!(
        learnt.single_delivery,
        p.software.reads_one_announce(),
        "{name}"
    );

    // A new post reaches the follower: FEP-1b12 for the Lemmy family, and also a Note with
    // the text in it for Mastodon-style timelines (only to those: the Lemmy family refuses
    // it).
    let quiz = w
        .app
        .post_in(&w.token, "rust", "Ownership quiz", "Who owns *this* value?")
        .await;
    let is_plain = |b: &Value| {
        b["type"] == "Announce"
            && b["object"]["type"] == "Note"
            && b["object"]["id"] == quiz["ap_id"]
    };
    if !p.software.reads_one_announce() {
        let plain = w
            .peer
            .wait_for(&format!("{name}: Announce of the post"), is_plain)
            .await;
        let content = plain.body["object"]["content"].as_str().unwrap_or_default();
        assert!(content.contains("Ownership quiz"), "{name}: {content}");
        assert!(content.contains("<em>this</em>"), "{name}: {content}");
    }
    let wrapped = w
        .peer
        .wait_for(&format!("{name}: Announce{{Create{{Page}}}}"), |b| {
            b["type"] == "Announce" && b["object"]["type"] == "Create"
        })
        .await;
    // As the Lemmy family requires of a community's Announce: by the group, to Public, cc
    // its followers; the Create and its Page name the group as audience and in `to`.
    let group_id = format!("http://{}/g/rust", w.app.domain);
    let (announce, create) = (&wrapped.body, &wrapped.body["object"]);
    assert_eq!(announce["actor"], group_id.as_str());
    assert_eq!(
        announce["to"][0],
        "https://www.w3.org/ns/activitystreams#Public"
    );
    assert_eq!(announce["cc"][0], format!("{group_id}/followers"));
    assert_eq!(create["audience"], group_id.as_str());
    assert_eq!(create["object"]["type"], "Page");
    assert_eq!(create["object"]["name"], "Ownership quiz");
    assert_eq!(create["object"]["audience"], group_id.as_str());
    assert!(
        create["object"]["to"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == group_id.as_str()),
        "{create}"
    );
    assert!(wrapped.headers.contains_key("signature"), "{name}: signed");

    // A reply to the post, delivered where this server delivers it.
    let create = w.fixture("create_reply.json");
    let reply_id = object_id(&create);
    w.play_ok("create_reply.json", p.reply_inbox).await;
    let t = w.thread().await;
    let stored = find_reply(&t, &reply_id).unwrap_or_else(|| panic!("{name}: reply in {t}"));
    assert_eq!(stored["parent_id"], Value::Null, "{name}: answers the post");
    assert_eq!(stored["author"]["ap_id"], w.actor["id"], "{name}");
    let html = stored["body_html"].as_str().unwrap();
    assert!(
        !html.is_empty() && !html.contains("<script"),
        "{name}: {html}"
    );
    // `body` is the markdown source when the server sent one, else null (not an empty
    // string that reads as erased text): the text is `body_html`.
    let source = &create["object"]["source"];
    let markdown = match source["mediaType"].as_str() {
        Some("text/markdown") => source["content"].clone(),
        _ => Value::Null,
    };
    assert_eq!(stored["body"], markdown, "{name}");
    // The author's avatar, where their server names one, is shown from this server: a path
    // here, never the other server's address.
    if w.actor["icon"].is_object() {
        let avatar = stored["author"]["avatar"].as_str().unwrap_or_default();
        assert!(
            avatar.starts_with("/media/avatars/"),
            "{name}: avatar {avatar:?}"
        );
    }
    // The language it was written in, as that server says it (Lemmy's `language`, or
    // `contentMap`'s key), is stored and shown.
    assert_eq!(
        stored["language"],
        sent_language(&create["object"]),
        "{name}: language"
    );
    // The group announces it to its followers (the peer follows).
    w.peer
        .wait_for(&format!("{name}: the group relays the reply"), |b| {
            b["type"] == "Announce" && b["object"]["object"]["id"] == reply_id.as_str()
        })
        .await;
    // A destination's activities go in order: the post's plain Announce, had it been sent,
    // came before the reply's.
    let plain = w
        .peer
        .received()
        .iter()
        .filter(|r| is_plain(&r.body))
        .count();
    let expected = usize::from(!p.software.reads_one_announce());
    assert_eq!(plain, expected, "{name}: deliveries of the plain Announce");

    // A reply to a reply nests under it.
    let nested = w.fixture("create_reply_to_reply.json");
    w.play_ok("create_reply_to_reply.json", p.reply_inbox).await;
    let t = w.thread().await;
    let stored = find_reply(&t, &object_id(&nested)).expect("nested reply");
    assert_eq!(stored["parent_id"], w.reply["id"], "{name}: under reply 9");

    // Like = up-vote; Dislike = down-vote where the server has them.
    w.play_ok("like.json", p.reply_inbox).await;
    assert_eq!(w.thread().await["score"], 1, "{name}: liked");
    if p.dislikes {
        let dislike = w.fixture("dislike.json");
        w.play_ok("dislike.json", p.reply_inbox).await;
        let t = w.thread().await;
        let score = if object_id(&dislike) == w.post["ap_id"] {
            t["score"].clone()
        } else {
            find_reply(&t, &object_id(&dislike)).expect("disliked reply")["score"].clone()
        };
        assert_eq!(score, -1, "{name}: disliked");
    }

    // An edit, then a deletion, of the first reply.
    if p.updates {
        w.play_ok("update_reply.json", p.reply_inbox).await;
        let t = w.thread().await;
        let edited = find_reply(&t, &reply_id).expect("reply");
        assert!(edited["updated_at"].is_string(), "{name}: edited {edited}");
    }
    w.play_ok("delete_reply.json", p.reply_inbox).await;
    let t = w.thread().await;
    assert_eq!(
        find_reply(&t, &reply_id).expect("tombstone")["deleted"],
        true,
        "{name}"
    );

    // A boost is a share, never a post of its own.
    if p.boosts {
        let before = w
            .app
            .get("/api/v1/groups/rust/posts?limit=100", None)
            .await
            .json["items"]
            .as_array()
            .map(Vec::len);
        w.play_ok("announce.json", "/inbox").await;
        assert_eq!(w.thread().await["shares"], 1, "{name}: boosted");
        let after = w
            .app
            .get("/api/v1/groups/rust/posts?limit=100", None)
            .await
            .json["items"]
            .as_array()
            .map(Vec::len);
        assert_eq!(before, after, "{name}: a boost is not a new post");
        w.play_ok("undo_announce.json", "/inbox").await;
        assert_eq!(w.thread().await["shares"], 0, "{name}: unboosted");
    }

    // A new thread started from that server.
    let create = w.fixture("create_post.json");
    let post_id = object_id(&create);
    w.play_ok("create_post.json", "/g/rust/inbox").await;
    let listed = w
        .app
        .get("/api/v1/groups/rust/posts?sort=new&limit=100", None)
        .await;
    let new_post = listed.json["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["ap_id"] == post_id.as_str())
                .cloned()
        })
        .unwrap_or_else(|| panic!("{name}: new thread in {}", listed.text));
    let title = new_post["title"].as_str().unwrap();
    assert_eq!(
        new_post["language"],
        sent_language(&create["object"]),
        "{name}: language of the post"
    );
    assert!(
        !title.is_empty() && !title.starts_with('@'),
        "{name}: title {title:?}"
    );
    // The group announces the new thread to its followers.
    w.peer
        .wait_for(
            &format!("{name}: the group announces the new thread"),
            |b| b["type"] == "Announce" && b["object"]["object"]["id"] == post_id.as_str(),
        )
        .await;

    // Leaving.
    w.play_ok("undo_follow.json", "/g/rust/inbox").await;
    assert_eq!(w.followers().await, 0, "{name}: left");

    // The account is deleted: its key can no longer be fetched; what it wrote goes.
    if !p.deletes_accounts {
        return;
    }
    let actor_id = w.actor["id"].as_str().unwrap().to_string();
    w.peer.gone(&actor_id);
    w.play_ok("delete_actor.json", "/inbox").await;
    let t = w.thread().await;
    let nested = find_reply(&t, &object_id(&nested)).expect("tombstone");
    assert_eq!(nested["deleted"], true, "{name}: erased with the account");
    let r = w
        .app
        .get(&format!("/api/v1/posts/{}", id(&new_post)), None)
        .await;
    assert_eq!(r.json["deleted"], true, "{name}: the thread is a tombstone");
}

#[tokio::test]
async fn mastodon_users_follow_reply_like_boost_edit_delete() {
    cohort::install_crypto_provider();
    member_of_a_cohort_group(Plays {
        software: Software::Mastodon,
        reply_inbox: "/inbox",
        boosts: true,
        dislikes: false,
        updates: true,
        deletes_accounts: true,
    })
    .await;
}

#[tokio::test]
async fn rfc9421_signed_deliveries_are_accepted_and_forgeries_refused() {
    cohort::install_crypto_provider();
    let mut w = World::new(Software::Mastodon).await;
    w.peer.signing = Signing::Rfc9421;
    let create = w.fixture("create_note_reply.json");
    let status = w.peer.deliver(&w.app, "/inbox", &w.actor, &create).await;
    assert_eq!(status, 202);
    let t = w.thread().await;
    let stored = find_reply(&t, &object_id(&create)).expect("the reply is in the thread");
    let html = stored["body_html"].as_str().unwrap();
    assert!(html.contains("borrow checker"), "{html}");

    // Signed over one body, sent with another: the Content-Digest gives it away.
    let mut forged = create.clone();
    forged["id"] = Value::String(format!("{}/2", create["id"].as_str().unwrap()));
    let signed = serde_json::to_vec(&forged).unwrap();
    forged["object"]["content"] = Value::String("<p>not what was signed</p>".into());
    let key = {
        use rsa::pkcs8::{EncodePrivateKey, LineEnding};
        let pem = cohort::testing::test_key()
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap();
        cohort::federation::signing::PrivateKey::from_pem(&pem).unwrap()
    };
    let target = url::Url::parse(&format!("http://{}/inbox", w.app.domain)).unwrap();
    let mut request = w
        .app
        .client
        .post(format!("{}/inbox", w.app.address))
        .header("content-type", "application/activity+json");
    for (k, v) in cohort::federation::rfc9421::sign(
        &key,
        w.actor["publicKey"]["id"].as_str().unwrap(),
        "POST",
        &target,
        Some(&signed),
        std::time::SystemTime::now(),
        true,
    )
    .unwrap()
    {
        request = request.header(k, v);
    }
    let response = request
        .body(serde_json::to_vec(&forged).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        401,
        "a body other than the one signed"
    );
    let t = w.thread().await;
    assert_eq!(replies(&t).len(), 2, "nothing stored from the forgery: {t}");
}

/// What a Mastodon reply and a Mastodon thread look like once here: mentions, hashtags and
/// custom emoji kept, the content warning and the image shown, the group's mention not part
/// of the title; a direct message to a member never lands in a public thread; the answer to a
/// Mastodon user reaches their inbox with a mention.
#[tokio::test]
async fn mastodon_content_is_shown_as_mastodon_users_wrote_it() {
    cohort::install_crypto_provider();
    let w = World::new(Software::Mastodon).await;

    // The reply goes to Bob's own inbox this time (Mastodon uses the shared one when known).
    let create = w.fixture("create_reply.json");
    w.play_ok("create_reply.json", "/u/bob/inbox").await;
    let t = w.thread().await;
    let stored = find_reply(&t, &object_id(&create)).expect("reply");
    let html = stored["body_html"].as_str().unwrap();
    assert!(
        html.contains(&format!("href=\"http://{}/u/bob\"", w.app.domain)),
        "the mention links to Bob: {html}"
    );
    assert!(html.contains("#<span>rustlang</span>"), "hashtag: {html}");
    assert!(
        html.contains("<img src=\"/media/remote/") && html.contains("alt=\":ferris:\""),
        "custom emoji as an image, shown through this server: {html}"
    );
    assert!(
        !html.contains(":ferris: "),
        "the shortcode is replaced: {html}"
    );
    assert!(!html.contains("class="), "classes are dropped: {html}");
    assert_eq!(stored["content_warning"], Value::Null);

    // Bob answers Maria: the answer is delivered to her inbox, mentioning her.
    let answer = w
        .app
        .reply_to(
            &w.token,
            id(&w.post),
            Some(id(&stored)),
            "Yes, exactly that.",
        )
        .await;
    let actor_id = w.actor["id"].as_str().unwrap().to_string();
    let delivered = w
        .peer
        .wait_for("Bob's answer at Maria's server", |b| {
            b["type"] == "Create" && b["object"]["id"] == answer["ap_id"]
        })
        .await;
    assert_eq!(delivered.path, "/inbox", "her shared inbox");
    let note = &delivered.body["object"];
    assert_eq!(note["inReplyTo"], create["object"]["id"]);
    assert!(
        note["cc"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == actor_id.as_str()),
        "{note}"
    );
    assert!(
        note["tag"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["type"] == "Mention" && t["href"] == actor_id.as_str()),
        "{note}"
    );

    // A thread started by mentioning the group.
    let create = w.fixture("create_post.json");
    w.play_ok("create_post.json", "/g/rust/inbox").await;
    let post = listed_post(&w, &create["object"]["id"], "the new thread").await;
    assert_eq!(
        post["title"],
        "Which async runtime do you use on embedded targets?"
    );
    assert_eq!(post["content_warning"], "embedded Rust, binary sizes");
    let html = post["body_html"].as_str().unwrap();
    assert!(
        html.contains("<img src=\"/media/remote/") && html.contains("alt=\"cargo size output"),
        "the image with its alt text, shown through this server: {html}"
    );
    assert!(
        !html.contains("src=\"http"),
        "no picture is loaded from another server: {html}"
    );

    // A direct message to Bob that answers his post stays out of the thread.
    let mut dm = w.fixture("create_reply.json");
    let dm_id = format!("{}/dm", dm["object"]["id"].as_str().unwrap());
    dm["id"] = Value::String(format!("{dm_id}/activity"));
    dm["object"]["id"] = Value::String(dm_id.clone());
    let bob = format!("http://{}/u/bob", w.app.domain);
    dm["to"] = serde_json::json!([bob]);
    dm["cc"] = serde_json::json!([]);
    dm["object"]["to"] = serde_json::json!([bob]);
    dm["object"]["cc"] = serde_json::json!([]);
    let outcome = w
        .peer
        .deliver_outcome(&w.app, "/u/bob/inbox", &w.actor, &dm)
        .await;
    assert_eq!(outcome, (400, When::ActedOn), "not published in a group");
    assert!(find_reply(&w.thread().await, &dm_id).is_none());
}

/// How Mastodon finds a group by its handle: WebFinger with `acct:` (and the URL form),
/// `application/jrd+json`, then the actor with Mastodon's Accept header; host-meta for
/// servers that look there first.
#[tokio::test]
async fn mastodon_finds_a_group_by_handle() {
    cohort::install_crypto_provider();
    let app = TestApp::spawn().await;
    let token = app.user("bob").await;
    app.group(&token, "rust").await;
    let r = app
        .client
        .get(format!(
            "{}/.well-known/webfinger?resource=acct:rust@{}",
            app.address, app.domain
        ))
        .header("accept", "application/jrd+json, application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/jrd+json")
    );
    let jrd: Value = r.json().await.unwrap();
    assert_eq!(jrd["subject"], format!("acct:rust@{}", app.domain));
    let href = jrd["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self" && l["type"] == "application/activity+json")
        .and_then(|l| l["href"].as_str())
        .expect("a self link of type application/activity+json")
        .to_string();
    let actor: Value = app
        .client
        .get(&href)
        .header(
            "accept",
            "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["type"], "Group");
    assert_eq!(actor["preferredUsername"], "rust");
    // What Mastodon reads, and what the Lemmy family requires of a community (moderators in
    // attributedTo, the featured collection, a shared inbox).
    for field in [
        "inbox",
        "outbox",
        "followers",
        "publicKey",
        "endpoints",
        "attributedTo",
        "featured",
        "name",
    ] {
        assert!(actor.get(field).is_some(), "{field}: {actor}");
    }
    assert_eq!(actor["publicKey"]["owner"], actor["id"]);
    assert!(actor["endpoints"]["sharedInbox"].is_string());
    // The URL form of the resource, as Mastodon uses when it has a URL in hand.
    let r = app
        .get(&format!("/.well-known/webfinger?resource={href}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // host-meta's LRDD template points back at WebFinger.
    let r = app.get("/.well-known/host-meta", None).await;
    assert_eq!(r.status, 200);
    assert!(
        r.text.contains("/.well-known/webfinger?resource={uri}"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn lemmy_users_follow_post_comment_vote_edit_delete() {
    cohort::install_crypto_provider();
    member_of_a_cohort_group(Plays {
        software: Software::Lemmy,
        reply_inbox: "/g/rust/inbox",
        boosts: false,
        dislikes: true,
        updates: true,
        deletes_accounts: true,
    })
    .await;
}

#[tokio::test]
async fn mbin_users_follow_post_comment_vote_edit_delete() {
    cohort::install_crypto_provider();
    member_of_a_cohort_group(Plays {
        software: Software::Mbin,
        reply_inbox: "/g/rust/inbox",
        boosts: true,
        dislikes: false,
        updates: true,
        deletes_accounts: true,
    })
    .await;
}

#[tokio::test]
async fn piefed_users_follow_post_comment_vote_edit_delete() {
    cohort::install_crypto_provider();
    member_of_a_cohort_group(Plays {
        software: Software::PieFed,
        // A live PieFed 1.6.27 sends everything to the shared inbox (its `sharedInbox`
        // endpoint, else `inbox`).
        reply_inbox: "/inbox",
        boosts: false,
        dislikes: true,
        updates: true,
        deletes_accounts: true,
    })
    .await;
}

/// Fixture names a Lemmy-family server uses for its side of hosting a community.
struct Hosts {
    software: Software,
    /// The community's actor fixture, and the people its fixtures name besides `person.json`.
    people: &'static [&'static str],
    accept: &'static str,
    /// Replacements that make an older accept fixture fit this scenario.
    accept_subs: &'static [(&'static str, &'static str)],
    /// The fixture that brings a post to the community's followers.
    post: &'static str,
    lock: Option<(&'static str, &'static str)>,
    feature: Option<&'static str>,
    /// `Announce` of the post itself (embedded or by id), which some servers send as well.
    plain_announce: Option<&'static str>,
    /// A thread sent straight from its author on the community's server, unannounced.
    direct_post: Option<&'static str>,
}

/// A Cohort member joins a community on a Lemmy-family server, reads its posts and comments,
/// replies (sent as that server requires), and sees its moderators' locks, pins and removals.
async fn member_of_a_community_elsewhere(h: Hosts) {
    let name = format!("{:?}", h.software);
    let app = TestApp::spawn().await;
    let token = app.user("bob").await;
    let peer = Peer::start(h.software).await;
    let community = peer.actor("group.json", &app);
    let person = peer.actor("person.json", &app);
    for path in h.people {
        peer.another_actor(&person, path);
    }
    let handle = format!(
        "{}@{}",
        community["preferredUsername"].as_str().unwrap(),
        peer.base.trim_start_matches("http://")
    );

    // Join: WebFinger, the community's actor, a signed Follow to its inbox.
    let r = app
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(&token),
            serde_json::json!({}),
        )
        .await;
    assert!(
        r.status == 200 || r.status == 202,
        "{name}: join {}",
        r.text
    );
    let follow = peer
        .wait_for(&format!("{name}: Follow"), |b| b["type"] == "Follow")
        .await;
    assert_eq!(follow.body["object"], community["id"], "{name}");
    let inboxes = [&community["inbox"], &community["endpoints"]["sharedInbox"]];
    assert!(
        inboxes
            .iter()
            .filter_map(|i| i.as_str())
            .any(|i| url::Url::parse(i).unwrap().path() == follow.path),
        "{name}: to the community's inbox or its server's shared inbox, not {}",
        follow.path
    );
    let follow_id = follow.body["id"].as_str().unwrap().to_string();
    let accept_fixture = peer.fixture(h.accept, &app, &[]);
    let placeholder = accept_fixture["object"]["id"].as_str().unwrap().to_string();
    let mut subs = vec![(placeholder.as_str(), follow_id.as_str())];
    subs.extend_from_slice(h.accept_subs);
    let accept = peer.fixture(h.accept, &app, &subs);
    let bob_inbox = "/u/bob/inbox";
    assert_eq!(
        peer.deliver(&app, bob_inbox, &community, &accept).await,
        202,
        "{name}: Accept"
    );
    cohort::testing::eventually(
        &format!("{name}: joined"),
        federation_tests::DEADLINE,
        || async {
            let r = app.get("/api/v1/me/groups", Some(&token)).await;
            r.json
                .as_array()?
                .iter()
                .any(|m| m["group"]["handle"] == handle.as_str() && m["state"] == "joined")
                .then_some(())
        },
    )
    .await;

    // A post, announced by the community.
    let announce = peer.fixture(h.post, &app, &[]);
    let page = match announce["type"].as_str() {
        Some("Announce") => announce["object"]["object"].clone(),
        _ => announce["object"].clone(),
    };
    assert_eq!(
        peer.send(&app, "/inbox", &announce).await,
        202,
        "{name}: post"
    );
    let post = federation_tests::wait_for_post(&app, &handle, page["name"].as_str().unwrap()).await;
    assert_eq!(post["ap_id"], page["id"], "{name}");
    assert_eq!(
        post["content_warning"],
        Value::Null,
        "{name}: summary is not a warning"
    );

    // A comment on it, announced.
    let comment = peer.fixture("announce_create_note.json", &app, &[]);
    assert_eq!(
        peer.send(&app, "/inbox", &comment).await,
        202,
        "{name}: comment"
    );
    let t = thread(&app, id(&post)).await;
    assert!(
        find_reply(&t, comment["object"]["object"]["id"].as_str().unwrap()).is_some(),
        "{name}: the comment in {t}"
    );

    // Bob replies: a Create{Note} to the community, as that server requires of it.
    let mine = app
        .reply_to(&token, id(&post), None, "Thanks, this helped.")
        .await;
    let sent = peer
        .wait_for(&format!("{name}: Bob's comment"), |b| {
            b["type"] == "Create" && b["object"]["id"] == mine["ap_id"]
        })
        .await;
    let note = &sent.body["object"];
    assert_eq!(note["type"], "Note");
    assert_eq!(note["inReplyTo"], page["id"]);
    assert_eq!(note["audience"], community["id"]);
    assert_eq!(sent.body["audience"], community["id"]);
    let addressed: Vec<&Value> = note["to"]
        .as_array()
        .unwrap()
        .iter()
        .chain(note["cc"].as_array().unwrap())
        .collect();
    assert!(
        addressed
            .iter()
            .any(|a| *a == "https://www.w3.org/ns/activitystreams#Public"),
        "{name}: {note}"
    );
    assert!(
        addressed.iter().any(|a| **a == community["id"]),
        "{name}: {note}"
    );
    assert!(sent.headers.contains_key("signature") && sent.headers.contains_key("digest"));

    // Bob starts a thread there: a Create{Page} with its title, to the community.
    let thread_start = app
        .post_in(
            &token,
            &handle,
            "Cohort says hello",
            "From *another* server.",
        )
        .await;
    let sent = peer
        .wait_for(&format!("{name}: Bob's thread"), |b| {
            b["type"] == "Create" && b["object"]["id"] == thread_start["ap_id"]
        })
        .await;
    let created = &sent.body["object"];
    assert_eq!(created["type"], "Page", "{name}");
    assert_eq!(created["name"], "Cohort says hello", "{name}");
    assert_eq!(created["audience"], community["id"], "{name}");
    assert!(
        created["to"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| *t == community["id"]),
        "{name}: {created}"
    );
    assert_eq!(created["source"]["mediaType"], "text/markdown", "{name}");

    // Locked by a moderator: no more replies here; unlocked again.
    if let Some((lock, unlock)) = h.lock {
        let a = peer.fixture(lock, &app, &[]);
        assert_eq!(peer.send(&app, "/inbox", &a).await, 202, "{name}: lock");
        assert_eq!(thread(&app, id(&post)).await["locked"], true, "{name}");
        let r = app
            .post(
                &format!("/api/v1/posts/{}/replies", id(&post)),
                Some(&token),
                serde_json::json!({"body": "late"}),
            )
            .await;
        assert_eq!(r.status, 409, "{name}: {}", r.text);
        let a = peer.fixture(unlock, &app, &[]);
        assert_eq!(peer.send(&app, "/inbox", &a).await, 202, "{name}: unlock");
        assert_eq!(thread(&app, id(&post)).await["locked"], false, "{name}");
    }
    if let Some(feature) = h.feature {
        let a = peer.fixture(feature, &app, &[]);
        assert_eq!(peer.send(&app, "/inbox", &a).await, 202, "{name}: pin");
        assert_eq!(thread(&app, id(&post)).await["pinned"], true, "{name}");
        // The same, as a Remove: unpinned.
        let mut remove = a.clone();
        remove["object"]["type"] = Value::String("Remove".into());
        remove["object"]["id"] =
            Value::String(format!("{}-remove", a["object"]["id"].as_str().unwrap()));
        remove["id"] = Value::String(format!("{}-remove", a["id"].as_str().unwrap()));
        assert_eq!(
            peer.send(&app, "/inbox", &remove).await,
            202,
            "{name}: unpin"
        );
        assert_eq!(thread(&app, id(&post)).await["pinned"], false, "{name}");
    }

    // The post announced again in its plain form (Mastodon compatibility): not a second post.
    if let Some(plain) = h.plain_announce {
        peer.publish(&page);
        let a = peer.fixture(plain, &app, &[]);
        assert_eq!(peer.send(&app, "/inbox", &a).await, 202, "{name}: {plain}");
        let listed = app
            .get(&format!("/api/v1/groups/{handle}/posts?limit=100"), None)
            .await;
        let copies = listed.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["ap_id"] == page["id"])
            .count();
        assert_eq!(copies, 1, "{name}: {}", listed.text);
    }

    if let Some(direct) = h.direct_post {
        let a = peer.fixture(direct, &app, &[]);
        assert_eq!(peer.send(&app, "/inbox", &a).await, 202, "{name}: {direct}");
        let title = a["object"]["name"].as_str().unwrap();
        let seen = federation_tests::wait_for_post(&app, &handle, title).await;
        assert_eq!(seen["ap_id"], a["object"]["id"], "{name}");
    }

    // Removed by a moderator, with a reason: gone here too.
    let removal = peer.fixture("announce_delete_page.json", &app, &[]);
    assert_eq!(
        peer.send(&app, "/inbox", &removal).await,
        202,
        "{name}: removal"
    );
    assert_eq!(thread(&app, id(&post)).await["deleted"], true, "{name}");

    // Restored by the moderator (Undo of the removal, announced): back, with its text.
    let mut restore = removal.clone();
    let inner = removal["object"].clone();
    restore["id"] = Value::String(format!("{}-undo", removal["id"].as_str().unwrap()));
    restore["object"] = serde_json::json!({
        "type": "Undo",
        "id": format!("{}-undo", inner["id"].as_str().unwrap()),
        "actor": inner["actor"],
        "object": inner,
        "audience": community["id"],
    });
    assert_eq!(
        peer.send(&app, "/inbox", &restore).await,
        202,
        "{name}: restore"
    );
    let t = thread(&app, id(&post)).await;
    assert_eq!(t["deleted"], false, "{name}: restored {t}");
    assert_eq!(t["title"], page["name"], "{name}: with its text");

    // The same for Bob's own thread there: removed and restored by the community's
    // moderator, its text kept here meanwhile (an author's own deletion would erase it).
    let mut removal = removal.clone();
    removal["id"] = Value::String(format!("{}-bob", removal["id"].as_str().unwrap()));
    removal["object"]["id"] =
        Value::String(format!("{}-bob", removal["object"]["id"].as_str().unwrap()));
    removal["object"]["object"] = thread_start["ap_id"].clone();
    assert_eq!(
        peer.send(&app, "/inbox", &removal).await,
        202,
        "{name}: removal of Bob's"
    );
    let t = thread(&app, id(&thread_start)).await;
    assert_eq!(
        (t["deleted"].clone(), t["title"].clone()),
        (Value::Bool(true), Value::String(String::new())),
        "{name}"
    );
    let inner = removal["object"].clone();
    let mut restore = removal.clone();
    restore["id"] = Value::String(format!("{}-undo", removal["id"].as_str().unwrap()));
    restore["object"] = serde_json::json!({
        "type": "Undo",
        "id": format!("{}-undo", inner["id"].as_str().unwrap()),
        "actor": inner["actor"],
        "object": inner,
    });
    assert_eq!(
        peer.send(&app, "/inbox", &restore).await,
        202,
        "{name}: restore of Bob's"
    );
    let t = thread(&app, id(&thread_start)).await;
    assert_eq!(t["title"], "Cohort says hello", "{name}: {t}");
}

#[tokio::test]
async fn cohort_members_take_part_in_a_lemmy_community() {
    cohort::install_crypto_provider();
    member_of_a_community_elsewhere(Hosts {
        software: Software::Lemmy,
        people: &["/u/tom", "/u/mia"],
        accept: "accept.json",
        accept_subs: &[],
        post: "announce_create_page.json",
        lock: Some(("announce_lock.json", "announce_undo_lock.json")),
        feature: Some("announce_add_featured.json"),
        plain_announce: Some("announce_page.json"),
        direct_post: None,
    })
    .await;
}

#[tokio::test]
async fn cohort_members_take_part_in_a_piefed_community() {
    cohort::install_crypto_provider();
    member_of_a_community_elsewhere(Hosts {
        software: Software::PieFed,
        people: &["/u/ines", "/u/oskar"],
        accept: "accept.json",
        accept_subs: &[],
        post: "announce_create_page.json",
        lock: Some(("announce_lock.json", "announce_undo_lock.json")),
        feature: None,
        plain_announce: Some("announce_post_uri.json"),
        direct_post: None,
    })
    .await;
}

#[tokio::test]
async fn nodebb_users_follow_reply_like_edit_delete() {
    cohort::install_crypto_provider();
    member_of_a_cohort_group(Plays {
        software: Software::NodeBB,
        reply_inbox: "/inbox",
        boosts: false,
        dislikes: false,
        updates: true,
        deletes_accounts: false,
    })
    .await;
}

#[tokio::test]
async fn misskey_users_follow_reply_react_renote_delete() {
    cohort::install_crypto_provider();
    member_of_a_cohort_group(Plays {
        software: Software::Misskey,
        reply_inbox: "/inbox",
        boosts: true,
        dislikes: false,
        updates: false,
        deletes_accounts: true,
    })
    .await;
}

#[tokio::test]
async fn gotosocial_users_follow_reply_like_boost_edit_delete() {
    cohort::install_crypto_provider();
    // GoToSocial delivers to each actor's own inbox, never a shared one.
    member_of_a_cohort_group(Plays {
        software: Software::GoToSocial,
        reply_inbox: "/u/bob/inbox",
        boosts: true,
        dislikes: false,
        updates: true,
        deletes_accounts: true,
    })
    .await;
}

/// GoToSocial reuses one activity id for every edit of a status; each edit still applies, and
/// a replayed edit still changes nothing.
/// Mitra names what it undoes by id only (`"object": "<Like id>"`, per the issue, as a live
/// Mitra sends it): the vote, boost or follow stored under that id is withdrawn, and only
/// when its own author asks. Its notes carry no markdown `source`: their `body` is null.
#[tokio::test]
async fn mitra_users_reply_like_and_boost_and_undo_them_by_id() {
    cohort::install_crypto_provider();
    let w = World::new(Software::Mitra).await;
    let score = || async { w.thread().await["score"].clone() };
    let shares = || async { w.thread().await["shares"].clone() };
    // Someone else on the same server, naming Mira's activities in an Undo of their own.
    let other = w.peer.another_actor(&w.actor, "/users/mallory");
    let forged = |name: &str| {
        let mut undo = w.fixture(name);
        undo["actor"] = other["id"].clone();
        let id = undo["id"]
            .as_str()
            .unwrap()
            .replace("/undo/019a", "/undo/0000");
        undo["id"] = Value::String(id);
        undo
    };

    // A reply without a markdown source: no body, the text in body_html; bob's has both.
    let create = w.fixture("create_reply.json");
    w.play_ok("create_reply.json", "/inbox").await;
    let t = w.thread().await;
    let stored = find_reply(&t, &object_id(&create)).expect("Mira's reply");
    assert_eq!(stored["body"], Value::Null, "{stored}");
    assert!(
        stored["body_html"]
            .as_str()
            .unwrap()
            .contains("names a region"),
        "{stored}"
    );
    assert_eq!(t["body"], "How do *lifetimes* work?");
    let bobs = find_reply(&t, w.reply["ap_id"].as_str().unwrap()).expect("bob's reply");
    assert_eq!(bobs["body"], "Start with the book.");

    // Like, then Undo naming the Like by id: by someone else refused, by Mira done.
    w.play_ok("like.json", "/inbox").await;
    assert_eq!(score().await, 1, "liked");
    let undo = forged("undo_like.json");
    let outcome = w
        .peer
        .deliver_outcome(&w.app, "/inbox", &other, &undo)
        .await;
    assert_eq!(
        outcome,
        (403, When::ActedOn),
        "another actor's Undo of Mira's Like"
    );
    assert_eq!(score().await, 1, "still liked");
    w.play_ok("undo_like.json", "/inbox").await;
    assert_eq!(score().await, 0, "unliked");

    // A boost, undone the same way.
    w.play_ok("announce.json", "/inbox").await;
    assert_eq!(shares().await, 1, "boosted");
    let undo = forged("undo_announce.json");
    let outcome = w
        .peer
        .deliver_outcome(&w.app, "/inbox", &other, &undo)
        .await;
    assert_eq!(
        outcome,
        (403, When::ActedOn),
        "another actor's Undo of Mira's boost"
    );
    assert_eq!(shares().await, 1, "still boosted");
    w.play_ok("undo_announce.json", "/inbox").await;
    assert_eq!(shares().await, 0, "unboosted");

    // A follow named by id (Mitra's portable actors send it so; its own actors embed it).
    let follow = w.fixture("follow.json");
    w.play_ok("follow.json", "/g/rust/inbox").await;
    assert_eq!(w.followers().await, 1, "followed");
    let mut undo = w.fixture("undo_follow.json");
    undo["object"] = follow["id"].clone();
    let status = w
        .peer
        .deliver(&w.app, "/g/rust/inbox", &w.actor, &undo)
        .await;
    assert_eq!(status, 202);
    assert_eq!(w.followers().await, 0, "left");

    // An Undo of something never stored here: accepted, nothing changes.
    let mut undo = w.fixture("undo_like.json");
    undo["id"] = Value::String(format!("{}/activities/undo/unknown", w.peer.base));
    undo["object"] = Value::String(format!("{}/activities/like/unknown", w.peer.base));
    let status = w.peer.deliver(&w.app, "/inbox", &w.actor, &undo).await;
    assert_eq!(status, 202);
}

/// The group relays Mitra's Undo as it came (the Like named by id): an instance following
/// the group withdraws the vote too.
#[tokio::test]
async fn a_mitra_unlike_by_id_reaches_an_instance_following_the_group() {
    cohort::install_crypto_provider();
    let w = World::new(Software::Mitra).await;
    let b = TestApp::spawn().await;
    let carol = b.user("carol").await;
    let handle = format!("rust@{}", w.app.domain);
    federation_tests::join(&b, &carol, &handle).await;
    let on_b = federation_tests::wait_for_post(&b, &handle, "Borrowing").await;
    let score_on_b = |expected: i64| {
        let (b, id) = (&b, id(&on_b));
        async move {
            cohort::testing::eventually(
                &format!("score {expected} on B"),
                federation_tests::DEADLINE,
                || async { (thread(b, id).await["score"] == expected).then_some(()) },
            )
            .await
        }
    };

    w.play_ok("like.json", "/inbox").await;
    score_on_b(1).await;
    w.play_ok("undo_like.json", "/inbox").await;
    assert_eq!(w.thread().await["score"], 0);
    score_on_b(0).await;
}

#[tokio::test]
async fn every_gotosocial_edit_applies_though_they_share_an_activity_id() {
    cohort::install_crypto_provider();
    let w = World::new(Software::GoToSocial).await;
    let create = w.fixture("create_reply.json");
    w.play_ok("create_reply.json", "/u/bob/inbox").await;
    let first = w.fixture("update_reply.json");
    w.play_ok("update_reply.json", "/u/bob/inbox").await;
    let mut second = first.clone();
    second["object"]["content"] = Value::String("<p>second edit</p>".into());
    second["object"]["updated"] = Value::String("2026-11-14T11:00:00Z".into());
    assert_eq!(first["id"], second["id"], "the same activity id");
    let status = w
        .peer
        .deliver(&w.app, "/u/bob/inbox", &w.actor, &second)
        .await;
    assert_eq!(status, 202);
    let t = w.thread().await;
    let reply = find_reply(&t, &object_id(&create)).expect("reply");
    assert_eq!(reply["body_html"], "<p>second edit</p>", "{reply}");
    // The first edit replayed: older than what is stored, so nothing changes.
    w.play_ok("update_reply.json", "/u/bob/inbox").await;
    let t = w.thread().await;
    let reply = find_reply(&t, &object_id(&create)).expect("reply");
    assert_eq!(reply["body_html"], "<p>second edit</p>", "{reply}");
}

/// Mbin sends its own members' threads and its moderators' locks straight from them, not
/// announced by the magazine.
#[tokio::test]
async fn cohort_members_take_part_in_an_mbin_magazine() {
    cohort::install_crypto_provider();
    member_of_a_community_elsewhere(Hosts {
        software: Software::Mbin,
        people: &["/u/kai", "/u/vera"],
        accept: "accept.json",
        accept_subs: &[
            (
                "https://mbin.example/m/rustaceans",
                "https://mbin.example/m/rust",
            ),
            (
                "https://cohort.example/u/alice",
                "https://cohort.example/u/bob",
            ),
        ],
        post: "announce_create_page.json",
        lock: Some(("lock.json", "undo_lock.json")),
        feature: None,
        plain_announce: None,
        direct_post: Some("create_page_in_magazine.json"),
    })
    .await;
}

/// A public Mastodon status that mentions a member but no group is none of a group's
/// business: accepted (so Mastodon does not count it as failed) and not stored.
#[tokio::test]
async fn a_mastodon_status_mentioning_only_a_member_is_accepted_and_ignored() {
    cohort::install_crypto_provider();
    let w = World::new(Software::Mastodon).await;
    let mut status = w.fixture("create_post.json");
    let bob = format!("http://{}/u/bob", w.app.domain);
    status["object"]["cc"] = serde_json::json!([bob]);
    status["object"]["tag"] = serde_json::json!([{"type": "Mention", "href": bob, "name": "@bob"}]);
    status["cc"] = serde_json::json!([bob]);
    let status_code = w
        .peer
        .deliver(&w.app, "/u/bob/inbox", &w.actor, &status)
        .await;
    assert_eq!(status_code, 202);
    let listed = w.app.get("/api/v1/groups/rust/posts?limit=100", None).await;
    assert_eq!(
        listed.json["items"].as_array().map(Vec::len),
        Some(1),
        "only Bob's own post: {}",
        listed.text
    );
}

/// Maria (Mastodon) answers in a group on A, which B follows; her server tells only A that
/// her account is gone. A erases her reply and relays the deletion; B asks her server, hears
/// 410, and erases its copy too.
#[tokio::test]
async fn an_account_deletion_reaches_every_instance_following_the_group() {
    cohort::install_crypto_provider();
    let w = World::new(Software::Mastodon).await;
    let b = TestApp::spawn().await;
    let carol = b.user("carol").await;
    let handle = format!("rust@{}", w.app.domain);
    federation_tests::join(&b, &carol, &handle).await;

    let create = w.fixture("create_reply.json");
    let reply_id = object_id(&create);
    w.play_ok("create_reply.json", "/inbox").await;
    let on_b = federation_tests::wait_for_post(&b, &handle, "Borrowing").await;
    let copy =
        cohort::testing::eventually("Maria's reply on B", federation_tests::DEADLINE, || async {
            find_reply(&thread(&b, id(&on_b)).await, &reply_id)
        })
        .await;
    assert_eq!(copy["deleted"], false);

    w.peer.gone(w.actor["id"].as_str().unwrap());
    w.play_ok("delete_actor.json", "/inbox").await;
    let t = w.thread().await;
    assert_eq!(find_reply(&t, &reply_id).expect("on A")["deleted"], true);
    cohort::testing::eventually("the deletion on B", federation_tests::DEADLINE, || async {
        let t = thread(&b, id(&on_b)).await;
        (find_reply(&t, &reply_id)?["deleted"] == true).then_some(())
    })
    .await;
}

/// A relayed account deletion is only a hint: while the account's server still serves the
/// actor, nothing is erased.
#[tokio::test]
async fn a_relayed_account_deletion_of_a_living_account_changes_nothing() {
    cohort::install_crypto_provider();
    let w = World::new(Software::Mastodon).await;
    let b = TestApp::spawn().await;
    let carol = b.user("carol").await;
    let handle = format!("rust@{}", w.app.domain);
    federation_tests::join(&b, &carol, &handle).await;
    let create = w.fixture("create_reply.json");
    let reply_id = object_id(&create);
    w.play_ok("create_reply.json", "/inbox").await;
    let on_b = federation_tests::wait_for_post(&b, &handle, "Borrowing").await;
    cohort::testing::eventually("Maria's reply on B", federation_tests::DEADLINE, || async {
        find_reply(&thread(&b, id(&on_b)).await, &reply_id)
    })
    .await;
    // A (the group's server) relays a deletion of Maria while her server still serves her:
    // an Announce signed by A's group, delivered to B.
    let group = storage::groups::find_by_name(&w.app.ctx.db, "rust", &w.app.domain)
        .await
        .unwrap()
        .unwrap();
    let announce = serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Announce",
        "id": format!("http://{}/activities/announce/relayed-delete", w.app.domain),
        "actor": group.ap_id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{}/followers", group.ap_id)],
        "object": w.fixture("delete_actor.json"),
    });
    let body = serde_json::to_vec(&announce).unwrap();
    let key =
        cohort::federation::signing::PrivateKey::from_pem(group.private_key.as_deref().unwrap())
            .unwrap();
    let inbox = url::Url::parse(&format!("http://{}/inbox", b.domain)).unwrap();
    let mut request = b
        .client
        .post(format!("{}/inbox", b.address))
        .header("content-type", "application/activity+json");
    for (k, v) in cohort::federation::signing::sign_post(
        &key,
        &format!("{}#main-key", group.ap_id),
        &inbox,
        &body,
        std::time::SystemTime::now(),
    )
    .unwrap()
    {
        request = request.header(k, v);
    }
    let status = request
        .body(body.clone())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    // Stored (202); refused when acted on: the account still exists.
    assert_eq!(
        Peer::outcome(&b, status, &body).await,
        (400, When::ActedOn),
        "the account still exists"
    );
    let t = thread(&b, id(&on_b)).await;
    assert_eq!(
        find_reply(&t, &reply_id).expect("on B")["deleted"],
        false,
        "{t}"
    );
}

/// A remote instance that sends too much is told to slow down (429 with `Retry-After`), as
/// Mastodon and the Lemmy family understand; its allowance is its own.
#[tokio::test]
async fn an_instance_sending_too_much_is_told_to_wait() {
    cohort::install_crypto_provider();
    let app = TestApp::spawn_with(|c| c.limits.inbound_per_minute = 2).await;
    let token = app.user("bob").await;
    app.group(&token, "rust").await;
    let post = app.post_in(&token, "rust", "Borrowing", "How?").await;
    let peer = Peer::start(Software::Mastodon).await;
    let actor = peer.actor("person.json", &app);
    let post_ap = post["ap_id"].as_str().unwrap().to_string();
    let mut statuses = vec![];
    for i in 0..3 {
        let mut a = peer.fixture(
            "create_reply.json",
            &app,
            &[("https://cohort.example/posts/7", &post_ap)],
        );
        let object = format!("{}/{i}", a["object"]["id"].as_str().unwrap());
        a["id"] = Value::String(format!("{object}/activity"));
        a["object"]["id"] = Value::String(object);
        statuses.push(peer.deliver(&app, "/inbox", &actor, &a).await);
    }
    assert_eq!(statuses, [202, 202, 429]);
    let t = thread(&app, id(&post)).await;
    assert_eq!(replies(&t).len(), 2, "the third was not stored");
}

/// An answer to someone whose server follows the group reaches that server once (in the
/// group's Announce), not also as a direct copy, which Lemmy refuses as already received.
#[tokio::test]
async fn an_answer_reaches_a_following_server_once() {
    cohort::install_crypto_provider();
    let w = World::new(Software::Lemmy).await;
    w.play_ok("follow.json", "/g/rust/inbox").await;
    let create = w.fixture("create_reply.json");
    w.play_ok("create_reply.json", "/g/rust/inbox").await;
    let t = w.thread().await;
    let theirs = find_reply(&t, &object_id(&create)).expect("their reply");
    let answer = w
        .app
        .reply_to(&w.token, id(&w.post), Some(id(&theirs)), "Agreed.")
        .await;
    w.peer
        .wait_for("the group's Announce of the answer", |b| {
            b["type"] == "Announce" && b["object"]["object"]["id"] == answer["ap_id"]
        })
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let direct = w
        .peer
        .received()
        .iter()
        .filter(|r| r.body["type"] == "Create" && r.body["object"]["id"] == answer["ap_id"])
        .count();
    assert_eq!(direct, 0, "no second, direct copy");
}

/// NodeInfo that is missing, slow, huge or links an internal address teaches nothing: the
/// follower (a Lemmy stand-in) is treated as unknown software and gets both deliveries of a
/// post, and the Accept of its Follow never waited for the check.
#[tokio::test]
async fn nodeinfo_that_cannot_be_read_changes_nothing() {
    use federation_tests::peer::NodeInfo;
    async fn case(mode: NodeInfo) {
        let w = World::new(Software::Lemmy).await;
        w.peer.set_nodeinfo(mode.clone());
        w.play_ok("follow.json", "/g/rust/inbox").await;
        w.peer
            .wait_for(&format!("{mode:?}: Accept"), |b| b["type"] == "Accept")
            .await;
        let checked = w.software_checked().await;
        assert_eq!(checked.software, None, "{mode:?}");
        assert!(!checked.single_delivery, "{mode:?}");
        assert!(checked.checked_at.is_none(), "{mode:?}");
        let post = w
            .app
            .post_in(&w.token, "rust", "Both", "Two deliveries")
            .await;
        for kind in ["Note", "Create"] {
            w.peer
                .wait_for(&format!("{mode:?}: Announce{{{kind}}}"), |b| {
                    b["type"] == "Announce"
                        && b["object"]["type"] == kind
                        && (b["object"]["id"] == post["ap_id"]
                            || b["object"]["object"]["id"] == post["ap_id"])
                })
                .await;
        }
        if mode == NodeInfo::Elsewhere {
            // The link to another address was never followed.
            assert!(
                !w.peer
                    .fetches()
                    .iter()
                    .any(|(p, _)| p.starts_with("/nodeinfo/")),
                "fetched the linked document"
            );
        }
        assert_eq!(w.peer.nodeinfo_fetches(), 1, "{mode:?}: checked once");
    }
    tokio::join!(
        case(NodeInfo::Missing),
        case(NodeInfo::Slow),
        case(NodeInfo::Huge),
        case(NodeInfo::Elsewhere),
    );
}

/// A PieFed user and a members-only Cohort group, as a live PieFed 1.6.27 played it
/// (docs/interop.md): its `Follow` (`piefed/follow.json`) is held until a moderator approves
/// it, then accepted; the group's posts reach it addressed to the group's followers only;
/// its comment, which PieFed addresses to Public (`piefed/create_reply.json`, the shape the
/// live run sent), is refused, as Lemmy 1.0 refuses public content in a private community.
#[tokio::test]
async fn piefed_users_and_a_members_only_group() {
    cohort::install_crypto_provider();
    let app = TestApp::spawn().await;
    let token = app.user("bob").await;
    app.members_only_group(&token, "rust").await;
    let post = app.post_in(&token, "rust", "Borrowing", "How?").await;
    let peer = Peer::start(Software::PieFed).await;
    let actor = peer.actor("person.json", &app);
    let post_ap = post["ap_id"].as_str().unwrap().to_string();
    let fixture =
        |name: &str| peer.fixture(name, &app, &[("https://cohort.example/posts/7", &post_ap)]);

    let follow = fixture("follow.json");
    let status = peer.deliver(&app, "/g/rust/inbox", &actor, &follow).await;
    assert_eq!(status, 202);
    let follow_id = follow["id"].as_str().unwrap().to_string();
    let accepted = |b: &Value| b["type"] == "Accept" && b["object"]["id"] == follow_id.as_str();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(
        !peer.received().iter().any(|r| accepted(&r.body)),
        "accepted before a moderator approved"
    );
    let requests = eventually("the request with its software", DEADLINE, || async {
        let r = app.get("/api/v1/groups/rust/requests", Some(&token)).await;
        r.json
            .as_array()
            .filter(|l| l.len() == 1 && l[0]["software"] == "piefed")
            .cloned()
    })
    .await;
    assert_eq!(requests[0]["new_instance"], true);
    let who = requests[0]["person"]["ap_id"]
        .as_str()
        .unwrap()
        .replace(':', "%3A")
        .replace('/', "%2F");
    let r = app
        .post(
            &format!("/api/v1/groups/rust/requests/{who}"),
            Some(&token),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    peer.wait_for("the Accept", accepted).await;

    // A new post: one Announce{Create{Page}} (PieFed reads that form), to the followers only.
    let news = app.post_in(&token, "rust", "Members news", "Inside.").await;
    let wrapped = peer
        .wait_for("the post", |b| {
            b["type"] == "Announce" && b["object"]["object"]["id"] == news["ap_id"]
        })
        .await;
    let followers = format!("http://{}/g/rust/followers", app.domain);
    assert_eq!(wrapped.body["to"], serde_json::json!([followers]));
    assert!(
        !wrapped.body.to_string().contains("activitystreams#Public"),
        "{}",
        wrapped.body
    );

    // PieFed's comment is addressed to Public: refused, nothing stored.
    let comment = fixture("create_reply.json");
    let outcome = peer.deliver_outcome(&app, "/inbox", &actor, &comment).await;
    assert_eq!(outcome, (400, When::ActedOn));
    assert!(
        storage::replies::find_by_ap_id(&app.ctx.db, comment["object"]["id"].as_str().unwrap())
            .await
            .unwrap()
            .is_none()
    );
}

/// A stand-in for the servers' picture stores: any path answers a PNG, and requests are
/// counted.
async fn picture_store() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let png = cohort::testing::pictures::png(48, 32);
    let app = axum::Router::new().fallback(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        let png = png.clone();
        async move { ([("content-type", "image/png")], png) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://127.0.0.1:{port}"), hits)
}

/// The post with ActivityPub id `id` among the group's newest.
async fn listed_post(w: &World, id: &Value, what: &str) -> Value {
    let listed = w
        .app
        .get("/api/v1/groups/rust/posts?sort=new&limit=10", None)
        .await;
    listed.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| &p["ap_id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{what}: {}", listed.text))
}

/// A picture post's `create` delivered to the group: the post as the API lists it, and the
/// path here of the first picture it shows from this server's copy.
async fn post_with_picture(w: &World, create: &Value, what: &str) -> (Value, String) {
    let status = w
        .peer
        .deliver(&w.app, "/g/rust/inbox", &w.actor, create)
        .await;
    assert_eq!(status, 202, "{what}");
    let post = listed_post(w, &create["object"]["id"], what).await;
    let html = post["body_html"].as_str().unwrap();
    let at = html
        .find("<img src=\"/media/remote/")
        .unwrap_or_else(|| panic!("{what}: {html}"));
    let src = html[at + "<img src=\"".len()..]
        .split('"')
        .next()
        .unwrap()
        .to_string();
    (post, src)
}

/// `path` on the app answers a PNG.
async fn shows_png(w: &World, path: &str, what: &str) {
    let r = w
        .app
        .client
        .get(format!("{}{path}", w.app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{what}");
    assert_eq!(r.headers()["content-type"], "image/png", "{what}");
}

/// An image post as a live PieFed sent it names its picture twice, as its `attachment` and as
/// its `image`: it is shown once, with the alt text the attachment gives, from the copy here.
#[tokio::test]
async fn a_piefed_image_post_shows_its_picture_once() {
    use std::sync::atomic::Ordering;
    cohort::install_crypto_provider();
    let (store, hits) = picture_store().await;
    let w = World::new(Software::PieFed).await;
    w.play_ok("follow.json", "/g/rust/inbox").await;
    let create = w.peer.fixture(
        "create_image_post.json",
        &w.app,
        &[("https://piefed.example/static/media/", &format!("{store}/"))],
    );
    let (post, src) = post_with_picture(&w, &create, "PieFed's image post").await;
    let html = post["body_html"].as_str().unwrap();
    assert_eq!(html.matches("<img ").count(), 1, "shown once: {html}");
    assert!(html.contains("alt=\"A photo from our side\""), "{html}");
    shows_png(&w, &src, "PieFed's image post").await;
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

/// The pictures of posts as Mastodon (an attachment), Lemmy and PieFed (the post's `image`)
/// send them are shown from this server's copy, fetched once.
#[tokio::test]
async fn pictures_in_mastodon_lemmy_and_piefed_posts_are_shown_from_a_local_copy() {
    use std::sync::atomic::Ordering;
    cohort::install_crypto_provider();
    let (store, hits) = picture_store().await;
    for (software, prefix) in [
        (Software::Mastodon, "https://mastodon.example/system/"),
        (Software::Lemmy, "https://lemmy.example/pictrs/"),
        (Software::PieFed, "https://piefed.example/static/media/"),
    ] {
        let w = World::new(software).await;
        w.play_ok("follow.json", "/g/rust/inbox").await;
        let here = format!("{store}/{software:?}/");
        let create = w
            .peer
            .fixture("create_post.json", &w.app, &[(prefix, &here)]);
        let what = format!("{software:?}");
        let (post, src) = post_with_picture(&w, &create, &what).await;
        let html = post["body_html"].as_str().unwrap();
        // (A link to the original may stay: following it is the reader's choice.)
        assert!(
            !html.contains(&format!("src=\"{here}")),
            "{what}: the page would load the store's picture: {html}"
        );
        for _ in 0..2 {
            shows_png(&w, &src, &what).await;
        }
    }
    assert_eq!(hits.load(Ordering::SeqCst), 3, "each picture fetched once");
}
