//! Events: what happened in a group, in one model for every platform.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, ChatId, GroupKey, MessageId, Platform, UserId};

/// Longest id (account, chat, user, message) accepted, in bytes.
pub const MAX_ID_LEN: usize = 256;
/// Longest display name or nickname accepted, in characters.
pub const MAX_NAME_LEN: usize = 256;
/// Most segments one message may have.
pub const MAX_SEGMENTS: usize = 512;
/// Most text one message may carry, in bytes, over all its segments. Platforms cap messages at a
/// few thousand characters; anything far above is an attack or a broken adapter.
pub const MAX_TEXT_LEN: usize = 64 * 1024;
/// QR codes one image may carry (a poster with a handful; more is an attack on the validator).
pub const MAX_QR_CODES: usize = 8;

/// One thing that happened in one group, as a platform reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub platform: Platform,
    /// The bot account that saw the event.
    pub account: AccountId,
    pub chat: ChatId,
    /// The platform's own id for the event when it has one: a message's id, a join request's flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// When it happened, by the platform's clock. Every rule that counts time uses this, never the
    /// time Steward received it, so that replaying history gives the same answers.
    pub time: DateTime<Utc>,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    /// A message in the group; the event's `id` is the message id.
    Message {
        sender: MemberProfile,
        segments: Vec<Segment>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<MessageId>,
    },
    MemberJoined {
        member: MemberProfile,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        inviter: Option<UserId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invite_link: Option<String>,
    },
    MemberLeft {
        member: UserId,
        reason: LeaveReason,
    },
    /// Somebody asks to join; the event's `id` is the request's handle for approve / reject.
    JoinRequest {
        applicant: MemberProfile,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer: Option<String>,
    },
    NicknameChanged {
        member: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old: Option<String>,
        new: String,
    },
    /// A member changed an earlier message (Telegram, Matrix): `segments` are its new content.
    /// The event's `id` is the edit's own (Telegram: `<message>@<edit time>`, Matrix: the edit
    /// event), so that each edit is recorded once. Moderation judges the new content (an ad
    /// edited into an old message is an ad); nothing counts an edit as a message.
    MessageEdited {
        sender: MemberProfile,
        /// The message that was changed.
        message: MessageId,
        /// When that message was first sent, where the platform says (Telegram): a platform that
        /// lets bots delete only recent messages cannot delete an ad edited into an old one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sent_at: Option<DateTime<Utc>>,
        segments: Vec<Segment>,
    },
    MessageRecalled {
        message: MessageId,
        author: UserId,
        /// Who recalled it: the author, or an admin.
        by: UserId,
    },
    /// The platform lists the member in the group (its member list, read when the bot connects):
    /// known from now on, with their nickname and role, without a join to welcome.
    MemberSeen {
        member: MemberProfile,
    },
}

