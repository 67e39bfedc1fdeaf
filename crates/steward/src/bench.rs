//! `steward bench`: the pipeline's figures on this machine, as the README reports them.
//!
//! 1. Loads day 0 of a simulated community (everyone joins; untimed).
//! 2. Throughput: days 1 and 2 as fast as the pipeline takes them, with durable commits.
//! 3. Latency: day 3 paced at `--rate` events per second; for each event the time from `submit`
//!    to its acknowledgement, which comes after the commit that also wrote its outbox actions.
//! 4. Memory: the process's peak resident set.

use std::sync::Arc;
use std::time::{Duration, Instant};

use steward_domain::{Event, EventKind};
use steward_engine::{Pipeline, PipelineConfig, Ticket, features};
use steward_simulator::{SimConfig, Simulation};
use steward_store::{Database, Durability};
use tokio::sync::mpsc;

use crate::{Exit, ExitOn, Failure, TempDir};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    #[arg(long, default_value_t = 1_000)]
    pub groups: u32,
    #[arg(long, default_value_t = 100_000)]
    pub members: u32,
    /// Database to measure [default: a new SQLite file in a temporary directory]. It must be
    /// empty: the benchmark feeds a fixed simulation.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Events per second for the latency run
    #[arg(long, default_value_t = 10_000)]
    pub rate: u32,
    /// Length of the latency run in seconds
    #[arg(long, default_value_t = 10)]
    pub seconds: u32,
    /// Commit with fsync on every transaction (SQLite synchronous=FULL)
    #[arg(long)]
    pub full_durability: bool,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Measure the console instead: pages of one group holding `--messages` stored messages
    #[arg(long)]
    pub console: bool,
    /// With --console: how many messages the group holds
    #[arg(long, default_value_t = 1_000_000)]
    pub messages: u64,
    /// Run the pipeline without the moderation feature (to see what it costs)
    #[arg(long)]
    pub no_moderation: bool,
    /// Pay a point for each real message (off by default; to see what it costs)
    #[arg(long)]
    pub message_points: bool,
    /// The deployment's engagement settings for the run, a JSON document (docs/engagement.md),
    /// e.g. '{"questions": {"enabled": false}}' to see what a part costs
    #[arg(long, value_name = "JSON")]
    pub engagement: Option<String>,
    /// Measure the moderation detector chain instead, on one core: messages per second
    #[arg(long)]
    pub detectors: bool,
    /// With --detectors: also measure on these files' lines (labelled or plain)
    #[arg(long, value_name = "FILE")]
    pub corpus: Vec<std::path::PathBuf>,
}

fn failure(error: impl std::fmt::Display) -> Failure {
    Failure {
        exit: Exit::Failure,
        error: anyhow::anyhow!("{error}"),
    }
}

