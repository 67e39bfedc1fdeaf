//! Tests of the whole simulation as its users see it: determinism, validity, order, and whether
//! the community looks like the one operators describe (heavy-tailed activity, a daily rhythm,
//! spammers, unanswered questions, churn).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use chrono::{DateTime, TimeDelta, Utc};
use steward_domain::{Event, EventKind, LeaveReason, MemberRole, Platform, Segment};

use super::*;
use crate::clock::{DAY, HOUR};

/// The default run, generated once and shared by the tests that only read it.
fn default_run() -> &'static [(Event, Truth)] {
    static RUN: OnceLock<Vec<(Event, Truth)>> = OnceLock::new();
    RUN.get_or_init(|| {
        let simulation = Simulation::new(SimConfig::default()).expect("the default is valid");
        simulation.labelled_events().collect()
    })
}

fn default_simulation() -> &'static Simulation {
    static SIMULATION: OnceLock<Simulation> = OnceLock::new();
    SIMULATION.get_or_init(|| Simulation::new(SimConfig::default()).expect("the default is valid"))
}

fn small(seed: u64) -> SimConfig {
    SimConfig {
        seed,
        groups: 6,
        members: 600,
        days: 5,
        ..SimConfig::default()
    }
}

fn sender(event: &Event) -> Option<&MemberProfile> {
    match &event.kind {
        EventKind::Message { sender, .. } => Some(sender),
        _ => None,
    }
}

fn china_hour(time: DateTime<Utc>) -> i64 {
    (time.timestamp_millis() + 8 * HOUR).rem_euclid(DAY) / HOUR
}

use steward_domain::MemberProfile;

#[test]
fn the_same_config_gives_the_same_events_byte_for_byte() {
    let first: Vec<Event> = Simulation::new(small(7)).expect("valid").events().collect();
    let second: Vec<Event> = Simulation::new(small(7)).expect("valid").events().collect();
    assert!(first.len() > 1_000);
    assert_eq!(first, second);
    assert_eq!(format!("{first:?}"), format!("{second:?}"));
}

#[test]
fn a_different_seed_gives_a_different_community() {
    let a = Simulation::new(small(7)).expect("valid");
    let b = Simulation::new(small(8)).expect("valid");
    let names = |simulation: &Simulation| {
        simulation
            .groups()
            .map(|group| group.chat.clone())
            .collect::<Vec<_>>()
    };
    assert_ne!(names(&a), names(&b));
    let users = |simulation: &Simulation| {
        simulation
            .day(0)
            .iter()
            .map(|event| event.subject().clone())
            .collect::<BTreeSet<_>>()
    };
    assert_ne!(users(&a), users(&b));
    assert_ne!(a.day(3), b.day(3));
}

#[test]
fn a_day_is_exactly_its_slice_of_all_events() {
    let simulation = Simulation::new(small(11)).expect("valid");
    let all: Vec<Event> = simulation.events().collect();
    let mut offset = 0;
    for day in 0..simulation.config().days {
        let events = simulation.day(day);
        assert!(!events.is_empty(), "day {day} is empty");
        assert_eq!(events[..], all[offset..offset + events.len()], "day {day}");
        offset += events.len();
    }
    assert_eq!(offset, all.len());
    assert!(simulation.day(simulation.config().days).is_empty());
    // Asking for a later day first changes nothing: days are independent of each other.
    let fresh = Simulation::new(small(11)).expect("valid");
    let day_three = fresh.day(3);
    assert_eq!(fresh.day(0), simulation.day(0));
    assert_eq!(day_three, simulation.day(3));
    // A range of days streams the same events.
    let middle: Vec<Event> = simulation.events_of_days(1..3).collect();
    let mut expected = simulation.day(1);
    expected.extend(simulation.day(2));
    assert_eq!(middle, expected);
    assert_eq!(
        simulation.events_of_days(2..99).count(),
        all.len() - simulation.day(0).len() - simulation.day(1).len()
    );
}

/// The small configuration with some fields changed.
fn with(seed: u64, change: impl FnOnce(&mut SimConfig)) -> SimConfig {
    let mut config = small(seed);
    change(&mut config);
    config
}

