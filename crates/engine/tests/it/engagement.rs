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
use steward_store::moderation::Documents;
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
    start_with(database, r#"{"messages": {"points": 1}}"#).await
}

/// The defaults under the deployment's settings document `settings`.
async fn start_with(database: &Arc<Database>, settings: &str) -> Pipeline {
    blocking(|| {
        database.set_document(
            Documents::Engagement,
            "default",
            settings,
            "test",
            Utc::now(),
        )
    })
    .unwrap();
    Pipeline::start(
        Arc::clone(database),
        registry(&FeaturesConfig::default(), &Default::default()),
        &PipelineConfig::default(),
    )
    .await
    .unwrap()
}

fn joined(id: &str, user: &str, name: &str, time: DateTime<Utc>) -> Event {
    Event {
        platform: Platform::OneBot,
        account: "bot".into(),
        chat: "g".into(),
        id: Some(id.to_owned()),
        time,
        kind: EventKind::MemberJoined {
            member: MemberProfile {
                id: user.into(),
                name: name.to_owned(),
                nickname: None,
                role: MemberRole::Member,
                is_bot: false,
            },
            inviter: None,
            invite_link: None,
        },
    }
}

/// A message from a member whose nickname in the group is `nickname`.
fn said_as(id: &str, user: &str, nickname: &str, time: DateTime<Utc>, text: &str) -> Event {
    let mut event = said(id, user, time, text);
    if let EventKind::Message { sender, .. } = &mut event.kind {
        sender.nickname = Some(nickname.to_owned());
    }
    event
}

/// The text of a send action, mentions as `@user`.
fn text_of(action: &Action) -> String {
    match action {
        Action::Send { segments, .. } => segments
            .iter()
            .map(|segment| match segment {
                OutSegment::Text { text } => text.clone(),
                OutSegment::Mention { user } => format!("@{}", user.0),
            })
            .collect(),
        _ => String::new(),
    }
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

/// The issue's story: a member joins and is welcomed by name, is reminded of the nickname rule
/// until the nickname matches, introduces themselves, and their profile shows city and hobbies.
fn a_newcomer_is_welcomed_reminded_and_profiled(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start_with(
            &database,
            r#"{"nickname": {"pattern": "城市-行业-姓名", "reminders": 2, "interval_minutes": 60},
                "welcome": {"template": "欢迎 {mention}（{name}）！群名片请改成：{nickname_rule}"}}"#,
        )
        .await;
        let welcome = reply(&pipeline, &database, joined("j1", "7", "小王<b>", at(0, 0))).await;
        assert_eq!(welcome, "欢迎 （小王<b>）！群名片请改成：城市-行业-姓名");
        let first = reply(
            &pipeline,
            &database,
            said_as("n1", "7", "小王", at(0, 60), "大家好"),
        )
        .await;
        assert!(
            first.contains("城市-行业-姓名") && first.contains("1/2"),
            "{first}"
        );
        // Within the hour: no second reminder yet.
        let quiet = reply(
            &pipeline,
            &database,
            said_as("n2", "7", "小王", at(0, 600), "在吗"),
        )
        .await;
        assert!(quiet.is_empty(), "{quiet}");
        let second = reply(
            &pipeline,
            &database,
            said_as("n3", "7", "小王", at(0, 3700), "hi"),
        )
        .await;
        assert!(second.contains("2/2"), "{second}");
        // At most two: then the operator's list is what remains.
        let done = reply(
            &pipeline,
            &database,
            said_as("n4", "7", "小王", at(0, 7400), "hi"),
        )
        .await;
        assert!(done.is_empty(), "{done}");
        let group = blocking(|| database.group_id("onebot", "g"))
            .unwrap()
            .unwrap();
        let listed = blocking(|| database.nicknames(group)).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].reminders, 2);
        // The nickname now matches: no more reminders, whatever the count.
        let intro = reply(
            &pipeline,
            &database,
            said_as(
                "n5",
                "7",
                "上海-互联网-小王",
                at(0, 20_000),
                "大家好，我是小王，坐标上海，做产品经理，平时喜欢跑步和摄影",
            ),
        )
        .await;
        assert!(!intro.contains("群名片"), "{intro}");
        assert!(
            intro.contains("上海") && intro.contains("跑步、摄影"),
            "{intro}"
        );
        pipeline.shutdown().await;
        let (_, member) = blocking(|| ids(&database, "7"));
        let profile = blocking(|| database.profile(member)).unwrap().unwrap();
        assert_eq!(profile.city.as_deref(), Some("上海"));
        assert_eq!(profile.occupation.as_deref(), Some("产品经理"));
        assert_eq!(profile.interests.as_deref(), Some("跑步、摄影"));
        assert!(
            profile
                .tags
                .contains(&("interest".to_owned(), "摄影".to_owned()))
        );
        assert!(
            profile
                .tags
                .contains(&("region".to_owned(), "上海".to_owned()))
        );
    });
}

