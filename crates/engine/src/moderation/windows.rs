//! Time windows over recent messages, for the detectors that look at more than one message:
//! flood (one member, many messages, few seconds) and repeats (one text, many groups, few
//! minutes). Judged by the messages' own times, so that a backtest replaying the history in the
//! order it was recorded reaches the same verdicts as the live run did. Kept in memory: a
//! restart forgets at most a few minutes of it.

use std::collections::{HashMap, VecDeque};

/// How often old keys are swept out, in observations.
const SWEEP_EVERY: u64 = 50_000;
/// Keys idle this long (milliseconds) are dropped at a sweep; longer than any allowed window.
const IDLE: i64 = 25 * 3600 * 1000;

#[derive(Debug, Default)]
pub struct Windows {
    flood: HashMap<(i64, i64), VecDeque<i64>>,
    repeat: HashMap<u64, VecDeque<(i64, i64)>>,
    observed: u64,
    newest: i64,
}

impl Windows {
    /// Records a member's message; true when it is the `limit`th within `seconds`. The count
    /// starts over after a flood is reported, so that one burst is one offence.
    pub fn flood(&mut self, group: i64, member: i64, time: i64, limit: u32, seconds: u32) -> bool {
        self.tick(time);
        let times = self.flood.entry((group, member)).or_default();
        let since = time - i64::from(seconds) * 1000;
        while times.front().is_some_and(|t| *t <= since) {
            times.pop_front();
        }
        times.push_back(time);
        if times.len() >= limit as usize {
            times.clear();
            return true;
        }
        false
    }

    /// Records a text seen in a group; true when, within `minutes`, it has now been seen in at
    /// least `groups` different groups (this one included).
    pub fn repeat(&mut self, text: &str, group: i64, time: i64, groups: u32, minutes: u32) -> bool {
        self.tick(time);
        let seen = self.repeat.entry(fingerprint(text)).or_default();
        let since = time - i64::from(minutes) * 60_000;
        while seen.front().is_some_and(|(t, _)| *t <= since) {
            seen.pop_front();
        }
        if !seen.iter().any(|(_, g)| *g == group) {
            seen.push_back((time, group));
        }
        seen.len() >= groups as usize
    }

    fn tick(&mut self, time: i64) {
        self.newest = self.newest.max(time);
        self.observed += 1;
        if self.observed.is_multiple_of(SWEEP_EVERY) {
            let horizon = self.newest - IDLE;
            self.flood
                .retain(|_, times| times.back().is_some_and(|t| *t > horizon));
            self.repeat
                .retain(|_, seen| seen.back().is_some_and(|(t, _)| *t > horizon));
        }
    }
}

/// FNV-1a of the text: repeats are compared by fingerprint, not by keeping the texts.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, byte| {
        (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_reported_once_per_burst() {
        let mut windows = Windows::default();
        let hits: Vec<bool> = (0..7)
            .map(|i| windows.flood(1, 9, 1000 + i * 100, 3, 10))
            .collect();
        assert_eq!(hits, [false, false, true, false, false, true, false]);
        // Slow chat never floods.
        let mut windows = Windows::default();
        assert!((0..100).all(|i| !windows.flood(1, 9, i * 5000, 3, 10)));
    }

    #[test]
    fn the_same_text_in_many_groups_within_minutes_is_a_repeat() {
        let mut windows = Windows::default();
        let minute = 60_000;
        assert!(!windows.repeat("buy now", 1, 0, 3, 10));
        assert!(
            !windows.repeat("buy now", 1, minute, 3, 10),
            "same group again"
        );
        assert!(!windows.repeat("buy now", 2, 2 * minute, 3, 10));
        assert!(windows.repeat("buy now", 3, 3 * minute, 3, 10));
        assert!(windows.repeat("buy now", 4, 4 * minute, 3, 10));
        // Long after, the count starts over.
        assert!(!windows.repeat("buy now", 5, 60 * minute, 3, 10));
        assert!(!windows.repeat("other", 6, 60 * minute, 3, 10));
    }
}