pub async fn run(args: &BenchArgs) -> Result<(), Failure> {
    if args.console {
        return run_console(args).await;
    }
    if args.detectors {
        return tokio::task::spawn_blocking({
            let args = args.clone();
            move || run_detectors(&args)
        })
        .await
        .map_err(failure)?;
    }
    let temp = TempDir::new("steward-bench").exit_on(Exit::Failure)?;
    let url = args
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.0.join("bench.db").display()));
    let durability = if args.full_durability {
        Durability::Full
    } else {
        Durability::Normal
    };
    let open_url = url.clone();
    let database = Arc::new(
        tokio::task::spawn_blocking(move || Database::open(&open_url, durability))
            .await
            .exit_on(Exit::Failure)?
            .exit_on(Exit::Database)?,
    );
    let counting = Arc::clone(&database);
    let counts = tokio::task::spawn_blocking(move || counting.counts())
        .await
        .exit_on(Exit::Failure)?
        .exit_on(Exit::Database)?;
    if counts.events > 0 {
        return Err(failure(format!(
            "{} already holds {} events; the benchmark needs an empty database",
            database.backend().describe(),
            counts.events
        )));
    }
    let simulation = Simulation::new(SimConfig {
        seed: args.seed,
        groups: args.groups,
        members: args.members,
        days: 4,
        ..SimConfig::default()
    })
    .map_err(failure)?;
    let settings = match (&args.engagement, args.message_points) {
        (Some(json), _) => Some(json.clone()),
        (None, true) => Some(r#"{"messages": {"points": 1}}"#.to_owned()),
        (None, false) => None,
    };
    if let Some(json) = settings {
        steward_engine::engagement::Settings::from_json(&json).map_err(|err| Failure {
            exit: Exit::Config,
            error: anyhow::anyhow!("--engagement: {err}"),
        })?;
        database
            .set_document(
                steward_store::moderation::Documents::Engagement,
                steward_store::moderation::DEFAULT_SCOPE,
                &json,
                "bench",
                chrono::Utc::now(),
            )
            .exit_on(Exit::Database)?;
    }
    let pipeline = Pipeline::start(
        database.clone(),
        features::registry(
            &features::FeaturesConfig {
                moderation: features::ModerationConfig {
                    enabled: !args.no_moderation,
                },
                ..features::FeaturesConfig::default()
            },
            &Default::default(),
        ),
        &PipelineConfig::default(),
    )
    .await
    .exit_on(Exit::Database)?;

    let durability = match (database.backend(), args.full_durability) {
        (steward_store::Backend::Postgres(_), _) => "the server's own durability settings",
        (_, true) => "WAL, synchronous=FULL",
        (_, false) => "WAL, synchronous=NORMAL",
    };
    println!(
        "community: {} groups, {} members; database: {} ({durability})",
        args.groups,
        args.members,
        database.backend().name(),
    );

    let simulation = Arc::new(simulation);
    let warmup = feed_unpaced(&pipeline, stream(&simulation, 0..1)).await?;
    println!(
        "loaded day 0: {} events in {:.1} s",
        warmup.events, warmup.seconds
    );

    let run = feed_unpaced(&pipeline, stream(&simulation, 1..3)).await?;
    println!(
        "throughput: {} messages ({} events) in {:.2} s = {:.0} messages/s, {:.0} events/s",
        run.messages,
        run.events,
        run.seconds,
        run.messages as f64 / run.seconds,
        run.events as f64 / run.seconds
    );

    let latency = feed_paced(
        &pipeline,
        stream(&simulation, 3..4),
        args.rate,
        args.seconds,
    )
    .await?;
    println!(
        "latency at {} events/s: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} events ({:.0} events/s achieved)",
        args.rate,
        latency.p50_ms,
        latency.p99_ms,
        latency.max_ms,
        latency.events,
        latency.achieved_rate
    );
    pipeline.shutdown().await;
    match peak_rss_mib() {
        Some(peak) => println!("memory: peak resident set {peak:.0} MiB"),
        None => println!("memory: peak resident set unknown (no /proc/self/status)"),
    }
    Ok(())
}

/// Generates the days' events on a thread of its own, a little ahead of the pipeline, so that no
/// day of events sits in memory and the generator's time is part of the measurement, as a
/// platform adapter's parsing would be.
fn stream(simulation: &Arc<Simulation>, days: std::ops::Range<u32>) -> mpsc::Receiver<Event> {
    let (sender, receiver) = mpsc::channel(4_096);
    let simulation = Arc::clone(simulation);
    std::thread::spawn(move || {
        for event in simulation.events_of_days(days) {
            if sender.blocking_send(event).is_err() {
                break;
            }
        }
    });
    receiver
}

struct Run {
    events: u64,
    messages: u64,
    seconds: f64,
}

async fn feed_unpaced(pipeline: &Pipeline, events: mpsc::Receiver<Event>) -> Result<Run, Failure> {
    feed_until(pipeline, events, None).await
}

