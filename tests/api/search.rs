//! Full-text search (`GET /api/v1/search`, `/search/similar`, the web page): relevance on a
//! fixed small corpus, snippets and their escaping, every filter, keyset pages, replies,
//! edits, deletions, removals, remote content and blocks, code words, the language setting.
//! The same expectations hold on SQLite and PostgreSQL (TEST_DATABASE_URL).

use chrono::{DateTime, TimeZone, Utc};
use cohort::{
    domain::{
        Ctx,
        search::{SearchRequest, search},
    },
    storage::{self, posts::NewRemotePost, replies::NewRemoteReply},
    testing::{TestApp, id},
};
use serde_json::{Value, json};

/// The hits of a search (`query` is the query string after `?`), asserting 200.
pub(crate) async fn find(app: &TestApp, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/search?{query}"), None).await;
    assert_eq!(r.status, 200, "{query}: {}", r.text);
    r.json
}

/// `(kind, id)` of each hit of a search for `q`, in order.
pub(crate) async fn found(app: &TestApp, query: &str) -> Vec<(String, i64)> {
    find(app, query).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["kind"].as_str().unwrap().to_string(), id(h)))
        .collect()
}

pub(crate) fn post(id: i64) -> (String, i64) {
    ("post".into(), id)
}

fn reply(id: i64) -> (String, i64) {
    ("reply".into(), id)
}

