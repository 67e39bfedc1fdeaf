//! Moderation's stories through the pipeline: the out-of-the-box ladder, the fleet blacklist,
//! rules an operator stored, flood, repeats across groups, new members, night mode, and a
//! backtest that agrees with the live run.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use steward_domain::{
    Action, Event, EventKind, LeaveReason, MemberProfile, MemberRole, OutSegment, Platform, Segment,
};
use steward_engine::features::{FeaturesConfig, Shared, registry};
use steward_engine::moderation::{BacktestSpec, Rules, night_pass};
use steward_engine::{Outcome, Pipeline, PipelineConfig};
use steward_simulator::{SimConfig, Simulation};
use steward_store::Database;
use steward_store::testing::TestDatabase;

use crate::{block_on, blocking};

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn profile(user: &str, role: MemberRole) -> MemberProfile {
    MemberProfile {
        id: user.into(),
        name: format!("member {user}"),
        nickname: None,
        role,
        is_bot: false,
    }
}

fn said(
    chat: &str,
    id: &str,
    user: &str,
    role: MemberRole,
    time: DateTime<Utc>,
    text: &str,
) -> Event {
    Event {
        platform: Platform::OneBot,
        account: "bot".into(),
        chat: chat.into(),
        id: Some(id.to_owned()),
        time,
        kind: EventKind::Message {
            sender: profile(user, role),
            segments: vec![Segment::text(text)],
            reply_to: None,
        },
    }
}

fn joined(chat: &str, user: &str, time: DateTime<Utc>) -> Event {
    Event {
        platform: Platform::OneBot,
        account: "bot".into(),
        chat: chat.into(),
        id: None,
        time,
        kind: EventKind::MemberJoined {
            member: profile(user, MemberRole::Member),
            inviter: None,
            invite_link: None,
        },
    }
}

fn asks_to_join(chat: &str, request: &str, user: &str, time: DateTime<Utc>) -> Event {
    Event {
        platform: Platform::OneBot,
        account: "bot".into(),
        chat: chat.into(),
        id: Some(request.to_owned()),
        time,
        kind: EventKind::JoinRequest {
            applicant: profile(user, MemberRole::Member),
            answer: Some("hi".into()),
        },
    }
}

struct Harness {
    database: Arc<Database>,
    pipeline: Pipeline,
    shared: Shared,
}

impl Harness {
    async fn start(test: &TestDatabase) -> Harness {
        Harness::start_with(test, PipelineConfig::default()).await
    }

    async fn start_with(test: &TestDatabase, config: PipelineConfig) -> Harness {
        let database = Arc::new(blocking(|| test.open()).unwrap());
        let shared = Shared::default();
        let pipeline = Pipeline::start(
            Arc::clone(&database),
            registry(&FeaturesConfig::default(), &shared),
            &config,
        )
        .await
        .unwrap();
        Harness {
            database,
            pipeline,
            shared,
        }
    }

    /// Processes one event and returns the actions it caused.
    async fn process(&self, event: Event) -> Vec<Action> {
        let Outcome::Applied { event_id, .. } = self.pipeline.process(event).await.unwrap() else {
            panic!("a new event was taken for a duplicate");
        };
        blocking(|| self.database.actions_for_event(event_id))
            .unwrap()
            .into_iter()
            .map(|entry| entry.action)
            .collect()
    }

    fn set_rules(&self, scope: &str, json: &str) {
        blocking(|| {
            self.database
                .set_rules(scope, json, "test", Utc::now())
                .unwrap()
        });
        self.shared.moderation.rules_changed();
    }

    fn group_id(&self, chat: &str) -> i64 {
        blocking(|| self.database.group_id("onebot", chat))
            .unwrap()
            .unwrap()
    }
}

fn deleted(actions: &[Action]) -> bool {
    actions
        .iter()
        .any(|action| matches!(action, Action::DeleteMessage { .. }))
}

fn notice(actions: &[Action]) -> String {
    actions
        .iter()
        .find_map(|action| match action {
            Action::Send { segments, .. } => Some(
                segments
                    .iter()
                    .map(|segment| match segment {
                        OutSegment::Text { text } => text.clone(),
                        OutSegment::Mention { user } => format!("@{}", user.as_str()),
                    })
                    .collect::<String>(),
            ),
            _ => None,
        })
        .unwrap_or_default()
}

