//! Moderation: removals, locks, pins, bans, moderators, the public mod log, reports, and
//! each member's own blocks. Each handler runs the domain action, then sends it on.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post, put},
};
use serde::Deserialize;

use crate::{
    domain::{
        moderation::{self, BanView, ContentId, ModLogPage},
        reports::{self, ReportView},
        user_blocks::{self, BlocksView},
    },
    error::Result,
    federation::resolve,
    http::{
        AppState,
        extract::{ApiJson, ApiPath, ApiQuery, Auth},
    },
    usecases::moderation::{self as usecase, Action},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/posts/{id}/remove", post(remove_post))
        .route("/posts/{id}/restore", post(restore_post))
        .route("/replies/{id}/remove", post(remove_reply))
        .route("/replies/{id}/restore", post(restore_reply))
        .route("/posts/{id}/lock", post(lock).delete(unlock))
        .route("/posts/{id}/pin", post(pin).delete(unpin))
        .route("/groups/{handle}/bans", get(bans).post(ban))
        .route(
            "/groups/{handle}/bans/{person}",
            axum::routing::delete(unban),
        )
        .route("/groups/{handle}/moderators", post(add_moderator))
        .route(
            "/groups/{handle}/moderators/{person}",
            axum::routing::delete(remove_moderator),
        )
        .route("/groups/{handle}/modlog", get(modlog))
        .route("/groups/{handle}/reports", get(group_reports))
        .route("/reports", get(my_reports).post(report))
        .route("/reports/{id}/resolve", post(resolve_report))
        .route("/me/blocks", get(blocks))
        .route(
            "/me/blocks/people/{person}",
            put(block_person).delete(unblock_person),
        )
        .route(
            "/me/blocks/instances/{host}",
            put(block_instance).delete(unblock_instance),
        )
}

/// A moderator's optional reason.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Reason {
    #[serde(default)]
    reason: Option<String>,
}

/// A body that may be absent: `{}` by default.
struct OptionalJson<T>(T);

impl<T: serde::de::DeserializeOwned + Default + Send> axum::extract::FromRequest<AppState>
    for OptionalJson<T>
{
    type Rejection = crate::error::Error;

    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> std::result::Result<Self, Self::Rejection> {
        let empty = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .is_some_and(|v| v == "0")
            || !req.headers().contains_key(axum::http::header::CONTENT_TYPE);
        if empty {
            return Ok(Self(T::default()));
        }
        ApiJson::<T>::from_request(req, state)
            .await
            .map(|ApiJson(v)| Self(v))
    }
}

