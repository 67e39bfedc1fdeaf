//! Matrix client-server API events (a `/sync`'s room timelines) to Steward's events, and Steward's
//! actions to API requests: the pure translation. What Steward does not model (edits, reactions,
//! state other than membership and power levels) is skipped; an event that breaks the
//! specification is an error naming what is wrong.

use std::collections::HashMap;

use crate::escape_html;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use steward_domain::{
    AccountId, Action, ChatId, Event, EventKind, LeaveReason, MemberProfile, MemberRole, MessageId,
    OutSegment, Platform, Segment, UserId,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Matrix event: {0}")]
pub struct EventError(pub String);

fn text<'a>(value: &'a Value, field: &str) -> Result<&'a str, EventError> {
    value
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| EventError(format!("`{field}` is missing or not a string")))
}

/// A room's power levels, as far as Steward needs them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PowerLevels {
    /// The whole `m.room.power_levels` content, changed and written back for mutes.
    pub content: Value,
}

impl PowerLevels {
    pub fn level(&self, user: &str) -> i64 {
        self.content
            .get("users")
            .and_then(|users| users.get(user))
            .and_then(Value::as_i64)
            .unwrap_or_else(|| self.number("users_default", 0))
    }

    fn number(&self, field: &str, default: i64) -> i64 {
        self.content
            .get(field)
            .and_then(Value::as_i64)
            .unwrap_or(default)
    }

    /// 100 and above: the room's owner; 50 (a moderator) and above: an admin.
    pub fn role(&self, user: &str) -> MemberRole {
        match self.level(user) {
            level if level >= 100 => MemberRole::Owner,
            level if level >= 50 => MemberRole::Admin,
            _ => MemberRole::Member,
        }
    }

    /// The level below which a member may not send messages.
    pub fn events_default(&self) -> i64 {
        self.number("events_default", 0)
    }
}

/// What the adapter knows of a room while reading its timeline: display names and power levels
/// (updated by the state events it reads).
#[derive(Debug, Clone, Default)]
pub struct Room {
    pub names: HashMap<String, String>,
    pub power: PowerLevels,
    /// From room version 12 on, the creators stand above every power level and are not listed
    /// in it: owners all the same.
    pub creators: Vec<String>,
}

impl Room {
    /// Learns from a state event (in a sync's `state` or `timeline`).
    pub fn learn(&mut self, event: &Value) {
        match event.get("type").and_then(Value::as_str) {
            Some("m.room.member") => {
                if let (Some(user), Some(name)) = (
                    event.get("state_key").and_then(Value::as_str),
                    event
                        .get("content")
                        .and_then(|content| content.get("displayname"))
                        .and_then(Value::as_str),
                ) {
                    self.names.insert(user.to_owned(), name.to_owned());
                }
            }
            Some("m.room.create") => {
                if let Some(sender) = event.get("sender").and_then(Value::as_str) {
                    self.learn_creation(sender, event.get("content").unwrap_or(&Value::Null));
                }
            }
            Some("m.room.power_levels") if event.get("state_key").is_some() => {
                if let Some(content) = event.get("content").filter(|c| c.is_object()) {
                    self.power.content = content.clone();
                }
            }
            _ => {}
        }
    }

    /// Takes the power levels back to before `events` (oldest first): each change undone by
    /// the content it replaced (`unsigned.prev_content`), newest first; a change without it is
    /// left as read.
    pub fn undo_power_changes(&mut self, events: &[&Value]) {
        for event in events.iter().rev() {
            if event.get("type").and_then(Value::as_str) == Some("m.room.power_levels")
                && event.get("state_key").is_some()
                && let Some(before) = event
                    .pointer("/unsigned/prev_content")
                    .filter(|content| content.is_object())
            {
                self.power.content = before.clone();
            }
        }
    }

