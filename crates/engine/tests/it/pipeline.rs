//! One event at a time: what the pipeline records, acknowledges, refuses and survives.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{TimeZone, Utc};
use steward_domain::{
    Action, ActionRequest, Event, EventKind, MemberProfile, MemberRole, OutSegment, Platform,
    Segment,
};
use steward_engine::features::{FeaturesConfig, registry};
use steward_engine::{Context, Feature, FeatureError, Outcome, Pipeline, PipelineConfig};
use steward_store::testing::TestDatabase;
use steward_store::{Database, OutboxStatus};

use crate::{block_on, blocking};

fn message(chat: &str, id: &str, text: &str) -> Event {
    Event {
        platform: Platform::Telegram,
        account: "bot".into(),
        chat: chat.into(),
        id: Some(id.to_owned()),
        time: Utc.with_ymd_and_hms(2026, 5, 4, 20, 0, 0).unwrap(),
        kind: EventKind::Message {
            sender: MemberProfile {
                id: "42".into(),
                name: "<b>Mallory</b>".into(),
                nickname: None,
                role: MemberRole::Member,
                is_bot: false,
            },
            segments: vec![Segment::text(text)],
            reply_to: None,
        },
    }
}

async fn start(database: &Arc<Database>, features: Vec<Box<dyn Feature>>) -> Pipeline {
    Pipeline::start(Arc::clone(database), features, &PipelineConfig::default())
        .await
        .unwrap()
}

fn a_ping_is_answered_once_even_when_redelivered(test: &TestDatabase) {
    let database = Arc::new(test.open().unwrap());
    block_on(async {
        let pipeline = start(
            &database,
            registry(&FeaturesConfig::default(), &Default::default()),
        )
        .await;
        let outcome = pipeline
            .process(message("c1", "100", "/ping"))
            .await
            .unwrap();
        let Outcome::Applied {
            event_id,
            actions: 1,
        } = outcome
        else {
            panic!("expected one action, got {outcome:?}");
        };
        assert_eq!(
            pipeline
                .process(message("c1", "100", "/ping"))
                .await
                .unwrap(),
            Outcome::Duplicate
        );
        pipeline.shutdown().await;

        let queued = blocking(|| database.actions_for_event(event_id)).unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].status, OutboxStatus::Pending);
        let Action::Send { segments, reply_to } = &queued[0].action else {
            panic!()
        };
        assert_eq!(reply_to.as_ref().map(|id| id.as_str()), Some("100"));
        assert_eq!(segments[0], OutSegment::Mention { user: "42".into() });
        assert_eq!(
            blocking(|| database.counts()).unwrap().outbox_total,
            1,
            "a redelivery queued a second reply"
        );
    });
}

fn a_malformed_event_is_refused_and_changes_nothing(test: &TestDatabase) {
    let database = Arc::new(test.open().unwrap());
    block_on(async {
        let pipeline = start(
            &database,
            registry(&FeaturesConfig::default(), &Default::default()),
        )
        .await;
        pipeline.process(message("c1", "1", "hello")).await.unwrap();
        let before = blocking(|| database.dump()).unwrap();

        let mut no_segments = message("c1", "2", "x");
        if let EventKind::Message { segments, .. } = &mut no_segments.kind {
            segments.clear();
        }
        let mut no_chat = message("c1", "3", "x");
        no_chat.chat = "".into();
        let mut far_future = message("c1", "4", "x");
        far_future.time = Utc.with_ymd_and_hms(2999, 1, 1, 0, 0, 0).unwrap();
        let huge = message("c1", "5", &"广告".repeat(20_000));
        for (event, expected) in [
            (
                no_segments,
                "invalid event: a message needs at least one segment",
            ),
            (no_chat, "invalid event: `chat` is empty"),
            (
                far_future,
                "invalid event: `time` 2999-01-01 00:00:00 UTC is outside the years 2000 to 2100",
            ),
            (
                huge,
                "invalid event: `segments` is too long (120000 > 65536)",
            ),
        ] {
            let error = pipeline
                .submit(event)
                .await
                .err()
                .map(|err| err.to_string());
            assert_eq!(error.as_deref(), Some(expected));
        }
        assert_eq!(pipeline.stats().rejected.load(Ordering::Relaxed), 4);
        pipeline.shutdown().await;
        assert_eq!(blocking(|| database.dump()).unwrap(), before);
    });
}

