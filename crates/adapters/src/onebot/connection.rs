//! One WebSocket connection with a OneBot v11 implementation, whichever side opened it: the
//! events it pushes are queued into the pipeline in order (the socket is read no faster than the
//! pipeline's bounded queue takes them: backpressure, not a buffer without bound), and the account's
//! queued actions go out as `{action, params, echo}` calls, each answer matched by its `echo`
//! and recorded on the outbox entry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde_json::{Value, json};
use steward_domain::{AccountId, Platform};
use steward_engine::Pipeline;
use steward_store::{ActionOutcome, Database, OutboxEntry};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, warn};

use super::protocol::{Call, Incoming, calls, parse};
use crate::delivery::{ANSWER_WITHIN, Carrier, UNANSWERED, deliver, not_sent};
use crate::health::Health;
use crate::limits::Limits;

/// An answer to a call: ok, retcode, data, message.
type Answer = (bool, i64, Value, String);
type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<Answer>>>>;

/// Members' pictures read for QR codes at the same time, per connection.
const IMAGES_AT_ONCE: usize = 8;

/// Queues an event, not waiting for its commit: the pipeline keeps each group's order, and its
/// bounded queue makes this wait when it is full (the socket then waits too).
async fn queue(pipeline: &Pipeline, account: &AccountId, event: steward_domain::Event) {
    match pipeline.submit(event).await {
        Ok(ticket) => {
            let account = account.clone();
            tokio::spawn(async move {
                if let Err(err) = ticket.outcome().await {
                    warn!(account = %account, error = %err, "onebot: event not recorded");
                }
            });
        }
        Err(err) => {
            warn!(account = %account, error = %err, "onebot: event refused");
        }
    }
}

