//! `steward backtest`: runs rules over stored history without acting, and reports what would
//! have been caught — by the rules in force, and by candidate rules if given.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use steward_engine::moderation::{
    BacktestReport, BacktestSpec, ModerationShared, Rules, Step, Tally,
};
use steward_text::Detector;

use crate::config::Settings;
use crate::detector::printable;
use crate::{Exit, ExitOn, Failure, open_existing_database};

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// First day (UTC), YYYY-MM-DD
    #[arg(long)]
    from: String,
    /// Day after the last (UTC), YYYY-MM-DD [default: tomorrow]
    #[arg(long)]
    to: Option<String>,
    /// Only these group ids (comma-separated) [default: every group]
    #[arg(long, value_delimiter = ',')]
    groups: Vec<i64>,
    /// Candidate rules to try beside the rules in force: a JSON rule document
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Print the whole report as JSON
    #[arg(long)]
    json: bool,
}

fn day(text: &str) -> anyhow::Result<DateTime<Utc>> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .with_context(|| format!("`{text}` is not a date (YYYY-MM-DD)"))?
        .and_hms_opt(0, 0, 0)
        .map(|time| time.and_utc())
        .context("not a date")
}

fn spec(args: &BacktestArgs) -> anyhow::Result<BacktestSpec> {
    let from = day(&args.from)?;
    let to = match &args.to {
        Some(to) => day(to)?,
        None => day(&(Utc::now().date_naive() + chrono::Days::new(1)).to_string())?,
    };
    if from >= to {
        match &args.to {
            Some(_) => anyhow::bail!("--from must be before --to"),
            None => anyhow::bail!(
                "--from {} is after today: --to defaults to tomorrow ({}); give an earlier \
                 --from or a later --to",
                from.format("%Y-%m-%d"),
                to.format("%Y-%m-%d")
            ),
        }
    }
    let candidate = match &args.rules {
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Some(Rules::from_json(&json).with_context(|| path.display().to_string())?)
        }
        None => None,
    };
    Ok(BacktestSpec {
        from,
        to,
        groups: (!args.groups.is_empty())
            .then(|| args.groups.iter().copied().collect::<HashSet<_>>()),
        candidate,
    })
}

fn print_tally(name: &str, tally: &Tally, names: &HashMap<i64, String>) {
    println!(
        "{name}: {} messages, {} offences, {} refused",
        tally.messages, tally.offences, tally.refused
    );
    let list = |map: &std::collections::BTreeMap<String, u64>, said: fn(&str) -> String| {
        map.iter()
            .map(|(key, count)| format!("{} {count}", said(key)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "  by detector: {}",
        list(&tally.by_detector, |name| Detector::label_of(name, true))
    );
    println!(
        "  by step: {}",
        list(&tally.by_step, |name| Step::said_of(name, true))
    );
    print_examples("e.g.", &tally.examples, names);
}

/// Examples as a terminal shows them safely: the member by name (and id), what caught them, and
/// their message with control characters written out (a member's `\x1b[2J` does not clear the
/// operator's screen).
fn print_examples(
    lead: &str,
    examples: &[steward_engine::moderation::Example],
    names: &HashMap<i64, String>,
) {
    for example in examples.iter().take(5) {
        let member = names
            .get(&example.member_id)
            .map_or_else(String::new, |name| printable(name));
        println!(
            "  {lead} [{}, {}] {member} (#{}): {}",
            Detector::label_of(&example.detector, true),
            Step::said_of(&example.step, true),
            example.member_id,
            printable(&example.text)
        );
    }
}

pub async fn run(settings: &Settings, args: &BacktestArgs) -> Result<(), Failure> {
    let spec = spec(args).exit_on(Exit::Config)?;
    let database = open_existing_database(settings).await?;
    // A mistyped group would report nothing caught, as if the rules were fine there. The
    // drivers block: off the async threads, as every database call here.
    if let Some(groups) = &spec.groups {
        let mut groups: Vec<i64> = groups.iter().copied().collect();
        groups.sort_unstable();
        let lookup = Arc::clone(&database);
        let missing = tokio::task::spawn_blocking(move || {
            for id in groups {
                if lookup.group(id)?.is_none() {
                    return Ok(Some(id));
                }
            }
            Ok::<_, steward_store::StoreError>(None)
        })
        .await
        .exit_on(Exit::Failure)?
        .exit_on(Exit::Database)?;
        if let Some(id) = missing {
            return Err(Failure {
                exit: Exit::Config,
                error: anyhow::anyhow!(
                    "no group {id} in this database (the console's Groups page lists their ids)"
                ),
            });
        }
    }
    let shared = Arc::new(ModerationShared::default());
    let samples_from = Arc::clone(&database);
    let model_for = Arc::clone(&shared);
    tokio::task::spawn_blocking(move || {
        steward_web::moderation::retrain(&samples_from, &model_for)
    })
    .await
    .exit_on(Exit::Failure)?
    .exit_on(Exit::Database)?;
    let names_from = Arc::clone(&database);
    let report: BacktestReport = tokio::task::spawn_blocking(move || {
        let mut last = -1i64;
        steward_engine::moderation::backtest::run(
            &database,
            &shared,
            &spec,
            |progress| {
                let percent = (progress.fraction * 100.0) as i64;
                if percent != last {
                    last = percent;
                    eprint!(
                        "\rbacktest: {percent:3}% ({} events read)",
                        progress.events_read
                    );
                    let _ = std::io::stderr().flush();
                }
            },
            || false,
        )
    })
    .await
    .exit_on(Exit::Failure)?
    .exit_on(Exit::Database)?;
    eprintln!();
    if args.json {
        println!("{}", serde_json::to_string(&report).exit_on(Exit::Failure)?);
        return Ok(());
    }
    // The members the examples name.
    let examples = report
        .in_force
        .examples
        .iter()
        .chain(
            report
                .candidate
                .iter()
                .flat_map(|tally| tally.examples.iter()),
        )
        .chain(report.only_candidate.iter())
        .chain(report.only_in_force.iter());
    let ids: HashSet<i64> = examples.map(|example| example.member_id).collect();
    let names = tokio::task::spawn_blocking(move || {
        let mut names = HashMap::new();
        for id in ids {
            if let Some(member) = names_from.member(id)? {
                names.insert(id, member.name);
            }
        }
        Ok::<_, steward_store::StoreError>(names)
    })
    .await
    .exit_on(Exit::Failure)?
    .exit_on(Exit::Database)?;
    print_tally("rules in force", &report.in_force, &names);
    if let Some(candidate) = &report.candidate {
        print_tally("candidate rules", candidate, &names);
        println!(
            "only the candidate catches {}; only the rules in force catch {}",
            report.only_candidate_count, report.only_in_force_count
        );
        print_examples("only the candidate:", &report.only_candidate, &names);
        print_examples("only in force:", &report.only_in_force, &names);
    }
    Ok(())
}
