//! The registration list: every feature, in the order the pipeline runs them. Moderation comes
//! first so that later features can skip a message it removed.

mod ping;

use serde::Deserialize;

use crate::Feature;

pub use ping::{Ping, PingConfig};

/// The `[features]` section of `steward.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeaturesConfig {
    pub ping: PingConfig,
}

/// Builds the features a configuration turns on, in pipeline order. Start-up and reload both go
/// through here.
pub fn registry(config: &FeaturesConfig) -> Vec<Box<dyn Feature>> {
    let mut features: Vec<Box<dyn Feature>> = Vec::new();
    if config.ping.enabled {
        features.push(Box::new(Ping::new(config.ping.clone())));
    }
    features
}
