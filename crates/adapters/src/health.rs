//! What the console shows of each platform account: connected or not (since when), the last
//! event, events received, actions sent and failed, the last error. Kept in memory by the
//! connections themselves (it is about this process's connections, not history).

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountHealth {
    pub connected: bool,
    /// When it connected, or when it dropped.
    pub since: Option<DateTime<Utc>>,
    /// `reverse WebSocket`, `forward WebSocket`...
    pub transport: String,
    pub last_event: Option<DateTime<Utc>>,
    pub events: u64,
    pub sent: u64,
    pub failed: u64,
    pub last_error: Option<String>,
    /// Which connection reported last: an older connection's end does not mark a newer one
    /// disconnected.
    pub connection: u64,
}

/// Every account's health, by (platform, account).
#[derive(Debug, Default)]
pub struct Health(Mutex<BTreeMap<(String, String), AccountHealth>>);

impl Health {
    fn update(&self, platform: &str, account: &str, change: impl FnOnce(&mut AccountHealth)) {
        if let Ok(mut all) = self.0.lock() {
            change(
                all.entry((platform.to_owned(), account.to_owned()))
                    .or_default(),
            );
        }
    }

    /// A connection opened; returns its number, for [`Health::disconnected`].
    pub fn connected(&self, platform: &str, account: &str, transport: &str) -> u64 {
        let mut number = 0;
        self.update(platform, account, |health| {
            health.connection += 1;
            number = health.connection;
            health.connected = true;
            health.since = Some(Utc::now());
            transport.clone_into(&mut health.transport);
        });
        number
    }

    /// Connection `number` closed (ignored when a newer one has opened since).
    pub fn disconnected(&self, platform: &str, account: &str, number: u64, error: Option<String>) {
        self.update(platform, account, |health| {
            if health.connection != number {
                return;
            }
            health.connected = false;
            health.since = Some(Utc::now());
            if error.is_some() {
                health.last_error = error;
            }
        });
    }

    /// A failure outside a connection (a call that could not start one).
    pub fn failed(&self, platform: &str, account: &str, error: String) {
        self.update(platform, account, |health| health.last_error = Some(error));
    }

    pub fn event(&self, platform: &str, account: &str) {
        self.update(platform, account, |health| {
            health.events += 1;
            health.last_event = Some(Utc::now());
        });
    }

    pub fn finished(
        &self,
        platform: &str,
        account: &str,
        sent: u64,
        failed: u64,
        error: Option<String>,
    ) {
        self.update(platform, account, |health| {
            health.sent += sent;
            health.failed += failed;
            if error.is_some() {
                health.last_error = error;
            }
        });
    }

    /// Every account, by platform then account.
    pub fn snapshot(&self) -> Vec<((String, String), AccountHealth)> {
        self.0
            .lock()
            .map(|all| {
                all.iter()
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }
}
