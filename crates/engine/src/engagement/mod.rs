//! Onboarding and engagement (issue 5): the welcome (batched joins), the nickname rule with
//! reminders, self-introductions read into profiles, sign-in with streaks and make-ups, points
//! in a ledger (sign-ins, real messages under a cap, answers to other members' questions),
//! leaderboards by period and group set, keyword answers with a cooldown, and the questions
//! nobody answered. Settings are a document per scope ([`Settings`]), edited in the console and
//! the API. Points live in a ledger (`store::points`): a redelivered or replayed event never pays
//! twice, and the balance always equals the ledger's sum.

mod intro;
mod rewards;
mod screening;
mod settings;
mod welcome;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use steward_domain::{Action, ActionRequest, EventKind, MemberProfile, MessageId, OutSegment};
use steward_store::engagement::{Profile, WelcomeState};
use steward_store::points::Board;
use steward_store::{StoreError, Writer};

use self::rewards::{Earned, after_earning};
use crate::scoped::ScopedCache;
use crate::{Context, Feature, FeatureError};

pub use intro::{Parsed as Introduction, parse as parse_introduction};
pub use rewards::{badge_name, parse_birthday, scheduled_pass};
pub use settings::{
    Answer, Badges, Birthdays, Checkin, Compiled, Intro, Invites, Level, Levels, Messages,
    NicknameRule, Questions, RoleReminder, Roles, Screening, Settings, SettingsError, VARIABLES,
    Welcome,
};
pub use welcome::{Facts, Newcomer, check_template, render as render_welcome};

/// `[features.engagement]`: the switch; the settings themselves are edited in the console and
/// the API, per group, group set and deployment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngagementConfig {
    pub enabled: bool,
}

impl Default for EngagementConfig {
    fn default() -> Self {
        EngagementConfig { enabled: true }
    }
}

/// What the console shares with the running feature: a generation bumped when settings change.
#[derive(Debug, Default)]
pub struct EngagementShared {
    generation: AtomicU64,
}

impl EngagementShared {
    pub fn settings_changed(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    /// A group's settings compiled from their stored document (`None`: the defaults).
    pub fn compile(document: Option<&str>) -> Compiled {
        let settings =
            crate::document::in_force("engagement settings", document, Settings::from_stored);
        settings
            .compile()
            .or_else(|_| Settings::default().compile())
            .unwrap_or_else(|_| unreachable!("the default settings compile"))
    }
}

pub struct Engagement {
    shared: Arc<EngagementShared>,
    settings: ScopedCache<Compiled>,
    boards: Boards,
}

/// Leaderboards answered in the last minute, by group, period, set-wide or not, and day: a
/// period's board sums the ledger, and members asking for it again and again must not make the
/// writer do it each time.
#[derive(Default)]
struct Boards(std::sync::Mutex<std::collections::HashMap<BoardKey, (Instant, String)>>);

/// A board's group, period, whether set-wide, and day.
type BoardKey = (i64, Period, bool, i64);

const BOARD_TTL: Duration = Duration::from_secs(60);

impl Boards {
    fn get(&self, key: BoardKey) -> Option<String> {
        let boards = self.0.lock().ok()?;
        boards
            .get(&key)
            .filter(|(made, _)| made.elapsed() < BOARD_TTL)
            .map(|(_, text)| text.clone())
    }

    fn put(&self, key: BoardKey, text: &str) {
        if let Ok(mut boards) = self.0.lock() {
            if boards.len() > 10_000 {
                boards.retain(|_, (made, _)| made.elapsed() < BOARD_TTL);
            }
            boards.insert(key, (Instant::now(), text.to_owned()));
        }
    }
}

impl Engagement {
    pub fn new(shared: Arc<EngagementShared>) -> Engagement {
        Engagement {
            shared,
            settings: ScopedCache::default(),
            boards: Boards::default(),
        }
    }

    fn settings_for(&self, store: &mut Writer, group_id: i64) -> Result<Arc<Compiled>, StoreError> {
        let generation = self.shared.generation.load(Ordering::Relaxed);
        self.settings.get(
            generation,
            group_id,
            || store.engagement_rules(group_id),
            EngagementShared::compile,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Command {
    CheckIn,
    MakeUp,
    Points,
    Top {
        period: Period,
        set: bool,
    },
    /// `我的生日 5月3日`, `/birthday 05-03`.
    Birthday(String),
    /// `认领 运动委员`, `/role sports captain`.
    Role(String),
}

/// A leaderboard's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Today,
    Week,
    Month,
    All,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Today, Period::Week, Period::Month, Period::All];

    pub fn name(self) -> &'static str {
        match self {
            Period::Today => "today",
            Period::Week => "week",
            Period::Month => "month",
            Period::All => "all",
        }
    }

