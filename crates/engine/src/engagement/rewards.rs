//! Levels, titles and badges, worked out when a member earns something (a sign-in, an answer,
//! a paid message, an introduction), never for every message; invitations remembered for the
//! week after which they pay; birthdays; and the pass that runs on the clock (invitations due,
//! birthday greetings, roles' daily reminders).

use chrono::{DateTime, Datelike, Timelike, Utc};
use steward_domain::{AccountId, Action, ActionRequest, ChatId, OutSegment, Platform, UserId};
use steward_store::engagement::Invite;
use steward_store::{Database, StoreError};

use super::settings::{Compiled, Settings};
use super::{EngagementShared, day_number};
use crate::Context;

/// A milestone badge: its id, when it is earned, and its names.
struct Milestone {
    id: &'static str,
    zh: &'static str,
    en: &'static str,
}

const STREAK_7: Milestone = Milestone {
    id: "streak-7",
    zh: "连续签到 7 天",
    en: "7-day streak",
};
const STREAK_30: Milestone = Milestone {
    id: "streak-30",
    zh: "连续签到 30 天",
    en: "30-day streak",
};
const STREAK_100: Milestone = Milestone {
    id: "streak-100",
    zh: "连续签到 100 天",
    en: "100-day streak",
};
const INTRODUCED: Milestone = Milestone {
    id: "introduced",
    zh: "自我介绍",
    en: "Introduced",
};
const HELPER: Milestone = Milestone {
    id: "helper-10",
    zh: "热心肠（回答 10 个问题）",
    en: "Helper (10 answers)",
};
const POINTS_1000: Milestone = Milestone {
    id: "points-1000",
    zh: "千分达人",
    en: "1,000 points",
};

/// A badge's name in a language (its id when unknown).
pub fn badge_name(id: &str, en: bool) -> String {
    [
        STREAK_7,
        STREAK_30,
        STREAK_100,
        INTRODUCED,
        HELPER,
        POINTS_1000,
    ]
    .into_iter()
    .find(|milestone| milestone.id == id)
    .map_or_else(
        || id.to_owned(),
        |milestone| (if en { milestone.en } else { milestone.zh }).to_owned(),
    )
}

/// What just happened that may earn a level or a badge.
pub(super) struct Earned {
    /// The streak after a sign-in or a make-up.
    pub streak: Option<i64>,
    pub introduced: bool,
}

/// Checks the member's level and badges after they earned something; says so in the group
/// and sets the title where asked.
pub(super) fn after_earning(
    compiled: &Compiled,
    context: &mut Context<'_>,
    user: &UserId,
    earned: &Earned,
) -> Result<(), StoreError> {
    let settings = &compiled.settings;
    if !settings.levels.enabled && !settings.badges.enabled {
        return Ok(());
    }
    let (group, member, event_id) = (
        context.stored.group_id,
        context.stored.member_id,
        context.stored.id,
    );
    let time = context.event.time.timestamp_millis();
    let (balance, days, answers) = context.store.member_stats(group, member)?;
    let en = settings.en();
    let mut news = Vec::new();
    if settings.levels.enabled {
        let ladder = settings.ladder();
        let reached = ladder
            .iter()
            .enumerate()
            .filter(|(_, level)| {
                balance >= level.points
                    && days >= i64::from(level.days)
                    && answers >= i64::from(level.answers)
            })
            .map(|(index, _)| index)
            .max()
            .unwrap_or(0);
        let known = context.store.level_of(group, member)?.unwrap_or(0);
        if reached as i64 > known {
            let title = ladder[reached].title.clone();
            context
                .store
                .set_level(group, member, reached as i64, &title, time)?;
            news.push(if en {
                format!("reached level {reached}: {title}")
            } else {
                format!("升到第 {reached} 级：{title}")
            });
            if settings.levels.set_title {
                context.act(Action::SetTitle {
                    member: user.clone(),
                    title,
                });
            }
        }
    }
    if settings.badges.enabled {
        let streak = earned.streak.unwrap_or(0);
        let mut due = Vec::new();
        for (limit, milestone) in [(7, STREAK_7), (30, STREAK_30), (100, STREAK_100)] {
            if streak >= limit {
                due.push(milestone);
            }
        }
        if earned.introduced {
            due.push(INTRODUCED);
        }
        if answers >= 10 {
            due.push(HELPER);
        }
        if balance >= 1000 {
            due.push(POINTS_1000);
        }
        for milestone in due {
            if context
                .store
                .award_badge(group, member, milestone.id, event_id, time)?
            {
                news.push(if en {
                    format!("earned the badge “{}”", milestone.en)
                } else {
                    format!("获得徽章「{}」", milestone.zh)
                });
            }
        }
    }
    if settings.levels.announce && !news.is_empty() {
        let text = if en {
            format!(" congratulations: {}!", news.join("; "))
        } else {
            format!(" 恭喜{}！", news.join("，"))
        };
        context.act(Action::Send {
            segments: vec![
                OutSegment::Mention { user: user.clone() },
                OutSegment::Text { text },
            ],
            reply_to: None,
        });
    }
    Ok(())
}

