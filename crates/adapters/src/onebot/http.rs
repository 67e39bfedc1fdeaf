//! OneBot v11's HTTP API: for an implementation that POSTs its events to Steward
//! (`/onebot/v11/http`) and takes calls at `http_api` (`POST {http_api}/{action}` with the
//! params as JSON). The account's outbox is carried out as over a WebSocket, call by call.

use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use steward_domain::AccountId;
use steward_engine::Pipeline;
use steward_store::Database;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::health::Health;
use crate::limits::Limits;

/// Where an implementation takes calls.
pub struct HttpApi {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    token: Option<String>,
}

impl HttpApi {
    pub fn new(base: &str, token: Option<String>) -> HttpApi {
        HttpApi {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base: base.trim_end_matches('/').to_owned(),
            token: token.filter(|token| !token.is_empty()),
        }
    }

    /// One call: `Ok((ok, retcode, data, message))`; `Err(true)` when the request never reached
    /// the implementation (no connection: nothing was done), `Err(false)` when no usable answer
    /// came back (it may have been done).
    pub async fn call(
        &self,
        action: &str,
        params: &Value,
    ) -> Result<(bool, i64, Value, String), bool> {
        let mut request = hyper::Request::post(format!("{}/{action}", self.base))
            .header("Content-Type", "application/json");
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let request = request
            .body(Full::new(Bytes::from(params.to_string())))
            .map_err(|_| true)?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|err| err.is_connect())?;
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|_| false)?
            .to_bytes();
        let answer: Value = serde_json::from_slice(&body).map_err(|_| false)?;
        Ok((
            matches!(
                answer.get("status").and_then(Value::as_str),
                Some("ok" | "async")
            ),
            answer.get("retcode").and_then(Value::as_i64).unwrap_or(-1),
            answer.get("data").cloned().unwrap_or(Value::Null),
            answer
                .get("wording")
                .or_else(|| answer.get("message"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        ))
    }
}

/// Learns the account (`get_login_info`), then carries out its outbox through the HTTP API until
/// `stop` turns true; tries again after a growing delay while the API cannot be reached.
pub async fn run(
    database: Arc<Database>,
    pipeline: Arc<Pipeline>,
    health: Arc<Health>,
    limits: Arc<Limits>,
    api: Arc<HttpApi>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = crate::backoff::Backoff::default();
    let account = loop {
        match api
            .call("get_login_info", &Value::Object(Default::default()))
            .await
        {
            Ok((true, _, data, _)) if !data["user_id"].is_null() => {
                let id = &data["user_id"];
                break AccountId(id.as_str().map_or_else(|| id.to_string(), str::to_owned));
            }
            _ => warn!(url = %api.base, "onebot: the HTTP API does not answer get_login_info"),
        }
        if backoff.wait(&mut stop, None).await {
            return;
        }
    };
    info!(url = %api.base, account = %account, "onebot: HTTP API ready");
    let connection = health.connected("onebot", account.as_str(), "HTTP API");
    crate::delivery::deliver(
        database,
        pipeline,
        steward_domain::Platform::OneBot,
        account.clone(),
        super::connection::Transport::Http(api),
        stop,
        Arc::clone(&health),
        limits,
    )
    .await;
    health.disconnected("onebot", account.as_str(), connection, None);
}
