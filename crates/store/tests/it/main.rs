//! The store's story, told once and run on SQLite and on a real PostgreSQL.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod console;
mod fixtures;
mod operators;
mod outbox;
mod state;
