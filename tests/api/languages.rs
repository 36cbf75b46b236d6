//! The interface language: pages follow the browser's `Accept-Language` until a signed-in
//! person picks a language in their settings; the empty choice goes back to the browser's; a
//! language the instance does not ship is refused and nothing is stored.

use cohort::{
    storage,
    testing::{TestApp, Web},
};

/// `path` as a browser asking for `accept_language` sees it, with `cookie` (a session, or
/// none): the status and the HTML.
async fn page(app: &TestApp, cookie: &str, path: &str, accept_language: &str) -> (u16, String) {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .header("accept", "text/html")
        .header("accept-language", accept_language)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// The language `username` chose in their settings, as stored.
async fn stored(app: &TestApp, username: &str) -> Option<String> {
    let (_, user) = storage::persons::find_local_account(&app.ctx.db, username)
        .await
        .unwrap()
        .expect("a local account");
    user.language
}

#[tokio::test]
async fn pages_follow_the_browsers_language() {
    let app = TestApp::spawn().await;
    let (status, home) = page(&app, "", "/", "de-DE,de;q=0.9,en;q=0.5").await;
    assert_eq!(status, 200);
    assert!(home.contains(r#"<html lang="de" dir="ltr">"#), "{home}");
    assert!(home.contains(r#"<a href="/groups">Gruppen</a>"#), "{home}");
    assert!(home.contains(r#"<a href="/search">Suche</a>"#), "{home}");
    assert!(
        home.contains("<title>Startseite · Cohort</title>"),
        "{home}"
    );
    assert!(home.contains("Gemeinsam lernen, über Organisationen hinweg"));
    assert!(!home.contains("Browse groups"), "{home}");
    // Markup placed inside a translated sentence stays markup.
    let welcome = format!(
        "Das ist <strong>{}</strong>, eine Cohort-Instanz.",
        app.domain
    );
    assert!(home.contains(&welcome), "{home}");
    let (_, login) = page(&app, "", "/login", "de").await;
    assert!(
        login.contains(r#"<p>Neu hier? <a href="/signup">Registrieren</a>.</p>"#),
        "{login}"
    );

    let (_, home) = page(&app, "", "/", "fr").await;
    assert!(home.contains(r#"<html lang="fr" dir="ltr">"#), "{home}");
    assert!(home.contains(r#"<a href="/groups">Groupes</a>"#), "{home}");

    // A language not shipped: the instance's (English).
    let (_, home) = page(&app, "", "/", "ja").await;
    assert!(home.contains(r#"<html lang="en" dir="ltr">"#), "{home}");
    assert!(home.contains("<title>Home · Cohort</title>"), "{home}");

    // Signed in, without a setting: still the browser's.
    app.user("ann").await;
    let web = Web::log_in(&app, "ann").await;
    let (_, home) = page(&app, &web.cookie(), "/", "de").await;
    assert!(home.contains(r#"<html lang="de" dir="ltr">"#), "{home}");
    assert!(home.contains("Neues in deinen Gruppen"), "{home}");
    let (_, settings) = page(&app, &web.cookie(), "/settings", "de").await;
    assert!(
        settings.contains(r#"<option value="" selected>Wie mein Browser es wünscht</option>"#),
        "{settings}"
    );
    assert!(settings.contains(r#"<option value="fr" lang="fr">Français</option>"#));
}

#[tokio::test]
async fn a_chosen_language_wins_over_the_browsers_until_it_is_cleared() {
    let app = TestApp::spawn().await;
    app.user("ann").await;
    let mut web = Web::log_in(&app, "ann").await;
    let csrf = web.csrf("/settings").await;
    let (status, to) = web
        .post("/settings/language", &[("csrf", &csrf), ("language", "fr")])
        .await;
    assert_eq!((status, to.as_str()), (303, "/settings?saved=1"));
    assert_eq!(stored(&app, "ann").await.as_deref(), Some("fr"));

    // The next page is in French, whatever the browser asks.
    let (status, settings) = page(&app, &web.cookie(), "/settings?saved=1", "de").await;
    assert_eq!(status, 200);
    assert!(
        settings.contains(r#"<html lang="fr" dir="ltr">"#),
        "{settings}"
    );
    assert!(settings.contains("Enregistré."), "{settings}");
    assert!(settings.contains("Paramètres du compte"), "{settings}");
    assert!(
        settings.contains(r#"<option value="fr" lang="fr" selected>Français</option>"#),
        "{settings}"
    );
    let (_, home) = page(&app, &web.cookie(), "/", "de").await;
    assert!(home.contains(r#"<html lang="fr" dir="ltr">"#), "{home}");
    assert!(home.contains(r#"<a href="/groups">Groupes</a>"#), "{home}");
    assert!(!home.contains("Gruppen"), "{home}");
    // A visitor with the same browser still gets German.
    let (_, visitor) = page(&app, "", "/", "de").await;
    assert!(visitor.contains(r#"<html lang="de" dir="ltr">"#));

    // English chosen against a German browser.
    let (status, _) = web
        .post("/settings/language", &[("csrf", &csrf), ("language", "en")])
        .await;
    assert_eq!(status, 303);
    let (_, home) = page(&app, &web.cookie(), "/", "de").await;
    assert!(home.contains(r#"<html lang="en" dir="ltr">"#), "{home}");

    // The empty choice: as the browser asks again.
    let (status, to) = web
        .post("/settings/language", &[("csrf", &csrf), ("language", "")])
        .await;
    assert_eq!((status, to.as_str()), (303, "/settings?saved=1"));
    assert_eq!(stored(&app, "ann").await, None);
    let (_, settings) = page(&app, &web.cookie(), "/settings?saved=1", "de").await;
    assert!(
        settings.contains(r#"<html lang="de" dir="ltr">"#),
        "{settings}"
    );
    assert!(settings.contains("Gespeichert."), "{settings}");
    let (_, home) = page(&app, &web.cookie(), "/", "fr-CA, de;q=0.5").await;
    assert!(home.contains(r#"<html lang="fr" dir="ltr">"#), "{home}");
}

#[tokio::test]
async fn a_language_not_shipped_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    app.user("ann").await;
    let mut web = Web::log_in(&app, "ann").await;
    let csrf = web.csrf("/settings").await;
    let (status, _) = web
        .post("/settings/language", &[("csrf", &csrf), ("language", "de")])
        .await;
    assert_eq!(status, 303);

    for bad in ["xx", "de-AT", "DE", "english", "<b>fr</b>"] {
        let (status, body) = web
            .post("/settings/language", &[("csrf", &csrf), ("language", bad)])
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        // Shown on the settings form, in the person's language, the choice unchanged.
        assert!(body.contains(r#"<html lang="de" dir="ltr">"#), "{body}");
        assert!(body.contains(r#"class="form-error""#), "{body}");
        assert!(body.contains("Bitte prüfe deine Eingabe."), "{body}");
        assert!(
            body.contains(r#"<option value="de" lang="de" selected>Deutsch</option>"#),
            "{body}"
        );
        assert!(!body.contains("<b>fr</b>"), "{body}");
        assert_eq!(stored(&app, "ann").await.as_deref(), Some("de"), "{bad}");
    }

    // Without the form's token nothing is stored either.
    let (status, _) = web.post("/settings/language", &[("language", "fr")]).await;
    assert_ne!(status, 303);
    assert_eq!(stored(&app, "ann").await.as_deref(), Some("de"));
}
