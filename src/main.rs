//! The `cohort` command. Thin: parses arguments, loads configuration, calls the library.

use std::{io::IsTerminal, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use cohort::{
    Application, Config,
    cli::{self, PasswordSource},
    config::LogFormat,
};
use tracing_subscriber::EnvFilter;

/// Cohort: a federated community server for peer learning.
///
/// Each organisation runs its own instance; groups federate posts and replies with other
/// instances (and Mastodon, Lemmy and the wider fediverse) over ActivityPub.
///
/// Configuration comes from ./cohort.toml (or --config FILE) and COHORT_* environment
/// variables; see cohort.example.toml for every key and its default.
#[derive(Parser)]
#[command(name = "cohort", version, about, long_about)]
struct Cli {
    /// Read configuration from FILE instead of ./cohort.toml.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server. Applies pending migrations first. With no configuration it stores
    /// data in ./cohort.db and listens on 127.0.0.1:8080 as localhost:8080.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administration tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Benchmarks: measured figures, printed (build with --release).
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Signing backends, a fan-out to many instances, the idle wake-up, and inbound
    /// activities per second, against a real `cohort serve` on SQLite and PostgreSQL.
    Federation {
        /// PostgreSQL server to use (a database is created and dropped).
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
        postgres: String,
        /// Skip PostgreSQL.
        #[arg(long)]
        no_postgres: bool,
        /// Skip SQLite.
        #[arg(long)]
        no_sqlite: bool,
        /// Instances following the group in the fan-out.
        #[arg(long, default_value_t = 1000)]
        destinations: usize,
        /// Signed activities in the inbound run.
        #[arg(long, default_value_t = 20_000)]
        activities: usize,
        /// Remote actors sending them.
        #[arg(long, default_value_t = 100)]
        actors: usize,
        /// Inbound requests in flight.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// The server's delivery.concurrency (default: the server's default).
        #[arg(long)]
        delivery_concurrency: Option<usize>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a local account, even when registration is closed. The password is asked for
    /// twice at the terminal, or read from the first line of standard input.
    CreateUser {
        /// Account name: 3 to 32 characters of a-z, 0-9 and _.
        name: String,
        /// Make the account an instance administrator.
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show the outgoing delivery queue: how many deliveries are pending, the oldest one,
    /// and every destination that is failing or marked unreachable.
    Queue {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// First make this destination (an inbox URL) due now, restarting its back-off and
        /// lifting "unreachable". Repeatable.
        #[arg(long, value_name = "INBOX")]
        retry: Vec<String>,
        /// First make every failing or unreachable destination due now.
        #[arg(long, conflicts_with = "retry")]
        retry_failing: bool,
    },
}

fn init_logging(config: &Config) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.filter));
    // Logs go to stderr, so that a command's output (`admin queue --json`) stays clean.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match config.log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    cohort::install_crypto_provider();
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cohort: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if matches!(cli.command, Command::Bench(_)) {
        // The figures are the output; the server under test logs on its own.
        config.log.filter = "warn".into();
    }
    init_logging(&config);
    let outcome = match cli.command {
        Command::Serve => match Application::build(config).await {
            Ok(app) => app
                .run()
                .await
                .map_err(|e| cohort::Error::Internal(e.to_string())),
            Err(e) => Err(e),
        },
        Command::Migrate => cli::migrate(&config)
            .await
            .map(|n| println!("applied {n} migration(s)")),
        Command::Admin(AdminCommand::CreateUser {
            name,
            admin,
            password_stdin,
        }) => {
            let source = if password_stdin {
                PasswordSource::Stdin
            } else {
                PasswordSource::Prompt
            };
            match cli::read_password(source) {
                Ok(password) => cli::create_user(&config, &name, &password, admin)
                    .await
                    .map(|ap_id| println!("created {name} ({ap_id})")),
                Err(e) => Err(e),
            }
        }
        Command::Bench(BenchCommand::Federation {
            postgres,
            no_postgres,
            no_sqlite,
            destinations,
            activities,
            actors,
            concurrency,
            delivery_concurrency,
        }) => {
            cohort::bench::federation(cohort::bench::Options {
                sqlite: !no_sqlite,
                postgres: (!no_postgres).then_some(postgres),
                destinations,
                activities,
                actors,
                concurrency: concurrency.max(1),
                delivery_concurrency,
            })
            .await
        }
        Command::Admin(AdminCommand::Queue {
            json,
            retry,
            retry_failing,
        }) => {
            let retried = if retry_failing || !retry.is_empty() {
                cli::queue_retry(&config, &retry)
                    .await
                    .map(|n| eprintln!("{n} destination(s) due now"))
            } else {
                Ok(())
            };
            match retried {
                Ok(()) => cli::queue_report(&config).await.map(|r| {
                    if json {
                        println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
                    } else {
                        print!("{}", cli::format_queue_report(&r));
                    }
                }),
                Err(e) => Err(e),
            }
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cohort: {e}");
            ExitCode::FAILURE
        }
    }
}
