//! Pictures and files, the adapter side: where their bytes are kept (a directory or an
//! S3-compatible bucket, both through the `object_store` crate, so several processes share
//! them) and the processing (`process`: decode, check, re-encode) run on a blocking thread,
//! at most one per core at a time, so that a burst of uploads cannot hold more decoded
//! pictures in memory than there are cores.
//!
//! What may be uploaded, by whom, and what refers to what are the rules of
//! `domain::media`; this module only keeps bytes.

pub mod body;
pub mod process;
pub mod remote;

use std::{ops::Range, sync::Arc};

use bytes::Bytes;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path};
use tokio::sync::Semaphore;

pub use body::Body;

use crate::{
    config::{MediaConfig, MediaStore},
    error::{Error, Result},
};

/// The media store of this process.
#[derive(Debug, Clone)]
pub struct Media {
    store: Arc<dyn ObjectStore>,
    /// What the store is, for logs and `admin backup`.
    pub location: String,
    /// The processing limits.
    pub limits: process::Limits,
    busy: Arc<Semaphore>,
    /// The client remote images are fetched with (the federation's: no redirects, internal
    /// addresses refused outside federation debug mode, 10 s).
    pub client: Option<reqwest::Client>,
    /// How much the cached copies of remote images may take, bytes.
    pub cache_limit: u64,
    /// Remote images that could not be fetched lately (their hash → when), not tried again
    /// for a while.
    pub(crate) failed: Arc<std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>>,
    /// Remote addresses being fetched now, by hash: a second request for one waits for the
    /// first instead of fetching it again.
    pub(crate) fetching: remote::InFlight,
    /// Uploads being read or decoded now, by person.
    uploading: Arc<std::sync::Mutex<std::collections::HashMap<i64, usize>>>,
}

/// How many of one person's uploads may be read or decoded at once; beyond, 429. Each may
/// wait on disk for its turn (`body.rs`), so this bounds what one account holds there.
pub const UPLOADS_AT_ONCE: usize = 4;

/// One of a person's [`UPLOADS_AT_ONCE`], held while the upload is read and decoded.
#[derive(Debug)]
pub struct UploadSlot {
    uploading: Arc<std::sync::Mutex<std::collections::HashMap<i64, usize>>>,
    person: i64,
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        if let Ok(mut uploading) = self.uploading.lock()
            && let Some(n) = uploading.get_mut(&self.person)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                uploading.remove(&self.person);
            }
        }
    }
}

