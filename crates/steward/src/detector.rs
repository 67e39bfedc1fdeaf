//! `steward eval-detector` and `steward train-detector`: how well the shipped detector chain does
//! on a labelled file, and how the shipped model is made.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;
use steward_text::{Classifier, TextChain, Training, normalize, parse_labelled, plain_lines};

use crate::{Exit, ExitOn, Failure};

#[derive(Debug, Args)]
pub struct Sources {
    /// Labelled files: `text==1`/`text==0` lines, or `label<TAB>text` (1/0 or spam/ham)
    #[arg(value_name = "FILE")]
    pub labelled: Vec<PathBuf>,
    /// A file of spam messages, one per line (no labels)
    #[arg(long, value_name = "FILE")]
    pub spam: Vec<PathBuf>,
    /// A file of ordinary messages, one per line (no labels)
    #[arg(long, value_name = "FILE")]
    pub ham: Vec<PathBuf>,
}

impl Sources {
    fn is_empty(&self) -> bool {
        self.labelled.is_empty() && self.spam.is_empty() && self.ham.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// What a new group gets: contact details, links, the shipped ad classifier
    Chain,
    /// The starter keyword list alone (the simple baseline)
    Keywords,
    /// The shipped ad classifier alone
    Classifier,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    sources: Sources,
    /// What to score
    #[arg(long, value_enum, default_value = "chain")]
    detector: Which,
    /// Cross-validate the trainable part instead: train on K-1 folds, score the held-out fold
    /// (exact duplicates removed before the split) with the chain or the classifier alone
    #[arg(long, value_name = "K")]
    folds: Option<usize>,
    /// With --folds: each fold's model also learns from this many messages of Steward's own
    /// simulated community, never scored (scripts/train-model gives the shipped model 20000)
    #[arg(long, value_name = "N", default_value_t = 0, requires = "folds")]
    train_simulated: usize,
    /// With --folds: repeat the cross-validation over this many shuffles of the folds and pool
    /// the counts (a steadier figure on a small set)
    #[arg(long, value_name = "R", default_value_t = 1, requires = "folds")]
    shuffles: u64,
    /// Print one JSON object instead of lines
    #[arg(long)]
    json: bool,
    /// Score with this model file (from `train-detector`) instead of the shipped one
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Also score this many messages of a simulated community (a seed the shipped model was not
    /// trained on): ordinary chat, questions, introductions, sign-ins and the spammers' ads
    #[arg(long, value_name = "N", default_value_t = 0)]
    simulated: usize,
    /// After the figures, list up to this many false positives (with the reason) and as many
    /// missed ads: what to look at before trusting a detector on your own chat. With --folds,
    /// what the held-out folds got wrong, those wrong in most of the shuffles first
    #[arg(long, value_name = "N", default_value_t = 0)]
    mistakes: usize,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    sources: Sources,
    /// Where to write the model
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Also learn from this many messages of Steward's own simulated communities (ordinary
    /// chat, questions, introductions, sign-ins, and the simulated spammers' ads): ordinary
    /// community talk the public sets lack
    #[arg(long, value_name = "N", default_value_t = 0)]
    simulated: usize,
}

/// Seeds of the simulated communities: one the shipped model learns from, another that
/// evaluations score (so that the second is not the model's own training material).
const TRAINING_SEED: u64 = 7;
const EVALUATION_SEED: u64 = 42;

/// Messages of a simulated community, labelled by the simulator (an ad or not).
fn simulated_samples(count: usize, seed: u64) -> Vec<(String, bool)> {
    if count == 0 {
        return Vec::new();
    }
    let config = steward_simulator::SimConfig {
        seed,
        days: 60,
        ..steward_simulator::SimConfig::default()
    };
    let Ok(simulation) = steward_simulator::Simulation::new(config) else {
        return Vec::new();
    };
    simulation
        .labelled_events()
        .map(|(event, truth)| (event.plain_text(), truth == steward_simulator::Truth::Ad))
        .filter(|(text, _)| !text.trim().is_empty())
        .take(count)
        .collect()
}

/// What a model learns from beside the labelled sets: `count` messages of the training seed's
/// simulated community, and the everyday lines it rarely holds (festival greetings, servers and
/// releases, game ids: [`steward_simulator::everyday_chat`]), all ordinary but the simulated
/// spammers' ads. The shipped model and each fold of `--folds` learn from the same; with no
/// simulated messages asked for (`--train-simulated 0`, a set alone) there are no everyday
/// lines either.
fn training_samples(count: usize) -> Vec<(String, bool)> {
    let mut samples = simulated_samples(count, TRAINING_SEED);
    if count > 0 {
        samples.extend(
            steward_simulator::everyday_chat()
                .into_iter()
                .map(|line| (line, false)),
        );
    }
    samples
}

/// Reads every source into (text, is_spam), in order.
fn load(sources: &Sources) -> anyhow::Result<Vec<(String, bool)>> {
    let read = |path: &PathBuf| -> anyhow::Result<String> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        String::from_utf8(bytes).map_err(|err| {
            let at = err.utf8_error().valid_up_to();
            let line = err.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
            anyhow::anyhow!("{}: line {line} is not UTF-8 text", path.display())
        })
    };
    let mut rows = Vec::new();
    for path in &sources.labelled {
        let parsed = parse_labelled(&read(path)?).with_context(|| path.display().to_string())?;
        rows.extend(parsed);
    }
    for path in &sources.spam {
        rows.extend(plain_lines(&read(path)?, true));
    }
    for path in &sources.ham {
        rows.extend(plain_lines(&read(path)?, false));
    }
    if rows.is_empty() {
        bail!("no messages: name a labelled FILE, or --spam FILE and --ham FILE");
    }
    Ok(rows)
}

/// Normalised texts without exact repeats (a repeated line would sit on both sides of a split),
/// and beside each the first text as written that reads so (the chain knows a disguised link
/// only from it).
fn deduplicated(rows: &[(String, bool)]) -> (Vec<(String, bool)>, Vec<String>, usize) {
    let mut seen = HashSet::new();
    let mut unique = Vec::new();
    let mut written = Vec::new();
    for (text, label) in rows {
        let normalized = normalize(text);
        if seen.insert(normalized.clone()) {
            unique.push((normalized, *label));
            written.push(text.clone());
        }
    }
    let removed = rows.len() - unique.len();
    (unique, written, removed)
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Counts {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
}

impl Counts {
    fn pool(&mut self, other: Counts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
        self.true_negatives += other.true_negatives;
    }

    fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.true_positives += 1,
            (true, false) => self.false_positives += 1,
            (false, true) => self.false_negatives += 1,
            (false, false) => self.true_negatives += 1,
        }
    }