pub(crate) async fn question(
    app: &TestApp,
    token: &str,
    group: &str,
    title: &str,
    body: &str,
) -> i64 {
    let r = app
        .post(
            &format!("/api/v1/groups/{group}/posts"),
            Some(token),
            json!({"title": title, "body": body, "kind": "question"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    id(&r.json)
}

pub(crate) async fn accept(app: &TestApp, token: &str, post: i64, reply: i64) {
    let r = app
        .request(
            "PUT",
            &format!("/api/v1/posts/{post}/answer"),
            Some(token),
            Some(&json!({"reply_id": reply})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn the_text_that_says_it_best_comes_first_with_its_words_highlighted() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "rust").await;
    let best = app
        .post_in(
            &ann,
            "rust",
            "Cancelling a tokio task",
            "Keep the JoinHandle and call abort on it.",
        )
        .await;
    let vague = app
        .post_in(
            &ann,
            "rust",
            "Notes from the meetup",
            "We talked about lunch, the venue, the weather, a tokio release, and how to \
             cancel a subscription to the newsletter.",
        )
        .await;
    let q = question(&app, &bob, "rust", "Stopping background work", "Any ideas?").await;
    let rambling = app
        .reply_to(
            &ann,
            q,
            None,
            "There are many ways to think about background work in general, and it depends \
             on your design, your runtime and your team; in tokio you might eventually \
             cancel it.",
        )
        .await;
    let precise = app
        .reply_to(
            &bob,
            q,
            None,
            "To cancel a tokio task, abort its JoinHandle: the tokio runtime drops the task \
             at its next await, so cancel means abort.",
        )
        .await;

    // Title words weigh most; then the reply that uses the words most densely; then the
    // texts that mention them in passing (in an order the two backends may not share).
    let hits = found(&app, "q=cancel+tokio").await;
    assert_eq!(
        hits[..2],
        [post(id(&best)), reply(id(&precise))],
        "the same top results on both backends"
    );
    let mut rest = hits[2..].to_vec();
    rest.sort();
    assert_eq!(rest, [post(id(&vague)), reply(id(&rambling))]);

    let page = find(&app, "q=cancel+tokio").await;
    let first = &page["items"][0];
    assert_eq!(first["title"], "Cancelling a tokio task");
    assert_eq!(
        first["title_html"], "<mark>Cancelling</mark> a <mark>tokio</mark> task",
        "stemmed: cancel finds Cancelling"
    );
    assert_eq!(first["path"], format!("/posts/{}", id(&best)));
    assert_eq!(first["author"]["handle"], format!("ann@{}", app.domain));
    assert_eq!(first["group"]["name"], "rust");
    let second = &page["items"][1];
    assert_eq!(
        second["title"], "Stopping background work",
        "a reply shows its thread"
    );
    assert_eq!(second["path"], format!("/replies/{}", id(&precise)));
    assert_eq!(second["question"], true);
    let snippet = second["snippet_html"].as_str().unwrap();
    assert!(snippet.contains("<mark>cancel</mark>"), "{snippet}");
    assert!(snippet.contains("<mark>tokio</mark>"), "{snippet}");

    // An accepted answer is raised above an equal one; its question is marked answered.
    accept(&app, &bob, q, id(&rambling)).await;
    let page = find(&app, "q=cancel+tokio&kind=reply").await;
    let hits: Vec<i64> = page["items"].as_array().unwrap().iter().map(id).collect();
    assert!(hits.contains(&id(&rambling)) && hits.contains(&id(&precise)));
    let accepted = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| id(h) == id(&rambling))
        .unwrap();
    assert_eq!(accepted["accepted_answer"], true);
    assert_eq!(accepted["answered"], true);
}

#[tokio::test]
async fn a_reply_is_found_by_a_word_only_it_contains() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "birds").await;
    let p = app.post_in(&ann, "birds", "Flowers", "Which ones?").await;
    let r = app
        .reply_to(&ann, id(&p), None, "Orchids are zygomorphic.")
        .await;
    assert_eq!(found(&app, "q=zygomorphic").await, [reply(id(&r))]);
    assert_eq!(
        found(&app, "q=Orchids+flowers").await,
        [],
        "all words must match one text"
    );
}

#[tokio::test]
async fn edits_are_reindexed_and_deleted_or_removed_content_is_never_found() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "zoo").await;
    let p = app
        .post_in(&bob, "zoo", "About an aardvark", "It digs.")
        .await;
    let pid = id(&p);
    let r = app.reply_to(&bob, pid, None, "The okapi is shy.").await;
    let rid = id(&r);

    let edit = app
        .request(
            "PATCH",
            &format!("/api/v1/posts/{pid}"),
            Some(&bob),
            Some(&json!({"title": "About a platypus", "body": "It swims."})),
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.text);
    let edit = app
        .request(
            "PATCH",
            &format!("/api/v1/replies/{rid}"),
            Some(&bob),
            Some(&json!({"body": "The quokka smiles."})),
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.text);
    assert_eq!(found(&app, "q=aardvark").await, []);
    assert_eq!(found(&app, "q=platypus+swims").await, [post(pid)]);
    assert_eq!(found(&app, "q=okapi").await, []);
    assert_eq!(found(&app, "q=quokka").await, [reply(rid)]);

    // A moderator's removal hides the reply; restoring brings it back.
    let removed = app
        .post(
            &format!("/api/v1/replies/{rid}/remove"),
            Some(&ann),
            json!({"reason": "Off topic"}),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    assert_eq!(found(&app, "q=quokka").await, []);
    let restored = app
        .post(
            &format!("/api/v1/replies/{rid}/restore"),
            Some(&ann),
            json!({}),
        )
        .await;
    assert_eq!(restored.status, 204, "{}", restored.text);
    assert_eq!(found(&app, "q=quokka").await, [reply(rid)]);

    // A removed thread takes its replies out of search with it.
    let removed = app
        .post(
            &format!("/api/v1/posts/{pid}/remove"),
            Some(&ann),
            json!({}),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    assert_eq!(found(&app, "q=platypus").await, []);
    assert_eq!(found(&app, "q=quokka").await, []);
    app.post(
        &format!("/api/v1/posts/{pid}/restore"),
        Some(&ann),
        json!({}),
    )
    .await;
    assert_eq!(found(&app, "q=quokka").await, [reply(rid)]);

    // The author's deletion erases it for good.
    let deleted = app
        .request(
            "DELETE",
            &format!("/api/v1/replies/{rid}"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert_eq!(found(&app, "q=quokka").await, []);
    let deleted = app
        .request("DELETE", &format!("/api/v1/posts/{pid}"), Some(&bob), None)
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert_eq!(found(&app, "q=platypus").await, []);
}

#[tokio::test]
async fn html_in_content_is_escaped_in_snippets_and_on_the_page() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "web").await;
    let (title, body) = HOSTILE;
    app.post_in(&ann, "web", title, body).await;
    hostile_text_is_escaped(&app, "post").await;
}

/// A title and body with markup, as the escaping tests write them (as a post, as a page).
pub(crate) const HOSTILE: (&str, &str) = (
    "<img src=x onerror=alert(1)> marmalade",
    "Try <script>alert('marmalade')</script> and <b>bold</b> marmalade.",
);

/// Asserts that the one `kind` of text written with [`HOSTILE`] is found by "marmalade" with
/// its title and snippet escaped but for their `<mark>`s, in the API and on the web page.
pub(crate) async fn hostile_text_is_escaped(app: &TestApp, kind: &str) {
    let hit = &find(app, "q=marmalade").await["items"][0];
    assert_eq!(hit["kind"], kind);
    let (title, snippet) = (
        hit["title_html"].as_str().unwrap(),
        hit["snippet_html"].as_str().unwrap(),
    );
    assert_eq!(
        title,
        "&lt;img src=x onerror=alert(1)&gt; <mark>marmalade</mark>"
    );
    // SQLite shows the markup as text; PostgreSQL's headline leaves tags out. Never markup.
    assert!(snippet.contains("alert(&#39;"), "{snippet}");
    assert!(snippet.contains("<mark>marmalade</mark>"), "{snippet}");
    assert!(
        !snippet.contains("<script") && !snippet.contains("<b>"),
        "{snippet}"
    );
    if !app.is_postgres() {
        assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    }
    let html = app.get("/search?q=marmalade", None).await.text;
    assert!(html.contains("<mark>marmalade</mark>"), "{html}");
    assert!(
        !html.contains("<script>alert") && !html.contains("<img src=x"),
        "{html}"
    );
}

#[tokio::test]
async fn code_words_and_handles_are_found_exactly() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "code").await;
    let exact = app
        .post_in(&ann, "code", "Spawning", "I call `tokio::spawn` in a loop.")
        .await;
    let apart = app
        .post_in(&ann, "code", "Words", "tokio is fast; spawn many tasks.")
        .await;
    let adjacent = app
        .post_in(&ann, "code", "Prose", "In tokio spawn is cheap.")
        .await;
    let ssl = app
        .post_in(
            &ann,
            "code",
            "Chrome says no",
            "I get ERR_SSL_PROTOCOL_ERROR here.",
        )
        .await;
    app.post_in(&ann, "code", "Loose", "The ssl protocol had an err.")
        .await;
    let mention = app
        .post_in(
            &ann,
            "code",
            "Thanks",
            "Thanks to @carol@example.org for this.",
        )
        .await;
    app.post_in(&ann, "code", "Carol", "carol wrote about example.org")
        .await;

    assert_eq!(found(&app, "q=tokio::spawn").await, [post(id(&exact))]);
    assert_eq!(found(&app, "q=ERR_SSL_PROTOCOL").await, [post(id(&ssl))]);
    assert_eq!(
        found(&app, "q=err_ssl_protocol_error").await,
        [post(id(&ssl))]
    );
    assert_eq!(
        found(&app, "q=%40carol%40example.org").await,
        [post(id(&mention))]
    );
    // Plain words match all of them, stemmed ("spawning" finds "spawn").
    let mut plain = found(&app, "q=tokio+spawning").await;
    plain.sort();
    let mut all = vec![post(id(&exact)), post(id(&apart)), post(id(&adjacent))];
    all.sort();
    assert_eq!(plain, all);
    // A quoted phrase keeps its words together.
    let mut phrase = found(&app, "q=%22tokio+spawn%22").await;
    phrase.sort();
    let mut together = vec![post(id(&exact)), post(id(&adjacent))];
    together.sort();
    assert_eq!(phrase, together);
}

