//! Single sign-on with OpenID Connect: the network side (discovery, the code exchange, the ID
//! token's checks) with the `openidconnect` crate; the rules (who may sign in, linking,
//! sign-up) are in `domain::sso`.
//!
//! Each configured provider is discovered from its issuer's metadata at its first use, and
//! again after an hour or a failure (so a provider that is down when Cohort starts does not
//! stop it). The flow is the authorization code flow with PKCE (S256), `state` and `nonce`:
//! [`Providers::begin`] stores them (`sso_logins`, under the state's hash) and answers the
//! provider's authorization URL; [`Providers::finish`] takes the row by the returned state
//! (once: a replayed callback finds nothing), exchanges the code with the verifier, and has
//! `openidconnect` check the ID token's signature (the provider's JWKS), issuer, audience,
//! expiry and nonce. No redirects are followed, and every request has a timeout.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use chrono::Duration as Span;
use openidconnect::{
    AsyncHttpClient, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest,
    HttpResponse, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata},
};
use tokio::sync::Mutex;

use crate::{
    config::OidcProviderConfig,
    domain::{Ctx, hex, now, sso::Verified},
    error::{Code, Error, Result},
    storage,
};

/// How long a sign-in may take at the provider.
pub const LOGIN_MINUTES: i64 = 10;
/// How long discovered metadata is kept.
const METADATA_KEPT: Duration = Duration::from_secs(3600);
/// The claims a new account's name may be proposed from.
pub const USERNAME_CLAIMS: &[&str] = &["preferred_username", "email", "nickname", "name", "sub"];

/// `openidconnect`'s HTTP client trait over our reqwest.
#[derive(Clone)]
struct Http(reqwest::Client);

/// A failed request to the provider.
#[derive(Debug)]
struct HttpError(String);

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

impl<'c> AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future =
        Pin<Box<dyn Future<Output = std::result::Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request =
                reqwest::Request::try_from(request).map_err(|e| HttpError(e.to_string()))?;
            let response = self
                .0
                .execute(request)
                .await
                .map_err(|e| HttpError(chain(&e)))?;
            let mut built = http::Response::builder()
                .status(response.status())
                .version(response.version());
            for (name, value) in response.headers() {
                built = built.header(name, value);
            }
            // Metadata, keys and token responses are small; a huge answer is refused.
            let body = response
                .bytes()
                .await
                .map_err(|e| HttpError(e.to_string()))?;
            if body.len() > 256 * 1024 {
                return Err(HttpError("the provider's answer is over 256 KiB".into()));
            }
            built
                .body(body.to_vec())
                .map_err(|e| HttpError(e.to_string()))
        })
    }
}

/// One configured provider and its discovered metadata.
struct Provider {
    config: OidcProviderConfig,
    metadata: Mutex<Option<(tokio::time::Instant, CoreProviderMetadata)>>,
}

/// The configured providers.
#[derive(Default)]
pub struct Providers {
    list: Vec<Provider>,
    http: Option<Http>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.list.iter().map(|p| &p.config.id))
            .finish()
    }
}

/// An error with its causes, `a: b: c`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn refused(message: impl Into<String>) -> Error {
    Error::refused(Code::SsoRefused, message)
}

fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(token.as_bytes()))
}