#[test]
fn every_event_validates_in_every_shape_of_run() {
    let utc_midnight = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    let shapes: Vec<(&str, SimConfig)> = vec![
        ("default shape, small", small(1)),
        (
            "one group",
            with(2, |c| (c.groups, c.members, c.days) = (1, 150, 3)),
        ),
        (
            "as many members as groups",
            with(3, |c| (c.groups, c.members) = (10, 10)),
        ),
        (
            "a single person",
            with(4, |c| (c.groups, c.members, c.days) = (1, 1, 1)),
        ),
        ("one day", with(5, |c| c.days = 1)),
        (
            "a long run",
            with(6, |c| (c.groups, c.members, c.days) = (2, 120, 400)),
        ),
        (
            "silent community",
            with(7, |c| c.messages_per_member_day = 0.0),
        ),
        (
            "the busiest allowed",
            with(8, |c| (c.members, c.messages_per_member_day) = (60, 100.0)),
        ),
        (
            "on onebot",
            with(9, |c| {
                (c.platform, c.account) = (Platform::OneBot, "10001".into())
            }),
        ),
        (
            "starting at UTC midnight",
            with(10, |c| c.start = utc_midnight),
        ),
    ];
    for (name, config) in shapes {
        let simulation = Simulation::new(config.clone()).expect(name);
        let mut count = 0;
        for event in simulation.events() {
            assert_eq!(event.validate(), Ok(()), "{name}: {event:?}");
            assert_eq!(event.platform, config.platform, "{name}");
            assert_eq!(event.account, config.account, "{name}");
            count += 1;
        }
        assert!(count > 0, "{name}: no events");
    }
}

#[test]
fn no_two_events_share_a_dedup_key() {
    let mut keys = HashSet::new();
    for (event, _) in default_run() {
        assert!(keys.insert(event.dedup_key()), "duplicate: {event:?}");
    }
}

#[test]
fn events_are_in_time_order_and_strictly_inside_their_day() {
    let config = SimConfig::default();
    let mut previous = config.start;
    let mut day_of_previous = 0;
    for (event, _) in default_run() {
        assert!(event.time >= previous, "{event:?} after {previous}");
        let since_start = event.time - config.start;
        let millis = since_start.num_milliseconds();
        let day = millis / DAY;
        assert!(millis % DAY != 0, "on midnight: {event:?}");
        assert!(
            day >= day_of_previous && day < i64::from(config.days),
            "{event:?}"
        );
        previous = event.time;
        day_of_previous = day;
    }
}

#[test]
fn a_few_writers_write_most_messages_and_many_never_write() {
    let mut per_writer: HashMap<&str, u64> = HashMap::new();
    let mut people = HashSet::new();
    for (event, _) in default_run() {
        people.insert(event.subject().as_str());
        if let Some(sender) = sender(event) {
            *per_writer.entry(sender.id.as_str()).or_default() += 1;
        }
    }
    let mut counts: Vec<u64> = per_writer.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = counts.iter().sum();
    let top: u64 = counts[..counts.len() / 5].iter().sum();
    let share = top as f64 / total as f64;
    assert!(share >= 0.6, "the top 20% of writers wrote only {share:.2}");
    let silent = people.len() - per_writer.len();
    assert!(
        silent * 4 > people.len(),
        "only {silent} of {} never wrote",
        people.len()
    );
}

#[test]
fn more_is_said_in_the_evening_than_at_night() {
    let mut per_hour = [0u64; 24];
    for (event, _) in default_run() {
        if sender(event).is_some() {
            per_hour[china_hour(event.time) as usize] += 1;
        }
    }
    assert!(per_hour[21] > 5 * per_hour[4], "{per_hour:?}");
    assert!(per_hour[10] > 3 * per_hour[3], "{per_hour:?}");
}