#[tokio::test]
async fn every_filter_narrows_the_results() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    let rust = app.group(&ann, "rust").await;
    app.group(&ann, "cooking").await;
    let talk = app.post_in(&ann, "rust", "Kettle talk", "kettle").await;
    let asked = question(&app, &bob, "rust", "Kettle question", "kettle?").await;
    let open = question(&app, &bob, "rust", "Another kettle question", "kettle!").await;
    let answer = app.reply_to(&ann, asked, None, "A kettle answer").await;
    accept(&app, &bob, asked, id(&answer)).await;
    let soup = app.post_in(&bob, "cooking", "Kettle soup", "kettle").await;
    // Written long ago, and from another instance.
    let carol = app.remote_person("remote.example", "carol").await;
    let old_at: DateTime<Utc> = Utc.with_ymd_and_hms(2020, 3, 15, 12, 0, 0).unwrap();
    let old = storage::posts::insert_remote(
        &app.ctx.db,
        NewRemotePost {
            ap_id: "https://remote.example/p/1".into(),
            group_id: id(&rust),
            author_id: carol.id,
            title: "Old kettle".into(),
            body: String::new(),
            body_html: "<p>An old kettle</p>".into(),
            hot_rank: 0.0,
            created_at: old_at,
            updated_at: None,
            language: None,
        },
    )
    .await
    .unwrap()
    .id;

    let sorted = |mut v: Vec<(String, i64)>| {
        v.sort();
        v
    };
    let all = sorted(found(&app, "q=kettle").await);
    assert_eq!(all.len(), 6);
    assert_eq!(
        sorted(found(&app, "q=kettle&group=cooking").await),
        [post(id(&soup))]
    );
    assert_eq!(found(&app, "q=kettle&group=rust").await.len(), 5);
    assert_eq!(
        found(&app, "q=kettle&kind=reply").await,
        [reply(id(&answer))]
    );
    assert_eq!(found(&app, "q=kettle&kind=answered").await, [post(asked)]);
    assert_eq!(found(&app, "q=kettle&kind=unanswered").await, [post(open)]);
    assert_eq!(
        sorted(found(&app, "q=kettle&kind=question").await),
        sorted(vec![post(asked), post(open)])
    );
    assert_eq!(
        sorted(found(&app, "q=kettle&kind=discussion").await),
        sorted(vec![post(id(&talk)), post(id(&soup)), post(old)])
    );
    assert_eq!(found(&app, "q=kettle&kind=post").await.len(), 5);
    assert_eq!(
        found(&app, "q=kettle&instance=remote.example").await,
        [post(old)]
    );
    assert_eq!(found(&app, "q=kettle&instance=nowhere.example").await, []);
    assert_eq!(
        sorted(found(&app, "q=kettle&author=bob").await),
        sorted(vec![post(asked), post(open), post(id(&soup))])
    );
    assert_eq!(
        found(&app, "q=kettle&author=carol@remote.example").await,
        [post(old)]
    );
    assert_eq!(
        found(&app, "q=kettle&until=2020-03-15").await,
        [post(old)],
        "until is inclusive"
    );
    assert_eq!(found(&app, "q=kettle&until=2020-03-14").await, []);
    assert_eq!(found(&app, "q=kettle&from=2020-03-16").await.len(), 5);
    assert_eq!(
        found(&app, "q=kettle&from=2020-03-01&until=2020-03-31&author=carol@remote.example&kind=discussion&group=rust").await,
        [post(old)]
    );

    for (query, status, field) in [
        ("q=", 400, "q"),
        ("q=%3F%21", 400, "q"),
        ("q=kettle&kind=pages", 400, "kind"),
        ("q=kettle&from=yesterday", 400, "from"),
        ("q=kettle&limit=0", 400, "limit"),
        ("q=kettle&cursor=zz", 400, "cursor"),
    ] {
        let r = app.get(&format!("/api/v1/search?{query}"), None).await;
        assert_eq!(r.status, status, "{query}: {}", r.text);
        assert_eq!(r.json["error"], "invalid_input", "{query}");
        assert_eq!(r.json["field"], field, "{query}");
    }
    for query in ["q=kettle&group=nothere", "q=kettle&author=nobody"] {
        let r = app.get(&format!("/api/v1/search?{query}"), None).await;
        assert_eq!(r.status, 404, "{query}: {}", r.text);
        assert_eq!(r.json["error"], "not_found", "{query}");
    }
}

