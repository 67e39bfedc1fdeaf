//! The outbox: actions the pipeline committed, waiting for an adapter to carry them out.
//!
//! An adapter claims due actions for its account (a lease, so that a crashed adapter's claims come
//! back), performs them, and reports the platform's answer. A failed action is retried with a
//! growing delay. An action whose lease ran out without an answer is retried only when repeating it
//! is harmless; a `send` is marked failed instead, because the member may already have seen it.

use chrono::{DateTime, Utc};
use steward_domain::{AccountId, Action, ActionRequest, ChatId, Platform};

use crate::sql::{Row, Value};
use crate::{Database, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    Claimed,
    Sent,
    Failed,
    /// Withdrawn before any adapter took it (a removal a member's answer made unnecessary).
    Cancelled,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Claimed => "claimed",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
            OutboxStatus::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Result<OutboxStatus, StoreError> {
        Ok(match text {
            "pending" => OutboxStatus::Pending,
            "claimed" => OutboxStatus::Claimed,
            "sent" => OutboxStatus::Sent,
            "failed" => OutboxStatus::Failed,
            "cancelled" => OutboxStatus::Cancelled,
            other => return Err(StoreError::Corrupt(format!("outbox status `{other}`"))),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub event_id: Option<i64>,
    pub platform: Platform,
    pub account: AccountId,
    pub chat: ChatId,
    pub action: Action,
    pub status: OutboxStatus,
    /// How many times an adapter has claimed it, this claim included.
    pub attempts: i64,
    pub answer: Option<String>,
    pub last_error: Option<String>,
}

/// What the platform answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionOutcome {
    /// Done; `answer` is what the platform returned (a message id, say), kept for the audit log.
    Sent { answer: Option<String> },
    /// The platform refused or could not be reached. `retry` says whether trying again may help
    /// (a rate limit, a timeout) as opposed to a final refusal (no permission).
    Failed { error: String, retry: bool },
    /// Never sent (no connection, the group's turn was over): back in the queue, without
    /// counting as an attempt, to be tried again after a short pause.
    Returned { reason: String },
}

/// How long an action given back unsent waits before it is claimed again.
const RETURNED_PAUSE_MILLIS: i64 = 5_000;

/// After this many attempts an action fails for good.
pub const MAX_ATTEMPTS: i64 = 8;

const COLUMNS: &str =
    "id, event_id, platform, account, chat, action, status, attempts, answer, last_error";

fn entry(row: &Row) -> Result<OutboxEntry, StoreError> {
    let platform_name = row.text(2)?;
    let action_json = row.text(5)?;
    Ok(OutboxEntry {
        id: row.int(0)?,
        event_id: row.opt_int(1)?,
        platform: platform_name
            .parse()
            .map_err(|err| StoreError::Corrupt(format!("outbox platform: {err}")))?,
        account: AccountId(row.text(3)?),
        chat: ChatId(row.text(4)?),
        action: serde_json::from_str(&action_json)
            .map_err(|err| StoreError::Corrupt(format!("outbox action: {err}")))?,
        status: OutboxStatus::parse(&row.text(6)?)?,
        attempts: row.int(7)?,
        answer: row.opt_text(8)?,
        last_error: row.opt_text(9)?,
    })
}

/// The delay before retry number `attempts`: 2 s, 4 s, 8 s, ... capped at ten minutes.
fn backoff_millis(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 20) as u32;
    (1_000_i64 << exponent).min(600_000)
}

impl Database {
    /// Claims up to `limit` due actions of one bot account, oldest first, for `lease`.
    pub fn claim_actions(
        &self,
        platform: Platform,
        account: &AccountId,
        limit: usize,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let now = now.timestamp_millis();
        let lease_until = now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let skip_locked = self.dialect.skip_locked;
        self.in_transaction(|conn| {
            let params: [Value<'_>; 3] =
                [platform.as_str().into(), account.as_str().into(), now.into()];
            // Claims that ran out without an answer: a send may have reached the members, so it
            // is not repeated.
            conn.execute(
                "UPDATE outbox SET status = 'failed', updated_at = $3, \
                 last_error = 'no answer before the lease ran out; not repeated, a send is not safe to repeat' \
                 WHERE platform = $1 AND account = $2 AND status = 'claimed' \
                 AND claimed_until <= $3 AND repeat_is_harmless = 0",
                &params,
            )?;
            // An action whose every claim ran out (it may crash its adapter) is not handed out
            // forever.
            conn.execute(
                &format!(
                    "UPDATE outbox SET status = 'failed', updated_at = $3, \
                     last_error = 'no answer before the lease ran out, {MAX_ATTEMPTS} times' \
                     WHERE platform = $1 AND account = $2 AND status = 'claimed' \
                     AND claimed_until <= $3 AND attempts >= {MAX_ATTEMPTS}"
                ),
                &params,
            )?;
            let sql = format!(
                "UPDATE outbox SET status = 'claimed', claimed_until = $4, attempts = attempts + 1, \
                 updated_at = $3 WHERE id IN (SELECT id FROM outbox \
                 WHERE platform = $1 AND account = $2 AND ((status = 'pending' AND not_before <= $3) \
                 OR (status = 'claimed' AND claimed_until <= $3)) ORDER BY id LIMIT $5{skip_locked}) \
                 RETURNING {COLUMNS}"
            );
            let rows = conn.query(
                &sql,
                &[params[0], params[1], params[2], lease_until.into(), limit.into()],
            )?;
            let mut entries = rows.iter().map(entry).collect::<Result<Vec<_>, _>>()?;
            entries.sort_by_key(|entry| entry.id);
            Ok(entries)
        })
    }

    /// Records what the platform answered for the claim `entry` came from. The claim's attempt
    /// number fences it: a report from an adapter whose lease ran out, and whose action another
    /// adapter has claimed since, changes nothing. Returns whether the report was recorded.
    pub fn finish_action(
        &self,
        entry: &OutboxEntry,
        outcome: &ActionOutcome,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.with_conn(|conn| finish_on(conn, entry, outcome, now.timestamp_millis()))
    }

    /// Queues an action from an adapter, to go at `not_before` (a Matrix mute's end: Matrix
    /// has no timed mute, so lifting it is an action of its own, kept across restarts).
    pub fn schedule_action(
        &self,
        request: &ActionRequest,
        now: DateTime<Utc>,
        not_before: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.in_transaction(|conn| {
            crate::writer::enqueue_after(conn, None, request, now, not_before)
        })
    }

    /// Where an adapter's stream stands (see `set_cursor`).
    pub fn cursor(&self, platform: Platform, account: &str) -> Result<Option<String>, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(
                "SELECT cursor FROM adapter_cursors WHERE platform = $1 AND account = $2",
                &[platform.as_str().into(), account.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
        })
    }

    /// Saves where an adapter's stream stands, once the events before it are committed.
    pub fn set_cursor(
        &self,
        platform: Platform,
        account: &str,
        cursor: &str,
    ) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            conn.execute(
                "INSERT INTO adapter_cursors (platform, account, cursor) VALUES ($1, $2, $3) \
                 ON CONFLICT (platform, account) DO UPDATE SET cursor = excluded.cursor",
                &[platform.as_str().into(), account.into(), cursor.into()],
            )?;
            Ok(())
        })
    }

    /// Records many answers in one transaction (an adapter that had many calls in flight): one
    /// write instead of one per action. Returns how many were recorded.
    pub fn finish_actions(
        &self,
        finished: &[(OutboxEntry, ActionOutcome)],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let now = now.timestamp_millis();
        self.in_transaction(|conn| {
            let mut recorded = 0;
            for (entry, outcome) in finished {
                recorded += usize::from(finish_on(conn, entry, outcome, now)?);
            }
            Ok(recorded)
        })
    }
}