#[test]
fn spammers_post_the_same_ad_in_several_groups_within_minutes() {
    /// When, where and what a spammer posted.
    type Post<'a> = (DateTime<Utc>, &'a str, String);
    let mut ads: BTreeMap<&str, Vec<Post>> = BTreeMap::new();
    for (event, truth) in default_run() {
        if *truth == Truth::Ad {
            let sender = sender(event).expect("an ad is a message");
            ads.entry(sender.id.as_str()).or_default().push((
                event.time,
                event.chat.as_str(),
                event.plain_text(),
            ));
        }
    }
    assert!(ads.len() >= 3, "only {} spammers posted", ads.len());
    for (spammer, posts) in &ads {
        let spread = posts.iter().any(|(time, chat, text)| {
            posts.iter().any(|(other_time, other_chat, other_text)| {
                other_chat != chat
                    && other_text == text
                    && (*other_time - *time).abs() <= TimeDelta::minutes(10)
            })
        });
        assert!(
            spread,
            "spammer {spammer} never posted one ad in two groups: {posts:?}"
        );
    }
}

#[test]
fn spammers_are_often_kicked_soon_after_their_ads() {
    let mut first_ad: HashMap<(&str, &str), DateTime<Utc>> = HashMap::new();
    let mut kicked_soon = 0;
    for (event, truth) in default_run() {
        match (&event.kind, truth) {
            (EventKind::Message { sender, .. }, Truth::Ad) => {
                first_ad
                    .entry((event.chat.as_str(), sender.id.as_str()))
                    .or_insert(event.time);
            }
            (
                EventKind::MemberLeft {
                    member,
                    reason: LeaveReason::Kicked { by: Some(_) },
                },
                _,
            ) => {
                if let Some(posted) = first_ad.get(&(event.chat.as_str(), member.as_str()))
                    && event.time - *posted < TimeDelta::hours(2)
                {
                    kicked_soon += 1;
                }
            }
            _ => {}
        }
    }
    assert!(
        kicked_soon * 2 > first_ad.len(),
        "{kicked_soon} of {} kicked",
        first_ad.len()
    );
}

#[test]
fn ads_carry_contact_details() {
    let ads: Vec<String> = default_run()
        .iter()
        .filter(|(_, truth)| *truth == Truth::Ad)
        .map(|(event, _)| event.plain_text())
        .collect();
    let contact_words = [
        "vx", "V", "v", "威", "薇", "q", "Q", "扣", "电话", "手机", "☎", "www", ".cn", "@", "+1",
        "t.me", "dot com", ".xyz", "WeChat", "微 信",
    ];
    for ad in &ads {
        assert!(
            contact_words.iter().any(|word| ad.contains(word)),
            "no contact in {ad}"
        );
    }
}

#[test]
fn answers_reply_to_earlier_questions_and_mention_the_asker() {
    let mut questions: HashMap<(&str, &str), (&str, DateTime<Utc>)> = HashMap::new();
    let (mut asked, mut answered) = (0, HashSet::new());
    for (event, truth) in default_run() {
        let EventKind::Message {
            sender,
            segments,
            reply_to,
        } = &event.kind
        else {
            continue;
        };
        let id = event.id.as_deref().expect("messages have ids");
        match truth {
            Truth::Question => {
                asked += 1;
                let text = event.plain_text();
                assert!(text.ends_with('？') || text.ends_with('?'), "{text}");
                questions.insert((event.chat.as_str(), id), (sender.id.as_str(), event.time));
            }
            Truth::Answer => {
                let question = reply_to.as_ref().expect("an answer replies").as_str();
                let (asker, asked_at) = questions
                    .get(&(event.chat.as_str(), question))
                    .unwrap_or_else(|| panic!("answer to unknown question {question}: {event:?}"));
                assert!(event.time > *asked_at);
                assert_ne!(
                    sender.id.as_str(),
                    *asker,
                    "people do not answer themselves"
                );
                assert!(
                    matches!(segments.first(), Some(Segment::Mention { user }) if user.as_str() == *asker),
                    "{event:?}"
                );
                answered.insert((event.chat.as_str(), question));
            }
            _ => assert!(reply_to.is_none()),
        }
    }
    let share = answered.len() as f64 / f64::from(asked);
    assert!(
        (0.4..0.9).contains(&share),
        "{share:.2} of questions answered: some stay open"
    );
}