#[tokio::test]
async fn keyset_pages_list_every_hit_once_in_order() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "fruit").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        // Different lengths give different scores; two equal ones tie on the score.
        let body = format!("kiwi {}", "filler ".repeat(i % 4));
        ids.push(id(&app
            .post_in(&ann, "fruit", &format!("Fruit {i}"), &body)
            .await));
    }
    let everything = found(&app, "q=kiwi&limit=100").await;
    assert_eq!(everything.len(), 7);
    let mut paged = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page = find(&app, &format!("q=kiwi&limit=3&cursor={cursor}")).await;
        pages += 1;
        let items = page["items"].as_array().unwrap();
        paged.extend(items.iter().map(|h| post(id(h))));
        let scores: Vec<f64> = items.iter().map(|h| h["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(paged, everything, "pages join into the one ranked list");

    // A cursor of another listing is not a search's.
    let groups = app.get("/api/v1/groups?limit=1", None).await;
    app.group(&ann, "veg").await;
    let other = app.get("/api/v1/groups?limit=1", None).await;
    let c = other.json["next_cursor"]
        .as_str()
        .or(groups.json["next_cursor"].as_str())
        .unwrap()
        .to_string();
    let r = app
        .get(&format!("/api/v1/search?q=kiwi&cursor={c}"), None)
        .await;
    assert_eq!((r.status, &r.json["field"]), (400, &json!("cursor")));
}

#[tokio::test]
async fn federated_replies_are_found_until_their_instance_is_blocked() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "talk").await;
    let p = app.post_in(&ann, "talk", "Pets", "Tell me").await;
    let carol = app.remote_person("remote.example", "carol").await;
    // As Mastodon sends it: HTML only, with a mention's markup.
    let r = storage::replies::insert_remote(
        &app.ctx.db,
        NewRemoteReply {
            ap_id: "https://remote.example/notes/1".into(),
            post_id: id(&p),
            parent_id: None,
            depth: 0,
            author_id: carol.id,
            body: String::new(),
            body_html: "<p><span class=\"h-card\"><a href=\"https://x.example/@ann\" \
                        class=\"u-url mention\">@<span>ann</span></a></span> my wombat \
                        sleeps &amp; snores</p>"
                .into(),
            created_at: Utc::now(),
            updated_at: None,
            language: None,
        },
    )
    .await
    .unwrap()
    .id;
    let page = find(&app, "q=wombat").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let hit = &page["items"][0];
    assert_eq!(id(hit), r);
    assert_eq!(hit["author"]["local"], false);
    assert_eq!(hit["author"]["handle"], "carol@remote.example");
    let snippet = hit["snippet_html"].as_str().unwrap();
    assert!(
        snippet.ends_with("ann my <mark>wombat</mark> sleeps &amp; snores"),
        "the HTML's tags dropped, its text escaped: {snippet}"
    );
    assert!(
        !snippet.contains("span") && !snippet.contains("href"),
        "{snippet}"
    );
    assert_eq!(
        found(&app, "q=wombat&instance=remote.example").await,
        [reply(r)]
    );

    cohort::domain::instances::block(&app.ctx, "remote.example", None)
        .await
        .unwrap();
    assert_eq!(found(&app, "q=wombat").await, []);
}