    /// `a / b`; none when `b` is 0 (a precision with nothing flagged is undefined, not 0).
    fn ratio(a: usize, b: usize) -> Option<f64> {
        (b > 0).then(|| a as f64 / b as f64)
    }

    pub fn precision(&self) -> Option<f64> {
        Counts::ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> Option<f64> {
        Counts::ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    /// 2PR / (P + R), written so that it is defined wherever there were ads or flags: 0 when
    /// ads were there and none was caught, whether anything was flagged or not.
    pub fn f1(&self) -> Option<f64> {
        Counts::ratio(
            2 * self.true_positives,
            2 * self.true_positives + self.false_positives + self.false_negatives,
        )
    }

    pub fn false_positive_rate(&self) -> Option<f64> {
        Counts::ratio(
            self.false_positives,
            self.false_positives + self.true_negatives,
        )
    }
}

#[derive(Debug, Serialize)]
struct Report {
    detector: &'static str,
    messages: usize,
    spam: usize,
    duplicates_removed: usize,
    folds: Option<usize>,
    /// `null` where undefined: nothing flagged, no ads, no ordinary messages.
    precision: Option<f64>,
    recall: Option<f64>,
    f1: Option<f64>,
    false_positive_rate: Option<f64>,
    #[serde(flatten)]
    counts: Counts,
    /// With `--mistakes`: false positives as `[reason] text`, and missed ads.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    false_positive_examples: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missed_examples: Vec<String>,
}

pub fn eval(args: &EvalArgs) -> Result<(), Failure> {
    let mut rows = if args.simulated > 0 && args.sources.is_empty() {
        Vec::new()
    } else {
        load(&args.sources).exit_on(Exit::Config)?
    };
    rows.extend(simulated_samples(args.simulated, EVALUATION_SEED));
    let mut false_positives = Vec::new();
    let mut missed = Vec::new();
    let (report, name) = match args.folds {
        Some(folds) => {
            if folds < 2 {
                return Err(Failure {
                    exit: Exit::Config,
                    error: anyhow::anyhow!("--folds must be at least 2"),
                });
            }
            let chain = match args.detector {
                Which::Chain => true,
                Which::Classifier => false,
                Which::Keywords => {
                    return Err(Failure {
                        exit: Exit::Config,
                        error: anyhow::anyhow!(
                            "--folds trains a model: use it with --detector chain or classifier"
                        ),
                    });
                }
            };
            let (unique, written, removed) = deduplicated(&rows);
            let ads = unique.iter().filter(|(_, is_ad)| *is_ad).count();
            let fewest = ads.min(unique.len() - ads);
            if fewest < folds {
                let ordinary = unique.len() - ads;
                let plural = |n: usize, one: &str, many: &str| {
                    format!("{n} {}", if n == 1 { one } else { many })
                };
                eprintln!(
                    "warning: {} and {} (duplicates removed) for {folds} folds: some folds hold \
                     none of one kind, and figures on so few say little",
                    plural(ads, "ad", "ads"),
                    plural(ordinary, "ordinary message", "ordinary messages"),
                );
            }
            // Training material that is also a scored message would be learnt and then tested on.
            let scored: HashSet<&str> = unique.iter().map(|(text, _)| text.as_str()).collect();
            let (also, _, _) = deduplicated(&training_samples(args.train_simulated));
            let also: Vec<(String, bool)> = also
                .into_iter()
                .filter(|(text, _)| !scored.contains(text.as_str()))
                .collect();
            let mut counts = Counts::default();
            // Each row it got wrong: in how many shuffles, and the first false positive's reason.
            let mut wrong: BTreeMap<usize, (u64, Option<String>)> = BTreeMap::new();
            let shuffles = args.shuffles.max(1);
            for shuffle in 0..shuffles {
                let run = CrossValidation {
                    folds,
                    shuffle,
                    chain,
                    also: &also,
                };
                let (run_counts, mistakes) = run.counts(&unique, &written, Training::default());
                counts.pool(run_counts);
                for (index, reason) in mistakes {
                    let entry = wrong.entry(index).or_insert((0, reason));
                    entry.0 += 1;
                }
            }
            let times = |n: u64| match shuffles {
                1 => String::new(),
                _ => format!(" ({n} of {shuffles} shuffles)"),
            };
            // The rows wrong in most shuffles first, in file order among equals.
            let mut wrong: Vec<(usize, (u64, Option<String>))> = wrong.into_iter().collect();
            wrong.sort_by_key(|(index, (n, _))| (std::cmp::Reverse(*n), *index));
            for (index, (n, reason)) in &wrong {
                let text = printable(&written[*index]);
                match reason {
                    Some(reason) if false_positives.len() < args.mistakes => {
                        false_positives.push(format!("[{reason}] {text}{}", times(*n)));
                    }
                    None if missed.len() < args.mistakes => {
                        missed.push(format!("{text}{}", times(*n)));
                    }
                    _ => {}
                }
            }
            (
                (unique, removed, Some(folds), counts),
                if chain {
                    "chain (classifier retrained per fold)"
                } else {
                    "classifier (retrained per fold)"
                },
            )
        }
        None => {
            let model = match &args.model {
                Some(path) => {
                    let bytes = std::fs::read(path)
                        .with_context(|| format!("cannot read {}", path.display()))
                        .exit_on(Exit::Config)?;
                    Classifier::from_bytes(&bytes)
                        .with_context(|| path.display().to_string())
                        .exit_on(Exit::Config)?
                }
                None => Classifier::shipped(),
            };
            let model = Arc::new(model);
            let chain = match args.detector {
                Which::Chain => TextChain::out_of_the_box(model),
                Which::Keywords => TextChain::keyword_baseline(),
                Which::Classifier => TextChain {
                    contacts: false,
                    links: steward_text::LinkPolicy::Off,
                    ..TextChain::out_of_the_box(model)
                },
            };
            let mut counts = Counts::default();
            for (text, label) in &rows {
                let verdict = chain.check_text(text, false);
                if counts.false_positives < args.mistakes
                    && let Some(verdict) = verdict.as_ref().filter(|_| !label)
                {
                    false_positives.push(format!("[{}] {}", verdict.en, printable(text)));
                }
                if counts.false_negatives < args.mistakes && verdict.is_none() && *label {
                    missed.push(printable(text));
                }
                counts.add(verdict.is_some(), *label);
            }
            let name = match args.detector {
                Which::Chain => "chain",
                Which::Keywords => "keywords",
                Which::Classifier => "classifier",
            };
            ((rows, 0, None, counts), name)
        }
    };
    let (rows, removed, folds, counts) = report;
    let report = Report {
        detector: name,
        messages: rows.len(),
        spam: rows.iter().filter(|(_, label)| *label).count(),
        duplicates_removed: removed,
        folds,
        precision: counts.precision(),
        recall: counts.recall(),
        f1: counts.f1(),
        false_positive_rate: counts.false_positive_rate(),
        counts,
        false_positive_examples: false_positives,
        missed_examples: missed,
    };
    use std::fmt::Write as _;
    let mut out = String::new();
    if args.json {
        let json = serde_json::to_string(&report).exit_on(Exit::Failure)?;
        let _ = writeln!(out, "{json}");
    } else {
        let _ = writeln!(
            out,
            "detector: {}; messages: {} ({} spam){}",
            report.detector,
            report.messages,
            report.spam,
            match folds {
                Some(k) => format!(
                    "; {k}-fold{}, {removed} duplicates removed",
                    match args.shuffles {
                        0 | 1 => String::new(),
                        n => format!(" over {n} shuffles (counts pooled)"),
                    }
                ),
                None => String::new(),
            }
        );
        let figure = |value: Option<f64>, places: usize, why: &str| match value {
            Some(value) => format!("{value:.places$}"),
            None => format!("n/a ({why})"),
        };
        let _ = writeln!(
            out,
            "precision: {}",
            figure(report.precision, 3, "nothing was flagged")
        );
        let _ = writeln!(out, "recall: {}", figure(report.recall, 3, "no ads"));
        let _ = writeln!(
            out,
            "f1: {}",
            figure(report.f1, 3, "no ads and nothing flagged")
        );
        let _ = writeln!(
            out,
            "false-positive rate: {}",
            figure(report.false_positive_rate, 4, "no ordinary messages")
        );
        for line in &report.false_positive_examples {
            let _ = writeln!(out, "false positive: {line}");
        }
        for line in &report.missed_examples {
            let _ = writeln!(out, "missed: {line}");
        }
    }
    // A reader that stops early (`| head`) is no failure: what it wanted was written.
    match std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(err).exit_on(Exit::Failure)?
        }
        _ => {}
    }
    Ok(())
}

