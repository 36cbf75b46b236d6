//! Discovery: WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.1/2.0.

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::federation::{ACTIVITY_JSON, Urls};
use crate::{
    config::RegistrationMode,
    domain::{Ctx, now},
    error::{Error, Result},
    http::{AppState, extract::ApiQuery},
    storage,
};

/// The `?resource=` of a WebFinger query.
#[derive(Debug, Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
}

/// What a WebFinger resource names on this instance.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// The instance actor.
    Instance,
    /// A local name (person, group, or both).
    Name(String),
}

/// Reads a WebFinger `resource`: `acct:name@host`, an actor URL of ours, or the bare host.
/// Returns `Ok(None)` for a well-formed resource on another host (404), `Err` for a
/// malformed one (400).
pub fn parse_resource(resource: &str, ctx: &Ctx) -> Result<Option<Target>> {
    let domain = &ctx.instance.domain;
    let bad = || Error::invalid("resource", "expected acct:name@host or an actor URL");
    let resource = resource.trim();
    if resource.is_empty() || resource.len() > 1024 {
        return Err(bad());
    }
    if let Some(acct) = resource.strip_prefix("acct:") {
        let acct = acct.trim_start_matches('@');
        let (name, host) = acct.rsplit_once('@').ok_or_else(bad)?;
        if name.is_empty() || host.is_empty() {
            return Err(bad());
        }
        if !host.eq_ignore_ascii_case(domain) {
            return Ok(None);
        }
        if name.eq_ignore_ascii_case(domain) {
            return Ok(Some(Target::Instance));
        }
        return Ok(Some(Target::Name(name.to_ascii_lowercase())));
    }
    if resource.starts_with("https://") || resource.starts_with("http://") {
        let u = url::Url::parse(resource).map_err(|_| bad())?;
        let host = match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => return Err(bad()),
        };
        if !host.eq_ignore_ascii_case(domain) {
            return Ok(None);
        }
        let path = u.path().trim_end_matches('/');
        return Ok(match path {
            "" | "/actor" => Some(Target::Instance),
            _ => path
                .strip_prefix("/u/")
                .or_else(|| path.strip_prefix("/g/"))
                .filter(|n| !n.is_empty() && !n.contains('/'))
                .map(|n| Target::Name(n.to_ascii_lowercase())),
        });
    }
    if resource.eq_ignore_ascii_case(domain) {
        return Ok(Some(Target::Instance));
    }
    Err(bad())
}

fn jrd(status: StatusCode, body: Value) -> Response {
    let mut r = (status, Json(body)).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jrd+json"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

fn link(href: &str, kind: Option<&str>) -> Vec<Value> {
    let mut self_link = json!({"rel": "self", "type": ACTIVITY_JSON, "href": href});
    if let Some(k) = kind {
        self_link["properties"] = json!({"https://www.w3.org/ns/activitystreams#type": k});
    }
    vec![
        json!({"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": href}),
        self_link,
    ]
}

/// `GET /.well-known/webfinger?resource=…`
pub async fn webfinger(
    State(s): State<AppState>,
    query: Result<ApiQuery<WebfingerQuery>>,
) -> Response {
    let outcome: Result<Option<Value>> = async {
        let ApiQuery(q) = query?;
        let resource = q
            .resource
            .ok_or_else(|| Error::invalid("resource", "is required"))?;
        let ctx = &s.ctx;
        let domain = &ctx.instance.domain;
        let Some(target) = parse_resource(&resource, ctx)? else {
            return Ok(None);
        };
        match target {
            Target::Instance => {
                let id = ctx.instance.instance_actor_url();
                Ok(Some(json!({
                    "subject": format!("acct:{domain}@{domain}"),
                    "aliases": [id],
                    "links": link(&id, Some("Application")),
                })))
            }
            Target::Name(name) => {
                let person = storage::persons::find_local(&ctx.db, &name).await?;
                let group = storage::groups::find_by_name(&ctx.db, &name, domain)
                    .await?
                    .filter(|g| g.local);
                let mut links = Vec::new();
                let mut aliases = Vec::new();
                // When a name is both a person and a group, the Group link comes last.
                if let Some(p) = &person {
                    links.extend(link(&p.ap_id, Some("Person")));
                    aliases.push(p.ap_id.clone());
                }
                if let Some(g) = &group {
                    links.extend(link(&g.ap_id, Some("Group")));
                    aliases.push(g.ap_id.clone());
                }
                if links.is_empty() {
                    return Ok(None);
                }
                Ok(Some(json!({
                    "subject": format!("acct:{name}@{domain}"),
                    "aliases": aliases,
                    "links": links,
                })))
            }
        }
    }
    .await;
    match outcome {
        Ok(Some(body)) => jrd(StatusCode::OK, body),
        Ok(None) => jrd(
            StatusCode::NOT_FOUND,
            json!({"error": "not_found", "message": "no such resource here"}),
        ),
        Err(e) => {
            let status = e.status();
            jrd(status, serde_json::to_value(e.body()).unwrap_or_default())
        }
    }
}

/// `GET /.well-known/host-meta`: the XRD pointing at WebFinger (some servers still ask).
pub async fn host_meta(State(s): State<AppState>) -> Response {
    let base = s.ctx.instance.base_url();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{base}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n"
    );
    (
        [
            (header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        xml,
    )
        .into_response()
}

/// `GET /.well-known/host-meta.json`
pub async fn host_meta_json(State(s): State<AppState>) -> Response {
    let base = s.ctx.instance.base_url();
    jrd(
        StatusCode::OK,
        json!({"links": [{"rel": "lrdd", "template": format!("{base}/.well-known/webfinger?resource={{uri}}")}]}),
    )
}

/// `GET /.well-known/nodeinfo`: where the NodeInfo documents are.
pub async fn nodeinfo_links(State(s): State<AppState>) -> Response {
    let base = s.ctx.instance.base_url();
    Json(json!({"links": [
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": format!("{base}/nodeinfo/2.1")},
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": format!("{base}/nodeinfo/2.0")},
    ]}))
    .into_response()
}

async fn nodeinfo(s: &AppState, version: &'static str) -> Result<Response> {
    let usage = storage::instance::usage(&s.ctx.db, now()).await?;
    let mut software = json!({"name": "cohort", "version": env!("CARGO_PKG_VERSION")});
    if version == "2.1" {
        software["homepage"] = json!(s.ctx.instance.base_url());
    }
    let body = json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": s.ctx.instance.registration == RegistrationMode::Open,
        "usage": {
            "users": {"total": usage.users, "activeMonth": usage.active_month, "activeHalfyear": usage.active_halfyear},
            "localPosts": usage.local_posts,
            "localComments": usage.local_comments,
        },
        "metadata": {"nodeName": s.ctx.instance.domain},
    });
    let profile = format!(
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{version}#\""
    );
    let mut r = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&profile) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(r)
}

/// `GET /nodeinfo/2.1`
pub async fn nodeinfo_21(State(s): State<AppState>) -> Result<Response> {
    nodeinfo(&s, "2.1").await
}

/// `GET /nodeinfo/2.0`
pub async fn nodeinfo_20(State(s): State<AppState>) -> Result<Response> {
    nodeinfo(&s, "2.0").await
}
