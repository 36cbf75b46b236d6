//! Community health pages, JSON and CSV (`/g/{handle}/health`, `/admin/health`), checked
//! against a small data set counted by hand over three past weeks, with remote people,
//! a reply and an accepted answer from another instance, and a question never answered.
//! (`health.rs` is the liveness probe, `/healthz`.)

use chrono::{DateTime, Duration, Utc};
use cohort::{
    storage::{
        self,
        entities::{persons, posts},
        groups::RemoteGroup,
        health::{week_of, week_start},
        posts::{NewLocalPost, NewRemotePost},
        replies::{NewLocalReply, NewRemoteReply},
        votes::Target,
    },
    testing::TestApp,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

const H: i64 = 3600;

async fn local_post(app: &TestApp, group: i64, author: i64, at: DateTime<Utc>) -> i64 {
    storage::posts::insert_local(
        &app.ctx.db,
        NewLocalPost {
            group_id: group,
            author_id: author,
            title: "A post".into(),
            body: "Body".into(),
            body_html: "<p>Body</p>".into(),
            hot_rank: 0.0,
            now: at,
            question: false,
            language: None,
        },
        |id| format!("http://{}/posts/{id}", app.domain),
    )
    .await
    .unwrap()
    .id
}

async fn remote_post(app: &TestApp, group: i64, author: &persons::Model, at: DateTime<Utc>) -> i64 {
    storage::posts::insert_remote(
        &app.ctx.db,
        NewRemotePost {
            ap_id: format!("https://{}/p/{}", author.domain, at.timestamp()),
            group_id: group,
            author_id: author.id,
            title: "A remote post".into(),
            body: String::new(),
            body_html: "<p>Hi</p>".into(),
            hot_rank: 0.0,
            created_at: at,
            updated_at: None,
            language: None,
        },
    )
    .await
    .unwrap()
    .id
}

async fn local_reply(app: &TestApp, post: i64, author: i64, at: DateTime<Utc>) -> i64 {
    storage::replies::insert_local(
        &app.ctx.db,
        NewLocalReply {
            post_id: post,
            parent_id: None,
            depth: 0,
            author_id: author,
            body: "Reply".into(),
            body_html: "<p>Reply</p>".into(),
            now: at,
            language: None,
        },
        |id| format!("http://{}/replies/{id}", app.domain),
    )
    .await
    .unwrap()
    .unwrap()
    .id
}

async fn remote_reply(app: &TestApp, post: i64, author: &persons::Model, at: DateTime<Utc>) -> i64 {
    storage::replies::insert_remote(
        &app.ctx.db,
        NewRemoteReply {
            ap_id: format!("https://{}/r/{post}/{}", author.domain, at.timestamp()),
            post_id: post,
            parent_id: None,
            depth: 0,
            author_id: author.id,
            body: String::new(),
            body_html: "<p>Remote reply</p>".into(),
            created_at: at,
            updated_at: None,
            language: None,
        },
    )
    .await
    .unwrap()
    .id
}

/// Marks a post as a question (the Q&A feature's columns, written directly here).
async fn ask(app: &TestApp, post: i64) {
    posts::Entity::update_many()
        .col_expr(posts::Column::Question, Expr::value(true))
        .filter(posts::Column::Id.eq(post))
        .exec(&app.ctx.db)
        .await
        .unwrap();
}

async fn accept(app: &TestApp, post: i64, reply: i64, by: i64, at: DateTime<Utc>) {
    posts::Entity::update_many()
        .col_expr(posts::Column::AnswerId, Expr::value(reply))
        .col_expr(posts::Column::AnsweredAt, Expr::value(at))
        .col_expr(posts::Column::AnsweredBy, Expr::value(by))
        .filter(posts::Column::Id.eq(post))
        .exec(&app.ctx.db)
        .await
        .unwrap();
}

async fn vote(app: &TestApp, target: Target, id: i64, person: i64, at: DateTime<Utc>) {
    storage::votes::set(&app.ctx.db, target, id, person, 1, None, at)
        .await
        .unwrap()
        .unwrap();
}

/// Parses CSV (RFC 4180: quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && row.is_empty(), "ends with a line break");
    rows
}

