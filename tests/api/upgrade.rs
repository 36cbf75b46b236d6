//! Upgrades: the migrations run forward over a database that holds data, and the data
//! works afterwards; several processes migrating one PostgreSQL database at once.

use argon2::{PasswordHasher, password_hash::SaltString};
use chrono::Duration;
use cohort::{
    config::DatabaseConfig,
    domain::now,
    storage,
    testing::{TestApp, TestDatabase},
};
use migration::{Migrator, MigratorTrait};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use serde_json::json;
use sha2::Digest;

const DOMAIN: &str = "upgrade.example";

/// Runs `sql` (with `?` placeholders) and returns the `id` it produced.
async fn insert(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> i64 {
    let backend = db.get_database_backend();
    let mut n = 0;
    let sql = if backend == DbBackend::Postgres {
        sql.chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        sql.to_string()
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    row.map_or(0, |r| r.try_get::<i64>("", "id").unwrap_or(0))
}

/// The data a version-1 instance wrote: an account with a session, a group it moderates, a
/// post with an up-vote and a reply. Written with SQL against the first schema, as that
/// version's code would have.
async fn write_first_version_data(db: &DatabaseConnection, token: &str, password: &str) {
    let key = cohort::testing::test_key();
    let private = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let public = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let hash = argon2::Argon2::default()
        .hash_password(
            password.as_bytes(),
            &SaltString::encode_b64(&[7u8; 16]).unwrap(),
        )
        .unwrap()
        .to_string();
    let t = now() - Duration::days(10);
    let base = format!("http://{DOMAIN}");
    let person = insert(
        db,
        "INSERT INTO persons (ap_id, username, domain, local, inbox_url, public_key, private_key, \
         created_at, updated_at) VALUES (?, 'olga', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            format!("{base}/u/olga").into(),
            DOMAIN.into(),
            true.into(),
            format!("{base}/u/olga/inbox").into(),
            public.clone().into(),
            private.clone().into(),
            t.into(),
            t.into(),
        ],
    )
    .await;
    let user = insert(
        db,
        "INSERT INTO local_users (person_id, password_hash, is_admin, created_at) \
         VALUES (?, ?, ?, ?) RETURNING id",
        vec![person.into(), hash.into(), true.into(), t.into()],
    )
    .await;
    let token_hash = cohort::domain::hex(&sha2::Sha256::digest(token.as_bytes()));
    insert(
        db,
        "INSERT INTO sessions (token_hash, local_user_id, created_at, expires_at) \
         VALUES (?, ?, ?, ?) RETURNING id",
        vec![
            token_hash.into(),
            user.into(),
            t.into(),
            (now() + Duration::days(20)).into(),
        ],
    )
    .await;
    let group = insert(
        db,
        "INSERT INTO groups (ap_id, name, domain, local, title, description, description_html, \
         inbox_url, followers_url, public_key, private_key, creator_id, created_at, updated_at) \
         VALUES (?, 'learning', ?, ?, 'Learning together', 'About *it*', '<p>About <em>it</em></p>', \
         ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            format!("{base}/g/learning").into(),
            DOMAIN.into(),
            true.into(),
            format!("{base}/g/learning/inbox").into(),
            format!("{base}/g/learning/followers").into(),
            public.into(),
            private.into(),
            person.into(),
            t.into(),
            t.into(),
        ],
    )
    .await;
    insert(
        db,
        "INSERT INTO group_moderators (group_id, person_id, created_at) VALUES (?, ?, ?) \
         RETURNING group_id AS id",
        vec![group.into(), person.into(), t.into()],
    )
    .await;
    let post = insert(
        db,
        "INSERT INTO posts (ap_id, group_id, author_id, title, body, body_html, local, upvotes, \
         downvotes, score, hot_rank, reply_count, last_activity_at, created_at) \
         VALUES (?, ?, ?, 'Kept across upgrades', 'Is it so.', '<p>Is it so.</p>', ?, 1, 0, 1, 1.0, 1, \
         ?, ?) RETURNING id",
        vec![
            "urn:pending:post".into(),
            group.into(),
            person.into(),
            true.into(),
            t.into(),
            t.into(),
        ],
    )
    .await;
    insert(
        db,
        "UPDATE posts SET ap_id = ? WHERE id = ? RETURNING id",
        vec![format!("{base}/posts/{post}").into(), post.into()],
    )
    .await;
    insert(
        db,
        "INSERT INTO post_votes (post_id, person_id, value, created_at) VALUES (?, ?, 1, ?) \
         RETURNING post_id AS id",
        vec![post.into(), person.into(), t.into()],
    )
    .await;
    let reply = insert(
        db,
        "INSERT INTO replies (ap_id, post_id, depth, author_id, body, body_html, local, \
         created_at) VALUES (?, ?, 0, ?, 'It is.', '<p>It is.</p>', ?, ?) RETURNING id",
        vec![
            "urn:pending:reply".into(),
            post.into(),
            person.into(),
            true.into(),
            t.into(),
        ],
    )
    .await;
    insert(
        db,
        "UPDATE replies SET ap_id = ? WHERE id = ? RETURNING id",
        vec![format!("{base}/replies/{reply}").into(), reply.into()],
    )
    .await;
}

