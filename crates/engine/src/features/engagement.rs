//! Sign-in and points (issue 5, begun): `签到` / `/checkin` once a day in the group's time zone,
//! judged by the event's own time, with a streak; points for sign-ins and for real messages
//! (long enough, at most one a minute and a daily cap, so that spamming pays nothing); `积分` /
//! `/points` and `排行榜` / `/top`. Points live in a ledger (`store::points`): a redelivered or
//! replayed event never pays twice, and the balance always equals the ledger's sum.

use serde::Deserialize;
use steward_domain::{Action, EventKind, MessageId, OutSegment};

use crate::{Context, Feature, FeatureError};

/// `[features.engagement]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngagementConfig {
    pub enabled: bool,
    /// Points for a sign-in, plus `streak_bonus` for each day of the streak after the first,
    /// up to `streak_bonus_max`.
    pub checkin_points: i64,
    pub streak_bonus: i64,
    pub streak_bonus_max: i64,
    /// Points for a message of at least `message_min_chars` characters (spaces not counted), at
    /// most one a minute and `message_daily_cap` a day. Off by default (0): a ledger row for
    /// most messages costs a third of the pipeline's throughput (README, "Performance").
    pub message_points: i64,
    pub message_min_chars: usize,
    pub message_daily_cap: i64,
    /// The groups' time zone, minutes east of UTC (480: China, Asia/Shanghai).
    pub utc_offset_minutes: i32,
    /// `zh` or `en`: the language of the replies.
    pub language: String,
}

impl Default for EngagementConfig {
    fn default() -> Self {
        EngagementConfig {
            enabled: true,
            checkin_points: 10,
            streak_bonus: 2,
            streak_bonus_max: 20,
            message_points: 0,
            message_min_chars: 5,
            message_daily_cap: 20,
            utc_offset_minutes: 480,
            language: "zh".to_owned(),
        }
    }
}

#[derive(Debug)]
pub struct Engagement {
    config: EngagementConfig,
}

impl Engagement {
    pub fn new(config: EngagementConfig) -> Engagement {
        Engagement { config }
    }

    fn en(&self) -> bool {
        self.config.language == "en"
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    CheckIn,
    Points,
    Top,
}

/// A command is the whole message (after an optional leading @mention, which is not text), in
/// Chinese or English; `/checkin@BotName` as Telegram writes it.
fn command(text: &str) -> Option<Command> {
    let text = text.trim();
    let word = match text.split_once('@') {
        Some((word, bot)) if word.starts_with('/') && !bot.is_empty() && !bot.contains(' ') => word,
        _ => text,
    };
    match word {
        "签到" | "/checkin" | "/签到" => Some(Command::CheckIn),
        "积分" | "/points" | "我的积分" => Some(Command::Points),
        "排行榜" | "/top" | "积分榜" => Some(Command::Top),
        _ => None,
    }
}

/// Days since the epoch in the given time zone.
fn day_of(time_ms: i64, offset_minutes: i32) -> i64 {
    (time_ms + i64::from(offset_minutes) * 60_000).div_euclid(86_400_000)
}

impl Feature for Engagement {
    fn name(&self) -> &'static str {
        "engagement"
    }

    /// It writes only on a sign-in or a paid message: it takes its own savepoint then, rather
    /// than the pipeline's around every event (a third of the throughput).
    fn writes_state(&self) -> bool {
        false
    }

