//! Moderation: removals, locks, pins, bans, moderators, the public mod log, reports, and
//! each member's own blocks. Each handler runs the domain action, then sends it on.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    domain::{
        content::ContentRef,
        moderation::{self, BanView, ModLogPage},
        reports::{self, ReportView},
        user_blocks::{self, BlocksView},
    },
    error::{ErrorBody, Result},
    federation::resolve,
    http::{
        AppState,
        api::openapi::{HandlePath, HostPath, IdPath, JsonBody, Moderation, PersonPath, SignedIn},
        extract::{ApiJson, ApiPath, ApiQuery, Auth, MaybeAuth},
    },
    usecases::moderation::{self as usecase, Action},
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(remove_post))
        .routes(routes!(restore_post))
        .routes(routes!(remove_reply))
        .routes(routes!(restore_reply))
        .routes(routes!(lock, unlock))
        .routes(routes!(pin, unpin))
        .routes(routes!(bans, ban))
        .routes(routes!(unban))
        .routes(routes!(add_moderator))
        .routes(routes!(remove_moderator))
        .routes(routes!(modlog))
        .routes(routes!(group_reports))
        .routes(routes!(my_reports, report))
        .routes(routes!(resolve_report))
        .routes(routes!(blocks))
        .routes(routes!(block_person, unblock_person))
        .routes(routes!(block_instance, unblock_instance))
}

const TAG: &str = "moderation";
const REPORTS: &str = "reports";
const BLOCKS: &str = "blocks";

/// A moderator's optional reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Reason {
    /// Why, shown in the mod log and sent with the activity.
    #[serde(default)]
    #[schema(max_length = 1000)]
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
    id: ContentRef,
    remove: bool,
    reason: Reason,
) -> Result<StatusCode> {
    let reason = moderation::reason(reason.reason.as_deref())?;
    usecase::act(&s.ctx, &user, Action::Remove { id, remove, reason }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A moderator removes a post: hidden for everyone, its text kept so it can be restored; federated as `Delete` with the reason as `summary`
#[utoipa::path(
    post,
    path = "/posts/{id}/remove",
    tag = TAG,
    operation_id = "removePost",
    security(("bearer" = [])),
    params(IdPath),
    request_body(content = Option<Reason>, description = "Optional: no body, or `{}`"),
    responses((status = 204, description = "Done (also when it was already so; then nothing is sent)"), Moderation, JsonBody, SignedIn)
)]
async fn remove_post(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(r): OptionalJson<Reason>,
) -> Result<StatusCode> {
    removal(s, user, ContentRef::Post(id), true, r).await
}

/// A moderator restores a removed post (`Undo{Delete}`)
#[utoipa::path(
    post,
    path = "/posts/{id}/restore",
    tag = TAG,
    operation_id = "restorePost",
    security(("bearer" = [])),
    params(IdPath),
    request_body(content = Option<Reason>, description = "Optional: no body, or `{}`"),
    responses(
        (status = 204, description = "Done (also when it was already so; then nothing is sent)"),
        (status = 409, description = "Not removed (`not_removed`)", body = ErrorBody),
        Moderation,
        JsonBody,
        SignedIn,
    )
)]
async fn restore_post(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(r): OptionalJson<Reason>,
) -> Result<StatusCode> {
    removal(s, user, ContentRef::Post(id), false, r).await
}

/// A moderator removes a reply
#[utoipa::path(
    post,
    path = "/replies/{id}/remove",
    tag = TAG,
    operation_id = "removeReply",
    security(("bearer" = [])),
    params(IdPath),
    request_body(content = Option<Reason>, description = "Optional: no body, or `{}`"),
    responses((status = 204, description = "Done (also when it was already so; then nothing is sent)"), Moderation, JsonBody, SignedIn)
)]
async fn remove_reply(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(r): OptionalJson<Reason>,
) -> Result<StatusCode> {
    removal(s, user, ContentRef::Reply(id), true, r).await
}

