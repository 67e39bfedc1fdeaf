//! OneBot v11 payloads to Steward's events, and Steward's actions to OneBot API calls: the pure
//! translation, without any connection (the transports use it). What Steward does not model
//! (private messages, friend requests, pokes) is `Ignored` with a reason, never an error; a
//! payload that breaks the specification is an error that names what is wrong.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use steward_domain::{
    AccountId, Action, ChatId, Event, EventKind, LeaveReason, MemberProfile, MemberRole, MessageId,
    OutSegment, Platform, Segment, UserId,
};

use super::cq::{RawSegment, parse_array, parse_string};

/// What one payload from an implementation is.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Event(Box<Event>),
    /// The answer to an API call, matched by `echo`.
    Response {
        echo: String,
        ok: bool,
        retcode: i64,
        data: Value,
        message: String,
    },
    /// `meta_event`: lifecycle and heartbeats.
    Meta {
        kind: String,
        /// A heartbeat's `interval` (ms): when the next one is due.
        interval: Option<u64>,
    },
    Ignored(String),
}

/// Why a payload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("OneBot payload: {0}")]
pub struct PayloadError(pub String);

fn refuse<T>(text: impl Into<String>) -> Result<T, PayloadError> {
    Err(PayloadError(text.into()))
}

/// A number or a numeric string, as ids come (`"group_id": 123` or `"123"`), as text.
fn id(payload: &Value, field: &str) -> Result<String, PayloadError> {
    match payload.get(field) {
        Some(Value::Number(number)) => Ok(number.to_string()),
        Some(Value::String(text)) if !text.is_empty() => Ok(text.clone()),
        _ => refuse(format!("`{field}` is missing or not an id")),
    }
}

fn text_field(payload: &Value, field: &str) -> Option<String> {
    payload
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn time_of(payload: &Value) -> Result<DateTime<Utc>, PayloadError> {
    let seconds = payload
        .get("time")
        .and_then(Value::as_i64)
        .ok_or_else(|| PayloadError("`time` is missing".to_owned()))?;
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| PayloadError(format!("`time` {seconds} is out of range")))
}

