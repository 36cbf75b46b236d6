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
    #[cfg(feature = "bench")]
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[cfg(feature = "bench")]
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
        /// The server's inbound.workers (default: the server's default).
        #[arg(long)]
        inbound_workers: Option<usize>,
    },
    /// What pictures cost: re-encoding a 12-megapixel JPEG (one thread and every core), a
    /// burst of uploads to a real `cohort serve` with its peak memory, and serving a cached
    /// thumbnail.
    Media {
        /// Pictures re-encoded in the one-thread measurement.
        #[arg(long, default_value_t = 10)]
        encodes: usize,
        /// Uploads sent at once in the burst.
        #[arg(long, default_value_t = 20)]
        burst: usize,
        /// Clients fetching the thumbnail at once.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Seconds the thumbnail is fetched.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
    },
    /// How long the page of a post with many replies takes to make: in process (read and
    /// render) and as a whole request, on SQLite and PostgreSQL.
    Thread {
        /// PostgreSQL server to use (a database is created and dropped).
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
        postgres: String,
        /// Skip PostgreSQL.
        #[arg(long)]
        no_postgres: bool,
        /// Skip SQLite.
        #[arg(long)]
        no_sqlite: bool,
        /// Replies in the thread.
        #[arg(long, default_value_t = 500)]
        replies: usize,
        /// Measured renders.
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// The community health views on a big group (group and instance, in process and over
    /// loopback) and what the weekly rollups cost a reply write, on SQLite and PostgreSQL.
    Health {
        /// PostgreSQL server to use (a database is created and dropped).
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
        postgres: String,
        /// Skip PostgreSQL.
        #[arg(long)]
        no_postgres: bool,
        /// Skip SQLite.
        #[arg(long)]
        no_sqlite: bool,
        /// Posts in the group.
        #[arg(long, default_value_t = 100_000)]
        posts: usize,
        /// Replies in the group.
        #[arg(long, default_value_t = 1_000_000)]
        replies: usize,
        /// Instances whose people write (the home one included).
        #[arg(long, default_value_t = 20)]
        instances: usize,
        /// Measured views of each kind.
        #[arg(long, default_value_t = 50)]
        runs: usize,
        /// Measured reply writes of each path (half with the rollups on).
        #[arg(long, default_value_t = 2000)]
        writes: usize,
    },
    /// Full-text search on a made-up corpus (a Zipf-like vocabulary, 20 instances): time to
    /// index it, 1,000 mixed searches (p50/p95), and what the index's upkeep costs a reply.
    Search {
        /// PostgreSQL server to use (a database is created and dropped).
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
        postgres: String,
        /// Skip PostgreSQL.
        #[arg(long)]
        no_postgres: bool,
        /// Skip SQLite.
        #[arg(long)]
        no_sqlite: bool,
        /// Posts and replies in the corpus on SQLite.
        #[arg(long, default_value_t = 200_000)]
        sqlite_docs: usize,
        /// Posts and replies in the corpus on PostgreSQL.
        #[arg(long, default_value_t = 1_000_000)]
        postgres_docs: usize,
        /// Instances whose people write (the home one included).
        #[arg(long, default_value_t = 20)]
        instances: usize,
        /// Measured searches.
        #[arg(long, default_value_t = 1000)]
        queries: usize,
        /// Measured reply writes (half with the index's upkeep on).
        #[arg(long, default_value_t = 400)]
        writes: usize,
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
    /// Set a new password for a local account and sign it out everywhere. The password is
    /// asked for twice at the terminal, or read from the first line of standard input.
    ResetPassword {
        /// Account name.
        name: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Stop federating with an instance: its activities are refused, its actors and posts
    /// are not fetched, and nothing is delivered to it. A host blocks its subdomains too;
    /// host:port blocks that port only. Running servers honour it within seconds.
    BlockInstance {
        /// The instance: example.org, example.org:8443, or a URL or handle on it.
        host: String,
        /// Why (shown by `admin federation`).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Federate with a blocked instance again.
    UnblockInstance {
        /// The host as it was blocked.
        host: String,
    },
    /// Sign-ups waiting for approval (registration.mode = "approval"), with their answers.
    Applications,
    /// Approve a waiting sign-up: the account can log in from now on.
    Approve {
        /// The account name.
        name: String,
    },
    /// Reject a waiting sign-up: the account is removed.
    Reject {
        /// The account name.
        name: String,
    },
    /// Make a single-use invitation (registration.mode = "invite"); prints its code.
    Invite {
        /// Days it stays valid.
        #[arg(long, default_value_t = 7)]
        days: i64,
    },
    /// Federate with an instance under `federation.policy = "allowlist"` (a host allows its
    /// subdomains too; host:port allows that port only).
    AllowInstance {
        /// The instance: example.org, example.org:8443, or a URL or handle on it.
        host: String,
    },
    /// Take an instance off the allowlist.
    DisallowInstance {
        /// The host as it was allowed.
        host: String,
    },
    /// Every other instance known here: people, groups, followers, deliveries, blocks.
    Federation {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run the hourly clean-up now: expired sessions, received activity ids (kept 30 days),
    /// sent activities (90 days) and delivered queue rows.
    Purge {
        /// Remove received and sent activities older than DAYS instead (at least 7, the
        /// delivery queue's retention).
        #[arg(long, value_name = "DAYS")]
        older_than: Option<i64>,
    },
    /// Write a consistent backup of the database while the server runs: a SQLite file
    /// (VACUUM INTO), or for PostgreSQL a pg_dump custom-format archive (needs pg_dump).
    /// Then the media: copied into FILE.media/ from the disk store, or, for an S3 bucket,
    /// what to do. Never overwrites FILE.
    Backup {
        /// Where to write it.
        file: PathBuf,
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
    /// Show the inbound queue: activities waiting to be acted on, and those parked after
    /// their last attempt or refused while acted on (newest first).
    Inbound {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// First put this parked activity (its number in the list) back in the queue.
        /// Repeatable.
        #[arg(long, value_name = "ID")]
        retry: Vec<i64>,
        /// First forget this parked or refused activity. Repeatable.
        #[arg(long, value_name = "ID")]
        drop: Vec<i64>,
    },
    /// Accounts linked to single sign-on providers.
    Identities {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Unlinks an account from a single sign-on provider (its next sign-in there is a
    /// sign-up, or a link by address where the provider is trusted for that).
    UnlinkIdentity {
        /// The account's name.
        username: String,
        /// The provider's id in the configuration.
        provider: String,
    },
    /// Addresses whose mail bounced after the relay took it (delivery status notices that
    /// came back later): no more notices or digests to them, and their waiting mails are
    /// given up, until the person sets or confirms an address again.
    MailBounced {
        /// The addresses.
        #[arg(required = true)]
        addresses: Vec<String>,
    },
    /// The outgoing mail: how many wait, were sent and failed, and the newest mails.
    Mail {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// The new password: from standard input with `--password-stdin`, else asked at the terminal.
fn read_password(from_stdin: bool) -> cohort::Result<String> {
    cli::read_password(if from_stdin {
        PasswordSource::Stdin
    } else {
        PasswordSource::Prompt
    })
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

fn main() -> ExitCode {
    keep_large_blocks_out_of_the_heap();
    run()
}

/// glibc's malloc serves a block of 128 KiB or more with its own `mmap`, given back to the
/// system when it is freed, but each time such a block is freed it raises that threshold to
/// the block's size (up to 32 MB). After one picture has been decoded, the buffers of the next
/// ones (an upload, the scaled copies) come from its arenas, one per thread, which keep what
/// they once held: a burst of 20 uploads left the server at 415 MB instead of 160 MB. Setting
/// the threshold turns that adjustment off (`MALLOC_MMAP_THRESHOLD_` in the environment, if
/// set, is left to decide).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_blocks_out_of_the_heap() {
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: mallopt sets one of the allocator's parameters under its own lock; it is
        // called before any other thread of this process exists.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_blocks_out_of_the_heap() {}

#[tokio::main]
async fn run() -> ExitCode {
    let cli = Cli::parse();
    cohort::install_crypto_provider();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cohort: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    #[cfg(feature = "bench")]
    let config = {
        let mut config = config;
        if matches!(cli.command, Command::Bench(_)) {
            // The figures are the output; the server under test logs on its own.
            config.log.filter = "warn".into();
        }
        config
    };
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
        }) => match read_password(password_stdin) {
            Ok(password) => cli::create_user(&config, &name, &password, admin)
                .await
                .map(|ap_id| println!("created {name} ({ap_id})")),
            Err(e) => Err(e),
        },
        #[cfg(feature = "bench")]
        Command::Bench(BenchCommand::Federation {
            postgres,
            no_postgres,
            no_sqlite,
            destinations,
            activities,
            actors,
            concurrency,
            delivery_concurrency,
            inbound_workers,
        }) => {
            cohort::bench::federation(cohort::bench::Options {
                sqlite: !no_sqlite,
                postgres: (!no_postgres).then_some(postgres),
                destinations,
                activities,
                actors,
                concurrency: concurrency.max(1),
                delivery_concurrency,
                inbound_workers,
            })
            .await
        }
        #[cfg(feature = "bench")]
        Command::Bench(BenchCommand::Media {
            encodes,
            burst,
            concurrency,
            seconds,
        }) => {
            cohort::bench::media::run(cohort::bench::media::Options {
                encodes,
                burst,
                concurrency,
                seconds,
            })
            .await
        }
        #[cfg(feature = "bench")]
        Command::Bench(BenchCommand::Thread {
            postgres,
            no_postgres,
            no_sqlite,
            replies,
            runs,
        }) => {
            cohort::bench::thread::run(cohort::bench::thread::Options {
                sqlite: !no_sqlite,
                postgres: (!no_postgres).then_some(postgres),
                replies,
                runs: runs.max(1),
            })
            .await
        }
        #[cfg(feature = "bench")]
        Command::Bench(BenchCommand::Health {
            postgres,
            no_postgres,
            no_sqlite,
            posts,
            replies,
            instances,
            runs,
            writes,
        }) => {
            cohort::bench::health::run(cohort::bench::health::Options {
                sqlite: !no_sqlite,
                postgres: (!no_postgres).then_some(postgres),
                posts: posts.max(1),
                replies,
                instances: instances.max(1),
                runs: runs.max(1),
                writes: writes.max(2),
            })
            .await
        }
        #[cfg(feature = "bench")]
        Command::Bench(BenchCommand::Search {
            postgres,
            no_postgres,
            no_sqlite,
            sqlite_docs,
            postgres_docs,
            instances,
            queries,
            writes,
        }) => {
            cohort::bench::search::run(cohort::bench::search::Options {
                sqlite: (!no_sqlite).then_some(sqlite_docs.max(10)),
                postgres: (!no_postgres).then_some((postgres, postgres_docs.max(10))),
                instances: instances.max(1),
                queries: queries.max(1),
                writes: writes.max(20),
            })
            .await
        }
        Command::Admin(AdminCommand::ResetPassword {
            name,
            password_stdin,
        }) => match read_password(password_stdin) {
            Ok(password) => cli::reset_password(&config, &name, &password)
                .await
                .map(|n| println!("password of {name} changed; {n} session(s) ended")),
            Err(e) => Err(e),
        },
        Command::Admin(AdminCommand::BlockInstance { host, reason }) => {
            cli::block_instance(&config, &host, reason.as_deref())
                .await
                .map(|(host, new)| {
                    if new {
                        println!("blocked {host}");
                    } else {
                        println!("{host} was already blocked");
                    }
                })
        }
        Command::Admin(AdminCommand::UnblockInstance { host }) => {
            cli::unblock_instance(&config, &host)
                .await
                .map(|host| println!("unblocked {host}"))
        }
        Command::Admin(AdminCommand::Applications) => {
            cli::applications(&config).await.map(|list| {
                if list.is_empty() {
                    println!("no sign-ups wait for approval");
                }
                for a in list {
                    println!(
                        "{}\t{}\t{}\t{}",
                        a.username,
                        a.email.unwrap_or_else(|| "-".into()),
                        a.created_at.format("%Y-%m-%d %H:%M"),
                        a.answer.unwrap_or_default().replace('\n', " ")
                    );
                }
            })
        }
        Command::Admin(AdminCommand::Approve { name }) => cli::decide(&config, &name, true)
            .await
            .map(|()| println!("approved {name}")),
        Command::Admin(AdminCommand::Reject { name }) => cli::decide(&config, &name, false)
            .await
            .map(|()| println!("rejected {name}; the account is removed")),
        Command::Admin(AdminCommand::Invite { days }) => {
            cli::invite(&config, days).await.map(|code| {
                println!("{code}");
                eprintln!("single use, valid {days} day(s): sign up with \"invite\": \"{code}\"");
            })
        }
        Command::Admin(AdminCommand::AllowInstance { host }) => cli::allow_instance(&config, &host)
            .await
            .map(|(host, new)| {
                if new {
                    println!("allowed {host}");
                } else {
                    println!("{host} was already allowed");
                }
                if config.federation.policy != cohort::config::FederationPolicy::Allowlist {
                    println!(
                        "note: federation.policy is not \"allowlist\"; the allowlist is not applied"
                    );
                }
            }),
        Command::Admin(AdminCommand::DisallowInstance { host }) => {
            cli::disallow_instance(&config, &host)
                .await
                .map(|host| println!("{host} is no longer allowed"))
        }
        Command::Admin(AdminCommand::Federation { json }) => {
            cli::federation_report(&config).await.map(|r| {
                if json {
                    println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
                } else {
                    print!("{}", cli::format_federation_report(&r));
                }
            })
        }
        Command::Admin(AdminCommand::Purge { older_than }) => cli::purge(&config, older_than)
            .await
            .map(|p| println!("purged {p}")),
        Command::Admin(AdminCommand::Backup { file }) => cli::backup(&config, &file)
            .await
            .map(|said| println!("{said}")),
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
        Command::Admin(AdminCommand::Inbound { json, retry, drop }) => {
            cli::inbound(&config, &retry, &drop).await.map(|r| {
                if json {
                    println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
                } else {
                    print!("{}", cli::format_inbound_report(&r));
                }
            })
        }
        Command::Admin(AdminCommand::Identities { json }) => {
            cli::identities(&config).await.map(|list| {
                if json {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&list).unwrap_or_default()
                    );
                } else {
                    for i in list {
                        println!(
                            "{}\t{}\t{}\t{}\t{}",
                            i.username,
                            i.provider,
                            i.subject,
                            i.email.as_deref().unwrap_or("-"),
                            i.last_login_at.format("%Y-%m-%d %H:%M")
                        );
                    }
                }
            })
        }
        Command::Admin(AdminCommand::UnlinkIdentity { username, provider }) => {
            cli::unlink_identity(&config, &username, &provider)
                .await
                .map(|()| eprintln!("{username} is no longer linked to {provider}"))
        }
        Command::Admin(AdminCommand::MailBounced { addresses }) => {
            cli::mail_bounced(&config, &addresses).await.map(|rows| {
                for (address, accounts, mails) in rows {
                    println!(
                        "{address}: {accounts} account(s) stop getting mail, {mails} waiting mail(s) given up"
                    );
                }
            })
        }
        Command::Admin(AdminCommand::Mail { json }) => cli::mail_report(&config).await.map(|r| {
            if json {
                println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                print!("{}", cli::format_mail_report(&r));
            }
        }),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cohort: {e}");
            ExitCode::FAILURE
        }
    }
}