fn the_ladder_warns_mutes_then_kicks_and_the_fleet_refuses_the_member(test: &TestDatabase) {
    block_on(async {
        let bot = Harness::start(test).await;
        // Full-width digits and letters: ｖｘ：ａｂｃ１２３４５６.
        let first = bot
            .process(said(
                "g1",
                "1",
                "666",
                MemberRole::Member,
                at(0),
                "加我ｖｘ：ａｂｃ１２３４５６ 优惠多多",
            ))
            .await;
        assert!(deleted(&first), "{first:?}");
        let warning = notice(&first);
        assert!(warning.starts_with("@666"), "{warning}");
        assert!(warning.contains("微信号"), "the reason is said: {warning}");
        assert!(
            !warning.contains("abc") && !warning.contains("ａｂｃ"),
            "the bot does not publish the contact it deleted: {warning}"
        );
        assert!(
            warning.contains("禁言 10 分钟"),
            "the next step is said: {warning}"
        );
        assert!(
            !first
                .iter()
                .any(|a| matches!(a, Action::Mute { .. } | Action::Kick { .. }))
        );

        // An ordinary message in between changes nothing.
        let chat = bot
            .process(said(
                "g1",
                "2",
                "666",
                MemberRole::Member,
                at(1),
                "大家中午吃什么",
            ))
            .await;
        assert!(chat.is_empty(), "{chat:?}");

        let second = bot
            .process(said(
                "g1",
                "3",
                "666",
                MemberRole::Member,
                at(2),
                "联系电话 13812345678",
            ))
            .await;
        assert!(deleted(&second));
        assert!(
            second
                .iter()
                .any(|a| matches!(a, Action::Mute { seconds: 600, .. })),
            "{second:?}"
        );

        // The member is also in another group of the fleet, and an admin in a third.
        bot.process(said("g2", "20", "666", MemberRole::Member, at(3), "hello"))
            .await;
        bot.process(said("g6", "60", "666", MemberRole::Admin, at(3), "hello"))
            .await;
        // g2 and g3 never blacklist for what is said there (no `blacklist` step in their
        // ladders); they honour the fleet's blacklist all the same.
        bot.process(said("g3", "30", "1", MemberRole::Member, at(3), "hello"))
            .await;
        for group in ["g2", "g3"] {
            let scope = format!("group:{}", bot.group_id(group));
            bot.set_rules(&scope, r#"{"ladder": ["warn", "kick"]}"#);
        }
        let third = bot
            .process(said(
                "g1",
                "4",
                "666",
                MemberRole::Member,
                at(4),
                "看这里 www点cheap-deals点top",
            ))
            .await;
        assert!(deleted(&third));
        assert!(
            third.iter().any(|a| matches!(
                a,
                Action::Kick {
                    refuse_rejoin: true,
                    ..
                }
            )),
            "{third:?}"
        );
        // ...and is kicked from the other group too.
        let g2_kicks = blocking(|| bot.database.group_actions("onebot", "g2", 50)).unwrap();
        assert!(
            g2_kicks
                .iter()
                .any(|entry| matches!(entry.action, Action::Kick { .. })),
            "{g2_kicks:?}"
        );
        // ...but not where they are an admin (exempt there).
        let g6 = blocking(|| bot.database.group_actions("onebot", "g6", 50)).unwrap();
        assert!(
            !g6.iter()
                .any(|entry| matches!(entry.action, Action::Kick { .. })),
            "{g6:?}"
        );

        // Joining a third group: kicked at once. Asking to join a fourth: refused.
        let rejoin = bot.process(joined("g3", "666", at(5))).await;
        assert!(
            rejoin.iter().any(|a| matches!(
                a,
                Action::Kick {
                    refuse_rejoin: true,
                    ..
                }
            )),
            "{rejoin:?}"
        );
        assert!(
            !rejoin.iter().any(|a| matches!(a, Action::Send { .. })),
            "a refused member is not welcomed: {rejoin:?}"
        );
        // Found in another group's member list (read when the bot connects): kicked too.
        let mut seen = joined("g6", "666", at(5));
        if let EventKind::MemberJoined { member, .. } = seen.kind.clone() {
            seen.kind = EventKind::MemberSeen { member };
        }
        let listed = bot.process(seen.clone()).await;
        assert!(
            listed.iter().any(|a| matches!(
                a,
                Action::Kick {
                    refuse_rejoin: true,
                    ..
                }
            )),
            "{listed:?}"
        );
        // Listed as another group's admin: the group's admins are left alone.
        let mut admin = seen;
        admin.chat = "g7".into();
        if let EventKind::MemberSeen { member } = &mut admin.kind {
            member.role = MemberRole::Admin;
        }
        let left_alone = bot.process(admin).await;
        assert!(left_alone.is_empty(), "{left_alone:?}");
        let request = bot.process(asks_to_join("g4", "req-1", "666", at(6))).await;
        assert!(
            matches!(request.as_slice(), [Action::RejectJoin { request, .. }] if request == "req-1"),
            "{request:?}"
        );

        // Every step is in the audit log with its detector and the message.
        let audit = blocking(|| bot.database.audit_page(None, 50)).unwrap();
        let steps: Vec<&str> = audit.iter().map(|entry| entry.action.as_str()).collect();
        for step in [
            "moderation.warn",
            "moderation.mute",
            "moderation.blacklist",
            "moderation.refused",
        ] {
            assert!(steps.contains(&step), "{step} missing from {steps:?}");
        }
        assert!(audit.iter().any(|entry| {
            entry
                .detail
                .as_deref()
                .unwrap_or_default()
                .contains("detector: contact")
                && entry
                    .detail
                    .as_deref()
                    .unwrap_or_default()
                    .contains("13812345678")
        }));

        // An operator lifts the blacklisting: the member may join again.
        let member = blocking(|| bot.database.blacklisted()).unwrap()[0].member_id;
        assert!(blocking(|| bot.database.lift_blacklist(member, "owner", Utc::now())).unwrap());
        bot.shared.moderation.rules_changed(); // as the console does after a lift
        let back = bot.process(joined("g5", "666", at(7))).await;
        assert!(
            back.iter()
                .all(|action| matches!(action, Action::Send { .. })),
            "welcomed, not refused: {back:?}"
        );
        // ...and the ladder starts over: the next offence is a warning again.
        let again = bot
            .process(said(
                "g5",
                "50",
                "666",
                MemberRole::Member,
                at(8),
                "联系电话 13912345678",
            ))
            .await;
        assert!(deleted(&again));
        assert!(
            !again
                .iter()
                .any(|a| matches!(a, Action::Mute { .. } | Action::Kick { .. })),
            "{again:?}"
        );
        bot.pipeline.shutdown().await;
    });
}

fn whitelisted_members_and_admins_are_left_alone(test: &TestDatabase) {
    block_on(async {
        let bot = Harness::start(test).await;
        bot.process(said("g1", "1", "100", MemberRole::Member, at(0), "hi"))
            .await;
        let group = bot.group_id("g1");
        bot.set_rules(
            &format!("group:{group}"),
            r#"{"links": "all", "whitelist": ["op-1"]}"#,
        );
        let link = "文档在这里 https://docs.example.org/guide";
        let operator = bot
            .process(said("g1", "2", "op-1", MemberRole::Member, at(1), link))
            .await;
        assert!(operator.is_empty(), "{operator:?}");
        let admin = bot
            .process(said(
                "g1",
                "3",
                "boss",
                MemberRole::Admin,
                at(2),
                "加v信 wxid_admin01",
            ))
            .await;
        assert!(admin.is_empty(), "{admin:?}");
        let member = bot
            .process(said("g1", "4", "100", MemberRole::Member, at(3), link))
            .await;
        assert!(deleted(&member), "the same link from a member: {member:?}");

        // The rules are per group: another group still has the defaults, where an ordinary
        // link passes.
        let elsewhere = bot
            .process(said("g2", "5", "100", MemberRole::Member, at(4), link))
            .await;
        assert!(elsewhere.is_empty(), "{elsewhere:?}");
        bot.pipeline.shutdown().await;
    });
}

fn set_rules_apply_to_their_groups_and_english_notices(test: &TestDatabase) {
    block_on(async {
        let bot = Harness::start(test).await;
        for chat in ["a", "b"] {
            bot.process(said(
                chat,
                &format!("{chat}0"),
                "1",
                MemberRole::Member,
                at(0),
                "hi",
            ))
            .await;
        }
        let (a, b) = (bot.group_id("a"), bot.group_id("b"));
        blocking(|| bot.database.set_group_set(a, Some("gaming")).unwrap());
        bot.set_rules(
            "set:gaming",
            r#"{"keywords": ["代练"], "language": "en", "ladder": ["mute 1h"]}"#,
        );
        let in_set = bot
            .process(said(
                "a",
                "a1",
                "2",
                MemberRole::Member,
                at(1),
                "专业代练上分",
            ))
            .await;
        assert!(deleted(&in_set));
        assert!(
            in_set
                .iter()
                .any(|a| matches!(a, Action::Mute { seconds: 3600, .. }))
        );
        assert!(
            notice(&in_set).contains("a forbidden word"),
            "{}",
            notice(&in_set)
        );
        assert!(
            notice(&in_set).contains("Muted for 1 hour; next time you will be muted for 1 hour"),
            "{}",
            notice(&in_set)
        );
        let outside = bot
            .process(said(
                "b",
                "b1",
                "3",
                MemberRole::Member,
                at(2),
                "专业代练上分",
            ))
            .await;
        assert!(outside.is_empty(), "group b is not in the set: {outside:?}");
        // The deployment's default covers b; a's set still wins for a.
        bot.set_rules("default", r#"{"keywords": ["上分"]}"#);
        let now_b = bot
            .process(said(
                "b",
                "b2",
                "3",
                MemberRole::Member,
                at(3),
                "专业代练上分",
            ))
            .await;
        assert!(deleted(&now_b));
        let _ = b;
        bot.pipeline.shutdown().await;
    });
}

fn the_group_rules_are_posted_on_request(test: &TestDatabase) {
    block_on(async {
        let bot = Harness::start(test).await;
        let silent = bot
            .process(said("r", "1", "1", MemberRole::Member, at(0), "群规"))
            .await;
        assert!(silent.is_empty(), "no rules written yet: {silent:?}");
        let group = bot.group_id("r");
        bot.set_rules(
            &format!("group:{group}"),
            r#"{"rules_text": "1. 禁止广告\n2. 友善交流"}"#,
        );
        for (id, ask) in [("2", "群规"), ("3", "/rules"), ("4", "/rules@StewardBot")] {
            let answer = bot
                .process(said("r", id, "1", MemberRole::Member, at(1), ask))
                .await;
            assert!(notice(&answer).contains("禁止广告"), "{ask}: {answer:?}");
        }
        let chat = bot
            .process(said(
                "r",
                "5",
                "1",
                MemberRole::Member,
                at(2),
                "请问群规在哪",
            ))
            .await;
        assert!(chat.is_empty(), "a sentence is not the command: {chat:?}");
        bot.pipeline.shutdown().await;
    });
}

fn floods_repeats_and_new_members(test: &TestDatabase) {
    block_on(async {
        let bot = Harness::start(test).await;
        // Twelve messages in ten seconds: the twelfth is a flood.
        let start = at(0);
        let mut flagged = Vec::new();
        for i in 0..12 {
            let actions = bot
                .process(said(
                    "f",
                    &format!("f{i}"),
                    "7",
                    MemberRole::Member,
                    start + Duration::milliseconds(700 * i),
                    &format!("哈哈{i}"),
                ))
                .await;
            flagged.push(deleted(&actions));
        }
        assert_eq!(flagged.iter().filter(|f| **f).count(), 1, "{flagged:?}");
        assert!(flagged[11]);

        // The same text in three groups within minutes, by three accounts.
        let text = "今晚八点直播间抽奖，大家快来参加吧朋友们";
        let mut caught = Vec::new();
        for (n, chat) in ["r1", "r2", "r3"].iter().enumerate() {
            let actions = bot
                .process(said(
                    chat,
                    &format!("r{n}"),
                    &format!("u{n}"),
                    MemberRole::Member,
                    at(10 + n as i64),
                    text,
                ))
                .await;
            caught.push(deleted(&actions));
        }
        assert_eq!(caught, [false, false, true]);

        // A member who joined minutes ago may not post even an ordinary link.
        bot.process(joined("n", "new", at(20))).await;
        let fresh = bot
            .process(said(
                "n",
                "n1",
                "new",
                MemberRole::Member,
                at(25),
                "看看 https://www.youtube.com/watch?v=x",
            ))
            .await;
        assert!(deleted(&fresh), "{fresh:?}");
        assert!(notice(&fresh).contains("新成员"), "{}", notice(&fresh));
        // Two hours later the same link is fine.
        let later = bot
            .process(said(
                "n",
                "n2",
                "new",
                MemberRole::Member,
                at(145),
                "看看 https://www.youtube.com/watch?v=y",
            ))
            .await;
        assert!(later.is_empty(), "{later:?}");
        let detectors: BTreeMap<String, usize> =
            blocking(|| bot.database.offences(None, None, 100))
                .unwrap()
                .into_iter()
                .fold(BTreeMap::new(), |mut map, line| {
                    *map.entry(line.offence.detector).or_default() += 1;
                    map
                });
        assert_eq!(
            detectors,
            BTreeMap::from([
                ("flood".to_owned(), 1),
                ("new_member".to_owned(), 1),
                ("repeat".to_owned(), 1)
            ])
        );
        bot.pipeline.shutdown().await;
    });
}

/// A Telegram message (`edit` of none) or an edit of message `message`, sent at `sent`.
fn telegram(
    id: &str,
    user: &str,
    time: DateTime<Utc>,
    text: &str,
    edit: Option<(&str, DateTime<Utc>)>,
) -> Event {
    let sender = profile(user, MemberRole::Member);
    let segments = vec![Segment::text(text)];
    Event {
        platform: Platform::Telegram,
        account: "bot".into(),
        chat: "-100".into(),
        id: Some(id.to_owned()),
        time,
        kind: match edit {
            Some((message, sent)) => EventKind::MessageEdited {
                sender,
                message: steward_domain::MessageId(message.to_owned()),
                sent_at: Some(sent),
                segments,
            },
            None => EventKind::Message {
                sender,
                segments,
                reply_to: None,
            },
        },
    }
}

fn an_ad_edited_into_an_old_message_is_caught_and_counts_once(test: &TestDatabase) {
    block_on(async {
        let bot = Harness::start(test).await;
        let first = bot
            .process(telegram("70", "9", at(0), "大家好，新人报到", None))
            .await;
        assert!(first.is_empty(), "{first:?}");
        // Edited often, quickly, harmlessly: edits are not messages, so no flood.
        for n in 0..14 {
            let edit = telegram(
                &format!("70@{n}"),
                "9",
                at(1) + Duration::milliseconds(500 * n),
                &format!("大家好，新人报到{n}"),
                Some(("70", at(0))),
            );
            let actions = bot.process(edit).await;
            assert!(actions.is_empty(), "edit {n}: {actions:?}");
        }
        // Then edited into an ad, the WeChat id in full-width letters and digits.
        let ad = telegram(
            "70@ad",
            "9",
            at(5),
            "出号便宜，加我ｖｘ：ａｂｃ１２３４５",
            Some(("70", at(0))),
        );
        let actions = bot.process(ad.clone()).await;
        // The message it changed is deleted, and its author warned.
        assert!(
            actions.contains(&Action::DeleteMessage {
                message: steward_domain::MessageId("70".into())
            }),
            "{actions:?}"
        );
        assert!(notice(&actions).contains("@9"), "{}", notice(&actions));
        // The same edit delivered again changes nothing.
        assert!(matches!(
            bot.pipeline.process(ad).await.unwrap(),
            Outcome::Duplicate
        ));
        // Edited again before the delete landed (or all at once after a restart): one message
        // is one offence, not a climb up the ladder.
        let again = bot
            .process(telegram(
                "70@ad2",
                "9",
                at(6),
                "出号便宜，加我ｖｘ：ａｂｃ１２３４５６",
                Some(("70", at(0))),
            ))
            .await;
        assert!(again.is_empty(), "{again:?}");
        let group = blocking(|| bot.database.group_id("telegram", "-100"))
            .unwrap()
            .unwrap();
        let summary = blocking(|| bot.database.group(group)).unwrap().unwrap();
        assert_eq!(summary.message_count, 1, "edits are not messages");
        // The console shows the message as it reads now, and the offence with the edited text.
        let messages = blocking(|| bot.database.recent_messages(group, None, 10)).unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].text, "出号便宜，加我ｖｘ：ａｂｃ１２３４５６");
        assert!(messages[0].edited, "marked edited in the console");
        let offences = blocking(|| bot.database.offences(None, None, 10)).unwrap();
        assert_eq!(offences.len(), 1);
        assert_eq!(offences[0].offence.detector, "contact");
        assert_eq!(offences[0].offence.message.as_deref(), Some("70"));
        assert_eq!(
            offences[0].text.as_deref(),
            Some("出号便宜，加我ｖｘ：ａｂｃ１２３４５")
        );
        let marked = offences[0].offence.event_id;
        assert_eq!(
            blocking(|| bot.database.message_text(marked)).unwrap(),
            Some(("出号便宜，加我ｖｘ：ａｂｃ１２３４５".to_owned(), group))
        );
        bot.pipeline.shutdown().await;
        // A backtest over the same hour finds the same offence.
        let report = blocking(|| {
            steward_engine::moderation::backtest::run(
                &bot.database,
                &bot.shared.moderation,
                &BacktestSpec {
                    from: at(-1),
                    to: at(60),
                    groups: None,
                    candidate: None,
                },
                |_| {},
                || false,
            )
        })
        .unwrap();
        assert_eq!(report.in_force.offences, 1);
        assert_eq!(report.in_force.messages, 1);
    });
}