/// Reads one payload (an event pushed by the implementation, or an answer to a call).
pub fn parse(payload: &Value) -> Result<Incoming, PayloadError> {
    if !payload.is_object() {
        return refuse("not a JSON object");
    }
    if let Some(echo) = payload
        .get("echo")
        .filter(|_| payload.get("post_type").is_none())
    {
        let echo = match echo {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        return Ok(Incoming::Response {
            echo,
            // `async`: accepted, carried out later (the specification's retcode 1).
            ok: matches!(
                payload.get("status").and_then(Value::as_str),
                Some("ok" | "async")
            ),
            retcode: payload.get("retcode").and_then(Value::as_i64).unwrap_or(-1),
            data: payload.get("data").cloned().unwrap_or(Value::Null),
            message: text_field(payload, "wording")
                .or_else(|| text_field(payload, "message"))
                .or_else(|| text_field(payload, "msg"))
                .unwrap_or_default(),
        });
    }
    let post_type = payload
        .get("post_type")
        .and_then(Value::as_str)
        .ok_or_else(|| PayloadError("`post_type` is missing".to_owned()))?;
    match post_type {
        "meta_event" => Ok(Incoming::Meta {
            kind: text_field(payload, "meta_event_type").unwrap_or_default(),
            // A heartbeat says how often the next ones come, in milliseconds.
            interval: payload.get("interval").and_then(Value::as_u64),
        }),
        "message" | "message_sent" => message(payload),
        "notice" => notice(payload),
        "request" => request(payload),
        other => Ok(Incoming::Ignored(format!("post_type `{other}`"))),
    }
}

fn base(payload: &Value, id: Option<String>, kind: EventKind) -> Result<Incoming, PayloadError> {
    let event = Event {
        platform: Platform::OneBot,
        account: AccountId(self::id(payload, "self_id")?),
        chat: ChatId(self::id(payload, "group_id")?),
        id,
        time: time_of(payload)?,
        kind,
    };
    event
        .validate()
        .map_err(|err| PayloadError(err.to_string()))?;
    Ok(Incoming::Event(Box::new(event)))
}

fn role(text: Option<&str>) -> MemberRole {
    match text {
        Some("owner") => MemberRole::Owner,
        Some("admin") => MemberRole::Admin,
        _ => MemberRole::Member,
    }
}

fn message(payload: &Value) -> Result<Incoming, PayloadError> {
    if payload.get("message_type").and_then(Value::as_str) != Some("group") {
        return Ok(Incoming::Ignored("not a group message".to_owned()));
    }
    // Anonymous messages share one user id (80000000): acting on it would hit everyone who
    // writes anonymously.
    if payload.get("sub_type").and_then(Value::as_str) == Some("anonymous") {
        return Ok(Incoming::Ignored("an anonymous message".to_owned()));
    }
    let user = id(payload, "user_id")?;
    let sender = payload.get("sender").cloned().unwrap_or(Value::Null);
    let name = text_field(&sender, "nickname")
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| user.clone());
    let card = text_field(&sender, "card").filter(|card| !card.is_empty());
    let raw = match payload.get("message") {
        Some(Value::String(text)) => parse_string(text),
        Some(Value::Array(items)) => parse_array(items).map_err(PayloadError)?,
        _ => return refuse("`message` is neither a string nor an array"),
    };
    let mut reply_to = None;
    let mut segments = Vec::new();
    for segment in raw {
        match segment.kind.as_str() {
            "reply" => reply_to = segment.get("id").map(|id| MessageId(id.to_owned())),
            _ => segments.extend(to_segment(&segment)),
        }
    }
    if segments.is_empty() {
        segments.push(Segment::Other {
            kind: "empty".to_owned(),
        });
    }
    let self_id = id(payload, "self_id")?;
    let sender = MemberProfile {
        is_bot: user == self_id,
        id: UserId(user),
        name,
        nickname: card,
        role: role(sender.get("role").and_then(Value::as_str)),
    };
    base(
        payload,
        Some(id(payload, "message_id")?),
        EventKind::Message {
            sender,
            segments,
            reply_to,
        },
    )
}

fn to_segment(segment: &RawSegment) -> Option<Segment> {
    Some(match segment.kind.as_str() {
        "text" => Segment::text(segment.get("text").unwrap_or_default()),
        "at" => match segment.get("qq") {
            Some("all") => Segment::MentionAll,
            Some(qq) => Segment::Mention {
                user: UserId(qq.to_owned()),
            },
            None => return None,
        },
        "image" => Segment::Image {
            url: segment.get("url").map(str::to_owned),
            file: segment.get("file").map(str::to_owned),
            qr: Vec::new(),
        },
        "share" => Segment::Link {
            url: segment.get("url").unwrap_or_default().to_owned(),
        },
        "file" => Segment::File {
            name: segment
                .get("name")
                .or_else(|| segment.get("file"))
                .unwrap_or_default()
                .to_owned(),
            url: segment.get("url").map(str::to_owned),
            size: segment.get("file_size").and_then(|size| size.parse().ok()),
        },
        other => Segment::Other {
            kind: other.to_owned(),
        },
    })
}

fn member_only(payload: &Value, user: &str) -> MemberProfile {
    MemberProfile {
        id: UserId(user.to_owned()),
        name: user.to_owned(),
        nickname: None,
        role: MemberRole::Member,
        is_bot: id(payload, "self_id").ok().as_deref() == Some(user),
    }
}

