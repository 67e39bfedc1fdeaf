//! The one path every event takes.
//!
//! A caller [`Pipeline::submit`]s an event: it is checked and serialised in the caller's task (so
//! callers run in parallel), then queued to the writer thread that owns its group. Each writer
//! thread takes whatever is queued (up to `batch_max`) and handles it in one transaction: for
//! every event, dedupe + record + state, the features in order, the actions into the outbox. When
//! an event fails, the batch is rolled back and redone one event per transaction, so that only
//! the failing event is refused. Only after the commit does any caller hear back: an acknowledged event is on disk.
//!
//! Events of one group always go to the same writer and are handled in the order they were
//! submitted. Different groups go to different writers where the database allows concurrent
//! writers (PostgreSQL); SQLite has exactly one writer.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;
use serde::Deserialize;
use steward_domain::{Event, InvalidEvent};
use steward_store::{Database, PreparedEvent, Recorded, StoreError, Writer};
use tokio::sync::{Notify, mpsc, oneshot};
use tracing::{debug, error, warn};

use crate::feature::{Context, Feature, Prepared};

/// `[pipeline]` in `steward.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineConfig {
    /// Events waiting per writer before `submit` waits for room (backpressure).
    pub queue: usize,
    /// Most events committed in one transaction.
    pub batch_max: usize,
    /// Writer threads. SQLite always uses one; PostgreSQL up to this many, each with its own
    /// connection, groups spread among them.
    pub writers: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            queue: 8192,
            batch_max: 1024,
            writers: 4,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The event is malformed; it was not recorded. Retrying will not help.
    #[error("invalid event: {0}")]
    Invalid(#[from] InvalidEvent),
    /// The database failed; the event was not recorded. The caller may retry.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The pipeline is shutting down.
    #[error("the pipeline is shut down")]
    Closed,
}

/// What became of an acknowledged event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Recorded now, with `actions` queued in the outbox.
    Applied { event_id: i64, actions: usize },
    /// Recorded before: nothing changed.
    Duplicate,
}

/// Counters for logs and metrics.
#[derive(Debug, Default)]
pub struct PipelineStats {
    pub applied: AtomicU64,
    pub duplicates: AtomicU64,
    pub rejected: AtomicU64,
    pub failed: AtomicU64,
    pub feature_failures: AtomicU64,
    pub batches: AtomicU64,
    pub actions: AtomicU64,
}

struct Job {
    prepared: PreparedEvent,
    /// Each feature's [`Feature::prepare`], in registry order.
    extras: Vec<Option<Prepared>>,
    reply: oneshot::Sender<Result<Outcome, PipelineError>>,
}

/// The acknowledgement of one submitted event; resolves once its transaction has committed.
#[derive(Debug)]
pub struct Ticket(oneshot::Receiver<Result<Outcome, PipelineError>>);

impl Ticket {
    pub async fn outcome(self) -> Result<Outcome, PipelineError> {
        self.0.await.unwrap_or(Err(PipelineError::Closed))
    }
}

pub struct Pipeline {
    /// Taken out at shutdown, so that the writers see their queues close.
    senders: std::sync::RwLock<Vec<mpsc::Sender<Job>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    stats: Arc<PipelineStats>,
    outbox_ready: Arc<Notify>,
    /// Set by `shutdown`: a writer that cannot reach the database stops retrying.
    closing: Arc<AtomicBool>,
    /// The features, for their `prepare` step at submission.
    features: Arc<[Box<dyn Feature>]>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field(
                "writers",
                &self.senders.read().map_or(0, |senders| senders.len()),
            )
            .finish()
    }
}

