//! Cohort: a federated community server for peer learning across organisations.
//!
//! The layout follows the architecture: [`domain`] holds the rules, [`storage`] the database,
//! [`http`] the API, [`app`] wires them into a server. See `ARCHITECTURE.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod app;
pub mod bench;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod federation;
#[doc(hidden)]
pub mod fuzzing;
pub mod harness;
pub mod http;
pub mod maintenance;
pub mod metrics;
pub mod storage;
pub mod testing;
pub mod usecases;

pub use app::Application;
pub use config::Config;
pub use error::{Error, Result};

/// Installs the TLS crypto provider (ring) for outgoing HTTPS, once per process. Every entry
/// point calls it; later calls do nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
