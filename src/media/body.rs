//! An upload's bytes as they arrive. The first [`SPOOL_AT`] bytes stay in memory; a larger
//! file goes on to an unnamed temporary file (`tempfile::tempfile`: removed by the kernel when
//! it is closed, by a crash too; `TMPDIR` says where). Uploads waiting for a core to decode them so hold disk, not
//! memory: a burst of large uploads costs one decoded picture per core, however many wait.

use std::io::{Read, Seek, SeekFrom};

use tokio::io::AsyncWriteExt;

/// Kept in memory up to here.
pub const SPOOL_AT: usize = 256 * 1024;

/// The bytes of one upload, in memory or spooled to disk.
#[derive(Debug, Default)]
pub struct Body {
    memory: Vec<u8>,
    file: Option<tokio::fs::File>,
    len: u64,
    /// The temporary directory refused a file: this one stays in memory.
    in_memory: bool,
}

impl From<Vec<u8>> for Body {
    fn from(memory: Vec<u8>) -> Self {
        Self {
            len: memory.len() as u64,
            memory,
            file: None,
            in_memory: false,
        }
    }
}

impl From<bytes::Bytes> for Body {
    fn from(bytes: bytes::Bytes) -> Self {
        Vec::from(bytes).into()
    }
}

impl Body {
    /// Adds `chunk` at the end, moving what is in memory to a temporary file once it passes
    /// [`SPOOL_AT`].
    pub async fn push(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.len += chunk.len() as u64;
        if self.file.is_none() && self.memory.len() + chunk.len() <= SPOOL_AT {
            self.memory.extend_from_slice(chunk);
            return Ok(());
        }
        if self.file.is_none() && !self.in_memory {
            match tokio::task::spawn_blocking(tempfile::tempfile)
                .await
                .map_err(std::io::Error::other)?
            {
                Ok(file) => {
                    let mut file = tokio::fs::File::from_std(file);
                    file.write_all(&std::mem::take(&mut self.memory)).await?;
                    self.file = Some(file);
                }
                // No writable temporary directory: the upload is still taken, in memory.
                Err(e) => {
                    tracing::warn!(
                        error = %e,
                        dir = %std::env::temp_dir().display(),
                        "uploads cannot be spooled to the temporary directory (set TMPDIR)"
                    );
                    self.in_memory = true;
                }
            }
        }
        match &mut self.file {
            Some(file) => file.write_all(chunk).await?,
            None => self.memory.extend_from_slice(chunk),
        }
        Ok(())
    }

    /// Its length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing came.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether it went to disk.
    pub fn spooled(&self) -> bool {
        self.file.is_some()
    }

    /// Finishes writing; after this the bytes can be read on a blocking thread.
    pub async fn finish(self) -> std::io::Result<Finished> {
        Ok(Finished {
            memory: self.memory,
            file: match self.file {
                Some(mut file) => {
                    file.flush().await?;
                    Some(file.into_std().await)
                }
                None => None,
            },
            len: self.len,
        })
    }
}

/// A [`Body`] whose writing is done.
#[derive(Debug)]
pub struct Finished {
    memory: Vec<u8>,
    file: Option<std::fs::File>,
    len: u64,
}

impl Finished {
    /// All its bytes, read from the temporary file if it went there. Blocking.
    pub fn read(self) -> std::io::Result<Vec<u8>> {
        let Some(mut file) = self.file else {
            return Ok(self.memory);
        };
        let mut bytes = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
        file.seek(SeekFrom::Start(0))?;
        file.read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_large_body_goes_to_disk_and_comes_back_whole() {
        let data: Vec<u8> = (0..SPOOL_AT * 3).map(|i| (i % 251) as u8).collect();
        let mut body = Body::default();
        for chunk in data.chunks(10_000) {
            body.push(chunk).await.unwrap();
        }
        assert!(body.spooled());
        assert_eq!(body.len(), data.len() as u64);
        let read = body.finish().await.unwrap().read().unwrap();
        assert!(read == data, "the spooled bytes differ");

        let mut small = Body::default();
        small.push(b"small").await.unwrap();
        assert!(!small.spooled());
        assert_eq!(small.finish().await.unwrap().read().unwrap(), b"small");
    }
}