impl Media {
    /// The store `config` names (`database_url` places the default directory).
    pub fn from_config(config: &MediaConfig, database_url: &str) -> Result<Self> {
        let (store, location): (Arc<dyn ObjectStore>, String) = match config.store {
            MediaStore::Disk => {
                let dir = config.disk_dir(database_url);
                std::fs::create_dir_all(&dir).map_err(|e| {
                    Error::Internal(format!("media directory {}: {e}", dir.display()))
                })?;
                let store = object_store::local::LocalFileSystem::new_with_prefix(&dir)
                    .map_err(|e| Error::Internal(format!("media directory: {e}")))?;
                (Arc::new(store), dir.display().to_string())
            }
            MediaStore::S3 => {
                let mut b = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(&config.s3_bucket)
                    .with_region(&config.s3_region);
                if !config.s3_endpoint.is_empty() {
                    b = b
                        .with_endpoint(&config.s3_endpoint)
                        .with_virtual_hosted_style_request(false)
                        .with_allow_http(config.s3_endpoint.starts_with("http://"));
                }
                if !config.s3_access_key_id.is_empty() {
                    b = b
                        .with_access_key_id(&config.s3_access_key_id)
                        .with_secret_access_key(&config.s3_secret_access_key);
                }
                let store = b
                    .build()
                    .map_err(|e| Error::Internal(format!("media S3 store: {e}")))?;
                (Arc::new(store), format!("s3://{}", config.s3_bucket))
            }
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            store,
            location,
            limits: process::Limits {
                max_bytes: config.max_upload_bytes,
                max_pixels: config.max_pixels,
                display: config.display_size,
                thumbnail: config.thumbnail_size,
                pdf: config.documents.iter().any(|d| d == "application/pdf"),
            },
            busy: Arc::new(Semaphore::new(cores)),
            client: None,
            cache_limit: config.remote_cache_bytes,
            failed: Default::default(),
            fetching: Default::default(),
            uploading: Default::default(),
        })
    }

    /// A place for one more of `person`'s uploads, or 429 when [`UPLOADS_AT_ONCE`] are
    /// already being read or decoded.
    pub fn slot(&self, person: i64) -> Result<UploadSlot> {
        let mut uploading = self
            .uploading
            .lock()
            .map_err(|_| Error::Internal("uploads lock".into()))?;
        let n = uploading.entry(person).or_default();
        if *n >= UPLOADS_AT_ONCE {
            return Err(Error::TooManyRequests {
                what: "uploads at once",
                retry_after: 5,
            });
        }
        *n += 1;
        Ok(UploadSlot {
            uploading: self.uploading.clone(),
            person,
        })
    }

    /// Processes `body` (see [`process::process`]) on a blocking thread, one per core. The
    /// bytes of a spooled body are read from disk only once its turn has come.
    pub async fn process(
        &self,
        body: Body,
    ) -> Result<std::result::Result<process::Processed, process::Refusal>> {
        let body = body
            .finish()
            .await
            .map_err(|e| Error::Internal(format!("an upload's temporary file: {e}")))?;
        // The permit goes with the work: a request that is cancelled (its client gone) does
        // not free a core that is still decoding for it.
        let permit = self
            .busy
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let limits = self.limits.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let bytes = body
                .read()
                .map_err(|e| Error::Internal(format!("an upload's temporary file: {e}")))?;
            Ok(process::process(&bytes, &limits))
        })
        .await
        .map_err(|e| Error::Internal(format!("media processing: {e}")))?
    }

    /// Keeps `bytes` under `name` (written whole or not at all).
    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<()> {
        self.store
            .put(&Path::from(name), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| Error::Internal(format!("media store: {e}")))
    }

    /// The size of what is kept under `name`, if anything.
    pub async fn size(&self, name: &str) -> Result<Option<u64>> {
        match self.store.head(&Path::from(name)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(Error::Internal(format!("media store: {e}"))),
        }
    }

    /// `range` of what is kept under `name`, or all of it.
    pub async fn get(&self, name: &str, range: Option<Range<u64>>) -> Result<Option<Bytes>> {
        let path = Path::from(name);
        let got = match range {
            Some(r) => self.store.get_range(&path, r).await,
            None => match self.store.get(&path).await {
                Ok(r) => r.bytes().await,
                Err(e) => Err(e),
            },
        };
        match got {
            Ok(b) => Ok(Some(b)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(Error::Internal(format!("media store: {e}"))),
        }
    }

    /// Forgets what is kept under `name` (nothing there is no error).
    pub async fn delete(&self, name: &str) -> Result<()> {
        match self.store.delete(&Path::from(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(Error::Internal(format!("media store: {e}"))),
        }
    }
}

/// The names a stored file and its thumbnail are kept under.
pub fn names(key: &str, ext: &str) -> (String, String) {
    (format!("{key}.{ext}"), format!("{key}_t.{ext}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_has_a_few_uploads_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let config = MediaConfig {
            dir: dir.path().display().to_string(),
            ..MediaConfig::default()
        };
        let media = Media::from_config(&config, "sqlite::memory:").unwrap();
        let mut held: Vec<UploadSlot> = (0..UPLOADS_AT_ONCE)
            .map(|_| media.slot(1).unwrap())
            .collect();
        assert!(matches!(media.slot(1), Err(Error::TooManyRequests { .. })));
        // Someone else is not held back; a slot given back is free again.
        assert!(media.slot(2).is_ok());
        held.pop();
        assert!(media.slot(1).is_ok());
        drop(held);
        assert!(media.uploading.lock().unwrap().is_empty());
    }
}
