//! The playground: groups that live inside Steward. An operator writes in them from the console
//! as any member; the messages go through the same pipeline as a platform's; the bot's actions
//! come out of the same outbox and are carried out here, by recording what they do as events
//! (the bot's message, a recall, a kick), so that the group's history shows them.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use steward_domain::{
    AccountId, Action, ChatId, Event, EventKind, LeaveReason, MemberProfile, MemberRole, MessageId,
    OutSegment, Platform, Segment, UserId,
};
use steward_engine::Pipeline;
use steward_store::{ActionOutcome, Database, OutboxEntry};
use tokio::sync::watch;

/// The bot's account in every playground group.
pub const ACCOUNT: &str = "playground";
/// The bot's member id in playground groups.
pub const BOT_USER: &str = "steward-bot";
const LEASE: Duration = Duration::from_secs(30);

fn unique(prefix: &str) -> String {
    let mut bytes = [0_u8; 6];
    let random = match getrandom::fill(&mut bytes) {
        Ok(()) => bytes
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>(),
        Err(_) => String::new(),
    };
    format!("{prefix}-{}-{random}", Utc::now().timestamp_micros())
}

/// A new playground group's chat id.
pub fn new_chat() -> ChatId {
    ChatId(unique("pg"))
}

/// A new member's id in the playground.
pub fn new_user() -> UserId {
    UserId(unique("user"))
}

/// A message written in the console as `user` (named `name`).
pub fn message(chat: &ChatId, user: &UserId, name: &str, text: &str) -> Event {
    Event {
        platform: Platform::Playground,
        account: AccountId::from(ACCOUNT),
        chat: chat.clone(),
        id: Some(unique("m")),
        time: Utc::now(),
        kind: EventKind::Message {
            sender: MemberProfile {
                id: user.clone(),
                name: name.to_owned(),
                nickname: None,
                role: MemberRole::Member,
                is_bot: false,
            },
            segments: vec![Segment::text(text)],
            reply_to: None,
        },
    }
}

fn bot() -> MemberProfile {
    MemberProfile {
        id: UserId::from(BOT_USER),
        name: "Steward".to_owned(),
        nickname: None,
        role: MemberRole::Admin,
        is_bot: true,
    }
}

/// What carrying out an action in the playground means: the event it leaves in the group's
/// history, keyed by the outbox entry so that doing it twice records it once.
fn effect(entry: &OutboxEntry) -> Option<Event> {
    let base = |kind: EventKind, id: Option<String>| Event {
        platform: Platform::Playground,
        account: AccountId::from(ACCOUNT),
        chat: entry.chat.clone(),
        id,
        time: Utc::now(),
        kind,
    };
    match &entry.action {
        Action::Send { segments, reply_to } => {
            let segments = segments
                .iter()
                .map(|segment| match segment {
                    OutSegment::Text { text } => Segment::text(text.clone()),
                    OutSegment::Mention { user } => Segment::Mention { user: user.clone() },
                })
                .collect();
            Some(base(
                EventKind::Message {
                    sender: bot(),
                    segments,
                    reply_to: reply_to.clone(),
                },
                Some(format!("bot-{}", entry.id)),
            ))
        }
        Action::DeleteMessage { message } => Some(base(
            EventKind::MessageRecalled {
                message: MessageId(message.as_str().to_owned()),
                // The author is not known here; the store finds the message by its id alone.
                author: UserId::from(BOT_USER),
                by: UserId::from(BOT_USER),
            },
            Some(format!("bot-{}", entry.id)),
        )),
        Action::Kick { member, .. } => Some(base(
            EventKind::MemberLeft {
                member: member.clone(),
                reason: LeaveReason::Kicked {
                    by: Some(UserId::from(BOT_USER)),
                },
            },
            Some(format!("bot-{}", entry.id)),
        )),
        // Mutes, join decisions and nicknames leave no event of their own in the model yet: the
        // outbox records them as done.
        _ => None,
    }
}

/// Carries out the playground's actions until `stop` turns true: woken by the pipeline after
/// every commit that queued actions, and every second in any case.
pub async fn run(
    database: Arc<Database>,
    pipeline: Arc<Pipeline>,
    mut stop: watch::Receiver<bool>,
) {
    let ready = pipeline.outbox_ready();
    loop {
        if *stop.borrow() {
            return;
        }
        let claiming = database.clone();
        let claimed = tokio::task::spawn_blocking(move || {
            claiming.claim_actions(
                Platform::Playground,
                &AccountId::from(ACCOUNT),
                100,
                Utc::now(),
                LEASE,
            )
        })
        .await;
        let entries = match claimed {
            Ok(Ok(entries)) => entries,
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "playground: cannot claim actions");
                Vec::new()
            }
            Err(err) => {
                tracing::warn!(error = %err, "playground: claim panicked");
                Vec::new()
            }
        };
        let busy = !entries.is_empty();
        for entry in entries {
            let outcome = match effect(&entry) {
                Some(event) => match pipeline.process(event).await {
                    Ok(_) => ActionOutcome::Sent {
                        answer: Some("recorded in the playground".into()),
                    },
                    Err(err) => ActionOutcome::Failed {
                        error: err.to_string(),
                        retry: true,
                    },
                },
                None => ActionOutcome::Sent {
                    answer: Some("done in the playground".into()),
                },
            };
            let finishing = database.clone();
            let finished = tokio::task::spawn_blocking(move || {
                finishing.finish_action(&entry, &outcome, Utc::now())
            })
            .await;
            if !matches!(finished, Ok(Ok(_))) {
                tracing::warn!("playground: cannot record an action's outcome");
            }
        }
        if busy {
            continue;
        }
        tokio::select! {
            () = ready.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
}
