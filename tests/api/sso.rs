//! Single sign-on through a real OpenID provider (panva's oidc-provider, started by the test,
//! `cohort::testing::oidc`), driven over HTTP as a browser would: redirects followed, cookies
//! kept per host, the provider's own log-in form filled in. Sign-up with a confirmed name,
//! later sign-ins, linking by a trusted address, and each refusal (a tampered, expired or
//! misaddressed ID token, a replayed or foreign state, an address outside the allowed
//! domains) with a clear page and nothing stored.

use std::collections::{BTreeMap, HashMap};

use cohort::{
    config::Config,
    domain::sso as rules,
    storage,
    testing::{TestApp, oidc::OidcProvider},
};
use serde_json::json;

/// A browser without JavaScript: follows redirects (303 and 302 as GET), keeps cookies per
/// host and port, remembers every address it visited.
struct Browser {
    http: reqwest::Client,
    jar: HashMap<String, BTreeMap<String, String>>,
    visited: Vec<String>,
}

struct Page {
    status: u16,
    url: String,
    body: String,
}

impl Browser {
    fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar: HashMap::new(),
            visited: Vec::new(),
        }
    }

    fn cookie(&self, url: &reqwest::Url, name: &str) -> Option<String> {
        self.jar
            .get(&authority(url))
            .and_then(|c| c.get(name))
            .cloned()
    }

    async fn go(&mut self, url: &str, form: Option<&[(&str, &str)]>) -> Page {
        let mut url = reqwest::Url::parse(url).unwrap();
        let mut form = form.map(|f| {
            f.iter()
                .map(|(k, v)| format!("{k}={}", urlencode(v)))
                .collect::<Vec<_>>()
                .join("&")
        });
        for _ in 0..20 {
            self.visited.push(url.to_string());
            let cookies = self
                .jar
                .get(&authority(&url))
                .map(|c| {
                    c.iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            let mut req = match &form {
                Some(body) => self
                    .http
                    .post(url.clone())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body.clone()),
                None => self.http.get(url.clone()),
            };
            if !cookies.is_empty() {
                req = req.header("cookie", cookies);
            }
            let r = req.send().await.unwrap();
            let jar = self.jar.entry(authority(&url)).or_default();
            for v in r.headers().get_all("set-cookie") {
                let pair = v.to_str().unwrap().split(';').next().unwrap();
                if let Some((k, val)) = pair.split_once('=') {
                    if v.to_str().unwrap().contains("Max-Age=0") {
                        jar.remove(k.trim());
                    } else {
                        jar.insert(k.trim().to_string(), val.to_string());
                    }
                }
            }
            let status = r.status().as_u16();
            if (300..400).contains(&status) {
                let location = r.headers()["location"].to_str().unwrap().to_string();
                url = url.join(&location).unwrap();
                form = None;
                continue;
            }
            return Page {
                status,
                url: url.to_string(),
                body: r.text().await.unwrap(),
            };
        }
        panic!("too many redirects");
    }
}

fn authority(url: &reqwest::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The `value` of the input named `name` in `html`.
fn input(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..rest[v..].find('"').unwrap() + v].to_string()
}

/// Starts a provider and a server that knows it as `corp`; `None` when the provider cannot
/// run here (skipped, saying so).
async fn setup(adjust: impl FnOnce(&mut Config)) -> Option<(TestApp, OidcProvider)> {
    let mut provider = None;
    let app = TestApp::spawn_with(|c| {
        let redirect = format!("http://{}/login/sso/corp/callback", c.domain);
        if let Some(p) = OidcProvider::start(&redirect) {
            p.configure(c, "corp");
            provider = Some(p);
        }
        adjust(c);
    })
    .await;
    Some((app, provider?))
}

/// From the log-in button to whatever Cohort answers after the provider's log-in form.
async fn sign_in(app: &TestApp, browser: &mut Browser, login: &str) -> Page {
    let page = browser
        .go(
            &format!("http://{}/login/sso/corp?next=/groups", app.domain),
            None,
        )
        .await;
    assert_eq!(
        page.status, 200,
        "the provider's log-in form: {}",
        page.body
    );
    assert!(page.url.contains("/interaction/"), "{}", page.url);
    let url = page.url.clone();
    browser
        .go(
            &url,
            Some(&[("prompt", "login"), ("login", login), ("password", "x")]),
        )
        .await
}

/// The session token the browser holds for `app` (a bearer token for the API too).
fn session(app: &TestApp, browser: &Browser) -> String {
    let url = reqwest::Url::parse(&format!("http://{}/", app.domain)).unwrap();
    browser
        .cookie(&url, "cohort_session")
        .expect("signed in: a session cookie")
}

async fn me(app: &TestApp, token: &str) -> serde_json::Value {
    app.get("/api/v1/me", Some(token)).await.json
}