/// Feeds as fast as the pipeline takes them, until the events or `messages` messages run out.
async fn feed_until(
    pipeline: &Pipeline,
    mut events: mpsc::Receiver<Event>,
    messages_wanted: Option<u64>,
) -> Result<Run, Failure> {
    let started = Instant::now();
    let (sender, mut receiver) = mpsc::channel::<Ticket>(65_536);
    let acker = tokio::spawn(async move {
        let mut failed = 0_u64;
        while let Some(ticket) = receiver.recv().await {
            if ticket.outcome().await.is_err() {
                failed += 1;
            }
        }
        failed
    });
    let mut count = 0;
    let mut messages = 0;
    while let Some(event) = events.recv().await {
        if messages_wanted.is_some_and(|wanted| messages >= wanted) {
            break;
        }
        count += 1;
        if matches!(event.kind, EventKind::Message { .. }) {
            messages += 1;
        }
        let ticket = pipeline.submit(event).await.map_err(failure)?;
        if sender.send(ticket).await.is_err() {
            break;
        }
    }
    drop(sender);
    let failed = acker.await.map_err(failure)?;
    if failed > 0 {
        return Err(failure(format!(
            "{failed} events failed during the benchmark"
        )));
    }
    Ok(Run {
        events: count,
        messages,
        seconds: started.elapsed().as_secs_f64(),
    })
}

struct Latency {
    events: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    achieved_rate: f64,
}