/// Telegram lets bots delete only messages under 48 hours old: an ad edited into an older one is
/// an offence like any other, but the bot does not try to delete it and does not say it did.
/// Nor does it say so when the rules keep offending messages.
fn the_notice_says_removed_only_when_the_message_is(test: &TestDatabase) {
    block_on(async {
        let bot = Harness::start(test).await;
        let ad = "出号便宜，加我ｖｘ：ａｂｃ１２３４５";
        for (id, minute) in [("80", 0), ("81", 120)] {
            let plain = bot
                .process(telegram(id, "9", at(minute), "大家好", None))
                .await;
            assert!(plain.is_empty(), "{plain:?}");
        }
        // Message 80 is 49 hours old when it becomes an ad.
        let old = bot
            .process(telegram("80@1", "9", at(49 * 60), ad, Some(("80", at(0)))))
            .await;
        assert!(!deleted(&old), "{old:?}");
        // The notice answers the message left in place.
        assert!(
            old.iter().any(|action| matches!(action, Action::Send { reply_to: Some(id), .. } if id.as_str() == "80")),
            "{old:?}"
        );
        let told = notice(&old);
        assert!(told.contains("@9") && told.contains("无法删除"), "{told}");
        assert!(!told.contains("已删除"), "{told}");
        let audit = blocking(|| bot.database.audit_page(None, 10)).unwrap();
        assert!(
            audit[0].action == "moderation.warn"
                && audit[0]
                    .detail
                    .as_deref()
                    .is_some_and(|d| d.contains("not deleted")),
            "{:?}",
            audit[0]
        );
        // Message 81 is 47 hours old: deleted, and the second offence mutes.
        let recent = bot
            .process(telegram(
                "81@1",
                "9",
                at(49 * 60 + 1),
                ad,
                Some(("81", at(120))),
            ))
            .await;
        assert!(
            recent.contains(&Action::DeleteMessage {
                message: steward_domain::MessageId("81".into())
            }),
            "{recent:?}"
        );
        let told = notice(&recent);
        assert!(
            told.contains("消息已删除") && told.contains("禁言"),
            "{told}"
        );
        // The third offence, in an old message again: the member is kicked and cannot delete
        // it, so the admins are asked to.
        let plain = bot
            .process(telegram("83", "9", at(60), "晚上好", None))
            .await;
        assert!(plain.is_empty(), "{plain:?}");
        let kicked = bot
            .process(telegram(
                "83@1",
                "9",
                at(49 * 60 + 61),
                ad,
                Some(("83", at(60))),
            ))
            .await;
        assert!(!deleted(&kicked), "{kicked:?}");
        assert!(
            kicked
                .iter()
                .any(|action| matches!(action, Action::Kick { .. })),
            "{kicked:?}"
        );
        assert!(
            notice(&kicked).contains("请管理员删除"),
            "{}",
            notice(&kicked)
        );
        // The console lists which messages are still there.
        let offences = blocking(|| bot.database.offences(None, None, 10)).unwrap();
        let left: Vec<(Option<&str>, bool)> = offences
            .iter()
            .map(|line| (line.offence.message.as_deref(), line.left_in_place))
            .collect();
        assert_eq!(
            left,
            [(Some("83"), true), (Some("81"), false), (Some("80"), true)]
        );
        // Rules that keep offending messages: the member is warned, not told it was removed.
        let group = blocking(|| bot.database.group_id("telegram", "-100"))
            .unwrap()
            .unwrap();
        bot.set_rules(
            &format!("group:{group}"),
            r#"{"delete": false, "language": "en"}"#,
        );
        let kept = bot
            .process(telegram("82", "8", at(49 * 60 + 2), ad, None))
            .await;
        assert!(!deleted(&kept), "{kept:?}");
        let told = notice(&kept);
        assert!(told.contains("breaks the rules"), "{told}");
        assert!(!told.contains("removed"), "{told}");
        bot.pipeline.shutdown().await;
    });
}

