//! The knowledge base's pages in full-text search: found by their title and body, `kind=page`
//! and the other filters, edits re-indexed, removed pages never found, snippets escaped,
//! offered with similar questions while one is written, kept through the upkeep switch, a
//! language change and the migration's backfill. The same expectations hold on SQLite and
//! PostgreSQL (TEST_DATABASE_URL).

use cohort::{
    storage,
    testing::{TestApp, Web, id},
};
use migration::{Migrator, MigratorTrait};
use serde_json::{Value, json};

use crate::{
    pages::join,
    search::{
        HOSTILE, accept, find, found, hostile_text_is_escaped, ids_found, post, question,
        without_stemming,
    },
};

/// The hits of a search (`query` is the query string after `?`).
async fn hits(app: &TestApp, query: &str) -> Vec<Value> {
    find(app, query).await["items"].as_array().unwrap().clone()
}

fn page(id: i64) -> (String, i64) {
    ("page".into(), id)
}

/// Writes a page in `group` and returns its id.
async fn write(app: &TestApp, token: &str, group: &str, title: &str, body: &str) -> i64 {
    let r = app
        .post(
            &format!("/api/v1/groups/{group}/pages"),
            Some(token),
            json!({"title": title, "body": body}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    id(&r.json)
}

/// Saves a new text of page `slug` of `group` on its newest revision `base`.
async fn edit(app: &TestApp, token: &str, path: &str, base: i64, title: &str, body: &str) {
    let r = app
        .request(
            "PUT",
            &format!("/api/v1/groups/{path}"),
            Some(token),
            Some(&json!({"base_revision": base, "title": title, "body": body})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn moderate(app: &TestApp, token: &str, path: &str, action: &str) {
    let r = app
        .post(
            &format!("/api/v1/groups/{path}/moderation"),
            Some(token),
            json!({"action": action}),
        )
        .await;
    assert_eq!(r.status, 200, "{action}: {}", r.text);
}

#[tokio::test]
async fn a_page_is_found_by_a_word_only_it_contains_and_every_filter_applies_to_pages() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "ops").await;
    app.group(&ann, "dev").await;
    join(&app, &bob, "dev").await;
    let thread = app
        .post_in(&ann, "ops", "Certbot renewal failed", "certbot says no")
        .await;
    let tls = write(
        &app,
        &ann,
        "ops",
        "TLS certificates",
        "Renew with certbot weekly; the xylophone trick helps.\n\nRun `certbot::renew` first.",
    )
    .await;
    let other = write(&app, &bob, "dev", "Local certbot", "certbot on a laptop").await;

    assert_eq!(found(&app, "q=xylophone").await, [page(tls)]);
    let hit = &hits(&app, "q=xylophone+renew").await[0];
    assert_eq!(hit["kind"], "page");
    assert_eq!(hit["path"], "/g/ops/pages/tls-certificates");
    assert_eq!(hit["title"], "TLS certificates");
    assert_eq!(hit["title_html"], "TLS certificates");
    assert_eq!(hit["post_id"], Value::Null);
    assert_eq!(hit["author"]["handle"], format!("ann@{}", app.domain));
    assert_eq!(hit["group"]["name"], "ops");
    assert_eq!(hit["question"], false);
    let snippet = hit["snippet_html"].as_str().unwrap();
    assert!(snippet.contains("<mark>xylophone</mark>"), "{snippet}");
    assert!(snippet.contains("<mark>Renew</mark>"), "{snippet}");
    let hit = &hits(&app, "q=certificates").await[0];
    assert_eq!(hit["title_html"], "TLS <mark>certificates</mark>");

    // Pages rank with posts and replies; `kind=page` keeps only them.
    let mut all = found(&app, "q=certbot").await;
    all.sort();
    let mut want = vec![page(tls), page(other), post(id(&thread))];
    want.sort();
    assert_eq!(all, want);
    let mut pages = found(&app, "q=certbot&kind=page").await;
    pages.sort();
    assert_eq!(pages, [page(tls), page(other)]);
    assert_eq!(
        found(&app, "q=certbot&kind=post").await,
        [post(id(&thread))]
    );
    assert_eq!(found(&app, "q=certbot&kind=question").await, []);
    assert_eq!(found(&app, "q=certbot&kind=reply").await, []);
    assert_eq!(
        found(&app, "q=certbot&kind=page&group=ops").await,
        [page(tls)]
    );
    assert_eq!(found(&app, "q=certbot&group=dev").await, [page(other)]);
    assert_eq!(
        found(&app, "q=certbot&kind=page&author=bob").await,
        [page(other)]
    );
    assert_eq!(
        found(&app, &format!("q=xylophone&instance={}", app.domain)).await,
        [page(tls)]
    );
    assert_eq!(found(&app, "q=xylophone&instance=remote.example").await, []);
    assert_eq!(found(&app, "q=xylophone&until=2020-01-01").await, []);
    assert_eq!(
        found(&app, "q=xylophone&from=2020-01-01").await,
        [page(tls)]
    );
    // A code word must appear exactly in the page too.
    assert_eq!(found(&app, "q=certbot::renew").await, [page(tls)]);
    assert_eq!(found(&app, "q=xylophone::trick").await, []);

    // The web page shows the hit and the filter.
    let html = app.get("/search?q=xylophone&kind=page", None).await.text;
    assert!(html.contains("<option value=\"page\" selected>"), "{html}");
    assert_eq!(html.matches("class=\"hit\"").count(), 1, "{html}");
    assert!(
        html.contains("<span class=\"hit-kind\">Page:</span>"),
        "{html}"
    );
    assert!(
        html.contains("tls-certificates\">") && html.contains("<mark>xylophone</mark>"),
        "{html}"
    );
}

#[tokio::test]
async fn an_edited_page_is_found_by_its_new_words_and_a_removed_one_never() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "zoo").await;
    join(&app, &bob, "zoo").await;
    let p = write(&app, &bob, "zoo", "Aardvarks", "The aardvark digs.").await;
    let path = "zoo/pages/aardvarks";
    assert_eq!(found(&app, "q=digs").await, [page(p)]);

    edit(&app, &bob, path, 1, "Platypus care", "The platypus swims.").await;
    assert_eq!(
        found(&app, "q=aardvark").await,
        [],
        "the old words are gone"
    );
    assert_eq!(found(&app, "q=digs").await, []);
    assert_eq!(found(&app, "q=platypus+swims").await, [page(p)]);
    assert_eq!(found(&app, "q=care").await, [page(p)], "the new title");
    let hit = &hits(&app, "q=swims").await[0];
    assert_eq!(hit["path"], "/g/zoo/pages/aardvarks", "the slug stays");
    assert_eq!(hit["title"], "Platypus care");
    assert_eq!(hit["author"]["handle"], format!("bob@{}", app.domain));

    // Locking changes nothing of the text; a moderator's removal hides it, restoring brings
    // it back.
    moderate(&app, &ann, path, "lock").await;
    assert_eq!(found(&app, "q=platypus").await, [page(p)]);
    moderate(&app, &ann, path, "remove").await;
    assert_eq!(found(&app, "q=platypus").await, []);
    assert_eq!(found(&app, "q=platypus&kind=page").await, []);
    assert_eq!(
        found(&app, "q=platypus&kind=page&group=zoo&author=bob").await,
        []
    );
    moderate(&app, &ann, path, "restore").await;
    assert_eq!(found(&app, "q=platypus").await, [page(p)]);

    // A moderator's revert is a new revision: its text is what is found.
    let r = app
        .post(
            &format!("/api/v1/groups/{path}/revert"),
            Some(&ann),
            json!({"revision": 1, "summary": "back"}),
        )
        .await;
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    assert_eq!(found(&app, "q=aardvark").await, [page(p)]);
    assert_eq!(found(&app, "q=platypus").await, []);
    assert_eq!(storage::search::count(&app.ctx.db).await.unwrap(), 1);
}

#[tokio::test]
async fn html_in_a_page_is_escaped_in_its_snippet() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "web").await;
    let (title, body) = HOSTILE;
    write(&app, &ann, "web", title, body).await;
    hostile_text_is_escaped(&app, "page").await;
}

