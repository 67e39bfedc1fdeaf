//! Steward's HTTP side: the health check that load balancers and scripts poll, and the
//! operators' console (sign-in, sign-out, the overview of groups, a page per group, the audit
//! log). The REST API joins this router.
//!
//! Architecture invariant: every route but those in [`PUBLIC_ROUTES`] needs a signed-in operator
//! (the [`session::Signed`] extractor) or, under `/api/`, an operator's token
//! ([`api::ApiOperator`]); a test walks [`route_list`] to prove it.

pub mod api;
pub mod console;
pub mod documents;
pub mod engagement;
pub mod i18n;
pub mod moderation;
pub mod onebot;
pub mod passwords;
pub mod platforms;
pub mod session;
pub mod telegram;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use steward_store::Database;

/// Password checks at once; argon2 takes about 19 MiB and a core each.
const MAX_PASSWORD_CHECKS: usize = 4;

/// `[console]` in `steward.toml`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// Mark the session cookie `Secure` (default on): browsers then send it only over HTTPS, or
    /// to localhost over plain HTTP. Turn it off only for a console served over plain HTTP on a
    /// trusted network.
    pub secure_cookies: bool,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            secure_cookies: true,
        }
    }
}

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Set once the pipeline accepts events; cleared when shutdown begins.
    pub ready: Arc<AtomicBool>,
    pub database: Arc<Database>,
    pub brake: Arc<session::LoginBrake>,
    /// Password checks running at once.
    pub verifications: Arc<tokio::sync::Semaphore>,
    /// Whether the session cookie is `Secure`, from `[console] secure_cookies`.
    pub secure_cookies: bool,
    /// Where the playground's messages go; `None` where no pipeline runs (some tests).
    pub pipeline: Option<Arc<steward_engine::Pipeline>>,
    /// Shared with the moderation feature: rule changes, the ad model in force.
    pub moderation: Arc<steward_engine::moderation::ModerationShared>,
    /// Shared with the engagement feature: settings changes.
    pub engagement: Arc<steward_engine::engagement::EngagementShared>,
    pub backtests: Arc<moderation::Backtests>,
    /// `[onebot]`: the reverse WebSocket's access token.
    pub onebot: Arc<onebot::OneBotConfig>,
    /// Turns true when the process stops: open platform connections end.
    pub stop: tokio::sync::watch::Receiver<bool>,
    /// The platform connections' health, shown in the console.
    pub health: Arc<steward_adapters::health::Health>,
    /// `[[telegram]]` accounts: those in webhook mode take deliveries here.
    pub telegram: Arc<Vec<Arc<steward_adapters::telegram::Bot>>>,
}

impl AppState {
    pub fn new(database: Arc<Database>, config: &ConsoleConfig) -> AppState {
        AppState {
            ready: Arc::new(AtomicBool::new(false)),
            database,
            brake: Arc::new(session::LoginBrake::default()),
            verifications: Arc::new(tokio::sync::Semaphore::new(MAX_PASSWORD_CHECKS)),
            secure_cookies: config.secure_cookies,
            pipeline: None,
            moderation: Arc::default(),
            engagement: Arc::default(),
            backtests: Arc::default(),
            onebot: Arc::default(),
            stop: tokio::sync::watch::channel(false).1,
            health: Arc::default(),
            telegram: Arc::default(),
        }
    }

    /// Rule changes reach the running moderation feature through this.
    pub fn with_moderation(
        mut self,
        shared: Arc<steward_engine::moderation::ModerationShared>,
    ) -> AppState {
        self.moderation = shared;
        self
    }

    /// Settings changes reach the running engagement feature through this.
    pub fn with_engagement(
        mut self,
        shared: Arc<steward_engine::engagement::EngagementShared>,
    ) -> AppState {
        self.engagement = shared;
        self
    }

