//! Telegram Bot API payloads to Steward's events, and Steward's actions to Bot API calls: the
//! pure translation, without any connection. What Steward does not model (private chats,
//! channels, polls) is ignored with a reason; an update that breaks the specification is
//! an error that names what is wrong.

use crate::escape_html;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use steward_domain::{
    AccountId, Action, ChatId, Event, EventKind, LeaveReason, MemberProfile, MemberRole, MessageId,
    OutSegment, Platform, Segment, UserId,
};

/// The updates Steward asks for. `chat_member` is never sent unless asked for by name.
pub const ALLOWED_UPDATES: [&str; 5] = [
    "message",
    "edited_message",
    "chat_member",
    "my_chat_member",
    "chat_join_request",
];

/// Why an update was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Telegram update: {0}")]
pub struct UpdateError(pub String);

fn refuse<T>(text: impl Into<String>) -> Result<T, UpdateError> {
    Err(UpdateError(text.into()))
}

/// Who the bot is: its id (the account) and its @username (for `/command@username`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account: AccountId,
    pub username: Option<String>,
}

/// One update, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub update_id: i64,
    pub events: Vec<Event>,
    /// Why nothing came of it, when nothing did.
    pub ignored: Option<String>,
    /// Admins' status changed in this chat (its list of administrators is stale).
    pub admins_changed: Option<ChatId>,
}

/// The `update_id` of an update, or `None` when it has none (then it cannot be acknowledged).
pub fn update_id(update: &Value) -> Option<i64> {
    update.get("update_id").and_then(Value::as_i64)
}

fn integer(value: &Value, field: &str) -> Result<i64, UpdateError> {
    value
        .get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| UpdateError(format!("`{field}` is missing or not an integer")))
}

fn object<'a>(value: &'a Value, field: &str) -> Result<&'a Value, UpdateError> {
    value
        .get(field)
        .filter(|inner| inner.is_object())
        .ok_or_else(|| UpdateError(format!("`{field}` is missing or not an object")))
}

fn time_of(value: &Value) -> Result<DateTime<Utc>, UpdateError> {
    let seconds = integer(value, "date")?;
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| UpdateError(format!("`date` {seconds} is out of range")))
}

