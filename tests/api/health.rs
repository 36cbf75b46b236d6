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

    // The database gone: not ready, still alive.
    app.ctx.db.clone().close().await.unwrap();
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.json["reason"], "the database does not answer");
    assert_eq!(app.get("/healthz", None).await.status, 200);
}
