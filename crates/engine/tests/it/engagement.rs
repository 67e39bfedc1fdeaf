//! Sign-in and points through the pipeline (issue 5, begun): streaks by the event's own day,
//! caps that spam cannot beat, a ledger that replays never pay twice.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use steward_domain::{
    Action, Event, EventKind, MemberProfile, MemberRole, OutSegment, Platform, Segment,
};
use steward_engine::features::{FeaturesConfig, registry};
use steward_engine::{Outcome, Pipeline, PipelineConfig};
use steward_store::Database;
use steward_store::testing::TestDatabase;

use crate::{block_on, blocking};

/// Noon in China on day `day` of June 2026, plus `seconds`.
fn at(day: i64, seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 4, 0, 0).unwrap()
        + Duration::days(day)
        + Duration::seconds(seconds)
}

fn said(id: &str, user: &str, time: DateTime<Utc>, text: &str) -> Event {
    Event {
        platform: Platform::OneBot,
        account: "bot".into(),
        chat: "g".into(),
        id: Some(id.to_owned()),
        time,
        kind: EventKind::Message {
            sender: MemberProfile {
                id: user.into(),
                name: format!("member {user}"),
                nickname: None,
                role: MemberRole::Member,
                is_bot: false,
            },
            segments: vec![Segment::text(text)],
            reply_to: None,
        },
    }
}

/// The defaults, with a point for each real message (off by default).
async fn start(database: &Arc<Database>) -> Pipeline {
    let mut config = FeaturesConfig::default();
    config.engagement.message_points = 1;
    Pipeline::start(
        Arc::clone(database),
        registry(&config, &Default::default()),
        &PipelineConfig::default(),
    )
    .await
    .unwrap()
}

async fn reply(pipeline: &Pipeline, database: &Database, event: Event) -> String {
    let Outcome::Applied { event_id, .. } = pipeline.process(event).await.unwrap() else {
        return String::new();
    };
    blocking(|| database.actions_for_event(event_id))
        .unwrap()
        .into_iter()
        .filter_map(|entry| match entry.action {
            Action::Send { segments, .. } => Some(
                segments
                    .into_iter()
                    .filter_map(|segment| match segment {
                        OutSegment::Text { text } => Some(text),
                        OutSegment::Mention { .. } => None,
                    })
                    .collect::<String>(),
            ),
            _ => None,
        })
        .collect()
}

fn ids(database: &Database, user: &str) -> (i64, i64) {
    let group = database.group_id("onebot", "g").unwrap().unwrap();
    let member = database
        .dump()
        .unwrap()
        .into_iter()
        .find(|table| table.table == "members")
        .unwrap()
        .rows
        .into_iter()
        .find(|row| row.0[2] == steward_store::Cell::Text(user.to_owned()))
        .map(|row| match row.0[0] {
            steward_store::Cell::Int(id) => id,
            _ => 0,
        })
        .unwrap();
    (group, member)
}

fn seven_days_of_sign_in_make_a_streak_of_seven(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start(&database).await;
        let mut last = String::new();
        for day in 0..7 {
            last = reply(
                &pipeline,
                &database,
                said(&format!("c{day}"), "1", at(day, 0), "签到"),
            )
            .await;
        }
        assert!(last.contains("连续 7 天"), "{last}");
        let again = reply(&pipeline, &database, said("c7", "1", at(6, 60), "/checkin")).await;
        assert!(
            again.contains("已经签到") && again.contains("连续 7 天"),
            "{again}"
        );
        // A day missed: the streak starts over.
        let after_gap = reply(&pipeline, &database, said("c8", "1", at(8, 0), "签到")).await;
        assert!(after_gap.contains("连续 1 天"), "{after_gap}");
        // Inside a sentence it is chat.
        let chat = reply(
            &pipeline,
            &database,
            said("c9", "2", at(8, 5), "我今天忘了签到"),
        )
        .await;
        assert!(chat.is_empty(), "{chat}");
        // 10 + 12 + 14 + 16 + 18 + 20 + 22 for the week, 10 after the gap.
        let points = reply(&pipeline, &database, said("c10", "1", at(8, 10), "积分")).await;
        assert!(points.contains("122 积分"), "{points}");
        pipeline.shutdown().await;
    });
}