fn notice(payload: &Value) -> Result<Incoming, PayloadError> {
    let notice_type = text_field(payload, "notice_type").unwrap_or_default();
    let sub_type = text_field(payload, "sub_type").unwrap_or_default();
    match notice_type.as_str() {
        "group_increase" => {
            let user = id(payload, "user_id")?;
            // `invite`: `operator_id` invited them; `approve`: an admin let them in.
            let inviter = (sub_type == "invite")
                .then(|| id(payload, "operator_id").ok())
                .flatten()
                .filter(|operator| operator != "0" && *operator != user)
                .map(UserId);
            // No id: the key is then the group, the member and the time, whichever of the
            // group's bot accounts reports it (two bots in one group must not welcome twice).
            base(
                payload,
                None,
                EventKind::MemberJoined {
                    member: member_only(payload, &user),
                    inviter,
                    invite_link: None,
                },
            )
        }
        "group_decrease" => {
            let user = id(payload, "user_id")?;
            let reason = match sub_type.as_str() {
                "kick" | "kick_me" => LeaveReason::Kicked {
                    by: id(payload, "operator_id").ok().map(UserId),
                },
                _ => LeaveReason::Left,
            };
            // No id: the key is then the group, the member and the time, whichever of the
            // group's bot accounts reports it (two bots in one group must not welcome twice).
            base(
                payload,
                None,
                EventKind::MemberLeft {
                    member: UserId(user),
                    reason,
                },
            )
        }
        "group_recall" => {
            let message = id(payload, "message_id")?;
            base(
                payload,
                Some(format!("recall-{message}")),
                EventKind::MessageRecalled {
                    message: MessageId(message),
                    author: UserId(id(payload, "user_id")?),
                    by: UserId(id(payload, "operator_id")?),
                },
            )
        }
        // go-cqhttp's extension, which NapCat and Lagrange send too.
        "group_card" => {
            let user = id(payload, "user_id")?;
            let new = text_field(payload, "card_new").unwrap_or_default();
            base(
                payload,
                None,
                EventKind::NicknameChanged {
                    member: UserId(user),
                    old: text_field(payload, "card_old"),
                    new,
                },
            )
        }
        other => Ok(Incoming::Ignored(format!("notice `{other}`"))),
    }
}

fn request(payload: &Value) -> Result<Incoming, PayloadError> {
    let request_type = text_field(payload, "request_type").unwrap_or_default();
    let sub_type = text_field(payload, "sub_type").unwrap_or_default();
    if request_type != "group" || sub_type != "add" {
        return Ok(Incoming::Ignored(format!(
            "request `{request_type}`/`{sub_type}`"
        )));
    }
    let user = id(payload, "user_id")?;
    let flag = text_field(payload, "flag")
        .filter(|flag| !flag.is_empty())
        .ok_or_else(|| PayloadError("`flag` is missing".to_owned()))?;
    base(
        payload,
        Some(flag),
        EventKind::JoinRequest {
            applicant: member_only(payload, &user),
            answer: text_field(payload, "comment").filter(|comment| !comment.is_empty()),
        },
    )
}

/// One entry of `get_group_member_list` as a `MemberSeen` event (`None` when it is not one).
pub fn member_seen(
    account: &AccountId,
    chat: &str,
    member: &Value,
    day: DateTime<Utc>,
) -> Option<Event> {
    let user = id(member, "user_id").ok()?;
    let name = text_field(member, "nickname")
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| user.clone());
    let event = Event {
        platform: Platform::OneBot,
        account: account.clone(),
        chat: ChatId(chat.to_owned()),
        // No id and the day's first instant: the key is the group, the member and the day,
        // whichever bot account lists them (listed once a day, judged once).
        id: None,
        time: day,
        kind: EventKind::MemberSeen {
            member: MemberProfile {
                is_bot: user == account.0,
                nickname: text_field(member, "card").filter(|card| !card.is_empty()),
                role: role(member.get("role").and_then(Value::as_str)),
                id: UserId(user),
                name,
            },
        },
    };
    event.validate().ok().map(|()| event)
}

/// An API call: `{action, params}`; the transport adds `echo`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub action: &'static str,
    pub params: Value,
}