/// One join is welcomed at once; the joins in the seconds after it are welcomed together, in
/// one message that waits for the window to close.
fn joins_in_a_burst_are_welcomed_together(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start_with(
            &database,
            r#"{"language": "en", "welcome": {"template": "Welcome {name}!", "batch_seconds": 10}}"#,
        )
        .await;
        let applied = |outcome: Outcome| match outcome {
            Outcome::Applied { event_id, .. } => event_id,
            other => panic!("{other:?}"),
        };
        let first = applied(
            pipeline
                .process(joined("b1", "1", "Ann", at(0, 0)))
                .await
                .unwrap(),
        );
        let second = applied(
            pipeline
                .process(joined("b2", "2", "Bob", at(0, 2)))
                .await
                .unwrap(),
        );
        let third = applied(
            pipeline
                .process(joined("b3", "3", "Cy", at(0, 3)))
                .await
                .unwrap(),
        );
        let late = applied(
            pipeline
                .process(joined("b4", "4", "Di", at(0, 30)))
                .await
                .unwrap(),
        );
        pipeline.shutdown().await;
        let texts = |event_id| {
            blocking(|| database.actions_for_event(event_id))
                .unwrap()
                .iter()
                .map(|entry| text_of(&entry.action))
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(first), ["Welcome Ann!"]);
        assert_eq!(
            texts(second),
            ["Welcome Bob, Cy!"],
            "one message for the burst"
        );
        assert!(texts(third).is_empty());
        assert_eq!(texts(late), ["Welcome Di!"]);
        // The batch waits for the window's end; the others go at once.
        let claim = |seconds| {
            blocking(|| {
                database.claim_actions(
                    Platform::OneBot,
                    &"bot".into(),
                    10,
                    Utc::now() + Duration::seconds(seconds),
                    std::time::Duration::from_secs(60),
                )
            })
            .unwrap()
            .iter()
            .map(|entry| text_of(&entry.action))
            .collect::<Vec<_>>()
        };
        assert_eq!(claim(0), ["Welcome Ann!", "Welcome Di!"]);
        assert_eq!(claim(20), ["Welcome Bob, Cy!"]);
    });
}