impl Pipeline {
    /// Starts the writer threads, each opening its own connection, and waits until all are
    /// connected. Fails when the database cannot be reached.
    pub async fn start(
        database: Arc<Database>,
        features: Vec<Box<dyn Feature>>,
        config: &PipelineConfig,
    ) -> Result<Pipeline, StoreError> {
        let writers = config.writers.clamp(1, database.max_writers());
        let features: Arc<[Box<dyn Feature>]> = features.into();
        let stats = Arc::new(PipelineStats::default());
        let outbox_ready = Arc::new(Notify::new());
        let closing = Arc::new(AtomicBool::new(false));
        let mut senders = Vec::with_capacity(writers);
        let mut threads = Vec::with_capacity(writers);
        let mut connected = Vec::with_capacity(writers);
        for index in 0..writers {
            let (sender, receiver) = mpsc::channel(config.queue.max(1));
            let (ready, is_ready) = oneshot::channel();
            let database = Arc::clone(&database);
            let features = Arc::clone(&features);
            let stats = Arc::clone(&stats);
            let outbox_ready = Arc::clone(&outbox_ready);
            let closing = Arc::clone(&closing);
            let batch_max = config.batch_max.max(1);
            let thread = std::thread::Builder::new()
                .name(format!("steward-writer-{index}"))
                .spawn(move || {
                    // The drivers block, so the connection is opened here, off the async runtime.
                    let writer = match database.writer() {
                        Ok(writer) => writer,
                        Err(err) => {
                            let _ = ready.send(Err(err));
                            return;
                        }
                    };
                    let _ = ready.send(Ok(()));
                    WriterThread {
                        database,
                        writer,
                        features,
                        stats,
                        outbox_ready,
                        closing,
                        batch_max,
                    }
                    .run(receiver);
                })
                .map_err(|err| StoreError::Unavailable(format!("cannot start a writer: {err}")))?;
            senders.push(sender);
            threads.push(thread);
            connected.push(is_ready);
        }
        for is_ready in connected {
            is_ready.await.unwrap_or_else(|_| {
                Err(StoreError::Unavailable(
                    "a writer thread stopped while connecting".into(),
                ))
            })?;
        }
        Ok(Pipeline {
            senders: std::sync::RwLock::new(senders),
            threads: Mutex::new(threads),
            stats,
            outbox_ready,
            closing,
            features,
        })
    }

    /// Checks the event and queues it, waiting while the queue is full. The returned ticket
    /// resolves when the event is committed (or failed). A malformed event is refused here and
    /// changes nothing.
    pub async fn submit(&self, event: Event) -> Result<Ticket, PipelineError> {
        let prepared = match PreparedEvent::new(event) {
            Ok(prepared) => prepared,
            Err(invalid) => {
                self.stats.rejected.fetch_add(1, Ordering::Relaxed);
                return Err(PipelineError::Invalid(invalid));
            }
        };
        let sender = self
            .sender_for(&prepared.event)
            .ok_or(PipelineError::Closed)?;
        let extras = self
            .features
            .iter()
            .map(|feature| feature.prepare(&prepared.event, &prepared.text))
            .collect();
        let (reply, ticket) = oneshot::channel();
        sender
            .send(Job {
                prepared,
                extras,
                reply,
            })
            .await
            .map_err(|_| PipelineError::Closed)?;
        Ok(Ticket(ticket))
    }

    /// Submits and waits for the commit.
    pub async fn process(&self, event: Event) -> Result<Outcome, PipelineError> {
        self.submit(event).await?.outcome().await
    }

    pub fn stats(&self) -> &PipelineStats {
        &self.stats
    }

    /// Woken after every commit that queued actions; adapters wait on it instead of polling.
    pub fn outbox_ready(&self) -> Arc<Notify> {
        Arc::clone(&self.outbox_ready)
    }

    /// Events waiting in the writers' queues.
    pub fn queued(&self) -> usize {
        self.senders.read().map_or(0, |senders| {
            senders
                .iter()
                .map(|sender| sender.max_capacity() - sender.capacity())
                .sum()
        })
    }

    fn sender_for(&self, event: &Event) -> Option<mpsc::Sender<Job>> {
        let mut hasher = DefaultHasher::new();
        event.platform.hash(&mut hasher);
        event.chat.hash(&mut hasher);
        let senders = self.senders.read().ok()?;
        let index = (hasher.finish() % senders.len().max(1) as u64) as usize;
        senders.get(index).cloned()
    }

    /// Marks the start of a shutdown: from now on a writer that cannot reach the database fails
    /// its queued events instead of retrying, so that the adapters and console requests waiting
    /// for them can finish and the process can stop. Events are still taken until
    /// [`Pipeline::shutdown`].
    pub fn stopping(&self) {
        self.closing.store(true, Ordering::Release);
    }

    /// Stops taking events, lets the writers commit everything queued, and waits for them.
    /// Safe to call through a shared reference (adapters and the web server hold the pipeline
    /// too); events submitted afterwards are refused with [`PipelineError::Closed`].
    pub async fn shutdown(&self) {
        self.closing.store(true, Ordering::Release);
        if let Ok(mut senders) = self.senders.write() {
            senders.clear();
        }
        let threads = self
            .threads
            .lock()
            .map(|mut threads| std::mem::take(&mut *threads))
            .unwrap_or_default();
        let joined = tokio::task::spawn_blocking(move || {
            for thread in threads {
                if thread.join().is_err() {
                    error!("a writer thread panicked");
                }
            }
        })
        .await;
        if joined.is_err() {
            error!("waiting for the writers failed");
        }
    }
}

