//! Platform adapters: the only place that knows a platform. Each turns what its platform sends
//! into `steward_domain::Event`s for the pipeline and carries out the outbox's actions there.
//!
//! So far: the playground, Steward's own built-in groups, for trying every feature without a
//! platform (and for the console's browser tests).

pub mod health;
pub mod limits;
pub mod onebot;
pub mod playground;
