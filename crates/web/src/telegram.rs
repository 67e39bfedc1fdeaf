//! Telegram's webhook: `POST /telegram/<name>/webhook`, one per `[[telegram]]` account in webhook
//! mode. Telegram proves the delivery is its own with the `X-Telegram-Bot-Api-Secret-Token` header
//! (the account's `webhook_secret`); the answer comes once the update is committed, so that a
//! failure makes Telegram deliver it again.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use steward_adapters::telegram::{Mode, Refusal};

use crate::AppState;

pub async fn webhook(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(bot) = state
        .telegram
        .iter()
        .find(|bot| bot.config.name == name && bot.config.mode == Mode::Webhook)
    else {
        return (
            StatusCode::NOT_FOUND,
            "no Telegram account of that name takes a webhook",
        )
            .into_response();
    };
    let secret = headers
        .get("x-telegram-bot-api-secret-token")
        .and_then(|value| value.to_str().ok());
    match bot.receive(secret, &body).await {
        Ok(()) => (StatusCode::OK, "").into_response(),
        Err(refusal @ Refusal::Secret) => {
            (StatusCode::UNAUTHORIZED, refusal.to_string()).into_response()
        }
        Err(refusal @ Refusal::Malformed(_)) => {
            tracing::warn!(bot = %name, error = %refusal, "telegram: webhook delivery refused");
            (StatusCode::BAD_REQUEST, refusal.to_string()).into_response()
        }
        Err(refusal @ Refusal::Unavailable(_)) => {
            (StatusCode::SERVICE_UNAVAILABLE, refusal.to_string()).into_response()
        }
    }
}