#[test]
fn members_only_talk_while_in_the_group() {
    #[derive(Default)]
    struct Seen {
        joined: bool,
        left: bool,
    }
    let mut seen: HashMap<(&str, &str), Seen> = HashMap::new();
    let mut staff: HashSet<(&str, &str)> = HashSet::new();
    for (event, _) in default_run() {
        let key = (event.chat.as_str(), event.subject().as_str());
        match &event.kind {
            EventKind::MemberJoined { member, .. } => {
                let state = seen.entry(key).or_default();
                assert!(!state.joined, "joined twice: {event:?}");
                state.joined = true;
                if member.role != MemberRole::Member {
                    staff.insert(key);
                }
            }
            EventKind::MemberLeft { reason, .. } => {
                let state = seen.entry(key).or_default();
                assert!(state.joined && !state.left, "{event:?}");
                state.left = true;
                if let LeaveReason::Kicked { by: Some(by) } = reason {
                    assert!(
                        staff.contains(&(event.chat.as_str(), by.as_str())),
                        "kicked by a non-admin"
                    );
                }
            }
            EventKind::JoinRequest { .. } => {
                let id = event.id.as_deref().unwrap_or_default();
                assert!(
                    id.strip_prefix("req-")
                        .is_some_and(|n| n.parse::<u32>().is_ok()),
                    "{id}"
                );
            }
            _ => {
                let state = seen.get(&key);
                assert!(
                    state.is_some_and(|state| state.joined && !state.left),
                    "absent: {event:?}"
                );
            }
        }
    }
}

#[test]
fn people_are_in_one_to_three_groups_and_every_person_shows_up() {
    let config = SimConfig::default();
    let mut groups_of: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut spammers = HashSet::new();
    for (event, truth) in default_run() {
        if let EventKind::MemberJoined { member, .. } = &event.kind {
            groups_of
                .entry(member.id.as_str())
                .or_default()
                .insert(event.chat.as_str());
        }
        if *truth == Truth::Ad {
            spammers.insert(event.subject().as_str());
        }
    }
    // Spammers who were refused everywhere never join; everyone else does.
    assert!(
        groups_of.len() as u32 + 5 >= config.members && groups_of.len() as u32 <= config.members
    );
    let mut sizes = [0u32; 4];
    for (person, groups) in &groups_of {
        if !spammers.contains(person) {
            assert!(
                (1..=3).contains(&groups.len()),
                "{person} is in {} groups",
                groups.len()
            );
            sizes[groups.len()] += 1;
        }
    }
    assert!(
        sizes[2] > 0 && sizes[3] > 0 && sizes[1] > sizes[2],
        "{sizes:?}"
    );
}

#[test]
fn the_first_day_announces_the_existing_population() {
    let config = SimConfig::default();
    let joins_on_day = |day: i64| {
        default_run()
            .iter()
            .filter(|(event, truth)| {
                *truth == Truth::Join && (event.time - config.start).num_milliseconds() / DAY == day
            })
            .count()
    };
    assert!(
        joins_on_day(0) > config.members as usize / 2,
        "{}",
        joins_on_day(0)
    );
    assert!(joins_on_day(1) > 0 && joins_on_day(1) < joins_on_day(0) / 10);
}

#[test]
fn new_members_come_through_links_and_referrals() {
    let simulation = default_simulation();
    let chats: HashSet<&str> = simulation
        .groups()
        .map(|group| group.chat.as_str())
        .collect();
    let (mut referred, mut linked, mut late_joins) = (0, 0, 0);
    for (event, _) in default_run()
        .iter()
        .filter(|(event, _)| event.time - simulation.config().start > TimeDelta::days(1))
    {
        if let EventKind::MemberJoined {
            inviter,
            invite_link,
            ..
        } = &event.kind
        {
            late_joins += 1;
            referred += usize::from(inviter.is_some());
            if let Some(link) = invite_link {
                linked += 1;
                let rest = link
                    .strip_prefix("https://t.example/join/")
                    .expect("a channel link");
                let (chat, _channel) = rest.rsplit_once('-').expect("<group>-<channel>");
                assert_eq!(chat, event.chat.as_str());
                assert!(chats.contains(chat));
            }
        }
    }
    assert!(
        referred * 10 > late_joins && referred * 2 < late_joins,
        "{referred} of {late_joins}"
    );
    assert!(linked * 2 > late_joins, "{linked} of {late_joins}");
}