#[tokio::test]
async fn similar_answered_questions_are_offered_for_a_draft_title() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    app.group(&ann, "rust").await;
    let answered = question(&app, &bob, "rust", "How do I cancel a tokio task?", "?").await;
    let r = app
        .reply_to(&ann, answered, None, "Abort its handle.")
        .await;
    accept(&app, &bob, answered, id(&r)).await;
    question(&app, &bob, "rust", "Cancel a tokio task twice?", "?").await;
    app.post_in(&ann, "rust", "Tokio task cancel notes", "")
        .await;

    let r = app
        .get(
            "/api/v1/search/similar?title=What+is+the+way+to+cancel+a+task",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ids: Vec<i64> = r.json.as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, [answered], "only answered questions are offered");
    let r = app.get("/api/v1/search/similar?title=how+do+I", None).await;
    assert_eq!(r.json, json!([]), "question words alone match nothing");
}

#[tokio::test]
async fn the_language_setting_rebuilds_the_index() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "words").await;
    let p = app
        .post_in(&ann, "words", "Runners", "She was running.")
        .await;
    assert_eq!(
        found(&app, "q=run").await,
        [post(id(&p))],
        "stemmed by default"
    );

    // Without stemming only the word itself matches.
    let ctx = without_stemming(&app).await;
    assert!(
        !storage::search::configure(&app.ctx.db, "simple", "unicode61")
            .await
            .unwrap(),
        "unchanged: nothing to do"
    );
    assert!(ids_found(&ctx, "run").await.is_empty());
    assert_eq!(ids_found(&ctx, "running").await, [id(&p)]);
    // New writes are indexed the new way too.
    let q = app.post_in(&ann, "words", "Swimmers", "swimming").await;
    assert_eq!(ids_found(&ctx, "swimming").await, [id(&q)]);
}

