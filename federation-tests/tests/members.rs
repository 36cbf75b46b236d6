//! Members-only groups across instances: A hosts the group, B has a member, C has none.
//! The request waits for A's moderator; after the Accept, A's posts reach B addressed to the
//! group's followers, never Public; B shows them to its member only; C gets nothing, not
//! even by a signed fetch; a refused request is answered with Reject; a member who leaves
//! reads nothing more.

use std::time::Duration;

use cohort::testing::{TestApp, eventually, id};
use federation_tests::Cluster;
use serde_json::{Value, json};

const DEADLINE: Duration = Duration::from_secs(20);

async fn state_of(app: &TestApp, token: &str, handle: &str) -> Option<String> {
    let r = app.get("/api/v1/me/groups", Some(token)).await;
    r.json
        .as_array()?
        .iter()
        .find(|m| m["group"]["handle"] == handle)
        .map(|m| m["state"].as_str().unwrap_or_default().to_string())
}

async fn posts_seen(app: &TestApp, token: Option<&str>, handle: &str) -> (u16, Vec<String>) {
    let r = app
        .get(&format!("/api/v1/groups/{handle}/posts?sort=new"), token)
        .await;
    let titles = r.json["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| p["title"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    (r.status, titles)
}

async fn resolve(app: &TestApp, token: &str, query: &str) -> u16 {
    app.post("/api/v1/resolve", Some(token), json!({ "query": query }))
        .await
        .status
}

#[tokio::test]
async fn a_members_only_group_reaches_its_members_elsewhere_and_nobody_else() {
    let cluster = Cluster::start(3).await;
    let (a, b, c) = (
        &cluster.instances[0],
        &cluster.instances[1],
        &cluster.instances[2],
    );
    let owner = a.user("owner").await;
    a.members_only_group(&owner, "team").await;
    a.members_only_group(&owner, "other").await;
    let handle = format!("team@{}", a.domain);
    let bob = b.user("bob").await;
    let carl = b.user("carl").await;
    let dana = c.user("dana").await;

    // Bob asks from B: the Follow is held for A's moderators.
    let r = b
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(&bob),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let requests = eventually("the request to reach A", DEADLINE, || async {
        let r = a.get("/api/v1/groups/team/requests", Some(&owner)).await;
        r.json.as_array().filter(|l| !l.is_empty()).cloned()
    })
    .await;
    assert_eq!(requests[0]["person"]["handle"], format!("bob@{}", b.domain));
    assert_eq!(requests[0]["new_instance"], true, "B has no member yet");
    // B knows the group as members-only and shows its member-to-be nothing.
    let g = b.get(&format!("/api/v1/groups/{handle}"), None).await;
    assert_eq!(g.json["visibility"], "members", "{}", g.text);
    assert_eq!(state_of(b, &bob, &handle).await.as_deref(), Some("pending"));

    // Approved: the Accept reaches B.
    let r = a
        .post(
            &format!("/api/v1/groups/team/requests/bob@{}", b.domain),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    eventually("the Accept to reach B", DEADLINE, || async {
        (state_of(b, &bob, &handle).await.as_deref() == Some("joined")).then_some(())
    })
    .await;

    // A's post reaches B; bob reads it there, carl (on B, not a member) does not.
    let post = a
        .post_in(&owner, "team", "Quarterly numbers", "For the team only.")
        .await;
    let other = a
        .post_in(&owner, "other", "Other plans", "Not for B.")
        .await;
    eventually("the post to reach B", DEADLINE, || async {
        let (_, titles) = posts_seen(b, Some(&bob), &handle).await;
        titles
            .contains(&"Quarterly numbers".to_string())
            .then_some(())
    })
    .await;
    assert_eq!(posts_seen(b, Some(&carl), &handle).await.0, 403);
    assert_eq!(posts_seen(b, None, &handle).await.0, 403);
    let found = b.get("/api/v1/search?q=Quarterly", Some(&carl)).await;
    assert!(
        found.json["items"].as_array().unwrap().is_empty(),
        "{}",
        found.text
    );
    let found = b.get("/api/v1/search?q=Quarterly", Some(&bob)).await;
    assert_eq!(
        found.json["items"].as_array().unwrap().len(),
        1,
        "{}",
        found.text
    );
    let copy = b
        .get(&format!("/api/v1/groups/{handle}/posts"), Some(&bob))
        .await
        .json["items"][0]
        .clone();

    // What A sent was addressed to the group's followers, never to Public.
    let sent = cohort::storage::sent::find(
        &a.ctx.db,
        &format!("{}/activity", post["ap_id"].as_str().unwrap()),
    )
    .await
    .unwrap();
    let doc: Value = match sent {
        Some(body) => serde_json::from_str(&body).unwrap(),
        None => {
            let r = a
                .client
                .get(format!("{}/posts/{}/activity", a.address, id(&post)))
                .header("accept", "application/activity+json")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "an unsigned fetch gets nothing");
            Value::Null
        }
    };
    if !doc.is_null() {
        assert!(!doc.to_string().contains("activitystreams#Public"), "{doc}");
    }
    let page = cohort::federation::documents::post(
        &cohort::storage::posts::find(&a.ctx.db, id(&post))
            .await
            .unwrap()
            .unwrap(),
        &cohort::storage::groups::find_by_name(&a.ctx.db, "team", &a.domain)
            .await
            .unwrap()
            .unwrap(),
        &cohort::storage::persons::find_local(&a.ctx.db, "owner")
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let to: Vec<String> = page.to.iter().map(|u| u.to_string()).collect();
    assert!(
        to.contains(&format!("http://{}/g/team/followers", a.domain)),
        "{to:?}"
    );
    assert!(!to.iter().any(|u| u.contains("#Public")), "{to:?}");

    // Bob replies from B; A takes it (addressed to the followers, not Public).
    let r = b
        .post(
            &format!("/api/v1/posts/{}/replies", id(&copy)),
            Some(&bob),
            json!({"body": "Looks good."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r_reply = r.json.clone();
    eventually("bob's reply to reach A", DEADLINE, || async {
        let t = a
            .get(&format!("/api/v1/posts/{}", id(&post)), Some(&owner))
            .await;
        t.text.contains("Looks good.").then_some(())
    })
    .await;
    // Carl, on B but not a member, cannot write in it.
    let r = b
        .post(
            &format!("/api/v1/posts/{}/replies", id(&copy)),
            Some(&carl),
            json!({"body": "Me too."}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // C has no member: it was sent nothing, and its signed fetches find nothing.
    let (status, _) = posts_seen(c, Some(&dana), &handle).await;
    assert!(matches!(status, 403 | 404), "{status}");
    assert_eq!(
        resolve(c, &dana, post["ap_id"].as_str().unwrap()).await,
        404,
        "a non-member instance's signed fetch"
    );
    // B, a member's instance, may fetch the team's content, not another group's.
    assert_eq!(resolve(b, &bob, post["ap_id"].as_str().unwrap()).await, 200);
    assert_eq!(
        resolve(b, &bob, other["ap_id"].as_str().unwrap()).await,
        404,
        "a member's instance fetching another members-only group"
    );
    // Carl resolving what B holds for its member: not found.
    assert_eq!(
        resolve(b, &carl, post["ap_id"].as_str().unwrap()).await,
        404
    );
    // Unsigned: nothing.
    for path in [
        format!("/posts/{}", id(&post)),
        "/g/team/outbox".to_string(),
    ] {
        let r = c
            .client
            .get(format!("{}{path}", a.address))
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "unsigned {path}");
    }

    // What B's people write in a public group elsewhere is served by B to anyone, as before.
    a.group(&owner, "open").await;
    let open = format!("open@{}", a.domain);
    federation_tests::join(b, &bob, &open).await;
    a.post_in(&owner, "open", "Open question", "Anyone?").await;
    let seen = federation_tests::wait_for_post(b, &open, "Open question").await;
    let reply = b.reply_to(&bob, id(&seen), None, "Here.").await;
    let r = c
        .client
        .get(format!("{}/replies/{}", b.address, id(&reply)))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a reply here in a thread elsewhere");
    let note: Value = r.json().await.unwrap();
    assert_eq!(note["type"], "Note");
    // bob's reply in the members-only group elsewhere is served only to that group's server.
    let r = c
        .client
        .get(format!("{}/replies/{}", b.address, id(&r_reply)))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        404,
        "unsigned, of a members-only group elsewhere"
    );

    // Bob leaves: he reads nothing more on B, and A's new posts do not reach B.
    let r = b
        .request(
            "DELETE",
            &format!("/api/v1/groups/{handle}/join"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(posts_seen(b, Some(&bob), &handle).await.0, 403);
    eventually("A to see bob leave", DEADLINE, || async {
        let r = a.get("/api/v1/groups/team/members", Some(&owner)).await;
        (!r.text.contains("bob")).then_some(())
    })
    .await;
    a.post_in(&owner, "team", "After bob", "Not for B.").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        posts_on(b, a, "team").await,
        1,
        "only what came while bob was a member"
    );
}

/// How many posts of group `name` of `home` the instance `app` holds.
async fn posts_on(app: &TestApp, home: &TestApp, name: &str) -> u64 {
    match cohort::storage::groups::find_by_name(&app.ctx.db, name, &home.domain)
        .await
        .unwrap()
    {
        Some(g) => cohort::storage::posts::count_in_group(&app.ctx.db, g.id)
            .await
            .unwrap(),
        None => 0,
    }
}

#[tokio::test]
async fn a_refused_request_is_answered_with_reject() {
    let cluster = Cluster::start(2).await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let owner = a.user("owner").await;
    a.members_only_group(&owner, "team").await;
    let handle = format!("team@{}", a.domain);
    let bob = b.user("bob").await;
    let r = b
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(&bob),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    eventually("the request to reach A", DEADLINE, || async {
        let r = a.get("/api/v1/groups/team/requests", Some(&owner)).await;
        r.json.as_array().filter(|l| !l.is_empty()).cloned()
    })
    .await;
    let r = a
        .request(
            "DELETE",
            &format!("/api/v1/groups/team/requests/bob@{}", b.domain),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    // The Reject reaches B: bob's request is gone there too.
    eventually("the Reject to reach B", DEADLINE, || async {
        state_of(b, &bob, &handle).await.is_none().then_some(())
    })
    .await;
    // Nothing of the group was delivered to B.
    a.post_in(&owner, "team", "Inside", "Members only.").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(posts_on(b, a, "team").await, 0);
}