#[test]
fn new_members_leave_more_in_their_first_week() {
    let config = SimConfig::default();
    let mut joined: HashMap<(&str, &str), DateTime<Utc>> = HashMap::new();
    let (mut newcomers, mut newcomers_gone) = (0, 0);
    let (mut veterans, mut veterans_gone) = (0, 0);
    let first_day_end = config.start + TimeDelta::days(1);
    let window_end = config.start + TimeDelta::days(i64::from(config.days) - 7);
    for (event, _) in default_run() {
        let key = (event.chat.as_str(), event.subject().as_str());
        match &event.kind {
            EventKind::MemberJoined { .. } => {
                joined.insert(key, event.time);
                if event.time < first_day_end {
                    veterans += 1;
                } else if event.time < window_end {
                    newcomers += 1;
                }
            }
            EventKind::MemberLeft { .. } => {
                let since = joined.get(&key).copied().unwrap_or(config.start);
                if since < first_day_end && event.time < first_day_end + TimeDelta::days(7) {
                    veterans_gone += 1;
                } else if since >= first_day_end
                    && since < window_end
                    && event.time - since < TimeDelta::days(7)
                {
                    newcomers_gone += 1;
                }
            }
            _ => {}
        }
    }
    let newcomer_rate = f64::from(newcomers_gone) / f64::from(newcomers);
    let veteran_rate = f64::from(veterans_gone) / f64::from(veterans);
    assert!(
        newcomer_rate > 2.0 * veteran_rate,
        "newcomers {newcomer_rate:.3}, veterans {veteran_rate:.3}"
    );
}

#[test]
fn dying_groups_fade_and_growing_groups_gain_members() {
    let simulation = default_simulation();
    let config = simulation.config();
    let trend_of: HashMap<&str, GroupTrend> = simulation
        .groups()
        .map(|group| (group.chat.as_str(), group.trend))
        .collect();
    let mut first_week: HashMap<GroupTrend, u64> = HashMap::new();
    let mut last_week: HashMap<GroupTrend, u64> = HashMap::new();
    let mut joins_later: HashMap<GroupTrend, u64> = HashMap::new();
    for (event, truth) in default_run() {
        let trend = trend_of[event.chat.as_str()];
        let day = (event.time - config.start).num_days();
        if sender(event).is_some() && day < 7 {
            *first_week.entry(trend).or_default() += 1;
        } else if sender(event).is_some() && day >= i64::from(config.days) - 7 {
            *last_week.entry(trend).or_default() += 1;
        }
        if *truth == Truth::Join && day > 0 {
            *joins_later.entry(trend).or_default() += 1;
        }
    }
    let groups_with = |trend| trend_of.values().filter(|&&other| other == trend).count() as u64;
    assert!(groups_with(GroupTrend::Dying) > 0 && groups_with(GroupTrend::Growing) > 0);
    let ratio = |trend| last_week[&trend] as f64 / first_week[&trend] as f64;
    assert!(
        ratio(GroupTrend::Dying) < 0.5 * ratio(GroupTrend::Stable),
        "dying {:.2}",
        ratio(GroupTrend::Dying)
    );
    let per_group = |trend| joins_later[&trend] / groups_with(trend);
    assert!(per_group(GroupTrend::Growing) > 2 * per_group(GroupTrend::Dying));
}

#[test]
fn sign_ins_are_exact_and_some_members_keep_streaks() {
    let simulation = default_simulation();
    let language_of: HashMap<&str, Language> = simulation
        .groups()
        .map(|group| (group.chat.as_str(), group.language))
        .collect();
    let mut days_signed: HashMap<(&str, &str), BTreeSet<i64>> = HashMap::new();
    for (event, truth) in default_run() {
        if *truth != Truth::SignIn {
            continue;
        }
        let expected = match language_of[event.chat.as_str()] {
            Language::Chinese => "签到",
            Language::English => "/checkin",
        };
        assert_eq!(event.plain_text(), expected);
        let day = (event.time - simulation.config().start).num_days();
        days_signed
            .entry((event.chat.as_str(), event.subject().as_str()))
            .or_default()
            .insert(day);
    }
    let streakers = days_signed.values().filter(|days| days.len() >= 20).count();
    let sporadic = days_signed.values().filter(|days| days.len() <= 8).count();
    assert!(
        streakers >= 10 && sporadic >= 10,
        "{streakers} streakers, {sporadic} sporadic"
    );
}

