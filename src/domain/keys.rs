//! RSA key pairs of actors: every local person and group has one, made at creation, and the
//! instance (Application) actor has one, made on first use. The public key lets other servers
//! check what we sign; the private key never leaves the database.

use activitypub_federation::http_signatures::generate_actor_keypair;

use super::Ctx;
use crate::{
    error::{Error, Result},
    storage,
};

/// A PEM-encoded RSA-2048 key pair.
#[derive(Clone, Debug)]
pub struct KeyPair {
    /// SubjectPublicKeyInfo PEM.
    pub public_pem: String,
    /// PKCS#8 PEM.
    pub private_pem: String,
}

/// Makes a new RSA-2048 key pair on the blocking pool (it takes a fraction of a second of CPU).
pub async fn generate() -> Result<KeyPair> {
    tokio::task::spawn_blocking(|| {
        generate_actor_keypair()
            .map(|k| KeyPair {
                public_pem: k.public_key,
                private_pem: k.private_key,
            })
            .map_err(|e| Error::Internal(format!("key generation failed: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("key generation task failed: {e}")))?
}

/// The instance actor's keys, made and stored the first time they are needed. Several
/// processes racing here agree on one pair: the first insert wins and everyone reads it back.
pub async fn instance(ctx: &Ctx) -> Result<KeyPair> {
    if let Some(k) = storage::instance::keys(&ctx.db).await? {
        return Ok(k);
    }
    let fresh = generate().await?;
    storage::instance::insert_keys_if_absent(&ctx.db, &fresh, super::now()).await?;
    storage::instance::keys(&ctx.db)
        .await?
        .ok_or_else(|| Error::Internal("instance keys vanished after insert".into()))
}
