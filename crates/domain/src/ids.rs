//! Identifiers as the platforms give them. A platform's ids are strings here (QQ numbers, Telegram's
//! signed integers, Matrix's `@user:server`): Steward never does arithmetic on them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The platforms Steward speaks to. `Simulator` is the community simulator, `Playground` the
/// console's built-in groups; both go through the same pipeline as a real platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// QQ and WeChat bridges that speak OneBot v11.
    OneBot,
    Telegram,
    Matrix,
    Discord,
    Playground,
    Simulator,
}

impl Platform {
    pub const ALL: [Platform; 6] = [
        Platform::OneBot,
        Platform::Telegram,
        Platform::Matrix,
        Platform::Discord,
        Platform::Playground,
        Platform::Simulator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::OneBot => "onebot",
            Platform::Telegram => "telegram",
            Platform::Matrix => "matrix",
            Platform::Discord => "discord",
            Platform::Playground => "playground",
            Platform::Simulator => "simulator",
        }
    }

    /// Whether an edit is a message of its own, removed by itself, that anybody may send naming
    /// any message (Matrix's `m.replace`), rather than a change only the author can make to the
    /// message (Telegram).
    pub fn edits_are_events(self) -> bool {
        self == Platform::Matrix
    }

    /// How old a message may be for a bot to delete it, where the platform limits it: the Bot
    /// API's `deleteMessage` takes only messages "sent less than 48 hours ago".
    pub fn delete_window(self) -> Option<chrono::TimeDelta> {
        match self {
            Platform::Telegram => chrono::TimeDelta::try_hours(48),
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown platform `{0}` (expected one of onebot, telegram, matrix, discord, playground, simulator)"
)]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|platform| platform.as_str() == text)
            .ok_or_else(|| UnknownPlatform(text.to_owned()))
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }
    };
}

string_id!(
    /// The bot's own account on a platform (a QQ number, a Telegram bot id, a Matrix user id).
    AccountId
);
string_id!(
    /// A group chat on a platform (a QQ group number, a Telegram chat id, a Matrix room id).
    ChatId
);
string_id!(
    /// A person's account on a platform.
    UserId
);
string_id!(
    /// A message as the platform numbers it; unique only within its chat on most platforms.
    MessageId
);

/// A group is one chat on one platform, whichever bot account sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GroupKey {
    pub platform: Platform,
    pub chat: ChatId,
}