/// Keyword answers with their cooldown; questions nobody answered are listed, and the member
/// whose reply answers one earns points.
fn keyword_answers_and_open_questions(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start_with(
            &database,
            r#"{"answers": [{"keywords": ["几点开门", "营业时间"], "reply": "每天 9:00–21:00", "cooldown_seconds": 300}],
                "questions": {"minutes": 30, "answer_points": 5}}"#,
        )
        .await;
        let answer = reply(
            &pipeline,
            &database,
            said("q1", "1", at(0, 0), "请问几点开门？"),
        )
        .await;
        assert_eq!(answer, "每天 9:00–21:00");
        let cooled = reply(
            &pipeline,
            &database,
            said("q2", "2", at(0, 60), "营业时间是？"),
        )
        .await;
        assert!(cooled.is_empty(), "within the cooldown: {cooled}");
        let again = reply(
            &pipeline,
            &database,
            said("q3", "3", at(0, 400), "营业时间是？"),
        )
        .await;
        assert_eq!(again, "每天 9:00–21:00");
        // Two questions nobody's keywords answer; one gets a member's reply.
        reply(
            &pipeline,
            &database,
            said("q4", "1", at(0, 500), "有人知道停车场在哪吗"),
        )
        .await;
        reply(
            &pipeline,
            &database,
            said("q5", "2", at(0, 600), "明天还跑吗？"),
        )
        .await;
        let mut answer = said("q6", "3", at(0, 700), "地下二层，从东门进");
        if let EventKind::Message { reply_to, .. } = &mut answer.kind {
            *reply_to = Some(steward_domain::MessageId("q4".to_owned()));
        }
        pipeline.process(answer).await.unwrap();
        // The asker replying to their own question answers nothing.
        let mut own = said("q7", "2", at(0, 800), "还有人在吗");
        if let EventKind::Message { reply_to, .. } = &mut own.kind {
            *reply_to = Some(steward_domain::MessageId("q5".to_owned()));
        }
        pipeline.process(own).await.unwrap();
        pipeline.shutdown().await;
        let later = at(0, 4000).timestamp_millis();
        let open = blocking(|| database.open_questions(None, later, 10)).unwrap();
        let texts: Vec<_> = open.iter().map(|question| question.text.as_str()).collect();
        // The question asked again within the cooldown counts as answered: the answer is right
        // above it.
        assert_eq!(texts, ["还有人在吗", "明天还跑吗？"]);
        // Not yet 30 minutes old at the time asked: nothing listed before then.
        let early = at(0, 550).timestamp_millis();
        assert!(
            blocking(|| database.open_questions(None, early, 10))
                .unwrap()
                .is_empty()
        );
        let (group, member) = blocking(|| ids(&database, "3"));
        assert_eq!(
            blocking(|| database.points_of(group, member)).unwrap(),
            (5, 5)
        );
    });
}

/// A missed day is made up for points, and the streak runs on across it.
fn a_make_up_joins_the_streak(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start_with(&database, r#"{"checkin": {"makeup_cost": 30}}"#).await;
        for (id, day) in [("m0", 0), ("m1", 1), ("m3", 3)] {
            reply(&pipeline, &database, said(id, "1", at(day, 0), "签到")).await;
        }
        // 10 + 12, then 10 after the gap: 32.
        let poor = reply(&pipeline, &database, said("m4", "2", at(3, 5), "补签")).await;
        assert!(poor.contains("没有可以补签"), "{poor}");
        let made = reply(&pipeline, &database, said("m5", "1", at(3, 10), "补签")).await;
        assert!(
            made.contains("连续 4 天") && made.contains("剩 2 积分"),
            "{made}"
        );
        let none_left = reply(&pipeline, &database, said("m6", "1", at(3, 20), "补签")).await;
        assert!(none_left.contains("没有可以补签"), "{none_left}");
        let next = reply(&pipeline, &database, said("m7", "1", at(4, 0), "签到")).await;
        assert!(next.contains("连续 5 天"), "{next}");
        pipeline.shutdown().await;
        let (group, member) = blocking(|| ids(&database, "1"));
        let (balance, ledger) = blocking(|| database.points_of(group, member)).unwrap();
        assert_eq!((balance, ledger), (2 + 18, 2 + 18));
    });
}

/// Leaderboards of a period count what was earned in it; a group set's board adds up its
/// groups.
fn leaderboards_by_period_and_group_set(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start(&database).await;
        // Member 1 signs in on Monday 2026-06-01 (day 0) and Wednesday; member 2 on Wednesday
        // in this group and in another of the same set.
        reply(&pipeline, &database, said("t1", "1", at(0, 0), "签到")).await;
        reply(&pipeline, &database, said("t2", "1", at(2, 0), "签到")).await;
        reply(&pipeline, &database, said("t3", "2", at(2, 5), "签到")).await;
        let mut elsewhere = said("t4", "2", at(2, 10), "签到");
        elsewhere.chat = "h".into();
        pipeline.process(elsewhere).await.unwrap();
        let today = reply(
            &pipeline,
            &database,
            said("t5", "1", at(2, 20), "/top today"),
        )
        .await;
        assert!(
            today.contains("今日积分榜")
                && today.contains("1. member 1 10")
                && today.contains("2. member 2 10"),
            "{today}"
        );
        let week = reply(&pipeline, &database, said("t6", "1", at(2, 30), "本周排行")).await;
        assert!(week.contains("1. member 1 20\n2. member 2 10"), "{week}");
        let group_h = blocking(|| database.group_id("onebot", "h"))
            .unwrap()
            .unwrap();
        let group_g = blocking(|| database.group_id("onebot", "g"))
            .unwrap()
            .unwrap();
        for group in [group_g, group_h] {
            blocking(|| database.set_group_set(group, Some("跑团"))).unwrap();
        }
        let set = reply(
            &pipeline,
            &database,
            said("t7", "1", at(2, 40), "/top week set"),
        )
        .await;
        assert!(
            set.contains("跑团") && set.contains("1. member 1 20\n2. member 2 20"),
            "{set}"
        );
        pipeline.shutdown().await;
    });
}