#[tokio::test]
async fn similar_suggestions_offer_the_groups_pages_with_answered_questions() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "rust").await;
    app.group(&ann, "golang").await;
    let asked = question(&app, &bob, "rust", "How do I cancel a tokio task?", "?").await;
    let answer = app.reply_to(&ann, asked, None, "Abort its handle.").await;
    accept(&app, &bob, asked, id(&answer)).await;
    let guide = write(
        &app,
        &ann,
        "rust",
        "Cancelling tasks",
        "Keep the JoinHandle and abort it to cancel a task.",
    )
    .await;
    write(
        &app,
        &ann,
        "golang",
        "Cancel a goroutine task",
        "Use a context.",
    )
    .await;

    let similar = |query: &'static str| {
        let app = &app;
        async move {
            let r = app
                .get(&format!("/api/v1/search/similar?{query}"), None)
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            let mut got: Vec<(String, i64)> = r
                .json
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (h["kind"].as_str().unwrap().to_string(), id(h)))
                .collect();
            got.sort();
            got
        }
    };
    assert_eq!(
        similar("title=What+is+the+way+to+cancel+a+task&group=rust").await,
        [page(guide), post(asked)],
        "the group's pages, not another group's"
    );
    assert_eq!(
        similar("title=What+is+the+way+to+cancel+a+task").await,
        [post(asked)],
        "without a group: answered questions only"
    );
    let r = app
        .get("/api/v1/search/similar?title=cancel&group=nothere", None)
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // The compose page's button (no JavaScript) offers the page too.
    let mut web = Web::log_in(&app, "bob").await;
    let compose = web.get("/g/rust/submit").await;
    assert!(
        compose.contains(&format!("data-similar=\"rust@{}\"", app.domain)),
        "the live suggestions ask for the group's pages: {compose}"
    );
    let csrf = web.csrf("/g/rust/submit").await;
    let (status, html) = web
        .post(
            "/g/rust/submit",
            &[
                ("csrf", &csrf),
                ("title", "Best way to cancel a task"),
                ("body", "draft"),
                ("kind", "question"),
                ("action", "similar"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Answered questions and pages like yours"),
        "{html}"
    );
    // The question (its title says "tokio"; the draft's does not) and the page.
    assert!(html.contains("tokio"), "{html}");
    assert!(
        html.contains("<span class=\"hit-kind\">Page:</span>"),
        "{html}"
    );
    assert!(html.contains("cancelling-tasks\""), "{html}");
    assert!(!html.contains("goroutine"), "{html}");
}

#[tokio::test]
async fn pages_stay_indexed_through_the_upkeep_switch_a_language_change_and_the_backfill() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let group = id(&app.group(&ann, "wiki").await);
    let running = write(&app, &ann, "wiki", "Runners", "She was running.").await;

    // Off (the benchmark's bulk load), the index stands still; on again, it keeps pages.
    storage::search::set_upkeep(&app.ctx.db, false)
        .await
        .unwrap();
    write(&app, &ann, "wiki", "Unseen", "quokka").await;
    assert_eq!(found(&app, "q=quokka").await, []);
    storage::search::set_upkeep(&app.ctx.db, true)
        .await
        .unwrap();
    let seen = write(&app, &ann, "wiki", "Seen", "wombat").await;
    assert_eq!(found(&app, "q=wombat").await, [page(seen)]);

    // A language change rebuilds the index with the pages in it (the unseen one too).
    let ctx = without_stemming(&app).await;
    assert_eq!(ids_found(&ctx, "running").await, [running]);
    assert!(ids_found(&ctx, "run").await.is_empty());
    assert_eq!(ids_found(&ctx, "quokka").await.len(), 1);

    // Undone, the migration takes the pages out of the index and stops keeping them; done
    // again, it indexes the pages written in between.
    let ours = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261206_000040_index_pages")
        .expect("the migration that indexes pages");
    let steps = (Migrator::migrations().len() - ours) as u32;
    // Read before: the migrations after the one undone are undone too, and the running
    // code needs their columns to read a person.
    let author = storage::persons::find_local(&app.ctx.db, "ann")
        .await
        .unwrap()
        .unwrap();
    let pool = app.ctx.db.pool().expect("the pool");
    Migrator::down(pool, Some(steps)).await.unwrap();
    assert_eq!(storage::search::count(&app.ctx.db).await.unwrap(), 0);
    // Written straight to the pages table, for the same reason.
    let later = storage::pages::create(
        &app.ctx.db,
        group,
        "later",
        storage::pages::Save {
            title: "Later".into(),
            body: "The numbat sleeps.".into(),
            body_html: "<p>The numbat sleeps.</p>".into(),
            author_id: author.id,
            summary: String::new(),
            reverts: None,
            now: chrono::Utc::now(),
        },
    )
    .await
    .unwrap()
    .id;
    assert_eq!(storage::search::count(&app.ctx.db).await.unwrap(), 0);
    Migrator::up(pool, None).await.unwrap();
    assert_eq!(storage::search::count(&app.ctx.db).await.unwrap(), 4);
    assert_eq!(ids_found(&ctx, "numbat").await, [later]);
}
