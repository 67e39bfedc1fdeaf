//! Actions: what Steward asks a platform to do. Features produce them, the outbox keeps them until
//! an adapter has carried them out.

use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, ChatId, MessageId, Platform, UserId};

/// An action addressed to one group through one bot account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    pub platform: Platform,
    pub account: AccountId,
    pub chat: ChatId,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    Send {
        segments: Vec<OutSegment>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<MessageId>,
    },
    DeleteMessage {
        message: MessageId,
    },
    Mute {
        member: UserId,
        seconds: u32,
    },
    Unmute {
        member: UserId,
    },
    Kick {
        member: UserId,
        /// Refuse the member's later requests to join again, where the platform can.
        refuse_rejoin: bool,
    },
    ApproveJoin {
        request: String,
    },
    RejectJoin {
        request: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    SetNickname {
        member: UserId,
        nickname: String,
    },
    MuteAll {
        on: bool,
    },
    /// A member's title in the group (QQ's `set_group_special_title`; the group owner's right,
    /// so it fails where the bot is not the owner, and platforms without titles ignore it).
    SetTitle {
        member: UserId,
        title: String,
    },
}

/// A piece of an outgoing message. Text is plain text: each adapter escapes it for its platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum OutSegment {
    Text { text: String },
    Mention { user: UserId },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Send { .. } => "send",
            Action::DeleteMessage { .. } => "delete_message",
            Action::Mute { .. } => "mute",
            Action::Unmute { .. } => "unmute",
            Action::Kick { .. } => "kick",
            Action::ApproveJoin { .. } => "approve_join",
            Action::RejectJoin { .. } => "reject_join",
            Action::SetNickname { .. } => "set_nickname",
            Action::MuteAll { .. } => "mute_all",
            Action::SetTitle { .. } => "set_title",
        }
    }

    /// Whether doing the action twice has the same effect as doing it once. When an adapter loses
    /// the platform's answer it retries only these; a second `Send` would show members a message
    /// twice.
    pub fn repeat_is_harmless(&self) -> bool {
        !matches!(self, Action::Send { .. })
    }

    /// A plain text message.
    pub fn say(text: impl Into<String>) -> Action {
        Action::Send {
            segments: vec![OutSegment::Text { text: text.into() }],
            reply_to: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sending_is_unsafe_to_repeat() {
        assert!(!Action::say("hi").repeat_is_harmless());
        assert!(
            Action::Kick {
                member: "1".into(),
                refuse_rejoin: true
            }
            .repeat_is_harmless()
        );
        assert!(
            Action::DeleteMessage {
                message: "9".into()
            }
            .repeat_is_harmless()
        );
    }
}
