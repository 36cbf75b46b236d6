//! A real SMTP server for the mail tests: `tests/smtp/sink.py`, which runs aiosmtpd (from
//! PyPI) on a loopback port and writes each accepted message, parsed by Python's `email`
//! package, as JSON. It can be stopped and started again on the same port (a relay outage).
//!
//! Without `python3` and `aiosmtpd` the mail tests are skipped, saying so, on a developer's
//! machine (`pip install aiosmtpd`), and fail under CI (`CI=true`), whose `.ci/run` installs it.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::Value;

use crate::config::{Config, MailSecurity};

const SINK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/sink.py");

/// A running (or stopped) SMTP sink.
pub struct SmtpSink {
    /// Its loopback port.
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// Whether `python3` can import aiosmtpd.
fn available() -> bool {
    Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl SmtpSink {
    /// Starts a sink on a free port; `None` (after saying why) when aiosmtpd is missing on a
    /// developer's machine. Under CI a missing aiosmtpd fails the test.
    pub fn start() -> Option<Self> {
        if !available() {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "the mail tests need python3 with aiosmtpd (pip install aiosmtpd); .ci/run installs it"
            );
            eprintln!("SKIPPED: this mail test needs python3 with aiosmtpd (pip install aiosmtpd)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut sink = Self {
            port,
            dir: tempfile::tempdir().expect("temporary directory"),
            child: None,
        };
        sink.resume();
        Some(sink)
    }

    /// Starts the server again after [`SmtpSink::stop`] (same port, same messages).
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "the sink is running");
        let mut child = Command::new("python3")
            .arg(SINK)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("the sink's output");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the sink's output");
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
        self.child = Some(child);
    }

    /// Stops the server (the relay is down until [`SmtpSink::resume`]).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Points `config` at this sink: plain SMTP on loopback, quick retries.
    pub fn configure(&self, config: &mut Config) {
        config.mail.smtp_host = "127.0.0.1".into();
        config.mail.smtp_port = self.port;
        config.mail.security = MailSecurity::None;
        config.mail.timeout_seconds = 5;
        config.mail.retry_seconds = 1;
        config.mail.from = "Cohort Test <cohort@localhost>".into();
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter_map(|t| serde_json::from_str(&t).ok())
            .collect()
    }

    /// The messages to `address`, oldest first.
    pub fn to(&self, address: &str) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| {
                m["rcpt_tos"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|a| a == address))
            })
            .collect()
    }

    /// Waits up to 20 s until `address` has received `n` messages; returns them.
    pub async fn wait_for(&self, address: &str, n: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.to(address);
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{address} received {} message(s), not {n}: {:#?}",
                got.len(),
                self.messages()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The first link in `text` that starts with `prefix`.
pub fn link(text: &str, prefix: &str) -> Option<String> {
    let at = text.find(prefix)?;
    Some(
        text[at..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<' && *c != '>')
            .collect(),
    )
}
