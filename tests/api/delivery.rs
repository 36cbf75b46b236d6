//! The outgoing queue's rules, on the real database (no server, so no workers race the test).

use chrono::Duration;
use cohort::{
    config::DatabaseConfig,
    domain::now,
    storage::{
        self,
        groups::RemoteGroup,
        persons::RemotePerson,
        queue::{self, NewActivity, Outcome},
    },
    testing::TestDatabase,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

async fn db(test_db: &TestDatabase) -> DatabaseConnection {
    let db = storage::connect(&DatabaseConfig {
        url: test_db.url.clone(),
        max_connections: 2,
    })
    .await
    .unwrap();
    storage::migrate(&db).await.unwrap();
    db
}

async fn group(db: &DatabaseConnection, name: &str) -> i64 {
    storage::groups::upsert_remote(
        db,
        RemoteGroup {
            ap_id: format!("http://here/g/{name}"),
            name: name.into(),
            domain: "here".into(),
            title: name.into(),
            description: String::new(),
            description_html: String::new(),
            inbox_url: format!("http://here/g/{name}/inbox"),
            shared_inbox_url: None,
            followers_url: None,
            public_key: String::new(),
            qa_mode: false,
            visibility: "public",
        },
        now(),
    )
    .await
    .unwrap()
    .id
}

/// A remote person on `host` (delivered to at `http://host/inbox`) following `group`.
async fn follower(db: &DatabaseConnection, host: &str, name: &str, group: i64) {
    let p = storage::persons::upsert_remote(
        db,
        RemotePerson {
            ap_id: format!("http://{host}/u/{name}"),
            username: name.into(),
            domain: host.into(),
            display_name: None,
            inbox_url: format!("http://{host}/u/{name}/inbox"),
            shared_inbox_url: Some(format!("http://{host}/inbox")),
            public_key: String::new(),
        },
        now(),
    )
    .await
    .unwrap();
    let inbox = format!("http://{host}/inbox");
    let dest = queue::ensure_destinations(db, std::slice::from_ref(&inbox), now())
        .await
        .unwrap()
        .get(&inbox)
        .copied();
    storage::followers::upsert(db, group, p.id, false, None, dest, now())
        .await
        .unwrap();
}

async fn enqueue(db: &DatabaseConnection, id: &str, group: Option<i64>, inboxes: &[&str]) -> i64 {
    enqueue_for(db, id, group, inboxes, false).await
}

async fn enqueue_for(
    db: &DatabaseConnection,
    id: &str,
    group: Option<i64>,
    inboxes: &[&str],
    microblog_only: bool,
) -> i64 {
    let inboxes: Vec<String> = inboxes.iter().map(|s| s.to_string()).collect();
    queue::enqueue(
        db,
        NewActivity {
            activity_id: id,
            signer: "http://here/u/a",
            body: &format!("{{\"id\":\"{id}\"}}"),
            group_id: group,
            microblog_only,
            inboxes: &inboxes,
        },
        now() - Duration::seconds(1),
    )
    .await
    .unwrap()
}

/// What is due now, per inbox, as activity ids; claims (and so leases) those destinations.
async fn claim_due(db: &DatabaseConnection) -> Vec<(String, Vec<String>, i64)> {
    let lease = now() + Duration::minutes(5);
    let claimed = queue::claim(db, now(), lease, 100).await.unwrap();
    let ids: Vec<i64> = claimed.iter().map(|d| d.id).collect();
    let mut due = queue::due_for(db, &ids, 10).await.unwrap();
    let mut out: Vec<_> = claimed
        .into_iter()
        .map(|d| {
            let items = due.remove(&d.id).unwrap_or_default();
            (
                d.inbox,
                items.iter().map(|i| i.activity_id.clone()).collect(),
                d.id,
            )
        })
        .collect();
    out.sort();
    out
}

fn done(dest: i64, seq: i64) -> Outcome {
    Outcome {
        dest,
        delivered_seq: seq,
        next_attempt_at: now() - Duration::seconds(1),
        attempts: 0,
        failing_since: None,
        last_error: None,
        unreachable_since: None,
        delivered_at: Some(now()),
    }
}

#[tokio::test]
async fn one_row_per_activity_fans_out_to_each_following_server_in_order() {
    let test_db = TestDatabase::new().await;
    let db = &db(&test_db).await;
    let g = group(db, "rust").await;
    let other = group(db, "go").await;
    // Two followers on x share one inbox; y follows too; z follows another group.
    follower(db, "x", "ann", g).await;
    follower(db, "x", "bob", g).await;
    follower(db, "y", "cat", g).await;
    follower(db, "z", "dan", other).await;

    let create = enqueue(db, "create", Some(g), &[]).await;
    let update = enqueue(db, "update", Some(g), &[]).await;
    enqueue(db, "follow", None, &["http://y/inbox"]).await;
    let delete = enqueue(db, "delete", Some(g), &[]).await;
    assert!(create < update && update < delete);

    let due = claim_due(db).await;
    let shown: Vec<(&str, Vec<&str>)> = due
        .iter()
        .map(|(i, a, _)| (i.as_str(), a.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        shown,
        [
            ("http://x/inbox", vec!["create", "update", "delete"]),
            (
                "http://y/inbox",
                vec!["create", "update", "follow", "delete"]
            ),
        ],
        "each server once, in order; z follows nothing that was sent"
    );
    assert!(
        claim_due(db).await.is_empty(),
        "leased destinations are not claimed twice"
    );
    assert_eq!(queue::pending(db).await.unwrap(), 7);

    // x fails at its first activity: it keeps its place and waits; y is done.
    let (x, y) = (due[0].2, due[1].2);
    let mut failed = done(x, 0);
    failed.delivered_seq = create - 1;
    failed.attempts = 1;
    failed.failing_since = Some(now());
    failed.last_error = Some("HTTP 503".into());
    failed.next_attempt_at = now() + Duration::minutes(1);
    queue::record(db, &[failed.clone(), done(y, delete)])
        .await
        .unwrap();
    assert!(
        claim_due(db).await.is_empty(),
        "x is backing off, y has nothing left"
    );
    let report = queue::report(db).await.unwrap();
    assert_eq!(report.pending, 3);
    assert_eq!(report.destinations, 3);
    assert_eq!(report.failing.len(), 1);
    assert_eq!(report.failing[0].inbox, "http://x/inbox");
    assert_eq!(report.failing[0].pending, 3);
    assert!(report.oldest_pending.is_some());

    // Due again: it resumes where it stopped, Create first.
    failed.next_attempt_at = now() - Duration::seconds(1);
    queue::record(db, &[failed]).await.unwrap();
    let again = claim_due(db).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].1, ["create", "update", "delete"]);
    queue::record(db, &[done(x, delete)]).await.unwrap();
    assert_eq!(queue::pending(db).await.unwrap(), 0);
    assert!(claim_due(db).await.is_empty());
}