fn spam_earns_no_more_than_the_caps(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start(&database).await;
        // 200 one-character messages: too short to pay anything.
        for i in 0..200 {
            reply(
                &pipeline,
                &database,
                said(&format!("s{i}"), "3", at(0, i), "哈"),
            )
            .await;
        }
        // 200 real messages in 200 seconds: one a minute at most.
        for i in 0..200 {
            reply(
                &pipeline,
                &database,
                said(
                    &format!("l{i}"),
                    "3",
                    at(1, i),
                    &format!("今天的训练第{i}组完成了"),
                ),
            )
            .await;
        }
        // 200 real messages over 200 minutes: the daily cap of 20.
        for i in 0..200 {
            reply(
                &pipeline,
                &database,
                said(
                    &format!("m{i}"),
                    "3",
                    at(2, i * 60),
                    &format!("第{i}条认真的发言内容"),
                ),
            )
            .await;
        }
        pipeline.shutdown().await;
        let (group, member) = blocking(|| ids(&database, "3"));
        let (balance, ledger) = blocking(|| database.points_of(group, member)).unwrap();
        assert_eq!(balance, ledger);
        assert_eq!(
            balance,
            4 + 20,
            "day 0: nothing; day 1: four minutes; day 2: the cap"
        );
    });
}

fn replayed_events_never_pay_twice(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    // A seeded mix of sign-ins, chat and queries by five members over ten days.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let events: Vec<Event> = (0..600)
        .map(|i| {
            let user = (next() % 5).to_string();
            let day = (i / 60) as i64;
            let text = match next() % 6 {
                0 => "签到".to_owned(),
                1 => "积分".to_owned(),
                2 => "好".to_owned(),
                _ => format!("这是第{i}条比较长的消息"),
            };
            said(
                &format!("r{i}"),
                &user,
                at(day, (i % 60) as i64 * 45),
                &text,
            )
        })
        .collect();
    block_on(async {
        let pipeline = start(&database).await;
        for event in events.clone() {
            pipeline.process(event).await.unwrap();
        }
        pipeline.shutdown().await;
        let once = blocking(|| database.dump()).unwrap();
        // Everything again, through a new pipeline (a restart, a platform redelivering).
        let pipeline = start(&database).await;
        for event in events {
            assert_eq!(pipeline.process(event).await.unwrap(), Outcome::Duplicate);
        }
        pipeline.shutdown().await;
        assert_eq!(blocking(|| database.dump()).unwrap(), once);
        assert_eq!(
            blocking(|| database.verify()).unwrap(),
            Vec::<String>::new()
        );
        for user in 0..5 {
            let (group, member) = blocking(|| ids(&database, &user.to_string()));
            let (balance, ledger) = blocking(|| database.points_of(group, member)).unwrap();
            assert_eq!(balance, ledger, "member {user}");
        }
    });
}

fn an_ad_earns_no_points(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start(&database).await;
        let ad = said(
            "a1",
            "9",
            at(0, 0),
            "加我ｖｘ：ａｂｃ１２３４５６ 优惠多多，名额有限",
        );
        pipeline.process(ad).await.unwrap();
        pipeline.shutdown().await;
        let (group, member) = blocking(|| ids(&database, "9"));
        assert_eq!(
            blocking(|| database.points_of(group, member)).unwrap(),
            (0, 0)
        );
    });
}

steward_store::on_both_backends!(
    seven_days_of_sign_in_make_a_streak_of_seven,
    spam_earns_no_more_than_the_caps,
    replayed_events_never_pay_twice,
    an_ad_earns_no_points,
);