    fn handle(&self, context: &mut Context<'_>) -> Result<(), FeatureError> {
        let EventKind::Message { sender, .. } = &context.event.kind else {
            return Ok(());
        };
        if sender.is_bot || context.removed {
            return Ok(());
        }
        let time = context.event.time.timestamp_millis();
        let day = day_of(time, self.config.utc_offset_minutes);
        let (group, member, event_id) = (
            context.stored.group_id,
            context.stored.member_id,
            context.stored.id,
        );
        let reply = match command(context.text) {
            Some(Command::CheckIn) => {
                if let Some(streak) = context.store.checkin_streak(group, member, day)? {
                    let balance = context.store.points_balance(group, member)?;
                    if self.en() {
                        format!(
                            " already signed in today: a {streak}-day streak, {balance} points."
                        )
                    } else {
                        format!(" 今天已经签到过了：连续 {streak} 天，共 {balance} 积分。")
                    }
                } else {
                    let streak = context
                        .store
                        .checkin_streak(group, member, day - 1)?
                        .map_or(1, |streak| streak + 1);
                    let bonus = (self.config.streak_bonus * (streak - 1))
                        .clamp(0, self.config.streak_bonus_max);
                    let points = self.config.checkin_points + bonus;
                    let balance = in_savepoint(context.store, |store| {
                        store.record_checkin(group, member, day, streak, event_id)?;
                        store.award_points(group, member, points, "checkin", event_id, day, time)
                    })?
                    .unwrap_or_default();
                    if self.en() {
                        format!(
                            " signed in: a {streak}-day streak, +{points} points, {balance} in all."
                        )
                    } else {
                        format!(" 签到成功！连续 {streak} 天，+{points} 积分，共 {balance} 积分。")
                    }
                }
            }
            Some(Command::Points) => {
                let balance = context.store.points_balance(group, member)?;
                if self.en() {
                    format!(" you have {balance} points.")
                } else {
                    format!(" 你现在有 {balance} 积分。")
                }
            }
            Some(Command::Top) => {
                let top = context.store.points_top(group, 10)?;
                let mut text = if self.en() {
                    String::from(" Top 10 by points:")
                } else {
                    String::from(" 积分排行榜（前 10 名）：")
                };
                for (rank, standing) in top.iter().enumerate() {
                    text.push_str(&format!(
                        "\n{}. {} {}",
                        rank + 1,
                        standing.name,
                        standing.points
                    ));
                }
                text
            }
            None => {
                self.award_message(context, group, member, event_id, day, time)?;
                return Ok(());
            }
        };
        let reply_to = context.event.id.clone().map(MessageId);
        let user = sender.id.clone();
        context.act(Action::Send {
            segments: vec![
                OutSegment::Mention { user },
                OutSegment::Text { text: reply },
            ],
            reply_to,
        });
        Ok(())
    }
}

impl Engagement {
    /// A point for a real message: long enough, a minute after the last paid one (by the
    /// messages' own times), under the daily cap.
    fn award_message(
        &self,
        context: &mut Context<'_>,
        group: i64,
        member: i64,
        event_id: i64,
        day: i64,
        time: i64,
    ) -> Result<(), FeatureError> {
        let config = &self.config;
        if config.message_points == 0
            || context.text.chars().filter(|c| !c.is_whitespace()).count()
                < config.message_min_chars
        {
            return Ok(());
        }
        let (paid_today, last) = context.store.awards_on(group, member, "message", day)?;
        if paid_today >= config.message_daily_cap || last.is_some_and(|last| time - last < 60_000) {
            return Ok(());
        }
        let points = config.message_points;
        in_savepoint(context.store, |store| {
            store.award_points(group, member, points, "message", event_id, day, time)
        })?;
        Ok(())
    }
}

/// Runs the writes in a savepoint of their own: when one fails, none of them stays.
fn in_savepoint<T>(
    store: &mut steward_store::Writer,
    work: impl FnOnce(&mut steward_store::Writer) -> Result<T, steward_store::StoreError>,
) -> Result<T, steward_store::StoreError> {
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

    #[test]
    fn a_command_is_the_whole_message() {
        for (text, expected) in [
            ("签到", Some(Command::CheckIn)),
            (" /checkin ", Some(Command::CheckIn)),
            ("/checkin@StewardBot", Some(Command::CheckIn)),
            ("积分", Some(Command::Points)),
            ("/top", Some(Command::Top)),
            ("排行榜", Some(Command::Top)),
            ("我今天忘了签到", None),
            ("签到了吗", None),
            ("/checkin now", None),
            ("/checkin@", None),
        ] {
            assert_eq!(command(text), expected, "{text}");
        }
    }

    #[test]
    fn days_turn_at_midnight_in_the_groups_time_zone() {
        // 2026-06-01 15:59:59 UTC is 23:59:59 in China; a second later it is the next day.
        let before = 1_780_329_599_000;
        assert_eq!(day_of(before, 480) + 1, day_of(before + 1000, 480));
        assert_eq!(day_of(before, 0), day_of(before + 1000, 0));
    }
}
