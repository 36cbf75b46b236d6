use cohort::{config::RegistrationMode, storage, testing::TestApp};
use serde_json::json;

#[tokio::test]
async fn sign_up_sign_in_me_sign_out() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "alice", "password": "correct horse"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["username"], "alice");
    assert_eq!(r.json["ap_id"], format!("http://{}/u/alice", app.domain));
    assert!(r.json["id"].as_i64().is_some());

    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "alice", "password": "correct horse"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = r.json["token"].as_str().unwrap().to_string();

    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json["username"], "alice");
    assert_eq!(me.json["handle"], format!("alice@{}", app.domain));
    assert_eq!(me.json["is_admin"], false);

    let r = app
        .request("POST", "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(r.status, 204);
    let r = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(r.status, 401, "a signed-out token must stop working");
}

#[tokio::test]
async fn bad_sign_ups_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    for (body, field) in [
        (
            json!({"username": "Al", "password": "long enough"}),
            "username",
        ),
        (
            json!({"username": "bad name", "password": "long enough"}),
            "username",
        ),
        (
            json!({"username": "alice", "password": "short"}),
            "password",
        ),
        (json!({"password": "long enough"}), "username"),
        (json!({"username": "alice"}), "password"),
        (
            json!({"username": 7, "password": "long enough"}),
            "username",
        ),
    ] {
        let r = app.post("/api/v1/accounts", None, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.json["error"], "invalid_input");
        assert_eq!(r.json["field"], field, "{body}");
    }
    assert_eq!(storage::persons::count_local(&app.ctx.db).await.unwrap(), 0);
}

#[tokio::test]
async fn taken_username_is_a_conflict() {
    let app = TestApp::spawn().await;
    app.user("alice").await;
    let r = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "alice", "password": "another one"}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json["error"], "name_taken");
    assert_eq!(storage::persons::count_local(&app.ctx.db).await.unwrap(), 1);
}

#[tokio::test]
async fn wrong_credentials_are_401() {
    let app = TestApp::spawn().await;
    app.user("alice").await;
    for body in [
        json!({"username": "alice", "password": "wrong password"}),
        json!({"username": "nobody", "password": "a long password"}),
    ] {
        let r = app.post("/api/v1/auth/login", None, body).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.json["error"], "bad_credentials");
    }
}

#[tokio::test]
async fn missing_or_bad_tokens_are_401() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    for header in [
        "Bearer nope",
        "Basic YWxpY2U6eA==",
        &format!("Bearer {}", "0".repeat(64)),
    ] {
        let r = app
            .client
            .get(format!("{}/api/v1/me", app.address))
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{header}");
    }
}

#[tokio::test]
async fn closed_registration_refuses_sign_up_but_admin_can_create() {
    let app = TestApp::spawn_with(|c| c.registration.mode = RegistrationMode::Closed).await;
    let r = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "alice", "password": "long enough"}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json["error"], "registration_closed");
    cohort::domain::accounts::create(&app.ctx, "admin", "long enough", true)
        .await
        .unwrap();
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "admin", "password": "long enough"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let me = app.get("/api/v1/me", r.json["token"].as_str()).await;
    assert_eq!(me.json["is_admin"], true);
}

#[tokio::test]
async fn malformed_bodies_get_clear_errors() {
    let app = TestApp::spawn().await;
    let url = format!("{}/api/v1/accounts", app.address);
    let r = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");

    let r = app
        .client
        .post(&url)
        .body(r#"{"username":"alice","password":"long enough"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415, "no content type");

    let huge = json!({"username": "alice", "password": "x".repeat(2 * 1024 * 1024)});
    let r = app.post("/api/v1/accounts", None, huge).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json["error"], "payload_too_large");
    assert_eq!(storage::persons::count_local(&app.ctx.db).await.unwrap(), 0);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json["error"], "no_route");
    let r = app.request("PUT", "/api/v1/me", None, None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.json["error"], "method_not_allowed");
}

#[tokio::test]
async fn control_characters_never_reach_the_database() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "a\u{0}b", "password": "long enough"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (401, Some("bad_credentials")),
        "{}",
        r.text
    );
    // A NUL anywhere in the URI is refused before routing.
    let r = app.get("/api/v1/groups/a%00b", None).await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (400, Some("bad_request")),
        "{}",
        r.text
    );
    let r = app.get("/api/v1/groups/a%00b/posts", None).await;
    assert_eq!(r.status, 400, "{}", r.text);
}
