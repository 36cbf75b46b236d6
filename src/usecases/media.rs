//! A person uploads a picture or a file, deletes it, sets an avatar; a moderator sets a
//! group's icon and banner or removes an upload shown in the group.
//!
//! The row is written before the bytes: a crash between the two leaves a row whose files
//! are missing (answered 404, deleted by the clean-up a day later because nothing shows it),
//! never files no row knows of.

use crate::{
    domain::{
        accounts::CurrentUser,
        groups,
        media::{self as rules, GroupPicture},
        moderation, now, random_hex,
    },
    error::{Error, Result},
    media::{Body, UploadSlot, names, process::Processed},
    services::Services,
    storage::{self, entities::media, media::NewMedia},
};

/// A file as it was sent.
#[derive(Debug, Default)]
pub struct Upload {
    /// Its bytes (spooled to disk when large).
    pub bytes: Body,
    /// The name it was sent with.
    pub name: String,
    /// Its alt text (images) or description.
    pub alt: String,
    /// Its place among its sender's uploads at once, held until it is kept or refused.
    pub slot: Option<UploadSlot>,
}

/// Checks, processes and keeps an upload of `user`'s.
pub async fn upload(s: &Services, user: &CurrentUser, up: Upload) -> Result<media::Model> {
    let alt = rules::alt(&up.alt)?;
    let name = rules::file_name(&up.name);
    if up.bytes.is_empty() {
        return Err(Error::invalid("file", "no file was sent"));
    }
    let store = s.media()?;
    rules::ensure_room(s, user.person.id, up.bytes.len()).await?;
    let processed = store.process(up.bytes).await?.map_err(rules::refused)?;
    let (kind, content_type, ext, size, files) = match processed {
        Processed::Image(i) => (
            "image",
            i.content_type,
            i.ext,
            Some((i.width, i.height)),
            vec![i.display, i.thumbnail],
        ),
        Processed::Document {
            bytes,
            content_type,
            ext,
        } => ("document", content_type, ext, None, vec![bytes]),
    };
    let total: usize = files.iter().map(Vec::len).sum();
    let key = random_hex(16);
    let row = storage::media::insert(
        &s.db,
        NewMedia {
            key: key.clone(),
            owner_id: Some(user.person.id),
            kind,
            content_type: content_type.to_string(),
            ext: ext.to_string(),
            bytes: total as i64,
            size,
            alt,
            name,
            remote: None,
        },
        now(),
    )
    .await?;
    // The quota counted with this row in it: of uploads that pass a check at once, those
    // that went over take their rows back (checked after the insert, not before it).
    if let Err(e) = rules::ensure_room(s, user.person.id, 0).await {
        storage::media::delete(&s.db, row.id).await?;
        return Err(e);
    }
    let (main, thumb) = names(&key, ext);
    let mut files = files.into_iter();
    let stored = async {
        if let Some(f) = files.next() {
            store.put(&main, f).await?;
        }
        if let Some(t) = files.next() {
            store.put(&thumb, t).await?;
        }
        Ok::<_, Error>(())
    }
    .await;
    if let Err(e) = stored {
        let _ = storage::media::delete(&s.db, row.id).await;
        let _ = store.delete(&main).await;
        return Err(e);
    }
    Ok(row)
}

/// Deletes the files of `m` from the store.
pub async fn forget_files(s: &Services, m: &media::Model) -> Result<()> {
    let store = s.media()?;
    let (main, thumb) = names(&m.key, &m.ext);
    store.delete(&main).await?;
    store.delete(&thumb).await
}

/// Its uploader deletes an upload (what showed it shows it no more); an administrator or a
/// moderator of a group that shows it removes it.
pub async fn take_down(s: &Services, user: &CurrentUser, key: &str) -> Result<()> {
    let m = storage::media::by_key(&s.db, key)
        .await?
        .filter(|m| m.remote_hash.is_none() && !m.removed)
        .ok_or(Error::NotFound("media"))?;
    rules::ensure_may_take_down(s, user, &m).await?;
    if m.owner_id == Some(user.person.id) {
        storage::media::delete(&s.db, m.id).await?;
    } else {
        storage::media::mark_removed(&s.db, m.id).await?;
        tracing::info!(key = %m.key, by = user.person.id, "upload removed");
    }
    forget_files(s, &m).await
}

/// An upload that must be a picture (avatars, icons, banners).
async fn picture(s: &Services, user: &CurrentUser, up: Upload) -> Result<media::Model> {
    let m = upload(s, user, up).await?;
    if m.kind != "image" {
        storage::media::delete(&s.db, m.id).await?;
        forget_files(s, &m).await?;
        return Err(Error::refused(
            crate::error::Code::MediaRefused,
            "not a picture (JPEG, PNG, GIF or WebP)",
        ));
    }
    Ok(m)
}

/// A person sets their avatar (`None`: takes it away).
pub async fn set_avatar(
    s: &Services,
    user: &CurrentUser,
    up: Option<Upload>,
) -> Result<Option<media::Model>> {
    let m = match up {
        Some(up) => Some(picture(s, user, up).await?),
        None => None,
    };
    storage::media::set_avatar(&s.db, user.person.id, m.as_ref().map(|m| m.id), now()).await?;
    Ok(m)
}

/// A moderator sets a group's icon or banner (`None`: takes it away).
pub async fn set_group_picture(
    s: &Services,
    user: &CurrentUser,
    handle: &str,
    which: GroupPicture,
    up: Option<Upload>,
) -> Result<Option<media::Model>> {
    let group = groups::find_by_handle(s, handle).await?;
    if !group.local {
        return Err(Error::forbidden(
            "a group elsewhere is changed on its own server",
        ));
    }
    moderation::authorize(s, user, &group).await?;
    let m = match up {
        Some(up) => Some(picture(s, user, up).await?),
        None => None,
    };
    storage::media::set_group_picture(
        &s.db,
        group.id,
        which == GroupPicture::Banner,
        m.as_ref().map(|m| m.id),
        now(),
    )
    .await?;
    Ok(m)
}

/// The hourly clean-up's part: deletes uploads nothing refers to a day after their upload,
/// and removed ones; returns how many.
pub async fn clean_up(s: &Services) -> Result<u64> {
    let before = now() - chrono::Duration::days(1);
    let mut done = 0;
    loop {
        let batch = storage::media::unused(&s.db, before, 200).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        for m in batch {
            // Linked since it was found: kept.
            if storage::media::delete_if_unused(&s.db, m.id, before).await? {
                forget_files(s, &m).await?;
                done += 1;
            }
        }
    }
}
