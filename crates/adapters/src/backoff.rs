//! Waiting before trying a platform again: 1 s, doubling up to a minute, with up to a quarter
//! more at random so that many accounts do not retry in step; or exactly what the platform asked
//! for (a 429's `retry_after`). Every wait ends early when the process stops.

use std::time::Duration;

use tokio::sync::watch;

const FIRST: Duration = Duration::from_secs(1);
const LONGEST: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Backoff {
    delay: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff { delay: FIRST }
    }
}

impl Backoff {
    /// After a success: the next failure waits the shortest time again.
    pub fn reset(&mut self) {
        self.delay = FIRST;
    }

    /// Waits the next delay (or `asked`, when the platform named one, at most an hour) and
    /// doubles the delay. True when `stop` turned true meanwhile (or before).
    pub async fn wait(
        &mut self,
        stop: &mut watch::Receiver<bool>,
        asked: Option<Duration>,
    ) -> bool {
        let wait = asked.map_or_else(
            || {
                let mut byte = [0u8; 1];
                let _ = getrandom::fill(&mut byte);
                self.delay + self.delay.mul_f64(f64::from(byte[0]) / 1024.0)
            },
            |asked| asked.min(Duration::from_secs(3600)),
        );
        self.delay = (self.delay * 2).min(LONGEST);
        if *stop.borrow() {
            return true;
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => *stop.borrow(),
            _ = stop.changed() => true,
        }
    }
}