/// On Matrix anyone may send an "edit" naming any message (clients ignore it unless its
/// sender wrote the message): it costs its sender an offence and its own event, and it does not
/// shield the message from its author's own edit.
fn a_forged_matrix_edit_takes_only_itself(test: &TestDatabase) {
    let on_matrix = |mut event: Event| {
        event.platform = Platform::Matrix;
        // A Matrix edit does not carry its message's time.
        if let EventKind::MessageEdited { sent_at, .. } = &mut event.kind {
            *sent_at = None;
        }
        event
    };
    block_on(async {
        let bot = Harness::start(test).await;
        let first = bot
            .process(on_matrix(telegram("$x", "@a:hs", at(0), "大家好", None)))
            .await;
        assert!(first.is_empty(), "{first:?}");
        let group = blocking(|| bot.database.group_id("matrix", "-100"))
            .unwrap()
            .unwrap();
        let text_now = || {
            let lines = blocking(|| bot.database.recent_messages(group, None, 10)).unwrap();
            (lines[0].text.clone(), lines[0].edited)
        };
        let ad = "出号便宜，加我ｖｘ：ａｂｃ１２３４５";
        let forged = bot
            .process(on_matrix(telegram(
                "$forged",
                "@b:hs",
                at(1),
                ad,
                Some(("$x", at(0))),
            )))
            .await;
        let deleted_ids = |actions: &[Action]| -> Vec<String> {
            actions
                .iter()
                .filter_map(|action| match action {
                    Action::DeleteMessage { message } => Some(message.as_str().to_owned()),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(deleted_ids(&forged), ["$forged"]);
        // Nor does it change the message as the console shows it.
        assert_eq!(text_now(), ("大家好".to_owned(), false));
        let own = bot
            .process(on_matrix(telegram(
                "$own",
                "@a:hs",
                at(2),
                ad,
                Some(("$x", at(0))),
            )))
            .await;
        assert_eq!(deleted_ids(&own), ["$own", "$x"]);
        bot.pipeline.shutdown().await;
    });
}

fn a_picture_of_a_group_qr_code_is_an_ad_like_its_link(test: &TestDatabase) {
    block_on(async {
        let bot = Harness::start(test).await;
        let mut picture = said("q", "1", "9", MemberRole::Member, at(0), "");
        if let EventKind::Message { segments, .. } = &mut picture.kind {
            // As an adapter delivers it: the image, and what its QR code says.
            *segments = vec![Segment::Image {
                url: Some("https://img.example/1.jpg".into()),
                file: None,
                qr: vec!["https://qm.qq.com/q/AbCdEf".into()],
            }];
        }
        let actions = bot.process(picture).await;
        assert!(deleted(&actions), "{actions:?}");
        let offence = &blocking(|| bot.database.offences(None, None, 1)).unwrap()[0];
        assert_eq!(offence.offence.detector, "link");
        // The reason is kept in each language, the console showing its operator's.
        let reason = &offence.offence.reason;
        assert!(
            reason.zh.starts_with("链接") && reason.zh.contains("qm.qq.com"),
            "{reason:?}"
        );
        assert!(
            reason.en.starts_with("a link") && reason.en.contains("qm.qq.com"),
            "{reason:?}"
        );
        bot.pipeline.shutdown().await;
    });
}

fn a_restart_does_not_forget_a_flood_in_progress(test: &TestDatabase) {
    block_on(async {
        let start = at(0);
        let flood = |i: i64| {
            said(
                "f",
                &format!("f{i}"),
                "7",
                MemberRole::Member,
                start + Duration::milliseconds(500 * i),
                &format!("刷屏{i}"),
            )
        };
        let bot = Harness::start(test).await;
        for i in 0..11 {
            assert!(bot.process(flood(i)).await.is_empty());
        }
        bot.pipeline.shutdown().await;
        // A new process: its windows are refilled from the log before the first judgement.
        let bot = Harness::start(test).await;
        let twelfth = bot.process(flood(11)).await;
        assert!(deleted(&twelfth), "the flood was forgotten: {twelfth:?}");
        bot.pipeline.shutdown().await;
    });
}

fn night_mode_mutes_and_unmutes_each_group_once(test: &TestDatabase) {
    block_on(async {
        let bot = Harness::start(test).await;
        bot.process(said("night", "1", "1", MemberRole::Member, at(0), "hi"))
            .await;
        let group = bot.group_id("night");
        bot.set_rules(
            &format!("group:{group}"),
            r#"{"night": {"enabled": true, "start": "23:00", "end": "07:00", "utc_offset_minutes": 480}}"#,
        );
        let pass = |time: DateTime<Utc>| blocking(|| night_pass(&bot.database, time)).unwrap();
        let day = Utc.with_ymd_and_hms(2026, 6, 1, 4, 0, 0).unwrap(); // 12:00 in China
        let night = Utc.with_ymd_and_hms(2026, 6, 1, 15, 30, 0).unwrap(); // 23:30
        assert_eq!(pass(day), 0);
        assert_eq!(pass(night), 1);
        assert_eq!(pass(night + Duration::minutes(1)), 0, "already muted");
        assert_eq!(pass(day + Duration::days(1)), 1);
        let switches: Vec<Action> = blocking(|| bot.database.group_actions("onebot", "night", 50))
            .unwrap()
            .into_iter()
            .map(|entry| entry.action)
            .filter(|action| matches!(action, Action::MuteAll { .. }))
            .collect();
        assert_eq!(switches.len(), 2, "{switches:?}");
        assert!(switches.contains(&Action::MuteAll { on: true }));
        assert!(switches.contains(&Action::MuteAll { on: false }));
        // Removed from the group (OneBot's `kick_me`, Telegram's `my_chat_member`): the next
        // night is not switched, the one after it returns is.
        let removed = Event {
            kind: EventKind::MemberLeft {
                member: "bot".into(),
                reason: LeaveReason::Kicked {
                    by: Some("1".into()),
                },
            },
            ..joined("night", "bot", day + Duration::days(1) + Duration::hours(1))
        };
        bot.process(removed).await;
        assert_eq!(
            pass(night + Duration::days(1)),
            0,
            "the bot is not in the group"
        );
        bot.process(joined("night", "bot", night + Duration::days(2)))
            .await;
        assert_eq!(pass(night + Duration::days(2) + Duration::minutes(1)), 1);
        bot.pipeline.shutdown().await;
    });
}

fn a_backtest_reports_what_the_live_run_did(test: &TestDatabase) {
    let simulation = Simulation::new(SimConfig {
        groups: 8,
        members: 600,
        days: 30,
        ..SimConfig::default()
    })
    .unwrap();
    let (first, last) = {
        let events: Vec<Event> = simulation.events().collect();
        (events[0].time, events[events.len() - 1].time)
    };
    block_on(async {
        // One writer, as on SQLite: with several PostgreSQL writers, two groups' events are
        // judged concurrently, and a member offending in both within the same instant may be
        // counted in either order (README, "Moderation").
        let bot = Harness::start_with(
            test,
            PipelineConfig {
                writers: 1,
                ..PipelineConfig::default()
            },
        )
        .await;
        let mut tickets = Vec::new();
        for event in simulation.events() {
            tickets.push(bot.pipeline.submit(event).await.unwrap());
            if tickets.len() == 256 {
                for ticket in tickets.drain(..) {
                    ticket.outcome().await.unwrap();
                }
            }
        }
        for ticket in tickets {
            ticket.outcome().await.unwrap();
        }
        bot.pipeline.shutdown().await;

        let live = blocking(|| bot.database.offences(None, None, 100_000)).unwrap();
        // The simulated spammers' ads (the shipped model flags next to none of the ordinary
        // talk): enough for the comparison to mean something.
        assert!(
            live.len() >= 5,
            "a month should hold some offences: {}",
            live.len()
        );
        let mut live_steps: BTreeMap<String, u64> = BTreeMap::new();
        let mut live_detectors: BTreeMap<String, u64> = BTreeMap::new();
        for line in &live {
            *live_steps.entry(line.offence.step.clone()).or_default() += 1;
            *live_detectors
                .entry(line.offence.detector.clone())
                .or_default() += 1;
        }
        let spec = BacktestSpec {
            from: first,
            to: last + Duration::seconds(1),
            groups: None,
            candidate: Some(Rules {
                enabled: false,
                ..Rules::default()
            }),
        };
        let mut fractions = Vec::new();
        let report = blocking(|| {
            steward_engine::moderation::backtest::run(
                &bot.database,
                &bot.shared.moderation,
                &spec,
                |progress| fractions.push(progress.fraction),
                || false,
            )
        })
        .unwrap();
        assert_eq!(report.in_force.offences, live.len() as u64);
        assert_eq!(report.in_force.by_step, live_steps);
        assert_eq!(report.in_force.by_detector, live_detectors);
        assert!(
            fractions.len() >= 2 && fractions.last() == Some(&1.0),
            "{fractions:?}"
        );
        // A candidate with moderation off catches nothing: everything the rules in force
        // caught is reported as caught only by them.
        let candidate = report.candidate.unwrap();
        assert_eq!(candidate.offences, 0);
        assert_eq!(report.only_in_force_count, report.in_force.offences);
        assert_eq!(report.only_candidate_count, 0);
        assert_eq!(
            report.only_in_force.len(),
            report.in_force.examples.len(),
            "every example of the rules in force differs"
        );
    });
}

steward_store::on_both_backends!(
    the_ladder_warns_mutes_then_kicks_and_the_fleet_refuses_the_member,
    whitelisted_members_and_admins_are_left_alone,
    set_rules_apply_to_their_groups_and_english_notices,
    floods_repeats_and_new_members,
    the_group_rules_are_posted_on_request,
    a_restart_does_not_forget_a_flood_in_progress,
    a_picture_of_a_group_qr_code_is_an_ad_like_its_link,
    an_ad_edited_into_an_old_message_is_caught_and_counts_once,
    a_forged_matrix_edit_takes_only_itself,
    the_notice_says_removed_only_when_the_message_is,
    night_mode_mutes_and_unmutes_each_group_once,
    a_backtest_reports_what_the_live_run_did,
);
