//! Who is asking: the session cookie, the signed-in operator, CSRF tokens and the brake on
//! password guessing.

use std::collections::HashMap;
use std::net::IpAddr;
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

pub use steward_domain::same_secret;

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

/// The session cookie. `secure` comes from the configuration (`[console] secure_cookies`, on by
/// default): browsers then send it only over HTTPS, or to `localhost` / `127.0.0.1` over plain
/// HTTP. A console served over plain HTTP on another address needs the setting off.
pub fn set_session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
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

/// Sign-in attempts per (name, client address). Each attempt is counted *before* its password
/// is checked, so that parallel guesses cannot slip past the count; a success clears it. After
/// `MAX_FAILURES` within `WINDOW` that name is refused from that address until the window has
/// passed. Keyed by address as well as name, so that a stranger cannot lock an operator out
/// everywhere by guessing. Memory is bounded: names longer than `MAX_NAME` characters never get
/// here and the map holds at most `MAX_ENTRIES` keys.
#[derive(Debug, Default)]
pub struct LoginBrake {
    attempts: Mutex<HashMap<BrakeKey, (u32, Instant)>>,
}

/// A name (trimmed, lower case) and the address it was tried from.
type BrakeKey = (String, Option<IpAddr>);

pub const MAX_FAILURES: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_NAME: usize = 64;
const MAX_ENTRIES: usize = 10_000;

impl LoginBrake {
    fn key(name: &str, address: Option<IpAddr>) -> BrakeKey {
        (name.trim().to_lowercase(), address)
    }

    /// Counts an attempt; `false` when this name is locked for this address.
    pub fn begin_attempt(&self, name: &str, address: Option<IpAddr>) -> bool {
        let Ok(mut attempts) = self.attempts.lock() else {
            return false;
        };
        if attempts.len() >= MAX_ENTRIES {
            attempts.retain(|_, (_, since)| since.elapsed() < WINDOW);
            if attempts.len() >= MAX_ENTRIES {
                tracing::warn!("sign-in brake full: forgetting all counts");
                attempts.clear();
            }
        }
        let entry = attempts
            .entry(Self::key(name, address))
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        if entry.0 >= MAX_FAILURES {
            return false;
        }
        entry.0 += 1;
        true
    }

    pub fn succeeded(&self, name: &str, address: Option<IpAddr>) {
        if let Ok(mut attempts) = self.attempts.lock() {
            attempts.remove(&Self::key(name, address));
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
    fn the_cookie_is_secure_unless_configured_otherwise() {
        assert!(set_session_cookie("t", true).ends_with("; Secure"));
        assert!(!set_session_cookie("t", false).contains("Secure"));
    }

    #[test]
    fn the_brake_stops_a_name_after_ten_attempts_from_one_address() {
        let brake = LoginBrake::default();
        let here = Some(IpAddr::from([192, 0, 2, 1]));
        let there = Some(IpAddr::from([192, 0, 2, 2]));
        for _ in 0..MAX_FAILURES {
            assert!(brake.begin_attempt("Lin", here));
        }
        assert!(!brake.begin_attempt("lin ", here));
        assert!(
            brake.begin_attempt("lin", there),
            "one address locked the name everywhere"
        );
        assert!(brake.begin_attempt("amy", here));
        brake.succeeded("LIN", here);
        assert!(brake.begin_attempt("lin", here));
        assert!(
            same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("ab", "abc")
        );
        assert_ne!(token_hash("a"), token_hash("b"));
        assert_eq!(token_hash("a").len(), 64);
    }
}
