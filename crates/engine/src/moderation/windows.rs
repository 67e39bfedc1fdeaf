//! Time windows over recent messages, for the detectors that look at more than one message:
//! flood (one member, many messages, few seconds) and repeats (one text, many groups, few
//! minutes). Judged by the messages' own times, so that a backtest replaying the history in the
//! order it was recorded reaches the same verdicts as the live run did. Kept in memory; the
//! feature refills them from the event log when it starts.

use std::collections::{HashMap, VecDeque};

/// How often old keys are swept out, in observations. A key is dropped once its newest entry is
/// older than the longest window asked of its map, so memory follows minutes of traffic (the
/// flood map: the members who spoke in the last seconds; the repeat map: the texts of the last
/// minutes).
const SWEEP_EVERY: u64 = 20_000;

#[derive(Debug, Default)]
pub struct Windows {
    flood: HashMap<(i64, i64), Flooding>,
    repeat: HashMap<u64, VecDeque<(i64, i64)>>,
    observed: u64,
    newest: i64,
    /// The longest window asked of each map so far, in milliseconds.
    flood_window: i64,
    repeat_window: i64,
}

impl Windows {
    /// Records a member's message (`key`: group and member); true when it is the `limit`th
    /// within `seconds`. After a report the member's messages are not counted for `seconds`, so
    /// that one burst is one offence. A message seen before (the pipeline redoes a failed batch
    /// one event at a time) is not counted twice.
    pub fn flood(
        &mut self,
        key: (i64, i64),
        message: &str,
        time: i64,
        limit: u32,
        seconds: u32,
    ) -> bool {
        self.tick(time);
        self.flood_window = self.flood_window.max(i64::from(seconds) * 1000);
        let flooding = self.flood.entry(key).or_default();
        let id = fingerprint(message);
        if flooding.times.iter().any(|(_, seen)| *seen == id) || time < flooding.quiet_until {
            return false;
        }
        let since = time - i64::from(seconds) * 1000;
        while flooding.times.front().is_some_and(|(t, _)| *t <= since) {
            flooding.times.pop_front();
        }
        flooding.times.push_back((time, id));
        if flooding.times.len() >= limit as usize {
            flooding.times.clear();
            flooding.quiet_until = time + i64::from(seconds) * 1000;
            return true;
        }
        false
    }

    /// Records a text seen in a group; true when, within `minutes`, it has now been seen in at
    /// least `groups` different groups (this one included).
    pub fn repeat(&mut self, text: &str, group: i64, time: i64, groups: u32, minutes: u32) -> bool {
        self.tick(time);
        self.repeat_window = self.repeat_window.max(i64::from(minutes) * 60_000);
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
            let horizon = self.newest - self.flood_window;
            self.flood.retain(|_, flooding| {
                flooding.times.back().is_some_and(|(t, _)| *t > horizon)
                    || flooding.quiet_until > horizon
            });
            let horizon = self.newest - self.repeat_window;
            self.repeat
                .retain(|_, seen| seen.back().is_some_and(|(t, _)| *t > horizon));
            // No shrink_to_fit: rehashing the maps every sweep stalled the writer (the maps
            // only ever hold the last minutes anyway).
        }
    }
}

/// One member's recent messages in one group: (time, message fingerprint).
#[derive(Debug, Default)]
struct Flooding {
    times: VecDeque<(i64, u64)>,
    quiet_until: i64,
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
        let mut hits: Vec<bool> = (0..7)
            .map(|i| windows.flood((1, 9), &i.to_string(), 1000 + i * 100, 3, 10))
            .collect();
        assert_eq!(hits, [false, false, true, false, false, false, false]);
        // Once the quiet period is over, a new burst is a new flood.
        hits = (0..3)
            .map(|i| windows.flood((1, 9), &format!("b{i}"), 20_000 + i * 100, 3, 10))
            .collect();
        assert_eq!(hits, [false, false, true]);
        // Slow chat never floods.
        let mut windows = Windows::default();
        assert!((0..100).all(|i| !windows.flood((1, 9), &i.to_string(), i * 5000, 3, 10)));
    }

    #[test]
    fn a_message_seen_twice_counts_once() {
        let mut windows = Windows::default();
        assert!(!windows.flood((1, 9), "a", 0, 2, 10));
        assert!(
            !windows.flood((1, 9), "a", 0, 2, 10),
            "the same message again"
        );
        assert!(windows.flood((1, 9), "b", 100, 2, 10));
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
