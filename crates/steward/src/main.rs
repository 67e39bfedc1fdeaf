//! The `steward` binary: reads the configuration, wires the store, the pipeline and the web
//! server together, and turns failures into clear messages and exit codes.

mod backtest;
mod bench;
mod config;
mod demo;
mod detector;
mod ingest;
mod loadgen;
mod operator;
mod serve;
mod simulate;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use steward_engine::features::Shared;
use steward_store::Database;

use crate::config::{CommonArgs, Settings};

#[derive(Debug, Parser)]
#[command(
    name = "steward",
    version,
    about = "Community operations: the bot in your groups and the console behind them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the bot and the web server (production mode)
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long, env = "STEWARD_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// The console with a simulated community, no platform needed (data in ./steward-demo)
    Demo {
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long, env = "STEWARD_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        options: demo::DemoArgs,
    },
    /// Feed a simulated community through the pipeline into the database
    Simulate {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        options: simulate::SimulateArgs,
    },
    /// Feed events from a JSON-lines file (Steward's event format) through the pipeline
    Ingest {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        options: ingest::IngestArgs,
    },
    /// Manage the console's operators (the first owner is made here)
    Operator {
        #[command(flatten)]
        common: CommonArgs,
        #[command(subcommand)]
        command: operator::OperatorCommand,
    },
    /// Apply the database migrations and list them
    Migrate {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Check that the stored state agrees with the event log
    Verify {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Measure the pipeline: messages per second, latency, memory
    Bench(bench::BenchArgs),
    /// Play a OneBot v11 implementation against a running Steward and measure the answers
    Loadgen(loadgen::LoadgenArgs),
    /// Run moderation rules over stored history without acting; report what they would catch
    Backtest {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        options: backtest::BacktestArgs,
    },
    /// Score the ad detectors on a labelled file: precision, recall, F1, false-positive rate
    EvalDetector(detector::EvalArgs),
    /// Train an ad model from labelled files (how the shipped model is made)
    TrainDetector(detector::TrainArgs),
}

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy)]
enum Exit {
    /// Anything else.
    Failure = 1,
    /// A bad configuration file, flag or environment variable.
    Config = 2,
    /// The database cannot be reached, opened or migrated.
    Database = 3,
    /// The listen address is in use or not allowed.
    Listen = 4,
}

/// An error and the exit code it maps to.
#[derive(Debug)]
struct Failure {
    exit: Exit,
    error: anyhow::Error,
}

trait ExitOn<T> {
    fn exit_on(self, exit: Exit) -> Result<T, Failure>;
}

