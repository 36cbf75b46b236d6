//! The forms that carry pictures: a file chosen on a compose form ([`attach_to_draft`],
//! [`attach`]) or dropped on one (`POST /media/upload`), one's avatar (settings) and a
//! group's icon and banner (the moderators' edit page).

use axum::{extract::State, http::StatusCode};
use serde::Deserialize;

use super::{
    accounts::{is_user_error, settings_page},
    groups::{PostForm, compose_page},
    render::PageResult,
    session::{Viewer, WebPath, WebUpload, done},
};
use crate::{
    domain::{accounts::CurrentUser, media::GroupPicture, views::GroupView},
    error::Error,
    http::AppState,
    usecases::media::{self, Upload},
};

#[derive(Debug, Deserialize)]
pub(super) struct PictureForm {
    /// `remove` takes the picture away; anything else sets the file sent.
    #[serde(default)]
    action: String,
}

/// `POST /settings/avatar`.
pub(super) async fn avatar(
    State(s): State<AppState>,
    WebUpload { viewer, data, file }: WebUpload<PictureForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let outcome = if data.action == "remove" {
        media::set_avatar(&s.ctx, &user, None).await
    } else {
        match file {
            Some(f) => media::set_avatar(&s.ctx, &user, Some(f)).await,
            None => Err(Error::invalid("file", "choose a picture")),
        }
    };
    match outcome {
        Ok(_) => Ok(done("/settings?saved=1")),
        Err(e) if is_user_error(&e) => settings_page(&s, &viewer, e.status(), None, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /g/{handle}/pictures/{which}`: a moderator sets or takes away the icon or banner.
pub(super) async fn group_picture(
    State(s): State<AppState>,
    WebPath((handle, which)): WebPath<(String, String)>,
    WebUpload { viewer, data, file }: WebUpload<PictureForm>,
) -> PageResult {
    let user = viewer.require()?.clone();
    let which = GroupPicture::parse(&which).ok_or(Error::NotFound("page"))?;
    let file = if data.action == "remove" {
        None
    } else {
        Some(file.ok_or_else(|| Error::invalid("file", "choose a picture"))?)
    };
    media::set_group_picture(&s.ctx, &user, &handle, which, file).await?;
    Ok(done(&format!(
        "/g/{}/edit",
        super::render::path_segment(&handle)
    )))
}

#[derive(Debug, Deserialize)]
pub(super) struct DroppedForm {
    /// The alt text, when the page asked for one.
    #[serde(default)]
    alt: String,
}

/// `POST /media/upload`: a picture dropped or pasted into a compose box (`static/app.js`),
/// from a signed-in page with its form's token; answers the markdown to insert as JSON.
pub(super) async fn dropped(
    State(s): State<AppState>,
    WebUpload { viewer, data, file }: WebUpload<DroppedForm>,
) -> Result<axum::Json<crate::domain::media::MediaView>, crate::error::Error> {
    let user = viewer
        .require()
        .map_err(|_| Error::Unauthenticated)?
        .clone();
    let mut up = file.ok_or_else(|| Error::invalid("file", "no file was sent"))?;
    up.alt = data.alt;
    let m = media::upload(&s.ctx, &user, up).await?;
    Ok(axum::Json(crate::domain::media::view(&s.ctx, &m)))
}

/// Puts the file chosen on a compose form into the draft: uploaded, its markdown added at
/// the end of the body, the alt text field emptied. Returns the page to show instead of
/// going on: the draft with the file in it (the "Attach" button), or the draft with the
/// reason the file was refused.
pub(super) async fn attach_to_draft(
    s: &AppState,
    viewer: &Viewer,
    user: &CurrentUser,
    group: Option<&GroupView>,
    (action, cancel): (&str, &str),
    data: &mut PostForm,
    file: Option<Upload>,
) -> Option<PageResult> {
    let attached = match attach(s, user, &mut data.body, &data.alt, file).await {
        Ok(attached) => attached,
        Err(e) if is_user_error(&e) => {
            return Some(compose_page(
                s,
                viewer,
                e.status(),
                group,
                action,
                cancel,
                data,
                false,
                Some(&e),
            ));
        }
        Err(e) => return Some(Err(e.into())),
    };
    if attached {
        data.alt.clear();
    }
    if data.action != "attach" {
        return None;
    }
    let missing = (!attached).then(|| Error::invalid("file", "choose a file to attach"));
    let status = missing.as_ref().map_or(StatusCode::OK, Error::status);
    Some(compose_page(
        s,
        viewer,
        status,
        group,
        action,
        cancel,
        data,
        attached,
        missing.as_ref(),
    ))
}

/// Uploads `file` (with `alt`) for `user` and adds its markdown to `body`; false when no
/// file was chosen.
pub(super) async fn attach(
    s: &AppState,
    user: &CurrentUser,
    body: &mut String,
    alt: &str,
    file: Option<Upload>,
) -> Result<bool, Error> {
    let Some(mut up) = file else {
        return Ok(false);
    };
    up.alt = alt.to_string();
    let m = media::upload(&s.ctx, user, up).await?;
    let markdown = crate::domain::media::view(&s.ctx, &m).markdown;
    let kept = body.trim_end().len();
    body.truncate(kept);
    if !body.is_empty() {
        body.push_str("\n\n");
    }
    body.push_str(&markdown);
    Ok(true)
}
