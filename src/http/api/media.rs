//! Pictures and files: uploads (a multipart form), a person's own list, deletion and
//! removal, avatars, group icons and banners.

use axum::{
    Json,
    extract::{DefaultBodyLimit, Multipart, State},
    http::StatusCode,
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};

use crate::{
    domain::{
        accounts::CurrentUser,
        media::{self as rules, GroupPicture, MediaView},
    },
    error::{Error, ErrorBody, Result},
    http::{
        AppState,
        api::openapi::{HandlePath, Moderation, RateLimited, SignedIn},
        extract::{ApiPath, Auth},
    },
    media::{Body, Media},
    storage,
    usecases::media::{self, Upload},
};

/// This module's routes and their descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    // Uploads are larger than other requests: their own limit (`media.max_upload_bytes`)
    // is applied while the form is read.
    OpenApiRouter::default()
        .routes(routes!(upload, mine).layer(DefaultBodyLimit::disable()))
        .routes(routes!(take_down))
        .routes(routes!(set_avatar, remove_avatar).layer(DefaultBodyLimit::disable()))
        .routes(routes!(set_group_picture, remove_group_picture).layer(DefaultBodyLimit::disable()))
}

const TAG: &str = "media";

/// An upload form (`multipart/form-data`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file: a picture (JPEG, PNG, GIF, WebP; re-encoded, metadata removed) or a
    /// document the instance allows (PDF).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The alt text: what the picture shows, for people who cannot see it.
    alt: Option<String>,
}

/// Most fields (files included) in one form.
const MAX_PARTS: usize = 64;

/// Reads an upload form: the `file` field (at most `max` bytes; 413 beyond; with no `max`,
/// a file is refused, 401, before its bytes are read) and the text fields (at most 64 KiB in
/// all).
pub async fn read_form(
    mut form: Multipart,
    uploader: Option<(&Media, i64)>,
) -> Result<(Option<Upload>, Vec<(String, String)>)> {
    let max = uploader.map(|(media, _)| media.limits.max_bytes);
    let mut file: Option<Upload> = None;
    let mut fields = Vec::new();
    let mut text_bytes = 0usize;
    let limit = usize::try_from(max.unwrap_or(0)).unwrap_or(usize::MAX);
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge { limit }
        } else {
            Error::BadRequest(format!("the form could not be read: {}", e.body_text()))
        }
    };
    let mut parts = 0usize;
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        // Every part counts, empty or not: a form of a million empty fields is refused.
        parts += 1;
        text_bytes += name.len() + 128;
        if parts > MAX_PARTS {
            return Err(Error::BadRequest(format!(
                "the form has more than {MAX_PARTS} fields"
            )));
        }
        if field.file_name().is_some() || name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Body::default();
            let Some((media, person)) = uploader else {
                // A file input left empty sends an empty part with no name: nothing to refuse.
                if file_name.is_empty() && field.chunk().await.map_err(bad)?.is_none() {
                    continue;
                }
                return Err(Error::Unauthenticated);
            };
            let slot = media.slot(person)?;
            let max = media.limits.max_bytes;
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                if bytes.len() + chunk.len() as u64 > max {
                    return Err(Error::PayloadTooLarge {
                        limit: usize::try_from(max).unwrap_or(usize::MAX),
                    });
                }
                bytes
                    .push(&chunk)
                    .await
                    .map_err(|e| Error::Internal(format!("spooling an upload: {e}")))?;
            }
            // A file input left empty sends an empty part with no name.
            if bytes.is_empty() && file_name.is_empty() {
                continue;
            }
            if file.is_some() {
                return Err(Error::invalid("file", "send one file at a time"));
            }
            file = Some(Upload {
                bytes,
                name: file_name,
                alt: String::new(),
                slot: Some(slot),
            });
        } else {
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                text_bytes += chunk.len();
                if text_bytes > 64 * 1024 + crate::domain::text::MAX_BODY_CHARS * 4 {
                    return Err(Error::PayloadTooLarge { limit: 64 * 1024 });
                }
                value.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(value)
                .map_err(|_| Error::invalid(name.clone(), "is not UTF-8 text"))?;
            fields.push((name, value));
        }
    }
    Ok((file, fields))
}

/// The file and its alt text from an upload form.
async fn upload_of(s: &AppState, user: &CurrentUser, form: Multipart) -> Result<Upload> {
    let (file, fields) = read_form(form, Some((s.ctx.media()?, user.person.id))).await?;
    let mut up = file.ok_or_else(|| Error::invalid("file", "no file was sent"))?;
    if let Some((_, alt)) = fields.into_iter().find(|(k, _)| k == "alt") {
        up.alt = alt;
    }
    Ok(up)
}

