//! Cohort: a federated community server for peer learning across organisations.
//!
//! The layout follows the architecture: [`domain`] holds the rules, [`storage`] the database,
//! [`http`] the API, [`app`] wires them into a server. See `ARCHITECTURE.md`.
//!
//! Test support (`testing`, `harness`, `fuzzing`) is compiled only with the `testing` feature,
//! and the benchmarks (`bench`) only with the `bench` feature: the release binary holds neither.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod app;
#[cfg(feature = "bench")]
pub mod bench;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod federation;
#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "testing")]
pub mod harness;
pub mod http;
pub mod i18n;
pub mod inbox;
pub mod mail;
pub mod maintenance;
pub mod media;
pub mod metrics;
pub mod services;
pub mod sso;
pub mod storage;
// Unit tests (`#[cfg(test)]`) use its test key even when the feature is off.
#[cfg(any(test, feature = "testing"))]
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