/// A message as one terminal line: control characters (a hostile file's escape sequences,
/// line breaks) and direction overrides shown as `\u{..}`.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// One stratified K-fold cross-validation: each fold's model is trained (threshold included)
/// on the other folds, plus `also`, only.
pub struct CrossValidation<'a> {
    pub folds: usize,
    /// Which fixed shuffle assigns the folds.
    pub shuffle: u64,
    /// Score with the out-of-the-box chain around the fold's model, or the model alone.
    pub chain: bool,
    /// More training material for every fold, never scored.
    pub also: &'a [(String, bool)],
}

impl CrossValidation<'_> {
    /// `rows` normalised, each scored as `written` at the same index; with the rows it got
    /// wrong, by index: a false positive with its reason, a missed ad with none.
    pub fn counts(
        &self,
        rows: &[(String, bool)],
        written: &[String],
        settings: Training,
    ) -> (Counts, Vec<(usize, Option<String>)>) {
        let mut spam: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].1).collect();
        let mut ham: Vec<usize> = (0..rows.len()).filter(|i| !rows[*i].1).collect();
        shuffle(&mut spam, 1 + 2 * self.shuffle);
        shuffle(&mut ham, 2 + 2 * self.shuffle);
        let mut fold_of = vec![0; rows.len()];
        for (position, index) in spam.iter().chain(ham.iter()).enumerate() {
            fold_of[*index] = position % self.folds;
        }
        let mut counts = Counts::default();
        let mut wrong = Vec::new();
        for fold in 0..self.folds {
            let train: Vec<(String, bool)> = rows
                .iter()
                .enumerate()
                .filter(|(index, _)| fold_of[*index] != fold)
                .map(|(_, row)| row.clone())
                .chain(self.also.iter().cloned())
                .collect();
            let model = Arc::new(steward_text::train(&train, settings));
            let chain = TextChain::out_of_the_box(Arc::clone(&model));
            for (index, (text, label)) in rows.iter().enumerate() {
                if fold_of[index] == fold {
                    let verdict = if self.chain {
                        chain.check_text(&written[index], false).map(|v| v.en)
                    } else {
                        model
                            .verdict(text)
                            .filter(|score| *score >= 0.0)
                            .map(|score| format!("reads as an ad ({score:.1} over the threshold)"))
                    };
                    if verdict.is_some() != *label {
                        wrong.push((index, verdict.clone()));
                    }
                    counts.add(verdict.is_some(), *label);
                }
            }
        }
        (counts, wrong)
    }
}

/// A fixed shuffle (so that a run can be repeated): Fisher-Yates over a SplitMix64 sequence.
fn shuffle(items: &mut [usize], seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

pub fn train(args: &TrainArgs) -> Result<(), Failure> {
    let mut rows = load(&args.sources).exit_on(Exit::Config)?;
    rows.extend(training_samples(args.simulated));
    let (unique, _, removed) = deduplicated(&rows);
    let model = steward_text::train(&unique, Training::default());
    let bytes = model.to_bytes();
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))
        .exit_on(Exit::Failure)?;
    println!(
        "trained on {} messages ({} spam, {removed} duplicates removed): {} bytes, thresholds {:.3} (Chinese) and {:.3} (others) → {}",
        unique.len(),
        unique.iter().filter(|(_, label)| *label).count(),
        bytes.len(),
        model.thresholds().0,
        model.thresholds().1,
        args.out.display()
    );
    Ok(())
}
