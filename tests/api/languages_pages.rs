//! Every main page in each shipped language has no English left (other than what people
//! wrote), and says its language: `<html lang dir>`. What people wrote says its own language
//! (`lang` on the post and its replies), and the writing forms offer it.

use cohort::{
    i18n::{Catalogue, FALLBACK, LANGUAGES, catalogue},
    testing::{TestApp, Web, id},
};
use serde_json::json;

/// The English a page in `lang` must not show: each message of the English catalogue (its
/// literal parts, for messages with arguments) that `lang` says otherwise. Fragments under
/// four letters are left out, as they occur inside other words and in any language, and so
/// are handles given as examples.
fn english_left_out(lang: &str) -> Vec<String> {
    let c = catalogue().unwrap();
    // Words the translation itself uses (loanwords such as "Handle", examples such as a
    // handle) are that language's too.
    let all_translated: Vec<String> = Catalogue::keys(lang)
        .iter()
        .map(|k| c.text(lang, k, None))
        .collect();
    let mut out = Vec::new();
    for key in Catalogue::keys(FALLBACK) {
        let english = c.text(FALLBACK, &key, None);
        let translated = c.text(lang, &key, None);
        if english == translated {
            continue;
        }
        for piece in english.split(['{', '}']) {
            let piece = piece.trim().trim_matches(|ch: char| !ch.is_alphanumeric());
            let letters = piece.chars().filter(|ch| ch.is_alphabetic()).count();
            if letters >= 4
                && !piece.starts_with('$')
                && !piece.contains('@')
                && !translated.contains(piece)
                && !all_translated.iter().any(|t| has_words(t, piece))
            {
                out.push(piece.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What a person reads of an HTML page: its text and the attributes read out or shown
/// (`title`, `placeholder`, `aria-label`, `alt`), entities decoded; elements marked as
/// another language (`lang="en"` on the domain's English detail of an error, the `option`s
/// naming languages in themselves) are left out.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while let Some(lt) = rest.find('<') {
        if skip_until.is_none() {
            out.push_str(&rest[..lt]);
            out.push(' ');
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt..lt + gt + 1];
        match skip_until {
            Some(end) if tag.starts_with(end) => skip_until = None,
            Some(_) => {}
            None => {
                if tag.starts_with("<script") {
                    skip_until = Some("</script");
                } else if tag.starts_with("<option") && tag.contains(" lang=") {
                    skip_until = Some("</option");
                } else if tag.starts_with("<span") && tag.contains(r#"lang="en""#) {
                    skip_until = Some("</span");
                }
                for attr in ["title=\"", "placeholder=\"", "aria-label=\"", "alt=\""] {
                    if let Some(i) = tag.find(attr) {
                        let v = &tag[i + attr.len()..];
                        out.push_str(&v[..v.find('"').unwrap_or(0)]);
                        out.push(' ');
                    }
                }
            }
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
}

/// Whether `needle` occurs in `hay` as whole words.
fn has_words(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// A community with something on every page. What people wrote is in no catalogue.
async fn community(app: &TestApp) -> (i64, i64) {
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    let r = app
        .post(
            "/api/v1/groups",
            Some(&ann),
            json!({"name": "ops", "title": "Ops", "description": "Xyzzy *plugh*."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .post("/api/v1/groups/ops/join", Some(&bob), json!({}))
        .await;
    assert!(r.status == 200 || r.status == 202, "{}", r.text);
    let r = app
        .post(
            "/api/v1/groups/ops/posts",
            Some(&ann),
            json!({"title": "Zertifikate xyzzy", "kind": "question", "body": "Qwerty?"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let question = id(&r.json);
    let answer = app.reply_to(&bob, question, None, "Plugh.").await;
    let r = app
        .request(
            "PUT",
            &format!("/api/v1/posts/{question}/answer"),
            Some(&ann),
            Some(&json!({"reply_id": id(&answer)})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.reply_to(&ann, question, Some(id(&answer)), "Frobozz, @bob.")
        .await;
    let r = app
        .post(
            "/api/v1/groups/ops/posts",
            Some(&bob),
            json!({"title": "Zork?", "kind": "question", "body": "Grue."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .post(
            "/api/v1/groups/ops/pages",
            Some(&ann),
            json!({"title": "Xyzzy", "body": "Plugh [[zork]].", "summary": "eins"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .request(
            "PUT",
            "/api/v1/groups/ops/pages/xyzzy",
            Some(&bob),
            Some(&json!({"base_revision": 1, "body": "Plugh plover.", "summary": "zwei"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    (question, id(&answer))
}

#[tokio::test]
async fn every_main_page_in_each_shipped_language_has_no_english_left() {
    let app = TestApp::spawn().await;
    let (question, answer) = community(&app).await;
    let signed_in = [
        "/".to_string(),
        "/groups".into(),
        "/groups/new".into(),
        "/g/ops".into(),
        "/g/ops/submit".into(),
        "/g/ops/edit".into(),
        "/g/ops/modlog".into(),
        "/g/ops/health".into(),
        "/g/ops/pages/new".into(),
        format!("/posts/{question}"),
        format!("/posts/{question}/edit"),
        format!("/replies/{answer}/edit"),
        "/g/ops/pages/xyzzy".into(),
        "/g/ops/pages/xyzzy?from=1&to=2".into(),
        "/search?q=plugh".into(),
        "/search?q=nothingmatchesthis".into(),
        "/u/bob".into(),
        "/notifications".into(),
        "/settings".into(),
        "/admin/health".into(),
        "/no/such/page".into(),
    ];
    let mut found = Vec::new();
    let mut ann = Web::log_in(&app, "ann").await;
    for lang in LANGUAGES.iter().map(|l| l.code).filter(|l| *l != FALLBACK) {
        let english = english_left_out(lang);
        assert!(english.len() > 300, "{lang}: {} messages", english.len());
        let csrf = ann.csrf("/settings").await;
        let (status, _) = ann
            .post(
                "/settings/language",
                &[("csrf", csrf.as_str()), ("language", lang)],
            )
            .await;
        assert_eq!(status, 303);
        let mut pages = Vec::new();
        for path in &signed_in {
            pages.push((path.clone(), ann.get(path).await));
        }
        // Signed out, the browser's language decides.
        for path in ["/", "/login", "/signup", "/groups", "/g/ops"] {
            let r = app
                .client
                .get(format!("{}{path}", app.address))
                .header("accept", "text/html")
                .header("accept-language", format!("{lang};q=0.9, en;q=0.5"))
                .send()
                .await
                .unwrap();
            pages.push((format!("{path} (visitor)"), r.text().await.unwrap()));
        }
        for (path, html) in pages {
            let head = format!(r#"<html lang="{lang}" dir="ltr">"#);
            assert!(
                html.contains(&head),
                "{lang} {path}: {}",
                &html[..200.min(html.len())]
            );
            let text = visible(&html);
            for e in &english {
                if has_words(&text, e) {
                    found.push(format!("{lang} {path}: {e:?}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "English left:\n{}", found.join("\n"));
}

#[tokio::test]
async fn what_people_write_says_its_language_and_the_forms_offer_it() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "ops").await;
    let mut web = Web::log_in(&app, "ann").await;
    // The page language is the default choice for a new post; German is picked here.
    let compose = web.get("/g/ops/submit").await;
    assert!(
        compose.contains(r#"<option value="en" lang="en" selected>English</option>"#),
        "{compose}"
    );
    let csrf = web.csrf("/g/ops/submit").await;
    let (status, location) = web
        .post(
            "/g/ops/submit",
            &[
                ("csrf", csrf.as_str()),
                ("title", "Zertifikate"),
                ("body", "Wie erneuern wir sie?"),
                ("kind", "question"),
                ("language", "de"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{location}");
    let thread = web.get(&location).await;
    assert!(
        thread.contains(r#"<h1 id="post-title" dir="auto" lang="de">Zertifikate</h1>"#),
        "{thread}"
    );
    // The reply form offers the thread's language first.
    assert!(
        thread.contains(r#"<option value="de" lang="de" selected>Deutsch</option>"#),
        "{thread}"
    );
    let post_id: i64 = location.trim_start_matches("/posts/").parse().unwrap();
    let (status, _) = web
        .post(
            &format!("/posts/{post_id}/reply"),
            &[
                ("csrf", csrf.as_str()),
                ("body", "Merci, en français."),
                ("language", "fr"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let thread = app.get(&format!("/api/v1/posts/{post_id}"), None).await;
    assert_eq!(thread.json["language"], "de");
    let reply = &thread.json["replies"][0];
    assert_eq!(reply["language"], "fr", "{}", thread.text);
    let html = web.get(&format!("/posts/{post_id}")).await;
    assert!(
        html.contains(r#"<div class="prose" dir="auto" lang="fr">"#),
        "{html}"
    );

    // An edit can change it or say nothing; a bad tag is shown on the form.
    let reply_id = id(reply);
    let (status, _) = web
        .post(
            &format!("/replies/{reply_id}/edit"),
            &[
                ("csrf", csrf.as_str()),
                ("body", "Danke."),
                ("language", ""),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let r = app.get(&format!("/api/v1/replies/{reply_id}"), None).await;
    assert_eq!(r.json["language"], serde_json::Value::Null, "{}", r.text);
    let (status, page) = web
        .post(
            &format!("/posts/{post_id}/edit"),
            &[
                ("csrf", csrf.as_str()),
                ("title", "Zertifikate"),
                ("body", "Wie?"),
                ("language", "klingon"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("language tag"), "{page}");
    let r = app.get(&format!("/api/v1/posts/{post_id}"), None).await;
    assert_eq!(r.json["language"], "de", "unchanged");

    // A tag the form does not list (given through the API) stays chosen on the edit form,
    // so saving an edit does not drop it.
    let r = app
        .request(
            "PATCH",
            &format!("/api/v1/posts/{post_id}"),
            None,
            Some(&json!({"language": "pt-BR"})),
        )
        .await;
    assert_eq!(r.status, 401);
    let token = app.user("bea").await;
    let r = app
        .post(
            "/api/v1/groups/ops/posts",
            Some(&token),
            json!({"title": "Olá", "language": "pt-BR"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mut bea = Web::log_in(&app, "bea").await;
    let form = bea.get(&format!("/posts/{}/edit", id(&r.json))).await;
    assert!(
        form.contains(r#"<option value="pt-BR" lang="pt-BR" selected>pt-BR</option>"#),
        "{form}"
    );
}

/// What is read signed out, by a feed reader or an installed app, follows `Accept-Language`:
/// the feeds' titles, the manifest's description and the offline page (cached per language).
#[tokio::test]
async fn feeds_the_manifest_and_the_offline_page_follow_the_browsers_language() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "ops").await;
    let get = |path: &'static str, lang: &'static str| {
        let req = app
            .client
            .get(format!("{}{path}", app.address))
            .header("accept-language", lang);
        async move { req.send().await.unwrap() }
    };
    let r = get("/u/ann/feed.atom", "de").await;
    assert_eq!(r.headers()["vary"], "Accept-Language");
    let feed = r.text().await.unwrap();
    assert!(feed.contains("Beiträge von"), "{feed}");
    let feed = get("/g/ops/waiting.atom", "fr").await.text().await.unwrap();
    assert!(feed.contains("questions en attente de réponse"), "{feed}");
    let manifest: serde_json::Value = get("/manifest.webmanifest", "fr")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(manifest["lang"], "fr");
    assert!(
        manifest["description"]
            .as_str()
            .unwrap()
            .starts_with("Des groupes")
    );
    let r = get("/offline", "de").await;
    assert_eq!(r.headers()["vary"], "Accept-Language");
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"<html lang="de" dir="ltr">"#), "{page}");
    assert!(page.contains("<h1>Du bist offline</h1>"), "{page}");
    let page = get("/offline", "en").await.text().await.unwrap();
    assert!(page.contains("<h1>You are offline</h1>"), "{page}");
}