/// A group id as OneBot wants it: a number where it is one.
fn number_or_text(text: &str) -> Value {
    text.parse::<i64>()
        .map_or_else(|_| Value::String(text.to_owned()), Value::from)
}

/// The segments of an outgoing message, in the array form (text is sent as text: never
/// interpreted as CQ codes).
pub fn out_segments(segments: &[OutSegment], reply_to: Option<&MessageId>) -> Value {
    let mut out = Vec::new();
    if let Some(reply) = reply_to {
        out.push(json!({"type": "reply", "data": {"id": reply.0}}));
    }
    for segment in segments {
        out.push(match segment {
            OutSegment::Text { text } => json!({"type": "text", "data": {"text": text}}),
            OutSegment::Mention { user } => json!({"type": "at", "data": {"qq": user.0}}),
        });
    }
    Value::Array(out)
}

/// The most characters Steward puts in one QQ group message. QQ takes up to about 5,000, but
/// group messages of more than one or two thousand often fail (`SEND_MSG_API_ERROR`) or draw its
/// risk control on the bot account (go-cqhttp issues 457 and 744); bots there split them.
pub const MESSAGE_LIMIT: usize = 1500;

/// What a mention counts towards the limit: QQ shows `@` and the member's group card, which
/// Steward does not always know.
const MENTION_LEN: usize = 24;

/// Steward's action as the OneBot calls that carry it out: one, except a message longer than
/// [`MESSAGE_LIMIT`], which goes as several in order (cut at line ends where it can be, never
/// inside a mention; only the first replies to the message it answers).
pub fn calls(chat: &ChatId, action: &Action) -> Vec<Call> {
    let Action::Send { segments, reply_to } = action else {
        return vec![call(chat, action)];
    };
    let parts = crate::split::in_parts(segments, MESSAGE_LIMIT, |_| 1, &|_| MENTION_LEN);
    crate::split::sends(parts, reply_to)
        .map(|part| call(chat, &part))
        .collect()
}