/// Serves one connection until it closes or `stop` turns true. `account` is the bot's own id
/// (`X-Self-ID`), whose actions this connection carries out when `calls` is true (a universal
/// or an API connection; an event-only connection carries none).
#[allow(clippy::too_many_arguments)]
pub async fn serve<S, K, E>(
    database: Arc<Database>,
    pipeline: Arc<Pipeline>,
    health: Arc<Health>,
    limits: Arc<Limits>,
    transport: &str,
    account: AccountId,
    calls: bool,
    mut incoming: S,
    mut outgoing: K,
    mut stop: watch::Receiver<bool>,
) where
    S: Stream<Item = Result<String, E>> + Unpin + Send,
    K: Sink<String> + Unpin + Send + 'static,
    E: std::fmt::Display,
{
    let connection = health.connected("onebot", account.as_str(), transport);
    let reading = Arc::new(tokio::sync::Semaphore::new(IMAGES_AT_ONCE));
    let mut reading_tasks = tokio::task::JoinSet::new();
    let mut failure = None;
    let mut heartbeat: Option<Duration> = None;
    let waiting: Waiting = Arc::new(Mutex::new(HashMap::new()));
    let (send, mut to_socket) = mpsc::channel::<String>(64);
    let writer = tokio::spawn(async move {
        while let Some(frame) = to_socket.recv().await {
            if outgoing.send(frame).await.is_err() {
                return;
            }
        }
    });
    let (closed, closing) = watch::channel(false);
    let rosters = calls.then(|| {
        tokio::spawn(learn_rosters(
            Arc::clone(&pipeline),
            account.clone(),
            send.clone(),
            Arc::clone(&waiting),
        ))
    });
    let outbox = calls.then(|| {
        tokio::spawn(deliver(
            Arc::clone(&database),
            Arc::clone(&pipeline),
            Platform::OneBot,
            account.clone(),
            Transport::Socket {
                send,
                waiting: Arc::clone(&waiting),
            },
            closing,
            Arc::clone(&health),
            Arc::clone(&limits),
        ))
    });
    loop {
        // After a heartbeat, silence for three intervals means the connection is gone even when
        // TCP has not noticed (a half-open connection): it ends, and a forward one is made again.
        let silence = heartbeat.map_or(Duration::from_secs(24 * 3600), |interval| interval * 3);
        let frame = tokio::select! {
            frame = incoming.next() => frame,
            () = stopped(&mut stop) => break,
            () = tokio::time::sleep(silence) => {
                warn!(account = %account, "onebot: no heartbeat for three intervals; closing");
                failure = Some("no heartbeat for three intervals".to_owned());
                break;
            }
        };
        let text = match frame {
            Some(Ok(text)) => text,
            Some(Err(err)) => {
                warn!(account = %account, error = %err, "onebot: connection failed");
                failure = Some(err.to_string());
                break;
            }
            None => break,
        };
        let payload: Value = match serde_json::from_str(&text) {
            Ok(payload) => payload,
            Err(err) => {
                warn!(account = %account, error = %err, "onebot: a frame that is not JSON; skipped");
                continue;
            }
        };
        match parse(&payload) {
            Ok(Incoming::Event(event)) => {
                if event.account != account {
                    warn!(account = %account, other = %event.account, "onebot: an event of another account on this connection; skipped");
                    continue;
                }
                health.event("onebot", account.as_str());
                // A member's picture is fetched for its QR codes off this loop (a slow picture
                // server must not hold up the calls' answers), a few at a time: beyond that the
                // message goes in unread rather than wait. It may then be recorded after
                // messages that came later.
                if crate::images::wanted(&event)
                    && let (Some(http), Ok(permit)) = (
                        crate::images::shared_client(),
                        Arc::clone(&reading).try_acquire_owned(),
                    )
                {
                    let (pipeline, account) = (Arc::clone(&pipeline), account.clone());
                    let until = tokio::time::Instant::now() + crate::images::READING_BUDGET;
                    reading_tasks.spawn(async move {
                        let mut event = event;
                        crate::images::read_codes(
                            http,
                            &crate::images::WebAddress,
                            &mut event,
                            until,
                        )
                        .await;
                        drop(permit);
                        queue(&pipeline, &account, *event).await;
                    });
                    while reading_tasks.try_join_next().is_some() {}
                    continue;
                }
                queue(&pipeline, &account, *event).await;
            }
            Ok(Incoming::Response {
                echo,
                ok,
                retcode,
                data,
                message,
            }) => {
                let waiter = waiting.lock().ok().and_then(|mut map| map.remove(&echo));
                if let Some(waiter) = waiter {
                    let _ = waiter.send((ok, retcode, data, message));
                }
            }
            Ok(Incoming::Meta { kind, interval }) => {
                if let Some(interval) = interval.filter(|ms| *ms > 0) {
                    heartbeat = Some(Duration::from_millis(interval.min(3_600_000)));
                }
                debug!(account = %account, kind, "onebot: meta event");
            }
            Ok(Incoming::Ignored(why)) => debug!(account = %account, why, "onebot: ignored"),
            Err(err) => warn!(account = %account, error = %err, "onebot: payload refused"),
        }
    }
    // Messages whose pictures are being read are queued before the connection is done (their
    // reading has its own deadline).
    while reading_tasks.join_next().await.is_some() {}
    let _ = closed.send(true);
    if let Some(rosters) = rosters {
        rosters.abort();
    }
    if let Some(outbox) = outbox {
        let _ = outbox.await;
    }
    writer.abort();
    health.disconnected("onebot", account.as_str(), connection, failure);
}

/// One call outside the outbox (reading the member lists): its answer's `data`, or `None`.
async fn request(
    send: &mpsc::Sender<String>,
    waiting: &Waiting,
    action: &str,
    params: Value,
    echo: String,
) -> Option<Value> {
    let (answer, answered) = oneshot::channel();
    if let Ok(mut map) = waiting.lock() {
        map.insert(echo.clone(), answer);
    }
    let frame = json!({ "action": action, "params": params, "echo": echo });
    let sent = send.send(frame.to_string()).await.is_ok();
    let answer = if sent {
        tokio::time::timeout(ANSWER_WITHIN, answered)
            .await
            .ok()
            .and_then(Result::ok)
    } else {
        None
    };
    if let Ok(mut map) = waiting.lock() {
        map.remove(&echo);
    }
    answer.filter(|(ok, ..)| *ok).map(|(_, _, data, _)| data)
}

