//! `steward demo`: the console with a simulated community, no platform needed. The first command
//! a new user runs: it fills `./steward-demo` (once) with 90 days of a few playground groups,
//! makes an owner `demo` with a fresh password, prints the login line and serves until Ctrl-C.

use std::time::Instant;

use chrono::{Duration, NaiveTime, Utc};
use steward_domain::{OperatorRole, Platform};
use steward_engine::{Outcome, Pipeline};
use steward_simulator::{SimConfig, Simulation};
use steward_store::{Database, StoreError};
use steward_web::passwords;
use tokio::sync::mpsc;

use crate::config::Settings;
use crate::{Exit, ExitOn, Failure, serve, start_pipeline};

pub const DEFAULT_DATA: &str = "./steward-demo";
const USER: &str = "demo";
const GROUPS: u32 = 6;
const MEMBERS: u32 = 900;

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Days of simulated history
    #[arg(long, default_value_t = 90)]
    pub days: u32,
}

fn failure(error: impl std::fmt::Display) -> Failure {
    Failure {
        exit: Exit::Failure,
        error: anyhow::anyhow!("{error}"),
    }
}

/// The demo's community: playground groups whose 90 days end today.
fn community(days: u32) -> Result<Simulation, Failure> {
    let today = Utc::now().date_naive().and_time(NaiveTime::MIN).and_utc();
    Simulation::new(SimConfig {
        seed: 2026,
        groups: GROUPS,
        members: MEMBERS,
        days,
        start: today - Duration::days(i64::from(days)) - Duration::hours(8),
        platform: Platform::Playground,
        account: "steward-demo".into(),
        ..SimConfig::default()
    })
    .map_err(failure)
}

/// Feeds the community through the pipeline, as a platform would, with progress on stderr.
async fn fill(pipeline: &Pipeline, simulation: Simulation) -> Result<u64, Failure> {
    let started = Instant::now();
    let (tickets, mut pending) = mpsc::channel(65_536);
    let acker = tokio::spawn(async move {
        let (mut applied, mut failed) = (0_u64, 0_u64);
        while let Some(ticket) = pending.recv().await {
            match steward_engine::Ticket::outcome(ticket).await {
                Ok(Outcome::Applied { .. }) => applied += 1,
                Ok(Outcome::Duplicate) => {}
                Err(_) => failed += 1,
            }
            if applied % 50_000 == 0 && applied > 0 {
                eprintln!("demo: {applied} events recorded");
            }
        }
        (applied, failed)
    });
    for event in simulation.events() {
        let ticket = pipeline.submit(event).await.map_err(failure)?;
        if tickets.send(ticket).await.is_err() {
            break;
        }
    }
    drop(tickets);
    let (applied, failed) = acker.await.map_err(failure)?;
    if failed > 0 {
        return Err(failure(format!("{failed} simulated events failed")));
    }
    eprintln!(
        "demo: {applied} events recorded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(applied)
}

/// Creates the demo owner, or gives the existing one a new password: it is shown only once.
fn demo_operator(database: &Database) -> Result<String, Failure> {
    let password = passwords::generate(16).map_err(failure)?;
    let hash = passwords::hash(&password).map_err(failure)?;
    match database.create_operator(USER, &hash, OperatorRole::Owner, Utc::now()) {
        Ok(_) => Ok(password),
        Err(StoreError::Conflict(_)) => {
            database
                .set_operator_password(USER, &hash)
                .exit_on(Exit::Database)?;
            Ok(password)
        }
        Err(err) => Err(Failure {
            exit: Exit::Database,
            error: err.into(),
        }),
    }
}

pub async fn run(settings: Settings, args: &DemoArgs) -> Result<(), Failure> {
    let shutdown = serve::shutdown_signal();
    let (database, pipeline, shared) = start_pipeline(&settings).await?;
    let listener = match serve::bind(&settings).await {
        Ok(listener) => listener,
        Err(failure) => {
            pipeline.shutdown().await;
            return Err(failure);
        }
    };
    let counting = database.clone();
    let events = tokio::task::spawn_blocking(move || counting.counts())
        .await
        .exit_on(Exit::Failure)?
        .exit_on(Exit::Database)?
        .events;
    if events == 0 {
        eprintln!(
            "demo: simulating {GROUPS} playground groups, {MEMBERS} members, {} days",
            args.days
        );
        let simulation = community(args.days)?;
        let titles: Vec<(String, String)> = simulation
            .groups()
            .map(|group| (group.chat.as_str().to_owned(), group.name.clone()))
            .collect();
        fill(&pipeline, simulation).await?;
        let naming = database.clone();
        tokio::task::spawn_blocking(move || {
            for (chat, title) in titles {
                naming.set_group_title(Platform::Playground.as_str(), &chat, &title)?;
            }
            Ok::<_, StoreError>(())
        })
        .await
        .exit_on(Exit::Failure)?
        .exit_on(Exit::Database)?;
    }
    let for_operator = database.clone();
    let password = tokio::task::spawn_blocking(move || demo_operator(&for_operator))
        .await
        .exit_on(Exit::Failure)??;
    println!(
        "login: http://{} user={USER} password={password}",
        settings.listen
    );
    serve::serve(shutdown, listener, database, pipeline, shared, &settings).await
}
