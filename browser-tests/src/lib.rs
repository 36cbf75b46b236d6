//! A small WebDriver (W3C) client over `reqwest`, driving Debian's `chromium` through
//! `chromedriver`, for testing the web interface as a person uses it.
//!
//! Each [`Browser`] starts its own `chromedriver` on a free port with a fresh profile
//! directory, so tests run in parallel and share nothing. Without Chromium a test is
//! skipped, saying so loudly, on a developer's machine, and fails under CI (`CI=true`,
//! which `.ci/run` is run with; it installs Chromium); `SKIP_BROWSER_TESTS=1` skips them
//! outside CI.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

pub mod checks;
pub mod visitor;

use base64::Engine;
use serde_json::{Value, json};

/// Where screenshots are written (one PNG per name).
pub fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots"));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// The Chromium binary and its driver.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The WebDriver server for it.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Whether a browser test runs, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Chromium is here: run.
    Run,
    /// Skipped because `SKIP_BROWSER_TESTS=1` asked for it.
    Asked,
    /// Skipped because Chromium or its driver is missing on a developer's machine.
    Missing,
    /// Chromium is missing under CI (`CI=true`): a failure, never a skip.
    Fail,
}

/// What to do, from the environment: `ci` (`CI=true`), `asked` (`SKIP_BROWSER_TESTS=1`)
/// and whether Chromium and chromedriver are installed.
pub fn decide(ci: bool, asked: bool, installed: bool) -> Decision {
    match (installed, ci, asked) {
        (_, false, true) => Decision::Asked,
        (true, _, _) => Decision::Run,
        (false, true, _) => Decision::Fail,
        (false, false, false) => Decision::Missing,
    }
}

/// True when browser tests should be skipped, said loudly (straight to the terminal, past
/// the test harness's capture): asked for with `SKIP_BROWSER_TESTS=1`, or Chromium missing
/// on a developer's machine. Under CI (`CI=true`) a missing browser fails the test.
pub fn skip() -> bool {
    use std::io::Write;
    let installed = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let asked = std::env::var("SKIP_BROWSER_TESTS").is_ok_and(|v| v == "1");
    let say = |why: &str| {
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED a browser test: {why}. Install them with \
             `apt-get install chromium chromium-driver` to run it (.ci/run does). ***"
        );
    };
    match decide(ci, asked, installed) {
        Decision::Run => false,
        Decision::Asked => {
            say("SKIP_BROWSER_TESTS=1 asked for it");
            true
        }
        Decision::Missing => {
            say(&format!("{CHROMIUM} or {CHROMEDRIVER} is not installed"));
            true
        }
        Decision::Fail => panic!(
            "browser tests need {CHROMIUM} and {CHROMEDRIVER} under CI (apt-get install \
             chromium chromium-driver; .ci/run installs them)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_browser_is_skipped_on_a_developers_machine_and_fails_under_ci() {
        assert_eq!(decide(false, false, true), Decision::Run);
        assert_eq!(decide(true, false, true), Decision::Run);
        assert_eq!(decide(false, false, false), Decision::Missing);
        assert_eq!(decide(false, true, false), Decision::Asked);
        assert_eq!(decide(false, true, true), Decision::Asked);
        assert_eq!(decide(true, false, false), Decision::Fail);
        assert_eq!(decide(true, true, false), Decision::Fail, "CI never skips");
        assert_eq!(decide(true, true, true), Decision::Run, "CI never skips");
    }
}

/// The password the tests give everyone (`TestApp::user`'s).
pub const PASSWORD: &str = "a long password";

