//! The registration list: every feature, in the order the pipeline runs them. Moderation comes
//! first so that later features can skip a message it removed.

mod ping;

use std::sync::Arc;

use serde::Deserialize;

use crate::Feature;
use crate::engagement::{Engagement, EngagementShared};
use crate::moderation::{Moderation, ModerationShared};

pub use crate::engagement::EngagementConfig;
pub use ping::{Ping, PingConfig};

/// The `[features]` section of `steward.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeaturesConfig {
    pub ping: PingConfig,
    pub moderation: ModerationConfig,
    pub engagement: EngagementConfig,
}

/// `[features.moderation]`: the switch; the rules themselves are edited in the console and API.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModerationConfig {
    pub enabled: bool,
}

impl Default for ModerationConfig {
    fn default() -> Self {
        ModerationConfig { enabled: true }
    }
}

/// State the features share with the console (rule and settings changes, the ad model in
/// force).
#[derive(Debug, Clone, Default)]
pub struct Shared {
    pub moderation: Arc<ModerationShared>,
    pub engagement: Arc<EngagementShared>,
}

/// Builds the features a configuration turns on, in pipeline order. Start-up and reload both go
/// through here.
pub fn registry(config: &FeaturesConfig, shared: &Shared) -> Vec<Box<dyn Feature>> {
    let mut features: Vec<Box<dyn Feature>> = Vec::new();
    if config.moderation.enabled {
        features.push(Box::new(Moderation::new(Arc::clone(&shared.moderation))));
    }
    if config.engagement.enabled {
        features.push(Box::new(Engagement::new(Arc::clone(&shared.engagement))));
    }
    if config.ping.enabled {
        features.push(Box::new(Ping::new(config.ping.clone())));
    }
    features
}
