//! The HTTP client of the adapters that call a platform's web API (Telegram's Bot API, a Matrix
//! homeserver): JSON in, JSON out, over HTTPS (rustls with ring and the Mozilla roots, no system
//! TLS library) or plain HTTP (a self-hosted server on loopback, the tests' stand-ins).

use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// Largest answer read (a Matrix `/sync` after a long absence can be large).
const MAX_ANSWER: usize = 32 * 1024 * 1024;

/// Why a request has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The request never reached the server (no connection): nothing was done there.
    #[error("cannot connect: {0}")]
    NotSent(String),
    /// The request went out but no usable answer came back: it may have been done.
    #[error("no usable answer: {0}")]
    Lost(String),
}

#[derive(Clone)]
pub struct HttpClient {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("HttpClient")
    }
}

impl HttpClient {
    pub fn new() -> Result<HttpClient, HttpError> {
        // A connection that cannot be made within 10 s is "not sent" (nothing reached the
        // server), not a lost answer: a message then goes back to the queue instead of failing.
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(Duration::from_secs(10)));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|err| HttpError::NotSent(format!("TLS: {err}")))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(HttpClient {
            client: Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(30))
                .build(connector),
        })
    }

    /// One request with a JSON body (or none): the status and the JSON answer (`Null` when the
    /// answer is empty). `headers` are added as given; `within` bounds the whole exchange.
    pub async fn json(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
        within: Duration,
    ) -> Result<(u16, Value), HttpError> {
        let body = body.map(|body| Bytes::from(body.to_string()));
        let (status, bytes) = self
            .exchange(method, url, headers, body, MAX_ANSWER, within)
            .await?;
        if bytes.is_empty() {
            return Ok((status, Value::Null));
        }
        let answer = serde_json::from_slice(&bytes).map_err(|err| {
            HttpError::Lost(format!("the answer (HTTP {status}) is not JSON: {err}"))
        })?;
        Ok((status, answer))
    }

    /// A GET of a file (an image): the status and at most `limit` bytes of it.
    pub async fn bytes(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        limit: usize,
        within: Duration,
    ) -> Result<(u16, Bytes), HttpError> {
        self.exchange(Method::GET, url, headers, None, limit, within)
            .await
    }

    /// One request (a JSON body, or none) and at most `limit` bytes of its answer; a longer
    /// answer is an error, found before it is read when the server says its length.
    async fn exchange(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        json: Option<Bytes>,
        limit: usize,
        within: Duration,
    ) -> Result<(u16, Bytes), HttpError> {
        let mut request = Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if json.is_some() {
            request = request.header("Content-Type", "application/json");
        }
        let request = request
            .body(Full::new(json.unwrap_or_default()))
            .map_err(|err| HttpError::NotSent(format!("bad request: {err}")))?;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|err| {
                if err.is_connect() {
                    HttpError::NotSent(err.to_string())
                } else {
                    HttpError::Lost(err.to_string())
                }
            })?;
            let status = response.status().as_u16();
            let length = response
                .headers()
                .get(hyper::header::CONTENT_LENGTH)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.parse::<u64>().ok());
            if length.is_some_and(|length| length > limit as u64) {
                return Err(HttpError::Lost(format!(
                    "the answer is larger than {limit} bytes"
                )));
            }
            let bytes = Limited::new(response.into_body(), limit)
                .collect()
                .await
                .map_err(|err| HttpError::Lost(format!("reading the answer: {err}")))?
                .to_bytes();
            Ok((status, bytes))
        };
        tokio::time::timeout(within, exchange)
            .await
            .map_err(|_| HttpError::Lost(format!("no answer within {} s", within.as_secs())))?
    }
}
