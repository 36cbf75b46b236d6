//! A real S3-compatible server for the media tests: moto's server mode (`moto[server]` from
//! PyPI) on a loopback port, with one bucket made for the test.
//!
//! Without moto the S3 tests are skipped, saying so, on a developer's machine
//! (`pip install "moto[server]"`), and fail under CI (`CI=true`), whose `.ci/run` installs it.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

/// A running moto server with a bucket.
pub struct S3Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The test's bucket.
    pub bucket: String,
    child: Child,
    _dir: tempfile::TempDir,
}

fn available() -> bool {
    Command::new("python3")
        .args(["-c", "import moto.server, flask"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl S3Server {
    /// Starts moto on a free port and makes a bucket; `None` (after saying why) when moto is
    /// missing on a developer's machine. Under CI a missing moto fails the test.
    pub async fn start() -> Option<Self> {
        crate::install_crypto_provider();
        if !available() {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "the S3 tests need python3 with moto's server (pip install \"moto[server]\"); .ci/run installs it"
            );
            eprintln!(
                "SKIPPED: this S3 test needs python3 with moto's server (pip install \"moto[server]\")"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("temporary directory");
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto");
        let endpoint = format!("http://127.0.0.1:{port}");
        let bucket = format!("cohort-test-{}", crate::domain::random_hex(4));
        let client = reqwest::Client::new();
        let made =
            crate::testing::eventually("moto to make the bucket", Duration::from_secs(30), || {
                let (client, url) = (client.clone(), format!("{endpoint}/{bucket}"));
                async move {
                    let r = client.put(&url).send().await.ok()?;
                    r.status().is_success().then_some(())
                }
            })
            .await;
        let () = made;
        Some(Self {
            endpoint,
            bucket,
            child,
            _dir: dir,
        })
    }

    /// Whether the bucket holds `key`, read from an unsigned listing (moto lists a bucket to
    /// anyone, but keeps its objects private).
    pub async fn holds(&self, key: &str) -> bool {
        let url = format!("{}/{}?list-type=2&prefix={key}", self.endpoint, self.bucket);
        let Ok(r) = reqwest::get(url).await else {
            return false;
        };
        r.text()
            .await
            .is_ok_and(|t| t.contains(&format!("<Key>{key}</Key>")))
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