struct WriterThread {
    database: Arc<Database>,
    writer: Writer,
    features: Arc<[Box<dyn Feature>]>,
    stats: Arc<PipelineStats>,
    outbox_ready: Arc<Notify>,
    closing: Arc<AtomicBool>,
    batch_max: usize,
}

impl WriterThread {
    fn run(mut self, mut receiver: mpsc::Receiver<Job>) {
        let mut batch = Vec::with_capacity(self.batch_max);
        while let Some(first) = receiver.blocking_recv() {
            batch.push(first);
            while batch.len() < self.batch_max {
                match receiver.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            self.handle_batch(&mut batch);
            batch.clear();
        }
        debug!("writer stopped: queue closed and drained");
    }

    fn handle_batch(&mut self, batch: &mut Vec<Job>) {
        self.stats.batches.fetch_add(1, Ordering::Relaxed);
        let now = Utc::now();
        if let Err(err) = self.writer.begin() {
            error!(error = %err, "cannot begin a transaction; reconnecting");
            self.fail_all(batch, &err);
            self.reconnect();
            return;
        }
        // The fast path: the whole batch in one transaction, no savepoints (SQLite copies every
        // page a savepoint touches). Should any event fail, the batch is rolled back and taken
        // again one event per transaction, so that the failure stays with its event.
        let mut results = Vec::with_capacity(batch.len());
        for job in batch.iter() {
            match self.record_and_run(&job.prepared, &job.extras, now) {
                Ok(outcome) => results.push(outcome),
                Err(err) => {
                    debug!(error = %err, "an event failed in a batch; retrying one by one");
                    if let Err(err) = self.writer.rollback() {
                        error!(error = %err, "rollback failed; reconnecting");
                        self.reconnect();
                    }
                    self.handle_one_by_one(batch, now);
                    return;
                }
            }
        }
        if let Err(err) = self.writer.commit() {
            error!(error = %err, events = batch.len(), "commit failed; nothing of the batch is acknowledged");
            self.fail_all(batch, &err);
            self.reconnect();
            return;
        }
        let actions = results
            .iter()
            .map(|outcome| match outcome {
                Outcome::Applied { actions, .. } => *actions,
                Outcome::Duplicate => 0,
            })
            .sum();
        for (job, outcome) in batch.drain(..).zip(results) {
            self.reply(job, Ok(outcome));
        }
        self.announce(actions);
        if let Err(err) = self.writer.after_commit() {
            warn!(error = %err, "housekeeping after a commit failed");
        }
    }

    /// The slow path after a failure inside a batch: each event in a transaction of its own,
    /// transient failures (a deadlock between PostgreSQL writers, a busy database) retried.
    fn handle_one_by_one(&mut self, batch: &mut Vec<Job>, now: chrono::DateTime<Utc>) {
        const ATTEMPTS: usize = 3;
        let mut actions = 0;
        for job in batch.drain(..) {
            let mut attempt = 0;
            let result = loop {
                attempt += 1;
                let outcome = self.writer.begin().and_then(|()| {
                    let outcome = self.record_and_run(&job.prepared, &job.extras, now)?;
                    self.writer.commit()?;
                    Ok(outcome)
                });
                match outcome {
                    Ok(outcome) => break Ok(outcome),
                    Err(err) => {
                        // The connection may be broken as well as the transaction.
                        if self.writer.rollback().is_err() {
                            self.reconnect();
                        }
                        if err.is_transient() && attempt < ATTEMPTS {
                            // A connection may have died (on PostgreSQL the writer has two):
                            // start afresh rather than fail every later event on it.
                            self.reconnect();
                            continue;
                        }
                        let key = job.prepared.dedup_key.replace('\u{1f}', "/");
                        warn!(key = %key, error = %err, "event failed; not recorded");
                        break Err(PipelineError::Store(err));
                    }
                }
            };
            if let Ok(Outcome::Applied { actions: count, .. }) = &result {
                actions += count;
            }
            self.reply(job, result);
        }
        self.announce(actions);
    }

    fn reply(&self, job: Job, result: Result<Outcome, PipelineError>) {
        match &result {
            Ok(Outcome::Applied { .. }) => self.stats.applied.fetch_add(1, Ordering::Relaxed),
            Ok(Outcome::Duplicate) => self.stats.duplicates.fetch_add(1, Ordering::Relaxed),
            Err(_) => self.stats.failed.fetch_add(1, Ordering::Relaxed),
        };
        // The submitter may have stopped waiting; the event is committed all the same.
        let _ = job.reply.send(result);
    }

    /// Wakes the adapters when actions were committed.
    fn announce(&self, actions: usize) {
        if actions > 0 {
            self.stats
                .actions
                .fetch_add(actions as u64, Ordering::Relaxed);
            self.outbox_ready.notify_waiters();
        }
    }

    fn record_and_run(
        &mut self,
        prepared: &PreparedEvent,
        extras: &[Option<Prepared>],
        now: chrono::DateTime<Utc>,
    ) -> Result<Outcome, StoreError> {
        let stored = match self.writer.record(prepared, now)? {
            Recorded::Duplicate => return Ok(Outcome::Duplicate),
            Recorded::New(stored) => stored,
        };
        let mut actions = Vec::new();
        for (index, feature) in self.features.iter().enumerate() {
            let savepoint = feature.writes_state();
            if savepoint {
                self.writer.savepoint("steward_feature")?;
            }
            let mut context = Context {
                event: &prepared.event,
                text: &prepared.text,
                stored,
                store: &mut self.writer,
                now,
                prepared: extras.get(index).and_then(|extra| extra.as_deref()),
                removed: removed(&prepared.event, &actions),
                actions: Vec::new(),
            };
            let result =
                std::panic::catch_unwind(AssertUnwindSafe(|| feature.handle(&mut context)));
            let asked = std::mem::take(&mut context.actions);
            let failure = match result {
                Ok(Ok(())) => None,
                Ok(Err(err)) => Some(err.to_string()),
                Err(_) => Some("panicked".to_owned()),
            };
            match failure {
                None => {
                    if savepoint {
                        self.writer.release("steward_feature")?;
                    }
                    actions.extend(asked);
                }
                Some(reason) => {
                    self.stats.feature_failures.fetch_add(1, Ordering::Relaxed);
                    warn!(feature = feature.name(), event = stored.id, error = %reason, "feature failed; skipped");
                    if savepoint {
                        self.writer.rollback_to("steward_feature")?;
                    }
                }
            }
        }
        for request in &actions {
            self.writer.enqueue(Some(stored.id), request, now)?;
        }
        Ok(Outcome::Applied {
            event_id: stored.id,
            actions: actions.len(),
        })
    }

    fn fail_all(&self, batch: &mut Vec<Job>, err: &StoreError) {
        for job in batch.drain(..) {
            self.stats.failed.fetch_add(1, Ordering::Relaxed);
            let _ = job
                .reply
                .send(Err(PipelineError::Store(StoreError::Database {
                    message: err.to_string(),
                    transient: true,
                })));
        }
    }

    /// After a failed begin or commit the connection may be broken: open a new one, waiting
    /// longer after each failure. Queued events wait meanwhile, except during shutdown.
    fn reconnect(&mut self) {
        let mut delay = Duration::from_millis(100);
        loop {
            match self.database.writer() {
                Ok(writer) => {
                    self.writer = writer;
                    return;
                }
                Err(err) if self.closing.load(Ordering::Acquire) => {
                    // Shutting down: the queued events fail instead of waiting for the database.
                    error!(error = %err, "writer cannot reconnect; giving up at shutdown");
                    return;
                }
                Err(err) => {
                    error!(error = %err, retry_in_ms = delay.as_millis() as u64, "writer cannot reconnect");
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
            }
        }
    }
}

/// Whether `actions` delete the event's own message, kick the member whose join it is (a
/// blacklisted member is not welcomed) or reject the join request (it is not screened again).
fn removed(event: &steward_domain::Event, actions: &[steward_domain::ActionRequest]) -> bool {
    if let steward_domain::EventKind::MemberJoined { member, .. } = &event.kind {
        return actions.iter().any(|request| {
            request.chat == event.chat
                && matches!(&request.action, steward_domain::Action::Kick { member: kicked, .. } if *kicked == member.id)
        });
    }
    if let steward_domain::EventKind::JoinRequest { .. } = &event.kind {
        return actions.iter().any(|request| {
            request.chat == event.chat
                && matches!(&request.action, steward_domain::Action::RejectJoin { request: id, .. } if Some(id) == event.id.as_ref())
        });
    }
    event.id.as_deref().is_some_and(|id| {
        actions.iter().any(|request| {
            request.chat == event.chat
                && matches!(&request.action, steward_domain::Action::DeleteMessage { message } if message.as_str() == id)
        })
    })
}