fn asks(id: &str, user: &str, answer: &str, time: DateTime<Utc>) -> Event {
    Event {
        platform: Platform::OneBot,
        account: "bot".into(),
        chat: "g".into(),
        id: Some(id.to_owned()),
        time,
        kind: EventKind::JoinRequest {
            applicant: MemberProfile {
                id: user.into(),
                name: format!("member {user}"),
                nickname: None,
                role: MemberRole::Member,
                is_bot: false,
            },
            answer: Some(answer.to_owned()),
        },
    }
}

/// Every action queued for an event, after it went through the pipeline.
async fn acted(pipeline: &Pipeline, database: &Database, event: Event) -> Vec<Action> {
    let outcome = pipeline.process(event).await.unwrap();
    let Outcome::Applied { event_id, .. } = outcome else {
        panic!("{outcome:?}")
    };
    blocking(|| database.actions_for_event(event_id))
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

/// A question on join requests: the right answer (as QQ words a request's comment) is approved,
/// a wrong one rejected with the reason; every decision is in the audit log.
fn join_requests_are_screened_by_a_question(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start_with(
            &database,
            r#"{"screening": {"mode": "question", "question": "本群的暗号是？", "answers": ["芝麻开门"]}}"#,
        )
        .await;
        let right = acted(
            &pipeline,
            &database,
            asks(
                "r1",
                "1",
                "问题：本群的暗号是？\n答案：芝麻 开门！",
                at(0, 0),
            ),
        )
        .await;
        assert!(
            matches!(&right[..], [action] if *action == Action::ApproveJoin { request: "r1".into() }),
            "{right:?}"
        );
        let wrong = acted(&pipeline, &database, asks("r2", "2", "不知道", at(0, 5))).await;
        assert!(
            matches!(&wrong[..], [action] if *action == Action::RejectJoin { request: "r2".into(), reason: Some("答案不对".into()) }),
            "{wrong:?}"
        );
        // The approved member joins: welcomed at once, not asked again.
        let welcome = reply(&pipeline, &database, joined("j1", "1", "Ann", at(0, 60))).await;
        assert!(welcome.contains("欢迎"), "{welcome}");
        assert!(!welcome.contains("暗号"), "{welcome}");
        pipeline.shutdown().await;
        let audit = blocking(|| database.audit_page(None, 20)).unwrap();
        let steps: Vec<&str> = audit.iter().map(|entry| entry.action.as_str()).collect();
        assert!(
            steps.contains(&"screening.approve") && steps.contains(&"screening.reject"),
            "{steps:?}"
        );
    });
}