/// Reads the account's groups and their members once the connection is open, so that Steward
/// knows the members who have not spoken yet (nicknames, admins): each becomes a `MemberSeen`
/// event, at most once a day per member and group (its time is the day's first instant).
async fn learn_rosters(
    pipeline: Arc<Pipeline>,
    account: AccountId,
    send: mpsc::Sender<String>,
    waiting: Waiting,
) {
    let Some(Value::Array(groups)) = request(
        &send,
        &waiting,
        "get_group_list",
        json!({}),
        "steward-groups".into(),
    )
    .await
    else {
        return;
    };
    let now = Utc::now();
    let today = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or(now, |midnight| midnight.and_utc());
    for group in groups {
        let Some(group_id) = group.get("group_id").cloned().filter(|id| !id.is_null()) else {
            continue;
        };
        let chat = group_id
            .as_str()
            .map_or_else(|| group_id.to_string(), str::to_owned);
        let echo = format!("steward-members-{chat}");
        let Some(Value::Array(members)) = request(
            &send,
            &waiting,
            "get_group_member_list",
            json!({ "group_id": group_id }),
            echo,
        )
        .await
        else {
            continue;
        };
        for member in members {
            let Some(event) = super::protocol::member_seen(&account, &chat, &member, today) else {
                continue;
            };
            if let Ok(ticket) = pipeline.submit(event).await {
                tokio::spawn(async move {
                    let _ = ticket.outcome().await;
                });
            }
        }
    }
}

/// Resolves when `stop` turns true; never, when nobody can signal it any more.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow_and_update() {
            return;
        }
        if stop.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// How calls reach the implementation: over the WebSocket (answers matched by echo), or through
/// its HTTP API.
#[derive(Clone)]
pub(crate) enum Transport {
    Socket {
        send: mpsc::Sender<String>,
        waiting: Waiting,
    },
    Http(Arc<super::http::HttpApi>),
}

impl Carrier for Transport {
    fn carry_out(
        &self,
        entry: &OutboxEntry,
        closing: watch::Receiver<bool>,
    ) -> impl std::future::Future<Output = ActionOutcome> + Send {
        carry_out(entry, self, closing)
    }

    fn calls_for(&self, entry: &OutboxEntry) -> usize {
        calls(&entry.chat, &entry.action).len()
    }
}