    /// The room's `m.room.create` event: its sender and `additional_creators`.
    pub fn learn_creation(&mut self, sender: &str, content: &Value) {
        self.creators = std::iter::once(sender.to_owned())
            .chain(
                content
                    .get("additional_creators")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned),
            )
            .collect();
    }

    pub fn role(&self, user: &str) -> MemberRole {
        if self.creators.iter().any(|creator| creator == user) {
            MemberRole::Owner
        } else {
            self.power.role(user)
        }
    }

    pub fn name_of(&self, user: &str) -> String {
        self.names
            .get(user)
            .filter(|name| !name.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| localpart(user).to_owned())
    }

    fn profile(&self, user: &str) -> MemberProfile {
        MemberProfile {
            id: UserId(user.to_owned()),
            name: self.name_of(user),
            nickname: None,
            role: self.role(user),
            is_bot: false,
        }
    }
}

/// The bot's own join or leave in a room (its `m.room.member` event, `state_key` the bot): a
/// room that removed the bot is not switched by night mode until it is back. `None` for any
/// other event, and for a change of the bot's display name.
pub fn own_membership(me: &AccountId, chat: &ChatId, event: &Value) -> Option<Event> {
    if event.get("type").and_then(Value::as_str) != Some("m.room.member")
        || event.get("state_key").and_then(Value::as_str) != Some(me.as_str())
    {
        return None;
    }
    let membership = event
        .pointer("/content/membership")
        .and_then(Value::as_str)?;
    let was = event
        .pointer("/unsigned/prev_content/membership")
        .and_then(Value::as_str);
    let sender = event.get("sender").and_then(Value::as_str)?;
    let kind = match membership {
        "join" if was != Some("join") => EventKind::MemberJoined {
            member: MemberProfile {
                id: UserId(me.as_str().to_owned()),
                name: event
                    .pointer("/content/displayname")
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| localpart(me.as_str()))
                    .to_owned(),
                nickname: None,
                role: MemberRole::Member,
                is_bot: true,
            },
            inviter: None,
            invite_link: None,
        },
        "leave" | "ban" => EventKind::MemberLeft {
            member: UserId(me.as_str().to_owned()),
            reason: if sender == me.as_str() {
                LeaveReason::Left
            } else {
                LeaveReason::Kicked {
                    by: Some(UserId(sender.to_owned())),
                }
            },
        },
        _ => return None,
    };
    Some(Event {
        platform: Platform::Matrix,
        account: me.clone(),
        chat: chat.clone(),
        id: event
            .get("event_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        time: time_of(event).ok()?,
        kind,
    })
}

/// `@alice:example.org` → `alice`.
pub fn localpart(user: &str) -> &str {
    let user = user.strip_prefix('@').unwrap_or(user);
    user.split(':').next().unwrap_or(user)
}

fn time_of(event: &Value) -> Result<DateTime<Utc>, EventError> {
    let millis = event
        .get("origin_server_ts")
        .and_then(Value::as_i64)
        .ok_or_else(|| EventError("`origin_server_ts` is missing".to_owned()))?;
    DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| EventError(format!("`origin_server_ts` {millis} is out of range")))
}

/// A reply's body starts with the quoted message (`> <@user> text` lines and a blank line):
/// the member's own words come after.
fn without_reply_fallback(body: &str) -> &str {
    if !body.starts_with("> <") {
        return body;
    }
    match body.find("\n\n") {
        Some(end) => &body[end + 2..],
        None => body,
    }
}

/// The `href`s of a formatted body's links: an ad hidden behind other words is still seen.
fn hrefs(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("href=\"") {
        rest = &rest[at + 6..];
        let Some(end) = rest.find('"') else { break };
        let link = &rest[..end];
        if !link.starts_with("https://matrix.to/") {
            links.push(link.replace("&amp;", "&"));
        }
        rest = &rest[end..];
    }
    links
}