async fn removal(
    s: AppState,
    user: crate::domain::accounts::CurrentUser,
    id: ContentId,
    remove: bool,
    reason: Reason,
) -> Result<StatusCode> {
    let reason = moderation::reason(reason.reason.as_deref())?;
    usecase::act(&s.ctx, &user, Action::Remove { id, remove, reason }).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_post(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(r): OptionalJson<Reason>,
) -> Result<StatusCode> {
    removal(s, user, ContentId::Post(id), true, r).await
}

async fn restore_post(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(r): OptionalJson<Reason>,
) -> Result<StatusCode> {
    removal(s, user, ContentId::Post(id), false, r).await
}

async fn remove_reply(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(r): OptionalJson<Reason>,
) -> Result<StatusCode> {
    removal(s, user, ContentId::Reply(id), true, r).await
}

async fn restore_reply(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(r): OptionalJson<Reason>,
) -> Result<StatusCode> {
    removal(s, user, ContentId::Reply(id), false, r).await
}

async fn set_lock(
    s: AppState,
    user: crate::domain::accounts::CurrentUser,
    id: i64,
    locked: bool,
    r: Reason,
) -> Result<StatusCode> {
    let reason = moderation::reason(r.reason.as_deref())?;
    let action = Action::Lock {
        post_id: id,
        locked,
        reason,
    };
    usecase::act(&s.ctx, &user, action).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn lock(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(r): OptionalJson<Reason>,
) -> Result<StatusCode> {
    set_lock(s, user, id, true, r).await
}

async fn unlock(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    set_lock(s, user, id, false, Reason::default()).await
}

async fn pin(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    let action = Action::Pin {
        post_id: id,
        pinned: true,
    };
    usecase::act(&s.ctx, &user, action).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unpin(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    let action = Action::Pin {
        post_id: id,
        pinned: false,
    };
    usecase::act(&s.ctx, &user, action).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn bans(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<Vec<BanView>>> {
    Ok(Json(moderation::bans(&s.ctx, &user, &handle).await?))
}

async fn ban(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
    ApiJson(input): ApiJson<moderation::NewBan>,
) -> Result<StatusCode> {
    let data = s.federation.to_request_data();
    let person = resolve::person(&data, &input.person).await?;
    let action = Action::Ban {
        group: handle,
        person,
        input,
    };
    usecase::act(&s.ctx, &user, action).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct UnbanQuery {
    #[serde(default)]
    restore_content: bool,
}

async fn unban(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, person)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<UnbanQuery>,
) -> Result<StatusCode> {
    let data = s.federation.to_request_data();
    let person = resolve::person(&data, &person).await?;
    let action = Action::Unban {
        group: handle,
        person,
        restore_content: q.restore_content,
    };
    usecase::act(&s.ctx, &user, action).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonInput {
    person: String,
}

async fn add_moderator(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
    ApiJson(input): ApiJson<PersonInput>,
) -> Result<StatusCode> {
    let data = s.federation.to_request_data();
    let person = resolve::person(&data, &input.person).await?;
    let action = Action::AddModerator {
        group: handle,
        person,
    };
    usecase::act(&s.ctx, &user, action).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_moderator(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, person)): ApiPath<(String, String)>,
) -> Result<StatusCode> {
    let data = s.federation.to_request_data();
    let person = resolve::person(&data, &person).await?;
    let action = Action::RemoveModerator {
        group: handle,
        person,
    };
    usecase::act(&s.ctx, &user, action).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct ModLogQuery {
    before: Option<i64>,
    limit: Option<u64>,
}

async fn modlog(
    State(s): State<AppState>,
    ApiPath(handle): ApiPath<String>,
    ApiQuery(q): ApiQuery<ModLogQuery>,
) -> Result<Json<ModLogPage>> {
    Ok(Json(
        moderation::modlog(&s.ctx, &handle, q.before, q.limit).await?,
    ))
}

#[derive(Debug, Deserialize)]
struct ReportsQuery {
    #[serde(default)]
    resolved: bool,
}

async fn group_reports(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportsQuery>,
) -> Result<Json<Vec<ReportView>>> {
    Ok(Json(
        reports::group_reports(&s.ctx, &user, &handle, q.resolved).await?,
    ))
}

async fn my_reports(State(s): State<AppState>, Auth(user): Auth) -> Result<Json<Vec<ReportView>>> {
    Ok(Json(reports::my_reports(&s.ctx, &user).await?))
}

async fn report(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiJson(input): ApiJson<reports::NewReport>,
) -> Result<(StatusCode, Json<ReportView>)> {
    let data = s.federation.to_request_data();
    let person = match &input.person {
        Some(p) => Some(resolve::person(&data, p).await?),
        None => None,
    };
    let view = usecase::report(&s.ctx, &user, input, person).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn resolve_report(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    usecase::resolve_report(&s.ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn blocks(State(s): State<AppState>, Auth(user): Auth) -> Result<Json<BlocksView>> {
    Ok(Json(user_blocks::list(&s.ctx, &user).await?))
}

async fn block_person(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(person): ApiPath<String>,
) -> Result<StatusCode> {
    let person = resolve::person(&s.federation.to_request_data(), &person).await?;
    user_blocks::block_person(&s.ctx, &user, &person).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unblock_person(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(person): ApiPath<String>,
) -> Result<StatusCode> {
    let person = resolve::person(&s.federation.to_request_data(), &person).await?;
    user_blocks::unblock_person(&s.ctx, &user, &person).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn block_instance(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(host): ApiPath<String>,
) -> Result<StatusCode> {
    user_blocks::block_instance(&s.ctx, &user, &host).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unblock_instance(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(host): ApiPath<String>,
) -> Result<StatusCode> {
    user_blocks::unblock_instance(&s.ctx, &user, &host).await?;
    Ok(StatusCode::NO_CONTENT)
}