/// Upload a picture or a file
///
/// Pictures are decoded and re-encoded here (EXIF, GPS and other metadata removed) at a
/// display size and a thumbnail; animated pictures, more pixels than allowed and anything
/// that is not a picture (or an allowed document) are refused. Put the answer's `markdown`
/// in a post or reply to show it; an upload nothing shows is deleted after a day.
#[utoipa::path(
    post,
    path = "/media",
    tag = TAG,
    operation_id = "upload",
    security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = MediaView),
        (status = 400, description = "No file, or a bad alt text (`invalid_input`)", body = ErrorBody),
        (status = 413, description = "Larger than `media.max_upload_bytes` (`payload_too_large`), or over the person's or the instance's quota (`quota_exceeded`)", body = ErrorBody),
        (status = 422, description = "Not taken (`media_refused`): not a picture or allowed document, too many pixels, animated, unreadable", body = ErrorBody),
        RateLimited,
        SignedIn,
    )
)]
async fn upload(
    State(s): State<AppState>,
    Auth(user): Auth,
    form: Multipart,
) -> Result<(StatusCode, Json<MediaView>)> {
    let up = upload_of(&s, &user, form).await?;
    let m = media::upload(&s.ctx, &user, up).await?;
    Ok((StatusCode::CREATED, Json(rules::view(&s.ctx, &m))))
}

/// One's own uploads, newest first (at most 200)
#[utoipa::path(
    get,
    path = "/media",
    tag = TAG,
    operation_id = "myUploads",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The uploads", body = Vec<MediaView>),
        SignedIn,
    )
)]
async fn mine(State(s): State<AppState>, Auth(user): Auth) -> Result<Json<Vec<MediaView>>> {
    let rows = storage::media::of_owner(&s.ctx.db, user.person.id, 200).await?;
    Ok(Json(rows.iter().map(|m| rules::view(&s.ctx, m)).collect()))
}

/// Delete an upload (its uploader), or remove it (an administrator, or a moderator of a group
/// that shows it)
#[utoipa::path(
    delete,
    path = "/media/{key}",
    tag = TAG,
    operation_id = "deleteUpload",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "The upload's key")),
    responses(
        (status = 204, description = "Deleted; its address answers 404 from now on"),
        (status = 404, description = "No such upload, or not one the caller may take down", body = ErrorBody),
        SignedIn,
    )
)]
async fn take_down(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath(key): ApiPath<String>,
) -> Result<StatusCode> {
    media::take_down(&s.ctx, &user, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An actor's picture after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct PictureView {
    /// Where it is shown (a path on this server); none once taken away.
    pub path: Option<String>,
}

/// Set one's avatar (a picture, as an upload form)
#[utoipa::path(
    put,
    path = "/me/avatar",
    tag = TAG,
    operation_id = "setAvatar",
    security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Set", body = PictureView),
        (status = 413, description = "Too large, or over the quota", body = ErrorBody),
        (status = 422, description = "Not a picture (`media_refused`)", body = ErrorBody),
        RateLimited,
        SignedIn,
    )
)]
async fn set_avatar(
    State(s): State<AppState>,
    Auth(user): Auth,
    form: Multipart,
) -> Result<Json<PictureView>> {
    let up = upload_of(&s, &user, form).await?;
    media::set_avatar(&s.ctx, &user, Some(up)).await?;
    let me = storage::persons::find(&s.ctx.db, user.person.id)
        .await?
        .ok_or(Error::NotFound("person"))?;
    Ok(Json(PictureView {
        path: rules::avatar_path(&me),
    }))
}

/// Take one's avatar away
#[utoipa::path(
    delete,
    path = "/me/avatar",
    tag = TAG,
    operation_id = "removeAvatar",
    security(("bearer" = [])),
    responses((status = 204, description = "Taken away"), SignedIn)
)]
async fn remove_avatar(State(s): State<AppState>, Auth(user): Auth) -> Result<StatusCode> {
    media::set_avatar(&s.ctx, &user, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Set a group's icon or banner (its moderators; a picture, as an upload form)
#[utoipa::path(
    put,
    path = "/groups/{handle}/{picture}",
    tag = TAG,
    operation_id = "setGroupPicture",
    security(("bearer" = [])),
    params(HandlePath, ("picture" = String, Path, description = "`icon` or `banner`")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Set", body = PictureView),
        (status = 413, description = "Too large, or over the quota", body = ErrorBody),
        (status = 422, description = "Not a picture (`media_refused`)", body = ErrorBody),
        Moderation,
        RateLimited,
        SignedIn,
    )
)]
async fn set_group_picture(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, which)): ApiPath<(String, String)>,
    form: Multipart,
) -> Result<Json<PictureView>> {
    let which = GroupPicture::parse(&which).ok_or(Error::NotFound("route"))?;
    let up = upload_of(&s, &user, form).await?;
    media::set_group_picture(&s.ctx, &user, &handle, which, Some(up)).await?;
    let g = crate::domain::groups::find_by_handle(&s.ctx, &handle).await?;
    Ok(Json(PictureView {
        path: rules::group_picture_path(&g, which),
    }))
}

/// Take a group's icon or banner away (its moderators)
#[utoipa::path(
    delete,
    path = "/groups/{handle}/{picture}",
    tag = TAG,
    operation_id = "removeGroupPicture",
    security(("bearer" = [])),
    params(HandlePath, ("picture" = String, Path, description = "`icon` or `banner`")),
    responses((status = 204, description = "Taken away"), Moderation, SignedIn)
)]
async fn remove_group_picture(
    State(s): State<AppState>,
    Auth(user): Auth,
    ApiPath((handle, which)): ApiPath<(String, String)>,
) -> Result<StatusCode> {
    let which = GroupPicture::parse(&which).ok_or(Error::NotFound("route"))?;
    media::set_group_picture(&s.ctx, &user, &handle, which, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