/// The OneBot call that carries out an action in a group.
pub fn call(chat: &ChatId, action: &Action) -> Call {
    let group_id = number_or_text(&chat.0);
    match action {
        Action::Send { segments, reply_to } => Call {
            action: "send_group_msg",
            params: json!({
                "group_id": group_id,
                "message": out_segments(segments, reply_to.as_ref()),
            }),
        },
        Action::DeleteMessage { message } => Call {
            action: "delete_msg",
            params: json!({ "message_id": number_or_text(&message.0) }),
        },
        Action::Mute { member, seconds } => Call {
            action: "set_group_ban",
            params: json!({ "group_id": group_id, "user_id": number_or_text(&member.0),
                            "duration": seconds }),
        },
        Action::Unmute { member } => Call {
            action: "set_group_ban",
            params: json!({ "group_id": group_id, "user_id": number_or_text(&member.0),
                            "duration": 0 }),
        },
        Action::Kick {
            member,
            refuse_rejoin,
        } => Call {
            action: "set_group_kick",
            params: json!({ "group_id": group_id, "user_id": number_or_text(&member.0),
                            "reject_add_request": refuse_rejoin }),
        },
        Action::ApproveJoin { request } => Call {
            action: "set_group_add_request",
            params: json!({ "flag": request, "sub_type": "add", "approve": true }),
        },
        Action::RejectJoin { request, reason } => Call {
            action: "set_group_add_request",
            params: json!({ "flag": request, "sub_type": "add", "approve": false,
                            "reason": reason.clone().unwrap_or_default() }),
        },
        Action::SetNickname { member, nickname } => Call {
            action: "set_group_card",
            params: json!({ "group_id": group_id, "user_id": number_or_text(&member.0),
                            "card": nickname }),
        },
        Action::MuteAll { on } => Call {
            action: "set_group_whole_ban",
            params: json!({ "group_id": group_id, "enable": on }),
        },
        Action::SetTitle { member, title } => Call {
            action: "set_group_special_title",
            params: json!({ "group_id": group_id, "user_id": number_or_text(&member.0),
                            "special_title": title, "duration": -1 }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> Event {
        let payload: Value = serde_json::from_str(json).unwrap_or(Value::Null);
        match parse(&payload) {
            Ok(Incoming::Event(event)) => *event,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mangled_payloads_are_errors_never_panics() {
        for sample in [
            r#"{"time": 1515204254, "self_id": 10001000, "post_type": "message", "message_type": "group", "message_id": 42, "group_id": 123456, "user_id": 12345678, "message": "[CQ:at,qq=all]签到&#91;[CQ:image,file=a.jpg,url=http://x/a.jpg]", "sender": {"user_id": 12345678, "nickname": "小王", "card": "王", "role": "admin"}}"#,
            r#"{"time": 1515204254, "self_id": 10001000, "post_type": "request", "request_type": "group", "sub_type": "add", "group_id": 123456, "user_id": 5, "comment": "问题：x\n答案：y", "flag": "f1"}"#,
            r#"{"time": 1515204254, "self_id": 10001000, "post_type": "notice", "notice_type": "group_decrease", "sub_type": "kick", "group_id": 123456, "operator_id": 1, "user_id": 5}"#,
        ] {
            steward_domain::testing::mangled(sample, |text| {
                if let Ok(payload) = serde_json::from_str::<Value>(text)
                    && let Ok(Incoming::Event(event)) = parse(&payload)
                {
                    let _ = event.validate();
                }
            });
        }
    }

    /// event/message.md: a group message, here in the array form, with a reply and an @.
    #[test]
    fn a_group_message() {
        let event = event(
            r#"{"time": 1515204254, "self_id": 10001000, "post_type": "message",
                "message_type": "group", "sub_type": "normal", "message_id": 42,
                "group_id": 123456, "user_id": 12345678, "anonymous": null,
                "message": [{"type": "reply", "data": {"id": "41"}},
                            {"type": "at", "data": {"qq": "10001000"}},
                            {"type": "text", "data": {"text": " 签到"}}],
                "raw_message": "[CQ:reply,id=41][CQ:at,qq=10001000] 签到", "font": 456,
                "sender": {"user_id": 12345678, "nickname": "小不点", "card": "上海-设计-小王",
                           "sex": "male", "age": 18, "area": "", "level": "",
                           "role": "admin", "title": ""}}"#,
        );
        assert_eq!(event.account.0, "10001000");
        assert_eq!(event.chat.0, "123456");
        assert_eq!(event.id.as_deref(), Some("42"));
        assert_eq!(event.time.timestamp(), 1_515_204_254);
        let EventKind::Message {
            sender,
            segments,
            reply_to,
        } = &event.kind
        else {
            panic!("{event:?}")
        };
        assert_eq!(sender.name, "小不点");
        assert_eq!(sender.nickname.as_deref(), Some("上海-设计-小王"));
        assert_eq!(sender.role, MemberRole::Admin);
        assert_eq!(reply_to.as_ref().map(|id| id.0.as_str()), Some("41"));
        assert_eq!(
            segments[0],
            Segment::Mention {
                user: "10001000".into()
            }
        );
        assert_eq!(event.plain_text().trim(), "签到");
    }

    /// The same in the string form, with escaped text.
    #[test]
    fn a_group_message_as_a_cq_string() {
        let event = event(
            r#"{"time": 1515204254, "self_id": 10001000, "post_type": "message",
                "message_type": "group", "sub_type": "normal", "message_id": 43,
                "group_id": 123456, "user_id": 12345678,
                "message": "[CQ:at,qq=all] 今晚 &#91;8点&#93; 开会 &amp; 聚餐",
                "sender": {"user_id": 12345678, "nickname": "小不点"}}"#,
        );
        let EventKind::Message { segments, .. } = &event.kind else {
            panic!("{event:?}")
        };
        assert_eq!(segments[0], Segment::MentionAll);
        assert_eq!(segments[1], Segment::text(" 今晚 [8点] 开会 & 聚餐"));
    }

    /// event/notice.md: members joining (invited) and leaving (kicked), a recall.
    #[test]
    fn notices() {
        let joined = event(
            r#"{"time": 1515204254, "self_id": 10001000, "post_type": "notice",
                "notice_type": "group_increase", "sub_type": "invite", "group_id": 123456,
                "operator_id": 87654321, "user_id": 12345678}"#,
        );
        let EventKind::MemberJoined {
            member, inviter, ..
        } = &joined.kind
        else {
            panic!("{joined:?}")
        };
        assert_eq!(member.id.0, "12345678");
        assert_eq!(inviter.as_ref().map(|u| u.0.as_str()), Some("87654321"));
        let left = event(
            r#"{"time": 1515204254, "self_id": 10001000, "post_type": "notice",
                "notice_type": "group_decrease", "sub_type": "kick", "group_id": 123456,
                "operator_id": 87654321, "user_id": 12345678}"#,
        );
        assert!(matches!(
            left.kind,
            EventKind::MemberLeft {
                reason: LeaveReason::Kicked { .. },
                ..
            }
        ));
        let recalled = event(
            r#"{"time": 1515204254, "self_id": 10001000, "post_type": "notice",
                "notice_type": "group_recall", "group_id": 123456, "user_id": 12345678,
                "operator_id": 12345678, "message_id": 42}"#,
        );
        assert!(
            matches!(&recalled.kind, EventKind::MessageRecalled { message, .. } if message.0 == "42")
        );
    }

    /// event/request.md: a request to join, with the applicant's comment; its flag is the id.
    #[test]
    fn a_join_request() {
        let asked = event(
            r#"{"time": 1515204254, "self_id": 10001000, "post_type": "request",
                "request_type": "group", "sub_type": "add", "group_id": 123456,
                "user_id": 12345678, "comment": "问题：暗号？\n答案：芝麻开门", "flag": "abc123"}"#,
        );
        assert_eq!(asked.id.as_deref(), Some("abc123"));
        assert!(
            matches!(&asked.kind, EventKind::JoinRequest { answer: Some(answer), .. } if answer.contains("芝麻开门"))
        );
    }

    #[test]
    fn answers_meta_and_what_is_ignored_or_refused() {
        let answer = parse(
            &json!({"status": "ok", "retcode": 0, "data": {"message_id": 7},
                                   "echo": "12"}),
        );
        assert!(
            matches!(answer, Ok(Incoming::Response { ok: true, ref echo, .. }) if echo == "12")
        );
        let failed = parse(&json!({"status": "failed", "retcode": 100, "data": null,
                                   "wording": "没有权限", "echo": 13}));
        assert!(
            matches!(failed, Ok(Incoming::Response { ok: false, retcode: 100, ref message, .. }) if message == "没有权限")
        );
        assert!(matches!(
            parse(&json!({"time": 1, "self_id": 1, "post_type": "meta_event",
                                       "meta_event_type": "heartbeat"})),
            Ok(Incoming::Meta { .. })
        ));
        assert!(matches!(
            parse(&json!({"time": 1, "self_id": 1, "post_type": "message",
                                       "message_type": "private", "user_id": 2,
                                       "message": "hi"})),
            Ok(Incoming::Ignored(_))
        ));
        for bad in [
            json!([1, 2]),
            json!({"time": 1, "self_id": 1}),
            json!({"time": 1, "self_id": 1, "post_type": "message", "message_type": "group",
                   "group_id": 3, "user_id": 2, "message_id": 5, "message": 7}),
            json!({"self_id": 1, "post_type": "message", "message_type": "group",
                   "group_id": 3, "user_id": 2, "message_id": 5, "message": "hi"}),
            json!({"time": 1, "self_id": 1, "post_type": "request", "request_type": "group",
                   "sub_type": "add", "group_id": 3, "user_id": 2}),
        ] {
            assert!(parse(&bad).is_err(), "{bad}");
        }
    }

    /// api/public.md: the calls Steward makes, with numeric ids and text never read as CQ.
    #[test]
    fn actions_become_calls() {
        let chat = ChatId("123456".into());
        let sent = call(
            &chat,
            &Action::Send {
                segments: vec![
                    OutSegment::Mention { user: "42".into() },
                    OutSegment::Text {
                        text: " [CQ:at,qq=all] 签到成功".into(),
                    },
                ],
                reply_to: Some(MessageId("41".into())),
            },
        );
        assert_eq!(sent.action, "send_group_msg");
        assert_eq!(
            sent.params,
            json!({"group_id": 123456, "message": [
                {"type": "reply", "data": {"id": "41"}},
                {"type": "at", "data": {"qq": "42"}},
                {"type": "text", "data": {"text": " [CQ:at,qq=all] 签到成功"}}]})
        );
        let kick = call(
            &chat,
            &Action::Kick {
                member: "42".into(),
                refuse_rejoin: true,
            },
        );
        assert_eq!(kick.action, "set_group_kick");
        assert_eq!(kick.params["reject_add_request"], true);
        let title = call(
            &chat,
            &Action::SetTitle {
                member: "42".into(),
                title: "元老".into(),
            },
        );
        assert_eq!(title.action, "set_group_special_title");
        let reject = call(
            &chat,
            &Action::RejectJoin {
                request: "abc123".into(),
                reason: Some("答案不对".into()),
            },
        );
        assert_eq!(
            reject.params,
            json!({"flag": "abc123", "sub_type": "add", "approve": false, "reason": "答案不对"})
        );
    }

    /// A welcome with a long rules text: parts of at most 1,500 characters, in order, the
    /// mention and the reply on the first only; short messages and other actions stay one call.
    #[test]
    fn a_long_message_goes_as_several_calls() {
        let chat = ChatId("123456".into());
        let rules: String = (1..=60)
            .map(|n| format!("第{n}条：{}\n", "请勿发广告".repeat(12)))
            .collect();
        let welcome = Action::Send {
            segments: vec![
                OutSegment::Mention { user: "42".into() },
                OutSegment::Text {
                    text: format!(" 欢迎！\n{rules}"),
                },
            ],
            reply_to: Some(MessageId("41".into())),
        };
        let parts = calls(&chat, &welcome);
        assert_eq!(parts.len(), 3, "{} characters", rules.chars().count());
        let texts: Vec<String> = parts
            .iter()
            .map(|part| {
                assert_eq!(part.action, "send_group_msg");
                part.params["message"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|segment| segment["data"]["text"].as_str())
                    .collect()
            })
            .collect();
        assert!(
            texts
                .iter()
                .all(|text| text.chars().count() <= MESSAGE_LIMIT)
        );
        assert!(
            texts[..2].iter().all(|text| text.ends_with('\n')),
            "cut at line ends"
        );
        assert_eq!(texts.concat(), format!(" 欢迎！\n{rules}"));
        assert_eq!(parts[0].params["message"][0]["type"], "reply");
        assert_eq!(parts[0].params["message"][1]["type"], "at");
        for part in &parts[1..] {
            assert_eq!(part.params["message"][0]["type"], "text");
        }
        let short = Action::Send {
            segments: vec![OutSegment::Text {
                text: "签到成功".into(),
            }],
            reply_to: None,
        };
        assert_eq!(calls(&chat, &short), vec![call(&chat, &short)]);
        let kick = Action::Kick {
            member: "42".into(),
            refuse_rejoin: false,
        };
        assert_eq!(calls(&chat, &kick), vec![call(&chat, &kick)]);
    }
}
