//! The forms that set pictures: one's avatar (settings) and a group's icon and banner (the
//! moderators' edit page). Pictures in posts and replies go through the compose forms
//! (`groups::attach_to_draft`).

use axum::extract::State;
use serde::Deserialize;

use super::{
    accounts::{is_user_error, settings_page},
    render::PageResult,
    session::{WebPath, WebUpload, done},
};
use crate::{domain::media::GroupPicture, error::Error, http::AppState, usecases::media};

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
