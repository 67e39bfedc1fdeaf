//! `steward serve`: the production process. Opens the database, starts the pipeline and the web
//! server, and on Ctrl-C or SIGTERM stops taking requests, lets the pipeline commit what it has,
//! and exits 0.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use steward_engine::Pipeline;
use steward_store::Database;
use tokio::net::TcpListener;

use steward_web::AppState;
use tracing::{info, warn};

use crate::config::Settings;
use steward_engine::features::Shared;

use crate::{Exit, ExitOn, Failure, start_pipeline};

pub async fn run(settings: Settings) -> Result<(), Failure> {
    let shutdown = shutdown_signal();
    let (database, pipeline, shared) = start_pipeline(&settings).await?;
    info!(database = %database.backend().describe(), data = %settings.data.display(), "database ready");
    let listener = match bind(&settings).await {
        Ok(listener) => listener,
        Err(failure) => {
            pipeline.shutdown().await;
            return Err(failure);
        }
    };
    info!(
        onebot_forward = settings.onebot.forward.len(),
        telegram = settings.telegram.len(),
        matrix = settings.matrix.len(),
        "platforms: OneBot implementations may connect to /onebot/v11/ws; accounts configured in steward.toml start now"
    );
    serve(shutdown, listener, database, pipeline, shared, &settings).await
}

pub async fn bind(settings: &Settings) -> Result<TcpListener, Failure> {
    TcpListener::bind(settings.listen)
        .await
        .map_err(|err| Failure {
            exit: Exit::Listen,
            error: anyhow::anyhow!("cannot listen on {}: {err}", settings.listen),
        })
}

/// Serves the console and health check until Ctrl-C or SIGTERM, with the playground's adapter
/// beside them, then lets the pipeline finish.
pub async fn serve(
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    listener: TcpListener,
    database: Arc<Database>,
    pipeline: Pipeline,
    shared: Shared,
    settings: &Settings,
) -> Result<(), Failure> {
    let pipeline = Arc::new(pipeline);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let playground = tokio::spawn(steward_adapters::playground::run(
        database.clone(),
        pipeline.clone(),
        stopped.clone(),
    ));
    let health = Arc::new(steward_adapters::health::Health::default());
    let mut forward = Vec::new();
    for target in &settings.onebot.forward {
        let limits = Arc::new(steward_adapters::limits::Limits::new(
            settings.onebot.rates(),
        ));
        if !target.url.trim().is_empty() {
            forward.push(tokio::spawn(steward_adapters::onebot::forward::run(
                database.clone(),
                pipeline.clone(),
                health.clone(),
                Arc::clone(&limits),
                target.url.clone(),
                target.access_token.clone(),
                stopped.clone(),
            )));
        }
        if let Some(api) = target
            .http_api
            .as_deref()
            .filter(|api| !api.trim().is_empty())
        {
            forward.push(tokio::spawn(steward_adapters::onebot::http::run(
                database.clone(),
                pipeline.clone(),
                health.clone(),
                limits,
                Arc::new(steward_adapters::onebot::http::HttpApi::new(
                    api,
                    target.access_token.clone(),
                )),
                stopped.clone(),
            )));
        } else if target.url.trim().is_empty() {
            warn!("an [[onebot.forward]] entry has neither url nor http_api; skipped");
        }
    }
    let mut bots = Vec::new();
    for account in &settings.telegram {
        match steward_adapters::telegram::Bot::new(
            account.clone(),
            pipeline.clone(),
            health.clone(),
        ) {
            Ok(bot) => {
                forward.push(tokio::spawn(steward_adapters::telegram::run(
                    Arc::clone(&bot),
                    database.clone(),
                    stopped.clone(),
                )));
                bots.push(bot);
            }
            Err(err) => warn!(error = %err, "a [[telegram]] account cannot start; skipped"),
        }
    }
    for account in &settings.matrix {
        forward.push(tokio::spawn(steward_adapters::matrix::run(
            account.clone(),
            database.clone(),
            pipeline.clone(),
            health.clone(),
            stopped.clone(),
        )));
    }
    let night = tokio::spawn(clock(database.clone(), pipeline.outbox_ready(), stopped));
    let state = AppState::new(database, &settings.console)
        .with_pipeline(pipeline.clone())
        .with_moderation(shared.moderation.clone())
        .with_engagement(shared.engagement.clone())
        .with_onebot(settings.onebot.clone(), stop.subscribe())
        .with_health(health)
        .with_telegram(bots);
    state.ready.store(true, Ordering::Release);
    info!(address = %format!("http://{}", settings.listen), "steward is serving");
    let ready = state.ready.clone();
    let stopping = pipeline.clone();
    let service =
        steward_web::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    // How long requests under way may take to finish once shutdown begins: then the rest are
    // closed (a client that never reads its answer must not hold the process).
    let (began, has_begun) = tokio::sync::oneshot::channel::<()>();
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            shutdown.await;
            ready.store(false, Ordering::Release);
            info!("shutting down: finishing queued events");
            // A writer retrying a lost database gives up now: what waits on it ends.
            stopping.stopping();
            // Platform connections end now: their delivery stops claiming and gives back what
            // it did not send. (The forward ones are awaited below; a reverse WebSocket is no
            // longer tracked by the server once upgraded, and ends with the process.)
            let _ = stop.send(true);
            let _ = began.send(());
        })
        .into_future();
    tokio::pin!(served);
    let served = tokio::select! {
        served = &mut served => served,
        () = async {
            if has_begun.await.is_ok() {
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => {
            warn!(
                seconds = SHUTDOWN_GRACE.as_secs(),
                "requests still open after shutdown began: closing them"
            );
            Ok(())
        }
    };
    let _ = night.await;
    for connection in forward {
        let _ = connection.await;
    }
    if playground.await.is_err() {
        warn!("the playground adapter panicked");
    }
    pipeline.shutdown().await;
    served.exit_on(Exit::Failure)?;
    info!("stopped cleanly");
    Ok(())
}

/// How long the web server's open requests may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Ctrl-C (SIGINT), or SIGTERM as a service manager sends it. The handlers are installed when
/// this is called, not when the future is first polled: a signal that arrives between start-up
/// and serving (say, right after `steward demo` printed its line) is not lost.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {},
                        _ = terminate.recv() => {},
                    }
                }
                _ => {
                    warn!("cannot listen for signals; stop with SIGKILL");
                    std::future::pending::<()>().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The clock: every half minute, switches mute-all where a group's night starts or ends, pays
/// invitations whose week is over and greets birthdays.
async fn clock(
    database: Arc<Database>,
    outbox_ready: Arc<tokio::sync::Notify>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopped.changed() => return,
        }
        let database = database.clone();
        let pass = tokio::task::spawn_blocking(move || {
            let now = chrono::Utc::now();
            (
                steward_engine::moderation::night_pass(&database, now),
                steward_engine::engagement::scheduled_pass(&database, now),
            )
        })
        .await;
        match pass {
            Ok((night, engagement)) => {
                match night {
                    Ok(0) => {}
                    Ok(switched) => {
                        info!(groups = switched, "night mode switched");
                        outbox_ready.notify_waiters();
                    }
                    Err(err) => warn!(error = %err, "night mode pass failed"),
                }
                match engagement {
                    Ok(0) => {}
                    Ok(done) => {
                        info!(done, "invitations paid and birthdays greeted");
                        outbox_ready.notify_waiters();
                    }
                    Err(err) => warn!(error = %err, "engagement's scheduled pass failed"),
                }
            }
            Err(err) => warn!(error = %err, "the clock's pass panicked"),
        }
    }
}
