//! A property test of the points ledger: whatever members do, in whatever order the platform
//! delivers it and however often it redelivers, the balance equals the ledger's sum, a day pays
//! one sign-in and at most the message cap, and a replay changes nothing.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use steward_domain::{Event, EventKind, MemberProfile, MemberRole, MessageId, Platform, Segment};
use steward_engine::features::{FeaturesConfig, registry};
use steward_engine::{Outcome, Pipeline, PipelineConfig};
use steward_store::moderation::Documents;
use steward_store::testing::TestDatabase;
use steward_store::{Cell, Database};

use crate::{block_on, blocking};

const SETTINGS: &str = r#"{"messages": {"points": 2, "min_chars": 4, "interval_seconds": 60,
    "daily_cap": 3}, "checkin": {"makeup_cost": 5}, "questions": {"answer_points": 3}}"#;

/// What one member does.
#[derive(Debug, Clone)]
enum Act {
    CheckIn,
    MakeUp,
    Talk,
    Short,
    Ask,
    /// Replies to the `n`th message so far.
    Answer(usize),
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        3 => Just(Act::CheckIn),
        1 => Just(Act::MakeUp),
        4 => Just(Act::Talk),
        1 => Just(Act::Short),
        1 => Just(Act::Ask),
        1 => any::<usize>().prop_map(Act::Answer),
    ]
}

fn time(minutes: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap() + Duration::minutes(i64::from(minutes))
}

fn events(script: &[(u8, Act, u32)]) -> Vec<Event> {
    script
        .iter()
        .enumerate()
        .map(|(index, (member, act, minutes))| {
            let text = match act {
                Act::CheckIn => "签到".to_owned(),
                Act::MakeUp => "补签".to_owned(),
                Act::Talk => format!("第{index}条认真的发言"),
                Act::Short => "好".to_owned(),
                Act::Ask => "明天几点集合？".to_owned(),
                Act::Answer(_) => "八点，东门".to_owned(),
            };
            let reply_to = match act {
                Act::Answer(n) if index > 0 => Some(MessageId(format!("e{}", n % index))),
                _ => None,
            };
            Event {
                platform: Platform::OneBot,
                account: "bot".into(),
                chat: "g".into(),
                id: Some(format!("e{index}")),
                time: time(*minutes),
                kind: EventKind::Message {
                    sender: MemberProfile {
                        id: steward_domain::UserId(member.to_string()),
                        name: format!("m{member}"),
                        nickname: None,
                        role: MemberRole::Member,
                        is_bot: false,
                    },
                    segments: vec![Segment::text(text)],
                    reply_to,
                },
            }
        })
        .collect()
}

async fn start(database: &Arc<Database>) -> Pipeline {
    Pipeline::start(
        Arc::clone(database),
        registry(&FeaturesConfig::default(), &Default::default()),
        &PipelineConfig::default(),
    )
    .await
    .unwrap()
}

fn check(script: &[(u8, Act, u32)], redeliver: &[(usize, usize)]) {
    let test = TestDatabase::sqlite("ledger-property").unwrap();
    let database = Arc::new(blocking(|| test.open()).unwrap());
    blocking(|| {
        database.set_document(
            Documents::Engagement,
            "default",
            SETTINGS,
            "test",
            Utc::now(),
        )
    })
    .unwrap();
    let events = events(script);
    // Redeliveries of earlier events, slipped in after event `after`.
    let mut order: Vec<(usize, bool)> = (0..events.len()).map(|index| (index, false)).collect();
    for (after, which) in redeliver {
        let after = after % events.len();
        order.insert(after + 1, (which % (after + 1), true));
    }
    block_on(async {
        let pipeline = start(&database).await;
        let mut seen = vec![false; events.len()];
        for (index, again) in order {
            let outcome = pipeline.process(events[index].clone()).await.unwrap();
            let duplicate = outcome == Outcome::Duplicate;
            assert_eq!(
                duplicate, seen[index],
                "event {index} (redelivery: {again})"
            );
            seen[index] = true;
        }
        pipeline.shutdown().await;
        let once = blocking(|| database.dump()).unwrap();
        // Everything once more, after a restart: nothing changes.
        let pipeline = start(&database).await;
        for event in &events {
            assert_eq!(
                pipeline.process(event.clone()).await.unwrap(),
                Outcome::Duplicate
            );
        }
        pipeline.shutdown().await;
        assert_eq!(blocking(|| database.dump()).unwrap(), once);
    });
    assert_eq!(
        blocking(|| database.verify()).unwrap(),
        Vec::<String>::new()
    );
    // points_ledger: id, group_id, member_id, amount, reason, event_id, day, time.
    let ledger = blocking(|| database.dump())
        .unwrap()
        .into_iter()
        .find(|table| table.table == "points_ledger")
        .unwrap();
    let int = |cell: &Cell| match cell {
        Cell::Int(value) => *value,
        other => panic!("{other:?}"),
    };
    let mut per_day: HashMap<(i64, String, i64), i64> = HashMap::new();
    let mut sums: HashMap<i64, i64> = HashMap::new();
    for row in &ledger.rows {
        let cells = &row.0;
        let (member, amount, day) = (int(&cells[2]), int(&cells[3]), int(&cells[6]));
        let Cell::Text(reason) = &cells[4] else {
            panic!("{cells:?}")
        };
        *per_day.entry((member, reason.clone(), day)).or_default() += 1;
        *sums.entry(member).or_default() += amount;
    }
    for ((member, reason, day), count) in &per_day {
        let cap = match reason.as_str() {
            "checkin" => 1,
            "message" => 3,
            _ => i64::MAX,
        };
        assert!(
            *count <= cap,
            "member {member}: {count} × {reason} on day {day}"
        );
    }
    let group = blocking(|| database.group_id("onebot", "g"))
        .unwrap()
        .unwrap();
    for (member, sum) in sums {
        let (balance, ledger) = blocking(|| database.points_of(group, member)).unwrap();
        assert_eq!((balance, ledger), (sum, sum), "member {member}");
        assert!(
            balance >= 0,
            "member {member} spent points they did not have"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_balance_is_the_ledger_and_replays_never_pay_twice(
        script in prop::collection::vec((0u8..4, act(), 0u32..(6 * 24 * 60)), 1..70),
        redeliver in prop::collection::vec((any::<usize>(), any::<usize>()), 0..30),
    ) {
        check(&script, &redeliver);
    }
}
