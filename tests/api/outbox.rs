//! The transactional outbox: a change and the activity that tells other servers about it are
//! stored together or not at all. A test-only trigger makes queueing fail inside the
//! transaction (on SQLite and on PostgreSQL); every kind of write must then answer 5xx and
//! leave nothing behind. Without the trigger the same calls store and deliver.

use std::time::Duration;

use cohort::{
    harness::{Sinks, add_remote_follower},
    testing::{TestApp, id},
};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

/// Makes every insert into the queue's `outgoing` table fail, as a full disk or a broken
/// connection would at that moment.
async fn inject_fault(app: &TestApp) {
    let db = &app.ctx.db;
    let statements: &[&str] = if app.is_postgres() {
        &[
            "CREATE FUNCTION cohort_test_fault() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$",
            "CREATE TRIGGER cohort_test_fault BEFORE INSERT ON outgoing \
             FOR EACH ROW EXECUTE FUNCTION cohort_test_fault()",
        ]
    } else {
        &[
            "CREATE TRIGGER cohort_test_fault BEFORE INSERT ON outgoing \
           BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
        ]
    };
    for s in statements {
        db.execute_unprepared(s).await.expect("install the fault");
    }
}

async fn remove_fault(app: &TestApp) {
    let db = &app.ctx.db;
    db.execute_unprepared("DROP TRIGGER cohort_test_fault ON outgoing")
        .await
        .or(db
            .execute_unprepared("DROP TRIGGER cohort_test_fault")
            .await)
        .expect("remove the fault");
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let backend = app.ctx.db.get_database_backend();
    let row = app
        .ctx
        .db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// The five kinds of write, each answering with its status.
struct Writes<'a> {
    app: &'a TestApp,
    ann: &'a str,
    bob: &'a str,
    post: i64,
    reply: i64,
}

impl Writes<'_> {
    async fn all(&self, round: &str) -> Vec<(&'static str, u16)> {
        let (app, post, reply) = (self.app, self.post, self.reply);
        vec![
            (
                "post",
                app.post(
                    "/api/v1/groups/faults/posts",
                    Some(self.ann),
                    json!({"title": format!("New in round {round}"), "body": "x"}),
                )
                .await
                .status,
            ),
            (
                "reply",
                app.post(
                    &format!("/api/v1/posts/{post}/replies"),
                    Some(self.bob),
                    json!({"body": format!("Answer in round {round}")}),
                )
                .await
                .status,
            ),
            (
                "edit",
                app.request(
                    "PATCH",
                    &format!("/api/v1/posts/{post}"),
                    Some(self.ann),
                    Some(&json!({"title": format!("Edited in round {round}")})),
                )
                .await
                .status,
            ),
            (
                "vote",
                app.post(
                    &format!("/api/v1/posts/{post}/vote"),
                    Some(self.bob),
                    json!({"value": 1}),
                )
                .await
                .status,
            ),
            (
                "removal",
                app.post(
                    &format!("/api/v1/replies/{reply}/remove"),
                    Some(self.ann),
                    json!({"reason": "off topic"}),
                )
                .await
                .status,
            ),
        ]
    }
}

/// What a reader sees: the group's posts, the thread, its score and the reply's state.
async fn visible(app: &TestApp, post: i64) -> Value {
    let list = app.get("/api/v1/groups/faults/posts?sort=new", None).await;
    let thread = app.get(&format!("/api/v1/posts/{post}"), None).await;
    json!({"list": list.json["items"], "thread": thread.json})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_stored_only_with_its_activity() {
    let app = TestApp::spawn().await;
    let sinks = Sinks::start(Duration::ZERO).await.unwrap();
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    let group = app.group(&ann, "faults").await;
    add_remote_follower(&app.ctx.db, id(&group), &sinks.host(0), &sinks.inbox(0))
        .await
        .unwrap();
    let post = id(&app
        .post_in(&ann, "faults", "First", "Before the fault")
        .await);
    let reply = id(&app.reply_to(&bob, post, None, "A reply to remove").await);
    // The post is two activities (Create, and the Page for Mastodon), the reply one.
    assert_eq!(sinks.log.wait_for(3, Duration::from_secs(20)).await, 3);

    let before = visible(&app, post).await;
    let queued = (
        count(&app, "outgoing").await,
        count(&app, "sent_activities").await,
    );
    let writes = Writes {
        app: &app,
        ann: &ann,
        bob: &bob,
        post,
        reply,
    };

    inject_fault(&app).await;
    for (what, status) in writes.all("one").await {
        assert_eq!(
            status, 500,
            "{what} answered {status} while queueing failed"
        );
    }
    assert_eq!(
        visible(&app, post).await,
        before,
        "a write whose activity could not be queued left something behind"
    );
    assert_eq!(
        (
            count(&app, "outgoing").await,
            count(&app, "sent_activities").await
        ),
        queued
    );
    // Nothing half-sent either.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sinks.log.distinct(), 3);

    remove_fault(&app).await;
    for (what, status) in writes.all("two").await {
        assert!((200..300).contains(&status), "{what} answered {status}");
    }
    let after = visible(&app, post).await;
    let titles: Vec<&str> = after["list"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["title"].as_str())
        .collect();
    assert!(titles.contains(&"New in round two"), "{titles:?}");
    assert_eq!(after["thread"]["title"], "Edited in round two");
    assert_eq!(after["thread"]["score"], 1);
    let replies = after["thread"]["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert!(
        replies
            .iter()
            .any(|r| r["id"] == reply && r["removed"] == true)
    );
    // And every one of them reached the follower: new post (2), reply, edit, vote, removal.
    assert_eq!(sinks.log.wait_for(9, Duration::from_secs(20)).await, 9);
    let kinds = delivered_kinds(&app, &sinks).await;
    for kind in [
        "Create/Page",
        "Create/Note",
        "Update/Page",
        "Like",
        "Delete",
        "Note",
    ] {
        assert!(kinds.contains(&kind.to_string()), "{kind} in {kinds:?}");
    }
    assert_eq!(sinks.log.duplicates(), 0);
    assert_eq!(sinks.log.bad.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// What each delivered `Announce` carried: `Type/ObjectType` of the inner activity, or the
/// announced object's type.
async fn delivered_kinds(app: &TestApp, sinks: &Sinks) -> Vec<String> {
    let ids: Vec<String> = sinks.log.per_host().into_values().flatten().collect();
    let mut kinds = vec![];
    for a in ids {
        let body = cohort::storage::sent::find(&app.ctx.db, &a)
            .await
            .unwrap()
            .expect("a delivered activity is kept");
        let v: Value = serde_json::from_str(&body).unwrap();
        let inner = &v["object"];
        kinds.push(match inner["object"]["type"].as_str() {
            Some(t) => format!("{}/{t}", inner["type"].as_str().unwrap_or("?")),
            None => inner["type"].as_str().unwrap_or("?").to_string(),
        });
    }
    kinds
}