    pub fn parse(name: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|period| period.name() == name)
    }
}

/// A command is the whole message (after an optional leading @mention, which is not text), in
/// Chinese or English; `/checkin@BotName` as Telegram writes it.
fn command(text: &str, checkin: &[String]) -> Option<Command> {
    let text = text.trim();
    // A sign-in word may be several words (`check in`).
    if checkin.iter().any(|word| word.trim() == text) {
        return Some(Command::CheckIn);
    }
    let (head, rest) = match text.split_once(char::is_whitespace) {
        Some((head, rest)) => (head, rest.trim()),
        None => (text, ""),
    };
    let head = match head.split_once('@') {
        Some((word, bot)) if word.starts_with('/') && !bot.is_empty() => word,
        _ => head,
    };
    if rest.is_empty() {
        if checkin.iter().any(|word| word == head || word == text) {
            return Some(Command::CheckIn);
        }
        match head {
            "补签" | "/makeup" => return Some(Command::MakeUp),
            "积分" | "/points" | "我的积分" => return Some(Command::Points),
            "今日排行" | "今日排行榜" => return top(Period::Today, false),
            "本周排行" | "本周排行榜" | "周榜" => return top(Period::Week, false),
            "本月排行" | "本月排行榜" | "月榜" => return top(Period::Month, false),
            "总排行" | "总排行榜" => return top(Period::All, false),
            _ => {}
        }
    }
    if matches!(head, "认领" | "认领角色" | "/role") && !rest.is_empty() {
        return Some(Command::Role(rest.to_owned()));
    }
    if matches!(head, "我的生日" | "生日" | "/birthday") && !rest.is_empty() {
        return Some(Command::Birthday(rest.to_owned()));
    }
    if !matches!(head, "排行榜" | "/top" | "积分榜") {
        return None;
    }
    let mut period = Period::All;
    let mut set = false;
    for word in rest.split_whitespace() {
        match word {
            "今日" | "今天" | "today" | "day" => period = Period::Today,
            "本周" | "week" => period = Period::Week,
            "本月" | "month" => period = Period::Month,
            "总" | "all" => period = Period::All,
            "全部群" | "群组" | "set" => set = true,
            _ => return None,
        }
    }
    top(period, set)
}

fn top(period: Period, set: bool) -> Option<Command> {
    Some(Command::Top { period, set })
}

/// Days since the epoch of a date (in the group's time zone): the ledger's `day`.
pub fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - 719_163
}

/// Whether a message asks something of the group.
fn is_question(text: &str) -> bool {
    let text = text.trim();
    if text.chars().count() < 4 {
        return false;
    }
    let end = text.trim_end_matches(|c: char| c.is_whitespace() || "~～。.!！".contains(c));
    if end.ends_with(['?', '？', '吗', '么']) {
        return true;
    }
    let lower = text.to_lowercase();
    [
        "请问",
        "有没有人",
        "谁知道",
        "有人知道",
        "求推荐",
        "怎么办",
        "how do i",
        "does anyone",
        "anyone know",
    ]
    .iter()
    .any(|cue| lower.contains(cue))
}

impl Feature for Engagement {
    fn name(&self) -> &'static str {
        "engagement"
    }

    /// Most messages it only reads for: it takes its own savepoint around the events that may
    /// write (`guarded`, decided by read-only checks), rather than the pipeline's around every
    /// event (a third of the throughput).
    fn writes_state(&self) -> bool {
        false
    }

    fn handle(&self, context: &mut Context<'_>) -> Result<(), FeatureError> {
        let compiled = self.settings_for(context.store, context.stored.group_id)?;
        if !compiled.settings.enabled || context.removed {
            return Ok(());
        }
        match &context.event.kind {
            EventKind::Message { sender, .. } if !sender.is_bot => {
                let sender = sender.clone();
                let settings = &compiled.settings;
                let intro = if settings.intro.enabled {
                    intro::parse(context.text, settings.intro_template())
                } else {
                    None
                };
                let work = |context: &mut Context<'_>| -> Result<(), FeatureError> {
                    match screening::on_message(&compiled, context, &sender)? {
                        screening::Outcome::NotScreened => {
                            on_message(&compiled, &self.boards, context, &sender, intro.as_ref())
                        }
                        screening::Outcome::Passed => welcome(&compiled, context, &sender, None),
                        screening::Outcome::Handled => Ok(()),
                    }
                };
                if may_write(&compiled, context, intro.is_some()) {
                    guarded(context, work)
                } else {
                    work(context)
                }
            }
            EventKind::JoinRequest { applicant, answer } if !applicant.is_bot => {
                let (applicant, answer) = (applicant.clone(), answer.clone());
                guarded(context, |context| {
                    Ok(screening::on_request(
                        &compiled,
                        context,
                        &applicant,
                        answer.as_deref(),
                    )?)
                })
            }
            EventKind::MemberJoined {
                member, inviter, ..
            } if !member.is_bot => {
                let (member, inviter) =
                    (member.clone(), inviter.as_ref().map(|user| user.0.clone()));
                guarded(context, |context| {
                    if let Some(inviter) = &inviter {
                        rewards::remember_invite(&compiled, context, inviter)?;
                    }
                    if screening::on_join(&compiled, context, &member)? {
                        return Ok(());
                    }
                    welcome(&compiled, context, &member, inviter.as_deref())
                })
            }
            _ => Ok(()),
        }
    }
}

