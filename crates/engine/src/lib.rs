//! The engine: every event, from any platform, goes through one [`Pipeline`]: checked,
//! deduplicated, persisted together with the state it changes, handed to the features in order
//! (moderation first), and the actions they decide written to the outbox in the same transaction.

mod document;
pub mod engagement;
mod feature;
pub mod features;
pub mod moderation;
mod pipeline;
mod scoped;

pub use feature::{Context, Feature, FeatureError, Prepared};
pub use pipeline::{Outcome, Pipeline, PipelineConfig, PipelineError, PipelineStats, Ticket};