/// A member as an event shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberProfile {
    pub id: UserId,
    /// The account's own display name.
    pub name: String,
    /// The member's nickname in this group (QQ's 群名片), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default)]
    pub role: MemberRole,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_bot: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    #[default]
    Member,
    Admin,
    Owner,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Member => "member",
            MemberRole::Admin => "admin",
            MemberRole::Owner => "owner",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LeaveReason {
    Left,
    Kicked {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<UserId>,
    },
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Segment {
    Text {
        text: String,
    },
    Mention {
        user: UserId,
    },
    MentionAll,
    Link {
        url: String,
    },
    Image {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
        /// What the QR codes in the image say, decoded by the adapter that fetched it
        /// (`steward_text::decode_qr`): moderation reads them like text, and a backtest sees them
        /// as the live run did.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        qr: Vec<String>,
    },
    File {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        size: Option<u64>,
    },
    /// A segment Steward does not model (a sticker, a voice note), kept by its platform name.
    Other {
        kind: String,
    },
}

/// Why an event was refused. The message names the field, so that an adapter's log says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEvent {
    #[error("`{field}` is empty")]
    Empty { field: &'static str },
    #[error("`{field}` is too long ({len} > {max})")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("a {kind} event needs the platform's `id`")]
    MissingId { kind: &'static str },
    #[error("a message needs at least one segment")]
    NoSegments,
    /// Ids may not hold control characters (they are joined with one into the dedup key), and no
    /// text may hold U+0000 (PostgreSQL refuses it).
    #[error("`{field}` contains a control character")]
    ControlCharacter { field: &'static str },
    #[error("`time` {0} is outside the years 2000 to 2100")]
    TimeOutOfRange(DateTime<Utc>),
    #[error("event JSON: {0}")]
    Json(String),
}

impl Event {
    /// Reads one event from Steward's own JSON form and checks it.
    pub fn from_json(text: &str) -> Result<Event, InvalidEvent> {
        let event: Event =
            serde_json::from_str(text).map_err(|err| InvalidEvent::Json(err.to_string()))?;
        event.validate()?;
        Ok(event)
    }

    pub fn group(&self) -> GroupKey {
        GroupKey {
            platform: self.platform,
            chat: self.chat.clone(),
        }
    }

    /// The member the event is about: the sender, the joiner, the leaver, the applicant.
    pub fn subject(&self) -> &UserId {
        match &self.kind {
            EventKind::Message { sender, .. } | EventKind::MessageEdited { sender, .. } => {
                &sender.id
            }
            EventKind::MemberJoined { member, .. } => &member.id,
            EventKind::MemberLeft { member, .. } => member,
            EventKind::JoinRequest { applicant, .. } => &applicant.id,
            EventKind::NicknameChanged { member, .. } => member,
            EventKind::MessageRecalled { author, .. } => author,
            EventKind::MemberSeen { member } => &member.id,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }

    /// The key that makes a redelivered event a no-op. Ids are unique only within a chat of one
    /// bot account, so an event with an id is keyed by platform, account, chat, kind and id. A notice
    /// without an id (a join, a leave) is keyed by platform, chat, kind, member and time: the same
    /// join seen by two bot accounts in one group then counts once.
    pub fn dedup_key(&self) -> String {
        const SEP: char = '\u{1f}';
        let kind = self.kind.name();
        match (&self.id, &self.kind) {
            (_, EventKind::MessageRecalled { message, .. }) => format!(
                "{}{SEP}{}{SEP}{}{SEP}{kind}{SEP}{}",
                self.platform, self.account, self.chat, message
            ),
            (Some(id), _) => {
                format!(
                    "{}{SEP}{}{SEP}{}{SEP}{kind}{SEP}{id}",
                    self.platform, self.account, self.chat
                )
            }
            (None, _) => format!(
                "{}{SEP}{SEP}{}{SEP}{kind}{SEP}{}{SEP}{}",
                self.platform,
                self.chat,
                self.subject(),
                self.time.timestamp_millis()
            ),
        }
    }

    /// The dedup key of the message `message` of this event's chat, as seen by this event's
    /// account: how a recall or a reply finds the message it names.
    pub fn key_of_message(&self, message: &MessageId) -> String {
        const SEP: char = '\u{1f}';
        format!(
            "{}{SEP}{}{SEP}{}{SEP}message{SEP}{}",
            self.platform, self.account, self.chat, message
        )
    }

    /// Checks what serde cannot: non-empty ids, sizes, an id where the kind needs one, a sane time.
    pub fn validate(&self) -> Result<(), InvalidEvent> {
        check_id("account", self.account.as_str())?;
        check_id("chat", self.chat.as_str())?;
        if let Some(id) = &self.id {
            check_id("id", id)?;
        }
        let year = self.time.year();
        if !(2000..=2100).contains(&year) {
            return Err(InvalidEvent::TimeOutOfRange(self.time));
        }
        match &self.kind {
            EventKind::Message {
                sender,
                segments,
                reply_to,
            } => {
                if self.id.is_none() {
                    return Err(InvalidEvent::MissingId { kind: "message" });
                }
                check_profile("sender", sender)?;
                check_segments(segments)?;
                if let Some(reply_to) = reply_to {
                    check_id("reply_to", reply_to.as_str())?;
                }
            }
            EventKind::MessageEdited {
                sender,
                message,
                segments,
                ..
            } => {
                if self.id.is_none() {
                    return Err(InvalidEvent::MissingId {
                        kind: "message_edited",
                    });
                }
                check_profile("sender", sender)?;
                check_id("message", message.as_str())?;
                check_segments(segments)?;
            }
            EventKind::MemberSeen { member } => check_profile("member", member)?,
            EventKind::MemberJoined {
                member,
                inviter,
                invite_link,
            } => {
                check_profile("member", member)?;
                if let Some(inviter) = inviter {
                    check_id("inviter", inviter.as_str())?;
                }
                if let Some(link) = invite_link {
                    check_len("invite_link", link, MAX_NAME_LEN * 4)?;
                }
            }
            EventKind::MemberLeft { member, reason } => {
                check_id("member", member.as_str())?;
                if let LeaveReason::Kicked { by: Some(by) } = reason {
                    check_id("reason.by", by.as_str())?;
                }
            }
            EventKind::JoinRequest { applicant, answer } => {
                if self.id.is_none() {
                    return Err(InvalidEvent::MissingId {
                        kind: "join_request",
                    });
                }
                check_profile("applicant", applicant)?;
                if let Some(answer) = answer {
                    check_len("answer", answer, MAX_TEXT_LEN)?;
                }
            }
            EventKind::NicknameChanged { member, old, new } => {
                check_id("member", member.as_str())?;
                if let Some(old) = old {
                    check_name("old", old)?;
                }
                check_name("new", new)?;
            }
            EventKind::MessageRecalled {
                message,
                author,
                by,
            } => {
                check_id("message", message.as_str())?;
                check_id("author", author.as_str())?;
                check_id("by", by.as_str())?;
            }
        }
        Ok(())
    }

    /// Whether the platform refuses a bot the deletion of the message an edit changed: it was
    /// older than bots may delete ([`Platform::delete_window`], Telegram: 48 hours) when it was
    /// edited.
    pub fn beyond_delete_window(&self) -> bool {
        match (&self.kind, self.platform.delete_window()) {
            (
                EventKind::MessageEdited {
                    sent_at: Some(sent),
                    ..
                },
                Some(window),
            ) => self.time - *sent >= window,
            _ => false,
        }
    }

    /// The text a person reads in a message or in an edit's new version: text segments and
    /// links, in order. Empty for other kinds.
    pub fn plain_text(&self) -> String {
        match self.kind.written() {
            Some((_, segments)) => {
                let mut text = String::new();
                for segment in segments {
                    match segment {
                        Segment::Text { text: part } => text.push_str(part),
                        Segment::Link { url } => text.push_str(url),
                        // A QR code's content reads as part of the message (`[二维码] URL`).
                        Segment::Image { qr, .. } => {
                            for code in qr {
                                if !text.is_empty() {
                                    text.push(' ');
                                }
                                text.push_str("[二维码] ");
                                text.push_str(code);
                            }
                        }
                        _ => {}
                    }
                }
                text
            }
            None => String::new(),
        }
    }
}

impl EventKind {
    /// The author and the content of a message, or of the new version of an edited one.
    pub fn written(&self) -> Option<(&MemberProfile, &[Segment])> {
        match self {
            EventKind::Message {
                sender, segments, ..
            }
            | EventKind::MessageEdited {
                sender, segments, ..
            } => Some((sender, segments)),
            _ => None,
        }
    }

    /// [`EventKind::written`], to change (an adapter completes roles and QR codes).
    pub fn written_mut(&mut self) -> Option<(&mut MemberProfile, &mut Vec<Segment>)> {
        match self {
            EventKind::Message {
                sender, segments, ..
            }
            | EventKind::MessageEdited {
                sender, segments, ..
            } => Some((sender, segments)),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Message { .. } => "message",
            EventKind::MemberJoined { .. } => "member_joined",
            EventKind::MemberLeft { .. } => "member_left",
            EventKind::JoinRequest { .. } => "join_request",
            EventKind::NicknameChanged { .. } => "nickname_changed",
            EventKind::MessageEdited { .. } => "message_edited",
            EventKind::MessageRecalled { .. } => "message_recalled",
            EventKind::MemberSeen { .. } => "member_seen",
        }
    }
}

impl Segment {
    pub fn text(text: impl Into<String>) -> Segment {
        Segment::Text { text: text.into() }
    }

    fn text_len(&self) -> usize {
        match self {
            Segment::Text { text } => text.len(),
            Segment::Link { url } => url.len(),
            Segment::File { name, url, .. } => name.len() + url.as_ref().map_or(0, String::len),
            Segment::Image { url, file, qr } => {
                url.as_ref().map_or(0, String::len)
                    + file.as_ref().map_or(0, String::len)
                    + qr.iter().map(String::len).sum::<usize>()
            }
            Segment::Other { kind } => kind.len(),
            Segment::Mention { user } => user.as_str().len(),
            Segment::MentionAll => 0,
        }
    }
}

fn check_id(field: &'static str, id: &str) -> Result<(), InvalidEvent> {
    if id.is_empty() {
        return Err(InvalidEvent::Empty { field });
    }
    check_len(field, id, MAX_ID_LEN)?;
    if id.chars().any(char::is_control) {
        return Err(InvalidEvent::ControlCharacter { field });
    }
    Ok(())
}

fn check_len(field: &'static str, text: &str, max: usize) -> Result<(), InvalidEvent> {
    if text.len() > max {
        return Err(InvalidEvent::TooLong {
            field,
            len: text.len(),
            max,
        });
    }
    if text.contains('\0') {
        return Err(InvalidEvent::ControlCharacter { field });
    }
    Ok(())
}

fn check_name(field: &'static str, name: &str) -> Result<(), InvalidEvent> {
    let len = name.chars().count();
    if len > MAX_NAME_LEN {
        return Err(InvalidEvent::TooLong {
            field,
            len,
            max: MAX_NAME_LEN,
        });
    }
    if name.contains('\0') {
        return Err(InvalidEvent::ControlCharacter { field });
    }
    Ok(())
}

/// A message's content: at least one segment, not too many, none too long.
fn check_segments(segments: &[Segment]) -> Result<(), InvalidEvent> {
    if segments.is_empty() {
        return Err(InvalidEvent::NoSegments);
    }
    if segments.len() > MAX_SEGMENTS {
        return Err(InvalidEvent::TooLong {
            field: "segments",
            len: segments.len(),
            max: MAX_SEGMENTS,
        });
    }
    let text_len: usize = segments.iter().map(Segment::text_len).sum();
    if text_len > MAX_TEXT_LEN {
        return Err(InvalidEvent::TooLong {
            field: "segments",
            len: text_len,
            max: MAX_TEXT_LEN,
        });
    }
    for segment in segments {
        match segment {
            Segment::Mention { user } => check_id("segments.user", user.as_str())?,
            Segment::Text { text } => check_len("segments.text", text, MAX_TEXT_LEN)?,
            Segment::Link { url } => check_len("segments.url", url, MAX_TEXT_LEN)?,
            Segment::Image { url, file, qr } => {
                for part in [url, file].into_iter().flatten() {
                    check_len("segments.image", part, MAX_TEXT_LEN)?;
                }
                if qr.len() > MAX_QR_CODES {
                    return Err(InvalidEvent::TooLong {
                        field: "segments.qr",
                        len: qr.len(),
                        max: MAX_QR_CODES,
                    });
                }
                for code in qr {
                    check_len("segments.qr", code, MAX_TEXT_LEN)?;
                }
            }
            Segment::File { name, url, .. } => {
                check_len("segments.name", name, MAX_TEXT_LEN)?;
                if let Some(url) = url {
                    check_len("segments.url", url, MAX_TEXT_LEN)?;
                }
            }
            Segment::Other { kind } => check_len("segments.kind", kind, MAX_NAME_LEN)?,
            Segment::MentionAll => {}
        }
    }
    Ok(())
}

fn check_profile(field: &'static str, profile: &MemberProfile) -> Result<(), InvalidEvent> {
    check_id(field, profile.id.as_str())?;
    check_name(field, &profile.name)?;
    if let Some(nickname) = &profile.nickname {
        check_name(field, nickname)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: Option<&str>, segments: Vec<Segment>) -> Event {
        Event {
            platform: Platform::OneBot,
            account: "10001".into(),
            chat: "20002".into(),
            id: id.map(str::to_owned),
            time: DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default(),
            kind: EventKind::Message {
                sender: MemberProfile {
                    id: "30003".into(),
                    name: "小林".into(),
                    nickname: None,
                    role: MemberRole::Member,
                    is_bot: false,
                },
                segments,
                reply_to: None,
            },
        }
    }

    #[test]
    fn a_message_round_trips_through_json() {
        let event = message(Some("1"), vec![Segment::text("签到"), Segment::MentionAll]);
        let json = serde_json::to_string(&event).unwrap_or_default();
        assert_eq!(Event::from_json(&json), Ok(event));
    }

    #[test]
    fn refusals_name_the_field() {
        let check = |event: Event, expected: &str| {
            let error = event.validate().err().map(|err| err.to_string());
            assert_eq!(error.as_deref(), Some(expected));
        };
        check(
            message(None, vec![Segment::text("hi")]),
            "a message event needs the platform's `id`",
        );
        check(
            message(Some("1"), vec![]),
            "a message needs at least one segment",
        );
        check(
            message(Some(""), vec![Segment::text("hi")]),
            "`id` is empty",
        );
        check(
            message(Some("1\u{1f}2"), vec![Segment::text("hi")]),
            "`id` contains a control character",
        );
        check(
            message(Some("1"), vec![Segment::text("a\0b")]),
            "`segments.text` contains a control character",
        );
        let huge = "字".repeat(MAX_TEXT_LEN);
        check(
            message(Some("1"), vec![Segment::text(huge)]),
            &format!(
                "`segments` is too long ({} > {MAX_TEXT_LEN})",
                MAX_TEXT_LEN * 3
            ),
        );
    }

    /// `message` edited: the same sender, the new segments.
    fn edit(id: Option<&str>, segments: Vec<Segment>) -> Event {
        let mut event = message(id, segments);
        if let EventKind::Message {
            sender, segments, ..
        } = event.kind
        {
            event.kind = EventKind::MessageEdited {
                sender,
                message: MessageId("1".into()),
                sent_at: None,
                segments,
            };
        }
        event
    }

    #[test]
    fn an_edit_is_checked_like_a_message_and_reads_as_its_new_text() {
        let event = edit(Some("1@9"), vec![Segment::text("加我 vx abc12345")]);
        let json = serde_json::to_string(&event).unwrap_or_default();
        assert!(json.contains(r#""type":"message_edited""#), "{json}");
        assert_eq!(Event::from_json(&json), Ok(event.clone()));
        assert_eq!(event.plain_text(), "加我 vx abc12345");
        assert_eq!(event.subject().as_str(), "30003");
        // Not the key of the message it changes: both are recorded.
        assert_ne!(event.dedup_key(), message(Some("1@9"), vec![]).dedup_key());
        let refused = |event: Event| event.validate().err().map(|err| err.to_string());
        assert_eq!(
            refused(edit(None, vec![Segment::text("x")])).as_deref(),
            Some("a message_edited event needs the platform's `id`")
        );
        assert_eq!(
            refused(edit(Some("1@9"), vec![])).as_deref(),
            Some("a message needs at least one segment")
        );
        assert_eq!(
            refused(edit(Some("1@9"), vec![Segment::text("a\0b")])).as_deref(),
            Some("`segments.text` contains a control character")
        );
    }

    #[test]
    fn malformed_json_is_an_error_not_a_panic() {
        for text in [
            "",
            "{",
            "[]",
            r#"{"platform":"icq"}"#,
            r#"{"platform":"onebot","account":1}"#,
        ] {
            assert!(
                matches!(Event::from_json(text), Err(InvalidEvent::Json(_))),
                "{text}"
            );
        }
    }

    /// A cheap, deterministic cousin of `fuzz/`: truncations and byte mutations of a valid event
    /// never panic.
    #[test]
    fn mangled_json_is_an_error_never_a_panic() {
        let event = message(
            Some("1"),
            vec![Segment::text("加V：abc"), Segment::MentionAll],
        );
        let json = serde_json::to_string(&event).unwrap_or_default();
        // `from_json` validates what it parses: reaching the end is the test.
        let check = |text: &str| {
            let _ = Event::from_json(text);
        };
        crate::testing::mangled(&json, check);
    }

    #[test]
    fn ids_are_scoped_to_account_and_chat_but_notices_are_not() {
        let a = message(Some("7"), vec![Segment::text("a")]);
        let mut other_chat = a.clone();
        other_chat.chat = "20003".into();
        assert_ne!(a.dedup_key(), other_chat.dedup_key());

        let join = |account: &str| Event {
            account: account.into(),
            id: None,
            kind: EventKind::MemberJoined {
                member: MemberProfile {
                    id: "1".into(),
                    name: "n".into(),
                    nickname: None,
                    role: MemberRole::Member,
                    is_bot: false,
                },
                inviter: None,
                invite_link: None,
            },
            ..a.clone()
        };
        assert_eq!(join("bot-a").dedup_key(), join("bot-b").dedup_key());
        assert_eq!(a.key_of_message(&"7".into()), a.dedup_key());
    }
}