async fn feed_paced(
    pipeline: &Pipeline,
    mut events: mpsc::Receiver<Event>,
    rate: u32,
    seconds: u32,
) -> Result<Latency, Failure> {
    const TICK: Duration = Duration::from_millis(1);
    let per_tick = f64::from(rate.max(1)) / 1_000.0;
    let limit = (u64::from(rate) * u64::from(seconds)) as usize;
    let (sender, mut receiver) = mpsc::channel::<(Instant, Ticket)>(1 << 20);
    let acker = tokio::spawn(async move {
        let mut samples = Vec::new();
        let mut failed = 0_u64;
        while let Some((submitted, ticket)) = receiver.recv().await {
            if ticket.outcome().await.is_err() {
                failed += 1;
            }
            samples.push(submitted.elapsed());
        }
        (samples, failed)
    });
    // The generator drafts a whole day before its first event: wait for it, so that the schedule
    // does not start behind and open with a burst.
    let mut next = events.recv().await;
    let started = Instant::now();
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut due = 0.0_f64;
    let mut sent = 0_usize;
    'feed: loop {
        interval.tick().await;
        // Submit as many as the schedule says are due by now, so that a late tick catches up.
        due += per_tick;
        while (sent as f64) < due {
            if sent >= limit {
                break 'feed;
            }
            let Some(event) = next.take() else {
                break 'feed;
            };
            next = events.recv().await;
            let submitted = Instant::now();
            let ticket = pipeline.submit(event).await.map_err(failure)?;
            if sender.send((submitted, ticket)).await.is_err() {
                break 'feed;
            }
            sent += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    drop(sender);
    let (mut samples, failed) = acker.await.map_err(failure)?;
    if failed > 0 {
        return Err(failure(format!(
            "{failed} events failed during the latency run"
        )));
    }
    samples.sort_unstable();
    let percentile = |p: f64| -> f64 {
        if samples.is_empty() {
            return 0.0;
        }
        let index = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
        samples
            .get(index)
            .map_or(0.0, |d| d.as_secs_f64() * 1_000.0)
    };
    Ok(Latency {
        events: samples.len(),
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        max_ms: percentile(1.0),
        achieved_rate: sent as f64 / elapsed,
    })
}

/// The process's peak resident set (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// `steward bench --console`: one group with a million stored messages, and how long the
/// console takes to render its pages (through the router, without the network).
async fn run_console(args: &BenchArgs) -> Result<(), Failure> {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt;

    let temp = TempDir::new("steward-bench-console").exit_on(Exit::Failure)?;
    let url = args
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.0.join("console.db").display()));
    let open_url = url.clone();
    let database = Arc::new(
        tokio::task::spawn_blocking(move || Database::open(&open_url, Durability::Normal))
            .await
            .exit_on(Exit::Failure)?
            .exit_on(Exit::Database)?,
    );
    // One busy group of 5,000 members, simulated for as many days as the target takes: a short
    // probe tells how many messages a day this community writes.
    let config = |days: u32| SimConfig {
        seed: args.seed,
        groups: 1,
        members: 5_000,
        days,
        messages_per_member_day: 60.0,
        ..SimConfig::default()
    };
    const PROBE_DAYS: u32 = 10;
    let probe = Simulation::new(config(PROBE_DAYS)).map_err(failure)?;
    let probe_messages = probe
        .events()
        .filter(|event| matches!(event.kind, EventKind::Message { .. }))
        .count()
        .max(1) as u64;
    // Activity changes over a long run (groups grow or fade): simulate three times the estimate
    // and stop feeding at the target.
    let days = 3 * (args.messages * u64::from(PROBE_DAYS)).div_ceil(probe_messages) + 1;
    let days = u32::try_from(days)
        .unwrap_or(u32::MAX)
        .min(steward_simulator::MAX_DAYS);
    let simulation = Arc::new(Simulation::new(config(days)).map_err(failure)?);
    let pipeline = Pipeline::start(database.clone(), Vec::new(), &PipelineConfig::default())
        .await
        .exit_on(Exit::Database)?;
    let loaded = feed_until(&pipeline, stream(&simulation, 0..days), Some(args.messages)).await?;
    pipeline.shutdown().await;
    println!(
        "loaded one group: {} messages ({} events) in {:.1} s",
        loaded.messages, loaded.events, loaded.seconds
    );

    let token = steward_web::session::new_token().map_err(failure)?;
    let setup = database.clone();
    let hash = steward_web::session::token_hash(&token);
    let group = tokio::task::spawn_blocking(move || {
        let operator = setup.create_operator(
            "bench",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            steward_domain::OperatorRole::Owner,
            chrono::Utc::now(),
        )?;
        let now = chrono::Utc::now();
        setup.create_session(&hash, operator, "csrf", now, now + chrono::Duration::hours(1))?;
        setup.groups_page(0, 1)
    })
    .await
    .exit_on(Exit::Failure)?
    .exit_on(Exit::Database)?
    .0
    .first()
    .map(|group| group.id)
    .ok_or_else(|| failure("no group was recorded"))?;

    let state =
        steward_web::AppState::new(database.clone(), &steward_web::ConsoleConfig::default());
    let cookie = format!("{}={token}", steward_web::session::SESSION_COOKIE);
    let pages = [
        ("overview", "/".to_owned()),
        ("group page", format!("/groups/{group}")),
        ("group page, member search", format!("/groups/{group}?q=a")),
        ("group page, 20th page back", String::new()),
    ];
    // The deep page needs a cursor from the messages themselves.
    let deep = {
        let reading = database.clone();
        tokio::task::spawn_blocking(move || {
            let mut before = None;
            for _ in 0..20 {
                let lines = reading.recent_messages(group, before, 50)?;
                before = lines.last().map(|line| (line.time, line.event_id));
            }
            Ok::<_, steward_store::StoreError>(before)
        })
        .await
        .exit_on(Exit::Failure)?
        .exit_on(Exit::Database)?
        .map(|(time, event)| format!("/groups/{group}?before={time}.{event}"))
        .unwrap_or_else(|| format!("/groups/{group}"))
    };
    const RUNS: usize = 20;
    for (name, path) in pages {
        let path = if path.is_empty() { deep.clone() } else { path };
        let mut samples = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let request = Request::get(path.as_str())
                .header(header::COOKIE, cookie.as_str())
                .body(Body::empty())
                .map_err(failure)?;
            let started = Instant::now();
            let response = steward_web::router(state.clone())
                .oneshot(request)
                .await
                .map_err(failure)?;
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), 16 << 20)
                .await
                .map_err(failure)?;
            samples.push(started.elapsed());
            if status != StatusCode::OK || body.is_empty() {
                return Err(failure(format!("{path} answered {status}")));
            }
        }
        samples.sort_unstable();
        let ms = |d: &Duration| d.as_secs_f64() * 1_000.0;
        println!(
            "{name}: median {:.1} ms, slowest {:.1} ms over {RUNS} renders",
            samples.get(RUNS / 2).map_or(0.0, ms),
            samples.last().map_or(0.0, ms)
        );
    }
    Ok(())
}

