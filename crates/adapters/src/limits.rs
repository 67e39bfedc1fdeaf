//! Outbound rate limits, so that a platform does not ban the bot's account for sending too fast:
//! a token bucket per group and one per account (calls per second, with a burst of a few
//! seconds' worth). Zero means no limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Calls a second allowed into one group and over one account (0: no limit).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rates {
    pub per_group: f64,
    pub per_account: f64,
}

impl Rates {
    /// From the configuration's calls a minute (0: no limit).
    pub fn per_minute(group: u32, account: u32) -> Rates {
        Rates {
            per_group: f64::from(group) / 60.0,
            per_account: f64::from(account) / 60.0,
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The buckets of one account.
#[derive(Debug, Default)]
pub struct Limits {
    rates: Rates,
    account: Mutex<Option<Bucket>>,
    groups: Mutex<HashMap<String, Bucket>>,
}

/// A burst of this many seconds' worth of calls may go at once.
const BURST_SECONDS: f64 = 3.0;

/// How long until a call may go from `bucket` (zero: now, and the token is taken).
fn take(bucket: &mut Bucket, rate: f64, now: Instant) -> Duration {
    let burst = (rate * BURST_SECONDS).max(1.0);
    bucket.tokens =
        (bucket.tokens + now.duration_since(bucket.last).as_secs_f64() * rate).min(burst);
    bucket.last = now;
    if bucket.tokens >= 1.0 {
        bucket.tokens -= 1.0;
        Duration::ZERO
    } else {
        Duration::from_secs_f64((1.0 - bucket.tokens) / rate)
    }
}

impl Limits {
    pub fn new(rates: Rates) -> Limits {
        Limits {
            rates,
            ..Limits::default()
        }
    }

    /// How long a call to `group` must wait now; zero takes its tokens.
    fn wait_for(&self, group: &str, now: Instant) -> Duration {
        let fresh = |rate: f64| Bucket {
            tokens: (rate * BURST_SECONDS).max(1.0),
            last: now,
        };
        let mut wait = Duration::ZERO;
        if self.rates.per_group > 0.0
            && let Ok(mut groups) = self.groups.lock()
        {
            let bucket = groups
                .entry(group.to_owned())
                .or_insert_with(|| fresh(self.rates.per_group));
            // Peek first: a group that must wait takes nothing from the account.
            let mut probe = Bucket {
                tokens: bucket.tokens,
                last: bucket.last,
            };
            wait = take(&mut probe, self.rates.per_group, now);
            if wait.is_zero() {
                if self.rates.per_account > 0.0
                    && let Ok(mut account) = self.account.lock()
                {
                    let account = account.get_or_insert_with(|| fresh(self.rates.per_account));
                    wait = take(account, self.rates.per_account, now);
                }
                if wait.is_zero() {
                    *bucket = probe;
                }
            }
            return wait;
        }
        if self.rates.per_account > 0.0
            && let Ok(mut account) = self.account.lock()
        {
            let account = account.get_or_insert_with(|| fresh(self.rates.per_account));
            wait = take(account, self.rates.per_account, now);
        }
        wait
    }

    /// Counts `calls` more calls to `group` made now, without waiting: the buckets may go below
    /// zero, and the next call waits until they have refilled.
    pub fn charge(&self, group: &str, calls: usize) {
        self.charge_at(group, calls, Instant::now());
    }

    fn charge_at(&self, group: &str, calls: usize, now: Instant) {
        if calls == 0 {
            return;
        }
        let charge = |bucket: &mut Bucket, rate: f64| {
            let burst = (rate * BURST_SECONDS).max(1.0);
            bucket.tokens = (bucket.tokens + now.duration_since(bucket.last).as_secs_f64() * rate)
                .min(burst)
                - calls as f64;
            bucket.last = now;
        };
        if self.rates.per_group > 0.0
            && let Ok(mut groups) = self.groups.lock()
            && let Some(bucket) = groups.get_mut(group)
        {
            charge(bucket, self.rates.per_group);
        }
        if self.rates.per_account > 0.0
            && let Ok(mut account) = self.account.lock()
            && let Some(bucket) = account.as_mut()
        {
            charge(bucket, self.rates.per_account);
        }
    }

    /// Waits until a call to `group` may go.
    pub async fn acquire(&self, group: &str) {
        loop {
            let wait = self.wait_for(group, Instant::now());
            if wait.is_zero() {
                return;
            }
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_gets_its_burst_then_its_rate() {
        let limits = Limits::new(Rates {
            per_group: 2.0,
            per_account: 0.0,
        });
        let start = Instant::now();
        // A burst of three seconds' worth: six calls at once.
        for _ in 0..6 {
            assert!(limits.wait_for("g", start).is_zero());
        }
        let wait = limits.wait_for("g", start);
        assert!((wait.as_secs_f64() - 0.5).abs() < 0.01, "{wait:?}");
        // Another group is not held up by this one.
        assert!(limits.wait_for("h", start).is_zero());
        // Half a second later the next call may go.
        assert!(
            limits
                .wait_for("g", start + Duration::from_millis(500))
                .is_zero()
        );
    }

    #[test]
    fn a_message_in_parts_is_charged_for_each() {
        let limits = Limits::new(Rates {
            per_group: 1.0,
            per_account: 2.0,
        });
        let start = Instant::now();
        // A message of five parts: one call taken, four charged — below zero.
        assert!(limits.wait_for("g", start).is_zero());
        limits.charge_at("g", 4, start);
        let wait = limits.wait_for("g", start);
        assert!((wait.as_secs_f64() - 3.0).abs() < 0.01, "{wait:?}");
        // The account paid for them too: six seconds' burst less five calls.
        assert!(limits.wait_for("h", start).is_zero());
        assert!(!limits.wait_for("i", start).is_zero());
    }

    #[test]
    fn the_account_limits_every_group_together() {
        let limits = Limits::new(Rates {
            per_group: 0.0,
            per_account: 1.0,
        });
        let start = Instant::now();
        for group in ["a", "b", "c"] {
            assert!(limits.wait_for(group, start).is_zero());
        }
        assert!(!limits.wait_for("d", start).is_zero());
        let none = Limits::new(Rates::default());
        for _ in 0..1000 {
            assert!(none.wait_for("a", start).is_zero());
        }
    }
}
