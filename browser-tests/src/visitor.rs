//! A browser without a browser, for the tests of pages and forms over plain HTTP.

use cohort::testing::TestApp;

/// The password every test account has.
pub const PASSWORD: &str = "a long password";

/// A browser without a browser: keeps cookies, reads the CSRF token off pages.
pub struct Visitor<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    /// The cookies it holds, by name.
    pub cookies: std::collections::BTreeMap<String, String>,
}

/// A response, read whole.
pub struct Page {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body text.
    pub body: String,
}

impl<'a> Visitor<'a> {
    /// A visitor with no cookies yet.
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Default::default(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, headers: &reqwest::header::HeaderMap) {
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
    }

    /// GET a page (as a browser: `Accept: text/html`), keeping its cookies.
    pub async fn get(&mut self, path: &str) -> Page {
        let r = self
            .http
            .get(format!("{}{path}", self.app.address))
            .header("accept", "text/html")
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        self.keep_cookies(&headers);
        Page {
            status,
            headers,
            body: r.text().await.unwrap(),
        }
    }

    /// POST a web form, keeping the cookies of the answer (redirects are not followed).
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: String = url_encode(form);
        let r = self
            .http
            .post(format!("{}{path}", self.app.address))
            .header("accept", "text/html")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", self.cookie_header())
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        self.keep_cookies(&headers);
        Page {
            status,
            headers,
            body: r.text().await.unwrap(),
        }
    }

    /// The CSRF token in the first form of `path`.
    pub async fn token(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        let marker = "name=\"csrf\" value=\"";
        let start = page
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no form on {path}"))
            + marker.len();
        page.body[start..start + 64].to_string()
    }

    /// Logs in through the form.
    pub async fn log_in(&mut self, name: &str) {
        let csrf = self.token("/login").await;
        let r = self
            .post(
                "/login",
                &[("csrf", &csrf), ("username", name), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
}

fn url_encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                k,
                v.bytes()
                    .map(|b| if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    })
                    .collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}