/// The key code WebDriver uses for Tab.
pub const TAB: &str = "\u{E004}";
/// The key code WebDriver uses for Enter.
pub const ENTER: &str = "\u{E007}";

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One headless Chromium, driven over WebDriver.
pub struct Browser {
    driver: tokio::process::Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

/// An element on the current page.
#[derive(Clone)]
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Starts chromedriver and a Chromium session with a `width`×`height` window;
    /// `javascript` false turns scripts off (to check pages work without them).
    pub async fn start(width: u32, height: u32, javascript: bool) -> Self {
        let port = free_port();
        let driver = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("HTTP client");
        let started = Instant::now();
        loop {
            let ready = http.get(format!("{base}/status")).send().await;
            if let Ok(r) = ready
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile directory");
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--hide-scrollbars".into(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={width},{height}"),
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".into());
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("new session")
            .json()
            .await
            .expect("session JSON");
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        let b = Self {
            driver,
            base,
            session,
            http,
            _profile: profile,
        };
        b.call(
            "POST",
            "window/rect",
            json!({"width": width, "height": height}),
        )
        .await;
        b
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        self.try_call(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    async fn try_call(&self, method: &str, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}/session/{}/{path}", self.base, self.session);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let r = req.send().await.map_err(|e| e.to_string())?;
        let ok = r.status().is_success();
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        if ok {
            Ok(v["value"].clone())
        } else {
            Err(v["value"].to_string())
        }
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.call("POST", "url", json!({"url": url})).await;
    }

    /// The address of the current page.
    pub async fn url(&self) -> String {
        self.call("GET", "url", json!({}))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The page's title.
    pub async fn title(&self) -> String {
        self.call("GET", "title", json!({}))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The first element matching `css`, waiting up to 10 s for it to appear.
    pub async fn find(&self, css: &str) -> Element<'_> {
        let started = Instant::now();
        loop {
            if let Ok(v) = self
                .try_call(
                    "POST",
                    "element",
                    json!({"using": "css selector", "value": css}),
                )
                .await
                && let Some(id) = v[ELEMENT].as_str()
            {
                return Element {
                    browser: self,
                    id: id.to_string(),
                };
            }
            if started.elapsed() > Duration::from_secs(10) {
                let page = self.text("body").await;
                panic!(
                    "no element {css:?} on {} ({}): {page}",
                    self.url().await,
                    self.title().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every element matching `css` now.
    pub async fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let v = self
            .call(
                "POST",
                "elements",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str())
                    .map(|id| Element {
                        browser: self,
                        id: id.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        match self
            .try_call(
                "POST",
                "element",
                json!({"using": "css selector", "value": css}),
            )
            .await
        {
            // The page may change between finding and reading (a navigation): then nothing.
            Ok(v) => match v[ELEMENT].as_str() {
                Some(id) => self
                    .try_call("GET", &format!("element/{id}/text"), json!({}))
                    .await
                    .ok()
                    .and_then(|t| t.as_str().map(str::to_string))
                    .unwrap_or_default(),
                None => String::new(),
            },
            Err(_) => String::new(),
        }
    }

    /// Waits until the page's body text contains `needle` (reloading every `reload` if
    /// given, for content arriving from elsewhere), or panics after `deadline`.
    pub async fn wait_for_text(&self, needle: &str, deadline: Duration, reload: bool) {
        let started = Instant::now();
        loop {
            if self.text("body").await.contains(needle) {
                return;
            }
            if started.elapsed() > deadline {
                panic!(
                    "{needle:?} did not appear on {}: {}",
                    self.url().await,
                    self.text("body").await
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            if reload {
                self.call("POST", "refresh", json!({})).await;
            }
        }
    }

    /// The element that has the keyboard focus.
    pub async fn active(&self) -> Element<'_> {
        let v = self.call("GET", "element/active", json!({})).await;
        Element {
            browser: self,
            id: v[ELEMENT].as_str().unwrap_or_default().to_string(),
        }
    }

    /// Types keys into whatever has the focus.
    pub async fn press(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                [
                    json!({"type": "keyDown", "value": c.to_string()}),
                    json!({"type": "keyUp", "value": c.to_string()}),
                ]
            })
            .collect();
        self.call(
            "POST",
            "actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await;
        self.call("DELETE", "actions", json!({})).await;
    }

    /// Runs `script` in the page and returns its result.
    pub async fn eval(&self, script: &str) -> Value {
        self.call(
            "POST",
            "execute/sync",
            json!({"script": script, "args": []}),
        )
        .await
    }

    /// Saves a PNG of the viewport as `<screenshot_dir>/<name>.png`; returns the path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let v = self.call("GET", "screenshot", json!({})).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("a base64 screenshot");
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        eprintln!("screenshot: {}", path.display());
        path
    }

    /// Logs in as `name` (password [`PASSWORD`]) on the instance at `base`, and waits for
    /// the page to show the handle.
    pub async fn log_in(&self, base: &str, name: &str) {
        self.goto(&format!("{base}/login")).await;
        self.fill("#username", name).await;
        self.fill("#password", PASSWORD).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        self.wait_for_text(&format!("@{name}"), Duration::from_secs(10), false)
            .await;
    }

    /// Makes pages see `prefers-color-scheme: dark` (or light), through the DevTools
    /// protocol that chromedriver passes on.
    pub async fn color_scheme(&self, dark: bool) {
        self.call(
            "POST",
            "goog/cdp/execute",
            json!({"cmd": "Emulation.setEmulatedMedia", "params": {"features": [
                {"name": "prefers-color-scheme", "value": if dark { "dark" } else { "light" }}
            ]}}),
        )
        .await;
    }

    /// Resizes the window.
    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "window/rect",
            json!({"width": width, "height": height}),
        )
        .await;
    }

    /// The browser console's messages since the last call (Chromium reports Content
    /// Security Policy violations and script errors there).
    pub async fn console(&self) -> Vec<String> {
        self.try_call("POST", "se/log", json!({"type": "browser"}))
            .await
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["level"].as_str().unwrap_or(""),
                    e["message"].as_str().unwrap_or("")
                )
            })
            .collect()
    }

    /// Fills the field `css` with `text` (replacing what is there).
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await;
        e.type_text(text).await;
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.start_kill();
    }
}

impl Element<'_> {
    /// Its WebDriver id (equal ids: the same element).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Clicks it (scrolling it into view).
    pub async fn click(&self) {
        self.browser
            .call("POST", &format!("element/{}/click", self.id), json!({}))
            .await;
    }

    /// Types into it.
    pub async fn type_text(&self, text: &str) {
        self.browser
            .call(
                "POST",
                &format!("element/{}/value", self.id),
                json!({"text": text}),
            )
            .await;
    }

    /// Empties a field.
    pub async fn clear(&self) {
        self.browser
            .call("POST", &format!("element/{}/clear", self.id), json!({}))
            .await;
    }

    /// Its visible text.
    pub async fn text(&self) -> String {
        self.browser
            .call("GET", &format!("element/{}/text", self.id), json!({}))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// An attribute's value.
    pub async fn attr(&self, name: &str) -> Option<String> {
        self.browser
            .call(
                "GET",
                &format!("element/{}/attribute/{name}", self.id),
                json!({}),
            )
            .await
            .as_str()
            .map(str::to_string)
    }

    /// A computed CSS property.
    pub async fn css(&self, name: &str) -> String {
        self.browser
            .call("GET", &format!("element/{}/css/{name}", self.id), json!({}))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}
