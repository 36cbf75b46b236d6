//! Search finds federated content: a reply written on B in a group hosted on A, relayed by
//! the group to C, is found on A and on C by a word only it contains, under its author's
//! instance; an edit made on B is found by its new words everywhere.

use cohort::testing::{eventually, id};
use federation_tests::{DEADLINE, Trio, wait_for_post};
use serde_json::{Value, json};

/// `(kind, author's handle)` of the hits of a search on `app`.
async fn hits(app: &cohort::testing::TestApp, query: &str) -> Vec<(String, String)> {
    let r = app.get(&format!("/api/v1/search?{query}"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|h: &Value| {
                    (
                        h["kind"].as_str().unwrap_or_default().to_string(),
                        h["author"]["handle"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_reply_from_another_instance_is_found_everywhere_and_its_edit_too() {
    let w = Trio::start().await;
    let (a, b, c) = (w.a(), w.b(), w.c());
    a.post_in(&w.alice, &w.handle, "Favourite animals", "Tell us.")
        .await;
    let on_b = wait_for_post(b, &w.handle, "Favourite animals").await;
    let reply = b
        .reply_to(&w.bob, id(&on_b), None, "The axolotl regrows its limbs.")
        .await;
    let bob = format!("bob@{}", b.domain);
    let expected = vec![("reply".to_string(), bob.clone())];
    for app in [a, c] {
        let query = format!("q=axolotl&instance={}", b.domain);
        let found = eventually(
            &format!("bob's reply found on {}", app.domain),
            DEADLINE,
            || async { Some(hits(app, &query).await).filter(|h| !h.is_empty()) },
        )
        .await;
        assert_eq!(found, expected, "on {}", app.domain);
    }

    let edit = b
        .request(
            "PATCH",
            &format!("/api/v1/replies/{}", id(&reply)),
            Some(&w.bob),
            Some(&json!({"body": "The pangolin rolls up."})),
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.text);
    for app in [a, c] {
        eventually(
            &format!("the edit found on {}", app.domain),
            DEADLINE,
            || async { Some(hits(app, "q=pangolin").await).filter(|h| *h == expected) },
        )
        .await;
        assert_eq!(hits(app, "q=axolotl").await, [], "on {}", app.domain);
    }
}