fn finish_on(
    conn: &mut dyn crate::sql::Conn,
    entry: &OutboxEntry,
    outcome: &ActionOutcome,
    now: i64,
) -> Result<bool, StoreError> {
    let (id, attempts) = (entry.id, entry.attempts);
    const CLAIMED: &str = "WHERE id = $1 AND attempts = $2 AND status = 'claimed'";
    {
        let changed = match outcome {
            ActionOutcome::Sent { answer } => conn.execute(
                &format!(
                    "UPDATE outbox SET status = 'sent', answer = $3, claimed_until = NULL, \
                         updated_at = $4 {CLAIMED}"
                ),
                &[
                    id.into(),
                    attempts.into(),
                    answer.as_deref().into(),
                    now.into(),
                ],
            )?,
            ActionOutcome::Failed { error, retry } if *retry && attempts < MAX_ATTEMPTS => conn
                .execute(
                    &format!(
                        "UPDATE outbox SET status = 'pending', last_error = $3, \
                             claimed_until = NULL, not_before = $4, updated_at = $5 {CLAIMED}"
                    ),
                    &[
                        id.into(),
                        attempts.into(),
                        error.as_str().into(),
                        (now + backoff_millis(attempts)).into(),
                        now.into(),
                    ],
                )?,
            ActionOutcome::Returned { reason } => conn.execute(
                &format!(
                    "UPDATE outbox SET status = 'pending', attempts = attempts - 1, \
                     last_error = $3, claimed_until = NULL, not_before = $4, updated_at = $5 \
                     {CLAIMED}"
                ),
                &[
                    id.into(),
                    attempts.into(),
                    reason.as_str().into(),
                    (now + RETURNED_PAUSE_MILLIS).into(),
                    now.into(),
                ],
            )?,
            ActionOutcome::Failed { error, .. } => conn.execute(
                &format!(
                    "UPDATE outbox SET status = 'failed', last_error = $3, claimed_until = NULL, \
                         updated_at = $4 {CLAIMED}"
                ),
                &[
                    id.into(),
                    attempts.into(),
                    error.as_str().into(),
                    now.into(),
                ],
            )?,
        };
        Ok(changed == 1)
    }
}