    /// OneBot's settings, and the signal that ends its connections at shutdown.
    pub fn with_onebot(
        mut self,
        config: onebot::OneBotConfig,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> AppState {
        self.onebot = Arc::new(config);
        self.stop = stop;
        self
    }

    /// Where the platform connections report their health.
    pub fn with_health(mut self, health: Arc<steward_adapters::health::Health>) -> AppState {
        self.health = health;
        self
    }

    /// The Telegram accounts, for their webhooks.
    pub fn with_telegram(mut self, bots: Vec<Arc<steward_adapters::telegram::Bot>>) -> AppState {
        self.telegram = Arc::new(bots);
        self
    }

    /// The console's playground writes through this pipeline.
    pub fn with_pipeline(mut self, pipeline: Arc<steward_engine::Pipeline>) -> AppState {
        self.pipeline = Some(pipeline);
        self
    }
}

/// Every route: method, path, handler. The router is built from this list and the test that
/// proves no route but the public ones answers an anonymous request walks the same list, so a
/// route cannot be added without being checked.
fn routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("GET", "/healthz", get(healthz)),
        ("GET", "/onebot/v11/ws", get(onebot::universal)),
        ("GET", "/onebot/v11/ws/event", get(onebot::events)),
        ("GET", "/onebot/v11/ws/api", get(onebot::universal)),
        ("POST", "/onebot/v11/http", post(onebot::http_event)),
        ("POST", "/telegram/{name}/webhook", post(telegram::webhook)),
        ("GET", "/login", get(console::login_page)),
        ("POST", "/login", post(console::login)),
        ("POST", "/logout", post(console::logout)),
        ("POST", "/language", post(console::set_language)),
        ("GET", "/", get(console::overview)),
        ("GET", "/groups/{id}", get(console::group_page)),
        ("GET", "/members/{id}", get(console::member_page)),
        ("POST", "/playground", post(console::new_playground_group)),
        ("POST", "/groups/{id}/say", post(console::say)),
        (
            "POST",
            "/groups/{id}/operators",
            post(console::assign_operator),
        ),
        ("GET", "/groups/{id}/live", get(console::live)),
        ("GET", "/static/live.js", get(console::live_script)),
        ("GET", "/audit", get(console::audit)),
        ("GET", "/platforms", get(platforms::page)),
        ("GET", "/api/v1/platforms", get(platforms::api)),
        ("GET", "/moderation", get(moderation::overview)),
        (
            "GET",
            "/moderation/offences.csv",
            get(moderation::offences_csv),
        ),
        ("GET", "/moderation/rules", get(moderation::rules_editor)),
        (
            "POST",
            "/moderation/rules",
            post(moderation::save_rules_form),
        ),
        (
            "POST",
            "/moderation/rules/delete",
            post(documents::delete_form::<steward_engine::moderation::Rules>),
        ),
        (
            "POST",
            "/moderation/group-set",
            post(moderation::group_set_form),
        ),
        (
            "POST",
            "/moderation/blacklist/lift",
            post(moderation::lift_form),
        ),
        ("POST", "/moderation/samples", post(moderation::sample_form)),
        (
            "GET",
            "/moderation/backtest",
            get(moderation::backtest_page),
        ),
        (
            "POST",
            "/moderation/backtest",
            post(moderation::start_backtest_form),
        ),
        (
            "GET",
            "/moderation/backtest/{id}",
            get(moderation::backtest_job_page),
        ),
        (
            "GET",
            "/api/v1/rules",
            get(documents::api_list::<steward_engine::moderation::Rules>),
        ),
        (
            "GET",
            "/api/v1/rules/{scope}",
            get(documents::api_get::<steward_engine::moderation::Rules>),
        ),
        (
            "PUT",
            "/api/v1/rules/{scope}",
            axum::routing::put(documents::api_put::<steward_engine::moderation::Rules>),
        ),
        (
            "DELETE",
            "/api/v1/rules/{scope}",
            axum::routing::delete(documents::api_delete::<steward_engine::moderation::Rules>),
        ),
        (
            "GET",
            "/api/v1/groups/{id}/rules",
            get(documents::api_group::<steward_engine::moderation::Rules>),
        ),
        (
            "PUT",
            "/api/v1/groups/{id}/set",
            axum::routing::put(moderation::api_group_set),
        ),
        ("GET", "/api/v1/blacklist", get(moderation::api_blacklist)),
        (
            "DELETE",
            "/api/v1/blacklist/{member}",
            axum::routing::delete(moderation::api_lift),
        ),
        ("GET", "/api/v1/offences", get(moderation::api_offences)),
        ("POST", "/api/v1/samples", post(moderation::api_sample)),
        (
            "POST",
            "/api/v1/backtests",
            post(moderation::api_backtest_start),
        ),
        (
            "GET",
            "/api/v1/backtests/{id}",
            get(moderation::api_backtest_get),
        ),
        ("GET", "/engagement", get(engagement::settings_page)),
        ("POST", "/engagement", post(engagement::save_form)),
        (
            "POST",
            "/engagement/delete",
            post(documents::delete_form::<steward_engine::engagement::Settings>),
        ),
        ("GET", "/engagement/board", get(engagement::board_page)),
        ("GET", "/engagement/codes", get(engagement::codes_page)),
        ("POST", "/engagement/lottery", post(engagement::draw_form)),
        ("POST", "/engagement/roles", post(engagement::decide_form)),
        ("GET", "/api/v1/roles", get(engagement::api_roles)),
        ("POST", "/api/v1/roles/decide", post(engagement::api_decide)),
        (
            "POST",
            "/members/{id}/points",
            post(engagement::adjust_form),
        ),
        ("POST", "/api/v1/lotteries", post(engagement::api_draw)),
        (
            "POST",
            "/api/v1/members/{id}/points",
            post(engagement::api_adjust),
        ),
        ("POST", "/engagement/codes", post(engagement::issue_form)),
        (
            "POST",
            "/engagement/codes/revoke",
            post(engagement::revoke_form),
        ),
        ("GET", "/api/v1/join-codes", get(engagement::api_codes)),
        ("POST", "/api/v1/join-codes", post(engagement::api_issue)),
        (
            "DELETE",
            "/api/v1/join-codes/{code}",
            axum::routing::delete(engagement::api_revoke),
        ),
        (
            "GET",
            "/api/v1/engagement/settings",
            get(documents::api_list::<steward_engine::engagement::Settings>),
        ),
        (
            "GET",
            "/api/v1/engagement/settings/{scope}",
            get(documents::api_get::<steward_engine::engagement::Settings>),
        ),
        (
            "PUT",
            "/api/v1/engagement/settings/{scope}",
            axum::routing::put(documents::api_put::<steward_engine::engagement::Settings>),
        ),
        (
            "DELETE",
            "/api/v1/engagement/settings/{scope}",
            axum::routing::delete(documents::api_delete::<steward_engine::engagement::Settings>),
        ),
        (
            "GET",
            "/api/v1/groups/{id}/engagement",
            get(documents::api_group::<steward_engine::engagement::Settings>),
        ),
        (
            "GET",
            "/api/v1/groups/{id}/nicknames",
            get(engagement::api_nicknames),
        ),
        (
            "GET",
            "/api/v1/leaderboard",
            get(engagement::api_leaderboard),
        ),
        ("GET", "/api/v1/questions", get(engagement::api_questions)),
        (
            "GET",
            "/api/v1/members/{id}/profile",
            get(engagement::api_profile),
        ),
        ("GET", "/api/v1/groups", get(api::groups)),
        ("GET", "/api/v1/groups/{id}", get(api::group)),
        ("GET", "/api/v1/openapi.json", get(api::openapi)),
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
pub const PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/static/live.js"),
    // OneBot implementations, authenticated by the access token (or loopback without one).
    ("GET", "/onebot/v11/ws"),
    ("GET", "/onebot/v11/ws/event"),
    ("GET", "/onebot/v11/ws/api"),
    ("POST", "/onebot/v11/http"),
    // Telegram, authenticated by the account's webhook secret.
    ("POST", "/telegram/{name}/webhook"),
];

