//! Events as a platform would report them, small enough to read in a test.

use chrono::{DateTime, TimeZone, Utc};
use steward_domain::{Event, EventKind, LeaveReason, MemberProfile, MemberRole, Platform, Segment};
use steward_store::{Database, PreparedEvent, Recorded};

pub fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

pub fn profile(user: &str, name: &str) -> MemberProfile {
    MemberProfile {
        id: user.into(),
        name: name.into(),
        nickname: None,
        role: MemberRole::Member,
        is_bot: false,
    }
}

fn event(chat: &str, id: Option<&str>, minute: i64, kind: EventKind) -> Event {
    Event {
        platform: Platform::OneBot,
        account: "bot".into(),
        chat: chat.into(),
        id: id.map(str::to_owned),
        time: at(minute),
        kind,
    }
}

pub fn message(chat: &str, id: &str, user: &str, name: &str, text: &str, minute: i64) -> Event {
    event(
        chat,
        Some(id),
        minute,
        EventKind::Message {
            sender: profile(user, name),
            segments: vec![Segment::text(text)],
            reply_to: None,
        },
    )
}

pub fn join(chat: &str, user: &str, name: &str, minute: i64) -> Event {
    event(
        chat,
        None,
        minute,
        EventKind::MemberJoined {
            member: profile(user, name),
            inviter: None,
            invite_link: None,
        },
    )
}

pub fn leave(chat: &str, user: &str, minute: i64) -> Event {
    event(
        chat,
        None,
        minute,
        EventKind::MemberLeft {
            member: user.into(),
            reason: LeaveReason::Left,
        },
    )
}

pub fn recall(chat: &str, message: &str, user: &str, minute: i64) -> Event {
    event(
        chat,
        None,
        minute,
        EventKind::MessageRecalled {
            message: message.into(),
            author: user.into(),
            by: user.into(),
        },
    )
}

/// Records the events in one transaction, as the pipeline would, and says which were new.
pub fn record(database: &Database, events: &[Event]) -> Vec<Recorded> {
    let mut writer = database.writer().unwrap();
    writer.begin().unwrap();
    let outcomes = events
        .iter()
        .map(|event| {
            writer
                .record(&PreparedEvent::new(event.clone()).unwrap(), at(10_000))
                .unwrap()
        })
        .collect();
    writer.commit().unwrap();
    outcomes
}