/// The instance's context once its index was rebuilt without stemming (`simple` on
/// PostgreSQL, `unicode61` on SQLite).
pub(crate) async fn without_stemming(app: &TestApp) -> Ctx {
    let rebuilt = storage::search::configure(&app.ctx.db, "simple", "unicode61")
        .await
        .unwrap();
    assert!(rebuilt);
    let mut ctx = (*app.ctx).clone();
    ctx.instance.search_language = "simple".into();
    ctx
}

/// The ids of the first page of hits a search for `q` finds in `ctx`, in order.
pub(crate) async fn ids_found(ctx: &Ctx, q: &str) -> Vec<i64> {
    let ask = SearchRequest {
        q: q.into(),
        ..SearchRequest::default()
    };
    let hits = search(ctx, None, &ask).await.unwrap().items;
    hits.iter().map(|h| h.id).collect()
}

#[tokio::test]
async fn the_search_page_shows_hits_filters_and_the_next_page() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    app.group(&ann, "garden").await;
    for i in 0..3 {
        app.post_in(&ann, "garden", &format!("Tulip {i}"), "tulip bulbs")
            .await;
    }
    let r = app
        .get("/search?q=tulip&group=garden&kind=post", None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text.matches("class=\"hit\"").count(), 3, "{}", r.text);
    assert!(r.text.contains("<option value=\"post\" selected>"));
    let r = app.get("/search?q=tulip&from=someday", None).await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("YYYY-MM-DD"), "{}", r.text);
    // Paging on the web keeps the filters.
    let html = app
        .get("/search?q=tulip&group=garden&limit=2", None)
        .await
        .text;
    assert_eq!(html.matches("class=\"hit\"").count(), 2);
    let start = html
        .find("href=\"/search?q=tulip&amp;group=garden&amp;cursor=")
        .expect("a next page");
    let href = &html[start + 6..];
    let href = href[..href.find('"').unwrap()].replace("&amp;", "&");
    let next = app.get(&href, None).await;
    assert_eq!(next.status, 200);
    assert_eq!(next.text.matches("class=\"hit\"").count(), 1, "{href}");
    assert_eq!(storage::search::count(&app.ctx.db).await.unwrap(), 3);
}