#[test]
fn newcomers_introduce_themselves_and_set_patterned_nicknames() {
    let (mut templated, mut free, mut patterned) = (0, 0, 0);
    for (event, truth) in default_run() {
        match (truth, &event.kind) {
            (Truth::Introduction, _) => {
                let text = event.plain_text();
                if text.contains("【城市】") || text.starts_with('[') || text.contains("城市：")
                {
                    templated += 1;
                } else {
                    free += 1;
                }
            }
            (_, EventKind::NicknameChanged { new, old, .. }) => {
                assert_ne!(old.as_deref(), Some(new.as_str()));
                if new.split('-').count() == 3 && !new.is_ascii() {
                    patterned += 1;
                }
            }
            _ => {}
        }
    }
    assert!(
        templated > 20 && free > 20,
        "{templated} templated, {free} free"
    );
    assert!(patterned > 50, "{patterned} 城市-行业-名字 nicknames");
}

#[test]
fn recalls_take_back_a_recent_message_of_the_same_chat() {
    let mut messages: HashMap<(&str, &str), (&str, DateTime<Utc>, Truth)> = HashMap::new();
    let (mut own, mut by_admin) = (0, 0);
    for (event, truth) in default_run() {
        match &event.kind {
            EventKind::Message { sender, .. } => {
                let id = event.id.as_deref().unwrap_or_default();
                messages.insert(
                    (event.chat.as_str(), id),
                    (sender.id.as_str(), event.time, *truth),
                );
            }
            EventKind::MessageRecalled {
                message,
                author,
                by,
            } => {
                let (sender, sent, what) = messages
                    .get(&(event.chat.as_str(), message.as_str()))
                    .unwrap_or_else(|| panic!("recall of an unknown message: {event:?}"));
                assert_eq!(author.as_str(), *sender);
                assert!(event.time > *sent && event.time - *sent < TimeDelta::minutes(5));
                if by == author {
                    own += 1;
                } else {
                    assert_eq!(*what, Truth::Ad, "admins recall ads");
                    by_admin += 1;
                }
            }
            _ => {}
        }
    }
    assert!(own > 50 && by_admin > 0, "{own} own, {by_admin} by admins");
}

#[test]
fn groups_mostly_talk_chinese_and_the_language_decides_the_messages() {
    let config = SimConfig {
        groups: 200,
        members: 2_000,
        days: 1,
        ..SimConfig::default()
    };
    let simulation = Simulation::new(config).expect("valid");
    let chinese = simulation
        .groups()
        .filter(|group| group.language == Language::Chinese)
        .count();
    assert!(
        (140..=180).contains(&chinese),
        "{chinese} of 200 groups are Chinese"
    );
    let names: BTreeSet<&str> = simulation
        .groups()
        .map(|group| group.name.as_str())
        .collect();
    assert_eq!(names.len(), 200, "group names are unique");

    let run = default_simulation();
    let language_of: HashMap<&str, Language> = run
        .groups()
        .map(|group| (group.chat.as_str(), group.language))
        .collect();
    let has_cjk = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let (mut chinese_texts, mut chinese_with_cjk, mut english_with_cjk) = (0, 0, 0);
    for (event, truth) in default_run() {
        if !matches!(truth, Truth::Chat | Truth::Question | Truth::Answer) {
            continue;
        }
        let text = event.plain_text();
        match language_of[event.chat.as_str()] {
            Language::Chinese => {
                chinese_texts += 1;
                chinese_with_cjk += usize::from(has_cjk(&text));
            }
            Language::English => english_with_cjk += usize::from(has_cjk(&text)),
        }
    }
    assert!(
        chinese_with_cjk * 10 > chinese_texts * 6,
        "{chinese_with_cjk} of {chinese_texts}"
    );
    assert_eq!(english_with_cjk, 0);
}