/// The `(week, value)` rows of one chart's table in a page.
fn table_rows(html: &str, chart: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("aria-labelledby=\"{chart}-h\""))
        .expect("the chart's section");
    let section = &html[start..];
    let section = &section[..section.find("</section>").expect("section end")];
    let body = &section[section.find("<tbody>").expect("table body")..];
    body.split("<tr><th scope=\"row\">")
        .skip(1)
        .map(|r| {
            let week = r[..r.find("</th>").unwrap()].to_string();
            let td = &r[r.find("<td>").unwrap() + 4..];
            (week, td[..td.find("</td>").unwrap()].to_string())
        })
        .collect()
}

#[tokio::test]
async fn figures_match_a_hand_count_on_page_json_and_csv() {
    let app = TestApp::spawn().await;
    let ann_token = app.user("ann").await;
    let bob_token = app.user("bob").await;
    let r = app
        .post(
            "/api/v1/groups",
            Some(&ann_token),
            json!({"name": "learn", "title": "Rust, \"the\" basics", "description": ""}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let db = &app.ctx.db;
    let group = storage::groups::find_by_name(db, "learn", &app.domain)
        .await
        .unwrap()
        .unwrap()
        .id;
    let ann = storage::persons::find_local(db, "ann")
        .await
        .unwrap()
        .unwrap();
    let bob = storage::persons::find_local(db, "bob")
        .await
        .unwrap()
        .unwrap();
    let carol = app.remote_person("remote.example", "carol").await;
    let dave = app.remote_person("far.example", "dave").await;

    let current = week_of(Utc::now());
    let (a, b, c) = (
        week_start(current - 3) + Duration::days(1),
        week_start(current - 2) + Duration::days(2),
        week_start(current - 1) + Duration::days(1),
    );
    let at = |t: DateTime<Utc>, hours: i64| t + Duration::seconds(hours * H);

    // Week A: ann asks P1; carol (remote) replies after 2 h and her reply is accepted after
    // 5 h; ann adds to her own thread. bob posts P2, ann replies after 4 h, dave votes.
    let p1 = local_post(&app, group, ann.id, a).await;
    ask(&app, p1).await;
    let r1 = remote_reply(&app, p1, &carol, at(a, 2)).await;
    local_reply(&app, p1, ann.id, at(a, 3)).await;
    accept(&app, p1, r1, ann.id, at(a, 5)).await;
    let p2 = local_post(&app, group, bob.id, at(a, 1)).await;
    local_reply(&app, p2, ann.id, at(a, 5)).await;
    vote(&app, Target::Post, p2, dave.id, at(a, 6)).await;
    // Week B: bob asks P3, never answered; dave replies after a day. carol (remote) asks
    // P4; ann replies after 2 h and her answer is accepted after 3 h.
    let p3 = local_post(&app, group, bob.id, b).await;
    ask(&app, p3).await;
    remote_reply(&app, p3, &dave, at(b, 24)).await;
    let p4 = remote_post(&app, group, &carol, at(b, 1)).await;
    ask(&app, p4).await;
    let r5 = local_reply(&app, p4, ann.id, at(b, 3)).await;
    accept(&app, p4, r5, carol.id, at(b, 4)).await;
    // Week C: carol replies late to P3 (not its first reply); bob votes on it.
    let r6 = remote_reply(&app, p3, &carol, c).await;
    vote(&app, Target::Reply, r6, bob.id, at(c, 1)).await;

    let r = app.get("/api/v1/groups/learn/health", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let report = r.json;
    let weeks = report["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    assert_eq!(report["home"], app.domain);
    assert_eq!(report["scope"], "group");
    assert_eq!(weeks[11]["complete"], false);
    assert_eq!(weeks[10]["complete"], true);
    assert_eq!(
        weeks[8]["week_start"],
        week_start(current - 3).date_naive().to_string()
    );
    let pick = |w: &Value| {
        json!([
            w["active_members"],
            w["posts"],
            w["replies"],
            w["replies_from_other_instances"],
            w["questions"],
            w["questions_answered"],
            w["answers_from_other_instances"],
            w["posts_replied"],
            w["median_first_reply_seconds"],
            w["median_answer_seconds"],
        ])
    };
    assert_eq!(
        pick(&weeks[8]),
        json!([4, 2, 3, 1, 1, 1, 1, 2, 3 * H, 5 * H]),
        "week A"
    );
    assert_eq!(
        pick(&weeks[9]),
        json!([4, 2, 2, 1, 2, 1, 0, 2, 13 * H, 3 * H]),
        "week B"
    );
    assert_eq!(
        pick(&weeks[10]),
        json!([2, 0, 1, 1, 0, 0, 0, 0, null, null]),
        "week C"
    );
    assert_eq!(weeks[9]["answered_share"], 0.5);
    assert_eq!(weeks[10]["other_instance_reply_share"], 1.0);
    assert_eq!(weeks[10]["answered_share"], Value::Null);
    for w in &weeks[..8] {
        assert_eq!(pick(w), json!([0, 0, 0, 0, 0, 0, 0, 0, null, null]));
    }
    let t = &report["totals"];
    assert_eq!(
        json!([
            t["posts"],
            t["replies"],
            t["replies_from_other_instances"],
            t["questions"],
            t["questions_answered"],
            t["answers_from_other_instances"]
        ]),
        json!([4, 6, 3, 3, 2, 1])
    );
    assert_eq!(t["other_instance_reply_share"], 0.5);
    assert_eq!(
        report["instances"],
        json!([
            {"domain": app.domain, "home": true, "posts": 3, "replies": 3, "accepted_answers": 1},
            {"domain": "remote.example", "home": false, "posts": 1, "replies": 2, "accepted_answers": 1},
            {"domain": "far.example", "home": false, "posts": 0, "replies": 1, "accepted_answers": 0},
        ])
    );

    // The page: every chart labelled, each with its table, and the same figures.
    let page = app.get("/g/learn/health", None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    for id in [
        "active",
        "writing",
        "questions",
        "waits",
        "across",
        "instances",
    ] {
        assert!(
            html.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")),
            "{id} chart"
        );
        assert!(html.contains(&format!("<title id=\"{id}-title\">")));
    }
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 6);
    assert_eq!(html.matches("<table>").count(), 6);
    assert!(!html.contains(" style="), "no inline styles");
    let active = table_rows(html, "active");
    assert_eq!(active.len(), 12);
    for (row, w) in active.iter().zip(weeks) {
        assert_eq!(row.0, w["week_start"].as_str().unwrap());
        assert_eq!(row.1, w["active_members"].to_string());
    }
    let waits = table_rows(html, "waits");
    assert_eq!(waits[8].1, "3.0 h");
    assert_eq!(waits[9].1, "13.0 h");
    assert_eq!(waits[10].1, "–");
    assert!(
        html.contains("Rust, &quot;the&quot; basics")
            || html.contains("Rust, &#34;the&#34; basics")
    );

    // CSV: a header and 12 weeks, every row as wide as the header, the title quoted.
    let resp = reqwest::get(format!("{}/g/learn/health.csv", app.address))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"health-learn.csv\""
    );
    let text = resp.text().await.unwrap();
    assert!(text.contains(",\"Rust, \"\"the\"\" basics\","), "{text}");
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), 13);
    assert_eq!(rows[0].len(), 17);
    assert!(rows.iter().all(|r| r.len() == 17));
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    for (row, w) in rows[1..].iter().zip(weeks) {
        assert_eq!(row[col("title")], "Rust, \"the\" basics");
        assert_eq!(row[col("scope")], format!("learn@{}", app.domain));
        assert_eq!(row[col("week_start")], w["week_start"].as_str().unwrap());
        for name in [
            "active_members",
            "posts",
            "replies",
            "replies_from_other_instances",
            "questions",
            "questions_answered",
            "answers_from_other_instances",
            "median_first_reply_seconds",
            "median_answer_seconds",
        ] {
            let json = match &w[name] {
                Value::Null => String::new(),
                v => v.to_string(),
            };
            assert_eq!(row[col(name)], json, "{name}");
        }
    }
    let text = reqwest::get(format!(
        "{}/g/learn/health.csv?table=instances",
        app.address
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2], ["remote.example", "false", "1", "2", "1"]);

    // The backfill (what the upgrade runs) builds the same rollups from the tables.
    for table in [
        "health_weekly",
        "health_active",
        "health_first_replies",
        "health_questions",
    ] {
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await
            .unwrap();
    }
    migration::backfill_health(db).await.unwrap();
    let again = app.get("/api/v1/groups/learn/health", None).await.json;
    assert_eq!(again["weeks"], report["weeks"]);
    assert_eq!(again["instances"], report["instances"]);

    // Only administrators see the instance's page; it covers the groups hosted here.
    let _ = bob_token;
    let r = app.get("/api/v1/admin/health", None).await;
    assert_eq!(r.status, 401);
    let r = app.get("/api/v1/admin/health", Some(&bob_token)).await;
    assert_eq!(r.status, 403);
    cohort::domain::accounts::create(&app.ctx, "root", "long enough", true)
        .await
        .unwrap();
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "root", "password": "long enough"}),
        )
        .await;
    let root = login.json["token"].as_str().unwrap().to_string();
    let r = app.get("/api/v1/admin/health", Some(&root)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["scope"], "instance");
    assert_eq!(r.json["weeks"][8]["active_members"], 4);
    assert_eq!(r.json["totals"]["replies"], 6);
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = plain
        .get(format!("{}/admin/health", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "anonymous: to the log-in page");
    let r = plain
        .get(format!("{}/admin/health.csv", app.address))
        .header("cookie", format!("cohort_session={bob_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    for path in ["/admin/health", "/admin/health.csv"] {
        let r = plain
            .get(format!("{}{path}", app.address))
            .header("cookie", format!("cohort_session={root}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn a_remote_groups_home_is_its_own_server() {
    let app = TestApp::spawn().await;
    app.user("ann").await;
    let db = &app.ctx.db;
    let group = storage::groups::upsert_remote(
        db,
        RemoteGroup {
            ap_id: "https://remote.example/c/talk".into(),
            name: "talk".into(),
            domain: "remote.example".into(),
            title: "Talk".into(),
            description: String::new(),
            description_html: String::new(),
            inbox_url: "https://remote.example/c/talk/inbox".into(),
            shared_inbox_url: None,
            followers_url: None,
            public_key: String::new(),
            qa_mode: false,
            visibility: "public",
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .id;
    let carol = app.remote_person("remote.example", "carol").await;
    let ann = storage::persons::find_local(db, "ann")
        .await
        .unwrap()
        .unwrap();
    let t = week_start(week_of(Utc::now()) - 1) + Duration::hours(1);
    let p = remote_post(&app, group, &carol, t).await;
    remote_reply(&app, p, &carol, t + Duration::minutes(5)).await;
    local_reply(&app, p, ann.id, t + Duration::minutes(30)).await;
    let r = app
        .get("/api/v1/groups/talk@remote.example/health", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["home"], "remote.example");
    let w = &r.json["weeks"][10];
    // carol's reply is her own post's: not a first reply by someone else; ann's is, and
    // ann is on another instance than the group's.
    assert_eq!(
        json!([
            w["replies"],
            w["replies_from_other_instances"],
            w["median_first_reply_seconds"],
            w["active_members"]
        ]),
        json!([2, 1, 1800, 2])
    );
    // The instance's page covers only the groups hosted here.
    assert_eq!(
        storage::health::weekly(db, storage::health::Scope::Local, 0, i64::MAX)
            .await
            .unwrap(),
        vec![]
    );
    let r = app.get("/api/v1/groups/nothing/health", None).await;
    assert_eq!(r.status, 404);
}