/// An action: its calls sent one after the other (a long message goes in parts), each answer
/// awaited. Once a part is sent the action is never retried: that would send it twice.
async fn carry_out(
    entry: &OutboxEntry,
    transport: &Transport,
    mut closing: watch::Receiver<bool>,
) -> ActionOutcome {
    let requests = calls(&entry.chat, &entry.action);
    let harmless = entry.action.repeat_is_harmless();
    // All parts within the time one call has: the claim's lease must not run out meanwhile,
    // and the group's next actions wait.
    let deadline = tokio::time::Instant::now() + ANSWER_WITHIN;
    let mut first = None;
    for (part, request) in requests.iter().enumerate() {
        // The first part keeps the echo a single call has always had.
        let echo = match part {
            0 => format!("steward-{}-{}", entry.id, entry.attempts),
            _ => format!("steward-{}-{}-{part}", entry.id, entry.attempts),
        };
        let sent_before = |why: String| ActionOutcome::Failed {
            error: format!(
                "{part} of {} parts sent, the rest not: {why}",
                requests.len()
            ),
            retry: false,
        };
        // Closing between parts, or out of time: the rest is not sent (it would have no
        // answer, and would be recorded as unsent).
        if part > 0 && *closing.borrow() {
            return sent_before("the connection is closing".to_owned());
        }
        if part > 0 && tokio::time::Instant::now() + PART_MARGIN >= deadline {
            return sent_before(format!(
                "out of the {} s the message has",
                ANSWER_WITHIN.as_secs()
            ));
        }
        match one_call(request, echo, transport, &mut closing, deadline).await {
            Outcome::Ok(data) => {
                if part == 0 {
                    first = data
                        .get("message_id")
                        .map(|id| id.as_str().map_or_else(|| id.to_string(), str::to_owned))
                        .or_else(|| (!data.is_null()).then(|| data.to_string()));
                }
            }
            Outcome::NotSent if part == 0 => return not_sent(),
            Outcome::NotSent => return sent_before("not sent".to_owned()),
            Outcome::Refused(retcode, message) if part == 0 => {
                return ActionOutcome::Failed {
                    error: format!("retcode {retcode}: {message}"),
                    // A message is never sent again: a failure may come after it reached the
                    // group. 1xx and 14xx are refusals (bad request, no permission, unknown
                    // call): final.
                    retry: harmless
                        && !(100..200).contains(&retcode)
                        && !(1400..1500).contains(&retcode),
                };
            }
            Outcome::Refused(retcode, message) => {
                return sent_before(format!("retcode {retcode}: {message}"));
            }
            Outcome::Unanswered => {
                // Unanswered first, so that the group's turn ends as after any call that may
                // have gone (delivery's lanes read the prefix).
                let error = format!(
                    "{UNANSWERED} within {} s or before the connection closed",
                    ANSWER_WITHIN.as_secs()
                );
                return ActionOutcome::Failed {
                    error: match part {
                        0 => error,
                        _ => format!("{error}; {part} of {} parts sent before it", requests.len()),
                    },
                    retry: harmless && part == 0,
                };
            }
        }
    }
    ActionOutcome::Sent { answer: first }
}

/// The least time a later part of a message must have left to be sent: one sent with less would
/// be recorded as unanswered.
const PART_MARGIN: Duration = Duration::from_secs(3);

/// How one call went.
enum Outcome {
    Ok(Value),
    /// The implementation answered no: its retcode and message.
    Refused(i64, String),
    /// It never reached the implementation.
    NotSent,
    /// No answer in time, or the connection closed first: it may have been carried out.
    Unanswered,
}

/// One call: sent, then its answer awaited.
async fn one_call(
    request: &Call,
    echo: String,
    transport: &Transport,
    closing: &mut watch::Receiver<bool>,
    deadline: tokio::time::Instant,
) -> Outcome {
    let answer = match transport {
        Transport::Socket { send, waiting } => {
            let (answer, answered) = oneshot::channel();
            if let Ok(mut map) = waiting.lock() {
                map.insert(echo.clone(), answer);
            }
            let forget = || {
                if let Ok(mut map) = waiting.lock() {
                    map.remove(&echo);
                }
            };
            let frame = json!({ "action": request.action, "params": request.params, "echo": echo });
            if send.send(frame.to_string()).await.is_err() {
                forget();
                return Outcome::NotSent;
            }
            let answer = tokio::select! {
                answer = tokio::time::timeout_at(deadline, answered) => answer.ok().and_then(Result::ok),
                _ = closing.changed() => None,
            };
            if answer.is_none() {
                forget();
            }
            answer
        }
        Transport::Http(api) => {
            let answer = tokio::select! {
                answer = tokio::time::timeout_at(deadline, api.call(request.action, &request.params)) => answer.ok(),
                _ = closing.changed() => None,
            };
            match answer {
                Some(Ok(answer)) => Some(answer),
                // No connection: the implementation never saw the call.
                Some(Err(true)) => return Outcome::NotSent,
                Some(Err(false)) | None => None,
            }
        }
    };
    match answer {
        Some((true, _, data, _)) => Outcome::Ok(data),
        Some((false, retcode, _, message)) => Outcome::Refused(retcode, message),
        None => Outcome::Unanswered,
    }
}