/// On PostgreSQL a word that matches more than two windows of documents is looked for in the
/// newest slice of time first (`storage::search::find`); a word whose matches are bunched in
/// old times, where that slice holds none, is still found everywhere. Both backends give the
/// same pages.
#[tokio::test]
async fn a_common_word_finds_the_newest_and_a_word_of_old_times_is_still_found() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let ann = app.user("ann").await;
    let group = app.group(&ann, "busy").await;
    let carol = app.remote_person("remote.example", "carol").await;
    // 12,000 posts over two years, all with "tea"; the 2,400 oldest of them (the first 146
    // days) also say "sextant". The estimate of either is over two windows (2,000); the
    // slice for "sextant" is the newest 5/6 of the time, which holds only the newest 400 of
    // them. The one that says it best is older than those, but among the newest 1,000.
    const BEST: i64 = 1_500;
    // And one old post is by someone of another instance.
    const ELSEWHERE: i64 = 100;
    let dave = app.remote_person("other.example", "dave").await;
    let now = Utc::now().timestamp();
    let days = 730;
    let n = 12_000i64;
    let old = 2_400i64;
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let at = now - days * 86_400 + i * (days * 86_400 - 600) / n;
            let t = DateTime::from_timestamp(at, 0).unwrap().to_rfc3339();
            let (title, words) = match i {
                BEST => ("Sextant", "tea sextant sextant"),
                _ if i < old => ("Post", "tea sextant"),
                _ => ("Post", "tea"),
            };
            format!(
                "({id}, 'https://remote.example/p/{id}', {g}, {a}, '{title} {i}', '{words} {i}', '', \
                 false, 0, 0, 0, 0, 0, '{t}', '{t}', false, false, false, false)",
                id = 100_000 + i,
                g = id(&group),
                a = if i == ELSEWHERE { dave.id } else { carol.id },
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        app.ctx
            .db
            .execute_unprepared(&format!(
                "INSERT INTO posts (id, ap_id, group_id, author_id, title, body, body_html, \
                 local, upvotes, downvotes, score, hot_rank, reply_count, last_activity_at, \
                 created_at, locked, pinned, removed, question) VALUES {}",
                chunk.join(", ")
            ))
            .await
            .unwrap();
    }
    app.ctx.db.execute_unprepared("ANALYZE").await.unwrap();
    assert_eq!(storage::search::count(&app.ctx.db).await.unwrap(), n);

    // The newest first: same text, so recency decides.
    let newest: Vec<_> = (0..20).map(|i| post(100_000 + n - 1 - i)).collect();
    assert_eq!(found(&app, "q=tea").await, newest);
    // "sextant" lies mostly before the slice the estimate gives: the best is found all the
    // same, then the newest, and the pages go on.
    let page = find(&app, "q=sextant").await;
    let first: Vec<_> = std::iter::once(post(100_000 + BEST))
        .chain((0..19).map(|i| post(100_000 + old - 1 - i)))
        .collect();
    let got: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| post(id(h)))
        .collect();
    assert_eq!(got, first);
    let cursor = page["next_cursor"].as_str().unwrap();
    let next: Vec<_> = (19..39).map(|i| post(100_000 + old - 1 - i)).collect();
    assert_eq!(
        found(&app, &format!("q=sextant&cursor={cursor}")).await,
        next
    );
    // A filter applied after ranking finds what lies outside the newest window.
    assert_eq!(
        found(&app, "q=tea&instance=other.example").await,
        [post(100_000 + ELSEWHERE)]
    );
}
