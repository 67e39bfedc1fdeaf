//! Backtesting: rules run over stored history without acting. The events are replayed in the
//! order they were recorded through the same [`judge`] the live feature uses, with the state it
//! needs kept in memory, so that the rules in force report what they did live. A candidate rule
//! set runs beside them, and the report says where the two differ.
//!
//! The replay starts one offence window (the longest of the rule sets') before the period,
//! without reporting, so that offences just before the period count toward the ladder as they
//! did live; members blacklisted before that are refused as they were. Every group is replayed
//! (offences, repeats and the blacklist cross groups), and only the selected ones reported.
//!
//! What a backtest cannot know: the rules as they were at the time (it judges with today's
//! rules in force), and blacklistings lifted during the period.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use steward_domain::{Event, EventKind};
use steward_store::{Database, StoreError};

use super::judge::{Decision, History, Standing, Subject, judge, message_of};
use super::live::ModerationShared;
use super::rules::{Compiled, Rules, Step};
use super::windows::Windows;

/// What to replay.
#[derive(Debug, Clone)]
pub struct BacktestSpec {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Only these groups (all when `None`).
    pub groups: Option<HashSet<i64>>,
    /// Rules to try, in every selected group, beside the rules in force.
    pub candidate: Option<Rules>,
}

/// Where a running backtest is.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Progress {
    pub events_read: u64,
    /// 0 to 1, by position in the event log.
    pub fraction: f64,
}

/// One caught message, as an example.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    pub event_id: i64,
    pub group_id: i64,
    pub member_id: i64,
    pub time: i64,
    pub text: String,
    pub detector: String,
    pub reason_zh: String,
    pub reason_en: String,
    pub step: String,
}

/// What one rule set would have done.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub messages: u64,
    pub offences: u64,
    /// Blacklisted members who joined, asked to join or spoke again.
    pub refused: u64,
    pub by_detector: BTreeMap<String, u64>,
    pub by_step: BTreeMap<String, u64>,
    /// member id → offences, the most first (top 20).
    pub top_members: Vec<(i64, u64)>,
    pub examples: Vec<Example>,
    #[serde(skip)]
    members: HashMap<i64, u64>,
    #[serde(skip)]
    caught: HashSet<i64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BacktestReport {
    pub from: i64,
    pub to: i64,
    pub groups: Option<Vec<i64>>,
    pub in_force: Tally,
    pub candidate: Option<Tally>,
    /// Messages only the candidate catches, and only the rules in force catch (examples).
    pub only_candidate: Vec<Example>,
    pub only_in_force: Vec<Example>,
    pub only_candidate_count: u64,
    pub only_in_force_count: u64,
}

const EXAMPLES: usize = 50;
const PAGE: i64 = 5_000;

/// The backtest's own memory of what the live store would hold.
#[derive(Default)]
struct MemoryHistory {
    blacklisted: HashSet<i64>,
    joined: HashMap<(i64, i64), i64>,
    offences: HashMap<i64, Vec<i64>>,
    /// (group, member, platform message) of every offence.
    caught: HashSet<(i64, i64, String)>,
}

impl History for MemoryHistory {
    type Error = Infallible;

    fn standing(&mut self, group_id: i64, member_id: i64) -> Result<Standing, Infallible> {
        Ok(Standing {
            blacklisted: self.blacklisted.contains(&member_id),
            joined_at: self.joined.get(&(group_id, member_id)).copied(),
        })
    }

    fn offences_between(
        &mut self,
        member_id: i64,
        from: i64,
        to: i64,
    ) -> Result<usize, Infallible> {
        Ok(self.offences.get(&member_id).map_or(0, |times| {
            times.iter().filter(|t| **t > from && **t <= to).count()
        }))
    }

    fn message_caught(
        &mut self,
        group_id: i64,
        member_id: i64,
        message: &str,
    ) -> Result<bool, Infallible> {
        Ok(self
            .caught
            .contains(&(group_id, member_id, message.to_owned())))
    }
}

