//! Who is asking: the session cookie, the signed-in operator, CSRF tokens and the brake on
//! password guessing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use blake2::{Blake2s256, Digest};
use steward_store::Operator;

use crate::AppState;

pub const SESSION_COOKIE: &str = "steward_session";
/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// A new random token, 32 bytes as hex.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// What the database keeps of a session token.
pub fn token_hash(token: &str) -> String {
    hex(&Blake2s256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Compares secrets without stopping at the first difference.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

/// Browsers accept `Secure` cookies over plain HTTP only from loopback; behind a TLS proxy the
/// proxy says so in `X-Forwarded-Proto`. A console reached over plain HTTP on a LAN address gets
/// a cookie without `Secure`, or nobody could sign in there.
fn secure(headers: &HeaderMap) -> bool {
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    forwarded_https || matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

pub fn set_session_cookie(headers: &HeaderMap, token: &str) -> String {
    let secure = if secure(headers) { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        SESSION_LIFETIME.as_secs()
    )
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// A signed-in operator. As an extractor it sends anybody else to the sign-in page.
#[derive(Debug, Clone)]
pub struct Signed {
    pub operator: Operator,
    pub csrf: String,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(Redirect::to("/login").into_response());
        };
        let hash = token_hash(token);
        let database = state.database.clone();
        let lookup = hash.clone();
        let found =
            tokio::task::spawn_blocking(move || database.session(&lookup, chrono::Utc::now()))
                .await;
        match found {
            Ok(Ok(Some((operator, csrf)))) => Ok(Signed {
                operator,
                csrf,
                token_hash: hash,
            }),
            Ok(Ok(None)) => Err(Redirect::to("/login").into_response()),
            Ok(Err(err)) => {
                tracing::error!(error = %err, "session lookup failed");
                Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
            }
            Err(err) => {
                tracing::error!(error = %err, "session lookup panicked");
                Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
            }
        }
    }
}

/// Failed sign-ins per name: after `MAX_FAILURES` within `WINDOW`, that name is refused until the
/// window has passed, right password or not.
#[derive(Debug, Default)]
pub struct LoginBrake {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

pub const MAX_FAILURES: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

impl LoginBrake {
    fn key(name: &str) -> String {
        name.trim().to_lowercase()
    }

    pub fn is_blocked(&self, name: &str) -> bool {
        let Ok(failures) = self.failures.lock() else {
            return true;
        };
        failures
            .get(&Self::key(name))
            .is_some_and(|(count, since)| *count >= MAX_FAILURES && since.elapsed() < WINDOW)
    }

    pub fn failed(&self, name: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            // Forget stale entries now and then, so that guessing many names cannot grow the map
            // without bound.
            if failures.len() > 10_000 {
                failures.retain(|_, (_, since)| since.elapsed() < WINDOW);
            }
            let entry = failures
                .entry(Self::key(name))
                .or_insert((0, Instant::now()));
            if entry.1.elapsed() >= WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }

    pub fn succeeded(&self, name: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&Self::key(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn cookies_are_found_by_name_only() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; steward_session=abc; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "steward"), None);
    }

    #[test]
    fn secure_cookies_where_browsers_take_them() {
        let check = |host: &str, proto: Option<&str>, expected: bool| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
            if let Some(proto) = proto {
                headers.insert("x-forwarded-proto", HeaderValue::from_str(proto).unwrap());
            }
            assert_eq!(
                set_session_cookie(&headers, "t").ends_with("; Secure"),
                expected,
                "{host}"
            );
        };
        check("127.0.0.1:8080", None, true);
        check("localhost", None, true);
        check("192.168.1.5:8080", None, false);
        check("steward.example.com", Some("https"), true);
    }

    #[test]
    fn the_brake_stops_a_name_after_ten_failures() {
        let brake = LoginBrake::default();
        for _ in 0..MAX_FAILURES - 1 {
            brake.failed("Lin");
        }
        assert!(!brake.is_blocked("lin"));
        brake.failed("lin ");
        assert!(brake.is_blocked("LIN"));
        assert!(!brake.is_blocked("amy"));
        brake.succeeded("lin");
        assert!(!brake.is_blocked("lin"));
        assert!(
            same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("ab", "abc")
        );
        assert_ne!(token_hash("a"), token_hash("b"));
        assert_eq!(token_hash("a").len(), 64);
    }
}
