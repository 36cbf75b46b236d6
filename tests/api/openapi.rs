use cohort::testing::TestApp;

/// Every route the router serves; kept in step with `src/http/api/`.
const ROUTES: &[(&str, &str)] = &[
    ("post", "/accounts"),
    ("post", "/auth/login"),
    ("post", "/auth/logout"),
    ("get", "/me"),
    ("get", "/groups"),
    ("post", "/groups"),
    ("get", "/groups/{handle}"),
    ("patch", "/groups/{handle}"),
    ("get", "/groups/{handle}/posts"),
    ("post", "/groups/{handle}/posts"),
    ("post", "/groups/{handle}/join"),
    ("delete", "/groups/{handle}/join"),
    ("get", "/me/groups"),
    ("post", "/resolve"),
    ("get", "/posts/{id}"),
    ("patch", "/posts/{id}"),
    ("delete", "/posts/{id}"),
    ("post", "/posts/{id}/replies"),
    ("post", "/posts/{id}/vote"),
    ("get", "/replies/{id}"),
    ("patch", "/replies/{id}"),
    ("delete", "/replies/{id}"),
    ("post", "/replies/{id}/vote"),
    ("post", "/posts/{id}/remove"),
    ("post", "/posts/{id}/restore"),
    ("post", "/replies/{id}/remove"),
    ("post", "/replies/{id}/restore"),
    ("post", "/posts/{id}/lock"),
    ("delete", "/posts/{id}/lock"),
    ("post", "/posts/{id}/pin"),
    ("delete", "/posts/{id}/pin"),
    ("get", "/groups/{handle}/bans"),
    ("post", "/groups/{handle}/bans"),
    ("delete", "/groups/{handle}/bans/{person}"),
    ("post", "/groups/{handle}/moderators"),
    ("delete", "/groups/{handle}/moderators/{person}"),
    ("get", "/groups/{handle}/modlog"),
    ("get", "/groups/{handle}/reports"),
    ("get", "/reports"),
    ("post", "/reports"),
    ("post", "/reports/{id}/resolve"),
    ("get", "/me/blocks"),
    ("put", "/me/blocks/people/{person}"),
    ("delete", "/me/blocks/people/{person}"),
    ("put", "/me/blocks/instances/{host}"),
    ("delete", "/me/blocks/instances/{host}"),
    ("get", "/openapi.json"),
];

#[tokio::test]
async fn document_matches_the_router() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, 200);
    let doc = r.json;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();

    let mut documented = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    let mut served: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    documented.sort();
    served.sort();
    assert_eq!(
        documented, served,
        "the OpenAPI paths must equal the served routes"
    );

    // Each documented operation reaches a handler: not the router's 404 or 405.
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", "424242")
            .replace("{handle}", "nosuchgroup")
            .replace("{person}", "nobody")
            .replace("{host}", "example.org");
        let r = app
            .request(
                &method.to_uppercase(),
                &format!("/api/v1{concrete}"),
                None,
                None,
            )
            .await;
        assert_ne!(r.json["error"], "no_route", "{method} {path} is not routed");
        assert_ne!(r.status, 405, "{method} {path} is not routed");
    }
}