/// Codes: one use each, expiry, and members who joined without a request answer in the group
/// within the limit, or are removed exactly once.
fn join_codes_and_the_time_limit(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    let now = Utc::now();
    blocking(|| {
        database.issue_join_codes(
            &["K7QZM2PX".into()],
            "default",
            "invite",
            1,
            None,
            "",
            "test",
            now,
        )?;
        database.issue_join_codes(
            &["OLDCODE1".into()],
            "default",
            "invite",
            5,
            Some(at(0, 0).timestamp_millis()),
            "",
            "test",
            now,
        )?;
        database.issue_join_codes(
            &["PAIDCODE".into()],
            "default",
            "paid",
            5,
            None,
            "",
            "test",
            now,
        )
    })
    .unwrap();
    block_on(async {
        let pipeline = start_with(
            &database,
            r#"{"screening": {"mode": "invite", "minutes": 5, "attempts": 2}}"#,
        )
        .await;
        let first = acted(
            &pipeline,
            &database,
            asks("c1", "1", "邀请码 k7qz-m2px", at(1, 0)),
        )
        .await;
        assert!(matches!(first[0], Action::ApproveJoin { .. }), "{first:?}");
        let again = acted(&pipeline, &database, asks("c2", "2", "K7QZM2PX", at(1, 5))).await;
        assert!(
            matches!(&again[0], Action::RejectJoin { reason: Some(reason), .. } if reason == "邀请码已用完"),
            "{again:?}"
        );
        let old = acted(&pipeline, &database, asks("c3", "3", "OLDCODE1", at(1, 6))).await;
        assert!(
            matches!(&old[0], Action::RejectJoin { reason: Some(reason), .. } if reason == "邀请码已过期"),
            "{old:?}"
        );

        // Joined without a request: asked, and the removal is queued for five minutes later.
        let asked = acted(&pipeline, &database, joined("j4", "4", "Dee", at(1, 60))).await;
        assert_eq!(
            asked.len(),
            2,
            "the question and the queued removal: {asked:?}"
        );
        assert!(
            asked
                .iter()
                .any(|action| text_of(action).contains("邀请码")),
            "{asked:?}"
        );
        assert!(asked.contains(&Action::Kick {
            member: "4".into(),
            refuse_rejoin: false
        }));
        // Joined again while asked (a redelivery under another key, a quick leave and rejoin):
        // one removal stands, and the right answer withdraws it.
        acted(&pipeline, &database, joined("j4b", "4", "Dee", at(1, 70))).await;
        // The right code in the group: the removal is withdrawn and the member welcomed.
        let passed = reply(&pipeline, &database, said("p4", "4", at(1, 90), "PAIDCODE")).await;
        assert!(passed.contains("欢迎"), "{passed}");
        // Another never answers; a third answers wrong twice and is removed at once.
        pipeline
            .process(joined("j5", "5", "Eve", at(1, 100)))
            .await
            .unwrap();
        pipeline
            .process(joined("j6", "6", "Fay", at(1, 110)))
            .await
            .unwrap();
        let wrong = reply(
            &pipeline,
            &database,
            said("w6", "6", at(1, 120), "我没有码"),
        )
        .await;
        assert!(
            wrong.contains("没有提供邀请码") && wrong.contains("1 次"),
            "{wrong}"
        );
        let removed = acted(
            &pipeline,
            &database,
            said("x6", "6", at(1, 130), "ABCDEFGH"),
        )
        .await;
        assert_eq!(
            removed,
            [Action::Kick {
                member: "6".into(),
                refuse_rejoin: false
            }]
        );
        pipeline.shutdown().await;
        let claim = |seconds| {
            blocking(|| {
                database.claim_actions(
                    Platform::OneBot,
                    &"bot".into(),
                    50,
                    Utc::now() + Duration::seconds(seconds),
                    std::time::Duration::from_secs(3600),
                )
            })
            .unwrap()
            .into_iter()
            .filter(|entry| matches!(entry.action, Action::Kick { .. }))
            .map(|entry| entry.action)
            .collect::<Vec<_>>()
        };
        assert_eq!(
            claim(0),
            [Action::Kick {
                member: "6".into(),
                refuse_rejoin: false
            }],
            "only the one out of tries, now"
        );
        assert_eq!(
            claim(6 * 60),
            [Action::Kick {
                member: "5".into(),
                refuse_rejoin: false
            }],
            "the one who never answered, after the limit"
        );
        let audit = blocking(|| database.audit_page(None, 50)).unwrap();
        let steps: Vec<&str> = audit.iter().map(|entry| entry.action.as_str()).collect();
        for step in [
            "screening.approve",
            "screening.reject",
            "screening.ask",
            "screening.pass",
            "screening.wrong",
            "screening.remove",
        ] {
            assert!(steps.contains(&step), "{step} in {steps:?}");
        }
    });
}