/// Remembers who invited a member, to pay them when the member stays a week.
pub(super) fn remember_invite(
    compiled: &Compiled,
    context: &mut Context<'_>,
    inviter: &str,
) -> Result<(), StoreError> {
    let points = compiled.settings.invites.points;
    if points == 0 {
        return Ok(());
    }
    let platform = context.event.platform.as_str();
    let Some(inviter_member_id) = context.store.member_id_of(platform, inviter)? else {
        return Ok(());
    };
    if inviter_member_id == context.stored.member_id {
        return Ok(());
    }
    let invite = Invite {
        event_id: context.stored.id,
        group_id: context.stored.group_id,
        member_id: context.stored.member_id,
        inviter_member_id,
        joined_at: context.event.time.timestamp_millis(),
        points,
        day: 0,
    };
    context.store.record_invite(&invite)
}

/// A birthday as members write it: `5月3日`, `05-03`, `5/3`, `1990-05-03`, `1990年5月3日`.
pub fn parse_birthday(text: &str) -> Option<String> {
    let plain = steward_text::normalize(text);
    let numbers: Vec<u32> = plain
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect();
    let (month, day) = match numbers.as_slice() {
        [year, month, day] if *year > 1900 => (*month, *day),
        [month, day] => (*month, *day),
        _ => return None,
    };
    let valid = chrono::NaiveDate::from_ymd_opt(2000, month, day).is_some();
    valid.then(|| format!("{month:02}-{day:02}"))
}

/// The work on the clock, every half minute: invitations whose week is over, and birthday
/// greetings due. Returns how many actions it queued or points it paid.
pub fn scheduled_pass(database: &Database, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut done = 0;
    let now_ms = now.timestamp_millis();
    for invite in database.due_invites(now_ms - 7 * 86_400_000)? {
        let settings = settings_of(database, invite.group_id)?;
        let day = day_number(settings.today(now));
        if database.settle_invite(&invite, day, now_ms)? {
            done += 1;
        }
    }
    // Birthdays: the dates somewhere on Earth now (a day either side of UTC's).
    let mut dates: Vec<chrono::NaiveDate> = [-1, 0, 1]
        .iter()
        .filter_map(|days| {
            now.date_naive()
                .checked_add_signed(chrono::Duration::days(*days))
        })
        .collect();
    dates.dedup();
    for date in dates {
        let month_day = format!("{:02}-{:02}", date.month(), date.day());
        let members = database.birthdays(&month_day, i64::from(date.year()))?;
        let mut by_group: Vec<(i64, Vec<_>)> = Vec::new();
        for member in members {
            match by_group.last_mut() {
                Some((group, list)) if *group == member.group_id => list.push(member),
                _ => by_group.push((member.group_id, vec![member])),
            }
        }
        for (group_id, members) in by_group {
            let settings = settings_of(database, group_id)?;
            let zone = settings
                .time_zone
                .parse::<chrono_tz::Tz>()
                .unwrap_or(chrono_tz::Asia::Shanghai);
            let local = now.with_timezone(&zone);
            let at = crate::moderation::parse_clock(&settings.birthdays.time).unwrap_or(540);
            if !settings.enabled
                || !settings.birthdays.enabled
                || local.date_naive() != date
                || local.hour() * 60 + local.minute() < at
            {
                continue;
            }
            let Some(group) = database.group_with_account(group_id)? else {
                continue;
            };
            let (Ok(platform), Some(account)) = (group.platform.parse::<Platform>(), group.account)
            else {
                continue;
            };
            let mut segments = vec![OutSegment::Text {
                text: if settings.en() {
                    "Happy birthday".to_owned()
                } else {
                    "🎂 祝".to_owned()
                },
            }];
            for member in &members {
                segments.push(OutSegment::Text { text: " ".into() });
                segments.push(OutSegment::Mention {
                    user: UserId(member.user_id.clone()),
                });
            }
            segments.push(OutSegment::Text {
                text: if settings.en() {
                    "! From all of us here.".to_owned()
                } else {
                    " 生日快乐！".to_owned()
                },
            });
            let request = ActionRequest {
                platform,
                account: AccountId(account),
                chat: ChatId(group.chat),
                action: Action::Send {
                    segments,
                    reply_to: None,
                },
            };
            let ids: Vec<i64> = members.iter().map(|member| member.member_id).collect();
            if database.greet_birthdays(group_id, &ids, i64::from(date.year()), &request, now)? {
                done += 1;
            }
        }
    }
    done += role_reminders(database, now)?;
    Ok(done)
}