/// A moderator restores a removed reply
#[utoipa::path(
    post,
    path = "/replies/{id}/restore",
    tag = TAG,
    operation_id = "restoreReply",
    security(("bearer" = [])),
    params(IdPath),
    request_body(content = Option<Reason>, description = "Optional: no body, or `{}`"),
    responses(
        (status = 204, description = "Done (also when it was already so; then nothing is sent)"),
        (status = 409, description = "Not removed (`not_removed`)", body = ErrorBody),
        Moderation,
        JsonBody,
        SignedIn,
    )
)]
async fn restore_reply(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(r): OptionalJson<Reason>,
) -> Result<StatusCode> {
    removal(s, user, ContentRef::Reply(id), false, r).await
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

/// A moderator locks a thread: no new replies (`Lock`)
#[utoipa::path(
    post,
    path = "/posts/{id}/lock",
    tag = TAG,
    operation_id = "lockPost",
    security(("bearer" = [])),
    params(IdPath),
    request_body(content = Option<Reason>, description = "Optional: no body, or `{}`"),
    responses((status = 204, description = "Done (also when it was already so; then nothing is sent)"), Moderation, JsonBody, SignedIn)
)]
async fn lock(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(r): OptionalJson<Reason>,
) -> Result<StatusCode> {
    set_lock(s, user, id, true, r).await
}

/// A moderator unlocks a thread (`Undo{Lock}`)
#[utoipa::path(
    delete,
    path = "/posts/{id}/lock",
    tag = TAG,
    operation_id = "unlockPost",
    security(("bearer" = [])),
    params(IdPath),
    responses((status = 204, description = "Done (also when it was already so; then nothing is sent)"), Moderation, SignedIn)
)]
async fn unlock(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    set_lock(s, user, id, false, Reason::default()).await
}

/// A moderator pins a thread (`Add` to the featured collection)
#[utoipa::path(
    post,
    path = "/posts/{id}/pin",
    tag = TAG,
    operation_id = "pinPost",
    security(("bearer" = [])),
    params(IdPath),
    responses((status = 204, description = "Done (also when it was already so; then nothing is sent)"), Moderation, SignedIn)
)]
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

/// A moderator unpins a thread (`Remove`)
#[utoipa::path(
    delete,
    path = "/posts/{id}/pin",
    tag = TAG,
    operation_id = "unpinPost",
    security(("bearer" = [])),
    params(IdPath),
    responses((status = 204, description = "Done (also when it was already so; then nothing is sent)"), Moderation, SignedIn)
)]
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

/// The bans in force in a group; for its moderators
#[utoipa::path(
    get,
    path = "/groups/{handle}/bans",
    tag = TAG,
    operation_id = "listBans",
    security(("bearer" = [])),
    params(HandlePath),
    responses(
        (status = 200, description = "Bans", body = Vec<BanView>),
        (status = 403, description = "Not a moderator", body = ErrorBody),
        (status = 404, description = "Unknown group", body = ErrorBody),
        SignedIn,
    )
)]
async fn bans(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<Vec<BanView>>> {
    Ok(Json(moderation::bans(&s.ctx, &user, &handle).await?))
}

/// A moderator bans a person from the group (`Block`), optionally until a time and removing what they wrote there
#[utoipa::path(
    post,
    path = "/groups/{handle}/bans",
    tag = TAG,
    operation_id = "banPerson",
    security(("bearer" = [])),
    params(HandlePath),
    request_body = moderation::NewBan,
    responses(
        (status = 204, description = "Done (also when it was already so; then nothing is sent)"),
        (status = 409, description = "The person is a moderator (`is_moderator`)", body = ErrorBody),
        Moderation,
        JsonBody,
        SignedIn,
    )
)]
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

/// How a ban is lifted.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UnbanQuery {
    /// Also restore what the ban removed.
    #[serde(default)]
    restore_content: bool,
}

