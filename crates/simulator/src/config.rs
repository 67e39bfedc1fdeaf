//! What a simulation is asked for: how many groups, people and days, from which seed. Checked
//! once up front so that generation itself never has to fail.

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use steward_domain::{AccountId, MAX_ID_LEN, Platform};

/// Most groups one simulation generates.
pub const MAX_GROUPS: u32 = 100_000;
/// Most distinct people one simulation generates. The roster (people and memberships, not the
/// events) is kept in memory for the whole run: a few hundred bytes a person.
pub const MAX_MEMBERS: u32 = 2_000_000;
/// Longest run, in days.
pub const MAX_DAYS: u32 = 3_650;
/// Highest mean activity, in messages per member and day.
pub const MAX_MESSAGES_PER_MEMBER_DAY: f64 = 100.0;

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    /// Number of groups.
    pub groups: u32,
    /// Distinct people over the whole run, each in one to three groups; spammers, owners and
    /// admins included.
    pub members: u32,
    pub days: u32,
    /// The first day's midnight. Days are 24-hour windows from here; the daily rhythm follows
    /// China time (UTC+8) whatever this is.
    pub start: DateTime<Utc>,
    pub platform: Platform,
    /// The bot account that "sees" every event.
    pub account: AccountId,
    /// Mean messages a member writes per day of membership (silent members included, so the
    /// writers write more). Sign-ins, answers and introductions are part of it.
    pub messages_per_member_day: f64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            groups: 20,
            members: 2_000,
            days: 30,
            // 2026-01-01T00:00:00+08:00.
            start: DateTime::from_timestamp(1_767_196_800, 0).unwrap_or_default(),
            platform: Platform::Simulator,
            account: AccountId::new("steward-sim"),
            messages_per_member_day: 2.0,
        }
    }
}

impl SimConfig {
    /// Checks the configuration; the message names the field and the allowed range.
    pub fn validate(&self) -> Result<(), String> {
        if self.groups == 0 {
            return Err("`groups` must be at least 1".to_owned());
        }
        if self.groups > MAX_GROUPS {
            return Err(format!(
                "`groups` is {}, at most {MAX_GROUPS} are supported",
                self.groups
            ));
        }
        if self.members < self.groups {
            return Err(format!(
                "`members` ({}) must be at least `groups` ({}): every group needs an owner",
                self.members, self.groups
            ));
        }
        if self.members > MAX_MEMBERS {
            return Err(format!(
                "`members` is {}, at most {MAX_MEMBERS} are supported",
                self.members
            ));
        }
        if self.days == 0 {
            return Err("`days` must be at least 1".to_owned());
        }
        if self.days > MAX_DAYS {
            return Err(format!(
                "`days` is {}, at most {MAX_DAYS} are supported",
                self.days
            ));
        }
        let rate = self.messages_per_member_day;
        if !rate.is_finite() || !(0.0..=MAX_MESSAGES_PER_MEMBER_DAY).contains(&rate) {
            return Err(format!(
                "`messages_per_member_day` is {rate}, it must be between 0 and \
                 {MAX_MESSAGES_PER_MEMBER_DAY}"
            ));
        }
        if self.account.as_str().is_empty() {
            return Err("`account` must not be empty".to_owned());
        }
        if self.account.as_str().len() > MAX_ID_LEN {
            return Err(format!("`account` is longer than {MAX_ID_LEN} bytes"));
        }
        let end = self
            .start
            .checked_add_signed(TimeDelta::days(i64::from(self.days)));
        if self.start.year() < 2000 || end.is_none_or(|end| end.year() > 2100) {
            return Err(format!(
                "`start` {} and `days` {} must keep the run within the years 2000 to 2100",
                self.start, self.days
            ));
        }
        Ok(())
    }
}
