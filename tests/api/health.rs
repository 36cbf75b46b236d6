//! Liveness and readiness probes.

use cohort::testing::TestApp;
use sea_orm::ConnectionTrait;

#[tokio::test]
async fn healthz_answers_and_readyz_follows_the_database() {
    let app = TestApp::spawn().await;
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["status"], "ok");
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "ready");

    // A migration not applied (as after deploying a new version before `cohort migrate`):
    // not ready until it is.
    let last = "m20261123_000005_create_destination_queue";
    app.ctx
        .db
        .execute_unprepared(&format!(
            "DELETE FROM seaql_migrations WHERE version = '{last}'"
        ))
        .await
        .unwrap();
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.json["reason"], "migrations are pending");
    assert_eq!(app.get("/healthz", None).await.status, 200, "still alive");
    app.ctx
        .db
        .execute_unprepared(&format!(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('{last}', 0)"
        ))
        .await
        .unwrap();
    assert_eq!(app.get("/readyz", None).await.status, 200);

    // A newer version migrated the database: this process must not take traffic, and says why.
    app.ctx
        .db
        .execute_unprepared(
            "INSERT INTO seaql_migrations (version, applied_at) \
             VALUES ('m20991231_000001_from_the_future', 0)",
        )
        .await
        .unwrap();
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert!(
        r.json["reason"]
            .as_str()
            .unwrap()
            .contains("newer version of Cohort"),
        "{}",
        r.text
    );
    app.ctx
        .db
        .execute_unprepared(
            "DELETE FROM seaql_migrations WHERE version = 'm20991231_000001_from_the_future'",
        )
        .await
        .unwrap();
    assert_eq!(app.get("/readyz", None).await.status, 200);

    // The database gone: not ready, still alive.
    app.ctx.db.clone().close().await.unwrap();
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.json["reason"], "the database does not answer");
    assert_eq!(app.get("/healthz", None).await.status, 200);
}

#[tokio::test]
async fn metrics_count_requests_activities_and_deliveries_and_show_the_queue() {
    use cohort::{
        domain::now,
        storage::queue::{self, NewActivity},
        testing::eventually,
    };
    use std::time::Duration;
    let app = TestApp::spawn().await;
    let token = app.user("ann").await;
    app.group(&token, "measured").await;
    for _ in 0..2 {
        assert_eq!(app.get("/api/v1/groups/measured", None).await.status, 200);
    }
    // An unsigned activity is refused, and counted by its type.
    let r = app
        .post("/inbox", None, serde_json::json!({"type": "Follow"}))
        .await;
    assert_eq!(r.status, 401);
    // A delivery to a port nobody listens on fails and stays queued.
    let inboxes = ["http://127.0.0.1:9/inbox".to_string()];
    queue::enqueue(
        &app.ctx.db,
        NewActivity {
            activity_id: "http://here/activities/follow/1",
            signer: &cohort::federation::Urls::instance_actor_url(&app.ctx.instance),
            body: "{}",
            group_id: None,
            microblog_only: false,
            inboxes: &inboxes,
        },
        now(),
    )
    .await
    .unwrap();
    app.ctx.delivery_wake.notify_waiters();

    let text = eventually(
        "a failed delivery counted",
        Duration::from_secs(20),
        || async {
            let r = app.get("/metrics", None).await;
            assert_eq!(r.status, 200);
            // The attempt is counted when it is made; the destination's state is recorded a
            // moment later (outcomes are written in batches): wait for both.
            (r.text
                .contains("cohort_deliveries_total{outcome=\"failed\"} 1")
                && r.text.contains("cohort_delivery_destinations_failing 1"))
            .then_some(r.text)
        },
    )
    .await;
    for line in [
        "cohort_http_requests_total{method=\"GET\",route=\"/api/v1/groups/{handle}\",status=\"200\"} 2",
        "cohort_http_requests_total{method=\"POST\",route=\"/inbox\",status=\"401\"} 1",
        "cohort_inbound_activities_total{type=\"Follow\",outcome=\"refused\"} 1",
        "cohort_delivery_queue_depth 1",
        "cohort_delivery_destinations_failing 1",
        "cohort_delivery_destinations_unreachable 0",
        "# TYPE cohort_delivery_queue_oldest_seconds gauge",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}
