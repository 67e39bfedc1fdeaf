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
                entry,
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
    queue(&database, &[Action::MuteAll { on: true }]);
    let mut minute = 0;
    for attempt in 1..=steward_store::outbox::MAX_ATTEMPTS {
        let claimed = claim(&database, minute);
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        assert_eq!(claimed[0].attempts, attempt);
        let failed = ActionOutcome::Failed {
            error: "rate limited".into(),
            retry: true,
        };
        assert!(
            database
                .finish_action(&claimed[0], &failed, at(minute))
                .unwrap()
        );
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

fn a_late_report_from_an_expired_claim_changes_nothing(test: &TestDatabase) {
    let database = test.open().unwrap();
    queue(
        &database,
        &[Action::Kick {
            member: "u1".into(),
            refuse_rejoin: false,
        }],
    );
    let first = claim(&database, 0).remove(0);
    // The first adapter stalls past its lease; another claims the kick again.
    let second = claim(&database, 5).remove(0);
    assert_eq!(second.attempts, 2);
    let late = ActionOutcome::Failed {
        error: "timeout".into(),
        retry: true,
    };
    assert!(
        !database.finish_action(&first, &late, at(5)).unwrap(),
        "a stale report was recorded"
    );
    assert!(
        claim(&database, 5).is_empty(),
        "the stale report put the kick back in the queue"
    );
    let done = ActionOutcome::Sent { answer: None };
    assert!(database.finish_action(&second, &done, at(5)).unwrap());
    assert_eq!(
        database.actions_for_event(1).unwrap()[0].status,
        OutboxStatus::Sent
    );
}

fn an_action_whose_claims_keep_running_out_fails_for_good(test: &TestDatabase) {
    let database = test.open().unwrap();
    queue(
        &database,
        &[Action::DeleteMessage {
            message: "1".into(),
        }],
    );
    let mut minute = 0;
    for _ in 0..steward_store::outbox::MAX_ATTEMPTS {
        assert_eq!(claim(&database, minute).len(), 1);
        minute += 5;
    }
    assert!(claim(&database, minute).is_empty());
    assert_eq!(
        database.actions_for_event(1).unwrap()[0].status,
        OutboxStatus::Failed
    );
}

fn concurrent_claimers_never_get_the_same_action(test: &TestDatabase) {
    let database = std::sync::Arc::new(test.open().unwrap());
    let actions: Vec<Action> = (0..60).map(|n| Action::say(format!("n{n}"))).collect();
    let queued = queue(&database, &actions);
    let claimers: Vec<_> = (0..4)
        .map(|_| {
            let database = std::sync::Arc::clone(&database);
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                loop {
                    let claimed = claim(&database, 0);
                    if claimed.is_empty() {
                        return mine;
                    }
                    mine.extend(claimed.into_iter().map(|entry| entry.id));
                }
            })
        })
        .collect();
    let mut all: Vec<i64> = claimers
        .into_iter()
        .flat_map(|claimer| claimer.join().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(all, queued, "an action was claimed twice or not at all");
}

/// An action given back unsent (no connection) waits a little and is claimed again, however
/// often: it never runs out of attempts for having found nobody to send to.
fn an_action_given_back_unsent_keeps_its_attempts(test: &TestDatabase) {
    let database = test.open().unwrap();
    queue(&database, &[Action::say("hello")]);
    for round in 0..20 {
        let claimed = claim(&database, round);
        assert_eq!(claimed.len(), 1, "round {round}");
        assert_eq!(claimed[0].attempts, 1, "round {round}");
        let returned = ActionOutcome::Returned {
            reason: "no connection".into(),
        };
        assert!(
            database
                .finish_action(&claimed[0], &returned, at(round))
                .unwrap()
        );
        assert!(
            claim(&database, round).is_empty(),
            "it waits a little first"
        );
    }
}

steward_store::on_both_backends!(
    an_action_given_back_unsent_keeps_its_attempts,
    concurrent_claimers_never_get_the_same_action,
    a_late_report_from_an_expired_claim_changes_nothing,
    an_action_whose_claims_keep_running_out_fails_for_good,
    actions_are_claimed_once_and_finished,
    a_failure_is_retried_after_a_delay_then_given_up,
    a_lost_answer_repeats_a_kick_but_never_a_send,
);
