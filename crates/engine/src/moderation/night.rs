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
    let local = now + chrono::Duration::minutes(i64::from(night.utc_offset_minutes));
    let minute = local.hour() * 60 + local.minute();
    if start <= end {
        start <= minute && minute < end
    } else {
        minute >= start || minute < end
    }
}

/// Switches night mode where it is due; returns how many groups were switched.
pub fn night_pass(
    database: &Database,
    shared: &ModerationShared,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut switched = 0;
    for group in database.groups_with_accounts()? {
        let document = database.effective_rules(group.group_id)?;
        let rules = shared.compile(document.as_deref()).rules;
        let want = rules.enabled && rules.night.enabled && is_night(&rules.night, now);
        if want == database.night_muted(group.group_id)? {
            continue;
        }
        let (Ok(platform), Some(account)) = (group.platform.parse::<Platform>(), group.account)
        else {
            continue;
        };
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
}
