//! OneBot v11's reverse WebSocket, where NoneBot2 puts it (so that configurations written for
//! other OneBot applications work unchanged): `/onebot/v11/ws` (events and calls on one
//! connection), `/onebot/v11/ws/event` and `/onebot/v11/ws/api` (split). The implementation
//! connects with `X-Self-ID` (its QQ number) and, when Steward has an access token, with
//! `Authorization: Bearer <token>` (or `?access_token=`). Without a configured token only
//! loopback clients are accepted — behind a reverse proxy on the same machine every client looks
//! like loopback: set a token there.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use steward_domain::AccountId;

use crate::AppState;
use crate::console::ClientAddress;

/// `[onebot]` in `steward.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OneBotConfig {
    /// Required of every client that connects; without one, only loopback clients may.
    pub access_token: Option<String>,
    /// `[[onebot.forward]]`: implementations Steward connects to.
    pub forward: Vec<Forward>,
    /// The HMAC key of HTTP POST events' `X-Signature`.
    pub secret: Option<String>,
    /// Calls a minute into one group at most (0: no limit), so that the platform does not take
    /// the bot for a spammer; a burst of three seconds' worth may go at once.
    pub group_calls_per_minute: u32,
    /// Calls a minute over one connection at most (0: no limit).
    pub account_calls_per_minute: u32,
}

impl OneBotConfig {
    pub fn rates(&self) -> steward_adapters::limits::Rates {
        steward_adapters::limits::Rates::per_minute(
            self.group_calls_per_minute,
            self.account_calls_per_minute,
        )
    }
}

/// An implementation's WebSocket server that Steward connects to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forward {
    /// `ws://127.0.0.1:3001`: its WebSocket server (events and calls).
    #[serde(default)]
    pub url: String,
    /// `http://127.0.0.1:3000`: its HTTP API, for an implementation in HTTP POST mode (events
    /// come to `/onebot/v11/http`, calls go here).
    #[serde(default)]
    pub http_api: Option<String>,
    /// The implementation's own access token, when it has one.
    #[serde(default)]
    pub access_token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    access_token: Option<String>,
}

/// Who may connect: `Err` with the refusal.
fn admit(
    state: &AppState,
    client: ClientAddress,
    headers: &HeaderMap,
    query: &TokenQuery,
) -> Result<AccountId, (StatusCode, &'static str)> {
    match state
        .onebot
        .access_token
        .as_deref()
        .filter(|token| !token.is_empty())
    {
        Some(expected) => {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| {
                    value
                        .strip_prefix("Bearer ")
                        .or_else(|| value.strip_prefix("Token "))
                })
                .or(query.access_token.as_deref());
            match given {
                None => {
                    return Err((StatusCode::UNAUTHORIZED, "access token required"));
                }
                Some(given) if !steward_domain::same_secret(given.trim(), expected) => {
                    return Err((StatusCode::FORBIDDEN, "wrong access token"));
                }
                Some(_) => {}
            }
        }
        None => {
            if !client.0.is_some_and(|address| address.is_loopback()) {
                tracing::warn!(client = ?client.0, "onebot: refused a non-loopback client: no access_token is configured");
                return Err((
                    StatusCode::FORBIDDEN,
                    "no access token is configured: only loopback clients may connect",
                ));
            }
        }
    }
    let self_id = headers
        .get("x-self-id")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|id| {
            // QQ numbers, and WeChat bridges' ids (`wxid_...`).
            !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.@".contains(&b))
        })
        .ok_or((StatusCode::BAD_REQUEST, "X-Self-ID is missing or not an id"))?;
    Ok(AccountId(self_id.to_owned()))
}

