//! The application: `Application::build` connects and migrates the database and binds the
//! listener; `run` serves until stopped. Tests build it on port 0 with a fresh database.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use activitypub_federation::{config::FederationConfig, resolver::ValidatingDnsResolver};
use tokio::net::TcpListener;

use crate::services::Services;
use crate::{
    config::Config,
    domain::{Ctx, Instance},
    error::{Error, Result},
    http::{self, Shared},
    storage,
};

/// A built, not yet running, Cohort server.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    ctx: Services,
    federation: FederationConfig<Services>,
    body_limit: usize,
    client: reqwest::Client,
    delivery: crate::config::DeliveryConfig,
    inbound: crate::config::InboundConfig,
    mail: crate::config::MailConfig,
    debug: bool,
}

/// The HTTP client for everything Cohort fetches or sends. No redirects are followed blindly
/// and, outside debug mode, names that resolve to loopback, private, link-local or other
/// internal addresses are refused before connecting.
fn http_client(debug: bool) -> Result<reqwest::Client> {
    let timeout = Duration::from_secs(10);
    reqwest::Client::builder()
        .user_agent(concat!(
            "Cohort/",
            env!("CARGO_PKG_VERSION"),
            " (ActivityPub)"
        ))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .dns_resolver(ValidatingDnsResolver::new(vec![], !debug))
        .build()
        .map_err(|e| Error::Internal(format!("HTTP client: {e}")))
}

impl Application {
    /// Binds `config.listen`, then builds as [`Application::build_on`].
    pub async fn build(config: Config) -> Result<Self> {
        let listener = TcpListener::bind(&config.listen)
            .await
            .map_err(|e| Error::Internal(format!("cannot listen on {}: {e}", config.listen)))?;
        Self::build_on(config, listener).await
    }

    /// Connects the database, applies pending migrations and prepares to serve on `listener`.
    pub async fn build_on(config: Config, listener: TcpListener) -> Result<Self> {
        crate::install_crypto_provider();
        if config.federation.debug {
            tracing::warn!(
                "FEDERATION DEBUG MODE: ids use http:// and loopback/private peers are allowed. \
                 Never run a public instance like this."
            );
        }
        let db = storage::connect(&config.database).await?;
        let applied = storage::migrate(&db).await?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        let (language, tokenizer) = (&config.search.language, &config.search.sqlite_tokenizer);
        if storage::search::configure(&db, language, tokenizer)
            .await
            .map_err(|e| {
                Error::Internal(format!(
                    "search language {language:?} / tokenizer {tokenizer:?}: {e}"
                ))
            })?
        {
            tracing::info!(
                language,
                tokenizer,
                "search index rebuilt for a new language"
            );
        }
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Internal(format!("listener has no address: {e}")))?;
        let mut instance = Instance::from_config(&config);
        instance.media_key = crate::media::remote::derive_key(
            &crate::domain::keys::instance(&Ctx::new(db.clone(), instance.clone())).await?,
        );
        let mut ctx = Services::new(Ctx::new(db, instance));
        ctx.sso = crate::sso::Providers::new(&config.oidc)?;
        let client = http_client(config.federation.debug)?;
        let mut media = crate::media::Media::from_config(&config.media, &config.database.url)?;
        media.client = Some(client.clone());
        ctx.media_store = Some(Arc::new(media));
        ctx.inbound.set_max_backlog(config.inbound.max_backlog);
        let instance_actor = crate::federation::actors::InstanceActor::load(&ctx).await?;
        let federation = FederationConfig::builder()
            .domain(config.domain.to_ascii_lowercase())
            .app_data(ctx.clone())
            .debug(config.federation.debug)
            .client(client.clone().into())
            .http_fetch_limit(50)
            .signed_fetch_actor(&instance_actor)
            .build()
            .await
            .map_err(|e| Error::Internal(format!("federation config: {e}")))?;
        Ok(Self {
            listener,
            addr,
            ctx,
            federation,
            body_limit: config.http.body_limit,
            client,
            delivery: config.delivery.clone(),
            inbound: config.inbound.clone(),
            mail: config.mail.clone(),
            debug: config.federation.debug,
        })
    }

    /// The bound port (useful when the configuration asked for port 0).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The context (rules, caches, counters), for tests and commands that act directly.
    pub fn ctx(&self) -> &Services {
        &self.ctx
    }

    /// The HTTP application this server answers with (a test walks its routes).
    pub fn router(&self) -> axum::Router {
        http::router(Arc::new(Shared {
            ctx: self.ctx.clone(),
            federation: self.federation.clone(),
            body_limit: self.body_limit,
        }))
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests.
    pub async fn run(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = self.router();
        let who = format!("{}/{}", self.addr, std::process::id());
        let housekeeping = tokio::spawn(crate::maintenance::run(self.ctx.clone(), who.clone()));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mailer = match crate::mail::Mailer::from_config(&self.mail, &self.ctx.instance.domain) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "the mail relay is misconfigured: no mail is sent");
                None
            }
        };
        let mail = tokio::spawn(crate::mail::run(
            self.ctx.clone(),
            mailer,
            who.clone(),
            stopped.clone(),
        ));
        let delivery = tokio::spawn(crate::delivery::run(
            self.ctx.clone(),
            self.client.clone(),
            self.delivery.clone(),
            self.debug,
            stopped.clone(),
        ));
        crate::inbox::queue::start_writer(&self.ctx);
        let inbound = tokio::spawn(crate::inbox::queue::work(
            self.federation.to_request_data(),
            self.inbound.clone(),
            stopped,
        ));
        tracing::info!(
            "listening on http://{} as {}",
            self.addr,
            self.ctx.instance.base_url()
        );
        let result = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        housekeeping.abort();
        // Let in-flight deliveries finish and be recorded, so a restart repeats none.
        let _ = stop.send(true);
        let _ = inbound.await;
        let _ = delivery.await;
        let _ = mail.await;
        result
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
