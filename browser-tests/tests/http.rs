//! The web interface's security rules, checked over plain HTTP (no browser needed): CSRF
//! tokens on every form, cookie attributes, the Content-Security-Policy, escaping, and
//! HTML error pages for browsers.

use cohort::testing::{TestApp, id};

const PASSWORD: &str = "a long password";

/// A browser without a browser: keeps cookies, reads the CSRF token off pages.
struct Visitor<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    cookies: std::collections::BTreeMap<String, String>,
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl<'a> Visitor<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Default::default(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, headers: &reqwest::header::HeaderMap) {
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let r = self
            .http
            .get(format!("{}{path}", self.app.address))
            .header("accept", "text/html")
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        self.keep_cookies(&headers);
        Page {
            status,
            headers,
            body: r.text().await.unwrap(),
        }
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: String = url_encode(form);
        let r = self
            .http
            .post(format!("{}{path}", self.app.address))
            .header("accept", "text/html")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", self.cookie_header())
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        self.keep_cookies(&headers);
        Page {
            status,
            headers,
            body: r.text().await.unwrap(),
        }
    }

    /// The CSRF token in the first form of `path`.
    async fn token(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        let marker = "name=\"csrf\" value=\"";
        let start = page
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no form on {path}"))
            + marker.len();
        page.body[start..start + 64].to_string()
    }

    async fn log_in(&mut self, name: &str) {
        let csrf = self.token("/login").await;
        let r = self
            .post(
                "/login",
                &[("csrf", &csrf), ("username", name), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
}

fn url_encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                k,
                v.bytes()
                    .map(|b| if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    })
                    .collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

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

#[tokio::test]
async fn browsers_get_pages_for_errors_and_are_sent_to_log_in() {
    let app = TestApp::spawn().await;
    let mut v = Visitor::new(&app);
    let p = v.get("/no/such/page").await;
    assert_eq!(p.status, 404);
    assert!(
        p.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(p.body.contains("<h1>Not found</h1>"));
    let p = v.get("/posts/999").await;
    assert_eq!(p.status, 404);
    assert!(p.body.contains("post not found"));
    let p = v.get("/g/nothing_here").await;
    assert_eq!(p.status, 404);
    let p = v.get("/posts/abc/edit").await;
    assert_eq!(p.status, 404);
    assert!(p.body.contains("<h1>Not found</h1>"));
    let p = v.get("/groups?cursor=nonsense").await;
    assert_eq!(p.status, 400);
    assert!(
        p.body.contains("is not a cursor this server issued"),
        "{}",
        p.body
    );
    // An API client still gets JSON.
    let r = app.get("/no/such/page", None).await;
    assert_eq!(r.json["error"], "no_route");

    // Pages that need an account send a visitor to log in, and back afterwards.
    let p = v.get("/notifications").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.headers["location"], "/login?next=%2Fnotifications");
    app.user("ann").await;
    let csrf = v.token("/login?next=/notifications").await;
    let r = v
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "ann"),
                ("password", PASSWORD),
                ("next", "/notifications"),
            ],
        )
        .await;
    assert_eq!(r.headers["location"], "/notifications");
    // …but never to another site.
    let mut w = Visitor::new(&app);
    let csrf = w.token("/login").await;
    let r = w
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "ann"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.headers["location"], "/");

    // Bad input comes back on the form, with the field named.
    let t = w.token("/groups/new").await;
    let r = w
        .post(
            "/groups/new",
            &[("csrf", &t), ("name", "No Spaces!"), ("title", "x")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("class=\"field-error\" id=\"name-error\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"No Spaces!\""),
        "what was typed is kept"
    );
}

#[tokio::test]
async fn the_same_id_url_serves_activitypub_and_the_page() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "club").await;
    let post = app.post_in(&ann, "club", "A title", "A body").await;
    let mut v = Visitor::new(&app);
    v.log_in("ann").await;
    for (path, needle) in [
        ("/g/club".to_string(), "The club group"),
        (format!("/posts/{}", id(&post)), "A title"),
        ("/u/ann".to_string(), "A title"),
    ] {
        let page = v.get(&path).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(needle), "{path}");
        assert_eq!(page.headers["vary"], "Accept");
        let doc = app
            .client
            .get(format!("{}{path}", app.address))
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        assert!(
            doc.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/activity+json"),
            "{path}"
        );
    }
    // Deleting from the page leaves a tombstone: 410 for ActivityPub, the thread for people.
    let t = v.token(&format!("/posts/{}", id(&post))).await;
    let r = v
        .post(&format!("/posts/{}/delete", id(&post)), &[("csrf", &t)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let doc = app
        .client
        .get(format!("{}/posts/{}", app.address, id(&post)))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 410);
    let page = v.get(&format!("/posts/{}", id(&post))).await;
    assert!(page.body.contains("[deleted]") && !page.body.contains("A body"));
}