#[tokio::test]
async fn a_first_sign_in_asks_for_a_name_and_later_ones_sign_straight_in() {
    let Some((app, _provider)) = setup(|_| {}).await else {
        return;
    };
    let login = app.get("/login", None).await;
    assert!(
        login.text.contains("Log in with Example Corp"),
        "{}",
        login.text
    );
    assert!(
        login.text.contains("/login/sso/corp?next="),
        "{}",
        login.text
    );

    let mut browser = Browser::new();
    let page = sign_in(&app, &mut browser, "alice").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Choose your name"), "{}", page.body);
    assert_eq!(
        input(&page.body, "username"),
        "alice",
        "proposed from the claim"
    );
    assert!(
        storage::persons::find_local_account(&app.ctx.db, "alice")
            .await
            .unwrap()
            .is_none(),
        "nothing made before the name is confirmed"
    );
    let ticket = input(&page.body, "ticket");
    let csrf = input(&page.body, "csrf");
    let page = browser
        .go(
            &format!("http://{}/login/sso/finish", app.domain),
            Some(&[
                ("csrf", &csrf),
                ("ticket", &ticket),
                ("username", "alice_w"),
            ]),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.url.ends_with("/groups"), "to `next`: {}", page.url);
    let token = session(&app, &browser);
    let account = me(&app, &token).await;
    assert_eq!(
        account["username"], "alice_w",
        "the bearer token works: {account}"
    );
    let mail = app.get("/api/v1/me/mail", Some(&token)).await.json;
    assert_eq!(mail["email"], "alice@example.test");
    assert_eq!(mail["verified"], true, "the provider vouched for it");
    // The ticket is spent.
    let again = browser
        .go(
            &format!("http://{}/login/sso/finish", app.domain),
            Some(&[
                ("csrf", &csrf),
                ("ticket", &ticket),
                ("username", "alice_x"),
            ]),
        )
        .await;
    assert_eq!(again.status, 403, "{}", again.body);

    // A second sign-in, in a new browser: straight in, the same account.
    let mut other = Browser::new();
    let page = sign_in(&app, &mut other, "alice").await;
    assert!(page.url.ends_with("/groups"), "{} {}", page.url, page.body);
    assert_eq!(
        me(&app, &session(&app, &other)).await["username"],
        "alice_w"
    );

    // The administrator sees the link and can undo it: the next sign-in is a sign-up again.
    let links = rules::identities(&app.ctx).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].username.as_str(), links[0].provider.as_str()),
        ("alice_w", "corp")
    );
    rules::unlink(&app.ctx, "alice_w", "corp").await.unwrap();
    assert!(rules::unlink(&app.ctx, "alice_w", "corp").await.is_err());
    let page = sign_in(&app, &mut Browser::new(), "alice").await;
    assert!(page.body.contains("Choose your name"), "{}", page.body);
}