#[tokio::test]
async fn a_new_follower_starts_from_now_and_unfollowing_stops_delivery() {
    let test_db = TestDatabase::new().await;
    let db = &db(&test_db).await;
    let g = group(db, "rust").await;
    follower(db, "x", "ann", g).await;
    enqueue(db, "before", Some(g), &[]).await;
    follower(db, "w", "eve", g).await;
    enqueue(db, "after", Some(g), &[]).await;
    let due = claim_due(db).await;
    assert_eq!(due[0].0, "http://w/inbox");
    assert_eq!(
        due[0].1,
        ["after"],
        "history is the backfill's job, not the queue's"
    );
    assert_eq!(due[1].1, ["before", "after"]);

    // Unreachable destinations are skipped until heard from.
    let mut gone = done(due[1].2, 0);
    gone.delivered_seq = 0;
    gone.attempts = 30;
    gone.failing_since = Some(now() - Duration::days(4));
    gone.unreachable_since = Some(now());
    gone.next_attempt_at = now() - Duration::seconds(1);
    queue::record(db, &[gone, done(due[0].2, 100)])
        .await
        .unwrap();
    assert!(claim_due(db).await.is_empty());
    assert_eq!(queue::report(db).await.unwrap().unreachable, 1);
    assert!(!queue::heard_from(db, "w", now()).await.unwrap());
    assert!(queue::heard_from(db, "x", now()).await.unwrap());
    let back = claim_due(db).await;
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].1, ["before", "after"], "nothing was lost meanwhile");

    // The last follower from x leaves: nothing more goes there.
    queue::record(db, &[done(back[0].2, 0)]).await.unwrap();
    let x_person = storage::persons::find_by_ap_id(db, "http://x/u/ann")
        .await
        .unwrap()
        .unwrap();
    storage::followers::remove(db, g, x_person.id)
        .await
        .unwrap();
    assert!(claim_due(db).await.is_empty());
}

