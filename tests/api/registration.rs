//! Registration modes: open, by approval (with an application question), by invitation, or
//! closed; optionally only for an organisation's e-mail domains.

use cohort::{config::RegistrationMode, domain::accounts, testing::TestApp};
use serde_json::{Value, json};

async fn sign_up(app: &TestApp, body: Value) -> cohort::testing::Reply {
    app.post("/api/v1/accounts", None, body).await
}

fn account(name: &str) -> Value {
    json!({"username": name, "password": "a long password"})
}

async fn login(app: &TestApp, name: &str) -> cohort::testing::Reply {
    app.post("/api/v1/auth/login", None, account(name)).await
}

#[tokio::test]
async fn by_approval_an_applicant_answers_and_waits_for_an_administrator() {
    let app = TestApp::spawn_with(|c| c.registration.mode = RegistrationMode::Approval).await;
    let r = sign_up(&app, account("ann")).await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("application")),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("what would you like to learn"),
        "the question is shown: {}",
        r.text
    );

    let mut body = account("ann");
    body["application"] = json!("I teach Rust at work and want to learn from others.");
    let r = sign_up(&app, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["pending"], true);
    let r = login(&app, "ann").await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (403, Some("pending_approval")),
        "{}",
        r.text
    );

    let waiting = accounts::applications(&app.ctx).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].username, "ann");
    assert!(waiting[0].answer.as_deref().unwrap().contains("teach Rust"));
    accounts::decide(&app.ctx, "ann", true).await.unwrap();
    assert_eq!(login(&app, "ann").await.status, 200, "approved");

    // A rejected applicant is removed: the name is free again.
    let mut body = account("bob");
    body["application"] = json!("spam");
    assert_eq!(sign_up(&app, body.clone()).await.status, 201);
    accounts::decide(&app.ctx, "bob", false).await.unwrap();
    assert_eq!(login(&app, "bob").await.status, 401);
    assert_eq!(
        sign_up(&app, body).await.status,
        201,
        "the name is free again"
    );
    // Nothing to decide for an approved or unknown account.
    assert!(accounts::decide(&app.ctx, "ann", true).await.is_err());
    assert!(accounts::decide(&app.ctx, "nobody", true).await.is_err());
}

#[tokio::test]
async fn by_invitation_each_code_signs_up_one_person() {
    let app = TestApp::spawn_with(|c| c.registration.mode = RegistrationMode::Invite).await;
    let r = sign_up(&app, account("ann")).await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("invite")),
        "{}",
        r.text
    );
    let mut body = account("ann");
    body["invite"] = json!("not-a-real-code");
    let r = sign_up(&app, body).await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("invite")),
        "{}",
        r.text
    );
    assert!(
        login(&app, "ann").await.status == 401,
        "no account was made"
    );

    let code = accounts::invite(&app.ctx, 7).await.unwrap();
    let mut body = account("ann");
    body["invite"] = json!(code);
    let r = sign_up(&app, body).await;
    assert_eq!(
        (r.status, r.json["pending"].as_bool()),
        (201, Some(false)),
        "{}",
        r.text
    );
    assert_eq!(login(&app, "ann").await.status, 200);
    let mut again = account("ben");
    again["invite"] = json!(code);
    let r = sign_up(&app, again).await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (400, Some("invite")),
        "used: {}",
        r.text
    );
    assert!(accounts::invite(&app.ctx, 0).await.is_err());
}

#[tokio::test]
async fn sign_up_can_be_kept_to_an_organisations_email_domains() {
    let app =
        TestApp::spawn_with(|c| c.registration.email_domains = vec!["Example.org".into()]).await;
    let cases = [
        (None, 400),
        (Some("ann@other.org"), 400),
        (Some("not an address"), 400),
        (Some("ann@evilexample.org"), 400),
        (Some("ann@example.org"), 201),
        (Some("Ben@Dept.Example.org"), 201),
    ];
    for (i, (email, expected)) in cases.into_iter().enumerate() {
        let mut body = account(&format!("user{i}"));
        if let Some(e) = email {
            body["email"] = json!(e);
        }
        let r = sign_up(&app, body).await;
        assert_eq!(r.status, expected, "{email:?}: {}", r.text);
        if expected == 400 {
            assert_eq!(r.json["field"], "email", "{}", r.text);
        }
    }
}

#[tokio::test]
async fn closed_registration_refuses_sign_ups() {
    let app = TestApp::spawn_with(|c| c.registration.mode = RegistrationMode::Closed).await;
    let r = sign_up(&app, account("ann")).await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (403, Some("registration_closed"))
    );
}