/// Levels by points and days signed in, the title set where the platform has titles, badges
/// for milestones, each said once in the group.
fn levels_titles_and_badges(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start_with(
            &database,
            r#"{"levels": {"ladder": [{"title": "新人"}, {"title": "常客", "points": 30, "days": 3}]}}"#,
        )
        .await;
        let mut titles = Vec::new();
        let mut said = Vec::new();
        for day in 0..7 {
            for action in acted(&pipeline, &database, said_as_member("1", day)).await {
                match action {
                    Action::SetTitle { member, title } => titles.push((member.0, title)),
                    other => said.push(text_of(&other)),
                }
            }
        }
        pipeline.shutdown().await;
        assert_eq!(
            titles,
            [("1".to_owned(), "常客".to_owned())],
            "once, on the third day"
        );
        let level_up: Vec<_> = said
            .iter()
            .filter(|text| text.contains("升到第 1 级：常客"))
            .collect();
        assert_eq!(level_up.len(), 1, "{said:?}");
        assert!(
            said[3].contains("升到第 1 级"),
            "after day three's reply: {said:?}"
        );
        let badge: Vec<_> = said
            .iter()
            .filter(|text| text.contains("连续签到 7 天"))
            .collect();
        assert_eq!(badge.len(), 1, "the badge, once: {said:?}");
        let (_, member) = blocking(|| ids(&database, "1"));
        let rewards = blocking(|| database.rewards_of(member)).unwrap();
        assert_eq!(rewards[0].1, "常客");
        assert_eq!(rewards[0].2, ["streak-7"]);
    });
}

fn said_as_member(user: &str, day: i64) -> Event {
    said(&format!("lv{day}"), user, at(day, 0), "签到")
}

/// On the clock: an invitation pays the inviter when the member is still there a week later
/// (not when they left), and birthdays are greeted once, at the group's time.
fn invitations_and_birthdays_on_the_clock(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start_with(&database, r#"{"invites": {"points": 20}}"#).await;
        reply(&pipeline, &database, said("i0", "1", at(0, 0), "大家好")).await;
        let birthday = reply(
            &pipeline,
            &database,
            said("i1", "1", at(0, 10), "我的生日 6月20日"),
        )
        .await;
        assert!(birthday.contains("06-20"), "{birthday}");
        for (id, user) in [("i2", "2"), ("i3", "3")] {
            let mut join = joined(id, user, "newcomer", at(1, 0));
            if let EventKind::MemberJoined { inviter, .. } = &mut join.kind {
                *inviter = Some("1".into());
            }
            pipeline.process(join).await.unwrap();
        }
        let left = Event {
            platform: Platform::OneBot,
            account: "bot".into(),
            chat: "g".into(),
            id: Some("i4".into()),
            time: at(2, 0),
            kind: EventKind::MemberLeft {
                member: "3".into(),
                reason: steward_domain::LeaveReason::Left,
            },
        };
        pipeline.process(left).await.unwrap();
        pipeline.shutdown().await;
        let (group, inviter) = blocking(|| ids(&database, "1"));
        let pass = |when: DateTime<Utc>| {
            blocking(|| steward_engine::engagement::scheduled_pass(&database, when)).unwrap()
        };
        assert_eq!(pass(at(7, 0)), 0, "not a week yet");
        assert_eq!(pass(at(8, 1)), 1, "member 2 stayed; member 3 left");
        assert_eq!(pass(at(9, 0)), 0, "paid once");
        assert_eq!(
            blocking(|| database.points_of(group, inviter)).unwrap(),
            (20, 20)
        );
        // Member 2 leaves and is invited back: no second payment for the same member.
        let pipeline = start_with(&database, r#"{"invites": {"points": 20}}"#).await;
        let mut gone = said("i5", "2", at(10, 0), "bye");
        gone.kind = EventKind::MemberLeft {
            member: "2".into(),
            reason: steward_domain::LeaveReason::Left,
        };
        pipeline.process(gone).await.unwrap();
        let mut back = joined("i6", "2", "newcomer", at(11, 0));
        if let EventKind::MemberJoined { inviter, .. } = &mut back.kind {
            *inviter = Some("1".into());
        }
        pipeline.process(back).await.unwrap();
        pipeline.shutdown().await;
        assert_eq!(pass(at(18, 1)), 0, "invited back: not paid again");
        assert_eq!(
            blocking(|| database.points_of(group, inviter)).unwrap(),
            (20, 20)
        );
        // 20 June 2026, 08:00 and 10:00 in Shanghai.
        let june_20 = |hour: u32| Utc.with_ymd_and_hms(2026, 6, 20, hour - 8, 0, 0).unwrap();
        assert_eq!(pass(june_20(8)), 0, "before nine");
        assert_eq!(pass(june_20(10)), 1);
        assert_eq!(pass(june_20(11)), 0, "once a year");
        let queued = blocking(|| {
            database.claim_actions(
                Platform::OneBot,
                &"bot".into(),
                50,
                Utc::now() + Duration::days(1),
                std::time::Duration::from_secs(60),
            )
        })
        .unwrap();
        let greetings: Vec<_> = queued
            .iter()
            .map(|entry| text_of(&entry.action))
            .filter(|text| text.contains("生日快乐"))
            .collect();
        assert_eq!(greetings, ["🎂 祝 @1 生日快乐！"]);
    });
}

