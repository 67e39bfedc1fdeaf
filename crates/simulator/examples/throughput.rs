//! Measures how fast the simulator generates events, since it feeds load benchmarks that need a
//! steady 20,000 messages a second and must never be the bottleneck.
//!
//! `cargo run --release -p steward-simulator --example throughput -- [groups] [members] [days]`
//! (default: 1,000 groups, 100,000 members, 3 days).

use std::process::ExitCode;
use std::time::Instant;

use steward_simulator::{SimConfig, Simulation};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let numbers: Vec<u32> = std::env::args()
        .skip(1)
        .map(|arg| {
            arg.parse()
                .map_err(|err| format!("`{arg}` is not a number: {err}"))
        })
        .collect::<Result<_, _>>()?;
    let value = |index: usize, default: u32| numbers.get(index).copied().unwrap_or(default);
    let config = SimConfig {
        groups: value(0, 1_000),
        members: value(1, 100_000),
        days: value(2, 3),
        ..SimConfig::default()
    };
    let started = Instant::now();
    let simulation = Simulation::new(config.clone())?;
    let planning = started.elapsed();

    let started = Instant::now();
    let mut events = 0u64;
    let mut messages = 0u64;
    for event in simulation.events() {
        events += 1;
        if matches!(event.kind, steward_domain::EventKind::Message { .. }) {
            messages += 1;
        }
    }
    let generating = started.elapsed();
    let seconds = generating.as_secs_f64().max(f64::EPSILON);
    println!(
        "{} groups, {} members, {} days: roster in {:.2?}; {events} events ({messages} messages) \
         in {:.2?}: {:.0} events/s",
        config.groups,
        config.members,
        config.days,
        planning,
        generating,
        events as f64 / seconds
    );
    Ok(())
}
