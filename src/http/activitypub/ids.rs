//! The federation routes: discovery, and the documents of local actors, objects and
//! collections, each at its id URL, negotiated between ActivityPub JSON and HTML.

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::{self, get},
};
use serde::Serialize;
use serde_json::json;

use super::discovery;
use crate::{
    domain::{content::ContentRef, keys, pagination::PostSort},
    error::{Error, Result},
    federation::{
        ACTIVITY_JSON, Urls,
        documents::{self, url},
        objects::with_media,
        protocol::{ObjectKind, OrderedCollection, WithContext},
        wants_activity_json,
    },
    http::{
        AppState,
        extract::{ApiPath, ApiQuery},
        web,
    },
    storage::{self, entities::groups},
};

/// All federation routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(discovery::webfinger))
        .route("/.well-known/host-meta", get(discovery::host_meta))
        .route(
            "/.well-known/host-meta.json",
            get(discovery::host_meta_json),
        )
        .route("/.well-known/nodeinfo", get(discovery::nodeinfo_links))
        .route("/nodeinfo/2.1", get(discovery::nodeinfo_21))
        .route("/nodeinfo/2.0", get(discovery::nodeinfo_20))
        .route("/actor", get(instance_actor))
        .route("/actor/outbox", get(instance_outbox))
        .route("/inbox", routing::post(super::inbox::inbox))
        .route("/u/{name}/inbox", routing::post(super::inbox::inbox))
        .route("/g/{name}/inbox", routing::post(super::inbox::inbox))
        .route("/u/{name}", get(person))
        .route("/u/{name}/outbox", get(person_outbox))
        .route("/g/{name}", get(group))
        .route("/g/{name}/outbox", get(group_outbox))
        .route("/g/{name}/followers", get(group_followers))
        .route("/g/{name}/moderators", get(group_moderators))
        .route("/g/{name}/featured", get(group_featured))
        .route("/posts/{id}", get(post))
        .route("/posts/{id}/activity", get(post_activity))
        .route("/posts/{id}/replies", get(post_replies))
        .route("/activities/{kind}/{id}", get(sent_activity))
        .route("/replies/{id}", get(reply))
}

/// An ActivityPub JSON response with our `@context`.
pub fn activity_json<T: Serialize>(status: StatusCode, doc: T) -> Result<Response> {
    let body = serde_json::to_vec(&WithContext::new(doc))
        .map_err(|e| Error::Internal(format!("serialising a document: {e}")))?;
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ACTIVITY_JSON),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(r)
}

/// `GET /actor` (and `/` for ActivityPub clients): the instance actor.
pub async fn instance_actor(State(s): State<AppState>) -> Result<Response> {
    let keys = keys::instance(&s.ctx).await?;
    activity_json(
        StatusCode::OK,
        documents::instance_actor(&s.ctx.instance, &keys)?,
    )
}

async fn local_group(s: &AppState, name: &str) -> Result<groups::Model> {
    storage::groups::find_by_name(&s.ctx.db, name, &s.ctx.instance.domain)
        .await?
        .filter(|g| g.local)
        .ok_or(Error::NotFound("group"))
}

/// The path and query a browser asked for (where its log-in should return to).
fn here(uri: &Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string())
}