#[test]
fn texts_vary_like_real_chat() {
    let texts: HashSet<String> = default_run()
        .iter()
        .filter(|(_, truth)| {
            matches!(
                truth,
                Truth::Chat | Truth::Question | Truth::Answer | Truth::PurchaseIntent
            )
        })
        .map(|(event, _)| event.plain_text())
        .collect();
    assert!(texts.len() > 10_000, "{} distinct texts", texts.len());
    let truths: HashSet<Truth> = default_run().iter().map(|(_, truth)| *truth).collect();
    assert_eq!(
        truths.len(),
        Truth::ALL.len(),
        "every kind occurs: {truths:?}"
    );
}

#[test]
fn a_thousand_groups_of_a_hundred_thousand_people_generate_a_day_quickly() {
    // The benchmark shape. In a debug build this takes about a second; release is far faster.
    let config = SimConfig {
        groups: 1_000,
        members: 100_000,
        days: 1,
        ..SimConfig::default()
    };
    let simulation = Simulation::new(config).expect("valid");
    let mut joins = 0;
    let mut messages = 0;
    for event in simulation.events() {
        match event.kind {
            EventKind::MemberJoined { .. } => joins += 1,
            EventKind::Message { .. } => messages += 1,
            _ => {}
        }
    }
    assert!(joins > 100_000, "{joins} joins");
    assert!(messages > 100_000, "{messages} messages");
}

#[test]
fn invalid_configurations_are_refused_with_a_reason() {
    let check = |config: SimConfig, expected: &str| {
        assert_eq!(config.validate().err().as_deref(), Some(expected));
        assert_eq!(Simulation::new(config).err().as_deref(), Some(expected));
    };
    check(
        SimConfig {
            groups: 0,
            ..SimConfig::default()
        },
        "`groups` must be at least 1",
    );
    check(
        SimConfig {
            groups: 10,
            members: 9,
            ..SimConfig::default()
        },
        "`members` (9) must be at least `groups` (10): every group needs an owner",
    );
    check(
        SimConfig {
            days: 0,
            ..SimConfig::default()
        },
        "`days` must be at least 1",
    );
    check(
        SimConfig {
            days: 5_000,
            ..SimConfig::default()
        },
        "`days` is 5000, at most 3650 are supported",
    );
    check(
        SimConfig {
            groups: 200_000,
            members: 300_000,
            ..SimConfig::default()
        },
        "`groups` is 200000, at most 100000 are supported",
    );
    check(
        SimConfig {
            members: 3_000_000,
            ..SimConfig::default()
        },
        "`members` is 3000000, at most 2000000 are supported",
    );
    check(
        SimConfig {
            messages_per_member_day: -1.0,
            ..SimConfig::default()
        },
        "`messages_per_member_day` is -1, it must be between 0 and 100",
    );
    check(
        SimConfig {
            messages_per_member_day: f64::NAN,
            ..SimConfig::default()
        },
        "`messages_per_member_day` is NaN, it must be between 0 and 100",
    );
    check(
        SimConfig {
            account: "".into(),
            ..SimConfig::default()
        },
        "`account` must not be empty",
    );
    check(
        SimConfig {
            start: DateTime::from_timestamp(0, 0).unwrap_or_default(),
            ..SimConfig::default()
        },
        "`start` 1970-01-01 00:00:00 UTC and `days` 30 must keep the run within the years 2000 to 2100",
    );
    assert_eq!(SimConfig::default().validate(), Ok(()));
}

#[test]
fn the_default_config_is_the_documented_one() {
    let config = SimConfig::default();
    assert_eq!(
        (config.seed, config.groups, config.members, config.days),
        (42, 20, 2_000, 30)
    );
    assert_eq!(config.start.to_rfc3339(), "2025-12-31T16:00:00+00:00");
    assert_eq!(config.platform, Platform::Simulator);
    assert_eq!(config.account.as_str(), "steward-sim");
    assert_eq!(config.messages_per_member_day, 2.0);
}