/// A member claims a role, an operator approves it, and the clock reminds the holder daily.
fn roles_are_claimed_approved_and_reminded(test: &TestDatabase) {
    let database = Arc::new(blocking(|| test.open()).unwrap());
    block_on(async {
        let pipeline = start_with(
            &database,
            r#"{"roles": {"names": ["运动委员"], "reminders": [{"role": "运动委员", "time": "07:00", "text": "记得发今天的跑步打卡"}]}}"#,
        )
        .await;
        let claimed = reply(
            &pipeline,
            &database,
            said("o1", "1", at(0, 0), "我是运动委员！"),
        )
        .await;
        assert!(claimed.contains("已申请「运动委员」"), "{claimed}");
        let unknown = reply(
            &pipeline,
            &database,
            said("o2", "1", at(0, 5), "/role 宣传委员"),
        )
        .await;
        assert!(unknown.contains("本群的角色有：运动委员"), "{unknown}");
        let chat = reply(&pipeline, &database, said("o3", "2", at(0, 6), "我是小王")).await;
        assert!(chat.is_empty(), "not a claim: {chat}");
        let (group, member) = blocking(|| ids(&database, "1"));
        assert!(
            blocking(|| database.decide_role(group, member, "运动委员", true, "lin", Utc::now()))
                .unwrap()
        );
        let again = reply(
            &pipeline,
            &database,
            said("o4", "1", at(0, 10), "我是运动委员"),
        )
        .await;
        assert!(again.contains("你已经是「运动委员」"), "{again}");
        pipeline.shutdown().await;
        let pass = |when: DateTime<Utc>| {
            blocking(|| steward_engine::engagement::scheduled_pass(&database, when)).unwrap()
        };
        // 2 June 2026 in Shanghai: 06:30, 07:30, 08:00.
        let june_2 = |hour: i64, minute: i64| {
            Utc.with_ymd_and_hms(2026, 6, 1, 16, 0, 0).unwrap()
                + Duration::hours(hour)
                + Duration::minutes(minute)
        };
        assert_eq!(pass(june_2(6, 30)), 0, "not yet seven");
        assert_eq!(pass(june_2(7, 30)), 1);
        assert_eq!(pass(june_2(8, 0)), 0, "once a day");
        let claims = blocking(|| database.role_claims(Some(group), None)).unwrap();
        assert_eq!(
            (claims[0].role.as_str(), claims[0].status.as_str()),
            ("运动委员", "approved")
        );
    });
}

steward_store::on_both_backends!(
    roles_are_claimed_approved_and_reminded,
    levels_titles_and_badges,
    invitations_and_birthdays_on_the_clock,
    join_requests_are_screened_by_a_question,
    join_codes_and_the_time_limit,
    a_newcomer_is_welcomed_reminded_and_profiled,
    joins_in_a_burst_are_welcomed_together,
    keyword_answers_and_open_questions,
    a_make_up_joins_the_streak,
    leaderboards_by_period_and_group_set,
    seven_days_of_sign_in_make_a_streak_of_seven,
    spam_earns_no_more_than_the_caps,
    replayed_events_never_pay_twice,
    an_ad_earns_no_points,
);
