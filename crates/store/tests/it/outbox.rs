//! The outbox: claimed once, retried with backoff, never a send repeated blindly.

use std::time::Duration;

use steward_domain::{Action, ActionRequest, Platform};
use steward_store::testing::TestDatabase;
use steward_store::{ActionOutcome, Database, OutboxStatus, PreparedEvent};

use crate::fixtures::{at, message};

fn queue(database: &Database, actions: &[Action]) -> Vec<i64> {
    let mut writer = database.writer().unwrap();
    writer.begin().unwrap();
    let event = PreparedEvent::new(message("g1", "1", "u1", "a", "/ping", 0)).unwrap();
    let steward_store::Recorded::New(stored) = writer.record(&event, at(0)).unwrap() else {
        panic!("new event expected");
    };
    let ids = actions
        .iter()
        .map(|action| {
            let request = ActionRequest {
                platform: Platform::OneBot,
                account: "bot".into(),
                chat: "g1".into(),
                action: action.clone(),
            };
            writer.enqueue(Some(stored.id), &request, at(0)).unwrap()
        })
        .collect();
    writer.commit().unwrap();
    ids
}

const LEASE: Duration = Duration::from_secs(30);

fn claim(database: &Database, minute: i64) -> Vec<steward_store::OutboxEntry> {
    database
        .claim_actions(Platform::OneBot, &"bot".into(), 10, at(minute), LEASE)
        .unwrap()
}

fn actions_are_claimed_once_and_finished(test: &TestDatabase) {
    let database = test.open().unwrap();
    let ids = queue(
        &database,
        &[
            Action::say("pong"),
            Action::DeleteMessage {
                message: "1".into(),
            },
        ],
    );
    let claimed = claim(&database, 0);
    assert_eq!(
        claimed.iter().map(|entry| entry.id).collect::<Vec<_>>(),
        ids
    );
    assert_eq!(claimed[0].action, Action::say("pong"));
    assert!(
        claim(&database, 0).is_empty(),
        "claimed actions must not be handed out twice"
    );
    for entry in &claimed {
        database
            .finish_action(
                entry.id,
                &ActionOutcome::Sent {
                    answer: Some("ok".into()),
                },
                at(0),
            )
            .unwrap();
    }
    assert!(claim(&database, 100).is_empty());
    assert_eq!(database.counts().unwrap().outbox_pending, 0);
    // Another account's claim sees nothing of this one's.
    assert!(
        database
            .claim_actions(Platform::OneBot, &"other".into(), 10, at(0), LEASE)
            .unwrap()
            .is_empty()
    );
}

fn a_failure_is_retried_after_a_delay_then_given_up(test: &TestDatabase) {
    let database = test.open().unwrap();
    let [id] = queue(&database, &[Action::MuteAll { on: true }])[..] else {
        panic!()
    };
    let mut minute = 0;
    for attempt in 1..=steward_store::outbox::MAX_ATTEMPTS {
        let claimed = claim(&database, minute);
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        assert_eq!(claimed[0].attempts, attempt);
        let failed = ActionOutcome::Failed {
            error: "rate limited".into(),
            retry: true,
        };
        database.finish_action(id, &failed, at(minute)).unwrap();
        assert!(
            claim(&database, minute).is_empty(),
            "retried before its delay"
        );
        minute += 11;
    }
    let entry = &database.actions_for_event(1).unwrap()[0];
    assert_eq!(entry.status, OutboxStatus::Failed);
    assert_eq!(entry.last_error.as_deref(), Some("rate limited"));
}

fn a_lost_answer_repeats_a_kick_but_never_a_send(test: &TestDatabase) {
    let database = test.open().unwrap();
    queue(
        &database,
        &[
            Action::say("hello"),
            Action::Kick {
                member: "u1".into(),
                refuse_rejoin: true,
            },
        ],
    );
    assert_eq!(claim(&database, 0).len(), 2);
    // The adapter dies; the leases run out.
    let reclaimed = claim(&database, 5);
    assert_eq!(reclaimed.len(), 1);
    assert_eq!(reclaimed[0].action.name(), "kick");
    let entries = database.actions_for_event(1).unwrap();
    assert_eq!(entries[0].status, OutboxStatus::Failed);
    assert!(
        entries[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("not safe to repeat")
    );
}

steward_store::on_both_backends!(
    actions_are_claimed_once_and_finished,
    a_failure_is_retried_after_a_delay_then_given_up,
    a_lost_answer_repeats_a_kick_but_never_a_send,
);