/// Whether the server asking may fetch what this instance serves of a group: anything of a
/// public group; of a members-only group here, only a request signed by an actor of an
/// instance where one of its approved members is; of a members-only group elsewhere (what
/// people here wrote in it), only a request signed by that group's own server. Anything
/// else is told nothing is there (404), the same as for an id that does not exist.
pub async fn fetchable(
    s: &AppState,
    group: &groups::Model,
    method: &str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<()> {
    if !crate::domain::members::is_members_only(group) {
        return Ok(());
    }
    let data = s.federation.to_request_data();
    let target = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let checked = async {
        let signature = crate::inbox::Signature::parse(&data, method, target, headers, None)?;
        let owner = signature.key_owner()?;
        signature.verify_by(&data, &owner).await?;
        let host = crate::federation::actors::authority(&owner)?;
        // A group elsewhere: what its members here wrote in it is fetched by its own server
        // (which relays it to the others); a group here: by its members' servers.
        if !group.local {
            return Ok::<_, Error>(host == group.domain);
        }
        Ok(storage::groups::has_member_from(&s.ctx.db, group.id, &host).await?)
    }
    .await;
    match checked {
        Ok(true) => Ok(()),
        Ok(false) => {
            tracing::debug!(group = %group.ap_id, "a members-only group's content asked for by a non-member's server");
            Err(Error::NotFound("object"))
        }
        Err(e) => {
            tracing::debug!(group = %group.ap_id, error = %e, "a members-only group's content asked for without a good signature");
            Err(Error::NotFound("object"))
        }
    }
}

/// A web page at an id URL: it varies by `Accept` like the document does.
fn page(mut r: Response) -> Result<Response> {
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(r)
}

async fn person(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ApiPath(name): ApiPath<String>,
) -> Result<Response> {
    if !wants_activity_json(&headers) {
        // Browsers get the profile, of a local person or (`name@host`) of a remote one.
        return page(web::person_page(&s, &headers, &here(&uri), &name).await);
    }
    let p = storage::persons::find_local(&s.ctx.db, &name)
        .await?
        .ok_or(Error::NotFound("person"))?;
    activity_json(StatusCode::OK, documents::person(&s.ctx.instance, &p)?)
}

async fn person_outbox(
    State(s): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Response> {
    storage::persons::find_local(&s.ctx.db, &name)
        .await?
        .ok_or(Error::NotFound("person"))?;
    let id = url(&s.ctx.instance.person_outbox_url(&name))?;
    activity_json(
        StatusCode::OK,
        OrderedCollection::<()>::of(id, 0, Some(vec![])),
    )
}

/// `GET /actor/outbox`: the instance actor's outbox, always empty (it publishes nothing).
async fn instance_outbox(State(s): State<AppState>) -> Result<Response> {
    let id = url(&format!("{}/outbox", s.ctx.instance.instance_actor_url()))?;
    activity_json(
        StatusCode::OK,
        OrderedCollection::<()>::of(id, 0, Some(vec![])),
    )
}

async fn group(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ApiPath(name): ApiPath<String>,
) -> Result<Response> {
    if !wants_activity_json(&headers) {
        // Browsers get the group's page, of a local group or (`name@host`) a remote one.
        return page(web::group_page(&s, &headers, &here(&uri), &name, uri.query()).await);
    }
    let g = local_group(&s, &name).await?;
    activity_json(StatusCode::OK, documents::group(&s.ctx.instance, &g)?)
}

/// Posts per outbox page.
const OUTBOX_PAGE: u64 = 20;

/// `?page=true&cursor=…` of an outbox request.
#[derive(Debug, serde::Deserialize)]
struct OutboxQuery {
    page: Option<String>,
    cursor: Option<String>,
}

/// A group's posts as the `Create` activities that published them, newest first. The
/// collection carries its newest page inline (as the Lemmy family reads it) and links `first`;
/// each page links `next` with a keyset cursor.
async fn group_outbox(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Response> {
    let g = local_group(&s, &name).await?;
    fetchable(&s, &g, "GET", &uri, &headers).await?;
    let outbox = s.ctx.instance.group_collection_url(&g.name, "outbox");
    let after = crate::domain::pagination::Cursor::decode_opt(q.cursor.as_deref())?;
    let mut posts = storage::posts::page(
        &s.ctx.db,
        g.id,
        PostSort::New,
        after.as_ref(),
        OUTBOX_PAGE + 1,
        Default::default(),
    )
    .await?
    .ok_or_else(|| Error::invalid("cursor", "was not issued for this collection"))?;
    let next = crate::domain::groups::next_cursor(&mut posts, OUTBOX_PAGE, |p| {
        crate::domain::pagination::Cursor {
            key: storage::posts::sort_key(p, PostSort::New),
            id: p.id,
        }
    });
    let authors = storage::persons::by_ids(&s.ctx.db, posts.iter().map(|p| p.author_id)).await?;
    let mut items = Vec::with_capacity(posts.len());
    for p in &posts {
        if let Some(author) = authors.get(&p.author_id) {
            let doc = with_media(
                &s.ctx,
                ContentRef::Post(p.id),
                documents::post(p, &g, author)?,
            )
            .await?;
            items.push(create_of(&doc, &p.ap_id));
        }
    }
    let next_url = next.map(|c| format!("{outbox}?page=true&cursor={c}"));
    if q.page.is_some() || q.cursor.is_some() {
        let this = match &q.cursor {
            Some(c) => format!("{outbox}?page=true&cursor={c}"),
            None => format!("{outbox}?page=true"),
        };
        let mut page = json!({
            "type": "OrderedCollectionPage",
            "id": this,
            "partOf": outbox,
            "orderedItems": items,
        });
        if let Some(n) = next_url {
            page["next"] = json!(n);
        }
        return activity_json(StatusCode::OK, page);
    }
    let total = storage::posts::count_in_group(&s.ctx.db, g.id).await?;
    let mut collection = json!({
        "type": "OrderedCollection",
        "id": outbox,
        "totalItems": total,
        "first": format!("{outbox}?page=true"),
        "orderedItems": items,
    });
    if let Some(n) = next_url {
        collection["next"] = json!(n);
    }
    activity_json(StatusCode::OK, collection)
}

/// The `Create` that published a local post; its id is `{post}/activity`.
fn create_of(page: &crate::federation::protocol::Object, post_ap_id: &str) -> serde_json::Value {
    json!({
        "type": "Create",
        "id": format!("{post_ap_id}/activity"),
        "actor": page.attributed_to,
        "to": page.to,
        "cc": page.cc,
        "audience": page.audience,
        "object": page,
        "published": page.published,
    })
}

async fn group_followers(
    State(s): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Response> {
    let g = local_group(&s, &name).await?;
    let total = storage::followers::count_accepted(&s.ctx.db, g.id).await?;
    let id = url(&s.ctx.instance.group_collection_url(&g.name, "followers"))?;
    // The count is public; the list of who follows is not.
    activity_json(StatusCode::OK, OrderedCollection::<()>::of(id, total, None))
}

async fn group_moderators(
    State(s): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Response> {
    let g = local_group(&s, &name).await?;
    let mods = storage::groups::moderators(&s.ctx.db, &[g.id]).await?;
    let ids: Vec<String> = mods
        .get(&g.id)
        .map(|m| m.iter().map(|p| p.ap_id.clone()).collect())
        .unwrap_or_default();
    let id = url(&s.ctx.instance.group_collection_url(&g.name, "moderators"))?;
    activity_json(
        StatusCode::OK,
        OrderedCollection::of(id, ids.len() as u64, Some(ids)),
    )
}

async fn group_featured(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ApiPath(name): ApiPath<String>,
) -> Result<Response> {
    let g = local_group(&s, &name).await?;
    fetchable(&s, &g, "GET", &uri, &headers).await?;
    let id = url(&s.ctx.instance.group_collection_url(&g.name, "featured"))?;
    activity_json(
        StatusCode::OK,
        OrderedCollection::<()>::of(id, 0, Some(vec![])),
    )
}

async fn load_post(
    s: &AppState,
    id: i64,
) -> Result<(storage::entities::posts::Model, groups::Model)> {
    let p = storage::posts::find(&s.ctx.db, id)
        .await?
        .filter(|p| p.local)
        .ok_or(Error::NotFound("post"))?;
    let g = storage::groups::find(&s.ctx.db, p.group_id)
        .await?
        .ok_or(Error::NotFound("post"))?;
    Ok((p, g))
}

async fn post(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    if !wants_activity_json(&headers) {
        // Browsers get the thread of any post known here; a deleted one is a tombstone
        // whose replies stay readable.
        return page(web::post_page(&s, &headers, &here(&uri), id).await);
    }
    let (p, g) = load_post(&s, id).await?;
    fetchable(&s, &g, "GET", &uri, &headers).await?;
    if p.deleted_at.is_some() {
        return activity_json(
            StatusCode::GONE,
            documents::tombstone(&p.ap_id, ObjectKind::Page, p.deleted_at)?,
        );
    }
    let author = storage::persons::find(&s.ctx.db, p.author_id)
        .await?
        .ok_or(Error::NotFound("post"))?;
    let doc = with_media(
        &s.ctx,
        ContentRef::Post(p.id),
        documents::post(&p, &g, &author)?,
    )
    .await?;
    activity_json(StatusCode::OK, doc)
}

async fn post_activity(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    let (p, g) = load_post(&s, id).await?;
    fetchable(&s, &g, "GET", &uri, &headers).await?;
    if p.deleted_at.is_some() {
        return Err(Error::NotFound("activity"));
    }
    let author = storage::persons::find(&s.ctx.db, p.author_id)
        .await?
        .ok_or(Error::NotFound("activity"))?;
    let doc = with_media(
        &s.ctx,
        ContentRef::Post(p.id),
        documents::post(&p, &g, &author)?,
    )
    .await?;
    activity_json(StatusCode::OK, create_of(&doc, &p.ap_id))
}

async fn reply(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    if !wants_activity_json(&headers) {
        // Browsers get the reply's permalink: its thread, narrowed to it.
        return page(web::reply_page(&s, &headers, &here(&uri), id).await);
    }
    let r = storage::replies::find(&s.ctx.db, id)
        .await?
        .filter(|r| r.local)
        .ok_or(Error::NotFound("reply"))?;
    // A reply written here may be in a thread of a group elsewhere: its group, wherever it is.
    let (_, g) = crate::domain::posts::load(&s.ctx, r.post_id).await?;
    fetchable(&s, &g, "GET", &uri, &headers).await?;
    if r.deleted_at.is_some() {
        return activity_json(
            StatusCode::GONE,
            documents::tombstone(&r.ap_id, ObjectKind::Note, r.deleted_at)?,
        );
    }
    let id = url(&r.ap_id)?;
    let data = s.federation.to_request_data();
    activity_json(
        StatusCode::OK,
        activitypub_federation::traits::Object::into_json(
            crate::federation::objects::Content::Reply(r, id),
            &data,
        )
        .await?,
    )
}

/// Most replies listed in a post's replies collection.
const MAX_LISTED_REPLIES: usize = 1000;

/// A post's live replies as `Note`s, oldest first: what a new follower fetches to backfill.
async fn post_replies(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    let (p, g) = load_post(&s, id).await?;
    fetchable(&s, &g, "GET", &uri, &headers).await?;
    let rows = storage::replies::for_post(&s.ctx.db, p.id).await?;
    let authors = storage::persons::by_ids(
        &s.ctx.db,
        rows.iter()
            .map(|r| r.author_id)
            .chain(std::iter::once(p.author_id)),
    )
    .await?;
    let parents: std::collections::HashMap<i64, (&str, i64)> = rows
        .iter()
        .map(|r| (r.id, (r.ap_id.as_str(), r.author_id)))
        .collect();
    let mut items = Vec::new();
    for r in rows
        .iter()
        .filter(|r| r.deleted_at.is_none())
        .take(MAX_LISTED_REPLIES)
    {
        let (parent, parent_author) = match r.parent_id.and_then(|pid| parents.get(&pid)) {
            Some(&(id, author)) => (id, author),
            None => (p.ap_id.as_str(), p.author_id),
        };
        if let Some(author) = authors.get(&r.author_id) {
            let doc = documents::reply(
                r,
                parent,
                &g,
                author,
                authors.get(&parent_author),
                documents::answer_flag(&p, r.id),
            )?;
            items.push(with_media(&s.ctx, ContentRef::Reply(r.id), doc).await?);
        }
    }
    let id = url(&format!("{}/replies", p.ap_id))?;
    activity_json(
        StatusCode::OK,
        OrderedCollection::of(id, items.len() as u64, Some(items)),
    )
}

/// An activity this instance sent, by its id.
async fn sent_activity(
    State(s): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ApiPath((kind, id)): ApiPath<(String, String)>,
) -> Result<Response> {
    let ap_id = format!("{}/activities/{kind}/{id}", s.ctx.instance.base_url());
    let body = storage::sent::find(&s.ctx.db, &ap_id)
        .await?
        .ok_or(Error::NotFound("activity"))?;
    // An activity addressed to the followers of a members-only group here is fetched only
    // as that group's content is.
    for g in members_only_audience(&s, &body).await? {
        fetchable(&s, &g, "GET", &uri, &headers).await?;
    }
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ACTIVITY_JSON),
    );
    Ok(r)
}

/// The members-only groups (here or elsewhere) an activity this instance sent belongs to:
/// those whose followers collection it (or the object it carries) is addressed to, or that
/// it names as its `audience`.
async fn members_only_audience(s: &AppState, body: &str) -> Result<Vec<groups::Model>> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(body) else {
        return Ok(Vec::new());
    };
    let mut candidates = Vec::new();
    for node in [Some(&doc), doc.get("object")].into_iter().flatten() {
        for key in ["to", "cc"] {
            let addressed: Vec<&str> = match node.get(key) {
                Some(serde_json::Value::String(u)) => vec![u.as_str()],
                Some(serde_json::Value::Array(list)) => {
                    list.iter().filter_map(serde_json::Value::as_str).collect()
                }
                _ => vec![],
            };
            candidates.extend(
                addressed
                    .into_iter()
                    .filter_map(|a| a.strip_suffix("/followers"))
                    .map(str::to_string),
            );
        }
        if let Some(a) = node.get("audience").and_then(serde_json::Value::as_str) {
            candidates.push(a.to_string());
        }
    }
    let mut out: Vec<groups::Model> = Vec::new();
    for group_id in candidates {
        if let Some(g) = storage::groups::find_by_ap_id(&s.ctx.db, &group_id).await?
            && crate::domain::members::is_members_only(&g)
            && out.iter().all(|o| o.id != g.id)
        {
            out.push(g);
        }
    }
    Ok(out)
}

/// With `federation.require_signed_fetch` ("authorized fetch"), ActivityPub documents go only
/// to requests signed by a fetchable actor: the signature is checked when the response would
/// be ActivityPub JSON, and a missing or bad one is 401. The instance actor stays public (peers
/// fetch it to verify our own signed fetches), as do HTML pages and discovery.
pub async fn require_signed_fetch(
    State(s): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !s.ctx.instance.require_signed_fetch || req.uri().path() == "/actor" {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let target = req
        .uri()
        .path_and_query()
        .map_or(req.uri().path(), |p| p.as_str())
        .to_string();
    let headers = req.headers().clone();
    let response = next.run(req).await;
    let is_activity_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/activity+json") || v.starts_with("application/ld+json")
        });
    if !is_activity_json {
        return response;
    }
    let data = s.federation.to_request_data();
    let verified = async {
        let signature =
            crate::inbox::Signature::parse(&data, method.as_str(), &target, &headers, None)?;
        let owner = signature.key_owner()?;
        signature.verify_by(&data, &owner).await
    }
    .await;
    match verified {
        Ok(_) => response,
        Err(e) => e.into_response(),
    }
}