/// One timeline event of `room` as Steward's event, `None` when Steward does not model it (and
/// for the bot's own). `room` must already know the event's state (call `Room::learn` first).
pub fn timeline_event(
    me: &AccountId,
    chat: &ChatId,
    room: &Room,
    event: &Value,
) -> Result<Option<Event>, EventError> {
    if !event.is_object() {
        return Err(EventError("not a JSON object".to_owned()));
    }
    let kind = text(event, "type")?;
    let sender = text(event, "sender")?;
    let content = event
        .get("content")
        .filter(|content| content.is_object())
        .ok_or_else(|| EventError("`content` is missing or not an object".to_owned()))?;
    let make = |id: Option<String>, time: DateTime<Utc>, kind: EventKind| Event {
        platform: Platform::Matrix,
        account: me.clone(),
        chat: chat.clone(),
        id,
        time,
        kind,
    };
    match kind {
        "m.room.message" => {
            if sender == me.as_str() {
                return Ok(None);
            }
            let relation = content.get("m.relates_to");
            // An edit carries the message's new content in `m.new_content` (the rest is a
            // fallback for clients that do not know edits).
            let edited = match relation
                .and_then(|relation| relation.get("rel_type"))
                .and_then(Value::as_str)
            {
                Some("m.replace") => Some(MessageId(
                    relation
                        .and_then(|relation| relation.get("event_id"))
                        .and_then(Value::as_str)
                        .ok_or_else(|| {
                            EventError("an edit without the `event_id` it replaces".to_owned())
                        })?
                        .to_owned(),
                )),
                _ => None,
            };
            // What clients without edits show of an edit: judged too, when it says more.
            let shown = match edited {
                Some(_) => content
                    .get("body")
                    .and_then(Value::as_str)
                    .map(|body| body.strip_prefix("* ").unwrap_or(body)),
                None => None,
            };
            // Only a reply starts with a quote of the message it answers (`> <@sender> ...`);
            // a thread message's `m.in_reply_to` is a fallback without one (`is_falling_back`),
            // and anything else that starts with `> ` is the member's own text.
            let reply = edited.is_none()
                && relation
                    .and_then(|relation| relation.get("m.in_reply_to"))
                    .is_some()
                && relation
                    .and_then(|relation| relation.get("is_falling_back"))
                    .and_then(Value::as_bool)
                    != Some(true);
            let content = match edited {
                Some(_) => content
                    .get("m.new_content")
                    .filter(|content| content.is_object())
                    .ok_or_else(|| {
                        EventError(
                            "an edit's `m.new_content` is missing or not an object".to_owned(),
                        )
                    })?,
                None => content,
            };
            let event_id = text(event, "event_id")?;
            let time = time_of(event)?;
            let body = content.get("body").and_then(Value::as_str).unwrap_or("");
            let mut segments = Vec::new();
            match content.get("msgtype").and_then(Value::as_str) {
                Some("m.text" | "m.notice" | "m.emote") => {
                    let body = if reply {
                        without_reply_fallback(body)
                    } else {
                        body
                    };
                    if !body.is_empty() {
                        segments.push(Segment::Text {
                            text: body.to_owned(),
                        });
                    }
                    if let Some(html) = content.get("formatted_body").and_then(Value::as_str) {
                        segments.extend(hrefs(html).into_iter().map(|url| Segment::Link { url }));
                    }
                }
                Some("m.image") => segments.push(Segment::Image {
                    url: content
                        .get("url")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    file: Some(body.to_owned()),
                    qr: Vec::new(),
                }),
                Some("m.file") => segments.push(Segment::File {
                    name: body.to_owned(),
                    url: content
                        .get("url")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    size: content
                        .get("info")
                        .and_then(|info| info.get("size"))
                        .and_then(Value::as_u64),
                }),
                Some(other) => segments.push(Segment::Other {
                    kind: other.to_owned(),
                }),
                None => return Err(EventError("a message without `msgtype`".to_owned())),
            }
            if segments.is_empty() {
                return Ok(None);
            }
            if let Some(message) = edited {
                if let Some(shown) = shown.filter(|shown| !shown.is_empty() && *shown != body) {
                    segments.push(Segment::Text {
                        text: shown.to_owned(),
                    });
                }
                return Ok(Some(make(
                    Some(event_id.to_owned()),
                    time,
                    EventKind::MessageEdited {
                        sender: room.profile(sender),
                        message,
                        // Redactions have no age limit: the edited event is not fetched for it.
                        sent_at: None,
                        segments,
                    },
                )));
            }
            let reply_to = relation
                .and_then(|relation| relation.get("m.in_reply_to"))
                .and_then(|reply| reply.get("event_id"))
                .and_then(Value::as_str)
                .map(|id| MessageId(id.to_owned()));
            Ok(Some(make(
                Some(event_id.to_owned()),
                time,
                EventKind::Message {
                    sender: room.profile(sender),
                    segments,
                    reply_to,
                },
            )))
        }
        "m.room.member" => {
            let member = text(event, "state_key")?;
            if member == me.as_str() {
                return Ok(None);
            }
            let time = time_of(event)?;
            let membership = text(content, "membership")?;
            let previous = event
                .get("unsigned")
                .and_then(|unsigned| unsigned.get("prev_content"));
            let was = previous
                .and_then(|previous| previous.get("membership"))
                .and_then(Value::as_str)
                .unwrap_or("leave");
            let mut profile = room.profile(member);
            if let Some(name) = content.get("displayname").and_then(Value::as_str) {
                name.clone_into(&mut profile.name);
            }
            Ok(match (was, membership) {
                ("join", "join") => {
                    let old = previous
                        .and_then(|previous| previous.get("displayname"))
                        .and_then(Value::as_str);
                    let new = content.get("displayname").and_then(Value::as_str);
                    match new {
                        Some(new) if Some(new) != old => Some(make(
                            Some(text(event, "event_id")?.to_owned()),
                            time,
                            EventKind::NicknameChanged {
                                member: profile.id,
                                old: old.map(str::to_owned),
                                new: new.to_owned(),
                            },
                        )),
                        _ => None,
                    }
                }
                (_, "join") => Some(make(
                    None,
                    time,
                    EventKind::MemberJoined {
                        member: profile,
                        // Who sent the invite is not in the join; a join by link has none.
                        inviter: None,
                        invite_link: None,
                    },
                )),
                ("join", "leave" | "ban") => Some(make(
                    None,
                    time,
                    EventKind::MemberLeft {
                        member: profile.id,
                        reason: if sender == member {
                            LeaveReason::Left
                        } else {
                            LeaveReason::Kicked {
                                by: Some(UserId(sender.to_owned())),
                            }
                        },
                    },
                )),
                // A knock on a room whose join rule is `knock`: a request to join. Its handle
                // is the applicant, what invite (approve) and kick (decline) need.
                (_, "knock") => Some(make(
                    Some(format!("{member} {}", text(event, "event_id")?)),
                    time,
                    EventKind::JoinRequest {
                        applicant: profile,
                        answer: content
                            .get("reason")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    },
                )),
                _ => None,
            })
        }
        _ => Ok(None),
    }
}

