//! The console as a browser meets it, through the router without a port (axum's `oneshot`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod console;
mod engagement;
mod matrix;
mod moderation;
mod onebot;
mod telegram;