/// The whole detector chain (normalisation, contact details, links, a word list, the ad
/// classifier, then the flood and repeat windows and the ladder through `judge`) on one thread.
fn run_detectors(args: &BenchArgs) -> Result<(), Failure> {
    use steward_engine::moderation::{History, Rules, Standing, Subject, Windows, judge};

    struct NoHistory;
    impl History for NoHistory {
        type Error = std::convert::Infallible;
        fn standing(&mut self, _: i64, _: i64) -> Result<Standing, Self::Error> {
            Ok(Standing::default())
        }
        fn offences_between(&mut self, _: i64, _: i64, _: i64) -> Result<usize, Self::Error> {
            Ok(0)
        }
        fn message_caught(&mut self, _: i64, _: i64, _: &str) -> Result<bool, Self::Error> {
            Ok(false)
        }
    }

    let simulation = Simulation::new(SimConfig {
        seed: args.seed,
        groups: 50,
        members: 5_000,
        days: 30,
        ..SimConfig::default()
    })
    .map_err(failure)?;
    let messages: Vec<Event> = simulation
        .events()
        .filter(|event| matches!(event.kind, EventKind::Message { .. }))
        .take(200_000)
        .collect();
    let rules = Rules {
        keywords: steward_text::STARTER_KEYWORDS
            .iter()
            .map(|word| (*word).to_owned())
            .collect(),
        ..Rules::default()
    };
    let compiled = rules.compile(std::sync::Arc::new(steward_text::Classifier::shipped()));
    let texts: Vec<String> = messages.iter().map(Event::plain_text).collect();

    // The text chain alone, over the simulated messages and the given files.
    let mut corpora: Vec<(String, Vec<String>)> = vec![("simulated".to_owned(), texts.clone())];
    for path in &args.corpus {
        let content = std::fs::read_to_string(path).map_err(failure)?;
        let lines = match steward_text::parse_labelled(&content) {
            Ok(rows) => rows.into_iter().map(|(text, _)| text).collect(),
            Err(_) => steward_text::plain_lines(&content, false)
                .into_iter()
                .map(|(text, _)| text)
                .collect(),
        };
        corpora.push((path.display().to_string(), lines));
    }
    for (name, lines) in &corpora {
        let rounds = (200_000 / lines.len().max(1)).max(1);
        let started = Instant::now();
        let mut flagged = 0usize;
        for _ in 0..rounds {
            for line in lines {
                flagged += usize::from(compiled.chain.check_text(line, false).is_some());
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        let count = rounds * lines.len();
        println!(
            "text chain on {name}: {count} messages in {elapsed:.2} s = {:.0} messages/s on one core ({:.2}% flagged)",
            count as f64 / elapsed,
            100.0 * flagged as f64 / count as f64
        );
    }

    // The whole judgement, windows and ladder included.
    let windows = std::sync::Mutex::new(Windows::default());
    let started = Instant::now();
    let mut flagged = 0usize;
    for (index, (event, text)) in messages.iter().zip(&texts).enumerate() {
        let subject = Subject {
            group_id: (index % 50) as i64,
            member_id: index as i64 % 5_000,
        };
        let Ok(decision) = judge(
            &compiled,
            &windows,
            &mut NoHistory,
            event,
            text,
            None,
            subject,
        );
        flagged += usize::from(decision.is_some());
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "whole judgement (chain, flood, repeats, ladder): {} messages in {elapsed:.2} s = {:.0} messages/s on one core ({flagged} flagged)",
        messages.len(),
        messages.len() as f64 / elapsed
    );
    Ok(())
}