/// Each role's daily reminder to its holders, once a day, from its time on.
fn role_reminders(database: &Database, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut done = 0;
    for (group_id, role, holders) in database.role_holders()? {
        let settings = settings_of(database, group_id)?;
        if !settings.enabled || !settings.roles.enabled {
            continue;
        }
        let today = settings.today(now);
        let zone = settings
            .time_zone
            .parse::<chrono_tz::Tz>()
            .unwrap_or(chrono_tz::Asia::Shanghai);
        let local = now.with_timezone(&zone);
        let minute = local.hour() * 60 + local.minute();
        for reminder in settings
            .roles
            .reminders
            .iter()
            .filter(|r| r.role.trim() == role)
        {
            let at = crate::moderation::parse_clock(&reminder.time).unwrap_or(u32::MAX);
            if minute < at {
                continue;
            }
            let Some(group) = database.group_with_account(group_id)? else {
                continue;
            };
            let (Ok(platform), Some(account)) = (group.platform.parse::<Platform>(), group.account)
            else {
                continue;
            };
            let mut segments = Vec::new();
            for user in &holders {
                segments.push(OutSegment::Mention {
                    user: UserId(user.clone()),
                });
                segments.push(OutSegment::Text { text: " ".into() });
            }
            segments.push(OutSegment::Text {
                text: reminder.text.clone(),
            });
            let request = ActionRequest {
                platform,
                account: AccountId(account),
                chat: ChatId(group.chat),
                action: Action::Send {
                    segments,
                    reply_to: None,
                },
            };
            // One reminder per role and day: the key holds the reminder's time too, so that
            // two reminders of one role (morning, evening) both go out.
            let key = format!("{role}@{}", reminder.time.trim());
            if database.remind_role(group_id, &key, day_number(today), &request, now)? {
                done += 1;
            }
        }
    }
    Ok(done)
}

fn settings_of(database: &Database, group_id: i64) -> Result<Settings, StoreError> {
    Ok(EngagementShared::compile(
        database
            .effective_document(steward_store::moderation::Documents::Engagement, group_id)?
            .as_deref(),
    )
    .settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birthdays_as_members_write_them() {
        for (text, expected) in [
            ("5月3日", Some("05-03")),
            ("05-03", Some("05-03")),
            ("1990年5月3日", Some("05-03")),
            ("1990-05-03", Some("05-03")),
            ("５/３", Some("05-03")),
            ("2月30日", None),
            ("明天", None),
        ] {
            assert_eq!(parse_birthday(text).as_deref(), expected, "{text}");
        }
    }
}