/// Runs `work` in a savepoint of its own: when it fails, none of its writes stays (and on
/// PostgreSQL the event's transaction is not left aborted). Taken only for events that may write:
/// a savepoint around every message costs throughput.
fn guarded(
    context: &mut Context<'_>,
    work: impl FnOnce(&mut Context<'_>) -> Result<(), FeatureError>,
) -> Result<(), FeatureError> {
    context.store.savepoint("steward_engagement_event")?;
    match work(context) {
        Ok(()) => {
            context.store.release("steward_engagement_event")?;
            Ok(())
        }
        Err(err) => {
            context.store.rollback_to("steward_engagement_event")?;
            Err(err)
        }
    }
}

/// Whether the feature may write anything for this message (read-only checks only).
fn may_write(compiled: &Compiled, context: &Context<'_>, introduction: bool) -> bool {
    let settings = &compiled.settings;
    let text = context.text;
    let reply = matches!(
        &context.event.kind,
        EventKind::Message {
            reply_to: Some(_),
            ..
        }
    );
    settings.screening.mode != "none"
        || introduction
        || compiled.nickname.is_some()
        || command(text, &settings.checkin.words).is_some()
        || role_in_sentence(text, &settings.roles.names).is_some()
        || compiled.answers.find(text).is_some()
        || settings.questions.enabled && (reply || is_question(text))
        || settings.messages.points > 0
}

/// Everything the feature does with a member's message.
fn on_message(
    compiled: &Compiled,
    boards: &Boards,
    context: &mut Context<'_>,
    sender: &MemberProfile,
    intro: Option<&Introduction>,
) -> Result<(), FeatureError> {
    let settings = &compiled.settings;
    let local = context.event.time.with_timezone(&compiled.time_zone);
    let day = day_number(local.date_naive());
    let time = context.event.time.timestamp_millis();
    let command = command(context.text, &settings.checkin.words)
        .or_else(|| role_in_sentence(context.text, &settings.roles.names).map(Command::Role));
    if let Some(command) = command {
        let mut streak = None;
        let reply = match command {
            Command::CheckIn if settings.checkin.enabled => {
                let (reply, new) = checkin(settings, context, day, time)?;
                streak = new;
                reply
            }
            Command::MakeUp if settings.checkin.enabled => {
                let (reply, new) = makeup(settings, context, day, time)?;
                streak = new;
                reply
            }
            Command::Birthday(date) => birthday(settings, context, &date, time)?,
            Command::Role(role) if settings.roles.enabled => {
                claim_role(settings, context, &role, time)?
            }
            Command::Points => {
                let balance = context
                    .store
                    .points_balance(context.stored.group_id, context.stored.member_id)?;
                if settings.en() {
                    format!(" you have {balance} points.")
                } else {
                    format!(" 你现在有 {balance} 积分。")
                }
            }
            Command::Top { period, set } => {
                let key = (context.stored.group_id, period, set, day);
                match boards.get(key) {
                    Some(text) => text,
                    None => {
                        let text = leaderboard(settings, context, local.date_naive(), period, set)?;
                        boards.put(key, &text);
                        text
                    }
                }
            }
            _ => return Ok(()),
        };
        reply_to(context, sender, reply);
        if streak.is_some() {
            let earned = Earned {
                streak,
                introduced: false,
            };
            after_earning(compiled, context, &sender.id, &earned)?;
        }
        return Ok(());
    }
    nickname_reminder(compiled, context, sender, time)?;
    let introduced = match intro {
        Some(parsed) => introduction(settings, context, sender, parsed)?,
        None => false,
    };
    let answered = keyword_answer(compiled, context, time)?;
    let paid = questions(settings, context, answered, day, time)?;
    let paid = message_points(settings, context, day, time)? || paid;
    if paid || introduced {
        let earned = Earned {
            streak: None,
            introduced,
        };
        after_earning(compiled, context, &sender.id, &earned)?;
    }
    Ok(())
}

/// `我是运动委员`, `I'm the treasurer`: a claim in a sentence, of one of the group's roles.
fn role_in_sentence(text: &str, names: &[String]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let text = text.trim();
    let lower = text.to_lowercase();
    let rest = [
        "我是",
        "我来当",
        "我想当",
        "i'm the ",
        "i am the ",
        "i'll be the ",
    ]
    .iter()
    .find_map(|cue| lower.strip_prefix(cue))?;
    let rest = rest.trim_end_matches(|c: char| c.is_whitespace() || "!！。.~～".contains(c));
    names
        .iter()
        .find(|name| name.trim().to_lowercase() == rest)
        .map(|name| name.trim().to_owned())
}

/// A member claims a role; an operator approves it in the console.
fn claim_role(
    settings: &Settings,
    context: &mut Context<'_>,
    role: &str,
    time: i64,
) -> Result<String, StoreError> {
    let en = settings.en();
    let role = role.trim();
    let named = settings.roles.names.is_empty()
        || settings.roles.names.iter().any(|name| name.trim() == role);
    if !settings::valid_role(role) || !named {
        let known = settings.roles.names.join(if en { ", " } else { "、" });
        return Ok(if en {
            format!(" the roles here are: {known}.")
        } else {
            format!(" 本群的角色有：{known}。")
        });
    }
    let (group, member, event_id) = ids(context);
    let status = context
        .store
        .claim_role(group, member, role, event_id, time)?;
    Ok(match (status.as_str(), en) {
        ("approved", false) => format!(" 你已经是「{role}」了。"),
        ("approved", true) => format!(" you are {role} already."),
        (_, false) => format!(" 已申请「{role}」，等管理员确认。"),
        (_, true) => format!(" you asked to be {role}; an operator will confirm."),
    })
}

/// `我的生日 5月3日`: stored on the member's profile, for the greeting on the day.
fn birthday(
    settings: &Settings,
    context: &mut Context<'_>,
    date: &str,
    time: i64,
) -> Result<String, StoreError> {
    let en = settings.en();
    let Some(birthday) = rewards::parse_birthday(date) else {
        return Ok(if en {
            " write the date as 05-03 or 5/3.".to_owned()
        } else {
            " 日期请写成 5月3日 或 05-03。".to_owned()
        });
    };
    let (member, event_id) = (context.stored.member_id, context.stored.id);
    context
        .store
        .set_birthday(member, &birthday, event_id, time)?;
    Ok(if en {
        format!(" noted: your birthday is {birthday}.")
    } else {
        format!(" 记下了：你的生日是 {birthday}。")
    })
}

/// Sends `text` to the group, mentioning `sender` and replying to their message.
fn reply_to(context: &mut Context<'_>, sender: &MemberProfile, text: String) {
    let reply_to = context.event.id.clone().map(MessageId);
    context.act(Action::Send {
        segments: vec![
            OutSegment::Mention {
                user: sender.id.clone(),
            },
            OutSegment::Text { text },
        ],
        reply_to,
    });
}

/// The reply, and the streak when this was a new sign-in.
fn checkin(
    settings: &Settings,
    context: &mut Context<'_>,
    day: i64,
    time: i64,
) -> Result<(String, Option<i64>), StoreError> {
    let (group, member, event_id) = ids(context);
    let en = settings.en();
    if let Some(streak) = context.store.checkin_streak(group, member, day)? {
        let balance = context.store.points_balance(group, member)?;
        return Ok((
            if en {
                format!(" already signed in today: a {streak}-day streak, {balance} points.")
            } else {
                format!(" 今天已经签到过了：连续 {streak} 天，共 {balance} 积分。")
            },
            None,
        ));
    }
    let streak = context
        .store
        .checkin_streak(group, member, day - 1)?
        .map_or(1, |streak| streak + 1);
    let rules = &settings.checkin;
    let bonus = (rules.streak_bonus * (streak - 1)).clamp(0, rules.streak_bonus_max);
    let points = rules.points + bonus;
    let balance = in_savepoint(context.store, |store| {
        store.record_checkin(group, member, day, streak, event_id)?;
        store.award_points(group, member, points, "checkin", event_id, day, time)
    })?
    .unwrap_or_default();
    Ok((
        if en {
            format!(" signed in: a {streak}-day streak, +{points} points, {balance} in all.")
        } else {
            format!(" 签到成功！连续 {streak} 天，+{points} 积分，共 {balance} 积分。")
        },
        Some(streak),
    ))
}

/// Fills the latest missed day among the last `makeup_days`, when a sign-in follows it (so that
/// it joins two runs), for `makeup_cost` points; the streaks after it are counted again. The
/// reply, and the streak now when a day was made up.
fn makeup(
    settings: &Settings,
    context: &mut Context<'_>,
    today: i64,
    time: i64,
) -> Result<(String, Option<i64>), StoreError> {
    let (group, member, event_id) = ids(context);
    let en = settings.en();
    let rules = &settings.checkin;
    let first = today - i64::from(rules.makeup_days);
    let days = context
        .store
        .checkins_between(group, member, first - 1, today)?;
    let signed = |day: i64| days.iter().any(|(d, _)| *d == day);
    // The latest missed day in the window that a sign-in follows.
    let missed = (first..today)
        .rev()
        .find(|day| !signed(*day) && signed(day + 1));
    let Some(missed) = missed.filter(|_| rules.makeup_days > 0) else {
        return Ok((
            if en {
                format!(
                    " nothing to make up: make-ups fill a missed day of the last {} days that a \
                 sign-in follows.",
                    rules.makeup_days
                )
            } else {
                format!(
                    " 没有可以补签的日子：补签只能补最近 {} 天内、之后又签到过的那一天。",
                    rules.makeup_days
                )
            },
            None,
        ));
    };
    let balance = context.store.points_balance(group, member)?;
    if balance < rules.makeup_cost {
        return Ok((
            if en {
                format!(
                    " a make-up costs {} points; you have {balance}.",
                    rules.makeup_cost
                )
            } else {
                format!(
                    " 补签需要 {} 积分，你现在有 {balance} 积分。",
                    rules.makeup_cost
                )
            },
            None,
        ));
    }
    let before = days
        .iter()
        .find(|(d, _)| *d == missed - 1)
        .map_or(0, |(_, streak)| *streak);
    let (streak, balance) = in_savepoint(context.store, |store| {
        store.record_checkin(group, member, missed, before + 1, event_id)?;
        let mut streak = before + 1;
        for day in missed + 1..=today {
            if !signed(day) {
                break;
            }
            streak += 1;
            store.set_checkin_streak(group, member, day, streak)?;
        }
        let balance = store.award_points(
            group,
            member,
            -rules.makeup_cost,
            "makeup",
            event_id,
            today,
            time,
        )?;
        Ok((streak, balance.unwrap_or_default()))
    })?;
    Ok((
        if en {
            format!(
                " made up a missed day for {} points: your streak is {streak} days, {balance} points left.",
                rules.makeup_cost
            )
        } else {
            format!(
                " 补签成功，花费 {} 积分：现在连续 {streak} 天，剩 {balance} 积分。",
                rules.makeup_cost
            )
        },
        Some(streak),
    ))
}

fn leaderboard(
    settings: &Settings,
    context: &mut Context<'_>,
    today: NaiveDate,
    period: Period,
    set: bool,
) -> Result<String, StoreError> {
    let en = settings.en();
    let group = context.stored.group_id;
    let board = match set
        .then(|| context.store.group_set_of(group))
        .transpose()?
        .flatten()
    {
        Some(name) => Board::Set(name),
        None => Board::Group(group),
    };
    let days = period_days(today, period);
    let top = context.store.points_top(&board, days, 10)?;
    let title = match (period, en) {
        (Period::Today, false) => "今日积分榜",
        (Period::Week, false) => "本周积分榜",
        (Period::Month, false) => "本月积分榜",
        (Period::All, false) => "积分排行榜",
        (Period::Today, true) => "Today's top 10",
        (Period::Week, true) => "This week's top 10",
        (Period::Month, true) => "This month's top 10",
        (Period::All, true) => "Top 10 by points",
    };
    let mut text = format!(" {title}");
    if let Board::Set(name) = &board {
        text.push_str(&if en {
            format!(" (all groups of {name})")
        } else {
            format!("（{name} 全部群）")
        });
    }
    text.push_str(if en { ":" } else { "：" });
    if top.is_empty() {
        text.push_str(if en {
            "\nnobody yet."
        } else {
            "\n还没有人上榜。"
        });
    }
    for (rank, standing) in top.iter().enumerate() {
        text.push_str(&format!(
            "\n{}. {} {}",
            rank + 1,
            standing.name,
            standing.points
        ));
    }
    Ok(text)
}

/// The first and last day of a period that contains `today` (weeks begin on Monday).
pub fn period_days(today: NaiveDate, period: Period) -> Option<(i64, i64)> {
    let day = day_number(today);
    match period {
        Period::Today => Some((day, day)),
        Period::Week => Some((day - i64::from(today.weekday().num_days_from_monday()), day)),
        Period::Month => Some((day - i64::from(today.day0()), day)),
        Period::All => None,
    }
}

/// Reminds a member whose nickname breaks the rule, at most `reminders` times, `interval` apart.
fn nickname_reminder(
    compiled: &Compiled,
    context: &mut Context<'_>,
    sender: &MemberProfile,
    time: i64,
) -> Result<(), StoreError> {
    let Some(rule) = &compiled.nickname else {
        return Ok(());
    };
    let settings = &compiled.settings;
    let nickname = sender.nickname.as_deref().unwrap_or(&sender.name);
    if rule.matches(nickname) {
        return Ok(());
    }
    let (group, member, _) = ids(context);
    let (count, last) = context.store.nickname_reminders(group, member)?;
    let interval = i64::from(settings.nickname.interval_minutes) * 60_000;
    if count >= i64::from(settings.nickname.reminders)
        || last.is_some_and(|last| time - last < interval)
    {
        return Ok(());
    }
    // One statement: it needs no savepoint of its own.
    context.store.note_nickname_reminder(group, member, time)?;
    let (n, of, pattern) = (
        count + 1,
        settings.nickname.reminders,
        &settings.nickname.pattern,
    );
    let pattern = pattern
        .strip_prefix("regex:")
        .map_or(pattern.as_str(), str::trim);
    let text = if settings.en() {
        format!(" please set your nickname in this group as {pattern} (reminder {n} of {of}).")
    } else {
        format!(" 请把群名片改成「{pattern}」的格式（第 {n}/{of} 次提醒）。")
    };
    reply_to(context, sender, text);
    Ok(())
}

/// Reads a self-introduction into the member's profile and tags; whether it was one.
fn introduction(
    settings: &Settings,
    context: &mut Context<'_>,
    sender: &MemberProfile,
    parsed: &Introduction,
) -> Result<bool, StoreError> {
    let (_, member, event_id) = ids(context);
    let profile = Profile {
        city: parsed.city.clone(),
        hours: parsed.hours.clone(),
        occupation: parsed.occupation.clone(),
        interests: (!parsed.interests.is_empty()).then(|| parsed.interests.join("、")),
        intro: context.text.chars().take(1000).collect(),
        tags: parsed.tags(),
        updated_at: context.event.time.timestamp_millis(),
    };
    let saved = in_savepoint(context.store, |store| {
        let saved = store.save_profile(member, &profile, event_id)?;
        if saved && let Some(birthday) = &parsed.birthday {
            store.set_birthday(member, birthday, event_id, profile.updated_at)?;
        }
        Ok(saved)
    })?;
    if !saved || !settings.intro.reply {
        return Ok(saved);
    }
    let en = settings.en();
    let mut noted = Vec::new();
    let mut note = |zh: &str, english: &str, value: &str| {
        noted.push(format!("{} {value}", if en { english } else { zh }));
    };
    if let Some(city) = &parsed.city {
        note("城市", "city", city);
    }
    if let Some(occupation) = &parsed.occupation {
        note("职业", "work", occupation);
    }
    if !parsed.interests.is_empty() {
        note(
            "爱好",
            "interests",
            &parsed.interests.join(if en { ", " } else { "、" }),
        );
    }
    if !parsed.expertise.is_empty() {
        note(
            "特长",
            "good at",
            &parsed.expertise.join(if en { ", " } else { "、" }),
        );
    }
    let text = if en {
        format!(
            " thanks for introducing yourself! Noted: {}.",
            noted.join("; ")
        )
    } else {
        format!(" 谢谢介绍！已记下：{}。", noted.join("；"))
    };
    reply_to(context, sender, text);
    Ok(true)
}

/// The first keyword answer the message triggers, unless it was given in the group less than
/// its cooldown ago (by the messages' own time). Returns whether an answer matched (given now,
/// or just before and still on the members' screens).
fn keyword_answer(
    compiled: &Compiled,
    context: &mut Context<'_>,
    time: i64,
) -> Result<bool, StoreError> {
    if compiled.settings.answers.is_empty() {
        return Ok(false);
    }
    let Some(index) = compiled.answers.find(context.text) else {
        return Ok(false);
    };
    let entry = &compiled.settings.answers[index];
    let key = format!(
        "{index}:{}",
        entry.keywords.first().unwrap_or(&entry.pattern)
    );
    let group = context.stored.group_id;
    if context
        .store
        .answer_given_at(group, &key)?
        .is_some_and(|last| time - last < i64::from(entry.cooldown_seconds) * 1000)
    {
        return Ok(true);
    }
    context.store.note_answer(group, &key, time)?;
    let reply_to = context.event.id.clone().map(MessageId);
    context.act(Action::Send {
        segments: vec![OutSegment::Text {
            text: entry.reply.clone(),
        }],
        reply_to,
    });
    Ok(true)
}

/// Notes a question (unless a keyword answer just answered it); a reply to an open question
/// answers it and pays the member who replied. Returns whether it paid.
fn questions(
    settings: &Settings,
    context: &mut Context<'_>,
    answered: bool,
    day: i64,
    time: i64,
) -> Result<bool, StoreError> {
    let rules = &settings.questions;
    if !rules.enabled {
        return Ok(false);
    }
    let (group, member, event_id) = ids(context);
    let mut paid = false;
    if let EventKind::Message {
        reply_to: Some(question),
        ..
    } = &context.event.kind
    {
        let question = context.event.key_of_message(question);
        let points = rules.answer_points;
        if context
            .store
            .answer_question(&question, Some(member), time)?
            .is_some()
            && points > 0
        {
            paid = in_savepoint(context.store, |store| {
                store.award_points(group, member, points, "answer", event_id, day, time)
            })?
            .is_some();
        }
    }
    if !answered && is_question(context.text) && context.event.id.is_some() {
        context
            .store
            .record_question(event_id, group, member, time)?;
    }
    Ok(paid)
}

/// Points for a real message: long enough, `interval_seconds` after the last paid one (by the
/// messages' own times), under the daily cap. Returns whether it paid.
fn message_points(
    settings: &Settings,
    context: &mut Context<'_>,
    day: i64,
    time: i64,
) -> Result<bool, StoreError> {
    let rules = &settings.messages;
    if rules.points == 0
        || context.text.chars().filter(|c| !c.is_whitespace()).count() < rules.min_chars as usize
    {
        return Ok(false);
    }
    let (group, member, event_id) = ids(context);
    let (paid_today, last) = context.store.awards_on(group, member, "message", day)?;
    let interval = i64::from(rules.interval_seconds) * 1000;
    if paid_today >= i64::from(rules.daily_cap) || last.is_some_and(|last| time - last < interval) {
        return Ok(false);
    }
    let points = rules.points;
    Ok(in_savepoint(context.store, |store| {
        store.award_points(group, member, points, "message", event_id, day, time)
    })?
    .is_some())
}

/// Welcomes a member at once, or adds them to the welcome waiting for the joins that follow
/// the last one (see [`welcome`](self::welcome)).
fn welcome(
    compiled: &Compiled,
    context: &mut Context<'_>,
    member: &MemberProfile,
    inviter: Option<&str>,
) -> Result<(), FeatureError> {
    let settings = &compiled.settings;
    if !settings.welcome.enabled {
        return Ok(());
    }
    let group = context.stored.group_id;
    let time = context.event.time.timestamp_millis();
    let newcomer = Newcomer {
        user: member.id.0.clone(),
        name: member
            .nickname
            .clone()
            .unwrap_or_else(|| member.name.clone()),
    };
    let window = i64::from(settings.welcome.batch_seconds) * 1000;
    let state = context.store.welcome_state(group)?;
    let Some(state) =
        state.filter(|state| window > 0 && (0..window).contains(&(time - state.last_at)))
    else {
        let segments = render(compiled, context, inviter, std::slice::from_ref(&newcomer))?;
        context.act(Action::Send {
            segments,
            reply_to: None,
        });
        let state = WelcomeState {
            last_at: time,
            outbox_id: None,
            members: "[]".to_owned(),
        };
        return Ok(context.store.set_welcome_state(group, &state)?);
    };
    // Within the window after a welcome: into the batch that waits for the window's end.
    let mut members: Vec<Newcomer> = serde_json::from_str(&state.members).unwrap_or_default();
    if members.iter().any(|known| known.user == newcomer.user) {
        return Ok(());
    }
    members.push(newcomer.clone());
    let request = |segments| ActionRequest {
        platform: context.event.platform,
        account: context.event.account.clone(),
        chat: context.event.chat.clone(),
        action: Action::Send {
            segments,
            reply_to: None,
        },
    };
    let batch = request(render(compiled, context, inviter, &members)?);
    let alone = request(render(
        compiled,
        context,
        inviter,
        std::slice::from_ref(&newcomer),
    )?);
    let (now, event_id) = (context.now, context.stored.id);
    let not_before = now + chrono::Duration::milliseconds(state.last_at + window - time);
    in_savepoint(context.store, |store| {
        let amended = match state.outbox_id {
            Some(id) => store.amend_pending(id, &batch.action)?,
            None => false,
        };
        let (outbox_id, members) = if amended {
            (state.outbox_id, members)
        } else {
            // There is no batch yet, or it went out already: this join starts one.
            let id = store.enqueue_after(Some(event_id), &alone, now, not_before)?;
            (Some(id), vec![newcomer])
        };
        store.set_welcome_state(
            group,
            &WelcomeState {
                last_at: state.last_at,
                outbox_id,
                members: serde_json::to_string(&members).unwrap_or_else(|_| "[]".to_owned()),
            },
        )
    })?;
    Ok(())
}

/// The welcome for `newcomers`, with the group's facts as they are now.
fn render(
    compiled: &Compiled,
    context: &mut Context<'_>,
    inviter: Option<&str>,
    newcomers: &[Newcomer],
) -> Result<Vec<OutSegment>, StoreError> {
    let settings = &compiled.settings;
    let group = context.stored.group_id;
    let template = settings.welcome_template();
    let uses = |name: &str| template.contains(&format!("{{{name}}}"));
    let (title, count) = context.store.group_facts(group)?;
    let inviter = match inviter {
        Some(user) if uses("inviter") => context
            .store
            .name_in_group(group, context.event.platform.as_str(), user)?
            .unwrap_or_else(|| user.to_owned()),
        _ => String::new(),
    };
    let rules = if uses("rules") {
        context
            .store
            .moderation_rules(group)?
            .and_then(|json| crate::moderation::Rules::from_stored(&json).ok())
            .map(|(rules, _)| rules.rules_text)
            .unwrap_or_default()
    } else {
        String::new()
    };
    let facts = Facts {
        group: title,
        count,
        inviter,
        rules,
        nickname_rule: settings.nickname.pattern.clone(),
        intro_template: settings.intro_template().to_owned(),
        separator: if settings.en() { ", " } else { "、" },
    };
    Ok(welcome::render(template, &facts, newcomers))
}

fn ids(context: &Context<'_>) -> (i64, i64, i64) {
    (
        context.stored.group_id,
        context.stored.member_id,
        context.stored.id,
    )
}

/// Runs the writes in a savepoint of their own: when one fails, none of them stays.
fn in_savepoint<T>(
    store: &mut Writer,
    work: impl FnOnce(&mut Writer) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    store.savepoint("steward_engagement")?;
    match work(store) {
        Ok(value) => {
            store.release("steward_engagement")?;
            Ok(value)
        }
        Err(err) => {
            store.rollback_to("steward_engagement")?;
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Vec<String> {
        Checkin::default().words
    }

    #[test]
    fn a_command_is_the_whole_message() {
        let week = Some(Command::Top {
            period: Period::Week,
            set: false,
        });
        for (text, expected) in [
            ("签到", Some(Command::CheckIn)),
            (" /checkin ", Some(Command::CheckIn)),
            ("/checkin@StewardBot", Some(Command::CheckIn)),
            ("积分", Some(Command::Points)),
            ("补签", Some(Command::MakeUp)),
            ("/top", top(Period::All, false)),
            ("排行榜", top(Period::All, false)),
            ("/top week", week.clone()),
            ("排行榜 本周", week.clone()),
            ("本周排行", week),
            ("/top month set", top(Period::Month, true)),
            ("我今天忘了签到", None),
            ("签到了吗", None),
            ("/checkin now", None),
            ("排行榜 是什么", None),
        ] {
            assert_eq!(command(text, &words()), expected, "{text}");
        }
        assert_eq!(
            command("打卡", &["打卡".to_owned()]),
            Some(Command::CheckIn)
        );
        assert_eq!(command("签到", &["打卡".to_owned()]), None);
        assert_eq!(
            command(" check in ", &["check in".to_owned()]),
            Some(Command::CheckIn)
        );
    }

    #[test]
    fn periods_begin_on_monday_and_the_first() {
        // 2026-06-03 is a Wednesday.
        let day = NaiveDate::from_ymd_opt(2026, 6, 3).unwrap_or_default();
        let n = day_number(day);
        assert_eq!(
            day_number(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()),
            0
        );
        assert_eq!(period_days(day, Period::Today), Some((n, n)));
        assert_eq!(period_days(day, Period::Week), Some((n - 2, n)));
        assert_eq!(period_days(day, Period::Month), Some((n - 2, n)));
        assert_eq!(period_days(day, Period::All), None);
    }

    #[test]
    fn questions_are_told_from_chat() {
        for (text, question) in [
            ("请问停车场在哪", true),
            ("明天几点集合？", true),
            ("有人去吗", true),
            ("How do I sign in", true),
            ("好的", false),
            ("明天见！", false),
            ("我到了", false),
        ] {
            assert_eq!(is_question(text), question, "{text}");
        }
    }
}
