//! Reading back: counts for the CLI and health checks, a canonical dump for "nothing changed"
//! tests, and a consistency check of the state the writer keeps.

use crate::sql::Row;
use crate::{Database, StoreError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub events: i64,
    pub messages: i64,
    pub groups: i64,
    pub members: i64,
    pub active_memberships: i64,
    pub join_requests: i64,
    pub outbox_pending: i64,
    pub outbox_total: i64,
}

/// Every row of every table, ordered, for comparing two databases' contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDump {
    pub table: &'static str,
    pub rows: Vec<Row>,
}

/// The tables and the order that makes their dump canonical.
const TABLES: &[(&str, &str)] = &[
    ("groups", "id"),
    ("persons", "id"),
    ("members", "id"),
    ("memberships", "group_id, member_id"),
    ("events", "id"),
    ("messages", "event_id"),
    ("join_requests", "event_id"),
    ("outbox", "id"),
    ("operators", "id"),
    ("sessions", "token_hash"),
    ("audit_log", "id"),
    ("api_tokens", "token_hash"),
    ("operator_groups", "operator_id, group_id"),
    ("moderation_rules", "scope"),
    ("group_sets", "group_id"),
    ("offences", "id"),
    ("blacklist", "member_id"),
    ("ad_samples", "id"),
    ("night_state", "group_id"),
    ("points_ledger", "id"),
    ("points_balances", "group_id, member_id"),
    ("checkins", "group_id, member_id, day"),
];

impl Database {
    pub fn counts(&self) -> Result<Counts, StoreError> {
        self.with_conn(|conn| {
            let row = conn
                .query_opt(
                    "SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM messages), \
                     (SELECT COUNT(*) FROM groups), (SELECT COUNT(*) FROM members), \
                     (SELECT COUNT(*) FROM memberships WHERE status = 'active'), \
                     (SELECT COUNT(*) FROM join_requests), \
                     (SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'claimed')), \
                     (SELECT COUNT(*) FROM outbox)",
                    &[],
                )?
                .ok_or_else(|| StoreError::Corrupt("no row from the counts".into()))?;
            Ok(Counts {
                events: row.int(0)?,
                messages: row.int(1)?,
                groups: row.int(2)?,
                members: row.int(3)?,
                active_memberships: row.int(4)?,
                join_requests: row.int(5)?,
                outbox_pending: row.int(6)?,
                outbox_total: row.int(7)?,
            })
        })
    }

    /// Whether an event with this dedup key was recorded.
    pub fn has_event(&self, dedup_key: &str) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            Ok(conn
                .query_opt(
                    "SELECT 1 FROM events WHERE dedup_key = $1",
                    &[dedup_key.into()],
                )?
                .is_some())
        })
    }

    /// All tables' rows in a fixed order. For tests and small databases: it reads everything.
    pub fn dump(&self) -> Result<Vec<TableDump>, StoreError> {
        self.with_conn(|conn| {
            TABLES
                .iter()
                .map(|(table, order)| {
                    let rows =
                        conn.query(&format!("SELECT * FROM {table} ORDER BY {order}"), &[])?;
                    Ok(TableDump { table, rows })
                })
                .collect()
        })
    }

    /// Checks that the state the writer keeps agrees with the event log: counters equal the rows
    /// they count, every message event has its message. Returns the disagreements, one line each;
    /// an empty list means consistent.
    pub fn verify(&self) -> Result<Vec<String>, StoreError> {
        const CHECKS: &[(&str, &str)] = &[
            (
                "group message_count differs from its messages",
                "SELECT g.id FROM groups g WHERE g.message_count <> \
                 (SELECT COUNT(*) FROM messages m WHERE m.group_id = g.id)",
            ),
            (
                "group member_count differs from its active memberships",
                "SELECT g.id FROM groups g WHERE g.member_count <> \
                 (SELECT COUNT(*) FROM memberships s WHERE s.group_id = g.id AND s.status = 'active')",
            ),
            (
                "membership message_count differs from the member's messages",
                "SELECT s.group_id FROM memberships s WHERE s.message_count <> \
                 (SELECT COUNT(*) FROM messages m WHERE m.group_id = s.group_id \
                  AND m.member_id = s.member_id)",
            ),
            (
                "points balance differs from its ledger",
                "SELECT b.group_id FROM points_balances b WHERE b.balance <> \
                 (SELECT COALESCE(SUM(l.amount), 0) FROM points_ledger l \
                  WHERE l.group_id = b.group_id AND l.member_id = b.member_id)",
            ),
            (
                "points ledger without its balance",
                "SELECT l.group_id FROM points_ledger l WHERE NOT EXISTS \
                 (SELECT 1 FROM points_balances b WHERE b.group_id = l.group_id \
                  AND b.member_id = l.member_id)",
            ),
            (
                "message event without its message",
                "SELECT e.id FROM events e WHERE e.kind = 'message' AND NOT EXISTS \
                 (SELECT 1 FROM messages m WHERE m.event_id = e.id)",
            ),
            (
                "message without its event",
                "SELECT m.event_id FROM messages m WHERE NOT EXISTS \
                 (SELECT 1 FROM events e WHERE e.id = m.event_id)",
            ),
            (
                "join request event without its request",
                "SELECT e.id FROM events e WHERE e.kind = 'join_request' AND NOT EXISTS \
                 (SELECT 1 FROM join_requests r WHERE r.event_id = e.id)",
            ),
            (
                "outbox entry whose event is missing",
                "SELECT o.id FROM outbox o WHERE o.event_id IS NOT NULL AND NOT EXISTS \
                 (SELECT 1 FROM events e WHERE e.id = o.event_id)",
            ),
        ];
        self.with_conn(|conn| {
            let mut problems = Vec::new();
            for (what, sql) in CHECKS {
                let rows = conn.query(sql, &[])?;
                if !rows.is_empty() {
                    let ids: Vec<String> = rows
                        .iter()
                        .take(5)
                        .map(|row| row.0.iter().map(ToString::to_string).collect())
                        .collect();
                    problems.push(format!("{what}: {} (e.g. {})", rows.len(), ids.join(", ")));
                }
            }
            Ok(problems)
        })
    }
}