#[tokio::test]
async fn purging_keeps_what_is_still_due() {
    let test_db = TestDatabase::new().await;
    let db = &db(&test_db).await;
    enqueue(db, "follow", None, &["http://y/inbox"]).await;
    assert_eq!(
        queue::purge(db, now() - Duration::days(7)).await.unwrap(),
        0
    );
    assert_eq!(queue::pending(db).await.unwrap(), 1);
    let due = claim_due(db).await;
    assert_eq!(due[0].1, ["follow"]);
    // Past the retention, even undelivered rows go (the destination was long unreachable).
    queue::purge(db, now() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(queue::pending(db).await.unwrap(), 0);
    assert!(
        cohort::storage::sent::find(db, "follow")
            .await
            .unwrap()
            .is_some(),
        "still fetchable by id"
    );
}

#[tokio::test]
async fn pending_deliveries_survive_the_upgrade_to_the_destination_queue() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, Statement};
    let test_db = TestDatabase::new().await;
    let db = &storage::connect(&DatabaseConfig {
        url: test_db.url.clone(),
        max_connections: 2,
    })
    .await
    .unwrap();
    Migrator::up(db, Some(4)).await.unwrap();
    let backend = db.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Postgres {
        "INSERT INTO deliveries (activity_id, signer, inbox, body, attempts, next_attempt_at, \
         created_at) VALUES ($1, 'http://here/u/a', $2, $3, 0, $4, $4)"
    } else {
        "INSERT INTO deliveries (activity_id, signer, inbox, body, attempts, next_attempt_at, \
         created_at) VALUES (?1, 'http://here/u/a', ?2, ?3, 0, ?4, ?4)"
    };
    for (id, inbox) in [
        ("a1", "http://y/inbox"),
        ("a2", "http://y/inbox"),
        ("a1", "http://z:81/inbox"),
    ] {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                id.into(),
                inbox.into(),
                format!("{{\"id\":\"{id}\"}}").into(),
                (now() - Duration::seconds(5)).into(),
            ],
        ))
        .await
        .unwrap();
    }
    storage::migrate(db).await.unwrap();
    let due = claim_due(db).await;
    let shown: Vec<(&str, Vec<&str>)> = due
        .iter()
        .map(|(i, a, _)| (i.as_str(), a.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        shown,
        [
            ("http://y/inbox", vec!["a1", "a2"]),
            ("http://z:81/inbox", vec!["a1"])
        ]
    );
    let report = queue::report(db).await.unwrap();
    assert_eq!(report.pending, 3);
    assert_eq!(
        cohort::storage::sent::find(db, "a2")
            .await
            .unwrap()
            .as_deref(),
        Some("{\"id\":\"a2\"}")
    );
    assert!(!queue::heard_from(db, "z:81", now()).await.unwrap());
}

/// A peer whose answers the test scripts: per host, a list of statuses (the last repeats),
/// optionally with a `Retry-After`; it records when each request came.
mod scripted {
    use std::{
        collections::HashMap,
        sync::{Arc, Mutex},
        time::Instant,
    };

