//! `/ping`: the quickest way for an operator to check, from inside a group, that the bot is there
//! and its whole path (platform → pipeline → outbox → platform) works.

use serde::Deserialize;
use steward_domain::{Action, EventKind, OutSegment};

use crate::{Context, Feature, FeatureError};

/// `[features.ping]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PingConfig {
    /// Answer `/ping` in every group. Default: on.
    pub enabled: bool,
}

impl Default for PingConfig {
    fn default() -> Self {
        PingConfig { enabled: true }
    }
}

#[derive(Debug)]
pub struct Ping {
    _config: PingConfig,
}

impl Ping {
    pub fn new(config: PingConfig) -> Ping {
        Ping { _config: config }
    }
}

/// The command is the whole message: `/ping`, or `/ping@BotName` as Telegram writes commands.
fn is_ping(text: &str) -> bool {
    let text = text.trim();
    text == "/ping"
        || text
            .strip_prefix("/ping@")
            .is_some_and(|bot| !bot.is_empty() && !bot.contains(' '))
}

impl Feature for Ping {
    fn name(&self) -> &'static str {
        "ping"
    }

    fn handle(&self, context: &mut Context<'_>) -> Result<(), FeatureError> {
        let EventKind::Message { sender, .. } = &context.event.kind else {
            return Ok(());
        };
        if !is_ping(context.text) {
            return Ok(());
        }
        let reply_to = context.event.id.clone().map(steward_domain::MessageId);
        let member = sender.id.clone();
        context.act(Action::Send {
            segments: vec![
                OutSegment::Mention { user: member },
                OutSegment::Text {
                    text: " pong · Steward 在线 / online".to_owned(),
                },
            ],
            reply_to,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_ping;

    #[test]
    fn only_the_whole_message_is_the_command() {
        for (text, expected) in [
            ("/ping", true),
            ("  /ping ", true),
            ("/ping@StewardBot", true),
            ("/ping@", false),
            ("please /ping", false),
            ("/pingpong", false),
            ("ping", false),
        ] {
            assert_eq!(is_ping(text), expected, "{text:?}");
        }
    }
}
