//! Steward's HTTP side. For now the health check that load balancers and scripts poll; the
//! console and the REST API join this router.

pub mod passwords;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

/// What the handlers share.
#[derive(Debug, Clone, Default)]
pub struct AppState {
    /// Set once the pipeline accepts events; cleared when shutdown begins.
    pub ready: Arc<AtomicBool>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    async fn status(state: &AppState, path: &str) -> StatusCode {
        let request = Request::get(path).body(Body::empty()).unwrap();
        router(state.clone())
            .oneshot(request)
            .await
            .unwrap()
            .status()
    }

    #[tokio::test]
    async fn health_follows_readiness() {
        let state = AppState::default();
        assert_eq!(
            status(&state, "/healthz").await,
            StatusCode::SERVICE_UNAVAILABLE
        );
        state.ready.store(true, Ordering::Release);
        assert_eq!(status(&state, "/healthz").await, StatusCode::OK);
        assert_eq!(status(&state, "/nowhere").await, StatusCode::NOT_FOUND);
    }
}
