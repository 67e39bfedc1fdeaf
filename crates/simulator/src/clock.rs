//! Simulated time: milliseconds since the run's start, days as 24-hour windows, and the daily
//! rhythm of Chinese chat groups (quiet at night, peaks in the morning and the evening) that every
//! generated time is drawn from.

use chrono::{DateTime, TimeDelta, Utc};

use crate::rng::Rng;

pub(crate) const SECOND: i64 = 1_000;
pub(crate) const MINUTE: i64 = 60 * SECOND;
pub(crate) const HOUR: i64 = 60 * MINUTE;
pub(crate) const DAY: i64 = 24 * HOUR;
/// A time that never comes: a member who never leaves leaves at `NEVER`.
pub(crate) const NEVER: i64 = i64::MAX;

/// China time, where the simulated communities live.
const CHINA_OFFSET: i64 = 8 * HOUR;

/// Relative activity per local hour on a weekday: quiet from 1 to 7, peaks 9-12 and 20-23.
const WEEKDAY_HOURS: [f64; 24] = [
    3.0, 1.4, 0.6, 0.3, 0.2, 0.3, 0.9, 2.2, 4.0, 6.0, 7.0, 7.0, 6.0, 4.5, 4.5, 5.0, 5.2, 5.0, 5.0,
    6.0, 8.0, 9.0, 8.5, 6.0,
];
/// On weekends people sleep in, stay up later and talk more in the afternoon.
const WEEKEND_HOURS: [f64; 24] = [
    4.0, 2.2, 1.0, 0.5, 0.3, 0.3, 0.5, 1.0, 2.0, 3.5, 5.5, 6.5, 6.5, 5.5, 5.5, 6.0, 6.0, 5.5, 5.5,
    6.5, 8.0, 9.0, 8.5, 7.0,
];

/// Simulated time is an `i64` of milliseconds since the start; day `d` is `[d * DAY, (d+1) * DAY)`.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    start: DateTime<Utc>,
    /// China time of day at the start, in milliseconds.
    start_local: i64,
    weekday_cumulative: [f64; 24],
    weekend_cumulative: [f64; 24],
}

fn cumulative(weights: &[f64; 24]) -> [f64; 24] {
    let mut sums = [0.0; 24];
    let mut total = 0.0;
    for (sum, weight) in sums.iter_mut().zip(weights) {
        total += weight;
        *sum = total;
    }
    sums
}

impl Clock {
    pub(crate) fn new(start: DateTime<Utc>) -> Clock {
        Clock {
            start,
            start_local: (start.timestamp_millis() + CHINA_OFFSET).rem_euclid(DAY),
            weekday_cumulative: cumulative(&WEEKDAY_HOURS),
            weekend_cumulative: cumulative(&WEEKEND_HOURS),
        }
    }

    /// The wall-clock time of a simulated instant (validated to stay within the years 2000-2100).
    pub(crate) fn time(&self, at: i64) -> DateTime<Utc> {
        self.start + TimeDelta::milliseconds(at)
    }

    pub(crate) fn day_start(day: u32) -> i64 {
        i64::from(day) * DAY
    }

    pub(crate) fn day_of(at: i64) -> i64 {
        at.div_euclid(DAY)
    }

    /// Whether `at` lies strictly inside day `day` (never on its first millisecond).
    pub(crate) fn is_inside_day(at: i64, day: u32) -> bool {
        let start = Clock::day_start(day);
        at > start && at < start + DAY
    }

    /// Moves an instant off a midnight so that every event is strictly inside its day.
    pub(crate) fn off_midnight(at: i64) -> i64 {
        if at.rem_euclid(DAY) == 0 { at + 1 } else { at }
    }

    /// The instant of day `day` whose China time of day is `local` milliseconds after midnight.
    pub(crate) fn at_local(&self, day: u32, local: i64) -> i64 {
        let offset = (local - self.start_local).rem_euclid(DAY);
        Clock::day_start(day) + offset.max(1)
    }

    /// China time of day of an instant, in hours (0-23).
    pub(crate) fn local_hour(&self, at: i64) -> u32 {
        ((at + self.start_local).rem_euclid(DAY) / HOUR) as u32
    }

    pub(crate) fn is_weekend(&self, day: u32) -> bool {
        // The China date at the middle of the simulated day; 1970-01-01 was a Thursday.
        let noon = self.start.timestamp_millis() + Clock::day_start(day) + 12 * HOUR;
        let days_since_epoch = (noon + CHINA_OFFSET).div_euclid(DAY);
        let weekday_from_monday = (days_since_epoch + 3).rem_euclid(7);
        weekday_from_monday >= 5
    }

    /// A China time of day drawn from the daily rhythm, in milliseconds after midnight.
    pub(crate) fn sample_local(&self, rng: &mut Rng, weekend: bool) -> i64 {
        let sums = if weekend {
            &self.weekend_cumulative
        } else {
            &self.weekday_cumulative
        };
        let target = rng.unit() * sums[23];
        let hour = sums.iter().position(|&sum| target < sum).unwrap_or(23) as i64;
        hour * HOUR + rng.between(0, HOUR)
    }

    /// An instant of day `day` drawn from the daily rhythm, strictly inside the day.
    pub(crate) fn sample_in_day(&self, rng: &mut Rng, day: u32, weekend: bool) -> i64 {
        self.at_local(day, self.sample_local(rng, weekend))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> Clock {
        Clock::new(DateTime::from_timestamp(1_767_196_800, 0).unwrap_or_default())
    }

    #[test]
    fn the_default_start_is_china_midnight() {
        let clock = clock();
        assert_eq!(clock.local_hour(0), 0);
        assert_eq!(clock.local_hour(21 * HOUR + 5), 21);
        assert_eq!(clock.at_local(2, 9 * HOUR), 2 * DAY + 9 * HOUR);
        assert_eq!(
            clock.at_local(2, 0),
            2 * DAY + 1,
            "never on midnight itself"
        );
    }

    #[test]
    fn weekends_follow_the_china_calendar() {
        // 2026-01-01 is a Thursday, so days 2 and 3 are the first weekend.
        let weekends: Vec<u32> = (0..8).filter(|&day| clock().is_weekend(day)).collect();
        assert_eq!(weekends, [2, 3]);
    }

    #[test]
    fn a_start_at_another_hour_keeps_the_rhythm_in_china_time() {
        // Midnight UTC is 08:00 in China.
        let clock = Clock::new(DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default());
        assert_eq!(clock.local_hour(0), 8);
        let at = clock.at_local(0, 21 * HOUR);
        assert_eq!(at, 13 * HOUR);
        assert_eq!(clock.local_hour(at), 21);
    }

    #[test]
    fn sampled_times_are_inside_the_day_and_follow_the_rhythm() {
        let clock = clock();
        let mut rng = Rng::new(5);
        let mut per_hour = [0u32; 24];
        for _ in 0..50_000 {
            let at = clock.sample_in_day(&mut rng, 3, false);
            assert!(Clock::is_inside_day(at, 3));
            per_hour[clock.local_hour(at) as usize] += 1;
        }
        assert!(per_hour[21] > 10 * per_hour[4], "{per_hour:?}");
        assert!(per_hour[10] > 5 * per_hour[3], "{per_hour:?}");
    }
}