pub fn router(state: AppState) -> Router {
    routes()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| {
            router.route(path, handler)
        })
        .layer(axum::middleware::from_fn(api_errors_as_json))
        .layer(axum::middleware::map_response(protective_headers))
        .with_state(state)
}

/// The API answers every error as `{"error": "..."}`: also those axum gives in plain text before
/// a handler runs (a body, a query string or a path of the wrong kind: `{"set": 123}`,
/// `?limit=abc`, `/groups/abc`), and an address no route has.
async fn api_errors_as_json(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|kind| kind.to_str().ok())
        .is_none_or(|kind| kind.starts_with("text/plain"));
    if !api || !response.status().is_client_error() || !plain {
        return response;
    }
    let status = response.status();
    let said = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let said = match String::from_utf8_lossy(&said).trim() {
        "" => status.canonical_reason().unwrap_or("error").to_lowercase(),
        text => text.to_owned(),
    };
    axum::response::IntoResponse::into_response(api::ApiError(status, said))
}

/// Pages hold member data and CSRF tokens: not cached, not framed, scripts only the console's own
/// (`/static/live.js`), styles only from the page itself.
async fn protective_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; connect-src 'self'; \
             style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    response
}

/// 200 once the server accepts events, 503 before that and while shutting down.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.ready.load(Ordering::Acquire) {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting or stopping\n")
    }
}