impl Database {
    /// The actions queued because of one event, in the order they were queued.
    pub fn actions_for_event(&self, event_id: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        self.with_conn(|conn| {
            let sql = format!("SELECT {COLUMNS} FROM outbox WHERE event_id = $1 ORDER BY id");
            conn.query(&sql, &[event_id.into()])?
                .iter()
                .map(entry)
                .collect()
        })
    }

    /// A group's actions after the action `after` (an outbox id), oldest first: what a live view
    /// has not shown yet.
    pub fn group_actions_after(
        &self,
        platform: &str,
        chat: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        self.with_conn(|conn| {
            let sql = format!(
                "SELECT {COLUMNS} FROM outbox WHERE platform = $1 AND chat = $2 AND id > $3 \
                 ORDER BY id LIMIT $4"
            );
            conn.query(
                &sql,
                &[platform.into(), chat.into(), after.into(), limit.into()],
            )?
            .iter()
            .map(entry)
            .collect()
        })
    }

    /// The newest actions in one group, newest first.
    pub fn group_actions(
        &self,
        platform: &str,
        chat: &str,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_conn(|conn| {
            let sql = format!(
                "SELECT {COLUMNS} FROM outbox WHERE platform = $1 AND chat = $2 ORDER BY id DESC LIMIT $3"
            );
            conn.query(&sql, &[platform.into(), chat.into(), limit.into()])?.iter().map(entry).collect()
        })
    }

    /// The bot's actions in all groups, newest first; `before` is the last id of the previous
    /// page.
    pub fn recent_actions(
        &self,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let before = before.unwrap_or(i64::MAX);
        self.with_conn(|conn| {
            let sql =
                format!("SELECT {COLUMNS} FROM outbox WHERE id < $1 ORDER BY id DESC LIMIT $2");
            conn.query(&sql, &[before.into(), limit.into()])?
                .iter()
                .map(entry)
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_millis;

    #[test]
    fn retries_back_off_up_to_ten_minutes() {
        assert_eq!(backoff_millis(1), 2_000);
        assert_eq!(backoff_millis(3), 8_000);
        assert_eq!(backoff_millis(30), 600_000);
    }
}