impl<T, E: Into<anyhow::Error>> ExitOn<T> for Result<T, E> {
    fn exit_on(self, exit: Exit) -> Result<T, Failure> {
        self.map_err(|error| Failure {
            exit,
            error: error.into(),
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { exit, error }) => {
            eprintln!("steward: {error:#}");
            ExitCode::from(exit as u8)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .exit_on(Exit::Failure)?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve { listen, common } => {
                let settings =
                    Settings::resolve(&common, listen.as_deref()).exit_on(Exit::Config)?;
                init_logging(&settings.log);
                serve::run(settings).await
            }
            Command::Demo {
                listen,
                common,
                options,
            } => {
                let settings =
                    Settings::resolve_with_data(&common, listen.as_deref(), demo::DEFAULT_DATA)
                        .exit_on(Exit::Config)?;
                init_logging(&settings.log);
                demo::run(settings, &options).await
            }
            Command::Simulate { common, options } => {
                let settings = Settings::resolve(&common, None).exit_on(Exit::Config)?;
                init_logging(&settings.log);
                simulate::run(&settings, &options).await
            }
            Command::Ingest { common, options } => {
                let settings = Settings::resolve(&common, None).exit_on(Exit::Config)?;
                init_logging(&settings.log);
                ingest::run(&settings, &options).await
            }
            Command::Operator { common, command } => {
                let settings = Settings::resolve(&common, None).exit_on(Exit::Config)?;
                init_logging(&settings.log);
                operator::run(&settings, command).await
            }
            Command::Migrate { common } => {
                let settings = Settings::resolve(&common, None).exit_on(Exit::Config)?;
                init_logging(&settings.log);
                let database = open_database(&settings).await?;
                let described = database.backend().describe();
                let migrations = tokio::task::spawn_blocking(move || database.migrations())
                    .await
                    .exit_on(Exit::Failure)?
                    .exit_on(Exit::Database)?;
                for (version, name) in migrations {
                    println!("{version:04} {name}");
                }
                println!("database {described} is up to date");
                Ok(())
            }
            Command::Verify { common } => {
                let settings = Settings::resolve(&common, None).exit_on(Exit::Config)?;
                init_logging(&settings.log);
                let database = open_existing_database(&settings).await?;
                let problems = tokio::task::spawn_blocking(move || database.verify())
                    .await
                    .exit_on(Exit::Failure)?
                    .exit_on(Exit::Database)?;
                if problems.is_empty() {
                    println!("consistent");
                    Ok(())
                } else {
                    for problem in &problems {
                        println!("{problem}");
                    }
                    Err(Failure {
                        exit: Exit::Failure,
                        error: anyhow::anyhow!("{} inconsistencies found", problems.len()),
                    })
                }
            }
            Command::Bench(args) => {
                init_logging("warn");
                bench::run(&args).await
            }
            Command::Loadgen(args) => {
                init_logging("warn");
                loadgen::run(&args).await
            }
            Command::Backtest { common, options } => {
                let settings = Settings::resolve(&common, None).exit_on(Exit::Config)?;
                init_logging(&settings.log);
                backtest::run(&settings, &options).await
            }
            Command::EvalDetector(args) => {
                tokio::task::spawn_blocking(move || detector::eval(&args))
                    .await
                    .exit_on(Exit::Failure)?
            }
            Command::TrainDetector(args) => {
                tokio::task::spawn_blocking(move || detector::train(&args))
                    .await
                    .exit_on(Exit::Failure)?
            }
        }
    })
}

/// [`open_database`] for commands that read what is stored (`backtest`, `verify`): a SQLite
/// file that is not there is a mistyped path, not a database to create (it would report
/// nothing, and leave an empty database behind).
async fn open_existing_database(settings: &Settings) -> Result<Arc<Database>, Failure> {
    if let Ok(steward_store::Backend::Sqlite(path)) =
        steward_store::Backend::parse(&settings.database_url)
        && !path.exists()
    {
        return Err(Failure {
            exit: Exit::Database,
            error: anyhow::anyhow!(
                "no database at {}: give --data or --database of one that `steward serve`, \
                 `demo` or `simulate` wrote",
                path.display()
            ),
        });
    }
    open_database(settings).await
}

/// Opens the database off the async threads (the drivers block) and applies migrations.
async fn open_database(settings: &Settings) -> Result<Arc<Database>, Failure> {
    let url = settings.database_url.clone();
    let durability = settings.durability;
    let database = tokio::task::spawn_blocking(move || Database::open(&url, durability))
        .await
        .exit_on(Exit::Failure)?
        .exit_on(Exit::Database)?;
    Ok(Arc::new(database))
}

/// Opens the database and starts the pipeline with the configured features. The ad model in
/// force is the shipped one, fine-tuned by the samples operators marked in the console.
async fn start_pipeline(
    settings: &Settings,
) -> Result<(Arc<Database>, steward_engine::Pipeline, Shared), Failure> {
    let database = open_database(settings).await?;
    let shared = Shared::default();
    let moderation = Arc::clone(&shared.moderation);
    let samples_from = Arc::clone(&database);
    tokio::task::spawn_blocking(move || {
        steward_web::moderation::retrain(&samples_from, &moderation)
    })
    .await
    .exit_on(Exit::Failure)?
    .exit_on(Exit::Database)?;
    let pipeline = steward_engine::Pipeline::start(
        Arc::clone(&database),
        steward_engine::features::registry(&settings.features, &shared),
        &settings.pipeline,
    )
    .await
    .exit_on(Exit::Database)?;
    Ok((database, pipeline, shared))
}

fn init_logging(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    use std::io::IsTerminal;
    // Colour only for a person at a terminal, not in a service manager's log files.
    let _ = tracing_subscriber::fmt()
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// A directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(prefix: &str) -> std::io::Result<TempDir> {
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros()
        ));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