/// One client-server API request: method, path (under `/_matrix/client/v3`), body.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub body: Value,
}

/// A path segment, percent-encoded (room ids hold `!` and `:`, event ids `$` and perhaps `/`).
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len() * 3);
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What an action needs done, where the power levels are involved: read them, change them,
/// write them back.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Request(Request),
    /// Change the room's power levels with this function of their content.
    Power(PowerChange),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PowerChange {
    /// The member below `events_default`: they cannot send messages.
    Mute,
    /// The member's own level removed (back to `users_default`) if it was a mute.
    Unmute,
    /// Only moderators may send (night mode), or everyone again.
    MuteAll(bool),
}

/// The power levels' content after `change` for `member`.
pub fn change_power(content: &Value, change: PowerChange, member: Option<&str>) -> Value {
    let mut content = if content.is_object() {
        content.clone()
    } else {
        json!({})
    };
    let levels = PowerLevels {
        content: content.clone(),
    };
    match (change, member) {
        (PowerChange::Mute, Some(member)) => {
            // Below sending both by day and in night mode (events_default 0 or 50).
            let muted = levels.events_default().min(0) - 1;
            if !content.get("users").is_some_and(Value::is_object) {
                content["users"] = json!({});
            }
            content["users"][member] = json!(muted.min(levels.level(member)));
        }
        (PowerChange::Unmute, Some(member)) => {
            if levels.level(member) < levels.events_default()
                && let Some(users) = content.get_mut("users").and_then(Value::as_object_mut)
            {
                users.remove(member);
            }
        }
        (PowerChange::MuteAll(on), _) => {
            // At night at least 50 (a room already stricter stays so); the day's own level is
            // put back by the caller, which kept it.
            let night = levels.events_default().max(NIGHT_LEVEL);
            content["events_default"] = json!(if on { night } else { 0 });
        }
        _ => {}
    }
    content
}

