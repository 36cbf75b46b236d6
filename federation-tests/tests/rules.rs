//! One rule, two paths: what a member here may not do through the API, a person elsewhere
//! may not do through the inbox either (and the other way round). Each case is played both
//! ways against the same thread, with a Lemmy stand-in as the other server.

use cohort::{
    domain::replies::MAX_DEPTH,
    testing::{TestApp, id},
};
use federation_tests::{
    Trio,
    peer::{Peer, Software, When},
    thread,
};
use serde_json::{Value, json};

struct World {
    app: TestApp,
    peer: Peer,
    actor: Value,
    bob: String,
    dan: String,
    post: Value,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let bob = app.user("bob").await;
        let dan = app.user("dan").await;
        app.group(&bob, "rust").await;
        let post = app
            .post_in(&bob, "rust", "Borrowing", "How do *lifetimes* work?")
            .await;
        let peer = Peer::start(Software::Lemmy).await;
        let actor = peer.actor("person.json", &app);
        Self {
            app,
            peer,
            actor,
            bob,
            dan,
            post,
        }
    }

    /// Lemmy's fixture `name`, aimed at `post` (and `reply`), with its own id made unique.
    fn fixture(&self, name: &str, reply: Option<&Value>, n: usize) -> Value {
        let post = self.post["ap_id"].as_str().unwrap().to_string();
        let reply = reply.map_or(String::new(), |r| r["ap_id"].as_str().unwrap().to_string());
        let subs = [("https://cohort.example/posts/7", post.as_str())];
        let mut v = self.peer.fixture(name, &self.app, &subs);
        // Lemmy's reply fixture answers the post; to answer a reply, point it there.
        if !reply.is_empty() {
            v["object"]["inReplyTo"] = json!(reply);
        }
        let bump = |s: &Value| format!("{}-{n}", s.as_str().unwrap());
        v["id"] = json!(bump(&v["id"]));
        if v["object"].is_object() {
            v["object"]["id"] = json!(bump(&v["object"]["id"]));
        }
        v
    }

    /// Sends `activity` from the peer's person; what became of it ([`Peer::outcome`]).
    async fn remote(&self, activity: &Value) -> (u16, When) {
        self.peer
            .deliver_outcome(&self.app, "/g/rust/inbox", &self.actor, activity)
            .await
    }

    async fn local_vote(&self, value: i64) -> u16 {
        let path = format!("/api/v1/posts/{}/vote", id(&self.post));
        self.app
            .post(&path, Some(&self.dan), json!({"value": value}))
            .await
            .status
    }

    async fn votes(&self) -> i64 {
        use sea_orm::ConnectionTrait;
        let db = &self.app.ctx.db;
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!(
                    "SELECT COUNT(*) AS n FROM post_votes WHERE post_id = {}",
                    id(&self.post)
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
}

#[tokio::test]
async fn a_deleted_post_takes_no_votes_from_here_or_elsewhere() {
    let w = World::new().await;
    let path = format!("/api/v1/posts/{}", id(&w.post));
    assert_eq!(
        w.app
            .request("DELETE", &path, Some(&w.bob), None)
            .await
            .status,
        204
    );
    assert_eq!(w.local_vote(1).await, 409, "a member's vote");
    let status = w.remote(&w.fixture("like.json", None, 1)).await;
    assert_eq!(
        status,
        (409, When::ActedOn),
        "a remote vote is refused the same way"
    );
    assert_eq!(w.votes().await, 0, "neither counted");
}

#[tokio::test]
async fn a_locked_thread_still_takes_votes_from_here_and_elsewhere() {
    let w = World::new().await;
    let path = format!("/api/v1/posts/{}/lock", id(&w.post));
    assert_eq!(w.app.post(&path, Some(&w.bob), json!({})).await.status, 204);
    assert_eq!(w.local_vote(1).await, 200, "a member's vote");
    assert_eq!(
        w.remote(&w.fixture("like.json", None, 1)).await,
        (202, When::ActedOn)
    );
    assert_eq!(w.votes().await, 2, "both counted");
    assert_eq!(thread(&w.app, id(&w.post)).await["score"], 2);
}

#[tokio::test]
async fn a_locked_thread_takes_no_replies_from_here_or_elsewhere() {
    let w = World::new().await;
    let path = format!("/api/v1/posts/{}/lock", id(&w.post));
    assert_eq!(w.app.post(&path, Some(&w.bob), json!({})).await.status, 204);
    let r = w
        .app
        .post(
            &format!("/api/v1/posts/{}/replies", id(&w.post)),
            Some(&w.dan),
            json!({"body": "late"}),
        )
        .await;
    assert_eq!((r.status, r.json["error"].as_str()), (409, Some("locked")));
    let status = w.remote(&w.fixture("create_reply.json", None, 1)).await;
    assert_eq!(
        status,
        (409, When::ActedOn),
        "a remote reply is refused the same way"
    );
    assert_eq!(thread(&w.app, id(&w.post)).await["replies"], json!([]));
}

#[tokio::test]
async fn a_thread_too_deep_takes_no_reply_from_here_or_elsewhere() {
    let w = World::new().await;
    // A chain down to the deepest reply allowed.
    let mut parent: Option<Value> = None;
    for depth in 0..=MAX_DEPTH {
        let r = w
            .app
            .reply_to(
                &w.dan,
                id(&w.post),
                parent.as_ref().map(id),
                &format!("depth {depth}"),
            )
            .await;
        parent = Some(r);
    }
    let deepest = parent.unwrap();
    let r = w
        .app
        .post(
            &format!("/api/v1/posts/{}/replies", id(&w.post)),
            Some(&w.dan),
            json!({"body": "one too deep", "parent_id": id(&deepest)}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("parent_id"))
    );
    let too_deep = w.fixture("create_reply.json", Some(&deepest), 1);
    let status = w.remote(&too_deep).await;
    assert_eq!(
        status,
        (400, When::ActedOn),
        "a remote reply is refused the same way"
    );
    // One level up is fine, from either side.
    let up = deepest["parent_id"].as_i64().unwrap();
    let up = w.app.get(&format!("/api/v1/replies/{up}"), None).await.json;
    let fine = w.fixture("create_reply.json", Some(&up), 2);
    assert_eq!(w.remote(&fine).await, (202, When::ActedOn));
    let stored = cohort::storage::replies::find_by_ap_id(
        &w.app.ctx.db,
        too_deep["object"]["id"].as_str().unwrap(),
    )
    .await
    .unwrap();
    assert!(stored.is_none(), "the refused reply was not stored");
}

/// An administrator moderates only the groups hosted on their instance: the thread page of a
/// group elsewhere offers them no moderator's buttons (which the domain would refuse), while
/// the page of a group here does.
#[tokio::test]
async fn an_admin_sees_moderator_tools_only_where_they_may_use_them() {
    let w = Trio::start().await;
    let b = w.b();
    cohort::domain::accounts::create(&b.ctx, "root", "long enough password", true)
        .await
        .unwrap();
    let login = b
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "root", "password": "long enough password"}),
        )
        .await;
    let root = login.json["token"].as_str().unwrap().to_string();
    // A post in A's group, as B holds it, and a post in a group hosted on B.
    let remote = b
        .post_in(&w.bob, &w.handle, "Over there", "in a group on A")
        .await;
    b.group(&w.bob, "here").await;
    let local = b
        .post_in(&w.bob, "here", "Right here", "in a group on B")
        .await;
    let page = |post: &Value| {
        let path = format!("/posts/{}", id(post));
        let token = root.clone();
        async move {
            let r = b
                .client
                .get(format!("{}{path}", b.address))
                .header("accept", "text/html")
                .header("cookie", format!("cohort_session={token}"))
                .send()
                .await
                .unwrap();
            r.text().await.unwrap()
        }
    };
    // The admin is signed in on both pages (the header shows their name).
    let (there, here) = (page(&remote).await, page(&local).await);
    assert!(there.contains("root") && here.contains("root"), "signed in");
    let lock_form = |id: i64| format!("/posts/{id}/lock");
    assert!(
        !there.contains(&lock_form(id(&remote))),
        "no tools on A's group"
    );
    assert!(
        here.contains(&lock_form(id(&local))),
        "tools on B's own group"
    );
    let refused = b
        .post(
            &format!("/api/v1/posts/{}/lock", id(&remote)),
            Some(&root),
            json!({}),
        )
        .await;
    assert_eq!(refused.status, 403, "and the domain agrees");
}