#[tokio::test]
async fn tampered_expired_and_misaddressed_tokens_replays_and_foreign_states_are_refused() {
    let Some((app, provider)) = setup(|_| {}).await else {
        return;
    };
    for (mode, says) in [
        ("wrong_aud", "audience"),
        ("expired", "xpired"),
        ("bad_sig", "ignature"),
        ("wrong_iss", "issuer"),
        ("wrong_nonce", "nonce"),
    ] {
        provider.tamper(mode).await;
        let page = sign_in(&app, &mut Browser::new(), "mallory").await;
        assert_eq!(page.status, 403, "{mode}: {}", page.body);
        assert!(
            page.body
                .contains("the ID token from Example Corp was refused"),
            "{mode}: {}",
            page.body
        );
        assert!(page.body.contains(says), "{mode}: {}", page.body);
        assert!(
            page.body.contains("Signing in through your organisation"),
            "the catalogue's sentence: {}",
            page.body
        );
    }
    provider.tamper("none").await;
    assert!(storage::sso::list(&app.ctx.db).await.unwrap().is_empty());

    // A callback replayed after its sign-in: the state is used up.
    let mut browser = Browser::new();
    let page = sign_in(&app, &mut browser, "mallory").await;
    assert!(page.body.contains("Choose your name"), "{}", page.body);
    let callback = browser
        .visited
        .iter()
        .find(|u| u.contains("/login/sso/corp/callback"))
        .cloned()
        .expect("the callback was visited");
    // The same browser's cookie was cleared; give it back as an attacker replaying would.
    let state = reqwest::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.replace(['-', '_'], ""))
        .unwrap();
    let app_url = reqwest::Url::parse(&format!("http://{}/", app.domain)).unwrap();
    browser
        .jar
        .entry(authority(&app_url))
        .or_default()
        .insert("cohort_sso".into(), state);
    let replay = browser.go(&callback, None).await;
    assert_eq!(replay.status, 403, "{}", replay.body);
    assert!(
        replay.body.contains("unknown, used or expired"),
        "{}",
        replay.body
    );

    // A callback carried to another browser (login CSRF): refused before the code is used.
    let mut victim = Browser::new();
    let start = victim
        .go(&format!("http://{}/login/sso/corp", app.domain), None)
        .await;
    assert_eq!(start.status, 200);
    let mut attacker = Browser::new();
    let page = sign_in(&app, &mut attacker, "mallory").await;
    let _ = page;
    let callback = attacker
        .visited
        .iter()
        .rev()
        .find(|u| u.contains("/login/sso/corp/callback"))
        .cloned()
        .unwrap();
    let forged = victim.go(&callback, None).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(
        forged.body.contains("not started in this browser"),
        "{}",
        forged.body
    );
    assert!(
        storage::persons::find_local_account(&app.ctx.db, "mallory")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn an_address_outside_the_allowed_domains_is_refused() {
    let Some((app, _provider)) =
        setup(|c| c.oidc[0].email_domains = vec!["example.org".into()]).await
    else {
        return;
    };
    let page = sign_in(&app, &mut Browser::new(), "dan").await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(
        page.body
            .contains("only for verified addresses at example.org"),
        "{}",
        page.body
    );
    assert!(page.body.contains("dan@example.test"), "{}", page.body);
    let page = sign_in(&app, &mut Browser::new(), "unverified@example.org").await;
    assert_eq!(page.status, 403, "an unverified address: {}", page.body);
    let page = sign_in(&app, &mut Browser::new(), "erin@dept.example.org").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Choose your name"), "{}", page.body);
    assert_eq!(input(&page.body, "username"), "erin");
}

#[tokio::test]
async fn a_trusted_provider_links_by_verified_address_and_sso_can_be_the_only_way_in() {
    let Some((app, _provider)) = setup(|c| {
        c.oidc[0].link_by_email = true;
    })
    .await
    else {
        return;
    };
    let r = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "frank", "password": "a long password", "email": "frank@example.test"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mut browser = Browser::new();
    let page = sign_in(&app, &mut browser, "frank").await;
    assert!(
        page.url.ends_with("/groups"),
        "linked at once: {} {}",
        page.url,
        page.body
    );
    assert_eq!(
        me(&app, &session(&app, &browser)).await["username"],
        "frank"
    );

    // SSO only: no password sign-in or sign-up, in the API or on the pages.
    let Some((app, _provider)) = setup(|c| c.registration.password_login = false).await else {
        return;
    };
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "x", "password": "a long password"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (403, Some("sso_refused")),
        "{}",
        r.text
    );
    let r = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "newbie", "password": "a long password"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let login = app.get("/login", None).await;
    assert!(!login.text.contains("type=\"password\""), "{}", login.text);
    assert!(login.text.contains("Log in with Example Corp"));
    let page = sign_in(&app, &mut Browser::new(), "gina").await;
    assert!(
        page.body.contains("Choose your name"),
        "sign-up through the provider still works"
    );
}

#[tokio::test]
async fn an_address_the_provider_did_not_vouch_for_is_confirmed_by_mail() {
    let Some(sink) = cohort::testing::smtp::SmtpSink::start() else {
        return;
    };
    let Some((app, _provider)) = setup(|c| {
        sink.configure(c);
        c.registration.verify_email = true;
    })
    .await
    else {
        return;
    };
    let mut browser = Browser::new();
    let page = sign_in(&app, &mut browser, "unverified@example.org").await;
    assert!(page.body.contains("Choose your name"), "{}", page.body);
    let ticket = input(&page.body, "ticket");
    let csrf = input(&page.body, "csrf");
    let page = browser
        .go(
            &format!("http://{}/login/sso/finish", app.domain),
            Some(&[("csrf", &csrf), ("ticket", &ticket), ("username", "uma")]),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("unverified@example.org"),
        "says where the link went: {}",
        page.body
    );
    let url = reqwest::Url::parse(&format!("http://{}/", app.domain)).unwrap();
    assert!(
        browser.cookie(&url, "cohort_session").is_none(),
        "not signed in yet"
    );
    // The link arrives and confirms the address; the next sign-in goes straight in.
    let mails = sink.wait_for("unverified@example.org", 1).await;
    let text = mails[0]["text"].as_str().unwrap();
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/account/verify?token="))
        .expect("a confirmation link");
    let token = link.split("token=").nth(1).unwrap();
    let r = app
        .post("/api/v1/auth/verify", None, json!({"token": token}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut other = Browser::new();
    let page = sign_in(&app, &mut other, "unverified@example.org").await;
    assert!(page.url.ends_with("/groups"), "{} {}", page.url, page.body);
    assert_eq!(me(&app, &session(&app, &other)).await["username"], "uma");
}
