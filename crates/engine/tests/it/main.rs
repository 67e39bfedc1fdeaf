//! The pipeline's stories, on SQLite and on a real PostgreSQL.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engagement;
mod ledger;
mod moderation;
mod pipeline;
mod simulated;

use std::future::Future;

/// The stories are plain functions (so that one macro runs them on both backends); each runs its
/// async body on a runtime of its own.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Runs the store's blocking calls from inside a test's async body.
pub fn blocking<T>(work: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(work)
}