#[tokio::test]
async fn a_group_elsewhere_is_joined_by_its_address_and_found_by_search() {
    let a = TestApp::spawn().await;
    let here = TestApp::spawn().await;
    let ann = a.user("ann").await;
    a.group(&ann, "rust").await;
    here.user("bob").await;
    let mut v = Visitor::new(&here);
    v.log_in("bob").await;

    // By its address (its ActivityPub id, which is also its page).
    let t = v.token("/groups").await;
    let address = format!("http://{}/g/rust", a.domain);
    let r = v
        .post("/groups/join", &[("csrf", &t), ("handle", &address)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.headers["location"], format!("/g/rust@{}", a.domain));
    let page = v.get(&format!("/g/rust@{}", a.domain)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("on {}", a.domain)),
        "marked as remote"
    );

    // A handle nobody answers for is a message on the form, not an error page.
    let r = v
        .post(
            "/groups/join",
            &[("csrf", &t), ("handle", &format!("!nothing@{}", a.domain))],
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("No group was found"), "{}", r.body);

    // Search looks a handle up and goes to its page here; words search what is stored here.
    let r = v.get(&format!("/search?q=@ann@{}", a.domain)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.headers["location"], format!("/u/ann@{}", a.domain));
    let profile = v.get(&format!("/u/ann@{}", a.domain)).await;
    assert_eq!(profile.status, 200);
    assert!(profile.body.contains(&format!("on {}", a.domain)));
    let r = v.get("/search?q=rust").await;
    assert!(
        r.body.contains(&format!("/g/rust@{}", a.domain)),
        "{}",
        r.body
    );
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

#[tokio::test]
async fn mentions_notify_and_settings_change_the_password() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "club").await;
    let post = app.post_in(&bob, "club", "Bob asks", "Anyone?").await;
    app.reply_to(&bob, id(&post), None, "cc @ann, you know this")
        .await;
    app.reply_to(&bob, id(&post), None, "not @annabel though")
        .await;
    let mut v = Visitor::new(&app);
    v.log_in("ann").await;
    let n = v.get("/notifications").await;
    assert_eq!(n.status, 200);
    assert_eq!(n.body.matches("mentioned you").count(), 1, "{}", n.body);
    assert!(n.body.contains("you know this") && !n.body.contains("annabel"));

    // Sorts are links; a sort that does not exist is a clear error page.
    assert_eq!(v.get("/g/club?sort=new").await.status, 200);
    let bad = v.get("/g/club?sort=best").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("must be one of new, active, hot, top"));

    // Leave and join again from the group's page.
    let t = v.token("/g/club").await;
    assert_eq!(v.post("/g/club/join", &[("csrf", &t)]).await.status, 303);
    assert!(v.get("/g/club").await.body.contains(">Leave</button>"));
    assert_eq!(v.post("/g/club/leave", &[("csrf", &t)]).await.status, 303);
    assert!(v.get("/g/club").await.body.contains(">Join</button>"));

    // A display name, shown as text wherever the person is.
    let t = v.token("/settings").await;
    let r = v
        .post(
            "/settings/profile",
            &[("csrf", &t), ("display_name", "Ann <b>Example</b>")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let profile = v.get("/u/ann").await.body;
    assert!(
        profile.contains("<h1>Ann &lt;b&gt;Example&lt;&#x2f;b&gt;</h1>"),
        "{profile}"
    );
    let long = "x".repeat(65);
    let r = v
        .post(
            "/settings/profile",
            &[("csrf", &t), ("display_name", &long)],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("must be at most 64 characters"));

    // The password: the current one must be right; then other sessions end.
    let t = v.token("/settings").await;
    let r = v
        .post(
            "/settings/password",
            &[
                ("csrf", &t),
                ("current", "wrong password"),
                ("new_password", "a newer password"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("the current password is not right"));
    let r = v
        .post(
            "/settings/password",
            &[
                ("csrf", &t),
                ("current", PASSWORD),
                ("new_password", "a newer password"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.headers["location"], "/settings?changed=1");
    assert!(
        v.get("/settings?changed=1")
            .await
            .body
            .contains("Your password was changed")
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&ann)).await.status,
        401,
        "the old session ended"
    );
    let old = app
        .post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"username": "ann", "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status, 401);
    let new = app
        .post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"username": "ann", "password": "a newer password"}),
        )
        .await;
    assert_eq!(new.status, 200);
}