    use axum::{
        Router,
        extract::State,
        http::{HeaderMap, StatusCode},
        response::IntoResponse,
        routing::post,
    };

    pub type Script = HashMap<String, Vec<(u16, Option<&'static str>)>>;
    pub type Log = Arc<Mutex<Vec<(String, Instant)>>>;

    pub async fn start(script: Script) -> (u16, Log) {
        let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let log: Log = Arc::default();
        let state = (Arc::new(script), log.clone());
        let app = Router::new()
            .route("/inbox", post(answer))
            .with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (port, log)
    }

    async fn answer(
        State((script, log)): State<(Arc<Script>, Log)>,
        headers: HeaderMap,
    ) -> impl IntoResponse {
        let host = headers["host"].to_str().unwrap().to_string();
        let ip = host.split(':').next().unwrap().to_string();
        let n = {
            let mut l = log.lock().unwrap();
            l.push((ip.clone(), Instant::now()));
            l.iter().filter(|(h, _)| *h == ip).count()
        };
        let answers = &script[&ip];
        let (status, retry_after) = answers[(n - 1).min(answers.len() - 1)];
        let mut h = HeaderMap::new();
        if let Some(r) = retry_after {
            h.insert("retry-after", r.parse().unwrap());
        }
        (StatusCode::from_u16(status).unwrap(), h)
    }
}

#[tokio::test]
async fn retry_after_is_honoured_and_client_errors_are_final() {
    use cohort::{harness::add_remote_follower, testing::TestApp};
    use std::time::{Duration as StdDuration, Instant};
    let app = TestApp::spawn().await;
    let token = app.user("ann").await;
    let group = app.group(&token, "retry").await;
    // busy: 429 with Retry-After 3 s (longer than the first back-off, 2 s), then 202.
    // gone: 403, for good. fine: 202.
    let (busy, gone, fine) = ("127.0.2.1", "127.0.2.2", "127.0.2.3");
    let script = [
        (busy, vec![(429, Some("3")), (202, None)]),
        (gone, vec![(403, None)]),
        (fine, vec![(202, None)]),
    ]
    .into_iter()
    .map(|(h, a)| (h.to_string(), a))
    .collect();
    let (port, log) = scripted::start(script).await;
    for host in [busy, gone, fine] {
        add_remote_follower(
            &app.ctx.db,
            cohort::testing::id(&group),
            &format!("{host}:{port}"),
            &format!("http://{host}:{port}/inbox"),
        )
        .await
        .unwrap();
    }
    app.post_in(&token, "retry", "Hello", "Is anyone there?")
        .await;

    // Each post is two activities; busy gets its first refused, then both, in order.
    let requests = |host: &str| -> Vec<Instant> {
        log.lock()
            .unwrap()
            .iter()
            .filter(|(h, _)| h == host)
            .map(|(_, t)| *t)
            .collect()
    };
    let got = cohort::testing::eventually("busy served", StdDuration::from_secs(20), || async {
        let r = requests(busy);
        (r.len() >= 3).then_some(r)
    })
    .await;
    assert!(
        got[1] - got[0] >= StdDuration::from_millis(2900),
        "retried after {:?}, before the Retry-After",
        got[1] - got[0]
    );
    assert_eq!(requests(fine).len(), 2);
    assert_eq!(
        requests(gone).len(),
        2,
        "a 403 is final: one attempt per activity"
    );
    let report =
        cohort::testing::eventually("queue drained", StdDuration::from_secs(10), || async {
            let r = queue::report(&app.ctx.db).await.unwrap();
            (r.pending == 0).then_some(r)
        })
        .await;
    assert!(report.failing.is_empty(), "{:?}", report.failing);
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(requests(busy).len(), 3, "nothing sent twice");
}

#[tokio::test]
async fn on_postgres_work_queued_by_one_process_wakes_the_others() {
    use cohort::{Config, delivery, domain::Ctx, domain::Instance};
    use std::time::Duration as StdDuration;
    let test_db = TestDatabase::new().await;
    if !test_db.is_postgres() {
        eprintln!("PostgreSQL only: an SQLite database has one process, woken directly");
        return;
    }
    // "This process": its dispatcher's wake-up, fed by the listener.
    let ctx = cohort::services::Services::new(Ctx::new(
        db(&test_db).await,
        Instance::from_config(&Config::default()),
    ));
    let wake = ctx.delivery_wake.clone();
    let listening = wake.notified();
    tokio::pin!(listening);
    listening.as_mut().enable();
    let task = tokio::spawn(delivery::listen_for_work(ctx));
    tokio::time::timeout(StdDuration::from_secs(10), listening)
        .await
        .expect("the listener is up");
    // "Another process" queues an activity on its own connection.
    let woken = wake.notified();
    tokio::pin!(woken);
    woken.as_mut().enable();
    let other = db(&test_db).await;
    enqueue(&other, "follow", None, &["http://y/inbox"]).await;
    tokio::time::timeout(StdDuration::from_secs(10), woken)
        .await
        .expect("woken by the other process's enqueue");
    task.abort();
}

/// A post's plain Announce (`microblog_only`) reaches followers on microblog or unknown
/// software and skips those whose NodeInfo named the Lemmy family; what a host runs is
/// checked under a lease, once at a time, and a new inbox of a known host inherits it.
#[tokio::test]
async fn microblog_only_activities_skip_hosts_that_read_one_announce() {
    use storage::software::{self, Learnt};
    let test_db = TestDatabase::new().await;
    let db = &db(&test_db).await;
    let g = group(db, "rust").await;
    follower(db, "lem", "ann", g).await;
    follower(db, "mast", "bob", g).await;
    follower(db, "unknown", "cat", g).await;

    // Every destination host is due for a check; a second claim while leased finds none.
    let lease = now() + Duration::minutes(2);
    let mut hosts = software::claim_due(db, now(), lease, 10).await.unwrap();
    hosts.sort();
    assert_eq!(hosts, ["lem", "mast", "unknown"]);
    assert!(
        software::claim_due(db, now(), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let learnt = |name: &str, one: bool| Learnt {
        software: name.into(),
        version: Some("1.0".into()),
        single_delivery: one,
    };
    let day = now() + Duration::days(1);
    software::record(db, "lem", Some(&learnt("lemmy", true)), now(), day)
        .await
        .unwrap();
    software::record(db, "mast", Some(&learnt("mastodon", false)), now(), day)
        .await
        .unwrap();
    software::record(db, "unknown", None, now(), now() + Duration::hours(1))
        .await
        .unwrap();
    // Due again only when their time comes.
    assert!(
        software::claim_due(db, now(), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let later = now() + Duration::hours(2);
    assert_eq!(
        software::claim_due(db, later, later + Duration::minutes(2), 10)
            .await
            .unwrap(),
        ["unknown"]
    );

    enqueue_for(db, "create", Some(g), &[], false).await;
    enqueue_for(db, "plain", Some(g), &[], true).await;
    let due = claim_due(db).await;
    let got = |host: &str| -> Vec<String> {
        due.iter()
            .find(|(inbox, _, _)| inbox == &format!("http://{host}/inbox"))
            .map(|(_, ids, _)| ids.clone())
            .unwrap_or_default()
    };
    assert_eq!(got("lem"), ["create"]);
    assert_eq!(got("mast"), ["create", "plain"]);
    assert_eq!(got("unknown"), ["create", "plain"]);

    // A second inbox on a host known to read one Announce is marked so from the start.
    let inbox = "http://lem/u/dan/inbox".to_string();
    queue::ensure_destinations(db, std::slice::from_ref(&inbox), now())
        .await
        .unwrap();
    let row = storage::entities::destinations::Entity::find()
        .filter(storage::entities::destinations::Column::Inbox.eq(inbox))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.single_delivery);
}
