//! The harness itself: independent instances side by side.

use federation_tests::Cluster;

#[tokio::test]
async fn three_instances_run_side_by_side() {
    let cluster = Cluster::start(3).await;
    let domains: Vec<&str> = cluster
        .instances
        .iter()
        .map(|i| i.domain.as_str())
        .collect();
    assert_eq!(domains.len(), 3);
    assert!(domains[0] != domains[1] && domains[1] != domains[2] && domains[0] != domains[2]);
    for app in &cluster.instances {
        let token = app.user("alice").await;
        let g = app.group(&token, "shared_name").await;
        assert_eq!(
            g["ap_id"],
            format!("http://{}/g/shared_name", app.domain),
            "ids carry each instance's own domain"
        );
    }
    // Each has its own database: a post on one is not on another.
    let a = &cluster.instances[0];
    let b = &cluster.instances[1];
    let token = a.user("bob").await;
    let p = a.post_in(&token, "shared_name", "Only on A", "").await;
    let on_b = b.get(&format!("/api/v1/posts/{}", p["id"]), None).await;
    assert_eq!(on_b.status, 404);
}
