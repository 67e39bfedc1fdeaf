//! Steward's HTTP side: the health check that load balancers and scripts poll, and the
//! operators' console (sign-in, sign-out, the overview of groups). The REST API joins this
//! router.
//!
//! Architecture invariant: every route but those in [`PUBLIC_ROUTES`] needs a signed-in operator
//! (the [`session::Signed`] extractor); a test walks [`route_list`] to prove it.

pub mod console;
pub mod i18n;
pub mod passwords;
pub mod session;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{MethodRouter, get, post};
use steward_store::Database;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Set once the pipeline accepts events; cleared when shutdown begins.
    pub ready: Arc<AtomicBool>,
    pub database: Arc<Database>,
    pub brake: Arc<session::LoginBrake>,
}

impl AppState {
    pub fn new(database: Arc<Database>) -> AppState {
        AppState {
            ready: Arc::new(AtomicBool::new(false)),
            database,
            brake: Arc::new(session::LoginBrake::default()),
        }
    }
}

/// Every route: method, path, handler. The router is built from this list and the test that
/// proves no route but the public ones answers an anonymous request walks the same list, so a
/// route cannot be added without being checked.
fn routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("GET", "/healthz", get(healthz)),
        ("GET", "/login", get(console::login_page)),
        ("POST", "/login", post(console::login)),
        ("POST", "/logout", post(console::logout)),
        ("GET", "/", get(console::overview)),
        ("GET", "/groups/{id}", get(console::group_page)),
        ("GET", "/audit", get(console::audit)),
    ]
}

/// Every route, as `(method, path)`.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    routes()
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect()
}

/// The routes anybody may reach; the rest need a signed-in operator.
pub const PUBLIC_ROUTES: &[(&str, &str)] =
    &[("GET", "/healthz"), ("GET", "/login"), ("POST", "/login")];

pub fn router(state: AppState) -> Router {
    routes()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| {
            router.route(path, handler)
        })
        .with_state(state)
}

/// 200 once the server accepts events, 503 before that and while shutting down.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.ready.load(Ordering::Acquire) {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting or stopping\n")
    }
}
