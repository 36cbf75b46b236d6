//! The outgoing queue's claim rules, on the real database.

use chrono::Duration;
use cohort::{
    config::DatabaseConfig,
    domain::now,
    storage::{
        self,
        deliveries::{self, NewDelivery},
    },
    testing::TestDatabase,
};

fn row<'a>(activity: &'a str, inbox: &str) -> NewDelivery<'a> {
    NewDelivery {
        activity_id: activity,
        signer: "http://here/u/a",
        inbox: inbox.to_string(),
        body: "{}",
    }
}

#[tokio::test]
async fn one_destination_gets_its_activities_in_order_and_others_are_not_held_up() {
    // The database alone: no server, so no delivery workers race the test.
    let test_db = TestDatabase::new().await;
    let db = &storage::connect(&DatabaseConfig {
        url: test_db.url.clone(),
        max_connections: 2,
    })
    .await
    .unwrap();
    storage::migrate(db).await.unwrap();
    let t = now() - Duration::seconds(1);
    deliveries::enqueue(
        db,
        vec![
            row("create", "http://x/inbox"),
            row("update", "http://x/inbox"),
            row("other", "http://y/inbox"),
            row("delete", "http://x/inbox"),
        ],
        t,
    )
    .await
    .unwrap();

    let lease = now() + Duration::minutes(5);
    let first = deliveries::claim(db, now(), lease, 100).await.unwrap();
    let got: Vec<&str> = first.iter().map(|d| d.activity_id.as_str()).collect();
    assert_eq!(got, ["create", "other"], "only the head of each inbox");
    assert!(
        deliveries::claim(db, now(), lease, 100)
            .await
            .unwrap()
            .is_empty(),
        "leased rows are not claimed twice"
    );

    // A failing head keeps its place: later activities for that inbox wait behind it.
    deliveries::retry_at(
        db,
        first[0].id,
        1,
        now() - Duration::seconds(1),
        "boom".into(),
    )
    .await
    .unwrap();
    let again = deliveries::claim(db, now(), lease, 100).await.unwrap();
    assert_eq!(
        again
            .iter()
            .map(|d| d.activity_id.as_str())
            .collect::<Vec<_>>(),
        ["create"]
    );
    assert_eq!(again[0].attempts, 1);

    deliveries::finish(db, first[0].id).await.unwrap();
    let next = deliveries::claim(db, now(), lease, 100).await.unwrap();
    assert_eq!(
        next.iter()
            .map(|d| d.activity_id.as_str())
            .collect::<Vec<_>>(),
        ["update"]
    );
    deliveries::finish(db, next[0].id).await.unwrap();
    let last = deliveries::claim(db, now(), lease, 100).await.unwrap();
    assert_eq!(
        last.iter()
            .map(|d| d.activity_id.as_str())
            .collect::<Vec<_>>(),
        ["delete"]
    );
    assert_eq!(
        deliveries::pending(db).await.unwrap(),
        2,
        "the y row and the last x row, until finished"
    );
}