/// The level needed to send at night (moderators).
pub const NIGHT_LEVEL: i64 = 50;

/// Steward's action in room `chat` as API requests; `txn` makes a send or a redaction
/// idempotent on the homeserver; `name_of` gives a mentioned member's display name.
pub fn plan(
    chat: &ChatId,
    action: &Action,
    txn: &str,
    name_of: &dyn Fn(&UserId) -> String,
) -> Result<Plan, String> {
    let room = encode(chat.as_str());
    let request = |method, path: String, body| Plan::Request(Request { method, path, body });
    Ok(match action {
        Action::Send { segments, reply_to } => {
            let (mut body, mut html, mut mentioned) = (String::new(), String::new(), Vec::new());
            for segment in segments {
                match segment {
                    OutSegment::Text { text } => {
                        body.push_str(text);
                        html.push_str(&escape_html(text).replace('\n', "<br>"));
                    }
                    OutSegment::Mention { user } => {
                        let name = name_of(user);
                        body.push_str(&name);
                        html.push_str(&format!(
                            "<a href=\"https://matrix.to/#/{}\">{}</a>",
                            escape_html(user.as_str()),
                            escape_html(&name)
                        ));
                        mentioned.push(user.as_str().to_owned());
                    }
                }
            }
            let mut content = json!({
                "msgtype": "m.text", "body": body,
                "format": "org.matrix.custom.html", "formatted_body": html,
                "m.mentions": { "user_ids": mentioned },
            });
            if let Some(reply) = reply_to {
                content["m.relates_to"] =
                    json!({ "m.in_reply_to": { "event_id": reply.as_str() } });
            }
            request(
                "PUT",
                format!("/rooms/{room}/send/m.room.message/{}", encode(txn)),
                content,
            )
        }
        Action::DeleteMessage { message } => request(
            "PUT",
            format!(
                "/rooms/{room}/redact/{}/{}",
                encode(message.as_str()),
                encode(txn)
            ),
            json!({ "reason": "Steward: moderation" }),
        ),
        Action::Mute { .. } => Plan::Power(PowerChange::Mute),
        Action::Unmute { .. } => Plan::Power(PowerChange::Unmute),
        Action::MuteAll { on } => Plan::Power(PowerChange::MuteAll(*on)),
        Action::Kick {
            member,
            refuse_rejoin,
        } => request(
            "POST",
            format!(
                "/rooms/{room}/{}",
                if *refuse_rejoin { "ban" } else { "kick" }
            ),
            json!({ "user_id": member.as_str(), "reason": "Steward: moderation" }),
        ),
        Action::ApproveJoin { request: handle } => request(
            "POST",
            format!("/rooms/{room}/invite"),
            json!({ "user_id": handle.split(' ').next().unwrap_or_default() }),
        ),
        Action::RejectJoin {
            request: handle,
            reason,
        } => request(
            "POST",
            format!("/rooms/{room}/kick"),
            json!({
                "user_id": handle.split(' ').next().unwrap_or_default(),
                "reason": reason.as_deref().unwrap_or("Steward: join request declined"),
            }),
        ),
        Action::SetNickname { .. } => return Err("Matrix has no nicknames set by a bot".into()),
        Action::SetTitle { .. } => return Err("Matrix has no member titles".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> Room {
        let mut room = Room::default();
        room.learn(&json!({"type": "m.room.power_levels", "state_key": "",
            "content": {"users": {"@alice:hs": 100, "@mod:hs": 50}, "users_default": 0}}));
        room.learn(&json!({"type": "m.room.member", "state_key": "@eve:hs",
            "content": {"membership": "join", "displayname": "Eve <3"}}));
        room
    }

    fn read(event: Value) -> Option<Event> {
        timeline_event(
            &AccountId("@bot:hs".into()),
            &ChatId("!r:hs".into()),
            &room(),
            &event,
        )
        .unwrap_or_else(|err| panic!("{err}"))
    }

    #[test]
    fn messages_replies_and_hidden_links() {
        let event = read(json!({"type": "m.room.message", "sender": "@mod:hs",
            "event_id": "$e1", "origin_server_ts": 1_780_000_000_000_i64,
            "content": {"msgtype": "m.text", "body": "> <@eve:hs> hi\n\n签到",
                "format": "org.matrix.custom.html",
                "formatted_body": "<mx-reply>..</mx-reply><a href=\"https://ad.example/?a=1&amp;b=2\">签到</a>",
                "m.relates_to": {"m.in_reply_to": {"event_id": "$e0"}}}}))
        .unwrap_or_else(|| panic!("a message"));
        assert_eq!(event.id.as_deref(), Some("$e1"));
        match event.kind {
            EventKind::Message {
                sender,
                segments,
                reply_to,
            } => {
                assert_eq!(sender.role, MemberRole::Admin);
                assert_eq!(sender.name, "mod");
                assert_eq!(reply_to, Some(MessageId("$e0".into())));
                assert_eq!(
                    segments,
                    vec![
                        Segment::Text {
                            text: "签到".into()
                        },
                        Segment::Link {
                            url: "https://ad.example/?a=1&b=2".into()
                        },
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        // The bot's own messages are not read.
        assert!(
            read(
                json!({"type": "m.room.message", "sender": "@bot:hs", "event_id": "$e2",
            "origin_server_ts": 1, "content": {"msgtype": "m.text", "body": "x"}})
            )
            .is_none()
        );
    }

    #[test]
    fn an_edit_is_the_new_content_of_the_message_it_replaces() {
        // The client-server API's example of an event replacement, with the fields every event has.
        let edit = json!({"type": "m.room.message", "sender": "@eve:hs", "event_id": "$e3",
            "origin_server_ts": 1_780_000_060_000_i64,
            "content": {"body": "* 加我 vx abc12345", "msgtype": "m.text",
                "m.new_content": {"body": "加我 vx abc12345", "msgtype": "m.text"},
                "m.relates_to": {"rel_type": "m.replace", "event_id": "$e1"}}});
        let event = read(edit.clone()).unwrap_or_else(|| panic!("an edit"));
        assert_eq!(event.id.as_deref(), Some("$e3"));
        assert_eq!(event.time.timestamp(), 1_780_000_060);
        match event.kind {
            EventKind::MessageEdited {
                sender,
                message,
                sent_at: None,
                segments,
            } => {
                assert_eq!(sender.id.as_str(), "@eve:hs");
                assert_eq!(message.as_str(), "$e1");
                assert_eq!(segments, vec![Segment::text("加我 vx abc12345")]);
            }
            other => panic!("{other:?}"),
        }
        // Clients without edits show the fallback: when it says something else, it is read too.
        let mut two_faced = edit.clone();
        two_faced["content"]["m.new_content"]["body"] = json!("大家好");
        match read(two_faced).map(|event| event.kind) {
            Some(EventKind::MessageEdited { segments, .. }) => assert_eq!(
                segments,
                vec![Segment::text("大家好"), Segment::text("加我 vx abc12345")]
            ),
            other => panic!("{other:?}"),
        }
        // A message that is not a reply keeps a first line starting with `> `.
        let quoted = read(json!({"type": "m.room.message", "sender": "@eve:hs",
            "event_id": "$e4", "origin_server_ts": 1_780_000_000_000_i64,
            "content": {"msgtype": "m.text", "body": "> 加我 vx abc12345\n\nhi"}}));
        assert_eq!(
            quoted.map(|event| event.plain_text()).as_deref(),
            Some("> 加我 vx abc12345\n\nhi")
        );
        // Nor does a reply whose quote is no reply fallback, or a thread's falling-back reply.
        for relates_to in [
            json!({"m.in_reply_to": {"event_id": "$e1"}}),
            json!({"rel_type": "m.thread", "event_id": "$e0", "is_falling_back": true,
                   "m.in_reply_to": {"event_id": "$e1"}}),
        ] {
            let body = if relates_to.get("rel_type").is_some() {
                "> <@eve:hs> 加我 vx abc12345\n\nhi"
            } else {
                "> 加我 vx abc12345\n\nhi"
            };
            let event = read(json!({"type": "m.room.message", "sender": "@eve:hs",
                "event_id": "$e5", "origin_server_ts": 1_780_000_000_000_i64,
                "content": {"msgtype": "m.text", "body": body, "m.relates_to": relates_to}}));
            assert_eq!(event.map(|event| event.plain_text()).as_deref(), Some(body));
        }
        let mut broken = edit.clone();
        broken["content"]["m.relates_to"] = json!({"rel_type": "m.replace"});
        let mut unreadable = edit;
        unreadable["content"]["m.new_content"] = json!("text");
        for event in [broken, unreadable] {
            assert!(
                timeline_event(
                    &AccountId("@bot:hs".into()),
                    &ChatId("!r:hs".into()),
                    &room(),
                    &event,
                )
                .is_err()
            );
        }
    }

    #[test]
    fn the_bots_own_join_and_leave() {
        let (me, chat) = (AccountId("@bot:hs".into()), ChatId("!r:hs".into()));
        let own = |membership: &str, previous: &str, sender: &str, key: &str| {
            let event = json!({"type": "m.room.member", "sender": sender, "state_key": key,
                "event_id": "$own", "origin_server_ts": 1_780_000_000_000_i64,
                "content": {"membership": membership},
                "unsigned": {"prev_content": {"membership": previous}}});
            own_membership(&me, &chat, &event).map(|event| (event.id, event.kind))
        };
        assert_eq!(
            own("leave", "join", "@alice:hs", "@bot:hs"),
            Some((
                Some("$own".to_owned()),
                EventKind::MemberLeft {
                    member: "@bot:hs".into(),
                    reason: LeaveReason::Kicked {
                        by: Some("@alice:hs".into())
                    },
                }
            ))
        );
        assert!(matches!(
            own("leave", "join", "@bot:hs", "@bot:hs"),
            Some((
                _,
                EventKind::MemberLeft {
                    reason: LeaveReason::Left,
                    ..
                }
            ))
        ));
        match own("join", "invite", "@bot:hs", "@bot:hs") {
            Some((_, EventKind::MemberJoined { member, .. })) => {
                assert_eq!((member.name.as_str(), member.is_bot), ("bot", true));
            }
            other => panic!("{other:?}"),
        }
        // A new display name, and anybody else's change, are not the bot's join or leave.
        assert_eq!(own("join", "join", "@bot:hs", "@bot:hs"), None);
        assert_eq!(own("leave", "join", "@eve:hs", "@eve:hs"), None);
    }

    #[test]
    fn membership_changes() {
        let member = |membership: &str, previous: Option<&str>, sender: &str| {
            let mut event = json!({"type": "m.room.member", "sender": sender, "state_key": "@eve:hs",
                "event_id": "$m", "origin_server_ts": 1_780_000_000_000_i64,
                "content": {"membership": membership, "displayname": "Eve <3"}});
            if let Some(previous) = previous {
                event["unsigned"] = json!({"prev_content": {"membership": previous}});
            }
            read(event).map(|event| event.kind)
        };
        assert!(matches!(
            member("join", Some("invite"), "@eve:hs"),
            Some(EventKind::MemberJoined { .. })
        ));
        assert_eq!(
            member("ban", Some("join"), "@mod:hs"),
            Some(EventKind::MemberLeft {
                member: "@eve:hs".into(),
                reason: LeaveReason::Kicked {
                    by: Some("@mod:hs".into())
                }
            })
        );
        assert_eq!(
            member("leave", Some("join"), "@eve:hs"),
            Some(EventKind::MemberLeft {
                member: "@eve:hs".into(),
                reason: LeaveReason::Left
            })
        );
        assert!(member("invite", None, "@mod:hs").is_none());
        assert!(matches!(
            member("knock", Some("leave"), "@eve:hs"),
            Some(EventKind::JoinRequest { .. })
        ));
    }

    #[test]
    fn sends_escape_names_and_text() {
        let plan = plan(
            &ChatId("!r:hs".into()),
            &Action::Send {
                segments: vec![
                    OutSegment::Mention {
                        user: "@eve:hs".into(),
                    },
                    OutSegment::Text {
                        text: " <b>&</b>".into(),
                    },
                ],
                reply_to: None,
            },
            "steward-7",
            &|_| "Eve <3".into(),
        );
        let Ok(Plan::Request(request)) = plan else {
            panic!("{plan:?}")
        };
        assert_eq!(request.method, "PUT");
        assert_eq!(
            request.path,
            "/rooms/%21r%3Ahs/send/m.room.message/steward-7"
        );
        assert_eq!(request.body["body"], "Eve <3 <b>&</b>");
        assert_eq!(
            request.body["formatted_body"],
            "<a href=\"https://matrix.to/#/@eve:hs\">Eve &lt;3</a> &lt;b&gt;&amp;&lt;/b&gt;"
        );
        assert_eq!(request.body["m.mentions"]["user_ids"], json!(["@eve:hs"]));
    }

    #[test]
    fn power_changes_are_undone_back_to_the_first() {
        let levels = |user: i64| json!({"users": {"@m:x": user}, "events_default": 0});
        let change = |from: Value, to: Value| {
            json!({"type": "m.room.power_levels", "state_key": "", "content": to,
                   "unsigned": {"prev_content": from}})
        };
        let first = change(levels(0), levels(50));
        let second = change(levels(50), levels(100));
        let message = json!({"type": "m.room.message", "content": {"body": "hi"}});
        let unknown = json!({"type": "m.room.power_levels", "state_key": "", "content": levels(7)});
        let mut room = Room::default();
        room.power.content = levels(100);
        room.undo_power_changes(&[&first, &message, &second]);
        assert_eq!(room.power.content, levels(0));
        // A change that does not say what it replaced stops nothing, changes nothing.
        room.power.content = levels(100);
        room.undo_power_changes(&[&first, &unknown]);
        assert_eq!(room.power.content, levels(0));
    }

    #[test]
    fn mutes_are_power_levels_below_sending() {
        let content = json!({"users": {"@alice:hs": 100}, "events_default": 0});
        let muted = change_power(&content, PowerChange::Mute, Some("@eve:hs"));
        assert_eq!(muted["users"]["@eve:hs"], -1);
        assert_eq!(muted["users"]["@alice:hs"], 100);
        let unmuted = change_power(&muted, PowerChange::Unmute, Some("@eve:hs"));
        assert_eq!(unmuted, content);
        // Unmuting never lowers or removes a moderator.
        assert_eq!(
            change_power(&content, PowerChange::Unmute, Some("@alice:hs")),
            content
        );
        assert_eq!(
            change_power(&content, PowerChange::MuteAll(true), None)["events_default"],
            50
        );
    }

    #[test]
    fn mangled_events_are_errors_never_panics() {
        let sample = json!({"type": "m.room.member", "sender": "@mod:hs", "state_key": "@eve:hs",
            "event_id": "$m", "origin_server_ts": 1_780_000_000_000_i64,
            "content": {"membership": "join", "displayname": "Eve", "body": "> q\n\nx",
                "msgtype": "m.text", "formatted_body": "<a href=\"x"},
            "unsigned": {"prev_content": {"membership": "join", "displayname": "E"}}})
        .to_string();
        steward_domain::testing::mangled(&sample, |text| {
            if let Ok(value) = serde_json::from_str::<Value>(text) {
                let mut room = room();
                room.learn(&value);
                if let Ok(Some(event)) = timeline_event(
                    &AccountId("@bot:hs".into()),
                    &ChatId("!r:hs".into()),
                    &room,
                    &value,
                ) {
                    let _ = event.validate();
                }
            }
        });
        let message = sample.replace("m.room.member", "m.room.message");
        steward_domain::testing::mangled(&message, |text| {
            if let Ok(value) = serde_json::from_str::<Value>(text) {
                let _ = timeline_event(
                    &AccountId("@bot:hs".into()),
                    &ChatId("!r:hs".into()),
                    &room(),
                    &value,
                );
            }
        });
    }
}
