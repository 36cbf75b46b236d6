//! A real OpenID provider for the single sign-on tests: `tests/oidc/provider.mjs`, panva's
//! `oidc-provider` (a certified implementation, from npm) on a loopback port, with one client
//! whose redirect URI is the test server's callback, any login name accepted (its claims made
//! from the name), consent granted, and a switch that makes it issue a tampered ID token.
//!
//! Needs Node.js and `npm ci` in `tests/oidc` (`.ci/run` does both); without them the tests
//! are skipped, saying so, on a developer's machine, and fail under CI (`CI=true`).

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use crate::config::{Config, OidcProviderConfig};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc");

/// The client the provider knows.
pub const CLIENT_ID: &str = "test-client";
/// Its secret.
pub const CLIENT_SECRET: &str = "test-secret";

/// A running provider; stopped when dropped.
pub struct OidcProvider {
    /// Its issuer URL (`http://127.0.0.1:PORT`).
    pub issuer: String,
    child: Child,
}

fn available() -> bool {
    std::path::Path::new(DIR)
        .join("node_modules/oidc-provider")
        .exists()
        && Command::new("node")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

impl OidcProvider {
    /// Starts a provider whose client redirects to `redirect_uri`; `None` (after saying why)
    /// when Node.js or the package is missing on a developer's machine.
    pub fn start(redirect_uri: &str) -> Option<Self> {
        if !available() {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "the SSO tests need Node.js and `npm ci` in tests/oidc; .ci/run does both"
            );
            eprintln!("SKIPPED: this SSO test needs Node.js and `npm ci --prefix tests/oidc`");
            return None;
        }
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(DIR)
            .env("PORT", "0")
            .env("REDIRECT_URI", redirect_uri)
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("SKIP_CONSENT", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the OpenID provider");
        let stdout = child.stdout.take().expect("the provider's output");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .expect("read the provider's output");
        // The provider logs to standard output later too: keep reading, or its next line
        // would fail on a closed pipe and stop it.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let issuer = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("the OpenID provider did not start: {line:?}"))
            .to_string();
        Some(Self { issuer, child })
    }

    /// The provider as `[[oidc]]` names it, with id `id`.
    pub fn config(&self, id: &str) -> OidcProviderConfig {
        OidcProviderConfig {
            id: id.into(),
            name: "Example Corp".into(),
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            scopes: vec!["email".into(), "profile".into()],
            username_claim: "preferred_username".into(),
            email_domains: vec![],
            link_by_email: false,
        }
    }

    /// Adds this provider to `config` as `id`.
    pub fn configure(&self, config: &mut Config, id: &str) {
        config.oidc.push(self.config(id));
    }

    /// From now on the provider's ID tokens are tampered with: `wrong_aud`, `expired`,
    /// `wrong_iss`, `bad_sig` (signed by another key), `wrong_nonce`; `none` to stop.
    pub async fn tamper(&self, mode: &str) {
        let r = reqwest::Client::new()
            .post(format!("{}/__test/mode", self.issuer))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("mode={mode}"))
            .send()
            .await
            .expect("the provider answers");
        assert!(r.status().is_success());
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
