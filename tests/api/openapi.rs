//! The OpenAPI document is generated from the handlers (`src/http/api/openapi.rs`). These tests
//! hold it to the router the server really answers with, and keep a reviewed copy of it.

use std::collections::{BTreeMap, BTreeSet};

use cohort::testing::TestApp;
use serde_json::Value;

/// Where the API's paths start; the document says so in `servers`.
const PREFIX: &str = "/api/v1";

/// The methods a route can be registered for (CONNECT aside, which axum cannot route).
const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
];

/// The reviewed copy of the document, compared byte for byte with what the server serves.
const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");

/// The path templates the router registers under `/api/v1`. axum has no API to list its
/// routes (deliberately: tokio-rs/axum#2515), but its `Debug` output names every path it
/// matches, as `RouteId(n): "/path"`, including those merged or nested from other routers.
fn registered_paths(app: &TestApp) -> BTreeSet<String> {
    let dump = format!("{:?}", app.router);
    dump.split("): \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|path| path.starts_with(&format!("{PREFIX}/")))
        .map(str::to_string)
        .collect()
}

/// A request path for a template: each `{param}` (or `{*rest}`) becomes a value no route
/// treats specially.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "424242"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every (method, path template) the running server answers under `/api/v1`, with the status
/// it gave an anonymous request without a body: the router's paths, each tried with every
/// method; a method is routed unless the router answers 405. HEAD counts only where GET is
/// not routed (axum answers HEAD with a GET handler).
async fn served_routes(app: &TestApp) -> BTreeMap<(String, String), u16> {
    let mut served = BTreeMap::new();
    for template in registered_paths(app) {
        let path = concrete(&template);
        let mut get_routed = false;
        for method in METHODS {
            let r = app.request(method, &path, None, None).await;
            let routed = r.status != 405;
            if *method == "GET" {
                get_routed = routed;
            }
            if routed && !(*method == "HEAD" && get_routed) {
                let relative = template.strip_prefix(PREFIX).unwrap_or(&template);
                served.insert((method.to_lowercase(), relative.to_string()), r.status);
            }
        }
    }
    served
}

/// Every (method, path) the document describes, with its operation.
fn documented_routes(doc: &Value) -> BTreeMap<(String, String), Value> {
    let mut documented = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            documented.insert((method.clone(), path.clone()), operation.clone());
        }
    }
    documented
}

#[tokio::test]
async fn document_describes_every_route_the_router_serves() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, 200);
    let doc = r.json;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], PREFIX);

    let documented = documented_routes(&doc);
    let served = served_routes(&app).await;
    assert!(
        served.contains_key(&("get".into(), "/openapi.json".into())),
        "the router walk found none of the API's routes: has axum's Debug output of a Router \
         changed? (see registered_paths)"
    );
    let undocumented: Vec<_> = served
        .keys()
        .filter(|route| !documented.contains_key(route))
        .collect();
    let unserved: Vec<_> = documented
        .keys()
        .filter(|route| !served.contains_key(route))
        .collect();
    assert!(
        undocumented.is_empty() && unserved.is_empty(),
        "served but not in the OpenAPI document (add it with utoipa_axum::routes! and \
         #[utoipa::path], not Router::route): {undocumented:?}\n\
         in the document but not served: {unserved:?}"
    );

    // An operation that needs a bearer token says so, and one that says so needs it.
    for (route, operation) in &documented {
        let requires_token = operation["security"] == serde_json::json!([{ "bearer": [] }]);
        let status = served[route];
        assert_eq!(
            status == 401,
            requires_token,
            "{route:?} answered an anonymous request with {status}, its security is {}",
            operation["security"]
        );
    }
}

#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/v1/openapi.json", None).await.json;
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let dangling: BTreeSet<&str> = text
        .split("\"$ref\":\"#/components/schemas/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| !schemas.contains_key(*name))
        .collect();
    assert!(dangling.is_empty(), "undefined schemas: {dangling:?}");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

/// The document as served equals `tests/snapshots/openapi.json`, so a change to the API (a
/// route, a field, a description) shows in review. `UPDATE_SNAPSHOTS=1` rewrites the copy.
#[tokio::test]
async fn document_matches_its_snapshot() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/v1/openapi.json", None).await.json;
    let served = serde_json::to_string_pretty(&doc).expect("serialisable") + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(SNAPSHOT, &served).expect("write the snapshot");
        return;
    }
    let kept = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    if kept != served {
        let line = kept
            .lines()
            .zip(served.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| kept.lines().count().min(served.lines().count()));
        panic!(
            "the OpenAPI document differs from {SNAPSHOT} from line {}:\n  kept:   {}\n  served: {}\n\
             If the change is meant, run `UPDATE_SNAPSHOTS=1 cargo test -p cohort --test api -- \
             openapi` and commit the snapshot.",
            line + 1,
            kept.lines().nth(line).unwrap_or("(end)"),
            served.lines().nth(line).unwrap_or("(end)"),
        );
    }
}

/// Every refusal code the server can answer is named in the document's error schema, with
/// the status its code fixes.
#[tokio::test]
async fn every_error_code_is_documented() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/v1/openapi.json", None).await.json;
    let described = doc["components"]["schemas"]["Error"]["properties"]["error"]["description"]
        .as_str()
        .expect("the error code is described")
        .replace('\n', " ");
    for code in cohort::error::Code::ALL {
        let name = format!("`{}`", code.as_str());
        assert!(described.contains(&name), "{name} is not documented");
        let status = code.status().as_u16();
        let at = described.find(&name).unwrap();
        let before = &described[..at];
        let said = [400u16, 403, 409, 413, 422]
            .into_iter()
            .filter_map(|s| before.rfind(&format!("{s} ")).map(|i| (i, s)))
            .max()
            .map(|(_, s)| s);
        assert_eq!(
            said,
            Some(status),
            "{name} is listed under the wrong status"
        );
    }
}