/// A moderator lifts a ban (`Undo{Block}`); `restore_content=true` restores what the ban removed
#[utoipa::path(
    delete,
    path = "/groups/{handle}/bans/{person}",
    tag = TAG,
    operation_id = "unbanPerson",
    security(("bearer" = [])),
    params(HandlePath, PersonPath, UnbanQuery),
    responses((status = 204, description = "Done (also when it was already so; then nothing is sent)"), Moderation, SignedIn)
)]
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

/// The person a moderator names.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PersonInput {
    /// `user@host`, a local account name, or an actor URL.
    person: String,
}

/// A moderator adds a moderator (`Add` to the moderators collection)
#[utoipa::path(
    post,
    path = "/groups/{handle}/moderators",
    tag = TAG,
    operation_id = "addModerator",
    security(("bearer" = [])),
    params(HandlePath),
    request_body = PersonInput,
    responses(
        (status = 204, description = "Done (also when it was already so; then nothing is sent)"),
        (status = 409, description = "Banned (`banned`)", body = ErrorBody),
        Moderation,
        JsonBody,
        SignedIn,
    )
)]
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

/// A moderator removes a moderator: themselves or one added after them; an administrator anyone (`Remove`)
#[utoipa::path(
    delete,
    path = "/groups/{handle}/moderators/{person}",
    tag = TAG,
    operation_id = "removeModerator",
    security(("bearer" = [])),
    params(HandlePath, PersonPath),
    responses(
        (status = 204, description = "Done (also when it was already so; then nothing is sent)"),
        (status = 409, description = "The last moderator (`last_moderator`)", body = ErrorBody),
        Moderation,
        SignedIn,
    )
)]
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

/// A page of the mod log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ModLogQuery {
    /// `next_before` of the previous page
    before: Option<i64>,
    /// Entries per page, 1–100 (default 20)
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}

/// A group's public mod log, newest first
#[utoipa::path(
    get,
    path = "/groups/{handle}/modlog",
    tag = TAG,
    operation_id = "modLog",
    security((), ("bearer" = [])),
    params(HandlePath, ModLogQuery),
    responses(
        (status = 200, description = "Entries", body = ModLogPage),
        (status = 400, description = "Invalid query", body = ErrorBody),
        (status = 403, description = "A members-only group the caller is not a member of (`members_only`)", body = ErrorBody),
        (status = 404, description = "Unknown group", body = ErrorBody),
    )
)]
async fn modlog(
    State(s): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(handle): ApiPath<String>,
    ApiQuery(q): ApiQuery<ModLogQuery>,
) -> Result<Json<ModLogPage>> {
    Ok(Json(
        moderation::modlog(&s.ctx, viewer.as_ref(), &handle, q.before, q.limit).await?,
    ))
}

/// Which of a group's reports.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportsQuery {
    /// The resolved ones instead of the open ones.
    #[serde(default)]
    resolved: bool,
}

/// A group's reports, for its moderators; unresolved ones unless `resolved=true`
#[utoipa::path(
    get,
    path = "/groups/{handle}/reports",
    tag = REPORTS,
    operation_id = "groupReports",
    security(("bearer" = [])),
    params(HandlePath, ReportsQuery),
    responses(
        (status = 200, description = "Reports", body = Vec<ReportView>),
        (status = 403, description = "Not a moderator", body = ErrorBody),
        (status = 404, description = "Unknown group", body = ErrorBody),
        SignedIn,
    )
)]
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

/// The reports you made; for an administrator, every report stored here
#[utoipa::path(
    get,
    path = "/reports",
    tag = REPORTS,
    operation_id = "myReports",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reports", body = Vec<ReportView>),
        SignedIn,
    )
)]
async fn my_reports(State(s): State<AppState>, Auth(user): Auth) -> Result<Json<Vec<ReportView>>> {
    Ok(Json(reports::my_reports(&s.ctx, &user).await?))
}