/// One rule set's replay.
struct Run {
    windows: Mutex<Windows>,
    history: MemoryHistory,
    tally: Tally,
    /// The reported message the last event fed was, if this rule set caught it.
    last: Option<Example>,
}

impl Run {
    fn new(blacklisted: &HashSet<i64>) -> Run {
        Run {
            windows: Mutex::new(Windows::default()),
            history: MemoryHistory {
                blacklisted: blacklisted.clone(),
                ..MemoryHistory::default()
            },
            tally: Tally::default(),
            last: None,
        }
    }

    fn feed(
        &mut self,
        compiled: &Compiled,
        event: &Event,
        text: &str,
        subject: Subject,
        event_id: i64,
        report: bool,
    ) {
        self.last = None;
        let time = event.time.timestamp_millis();
        if let EventKind::MemberJoined { .. } = event.kind {
            self.history
                .joined
                .insert((subject.group_id, subject.member_id), time);
        }
        if report && matches!(event.kind, EventKind::Message { .. }) {
            self.tally.messages += 1;
        }
        let Ok(decision) = judge(
            compiled,
            &self.windows,
            &mut self.history,
            event,
            text,
            None,
            subject,
        );
        let Some(decision) = decision else {
            return;
        };
        match decision {
            Decision::Refuse => {
                if report {
                    self.tally.refused += 1;
                }
            }
            Decision::Offence { verdict, step, .. } => {
                self.history
                    .offences
                    .entry(subject.member_id)
                    .or_default()
                    .push(time);
                if let Some(message) = message_of(event) {
                    self.history.caught.insert((
                        subject.group_id,
                        subject.member_id,
                        message.to_owned(),
                    ));
                }
                if step == Step::Blacklist {
                    self.history.blacklisted.insert(subject.member_id);
                }
                if !report {
                    return;
                }
                let tally = &mut self.tally;
                tally.offences += 1;
                *tally
                    .by_detector
                    .entry(verdict.detector.name().to_owned())
                    .or_default() += 1;
                *tally.by_step.entry(step.name()).or_default() += 1;
                *tally.members.entry(subject.member_id).or_default() += 1;
                tally.caught.insert(event_id);
                let example = Example {
                    event_id,
                    group_id: subject.group_id,
                    member_id: subject.member_id,
                    time,
                    text: text.chars().take(200).collect(),
                    detector: verdict.detector.name().to_owned(),
                    reason_zh: verdict.zh.clone(),
                    reason_en: verdict.en.clone(),
                    step: step.name(),
                };
                if tally.examples.len() < EXAMPLES {
                    tally.examples.push(example.clone());
                }
                self.last = Some(example);
            }
        }
    }

    fn finish(mut self) -> Tally {
        let mut members: Vec<(i64, u64)> = self.tally.members.drain().collect();
        members.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        members.truncate(20);
        self.tally.top_members = members;
        self.tally
    }
}

