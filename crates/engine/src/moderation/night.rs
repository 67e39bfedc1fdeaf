//! Night mode: a scheduled mute-all per group. A background task calls [`night_pass`] every
//! half minute; each switch (on at the start, off at the end) is queued once, recorded with the
//! group's night state in one transaction, so a restart neither repeats nor misses one.

use chrono::{DateTime, Timelike, Utc};
use steward_domain::{AccountId, Action, ActionRequest, ChatId, Platform};
use steward_store::{Database, StoreError};

use super::live::ModerationShared;
use super::rules::{Night, parse_clock};

/// Whether `now` falls in the night window (which may cross midnight).
pub fn is_night(night: &Night, now: DateTime<Utc>) -> bool {
    let (Some(start), Some(end)) = (parse_clock(&night.start), parse_clock(&night.end)) else {
        return false;
    };
    let minute = match night.time_zone.trim().parse::<chrono_tz::Tz>() {
        Ok(zone) => {
            let local = now.with_timezone(&zone);
            local.hour() * 60 + local.minute()
        }
        Err(_) => {
            let local = now + chrono::Duration::minutes(i64::from(night.utc_offset_minutes));
            local.hour() * 60 + local.minute()
        }
    };
    if start <= end {
        start <= minute && minute < end
    } else {
        minute >= start || minute < end
    }
}

/// Switches night mode where it is due; returns how many groups were switched.
pub fn night_pass(database: &Database, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut switched = 0;
    for group in database.groups_with_accounts()? {
        let document = database.effective_rules(group.group_id)?;
        let rules = ModerationShared::rules(document.as_deref());
        let want = rules.enabled && rules.night.enabled && is_night(&rules.night, now);
        if want == database.night_muted(group.group_id)? {
            continue;
        }
        let (Ok(platform), Some(account)) = (group.platform.parse::<Platform>(), group.account)
        else {
            continue;
        };
        // A group the bot left or was removed from cannot be switched: the action would only
        // fail at the platform. Its night state stays as it was until the bot is back.
        if !database.bot_in_group(group.group_id, &group.platform, &account)? {
            continue;
        }
        let request = ActionRequest {
            platform,
            account: AccountId(account),
            chat: ChatId(group.chat),
            action: Action::MuteAll { on: want },
        };
        if database.night_switch(group.group_id, want, &request, now)? {
            database.record_audit(
                "steward",
                if want { "night.on" } else { "night.off" },
                Some(&format!("group {}", group.group_id)),
                Some(&format!("{} – {}", rules.night.start, rules.night.end)),
                now,
            )?;
            switched += 1;
        }
    }
    Ok(switched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_night_window_crosses_midnight_in_the_groups_time() {
        let night = Night {
            enabled: true,
            ..Night::default()
        };
        // 23:00–07:00 at UTC+8 is 15:00–23:00 UTC.
        let at = |h, m| Utc.with_ymd_and_hms(2026, 1, 1, h, m, 0).unwrap();
        assert!(!is_night(&night, at(14, 59)));
        assert!(is_night(&night, at(15, 0)));
        assert!(is_night(&night, at(22, 59)));
        assert!(!is_night(&night, at(23, 0)));
        let day = Night {
            start: "09:00".into(),
            end: "10:00".into(),
            utc_offset_minutes: 0,
            ..night
        };
        assert!(is_night(&day, at(9, 30)));
        assert!(!is_night(&day, at(10, 0)));
    }

    #[test]
    fn a_named_time_zone_keeps_the_night_through_summer_time() {
        // 23:00–07:00 in Berlin: 22:00 UTC in winter (UTC+1), 21:00 UTC in summer (UTC+2).
        let night = Night {
            enabled: true,
            time_zone: "Europe/Berlin".into(),
            utc_offset_minutes: 0,
            ..Night::default()
        };
        let at = |month, h, m| Utc.with_ymd_and_hms(2026, month, 10, h, m, 0).unwrap();
        assert!(!is_night(&night, at(1, 21, 59)));
        assert!(is_night(&night, at(1, 22, 0)));
        assert!(is_night(&night, at(1, 5, 59)));
        assert!(!is_night(&night, at(1, 6, 0)));
        assert!(!is_night(&night, at(7, 20, 59)));
        assert!(is_night(&night, at(7, 21, 0)));
        assert!(is_night(&night, at(7, 4, 59)));
        assert!(!is_night(&night, at(7, 5, 0)));
        // The zone, when named, is the group's clock; the offset is then not read.
        let shanghai = Night {
            time_zone: "Asia/Shanghai".into(),
            utc_offset_minutes: -300,
            ..night
        };
        assert!(is_night(&shanghai, at(7, 15, 0)));
        assert!(!is_night(&shanghai, at(7, 14, 59)));
    }
}