/// Report a post, a reply, or a person (to a group's moderators): a `Flag` sent to the group, which passes it to its moderators wherever they are
///
/// Give exactly one of `post_id`, `reply_id` or `person` (with `group`).
#[utoipa::path(
    post,
    path = "/reports",
    tag = REPORTS,
    operation_id = "createReport",
    security(("bearer" = [])),
    request_body = reports::NewReport,
    responses(
        (status = 201, description = "Reported", body = ReportView),
        (status = 404, description = "Unknown post, reply, person or group", body = ErrorBody),
        JsonBody,
        SignedIn,
    )
)]
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

/// A moderator resolves a report (`Resolve`)
#[utoipa::path(
    post,
    path = "/reports/{id}/resolve",
    tag = REPORTS,
    operation_id = "resolveReport",
    security(("bearer" = [])),
    params(IdPath),
    responses(
        (status = 204, description = "Resolved"),
        (status = 403, description = "Not a moderator of the report's group", body = ErrorBody),
        (status = 404, description = "Unknown report", body = ErrorBody),
        SignedIn,
    )
)]
async fn resolve_report(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    usecase::resolve_report(&s.ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The people and instances you block
#[utoipa::path(
    get,
    path = "/me/blocks",
    tag = BLOCKS,
    operation_id = "myBlocks",
    security(("bearer" = [])),
    responses((status = 200, description = "Blocks", body = BlocksView), SignedIn)
)]
async fn blocks(State(s): State<AppState>, Auth(user): Auth) -> Result<Json<BlocksView>> {
    Ok(Json(user_blocks::list(&s.ctx, &user).await?))
}

/// Block a person: what they write is hidden from you
#[utoipa::path(
    put,
    path = "/me/blocks/people/{person}",
    tag = BLOCKS,
    operation_id = "blockPerson",
    security(("bearer" = [])),
    params(PersonPath),
    responses(
        (status = 204, description = "Blocked"),
        (status = 400, description = "Yourself", body = ErrorBody),
        (status = 404, description = "Unknown person", body = ErrorBody),
        SignedIn,
    )
)]
async fn block_person(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(person): ApiPath<String>,
) -> Result<StatusCode> {
    let person = resolve::person(&s.federation.to_request_data(), &person).await?;
    user_blocks::block_person(&s.ctx, &user, &person).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unblock a person
#[utoipa::path(
    delete,
    path = "/me/blocks/people/{person}",
    tag = BLOCKS,
    operation_id = "unblockPerson",
    security(("bearer" = [])),
    params(PersonPath),
    responses(
        (status = 204, description = "Unblocked"),
        (status = 404, description = "Not blocked", body = ErrorBody),
        SignedIn,
    )
)]
async fn unblock_person(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(person): ApiPath<String>,
) -> Result<StatusCode> {
    let person = resolve::person(&s.federation.to_request_data(), &person).await?;
    user_blocks::unblock_person(&s.ctx, &user, &person).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Block an instance: what its people write is hidden from you
#[utoipa::path(
    put,
    path = "/me/blocks/instances/{host}",
    tag = BLOCKS,
    operation_id = "blockInstance",
    security(("bearer" = [])),
    params(HostPath),
    responses(
        (status = 204, description = "Blocked"),
        (status = 400, description = "Not a host, or this instance", body = ErrorBody),
        SignedIn,
    )
)]
async fn block_instance(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(host): ApiPath<String>,
) -> Result<StatusCode> {
    user_blocks::block_instance(&s.ctx, &user, &host).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unblock an instance
#[utoipa::path(
    delete,
    path = "/me/blocks/instances/{host}",
    tag = BLOCKS,
    operation_id = "unblockInstance",
    security(("bearer" = [])),
    params(HostPath),
    responses(
        (status = 204, description = "Unblocked"),
        (status = 404, description = "Not blocked", body = ErrorBody),
        SignedIn,
    )
)]
async fn unblock_instance(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(host): ApiPath<String>,
) -> Result<StatusCode> {
    user_blocks::unblock_instance(&s.ctx, &user, &host).await?;
    Ok(StatusCode::NO_CONTENT)
}