impl Providers {
    /// The providers of `config`, with a client that follows no redirects.
    pub fn new(config: &[OidcProviderConfig]) -> Result<Arc<Self>> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Cohort/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            // Sign-ins are rare: a fresh connection each time, never one the provider may
            // have closed meanwhile (a POST on it would fail with a reset, not be retried).
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| Error::Internal(format!("SSO HTTP client: {e}")))?;
        Ok(Arc::new(Self {
            list: config
                .iter()
                .map(|c| Provider {
                    config: c.clone(),
                    metadata: Mutex::new(None),
                })
                .collect(),
            http: Some(Http(http)),
        }))
    }

    /// `(id, name)` of each provider, for the log-in page's buttons.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.list
            .iter()
            .map(|p| (p.config.id.clone(), p.config.name.clone()))
            .collect()
    }

    /// The configuration of provider `id`.
    pub fn config(&self, id: &str) -> Option<&OidcProviderConfig> {
        self.find(id).ok().map(|p| &p.config)
    }

    fn find(&self, id: &str) -> Result<&Provider> {
        self.list
            .iter()
            .find(|p| p.config.id == id)
            .ok_or(Error::NotFound("sign-in provider"))
    }

    fn http(&self) -> Result<&Http> {
        self.http
            .as_ref()
            .ok_or_else(|| Error::Internal("no SSO HTTP client".into()))
    }

    async fn metadata(&self, p: &Provider) -> Result<CoreProviderMetadata> {
        let mut cached = p.metadata.lock().await;
        if let Some((at, m)) = cached.as_ref()
            && at.elapsed() < METADATA_KEPT
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(p.config.issuer.clone())
            .map_err(|e| Error::Internal(format!("issuer {}: {e}", p.config.issuer)))?;
        let m = CoreProviderMetadata::discover_async(issuer, self.http()?)
            .await
            .map_err(|e| {
                Error::Upstream(format!(
                    "{} cannot be reached for sign-in now: {e}",
                    p.config.name
                ))
            })?;
        *cached = Some((tokio::time::Instant::now(), m.clone()));
        Ok(m)
    }

    fn redirect_url(ctx: &Ctx, id: &str) -> Result<RedirectUrl> {
        RedirectUrl::new(format!(
            "{}/login/sso/{id}/callback",
            ctx.instance.base_url()
        ))
        .map_err(|e| Error::Internal(format!("redirect URL: {e}")))
    }

    /// The client of provider `p`, from its (cached) metadata, redirecting to our callback.
    async fn client(
        &self,
        ctx: &Ctx,
        p: &Provider,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
    > {
        let metadata = self.metadata(p).await?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(p.config.client_id.clone()),
            Some(ClientSecret::new(p.config.client_secret.clone())),
        )
        .set_redirect_uri(Self::redirect_url(ctx, &p.config.id)?))
    }

    /// Starts a sign-in with provider `id`: returns the provider's authorization URL and the
    /// `state` (the caller binds it to the browser with a cookie).
    pub async fn begin(&self, ctx: &Ctx, id: &str, next: &str) -> Result<(String, String)> {
        let p = self.find(id)?;
        let client = self.client(ctx, p).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &p.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let t = now();
        storage::sso::begin(
            &ctx.db,
            storage::sso::NewLogin {
                state_hash: token_hash(state.secret()),
                provider: id.to_string(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                next: next.to_string(),
                now: t,
                expires: t + Span::minutes(LOGIN_MINUTES),
            },
        )
        .await?;
        Ok((url.to_string(), state.secret().clone()))
    }

    /// Ends a sign-in at the callback: takes the sign-in under way by `state` (once), trades
    /// `code` for tokens and checks the ID token. Every failure is a refusal that says what
    /// was wrong, and nothing is stored.
    pub async fn finish(&self, ctx: &Ctx, id: &str, state: &str, code: &str) -> Result<Verified> {
        let p = self.find(id)?;
        let login = storage::sso::take(&ctx.db, &token_hash(state), now())
            .await?
            .filter(|l| l.provider == id && l.subject.is_none())
            .ok_or_else(|| {
                refused(
                    "this sign-in is unknown, used or expired: start again from the log-in page",
                )
            })?;
        let client = self.client(ctx, p).await?;
        let exchange = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| refused(format!("{} has no token endpoint: {e}", p.config.name)))?
            .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier.clone()));
        let tokens = exchange.request_async(self.http()?).await.map_err(|e| {
            refused(format!(
                "{} did not accept the sign-in: {}",
                p.config.name,
                chain(&e)
            ))
        })?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| refused(format!("{} sent no ID token", p.config.name)))?;
        let claims = id_token
            .claims(
                &client.id_token_verifier(),
                &Nonce::new(login.nonce.clone()),
            )
            .map_err(|e| {
                refused(format!(
                    "the ID token from {} was refused: {e}",
                    p.config.name
                ))
            })?;
        let email = claims
            .email()
            .map(|e| e.as_str().trim().to_ascii_lowercase());
        let name_claim = match p.config.username_claim.as_str() {
            "preferred_username" => claims.preferred_username().map(|u| u.as_str().to_string()),
            "email" => email.clone(),
            "nickname" => claims
                .nickname()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
            "name" => claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
            _ => Some(claims.subject().as_str().to_string()),
        };
        Ok(Verified {
            provider: id.to_string(),
            subject: claims.subject().as_str().to_string(),
            email,
            email_verified: claims.email_verified().unwrap_or(false),
            name_claim,
            next: login.next,
        })
    }
}
