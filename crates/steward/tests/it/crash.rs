//! SIGKILL in the middle of a load: every acknowledged event is on disk, nothing is half applied,
//! and feeding the rest afterwards ends exactly where an uninterrupted run ends.

use std::io::{BufRead, BufReader};
use std::process::Child;
use std::time::Duration;

use steward_simulator::{SimConfig, Simulation};
use steward_store::{Cell, Database, TableDump};

use crate::{Scratch, spawn, steward, wait_with_timeout};

const GROUPS: &str = "12";
const MEMBERS: &str = "1500";
const DAYS: &str = "6";

fn simulate(scratch: &Scratch) -> std::process::Command {
    let mut command = steward();
    command.current_dir(scratch.path()).args([
        "simulate",
        "--groups",
        GROUPS,
        "--members",
        MEMBERS,
        "--days",
        DAYS,
        "--report-every",
        "100",
    ]);
    command
}

fn simulation() -> Simulation {
    Simulation::new(SimConfig {
        groups: GROUPS.parse().unwrap(),
        members: MEMBERS.parse().unwrap(),
        days: DAYS.parse().unwrap(),
        ..SimConfig::default()
    })
    .unwrap()
}

/// Every one of the first `acked` simulated events is recorded, and nothing is half applied.
fn check_nothing_acknowledged_was_lost(database: &Database, acked: u64) {
    assert_eq!(
        database.verify().unwrap(),
        Vec::<String>::new(),
        "half-applied state after SIGKILL"
    );
    let lost = simulation()
        .events()
        .take(acked as usize)
        .filter(|event| !database.has_event(&event.dedup_key()).unwrap())
        .count();
    assert_eq!(lost, 0, "{lost} of {acked} acknowledged events were lost");
}

/// Reads `acked N` lines until at least `at_least`, then kills; returns the last N read.
fn kill_after(child: &mut Child, at_least: u64) -> u64 {
    let stdout = child.stdout.take().unwrap();
    let mut acked = 0;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(count) = line.strip_prefix("acked ") {
            acked = count.parse().unwrap();
            if acked >= at_least {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    let status = wait_with_timeout(child, Duration::from_secs(10));
    assert_eq!(
        status.code(),
        None,
        "steward finished before it could be killed; make the load larger"
    );
    acked
}

/// The dump without the one column that differs between runs: when the event was received.
/// The dump without the columns that hold the wall clock: when an event was received, when an
/// action was queued (moderation queues actions for the simulated ads).
fn comparable(database: &Database) -> Vec<TableDump> {
    let mut dump = database.dump().unwrap();
    for table in &mut dump {
        let clock_columns: &[usize] = match table.table {
            "events" => &[8],
            "outbox" => &[10, 14, 15],
            _ => &[],
        };
        for row in &mut table.rows {
            for column in clock_columns {
                row.0[*column] = Cell::Null;
            }
        }
    }
    dump
}

#[test]
fn sigkill_mid_load_loses_no_acknowledged_event_and_half_applies_nothing() {
    let scratch = Scratch::new("crash");
    let mut child = spawn(&mut simulate(&scratch));
    let acked = kill_after(&mut child, 2_000);

    let database = Database::open_sqlite(&scratch.path().join("steward-data/steward.db")).unwrap();
    check_nothing_acknowledged_was_lost(&database, acked);
    let recorded = database.counts().unwrap().events;
    assert!(
        recorded as u64 >= acked,
        "{recorded} recorded < {acked} acknowledged"
    );

    // Feed everything again: the recorded part is skipped, the rest applied.
    let resumed = simulate(&scratch).output().unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(
        String::from_utf8_lossy(&resumed.stdout).contains(&format!("{recorded} already recorded"))
    );

    let clean = Scratch::new("clean");
    let uninterrupted = simulate(&clean).output().unwrap();
    assert!(uninterrupted.status.success());
    let clean_database =
        Database::open_sqlite(&clean.path().join("steward-data/steward.db")).unwrap();
    assert_eq!(comparable(&database), comparable(&clean_database));
}

#[test]
fn sigkill_mid_load_on_postgresql_loses_nothing_acknowledged() {
    let Some(test_database) = steward_store::testing::TestDatabase::postgres("crash").unwrap()
    else {
        return;
    };
    let scratch = Scratch::new("crash-pg");
    let mut child = spawn(simulate(&scratch).args(["--database", &test_database.url]));
    let acked = kill_after(&mut child, 2_000);
    let database = test_database.open().unwrap();
    check_nothing_acknowledged_was_lost(&database, acked);

    let resumed = simulate(&scratch)
        .args(["--database", &test_database.url])
        .output()
        .unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let expected = simulation().events().count() as i64;
    assert_eq!(database.counts().unwrap().events, expected);
    assert_eq!(database.verify().unwrap(), Vec::<String>::new());
}