#[tokio::test]
async fn data_written_by_the_first_version_survives_every_migration() {
    let test_db = TestDatabase::new().await;
    let db = storage::connect(&DatabaseConfig {
        url: test_db.url.clone(),
        max_connections: 2,
    })
    .await
    .unwrap();
    Migrator::up(&db, Some(1)).await.unwrap();
    let token = &"0123456789abcdef".repeat(4);
    let password = "an old long password";
    write_first_version_data(&db, token, password).await;
    let applied = storage::migrate(&db).await.unwrap();
    assert_eq!(applied, Migrator::migrations().len() - 1);
    assert!(storage::is_migrated(&db).await.unwrap());
    db.close().await.unwrap();

    let app = TestApp::spawn_on(test_db, |c| c.domain = DOMAIN.into()).await;
    // The session and the password still work.
    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(
        (me.json["username"].clone(), me.json["is_admin"].clone()),
        (json!("olga"), json!(true))
    );
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "olga", "password": password}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // The group, its post, the vote and the reply are all there.
    let posts = app
        .get("/api/v1/groups/learning/posts?sort=new", None)
        .await;
    assert_eq!(posts.status, 200, "{}", posts.text);
    let post = &posts.json["items"][0];
    assert_eq!(post["title"], "Kept across upgrades");
    assert_eq!(post["score"], 1);
    let post_id = post["id"].as_i64().unwrap();
    let thread = app.get(&format!("/api/v1/posts/{post_id}"), None).await;
    assert_eq!(
        thread.json["replies"][0]["body"], "It is.",
        "{}",
        thread.text
    );

    // The search index was filled with what was stored before it existed.
    let found = app.get("/api/v1/search?q=kept+upgrades", None).await;
    assert_eq!(found.json["items"][0]["id"], post_id, "{}", found.text);
    assert_eq!(
        cohort::storage::search::count(&app.ctx.db).await.unwrap(),
        2,
        "the post and its reply"
    );

    // And it takes new writes: a reply to the old thread, a new account and group (whose
    // ids must not collide with the old rows').
    app.reply_to(token, post_id, None, "Still here after the upgrade.")
        .await;
    let thread = app.get(&format!("/api/v1/posts/{post_id}"), None).await;
    assert_eq!(thread.json["reply_count"], 2, "{}", thread.text);
    let newcomer = app.user("newcomer").await;
    app.group(&newcomer, "fresh").await;
    app.post_in(&newcomer, "learning", "A new post", "in an old group")
        .await;
    // The old group still federates: its actor document with its key.
    let doc = app
        .client
        .get(format!("{}/g/learning", app.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 200);
    let doc: serde_json::Value = doc.json().await.unwrap();
    assert!(
        doc["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .contains("BEGIN PUBLIC KEY")
    );
}

/// Replicas of one instance start together and each runs `migrate`: on PostgreSQL they take
/// turns (an advisory lock), so every one succeeds and each migration runs once.
#[tokio::test]
async fn processes_migrating_one_postgres_database_at_once_all_succeed() {
    let test_db = TestDatabase::new().await;
    if !test_db.is_postgres() {
        eprintln!("PostgreSQL only (SQLite serves one process); set TEST_DATABASE_URL");
        return;
    }
    let mut conns = Vec::new();
    for _ in 0..4 {
        conns.push(
            storage::connect(&DatabaseConfig {
                url: test_db.url.clone(),
                max_connections: 2,
            })
            .await
            .unwrap(),
        );
    }
    let runs = futures::future::join_all(conns.iter().map(storage::migrate)).await;
    let applied: Vec<usize> = runs.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(
        applied.iter().sum::<usize>(),
        Migrator::migrations().len(),
        "each migration ran once: {applied:?}"
    );
    for c in &conns {
        assert!(storage::is_migrated(c).await.unwrap());
    }
}
