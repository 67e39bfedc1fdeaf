//! The console as a browser meets it, through the router without a port (axum's `oneshot`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod console;
mod engagement;
mod matrix;
mod moderation;
mod onebot;
mod telegram;

/// Stops an adapter's runner and waits for it to end, within `seconds`.
async fn stop_runner(
    stop: tokio::sync::watch::Sender<bool>,
    runner: tokio::task::JoinHandle<()>,
    seconds: u64,
) {
    let _ = stop.send(true);
    tokio::time::timeout(std::time::Duration::from_secs(seconds), runner)
        .await
        .expect("the adapter stops")
        .unwrap();
}
