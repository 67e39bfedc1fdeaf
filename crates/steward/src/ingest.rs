//! `steward ingest FILE`: events in Steward's own JSON form, one per line, through the pipeline.
//! For replaying captured events, feeding tests and scripts, and bridging a platform before its
//! adapter exists. The whole file is checked first: one malformed line and nothing is recorded.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use steward_domain::Event;
use steward_engine::Outcome;

use crate::config::Settings;
use crate::{Exit, ExitOn, Failure, start_pipeline};

#[derive(Debug, Clone, clap::Args)]
pub struct IngestArgs {
    /// A file of events, one JSON object per line (`-` for standard input)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Most refusals listed before giving up on a file.
const MAX_REPORTED: usize = 10;

/// Reads and checks every line; `Err` holds one message per bad line.
pub fn read_events(reader: impl Read, name: &str) -> Result<Vec<Event>, Vec<String>> {
    let mut events = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in BufReader::new(reader).lines().enumerate() {
        let number = index + 1;
        let line = match line {
            Ok(line) => line,
            Err(err) => {
                problems.push(format!("{name}:{number}: cannot read: {err}"));
                break;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match Event::from_json(&line) {
            Ok(event) => events.push(event),
            Err(err) => problems.push(format!("{name}:{number}: invalid event: {err}")),
        }
    }
    if problems.is_empty() {
        Ok(events)
    } else {
        Err(problems)
    }
}

pub async fn run(settings: &Settings, args: &IngestArgs) -> Result<(), Failure> {
    let name = args.file.display().to_string();
    let read = if name == "-" {
        read_events(std::io::stdin().lock(), "stdin")
    } else {
        let file = std::fs::File::open(&args.file).map_err(|err| Failure {
            exit: Exit::Failure,
            error: anyhow::anyhow!("cannot open {name}: {err}"),
        })?;
        read_events(file, &name)
    };
    let events = read.map_err(|problems| {
        let shown: Vec<&str> = problems
            .iter()
            .take(MAX_REPORTED)
            .map(String::as_str)
            .collect();
        let more = problems.len().saturating_sub(MAX_REPORTED);
        let tail = if more > 0 {
            format!("\n... and {more} more")
        } else {
            String::new()
        };
        Failure {
            exit: Exit::Failure,
            error: anyhow::anyhow!("nothing was recorded:\n{}{tail}", shown.join("\n")),
        }
    })?;
    let (_, pipeline, _) = start_pipeline(settings).await?;
    let mut tickets = Vec::with_capacity(events.len());
    for event in events {
        tickets.push(pipeline.submit(event).await.exit_on(Exit::Failure)?);
    }
    let (mut applied, mut duplicates, mut failed) = (0, 0, 0);
    let mut first_error = None;
    for ticket in tickets {
        match ticket.outcome().await {
            Ok(Outcome::Applied { .. }) => applied += 1,
            Ok(Outcome::Duplicate) => duplicates += 1,
            Err(err) => {
                failed += 1;
                first_error.get_or_insert(err.to_string());
            }
        }
    }
    pipeline.shutdown().await;
    println!("ingested {name}: {applied} new, {duplicates} already recorded, {failed} failed");
    match first_error {
        Some(error) => Err(Failure {
            exit: Exit::Failure,
            error: anyhow::anyhow!("{failed} events failed; the first: {error}"),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::read_events;

    const GOOD: &str = r#"{"platform":"onebot","account":"1","chat":"2","id":"9","time":"2026-05-01T12:00:00Z","kind":{"type":"message","sender":{"id":"3","name":"小林"},"segments":[{"type":"text","text":"签到"}]}}"#;

    #[test]
    fn every_bad_line_is_named_and_a_good_file_reads_whole() {
        let good = format!("{GOOD}\n\n{GOOD}\n");
        assert_eq!(
            read_events(good.as_bytes(), "f").map(|events| events.len()),
            Ok(2)
        );
        let bad = format!(
            "{GOOD}\n{{\"platform\":\"icq\"}}\n{}\n",
            GOOD.replace("\"chat\":\"2\"", "\"chat\":\"\"")
        );
        let problems = read_events(bad.as_bytes(), "f").unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(
            problems[0].starts_with("f:2: invalid event: event JSON: unknown variant `icq`"),
            "{problems:?}"
        );
        assert_eq!(problems[1], "f:3: invalid event: `chat` is empty");
    }
}