/// Runs a backtest, calling `progress` now and then (and checking `cancelled`).
pub fn run(
    database: &Database,
    shared: &ModerationShared,
    spec: &BacktestSpec,
    mut progress: impl FnMut(Progress),
    cancelled: impl Fn() -> bool,
) -> Result<BacktestReport, StoreError> {
    let from = spec.from.timestamp_millis();
    let to = spec.to.timestamp_millis();
    let candidate = spec
        .candidate
        .as_ref()
        .map(|rules| Arc::new(rules.compile(shared.model())));
    let mut in_force: HashMap<i64, Arc<Compiled>> = HashMap::new();
    let mut documents: HashMap<Option<String>, Arc<Compiled>> = HashMap::new();
    let longest_window = spec
        .candidate
        .iter()
        .map(|rules| rules.window_days)
        .chain(
            database
                .all_rules()?
                .iter()
                .filter_map(|record| Rules::from_stored(&record.rules).ok())
                .map(|(rules, _)| rules.window_days),
        )
        .chain([Rules::default().window_days])
        .max()
        .unwrap_or(30);
    let warm_up_from = from - i64::from(longest_window) * 86_400_000;
    let last_id = database.last_event_id()?;
    // Members blacklisted before the replay starts (and not lifted since) are refused as live.
    let blacklisted: HashSet<i64> = database
        .blacklisted()?
        .into_iter()
        .filter(|entry| entry.added_at < warm_up_from)
        .map(|entry| entry.member_id)
        .collect();
    let mut live = Run::new(&blacklisted);
    let mut tried = candidate.as_ref().map(|_| Run::new(&blacklisted));
    let (mut only_in_force, mut only_candidate) = (Vec::new(), Vec::new());
    let mut after = 0;
    let mut read = 0u64;
    loop {
        if cancelled() {
            break;
        }
        let page = database.replay_events(after, warm_up_from, to, PAGE)?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id;
        for stored in &page {
            read += 1;
            // Every group is replayed (offences, repeats and the blacklist cross groups); only
            // the selected ones are reported.
            let selected = spec
                .groups
                .as_ref()
                .is_none_or(|groups| groups.contains(&stored.group_id));
            let Some(member_id) = stored.member_id else {
                continue;
            };
            let Ok(event) = serde_json::from_str::<Event>(&stored.payload) else {
                continue;
            };
            let compiled = match in_force.get(&stored.group_id) {
                Some(compiled) => Arc::clone(compiled),
                None => {
                    let document = database.effective_rules(stored.group_id)?;
                    let compiled = Arc::clone(
                        documents
                            .entry(document.clone())
                            .or_insert_with(|| Arc::new(shared.compile(document.as_deref()))),
                    );
                    in_force.insert(stored.group_id, Arc::clone(&compiled));
                    compiled
                }
            };
            let text = event.plain_text();
            let subject = Subject {
                group_id: stored.group_id,
                member_id,
            };
            let report = selected && stored.time >= from;
            live.feed(&compiled, &event, &text, subject, stored.id, report);
            if let (Some(run), Some(candidate)) = (tried.as_mut(), candidate.as_ref()) {
                run.feed(candidate, &event, &text, subject, stored.id, report);
                // Each message one rule set catches and the other does not, as it comes: the
                // first examples of the difference, wherever it lies in the period.
                match (live.last.take(), run.last.take()) {
                    (Some(only), None) if only_in_force.len() < EXAMPLES => {
                        only_in_force.push(only)
                    }
                    (None, Some(only)) if only_candidate.len() < EXAMPLES => {
                        only_candidate.push(only);
                    }
                    _ => {}
                }
            }
        }
        progress(Progress {
            events_read: read,
            fraction: if last_id > 0 {
                (after as f64 / last_id as f64).min(1.0)
            } else {
                1.0
            },
        });
    }
    // The period may end before the log does (or hold nothing): done is done.
    if !cancelled() {
        progress(Progress {
            events_read: read,
            fraction: 1.0,
        });
    }
    let in_force = live.finish();
    let mut report = BacktestReport {
        from,
        to,
        groups: spec.groups.as_ref().map(|groups| {
            let mut groups: Vec<i64> = groups.iter().copied().collect();
            groups.sort_unstable();
            groups
        }),
        ..BacktestReport::default()
    };
    if let Some(run) = tried {
        let candidate = run.finish();
        report.only_candidate_count = candidate.caught.difference(&in_force.caught).count() as u64;
        report.only_in_force_count = in_force.caught.difference(&candidate.caught).count() as u64;
        report.only_candidate = only_candidate;
        report.only_in_force = only_in_force;
        report.candidate = Some(candidate);
    }
    report.in_force = in_force;
    // The caught ids served the comparison; a kept report need not hold them.
    report.in_force.caught = HashSet::new();
    if let Some(candidate) = report.candidate.as_mut() {
        candidate.caught = HashSet::new();
    }
    Ok(report)
}
