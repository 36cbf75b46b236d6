//! The web interface's security rules over plain HTTP (no browser needed): CSRF tokens on
//! every form, cookie attributes, the Content-Security-Policy and escaping.

use browser_tests::visitor::{PASSWORD, Visitor};
use cohort::testing::{TestApp, id};

#[tokio::test]
async fn every_form_needs_the_token_of_its_session() {
    let app = TestApp::spawn().await;
    let mut v = Visitor::new(&app);

    // No token, a wrong token, a token of another browser: refused, nothing created.
    let form = [("username", "mallory"), ("password", PASSWORD)];
    let r = v.post("/signup", &form).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("this form has expired"));
    // A browser with no cookie at all has no token, not a guessable one.
    let guess = cohort::http::web::session::csrf_token("");
    let r = v
        .post(
            "/signup",
            &[
                ("csrf", &guess),
                ("username", "mallory"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let mut other = Visitor::new(&app);
    let theirs = other.token("/signup").await;
    let mine = v.token("/signup").await;
    assert_ne!(theirs, mine, "each browser has its own token");
    let r = v
        .post(
            "/signup",
            &[
                ("csrf", &theirs),
                ("username", "mallory"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(app.get("/api/v1/groups", None).await.status, 200);
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"username": "mallory", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 401, "no account was made");

    // With its own token: an account, and a session cookie that scripts cannot read.
    let r = v
        .post(
            "/signup",
            &[
                ("csrf", &mine),
                ("username", "mallory"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let set = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .collect::<Vec<_>>();
    let session = set
        .iter()
        .find(|c| c.starts_with("cohort_session="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Path=/"),
        "{session}"
    );

    // Signed in, the anonymous token no longer works; the session's does.
    let r = v
        .post(
            "/groups/new",
            &[("csrf", &mine), ("name", "club"), ("title", "Club")],
        )
        .await;
    assert_eq!(r.status, 403);
    let t = v.token("/groups/new").await;
    let r = v
        .post(
            "/groups/new",
            &[("csrf", &t), ("name", "club"), ("title", "Club")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.headers["location"], "/g/club");

    // After logging out, the old token and cookie are dead.
    let r = v.post("/logout", &[("csrf", &t)]).await;
    assert_eq!(r.status, 303);
    assert!(!v.cookies.contains_key("cohort_session"));
    let r = v
        .post(
            "/groups/new",
            &[("csrf", &t), ("name", "club2"), ("title", "Club")],
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn pages_carry_a_strict_policy_and_escape_what_people_wrote() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "club").await;
    let post = app
        .post_in(
            &ann,
            "club",
            "<script>alert('title')</script>",
            "body <script>alert(2)</script> **ok**",
        )
        .await;
    app.reply_to(&ann, id(&post), None, "<img src=x onerror=alert(3)> reply")
        .await;
    let mut v = Visitor::new(&app);
    for path in [
        "/",
        "/groups",
        "/g/club",
        &format!("/posts/{}", id(&post)),
        "/u/ann",
        "/login",
        "/signup",
        "/search?q=script",
    ] {
        let p = v.get(path).await;
        assert_eq!(p.status, 200, "{path}: {}", p.body);
        let csp = p.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(p.headers["x-content-type-options"], "nosniff");
        assert!(
            !p.body.contains("<script>alert"),
            "{path} runs what someone wrote"
        );
        assert!(!p.body.contains("onerror"), "{path}");
        assert!(!p.body.contains(" style=\""), "{path} has an inline style");
    }
    let thread = v.get(&format!("/posts/{}", id(&post))).await.body;
    assert!(
        thread.contains("&lt;script&gt;alert(&#x27;title&#x27;)&lt;&#x2f;script&gt;")
            || thread.contains("&lt;script&gt;"),
        "the title is text"
    );
    assert!(
        thread.contains("<strong>ok</strong>"),
        "sanitised markdown is rendered"
    );
    // The JSON API is not given a page policy, and is unchanged.
    let r = app.get("/api/v1/groups", None).await;
    assert_eq!(r.status, 200);
}

/// As the README's server command runs it (not in debug mode, on `localhost:PORT`): plain
/// http on a loopback address, so cookies must work without `Secure`; on a real domain
/// (served over https) every cookie is `Secure`.
#[tokio::test]
async fn the_default_server_lets_a_newcomer_sign_up_and_real_domains_get_secure_cookies() {
    let app = TestApp::spawn_with(|c| c.federation.debug = false).await;
    let mut v = Visitor::new(&app);
    let csrf = v.token("/signup").await;
    let r = v
        .post(
            "/signup",
            &[
                ("csrf", &csrf),
                ("username", "newcomer"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for c in r.headers.get_all("set-cookie") {
        assert!(
            !c.to_str().unwrap().contains("Secure"),
            "plain http on loopback: {c:?}"
        );
    }
    let home = v.get("/").await;
    assert!(home.body.contains("@newcomer"), "signed in: {}", home.body);
    let t = v.token("/groups/new").await;
    let r = v
        .post(
            "/groups/new",
            &[("csrf", &t), ("name", "first"), ("title", "First")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let public = TestApp::spawn_with(|c| {
        c.federation.debug = false;
        c.domain = "cohort.example.org".into();
    })
    .await;
    let mut w = Visitor::new(&public);
    let p = w.get("/signup").await;
    let anon = p.headers["set-cookie"].to_str().unwrap();
    assert!(
        anon.contains("Secure") && anon.contains("HttpOnly"),
        "{anon}"
    );
}
