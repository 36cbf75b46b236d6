//! What the page benchmarks share: a `cohort serve` in this process on a fresh database
//! (SQLite in a temporary directory, or a new PostgreSQL database), with no rate limits, one
//! signed-in member and the group `bench` they made.

use std::time::Duration;

use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use crate::{
    Application, Config,
    domain::{accounts, groups},
    error::Result,
    harness,
    services::Services,
};

/// A running server and its seed.
pub struct Seeded {
    /// The server's services (database, instance).
    pub ctx: Services,
    /// Its loopback port.
    pub port: u16,
    /// The member's session token.
    pub token: String,
    /// The member.
    pub user: accounts::CurrentUser,
    url: String,
    _dir: tempfile::TempDir,
    stop: oneshot::Sender<()>,
    server: JoinHandle<()>,
}

impl Seeded {
    /// Starts the server (on PostgreSQL at `postgres`, else SQLite) and seeds `username`
    /// (an administrator when `admin`) and the group `bench`.
    pub async fn start(postgres: Option<&str>, username: &str, admin: bool) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = harness::create_database(postgres, dir.path()).await?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let mut config = Config {
            listen: format!("127.0.0.1:{port}"),
            domain: format!("localhost:{port}"),
            ..Config::default()
        };
        config.database.url = url.clone();
        config.federation.debug = true;
        config.limits.posts_per_minute = 0;
        config.limits.logins_per_minute = 0;
        let app = Application::build_on(config, listener).await?;
        let ctx = app.ctx().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = app
                .run_until(async move {
                    let _ = stopped.await;
                })
                .await;
        });

        let password = "a long benchmark password";
        accounts::create(&ctx, username, password, admin).await?;
        let token = accounts::login(
            &ctx,
            accounts::Credentials {
                username: username.into(),
                password: password.into(),
            },
        )
        .await?;
        let user = accounts::authenticate(&ctx, &token).await?;
        groups::create(
            &ctx,
            &user,
            groups::NewGroup {
                name: "bench".into(),
                title: "Benchmark".into(),
                description: "A busy group.".into(),
                rules: String::new(),
            },
        )
        .await?;
        Ok(Self {
            ctx,
            port,
            token,
            user,
            url,
            _dir: dir,
            stop,
            server,
        })
    }

    /// Stops the server and drops its database.
    pub async fn stop(self) -> Result<()> {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.server).await;
        harness::drop_database(&self.url).await?;
        Ok(())
    }
}
