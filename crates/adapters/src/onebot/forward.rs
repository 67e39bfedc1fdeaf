//! OneBot v11's forward WebSocket: Steward connects to the implementation's WebSocket server
//! (`ws://127.0.0.1:3001`), and the connection carries events and calls as the reverse one does.
//! Dropped connections are made again, after a growing delay with jitter (1 s doubling up to a
//! minute; back to 1 s after a connection that lasted a minute).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt, stream};
use serde_json::Value;
use steward_domain::AccountId;
use steward_engine::Pipeline;
use steward_store::Database;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tracing::{info, warn};

use crate::backoff::Backoff;
use crate::health::Health;
use crate::limits::Limits;

/// How long the implementation has, once connected, to say who it is (its first event).
const INTRODUCTION: Duration = Duration::from_secs(30);
/// How long a connection attempt may take (a black-holed host would hang it otherwise).
const CONNECT_WITHIN: Duration = Duration::from_secs(15);

/// Connects to `url` and serves the connection, again and again, until `stop` turns true.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    database: Arc<Database>,
    pipeline: Arc<Pipeline>,
    health: Arc<Health>,
    limits: Arc<Limits>,
    url: String,
    access_token: Option<String>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::default();
    loop {
        if *stop.borrow() {
            return;
        }
        let started = Instant::now();
        match connect_once(
            &database,
            &pipeline,
            &health,
            &limits,
            &url,
            access_token.as_deref(),
            &stop,
        )
        .await
        {
            Ok(()) => info!(url, "onebot: forward connection closed"),
            Err(err) => warn!(url, error = %err, "onebot: forward connection failed"),
        }
        if started.elapsed() > Duration::from_secs(60) {
            backoff.reset();
        }
        if backoff.wait(&mut stop, None).await {
            return;
        }
    }
}

async fn connect_once(
    database: &Arc<Database>,
    pipeline: &Arc<Pipeline>,
    health: &Arc<Health>,
    limits: &Arc<Limits>,
    url: &str,
    access_token: Option<&str>,
    stop: &watch::Receiver<bool>,
) -> Result<(), String> {
    let mut request = url.into_client_request().map_err(|err| err.to_string())?;
    if let Some(token) = access_token.filter(|token| !token.is_empty()) {
        let value = format!("Bearer {token}")
            .parse()
            .map_err(|_| "the access token is not a valid header value".to_owned())?;
        request.headers_mut().insert("Authorization", value);
    }
    let mut stopping = stop.clone();
    let (socket, _) = tokio::select! {
        connected = tokio::time::timeout(CONNECT_WITHIN, tokio_tungstenite::connect_async(request)) => {
            connected
                .map_err(|_| format!("no connection within {} s", CONNECT_WITHIN.as_secs()))?
                .map_err(|err| err.to_string())?
        }
        _ = stopping.changed() => return Ok(()),
    };
    let (sink, stream) = socket.split();
    let mut frames = Box::pin(stream.filter_map(|message| async move {
        match message {
            Ok(Message::Text(text)) => Some(Ok(text.to_string())),
            Ok(Message::Binary(bytes)) => Some(Ok(String::from_utf8_lossy(&bytes).into_owned())),
            Ok(_) => None,
            Err(err) => Some(Err(err)),
        }
    }));
    // The first frame with a `self_id` (implementations open with a lifecycle event) says which
    // account this is.
    let introduced = tokio::time::timeout(INTRODUCTION, async {
        loop {
            match frames.next().await {
                Some(Ok(text)) => {
                    let payload: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    if let Some(id) = payload.get("self_id").filter(|id| !id.is_null()) {
                        let id = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
                        return Ok((AccountId(id), text));
                    }
                }
                Some(Err(err)) => return Err(err.to_string()),
                None => return Err("closed before saying who it is".to_owned()),
            }
        }
    });
    let (account, first) = tokio::select! {
        introduced = introduced => {
            introduced.map_err(|_| "no event to say who it is within 30 s".to_owned())??
        }
        _ = stopping.changed() => return Ok(()),
    };
    info!(url, account = %account, "onebot: forward connection open");
    let incoming = stream::once(async move { Ok(first) }).chain(frames);
    let outgoing = sink.with(|text: String| async move {
        Ok::<_, tokio_tungstenite::tungstenite::Error>(Message::Text(text.into()))
    });
    super::connection::serve(
        Arc::clone(database),
        Arc::clone(pipeline),
        Arc::clone(health),
        Arc::clone(limits),
        "forward WebSocket",
        account,
        true,
        Box::pin(incoming),
        Box::pin(outgoing),
        stop.clone(),
    )
    .await;
    Ok(())
}
