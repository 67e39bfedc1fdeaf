//! `steward loadgen`: plays a OneBot v11 implementation against a running Steward, over one
//! reverse-WebSocket connection, and measures what comes back. Sign-ins (`--kind checkin`, each
//! from a new member so that each earns a real sign-in) are counted by their replies; ordinary
//! chat (`--kind chat`) is followed by one sign-in per group, whose reply shows that every
//! earlier message of the group was handled (a group's events keep their order). `--rate`
//! paces the events and reports the latency from an event to the call that answers it (matched
//! by the reply segment's message id); without it, everything is sent as fast as the socket
//! takes it. Every call is answered `ok`, as an implementation would.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::{Exit, Failure};

#[derive(Debug, clap::Args)]
pub struct LoadgenArgs {
    /// Steward's reverse-WebSocket endpoint
    #[arg(long, default_value = "ws://127.0.0.1:8080/onebot/v11/ws")]
    pub url: String,
    /// Steward's `[onebot] access_token`
    #[arg(long)]
    pub token: Option<String>,
    /// `checkin` (every event a new member's sign-in) or `chat`
    #[arg(long, default_value = "checkin")]
    pub kind: String,
    /// Events to send
    #[arg(long, default_value_t = 20_000)]
    pub events: u64,
    /// Groups they are spread over
    #[arg(long, default_value_t = 100)]
    pub groups: u64,
    /// Events per second (0: as fast as the socket takes them)
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// Steward's process id, to report its peak memory
    #[arg(long)]
    pub pid: Option<u32>,
}

fn failure(error: impl std::fmt::Display) -> Failure {
    Failure {
        exit: Exit::Failure,
        error: anyhow::anyhow!("{error}"),
    }
}

/// The event's text and sender for event `i`.
fn event(i: u64, args: &LoadgenArgs, base: u64, text: &str, user: u64) -> String {
    json!({
        "time": chrono::Utc::now().timestamp(), "self_id": 10001000, "post_type": "message",
        "message_type": "group", "sub_type": "normal", "message_id": base + i,
        "group_id": 900_000 + i % args.groups, "user_id": user,
        "message": [{"type": "text", "data": {"text": text}}], "raw_message": text, "font": 0,
        "sender": {"user_id": user, "nickname": format!("load {user}"), "role": "member"}
    })
    .to_string()
}

pub async fn run(args: &LoadgenArgs) -> Result<(), Failure> {
    if !matches!(args.kind.as_str(), "checkin" | "chat") || args.groups == 0 || args.events == 0 {
        return Err(Failure {
            exit: Exit::Config,
            error: anyhow::anyhow!("--kind checkin|chat, --groups and --events at least 1"),
        });
    }
    let mut request = args.url.as_str().into_client_request().map_err(failure)?;
    request
        .headers_mut()
        .insert("X-Self-ID", "10001000".parse().map_err(failure)?);
    if let Some(token) = &args.token {
        request.headers_mut().insert(
            "Authorization",
            format!("Bearer {token}").parse().map_err(failure)?,
        );
    }
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(failure)?;
    let (sink, mut stream) = socket.split();
    // Message ids of this run start past any earlier run's (the dedup key is the id).
    let base = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0) * 1000;
    let sent_at: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    // One writer owns the socket: events and answers to calls go out as soon as they are made
    // (an answer never waits for the pacing of events).
    let (answers, mut to_socket) = tokio::sync::mpsc::unbounded_channel::<String>();
    let events_out = answers.clone();
    let writer = tokio::spawn(async move {
        let mut sink = sink;
        while let Some(frame) = to_socket.recv().await {
            if sink.send(Message::text(frame)).await.is_err() {
                return false;
            }
        }
        true
    });
    let expected = match args.kind.as_str() {
        "checkin" => args.events,
        _ => args.groups.min(args.events),
    };
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let reader = {
        let sent_at = Arc::clone(&sent_at);
        let latencies = Arc::clone(&latencies);
        tokio::spawn(async move {
            let mut replies = 0u64;
            while let Some(frame) = stream.next().await {
                let Ok(Message::Text(text)) = frame else {
                    if frame.is_err() {
                        return (replies, false);
                    }
                    continue;
                };
                let call: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let echo = call["echo"].clone();
                let _ = answers.send(
                    json!({"status": "ok", "retcode": 0, "data": {"message_id": 1}, "echo": echo})
                        .to_string(),
                );
                if call["action"] != "send_group_msg" {
                    continue;
                }
                let reply = call["params"]["message"][0]["data"]["id"]
                    .as_str()
                    .and_then(|id| id.parse::<u64>().ok());
                if let Some(started) = reply.and_then(|id| sent_at.lock().ok()?.remove(&id)) {
                    if let Ok(mut all) = latencies.lock() {
                        all.push(started.elapsed());
                    }
                    replies += 1;
                    if replies >= expected {
                        return (replies, true);
                    }
                }
            }
            (replies, false)
        })
    };
    let started = Instant::now();
    let interval = (args.rate > 0).then(|| Duration::from_secs_f64(1.0 / args.rate as f64));
    let mut next = Instant::now();
    let total = args.events + if args.kind == "chat" { expected } else { 0 };
    for i in 0..total {
        let (text, user, track) = match (args.kind.as_str(), i < args.events) {
            ("checkin", _) => ("签到".to_owned(), 30_000_000 + i, true),
            (_, true) => (
                format!("今天的训练第{i}组完成了，大家加油"),
                40_000_000 + i % 5000,
                false,
            ),
            // The markers: one sign-in per group, after its chat.
            (_, false) => ("签到".to_owned(), 50_000_000 + i, true),
        };
        if track && let Ok(mut map) = sent_at.lock() {
            map.insert(base + i, Instant::now());
        }
        if events_out.send(event(i, args, base, &text, user)).is_err() {
            return Err(failure("the connection dropped while sending"));
        }
        if let Some(interval) = interval {
            next += interval;
            if let Some(wait) = next.checked_duration_since(Instant::now()) {
                tokio::time::sleep(wait).await;
            }
        }
    }
    let sent_in = started.elapsed();
    // Wait until every reply came (or two minutes pass).
    drop(events_out);
    let (replies, complete) = tokio::time::timeout(Duration::from_secs(120), reader)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or((0, false));
    writer.abort();
    let took = started.elapsed();
    let mut latencies = latencies.lock().map(|all| all.clone()).unwrap_or_default();
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "kind: {}; events: {} over {} groups; sent in {:.2} s; {} replies of {expected} in {:.2} s",
        args.kind,
        args.events,
        args.groups,
        sent_in.as_secs_f64(),
        replies,
        took.as_secs_f64()
    );
    match args.kind.as_str() {
        "checkin" => println!(
            "sign-in replies: {:.0}/s",
            replies as f64 / took.as_secs_f64()
        ),
        _ => println!(
            "messages handled: {:.0}/s",
            args.events as f64 / took.as_secs_f64()
        ),
    }
    println!(
        "latency, event to answer: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
    if let Some(pid) = args.pid {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        if let Some(peak) = status.lines().find(|line| line.starts_with("VmHWM")) {
            println!(
                "steward's peak memory: {}",
                peak.trim_start_matches("VmHWM:").trim()
            );
        }
    }
    println!(
        "connection: {}",
        if complete {
            "kept, every reply came"
        } else {
            "incomplete"
        }
    );
    if complete {
        Ok(())
    } else {
        Err(failure("not every reply came"))
    }
}