/// A Telegram `User` as a member.
pub fn profile(user: &Value) -> Result<MemberProfile, UpdateError> {
    let id = integer(user, "id")?;
    let first = user
        .get("first_name")
        .and_then(Value::as_str)
        .ok_or_else(|| UpdateError("a user's `first_name` is missing".to_owned()))?;
    let name = match user.get("last_name").and_then(Value::as_str) {
        Some(last) if !last.is_empty() => format!("{first} {last}"),
        _ => first.to_owned(),
    };
    Ok(MemberProfile {
        id: UserId(id.to_string()),
        name,
        nickname: None,
        role: MemberRole::Member,
        is_bot: user.get("is_bot").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// A `ChatMember`'s status as a role, or `None` when it is not a member at all.
fn role_of_status(member: &Value) -> Option<MemberRole> {
    match member.get("status").and_then(Value::as_str)? {
        "creator" => Some(MemberRole::Owner),
        "administrator" => Some(MemberRole::Admin),
        "member" => Some(MemberRole::Member),
        // Restricted members may or may not be in the chat.
        "restricted" => member
            .get("is_member")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            .then_some(MemberRole::Member),
        _ => None,
    }
}

/// Reads one update.
pub fn parse(update: &Value, me: &Identity) -> Result<Update, UpdateError> {
    if !update.is_object() {
        return refuse("not a JSON object");
    }
    let update_id = update_id(update)
        .ok_or_else(|| UpdateError("`update_id` is missing or not an integer".to_owned()))?;
    let mut read = Update {
        update_id,
        events: Vec::new(),
        ignored: None,
        admins_changed: None,
    };
    if let Some(message) = update.get("message") {
        self::message(message, me, false, &mut read)?;
    } else if let Some(message) = update.get("edited_message") {
        self::message(message, me, true, &mut read)?;
    } else if let Some(change) = update.get("chat_member") {
        chat_member(change, me, false, &mut read)?;
    } else if let Some(request) = update.get("chat_join_request") {
        join_request(request, me, &mut read)?;
    } else if let Some(change) = update.get("my_chat_member") {
        chat_member(change, me, true, &mut read)?;
    } else {
        let kind = update
            .as_object()
            .and_then(|fields| fields.keys().find(|key| *key != "update_id"))
            .map_or_else(|| "nothing".to_owned(), Clone::clone);
        read.ignored = Some(format!("an update of kind `{kind}`"));
    }
    if read.events.is_empty() && read.ignored.is_none() {
        read.ignored = Some("nothing Steward models".to_owned());
    }
    Ok(read)
}

/// The group a payload is about; `None` (and why, in `read.ignored`) when it is another chat.
fn group(payload: &Value, read: &mut Update) -> Result<Option<ChatId>, UpdateError> {
    let chat = object(payload, "chat")?;
    let id = integer(chat, "id")?;
    match chat.get("type").and_then(Value::as_str) {
        Some("group" | "supergroup") => Ok(Some(ChatId(id.to_string()))),
        Some(other) => {
            read.ignored = Some(format!("a {other} chat"));
            Ok(None)
        }
        None => refuse("a chat's `type` is missing"),
    }
}

fn event(
    me: &Identity,
    chat: &ChatId,
    id: Option<String>,
    time: DateTime<Utc>,
    kind: EventKind,
) -> Event {
    Event {
        platform: Platform::Telegram,
        account: me.account.clone(),
        chat: chat.clone(),
        id,
        time,
        kind,
    }
}

/// A message, or (`edited`) the new version of one: an edit is dated by its `edit_date` and
/// keyed by message and update (two edits within a second share their `edit_date`; a
/// redelivered update keeps its id), so that each edit is recorded once.
fn message(
    message: &Value,
    me: &Identity,
    edited: bool,
    read: &mut Update,
) -> Result<(), UpdateError> {
    let Some(chat) = group(message, read)? else {
        return Ok(());
    };
    let time = time_of(message)?;
    let message_id = integer(message, "message_id")?;
    if let Some(Value::Array(members)) = message.get("new_chat_members") {
        let from = message.get("from").and_then(|from| profile(from).ok());
        for member in members {
            let member = profile(member)?;
            if member.id.as_str() == me.account.as_str() {
                continue;
            }
            // Added by somebody else: they invited the member.
            let inviter = from
                .as_ref()
                .filter(|from| from.id != member.id)
                .map(|from| from.id.clone());
            read.events.push(event(
                me,
                &chat,
                None,
                time,
                EventKind::MemberJoined {
                    member,
                    inviter,
                    invite_link: None,
                },
            ));
        }
        return Ok(());
    }
    if let Some(left) = message.get("left_chat_member") {
        let left = profile(left)?;
        if left.id.as_str() == me.account.as_str() {
            read.ignored = Some("the bot left".to_owned());
            return Ok(());
        }
        let by = message.get("from").and_then(|from| profile(from).ok());
        let reason = match by {
            Some(by) if by.id != left.id => LeaveReason::Kicked { by: Some(by.id) },
            _ => LeaveReason::Left,
        };
        read.events.push(event(
            me,
            &chat,
            None,
            time,
            EventKind::MemberLeft {
                member: left.id,
                reason,
            },
        ));
        return Ok(());
    }
    let mut sender = match message.get("from") {
        Some(from) => profile(from)?,
        None => return refuse("a group message without `from`"),
    };
    // Sent on behalf of the group itself (an anonymous admin) or its linked channel: the
    // group's own voice, never a member to moderate.
    if let Some(sender_chat) = message.get("sender_chat") {
        let own = sender_chat
            .get("id")
            .and_then(Value::as_i64)
            .map(|id| id.to_string())
            == Some(chat.0.clone());
        let automatic = message
            .get("is_automatic_forward")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if !own && !automatic {
            read.ignored = Some("a message sent as another channel".to_owned());
            return Ok(());
        }
        sender.id = UserId(format!("chat{}", chat.0));
        sender.name = sender_chat
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("group")
            .to_owned();
        sender.role = MemberRole::Admin;
    }
    let (text, entities) = match message.get("text") {
        Some(text) => (text, message.get("entities")),
        None => (
            message.get("caption").unwrap_or(&Value::Null),
            message.get("caption_entities"),
        ),
    };
    let mut segments = Vec::new();
    match text {
        Value::String(text) if !text.is_empty() => segments.push(Segment::Text {
            text: strip_own_command(text, me.username.as_deref()),
        }),
        Value::Null | Value::String(_) => {}
        _ => return refuse("`text` is not a string"),
    }
    if let Some(entities) = entities {
        let Value::Array(entities) = entities else {
            return refuse("`entities` is not an array");
        };
        for entity in entities {
            match entity.get("type").and_then(Value::as_str) {
                // A link hidden behind other words: moderation must see where it goes.
                Some("text_link") => {
                    if let Some(url) = entity.get("url").and_then(Value::as_str) {
                        segments.push(Segment::Link {
                            url: url.to_owned(),
                        });
                    }
                }
                Some("text_mention") => {
                    if let Some(user) = entity.get("user").and_then(|user| profile(user).ok()) {
                        segments.push(Segment::Mention { user: user.id });
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(Value::Array(sizes)) = message.get("photo") {
        // The largest size comes last.
        let file = sizes
            .last()
            .and_then(|size| size.get("file_id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        segments.push(Segment::Image {
            url: None,
            file,
            qr: Vec::new(),
        });
    }
    if let Some(document) = message.get("document").filter(|doc| doc.is_object()) {
        segments.push(Segment::File {
            name: document
                .get("file_name")
                .and_then(Value::as_str)
                .unwrap_or("file")
                .to_owned(),
            url: None,
            size: document.get("file_size").and_then(Value::as_u64),
        });
    }
    for kind in [
        "sticker",
        "animation",
        "audio",
        "video",
        "voice",
        "video_note",
        "contact",
        "location",
        "venue",
        "poll",
        "dice",
        "game",
        "story",
    ] {
        if message.get(kind).is_some() {
            segments.push(Segment::Other {
                kind: kind.to_owned(),
            });
        }
    }
    if segments.is_empty() {
        read.ignored = Some("a service message".to_owned());
        return Ok(());
    }
    if edited {
        // A live location moving, a poll: nothing a member wrote changed.
        if segments
            .iter()
            .all(|segment| matches!(segment, Segment::Other { .. }))
        {
            read.ignored = Some("an edit of something other than text or a picture".to_owned());
            return Ok(());
        }
        let edited_at = integer(message, "edit_date")?;
        let edited_time = DateTime::from_timestamp(edited_at, 0)
            .ok_or_else(|| UpdateError(format!("`edit_date` {edited_at} is out of range")))?;
        read.events.push(event(
            me,
            &chat,
            Some(format!("{message_id}@{}", read.update_id)),
            edited_time,
            EventKind::MessageEdited {
                sender,
                message: MessageId(message_id.to_string()),
                sent_at: Some(time),
                segments,
            },
        ));
        return Ok(());
    }
    let reply_to = message
        .get("reply_to_message")
        .and_then(|reply| reply.get("message_id"))
        .and_then(Value::as_i64)
        .map(|id| MessageId(id.to_string()));
    read.events.push(event(
        me,
        &chat,
        Some(message_id.to_string()),
        time,
        EventKind::Message {
            sender,
            segments,
            reply_to,
        },
    ));
    Ok(())
}

/// `/checkin@StewardBot rest` → `/checkin rest` when the command names this bot, so that the
/// words a group's settings list match however a member typed them.
fn strip_own_command(text: &str, username: Option<&str>) -> String {
    let Some(username) = username.filter(|name| !name.is_empty()) else {
        return text.to_owned();
    };
    if !text.starts_with('/') {
        return text.to_owned();
    }
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    let (command, rest) = text.split_at(end);
    match command.split_once('@') {
        Some((name, bot)) if bot.eq_ignore_ascii_case(username) => format!("{name}{rest}"),
        _ => text.to_owned(),
    }
}

/// A member's status changed (`chat_member`), or the bot's own (`my_chat_member`, `own`): a
/// join, a leave or a new role. The bot's own tells where it is still a member (a group that
/// removed it is not switched by night mode; see `Database::bot_in_group`).
fn chat_member(
    change: &Value,
    me: &Identity,
    own: bool,
    read: &mut Update,
) -> Result<(), UpdateError> {
    let Some(chat) = group(change, read)? else {
        return Ok(());
    };
    let time = time_of(change)?;
    let old = object(change, "old_chat_member")?;
    let new = object(change, "new_chat_member")?;
    let mut member = profile(object(new, "user")?)?;
    if (member.id.as_str() == me.account.as_str()) != own {
        read.ignored = Some(if own {
            "`my_chat_member` about another member".to_owned()
        } else {
            "the bot's own membership, read from `my_chat_member`".to_owned()
        });
        return Ok(());
    }
    let by = object(change, "from").and_then(profile)?;
    let (was, is) = (role_of_status(old), role_of_status(new));
    if was.is_some_and(|role| role != MemberRole::Member)
        || is.is_some_and(|role| role != MemberRole::Member)
    {
        read.admins_changed = Some(chat.clone());
    }
    match (was, is) {
        (None, Some(role)) => {
            member.role = role;
            let inviter = (by.id != member.id).then(|| by.id.clone());
            let invite_link = change
                .get("invite_link")
                .and_then(|link| link.get("invite_link"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            read.events.push(event(
                me,
                &chat,
                None,
                time,
                EventKind::MemberJoined {
                    member,
                    // Approved from a join request: the admin who approved did not invite.
                    inviter: inviter.filter(|_| {
                        !change
                            .get("via_join_request")
                            .and_then(Value::as_bool)
                            .unwrap_or(false)
                            && invite_link.is_none()
                    }),
                    invite_link,
                },
            ));
        }
        (Some(_), None) => {
            let banned = new.get("status").and_then(Value::as_str) == Some("kicked");
            let reason = if banned || by.id != member.id {
                LeaveReason::Kicked { by: Some(by.id) }
            } else {
                LeaveReason::Left
            };
            read.events.push(event(
                me,
                &chat,
                None,
                time,
                EventKind::MemberLeft {
                    member: member.id,
                    reason,
                },
            ));
        }
        (Some(before), Some(after)) if before != after => {
            // Promoted or demoted: the member's role from now on, once per change.
            member.role = after;
            read.events.push(event(
                me,
                &chat,
                Some(format!("role-{}-{}", member.id, time.timestamp())),
                time,
                EventKind::MemberSeen { member },
            ));
        }
        _ => read.ignored = Some("a member's permissions changed".to_owned()),
    }
    Ok(())
}

fn join_request(request: &Value, me: &Identity, read: &mut Update) -> Result<(), UpdateError> {
    let Some(chat) = group(request, read)? else {
        return Ok(());
    };
    let time = time_of(request)?;
    let applicant = profile(object(request, "from")?)?;
    // The request's handle: the applicant (all that approve and decline need) and when, so that
    // a second request after a refusal is a new event.
    let handle = format!("{}:{}", applicant.id, time.timestamp());
    read.events.push(event(
        me,
        &chat,
        Some(handle),
        time,
        EventKind::JoinRequest {
            applicant,
            answer: request
                .get("bio")
                .and_then(Value::as_str)
                .filter(|bio| !bio.is_empty())
                .map(str::to_owned),
        },
    ));
    Ok(())
}

/// A member listed by `getChatAdministrators` (its `ChatMember` entries), as a `MemberSeen`
/// event of `day` (once a day per member and chat).
pub fn admin_seen(
    me: &Identity,
    chat: &ChatId,
    member: &Value,
    day: DateTime<Utc>,
) -> Option<Event> {
    let role = role_of_status(member)?;
    let mut profile = profile(member.get("user")?).ok()?;
    if profile.id.as_str() == me.account.as_str() {
        return None;
    }
    profile.role = role;
    Some(event(
        me,
        chat,
        Some(format!("seen-{}-{}", profile.id, day.format("%Y%m%d"))),
        day,
        EventKind::MemberSeen { member: profile },
    ))
}

/// The role of each administrator in a `getChatAdministrators` answer.
pub fn admins(answer: &Value) -> Vec<(UserId, MemberRole)> {
    answer
        .as_array()
        .map(|members| {
            members
                .iter()
                .filter_map(|member| {
                    let role = role_of_status(member)?;
                    let id = member.get("user")?.get("id")?.as_i64()?;
                    Some((UserId(id.to_string()), role))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One Bot API call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: &'static str,
    pub params: Value,
}

/// A chat's or a user's id as Telegram wants it: a number (or `@channelname`, as written).
pub(crate) fn id_value(id: &str) -> Value {
    id.parse::<i64>()
        .map_or_else(|_| json!(id), |number| json!(number))
}

fn permissions(allowed: bool) -> Value {
    send_permissions(allowed, &[])
}

/// Every permission a restriction can take away, for lifting one (Telegram's way: all given).
fn all_permissions() -> Value {
    send_permissions(
        true,
        &[
            "can_change_info",
            "can_invite_users",
            "can_pin_messages",
            "can_manage_topics",
        ],
    )
}

fn send_permissions(allowed: bool, more: &[&str]) -> Value {
    let mut permissions = Map::new();
    for permission in more {
        permissions.insert((*permission).to_owned(), Value::Bool(true));
    }
    for permission in SENDING {
        permissions.insert((*permission).to_owned(), Value::Bool(allowed));
    }
    Value::Object(permissions)
}

/// The permissions to send: what a mute or a night takes away.
const SENDING: &[&str] = &[
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
];

/// The sending permissions of a group's (`getChat`'s `permissions`): the day night mode saves.
pub fn sending_permissions(current: &Value) -> Value {
    let mut day = Map::new();
    for permission in SENDING {
        if let Some(allowed) = current.get(*permission).filter(|value| value.is_boolean()) {
            day.insert((*permission).to_owned(), allowed.clone());
        }
    }
    Value::Object(day)
}

/// Whether a group's sending permissions are a night's: none given.
pub fn is_night(day: &Value) -> bool {
    day.as_object()
        .is_some_and(|day| !day.is_empty() && day.values().all(|allowed| allowed == false))
}

/// Dawn gives back the day's sending permissions where they were saved (a day without polls
/// stays without polls), and the rest of them as given.
pub fn restore_day(call: &mut Call, day: &Value) {
    let (Some(day), Some(Value::Object(permissions))) =
        (day.as_object(), call.params.get_mut("permissions"))
    else {
        return;
    };
    for (permission, allowed) in day {
        if allowed.is_boolean() && SENDING.contains(&permission.as_str()) {
            permissions.insert(permission.clone(), allowed.clone());
        }
    }
}

/// Night mode's `setChatPermissions` on top of the group's own defaults (`getChat`'s
/// `permissions`): Telegram takes every permission not given as refused, so without them a
/// night would take away pinning, inviting and changing the info for good. Only the sending
/// permissions change; at dawn they all come back.
pub fn keep_other_permissions(call: &mut Call, current: &Value) {
    let (Some(current), Some(Value::Object(sending))) =
        (current.as_object(), call.params.get("permissions"))
    else {
        return;
    };
    let mut merged = current.clone();
    merged.retain(|_, value| value.is_boolean());
    for (permission, allowed) in sending {
        merged.insert(permission.clone(), allowed.clone());
    }
    call.params["permissions"] = Value::Object(merged);
}

/// Shortest restriction Steward asks for: Telegram takes anything under 30 s from its own clock
/// (or over 366 days) as forever, so a margin for clock skew and the call's way there.
const SHORTEST: i64 = 60;

/// The most a message may say: Telegram counts 4,096 characters after entities are parsed, in
/// UTF-16 code units.
pub const MESSAGE_LIMIT: usize = 4096;

/// Steward's action as the Bot API calls that carry it out: one, except a message longer than
/// Telegram takes, which goes as several in order (split at line ends where it can be, never
/// inside a mention; only the first answers the message it replies to).
pub fn calls(
    chat: &ChatId,
    action: &Action,
    name_of: &dyn Fn(&UserId) -> Option<String>,
    now: DateTime<Utc>,
) -> Result<Vec<Call>, String> {
    let Action::Send { segments, reply_to } = action else {
        return Ok(vec![call(chat, action, name_of, now)?]);
    };
    let parts = crate::split::in_parts(segments, MESSAGE_LIMIT, char::len_utf16, &|user| {
        mention_len(user, name_of)
    });
    crate::split::sends(parts, reply_to)
        .map(|part| call(chat, &part, name_of, now))
        .collect()
}

/// What a member reads of a mention, in UTF-16 code units.
fn mention_len(user: &UserId, name_of: &dyn Fn(&UserId) -> Option<String>) -> usize {
    name_of(user)
        .unwrap_or_else(|| user.to_string())
        .encode_utf16()
        .count()
}

/// Steward's action in `chat` as a Bot API call, or why Telegram has no such thing. `name_of`
/// gives a mentioned member's display name; `now` dates restrictions.
pub fn call(
    chat: &ChatId,
    action: &Action,
    name_of: &dyn Fn(&UserId) -> Option<String>,
    now: DateTime<Utc>,
) -> Result<Call, String> {
    let chat_id = id_value(chat.as_str());
    let user = |member: &UserId| id_value(member.as_str());
    Ok(match action {
        Action::Send { segments, reply_to } => {
            let mut text = String::new();
            for segment in segments {
                match segment {
                    OutSegment::Text { text: part } => text.push_str(&escape_html(part)),
                    OutSegment::Mention { user } => {
                        let name = name_of(user).unwrap_or_else(|| user.to_string());
                        text.push_str(&format!(
                            "<a href=\"tg://user?id={}\">{}</a>",
                            escape_html(user.as_str()),
                            escape_html(&name)
                        ));
                    }
                }
            }
            let mut params = json!({ "chat_id": chat_id, "text": text, "parse_mode": "HTML" });
            if let Some(reply) = reply_to
                .as_ref()
                .and_then(|id| id.as_str().parse::<i64>().ok())
            {
                params["reply_parameters"] =
                    json!({ "message_id": reply, "allow_sending_without_reply": true });
            }
            Call {
                method: "sendMessage",
                params,
            }
        }
        Action::DeleteMessage { message } => Call {
            method: "deleteMessage",
            params: json!({ "chat_id": chat_id, "message_id": id_value(message.as_str()) }),
        },
        Action::Mute { member, seconds } => Call {
            method: "restrictChatMember",
            params: json!({
                "chat_id": chat_id,
                "user_id": user(member),
                "permissions": permissions(false),
                "use_independent_chat_permissions": true,
                "until_date": now.timestamp() + i64::from(*seconds).max(SHORTEST),
            }),
        },
        // Telegram's way to lift a restriction: every permission given back.
        Action::Unmute { member } => Call {
            method: "restrictChatMember",
            params: json!({
                "chat_id": chat_id,
                "user_id": user(member),
                "permissions": all_permissions(),
                "use_independent_chat_permissions": true,
            }),
        },
        Action::Kick {
            member,
            refuse_rejoin,
        } => {
            let mut params = json!({ "chat_id": chat_id, "user_id": user(member) });
            // A ban that ends after a minute is a kick: the member may come back.
            if !refuse_rejoin {
                params["until_date"] = json!(now.timestamp() + 2 * SHORTEST);
            }
            Call {
                method: "banChatMember",
                params,
            }
        }
        Action::ApproveJoin { request } | Action::RejectJoin { request, .. } => {
            let applicant = request.split(':').next().unwrap_or_default();
            Call {
                method: if matches!(action, Action::ApproveJoin { .. }) {
                    "approveChatJoinRequest"
                } else {
                    "declineChatJoinRequest"
                },
                params: json!({ "chat_id": chat_id, "user_id": id_value(applicant) }),
            }
        }
        Action::MuteAll { on } => Call {
            method: "setChatPermissions",
            params: json!({
                "chat_id": chat_id,
                "permissions": permissions(!on),
                "use_independent_chat_permissions": true,
            }),
        },
        Action::SetNickname { .. } => {
            return Err("Telegram has no nicknames per group".to_owned());
        }
        Action::SetTitle { .. } => {
            return Err("Telegram gives titles to administrators only".to_owned());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Identity {
        Identity {
            account: AccountId("777".into()),
            username: Some("StewardBot".into()),
        }
    }

    #[test]
    fn only_the_first_part_answers_the_message_replied_to() {
        let long = format!("{}\n{}", "规".repeat(4000), "则".repeat(3000));
        let calls = calls(
            &ChatId("-100".into()),
            &Action::Send {
                segments: vec![OutSegment::Text { text: long.clone() }],
                reply_to: Some("9".into()),
            },
            &|_| None,
            Utc::now(),
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].params["reply_parameters"]["message_id"], 9);
        assert!(calls[1].params.get("reply_parameters").is_none());
        let texts: Vec<&str> = calls
            .iter()
            .map(|call| call.params["text"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(texts.concat(), long);
        assert!(
            texts
                .iter()
                .all(|text| text.encode_utf16().count() <= MESSAGE_LIMIT)
        );
    }

    #[test]
    fn night_mode_keeps_the_groups_other_permissions() {
        let chat = ChatId("-100".into());
        let mut call = call(&chat, &Action::MuteAll { on: true }, &|_| None, Utc::now()).unwrap();
        let current = json!({"can_send_messages": true, "can_send_polls": false,
                             "can_invite_users": false, "can_pin_messages": true,
                             "can_change_info": false, "can_manage_topics": true});
        keep_other_permissions(&mut call, &current);
        let permissions = &call.params["permissions"];
        assert_eq!(permissions["can_send_messages"], false);
        assert_eq!(permissions["can_send_polls"], false);
        assert_eq!(permissions["can_pin_messages"], true, "{permissions}");
        assert_eq!(permissions["can_manage_topics"], true);
        assert_eq!(permissions["can_invite_users"], false);
        // The day saved at nightfall is only its sending permissions; dawn gives them back.
        let day = sending_permissions(&current);
        assert_eq!(
            day,
            json!({"can_send_messages": true, "can_send_polls": false})
        );
        assert!(!is_night(&day));
        assert!(is_night(&sending_permissions(permissions)));
        let mut dawn =
            super::call(&chat, &Action::MuteAll { on: false }, &|_| None, Utc::now()).unwrap();
        restore_day(&mut dawn, &day);
        keep_other_permissions(&mut dawn, permissions);
        assert_eq!(dawn.params["permissions"]["can_send_messages"], true);
        assert_eq!(dawn.params["permissions"]["can_send_photos"], true);
        assert_eq!(dawn.params["permissions"]["can_send_polls"], false);
        assert_eq!(dawn.params["permissions"]["can_pin_messages"], true);
        assert_eq!(dawn.params["permissions"]["can_invite_users"], false);
        // Nothing readable: the call stays as it was.
        let before = call.params.clone();
        keep_other_permissions(&mut call, &Value::Null);
        assert_eq!(call.params, before);
    }

    #[test]
    fn own_commands_lose_the_bot_name_and_others_keep_theirs() {
        assert_eq!(
            strip_own_command("/checkin@stewardbot", Some("StewardBot")),
            "/checkin"
        );
        assert_eq!(
            strip_own_command("/top@StewardBot week", Some("StewardBot")),
            "/top week"
        );
        assert_eq!(
            strip_own_command("/top@OtherBot", Some("StewardBot")),
            "/top@OtherBot"
        );
        assert_eq!(strip_own_command("签到", Some("StewardBot")), "签到");
    }

    #[test]
    fn html_is_escaped_in_text_and_names() {
        let call = call(
            &ChatId("-100".into()),
            &Action::Send {
                segments: vec![
                    OutSegment::Mention { user: "5".into() },
                    OutSegment::Text {
                        text: " <b>hi</b> & <a href=\"x\">".into(),
                    },
                ],
                reply_to: Some("9".into()),
            },
            &|_| Some("<i>Eve</i>\"".into()),
            Utc::now(),
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(call.method, "sendMessage");
        assert_eq!(
            call.params["text"],
            "<a href=\"tg://user?id=5\">&lt;i&gt;Eve&lt;/i&gt;&quot;</a> &lt;b&gt;hi&lt;/b&gt; &amp; &lt;a href=&quot;x&quot;&gt;"
        );
        assert_eq!(call.params["chat_id"], -100);
        assert_eq!(call.params["reply_parameters"]["message_id"], 9);
    }

    #[test]
    fn a_short_mute_is_not_forever() {
        let now = Utc::now();
        let call = call(
            &ChatId("-100".into()),
            &Action::Mute {
                member: "5".into(),
                seconds: 10,
            },
            &|_| None,
            now,
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(call.params["until_date"], now.timestamp() + SHORTEST);
        assert_eq!(call.params["permissions"]["can_send_messages"], false);
    }

    fn chat() -> Value {
        json!({"id": -1001, "title": "g", "type": "supergroup"})
    }

    fn user(id: i64) -> Value {
        json!({"id": id, "is_bot": false, "first_name": "A", "last_name": "B"})
    }

    fn one(update: Value) -> Event {
        let read = parse(&update, &me()).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(read.events.len(), 1, "{read:?}");
        read.events[0].clone()
    }

    #[test]
    fn the_bots_own_membership_is_read_from_my_chat_member() {
        let bot =
            json!({"id": 777, "is_bot": true, "first_name": "Steward", "username": "StewardBot"});
        let change = |old: &str, new: &str, chat: Value| {
            json!({"update_id": 3, "my_chat_member": {
                "chat": chat, "from": user(9), "date": 1_780_000_000,
                "old_chat_member": {"status": old, "user": bot},
                "new_chat_member": {"status": new, "user": bot, "until_date": 0}}})
        };
        match one(change("administrator", "kicked", chat())).kind {
            EventKind::MemberLeft { member, reason } => {
                assert_eq!(member.as_str(), "777");
                assert_eq!(
                    reason,
                    LeaveReason::Kicked {
                        by: Some("9".into())
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        match one(change("left", "member", chat())).kind {
            EventKind::MemberJoined { member, .. } => {
                assert_eq!(member.id.as_str(), "777");
                assert!(member.is_bot);
            }
            other => panic!("{other:?}"),
        }
        // A user blocking the bot in a private chat (the Bot API's own example) is no group's.
        let private = json!({"id": 5, "first_name": "FN", "type": "private"});
        let read = parse(&change("member", "kicked", private), &me()).unwrap();
        assert!(read.events.is_empty() && read.ignored.is_some(), "{read:?}");
        // Another member's change in `my_chat_member` is not the bot's; the bot's own in
        // `chat_member` comes again in `my_chat_member`.
        let mut other = change("member", "left", chat());
        other["my_chat_member"]["new_chat_member"]["user"] = user(5);
        assert!(parse(&other, &me()).unwrap().events.is_empty());
        let mut again = change("member", "left", chat());
        again["chat_member"] = again["my_chat_member"].take();
        assert!(parse(&again, &me()).unwrap().events.is_empty());
    }

    #[test]
    fn chat_member_changes_become_joins_leaves_and_roles() {
        let change = |old: &str, new: &str, from: i64, extra: Value| {
            let mut update = json!({"update_id": 1, "chat_member": {
                "chat": chat(), "from": user(from), "date": 1_780_000_000,
                "old_chat_member": {"status": old, "user": user(5)},
                "new_chat_member": {"status": new, "user": user(5)}}});
            if let (Some(target), Some(extra)) =
                (update["chat_member"].as_object_mut(), extra.as_object())
            {
                target.extend(extra.clone());
            }
            one(update).kind
        };
        match change(
            "left",
            "member",
            5,
            json!({"invite_link": {"invite_link": "https://t.me/+x", "creator": user(9)}}),
        ) {
            EventKind::MemberJoined {
                member,
                inviter,
                invite_link,
            } => {
                assert_eq!(member.name, "A B");
                assert_eq!(inviter, None);
                assert_eq!(invite_link.as_deref(), Some("https://t.me/+x"));
            }
            other => panic!("{other:?}"),
        }
        match change("left", "member", 9, json!({})) {
            EventKind::MemberJoined { inviter, .. } => assert_eq!(inviter, Some("9".into())),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            change("member", "kicked", 9, json!({})),
            EventKind::MemberLeft {
                member: "5".into(),
                reason: LeaveReason::Kicked {
                    by: Some("9".into())
                }
            }
        );
        assert_eq!(
            change("member", "left", 5, json!({})),
            EventKind::MemberLeft {
                member: "5".into(),
                reason: LeaveReason::Left
            }
        );
        match change("member", "administrator", 9, json!({})) {
            EventKind::MemberSeen { member } => assert_eq!(member.role, MemberRole::Admin),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn messages_carry_hidden_links_and_the_group_speaks_as_an_admin() {
        let event = one(json!({"update_id": 2, "message": {
            "message_id": 7, "from": user(5), "date": 1_780_000_000, "chat": chat(),
            "text": "click here", "entities": [
                {"type": "text_link", "offset": 0, "length": 5, "url": "https://ad.example"}]}}));
        assert_eq!(event.id.as_deref(), Some("7"));
        match event.kind {
            EventKind::Message { segments, .. } => assert_eq!(
                segments,
                vec![
                    Segment::Text {
                        text: "click here".into()
                    },
                    Segment::Link {
                        url: "https://ad.example".into()
                    }
                ]
            ),
            other => panic!("{other:?}"),
        }
        let event = one(json!({"update_id": 3, "message": {
            "message_id": 8, "from": {"id": 1_087_968_824, "is_bot": true, "first_name": "Group"},
            "sender_chat": chat(), "date": 1_780_000_000, "chat": chat(), "text": "hi"}}));
        match event.kind {
            EventKind::Message { sender, .. } => assert_eq!(sender.role, MemberRole::Admin),
            other => panic!("{other:?}"),
        }
        let private = parse(
            &json!({"update_id": 4, "message": {"message_id": 1, "from": user(5), "date": 1,
                    "chat": {"id": 5, "type": "private", "first_name": "A"}, "text": "hi"}}),
            &me(),
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert!(private.events.is_empty());
    }

    #[test]
    fn an_edit_is_the_new_text_of_its_message_keyed_by_its_update() {
        // As the Bot API sends it: the whole message, with `edit_date`, as `edited_message`.
        let edit = |update_id: i64| {
            one(json!({"update_id": update_id, "edited_message": {
                "message_id": 7, "from": user(5), "date": 1_780_000_000, "chat": chat(),
                "edit_date": 1_780_000_060, "text": "加我 vx abc12345"}}))
        };
        let event = edit(6);
        assert_eq!(event.id.as_deref(), Some("7@6"));
        assert_eq!(event.time.timestamp(), 1_780_000_060);
        match &event.kind {
            EventKind::MessageEdited {
                sender,
                message,
                sent_at,
                segments,
            } => {
                assert_eq!(sender.id.as_str(), "5");
                assert_eq!(message.as_str(), "7");
                // The message's own `date`: bots may delete it for 48 hours from then.
                assert_eq!(sent_at.map(|at| at.timestamp()), Some(1_780_000_000));
                assert_eq!(segments, &vec![Segment::text("加我 vx abc12345")]);
            }
            other => panic!("{other:?}"),
        }
        // A second edit in the same second is another event; the same update again is not.
        assert_ne!(event.dedup_key(), edit(7).dedup_key());
        assert_eq!(event.dedup_key(), edit(6).dedup_key());
        // A live location moving is not something a member wrote.
        let moved = parse(
            &json!({"update_id": 8, "edited_message": {
                "message_id": 9, "from": user(5), "date": 1_780_000_000, "chat": chat(),
                "edit_date": 1_780_000_070,
                "location": {"latitude": 1.5, "longitude": 2.5, "live_period": 600}}}),
            &me(),
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert!(moved.events.is_empty() && moved.ignored.is_some());
        let undated = parse(
            &json!({"update_id": 7, "edited_message": {
                "message_id": 7, "from": user(5), "date": 1_780_000_000, "chat": chat(),
                "text": "x"}}),
            &me(),
        );
        assert!(undated.is_err_and(|err| err.0.contains("edit_date")));
    }

    #[test]
    fn a_join_request_is_handled_by_its_applicant() {
        let event = one(json!({"update_id": 5, "chat_join_request": {
            "chat": chat(), "from": user(5), "user_chat_id": 5, "date": 1_780_000_000,
            "bio": "hello"}}));
        let request = event.id.clone().unwrap_or_default();
        assert_eq!(request, "5:1780000000");
        let approve = call(
            &event.chat,
            &Action::ApproveJoin { request },
            &|_| None,
            Utc::now(),
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(approve.method, "approveChatJoinRequest");
        assert_eq!(approve.params, json!({"chat_id": -1001, "user_id": 5}));
    }

    #[test]
    fn mangled_updates_are_errors_never_panics() {
        let sample = json!({"update_id": 9, "message": {
            "message_id": 7, "from": user(5), "date": 1_780_000_000, "chat": chat(),
            "text": "/checkin@StewardBot 加V", "reply_to_message": {"message_id": 3},
            "entities": [{"type": "text_mention", "offset": 0, "length": 1, "user": user(6)}],
            "photo": [{"file_id": "f", "width": 1, "height": 1}],
            "new_chat_members": [user(8)]}})
        .to_string();
        steward_domain::testing::mangled(&sample, |text| {
            if let Ok(value) = serde_json::from_str::<Value>(text)
                && let Ok(read) = parse(&value, &me())
            {
                for event in read.events {
                    let _ = event.validate();
                }
            }
        });
    }

    #[test]
    fn updates_without_an_id_or_of_unknown_kinds() {
        assert!(parse(&json!({"message": {}}), &me()).is_err());
        let read = parse(&json!({"update_id": 5, "poll": {"id": "1"}}), &me())
            .unwrap_or_else(|err| panic!("{err}"));
        assert!(read.events.is_empty());
        assert_eq!(read.ignored.as_deref(), Some("an update of kind `poll`"));
        assert!(
            parse(
                &json!({"update_id": 5, "message": {"chat": {"id": "x"}}}),
                &me()
            )
            .is_err()
        );
    }
}
