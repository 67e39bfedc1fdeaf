//! `steward simulate`: a seeded community fed through the same pipeline a platform uses. Prints
//! `acked N` as acknowledgements arrive (each one means N events are committed), then a summary.

use std::io::Write;
use std::time::Instant;

use steward_engine::{Outcome, PipelineError, Ticket};
use steward_simulator::{SimConfig, Simulation};
use tokio::sync::mpsc;

use crate::config::Settings;
use crate::{Exit, ExitOn, Failure, start_pipeline};

#[derive(Debug, Clone, clap::Args)]
pub struct SimulateArgs {
    /// Number of groups
    #[arg(long, default_value_t = 20)]
    pub groups: u32,
    /// Number of distinct members over all groups
    #[arg(long, default_value_t = 2_000)]
    pub members: u32,
    /// Number of days of history
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// Seed: the same seed gives the same community
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Feed only this day (0-based) of the simulation
    #[arg(long)]
    pub day: Option<u32>,
    /// Print `acked N` after every N acknowledged events
    #[arg(long, default_value_t = 10_000)]
    pub report_every: u64,
}

impl SimulateArgs {
    pub fn sim_config(&self) -> SimConfig {
        SimConfig {
            seed: self.seed,
            groups: self.groups,
            members: self.members,
            days: self.days,
            ..SimConfig::default()
        }
    }
}

#[derive(Debug, Default)]
struct Tally {
    acked: u64,
    applied: u64,
    duplicates: u64,
    failed: u64,
    first_error: Option<String>,
}

pub async fn run(settings: &Settings, args: &SimulateArgs) -> Result<(), Failure> {
    let simulation = Simulation::new(args.sim_config()).map_err(|err| Failure {
        exit: Exit::Config,
        error: anyhow::anyhow!("simulation: {err}"),
    })?;
    if let Some(day) = args.day
        && day >= args.days
    {
        return Err(Failure {
            exit: Exit::Config,
            error: anyhow::anyhow!("--day {day} is outside the {} simulated days", args.days),
        });
    }
    let (_, pipeline, _) = start_pipeline(settings).await?;

    let started = Instant::now();
    let (tickets, mut pending) = mpsc::channel::<Ticket>(65_536);
    let report_every = args.report_every.max(1);
    let acker = tokio::spawn(async move {
        let mut tally = Tally::default();
        let mut stdout = std::io::stdout();
        while let Some(ticket) = pending.recv().await {
            match ticket.outcome().await {
                Ok(Outcome::Applied { .. }) => tally.applied += 1,
                Ok(Outcome::Duplicate) => tally.duplicates += 1,
                Err(err) => {
                    tally.failed += 1;
                    tally.first_error.get_or_insert_with(|| err.to_string());
                }
            }
            tally.acked += 1;
            if tally.acked % report_every == 0 {
                let _ = writeln!(stdout, "acked {}", tally.acked);
                let _ = stdout.flush();
            }
        }
        tally
    });

    let mut submit_error: Option<PipelineError> = None;
    let events: Box<dyn Iterator<Item = steward_domain::Event> + '_> = match args.day {
        Some(day) => Box::new(simulation.day(day).into_iter()),
        None => Box::new(simulation.events()),
    };
    for event in events {
        match pipeline.submit(event).await {
            Ok(ticket) => {
                if tickets.send(ticket).await.is_err() {
                    break;
                }
            }
            Err(err) => {
                submit_error = Some(err);
                break;
            }
        }
    }
    drop(tickets);
    let tally = acker.await.exit_on(Exit::Failure)?;
    pipeline.shutdown().await;
    let seconds = started.elapsed().as_secs_f64();
    println!("acked {}", tally.acked);
    println!(
        "simulated {} events: {} new, {} already recorded, {} failed, in {seconds:.1} s ({:.0} events/s)",
        tally.acked,
        tally.applied,
        tally.duplicates,
        tally.failed,
        tally.acked as f64 / seconds.max(1e-9)
    );
    if let Some(err) = submit_error {
        return Err(Failure {
            exit: Exit::Failure,
            error: err.into(),
        });
    }
    if let Some(error) = tally.first_error {
        return Err(Failure {
            exit: Exit::Failure,
            error: anyhow::anyhow!("{} events failed; the first: {error}", tally.failed),
        });
    }
    Ok(())
}
