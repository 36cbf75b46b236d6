//! Several real Cohort instances on loopback, each with its own database, port and domain,
//! driven only through their public HTTP APIs.
//!
//! Run on SQLite by default; with `TEST_DATABASE_URL` set to a PostgreSQL server, every
//! instance gets its own fresh PostgreSQL database.

pub mod peer;

use std::time::Duration;

use cohort::testing::{TestApp, eventually};
use serde_json::{Value, json};

/// How long any federated effect may take to show up before a test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A set of running instances.
pub struct Cluster {
    /// The instances, in start order.
    pub instances: Vec<TestApp>,
}

impl Cluster {
    /// Starts `n` independent instances.
    pub async fn start(n: usize) -> Self {
        let mut instances = Vec::with_capacity(n);
        for _ in 0..n {
            instances.push(TestApp::spawn().await);
        }
        Self { instances }
    }
}

/// Three instances and a group: A hosts `learning` (alice created it and moderates it); bob
/// on B and carol on C have joined it.
pub struct Trio {
    /// A, B and C.
    pub cluster: Cluster,
    /// The group's handle, `learning@<A>`.
    pub handle: String,
    /// Alice's token on A.
    pub alice: String,
    /// Bob's token on B.
    pub bob: String,
    /// Carol's token on C.
    pub carol: String,
}

impl Trio {
    /// Starts the three instances, makes the group and has bob and carol join it.
    pub async fn start() -> Self {
        let cluster = Cluster::start(3).await;
        let (a, b, c) = (
            &cluster.instances[0],
            &cluster.instances[1],
            &cluster.instances[2],
        );
        let alice = a.user("alice").await;
        a.group(&alice, "learning").await;
        let handle = format!("learning@{}", a.domain);
        let bob = b.user("bob").await;
        let carol = c.user("carol").await;
        join(b, &bob, &handle).await;
        join(c, &carol, &handle).await;
        Self {
            cluster,
            handle,
            alice,
            bob,
            carol,
        }
    }

    /// A, the group's instance.
    pub fn a(&self) -> &TestApp {
        &self.cluster.instances[0]
    }

    /// B, bob's.
    pub fn b(&self) -> &TestApp {
        &self.cluster.instances[1]
    }

    /// C, carol's.
    pub fn c(&self) -> &TestApp {
        &self.cluster.instances[2]
    }

    /// A, B and C.
    pub fn all(&self) -> [&TestApp; 3] {
        [self.a(), self.b(), self.c()]
    }
}

/// Joins group `handle` from `app` as the holder of `token`, and waits until it is accepted.
pub async fn join(app: &TestApp, token: &str, handle: &str) {
    let r = app
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(token),
            json!({}),
        )
        .await;
    assert!(
        r.status == 200 || r.status == 202,
        "join {handle}: {}",
        r.text
    );
    wait_joined(app, token, handle).await;
}

/// Waits until the holder of `token` on `app` has joined group `handle` (its Accept came).
pub async fn wait_joined(app: &TestApp, token: &str, handle: &str) {
    eventually(
        &format!("membership of {handle} on {}", app.domain),
        DEADLINE,
        || async {
            let r = app.get("/api/v1/me/groups", Some(token)).await;
            r.json
                .as_array()?
                .iter()
                .any(|m| m["group"]["handle"] == handle && m["state"] == "joined")
                .then_some(())
        },
    )
    .await;
}

/// The post titled `title` in group `handle` as `app` lists it, if it is there.
pub async fn find_post(app: &TestApp, handle: &str, title: &str) -> Option<Value> {
    let r = app
        .get(
            &format!("/api/v1/groups/{handle}/posts?sort=new&limit=100"),
            None,
        )
        .await;
    r.json["items"]
        .as_array()?
        .iter()
        .find(|p| p["title"] == title)
        .cloned()
}

/// Waits until `app` lists the post titled `title` in group `handle`; returns it.
pub async fn wait_for_post(app: &TestApp, handle: &str, title: &str) -> Value {
    eventually(
        &format!("post {title:?} on {}", app.domain),
        DEADLINE,
        || find_post(app, handle, title),
    )
    .await
}

/// The thread of post `id` on `app`.
pub async fn thread(app: &TestApp, id: i64) -> Value {
    let r = app.get(&format!("/api/v1/posts/{id}"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

/// Every reply in a thread, depth first.
pub fn replies(thread: &Value) -> Vec<Value> {
    fn walk(nodes: &Value, out: &mut Vec<Value>) {
        for n in nodes.as_array().into_iter().flatten() {
            out.push(n.clone());
            walk(&n["children"], out);
        }
    }
    let mut out = vec![];
    walk(&thread["replies"], &mut out);
    out
}
