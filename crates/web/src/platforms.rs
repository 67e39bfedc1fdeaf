//! The platform accounts' health: connected or not, the last event, events received, actions
//! sent and failed, the last error — in the console (`/platforms`) and the API.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::AppState;
use crate::api::{ApiError, ApiOperator};
use crate::console::{AppError, render};
use crate::i18n::Lang;
use crate::session::Signed;

struct Row {
    platform: String,
    account: String,
    connected: bool,
    transport: String,
    since: String,
    last_event: String,
    events: u64,
    sent: u64,
    failed: u64,
    last_error: String,
}

#[derive(Template)]
#[template(path = "platforms.html")]
struct Page<'a> {
    lang: &'static str,
    t: &'static crate::i18n::Texts,
    csrf: &'a str,
    rows: Vec<Row>,
}

fn time(value: Option<chrono::DateTime<chrono::Utc>>) -> String {
    value
        .map(|time| time.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    let rows = state
        .health
        .snapshot()
        .into_iter()
        .map(|((platform, account), health)| Row {
            platform,
            account,
            connected: health.connected,
            transport: health.transport,
            since: time(health.since),
            last_event: time(health.last_event),
            events: health.events,
            sent: health.sent,
            failed: health.failed,
            last_error: health.last_error.unwrap_or_default(),
        })
        .collect();
    let page = Page {
        lang: lang.code(),
        t: lang.texts(),
        csrf: &signed.csrf,
        rows,
    };
    Ok(render(lang, &page)?.into_response())
}

pub async fn api(
    State(state): State<AppState>,
    _operator: ApiOperator,
) -> Result<Json<Value>, ApiError> {
    let accounts: Vec<Value> = state
        .health
        .snapshot()
        .into_iter()
        .map(|((platform, account), health)| {
            json!({
                "platform": platform, "account": account, "connected": health.connected,
                "transport": health.transport,
                "since": health.since.map(|time| time.timestamp_millis()),
                "last_event": health.last_event.map(|time| time.timestamp_millis()),
                "events": health.events, "sent": health.sent, "failed": health.failed,
                "last_error": health.last_error,
            })
        })
        .collect();
    Ok(Json(json!({ "accounts": accounts })))
}