/// Fails after queueing an action directly in the store: its write must be undone.
struct BrokenFeature {
    panic: bool,
}

impl Feature for BrokenFeature {
    fn name(&self) -> &'static str {
        "broken"
    }

    fn writes_state(&self) -> bool {
        true
    }

    fn handle(&self, context: &mut Context<'_>) -> Result<(), FeatureError> {
        let request = ActionRequest {
            platform: context.event.platform,
            account: context.event.account.clone(),
            chat: context.event.chat.clone(),
            action: Action::say("half-done work"),
        };
        context
            .store
            .enqueue(Some(context.stored.id), &request, context.now)?;
        context.act(Action::say("never sent"));
        if self.panic {
            panic!("a bug in a feature");
        }
        Err("the feature's own failure".into())
    }
}

fn a_failing_feature_is_skipped_and_the_others_still_run(test: &TestDatabase) {
    let database = Arc::new(test.open().unwrap());
    block_on(async {
        let mut features: Vec<Box<dyn Feature>> = vec![
            Box::new(BrokenFeature { panic: false }),
            Box::new(BrokenFeature { panic: true }),
        ];
        features.extend(registry(&FeaturesConfig::default(), &Default::default()));
        let pipeline = start(&database, features).await;
        let outcome = pipeline.process(message("c1", "7", "/ping")).await.unwrap();
        let Outcome::Applied { event_id, actions } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(actions, 1, "only the ping reply survives");
        assert_eq!(pipeline.stats().feature_failures.load(Ordering::Relaxed), 2);
        pipeline.shutdown().await;
        let queued = blocking(|| database.actions_for_event(event_id)).unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].action.name(), "send");
        assert_ne!(queued[0].action, Action::say("half-done work"));
        assert_eq!(blocking(|| database.counts()).unwrap().messages, 1);
    });
}

fn events_of_one_group_keep_their_order_while_groups_interleave(test: &TestDatabase) {
    let database = Arc::new(test.open().unwrap());
    block_on(async {
        let pipeline = start(&database, Vec::new()).await;
        let mut tickets = Vec::new();
        for n in 0..400 {
            let chat = format!("c{}", n % 8);
            tickets.push(
                pipeline
                    .submit(message(&chat, &n.to_string(), "hi"))
                    .await
                    .unwrap(),
            );
        }
        let mut ids_by_chat: Vec<Vec<i64>> = vec![Vec::new(); 8];
        for (n, ticket) in tickets.into_iter().enumerate() {
            let Outcome::Applied { event_id, .. } = ticket.outcome().await.unwrap() else {
                panic!()
            };
            ids_by_chat[n % 8].push(event_id);
        }
        pipeline.shutdown().await;
        for ids in ids_by_chat {
            assert!(
                ids.windows(2).all(|pair| pair[0] < pair[1]),
                "out of order: {ids:?}"
            );
        }
        assert_eq!(
            blocking(|| database.verify()).unwrap(),
            Vec::<String>::new()
        );
    });
}

fn shutdown_commits_what_was_submitted_before_it(test: &TestDatabase) {
    let database = Arc::new(test.open().unwrap());
    block_on(async {
        let pipeline = start(&database, Vec::new()).await;
        let ticket = pipeline
            .submit(message("c1", "1", "last words"))
            .await
            .unwrap();
        pipeline.shutdown().await;
        // Shutdown drains the queue: the event submitted before it is committed.
        assert!(matches!(
            ticket.outcome().await,
            Ok(Outcome::Applied { .. })
        ));
        assert_eq!(blocking(|| database.counts()).unwrap().messages, 1);
    });
}

steward_store::on_both_backends!(
    a_ping_is_answered_once_even_when_redelivered,
    a_malformed_event_is_refused_and_changes_nothing,
    a_failing_feature_is_skipped_and_the_others_still_run,
    events_of_one_group_keep_their_order_while_groups_interleave,
    shutdown_commits_what_was_submitted_before_it,
);