async fn upgrade(
    state: AppState,
    client: ClientAddress,
    headers: HeaderMap,
    query: TokenQuery,
    upgrade: WebSocketUpgrade,
    calls: bool,
) -> Response {
    let account = match admit(&state, client, &headers, &query) {
        Ok(account) => account,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(pipeline) = state.pipeline.clone() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "not accepting events yet").into_response();
    };
    tracing::info!(account = %account, calls, "onebot: connected");
    let database = state.database.clone();
    let stop = state.stop.clone();
    let health = state.health.clone();
    let limits = std::sync::Arc::new(steward_adapters::limits::Limits::new(state.onebot.rates()));
    upgrade.on_upgrade(move |socket: WebSocket| async move {
        let (sink, stream) = socket.split();
        let incoming = stream.filter_map(|message| async move {
            match message {
                Ok(Message::Text(text)) => Some(Ok(text.to_string())),
                Ok(Message::Binary(bytes)) => {
                    Some(Ok(String::from_utf8_lossy(&bytes).into_owned()))
                }
                Ok(_) => None,
                Err(err) => Some(Err(err)),
            }
        });
        let outgoing = sink
            .with(|text: String| async move { Ok::<_, axum::Error>(Message::Text(text.into())) });
        steward_adapters::onebot::connection::serve(
            database,
            pipeline,
            health,
            limits,
            "reverse WebSocket",
            account.clone(),
            calls,
            Box::pin(incoming),
            Box::pin(outgoing),
            stop,
        )
        .await;
        tracing::info!(account = %account, "onebot: disconnected");
    })
}

/// Events and calls on one connection (`/onebot/v11/ws`), or calls only (`/onebot/v11/ws/api`:
/// the same work, the implementation simply sends no events there).
pub async fn universal(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    upgrade(state, client, headers, query, ws, true).await
}

/// Events only (`/onebot/v11/ws/event`): no calls go out on it.
pub async fn events(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    upgrade(state, client, headers, query, ws, false).await
}

/// `X-Signature: sha1=<hex>`: HMAC-SHA1 of the body with `[onebot] secret`.
fn signed_by(secret: &str, body: &[u8], signature: &str) -> bool {
    use hmac::{KeyInit, Mac};
    let Some(hex) = signature.trim().strip_prefix("sha1=") else {
        return false;
    };
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    steward_domain::same_secret(&expected, &hex.to_ascii_lowercase())
}

/// HTTP POST events (`/onebot/v11/http`): each request one event, signed with `X-Signature` when
/// Steward has a `secret`; without one, as for the WebSocket (token or loopback). Events only:
/// the account's actions go out over its WebSocket connection (split mode) — the HTTP action API
/// is not built yet.
pub async fn http_event(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
    body: axum::body::Bytes,
) -> Response {
    let signature = headers
        .get("x-signature")
        .and_then(|value| value.to_str().ok());
    let account = match state
        .onebot
        .secret
        .as_deref()
        .filter(|secret| !secret.is_empty())
    {
        Some(secret) => match signature {
            None => return (StatusCode::UNAUTHORIZED, "X-Signature required").into_response(),
            Some(signature) if !signed_by(secret, &body, signature) => {
                return (StatusCode::FORBIDDEN, "wrong X-Signature").into_response();
            }
            Some(_) => match headers
                .get("x-self-id")
                .and_then(|value| value.to_str().ok())
                .filter(|id| !id.trim().is_empty())
            {
                Some(id) => AccountId(id.trim().to_owned()),
                None => {
                    return (StatusCode::BAD_REQUEST, "X-Self-ID is missing").into_response();
                }
            },
        },
        None => match admit(&state, client, &headers, &query) {
            Ok(account) => account,
            Err(refusal) => return refusal.into_response(),
        },
    };
    let Some(pipeline) = state.pipeline.clone() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "not accepting events yet").into_response();
    };
    let payload: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(payload) => payload,
        Err(err) => return (StatusCode::BAD_REQUEST, format!("not JSON: {err}")).into_response(),
    };
    match steward_adapters::onebot::parse(&payload) {
        Ok(steward_adapters::onebot::Incoming::Event(event)) => {
            if event.account != account {
                return (StatusCode::BAD_REQUEST, "self_id is not X-Self-ID").into_response();
            }
            state.health.event("onebot", account.as_str());
            let mut event = *event;
            if let Some(http) = steward_adapters::images::shared_client() {
                steward_adapters::images::read_codes(
                    http,
                    &steward_adapters::images::WebAddress,
                    &mut event,
                    tokio::time::Instant::now() + steward_adapters::images::READING_BUDGET,
                )
                .await;
            }
            match pipeline.process(event).await {
                Ok(_) => StatusCode::NO_CONTENT.into_response(),
                Err(err) => (StatusCode::SERVICE_UNAVAILABLE, err.to_string()).into_response(),
            }
        }
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => (StatusCode::BAD_REQUEST, err.to_string()).into_response(),
    }
}
