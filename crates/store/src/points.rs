//! Engagement's points and sign-ins. The ledger is the truth: every credit and debit is a row,
//! once per event and reason (a redelivered event can never pay twice), and the balance beside
//! it changes in the same statement sequence of the same transaction (`verify` checks that they
//! agree).

use crate::sql::{Conn, Value};
use crate::{Database, StoreError, Writer};

/// One line of a leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub member_id: i64,
    pub name: String,
    pub points: i64,
}

impl Writer {
    /// Credits (or, negative, debits) a member's points for an event; returns the new balance,
    /// or `None` when this event already paid for this reason.
    #[allow(clippy::too_many_arguments)]
    pub fn award_points(
        &mut self,
        group_id: i64,
        member_id: i64,
        amount: i64,
        reason: &str,
        event_id: i64,
        day: i64,
        time: i64,
    ) -> Result<Option<i64>, StoreError> {
        award_on(
            self.conn.as_mut(),
            &Credit {
                group_id,
                member_id,
                amount,
                reason,
                event_id,
                day,
                time,
            },
        )
    }

    pub fn points_balance(&mut self, group_id: i64, member_id: i64) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_opt(
                "SELECT balance FROM points_balances WHERE group_id = $1 AND member_id = $2",
                &[group_id.into(), member_id.into()],
            )?
            .map(|row| row.int(0))
            .transpose()?
            .unwrap_or(0))
    }

    /// How many awards for `reason` the member got on `day`, and the time of the latest one.
    pub fn awards_on(
        &mut self,
        group_id: i64,
        member_id: i64,
        reason: &str,
        day: i64,
    ) -> Result<(i64, Option<i64>), StoreError> {
        let row = self.conn.query_opt(
            "SELECT COUNT(*), MAX(time) FROM points_ledger \
             WHERE group_id = $1 AND member_id = $2 AND reason = $3 AND day = $4",
            &[group_id.into(), member_id.into(), reason.into(), day.into()],
        )?;
        match row {
            Some(row) => Ok((row.int(0)?, row.opt_int(1)?)),
            None => Ok((0, None)),
        }
    }

    /// The member's streak on `day`, if they signed in that day.
    pub fn checkin_streak(
        &mut self,
        group_id: i64,
        member_id: i64,
        day: i64,
    ) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_opt(
                "SELECT streak FROM checkins WHERE group_id = $1 AND member_id = $2 AND day = $3",
                &[group_id.into(), member_id.into(), day.into()],
            )?
            .map(|row| row.int(0))
            .transpose()
    }

    pub fn record_checkin(
        &mut self,
        group_id: i64,
        member_id: i64,
        day: i64,
        streak: i64,
        event_id: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO checkins (group_id, member_id, day, streak, event_id) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                group_id.into(),
                member_id.into(),
                day.into(),
                streak.into(),
                event_id.into(),
            ],
        )?;
        Ok(())
    }

    /// The member's sign-ins on days `first..=last`: `(day, streak)`, oldest first.
    pub fn checkins_between(
        &mut self,
        group_id: i64,
        member_id: i64,
        first: i64,
        last: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows = self.conn.query(
            "SELECT day, streak FROM checkins WHERE group_id = $1 AND member_id = $2 \
             AND day >= $3 AND day <= $4 ORDER BY day",
            &[group_id.into(), member_id.into(), first.into(), last.into()],
        )?;
        rows.iter()
            .map(|row| Ok((row.int(0)?, row.int(1)?)))
            .collect()
    }

    /// Corrects a stored streak (after a make-up filled the day before it).
    pub fn set_checkin_streak(
        &mut self,
        group_id: i64,
        member_id: i64,
        day: i64,
        streak: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE checkins SET streak = $4 WHERE group_id = $1 AND member_id = $2 AND day = $3",
            &[group_id.into(), member_id.into(), day.into(), streak.into()],
        )?;
        Ok(())
    }

    /// A leaderboard: `days` (first and last, inclusive) for a period, `None` for all time.
    pub fn points_top(
        &mut self,
        board: &Board,
        days: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<Standing>, StoreError> {
        top(self.conn.as_mut(), board, days, limit)
    }
}

/// One ledger row to write.
pub(crate) struct Credit<'a> {
    pub group_id: i64,
    pub member_id: i64,
    pub amount: i64,
    pub reason: &'a str,
    /// The event that paid; minus an adjustment's id for an operator's award or deduction.
    pub event_id: i64,
    pub day: i64,
    pub time: i64,
}

/// Writes a ledger row and moves the balance beside it; `None` when the event already paid
/// for this reason.
pub(crate) fn award_on(
    conn: &mut dyn Conn,
    credit: &Credit<'_>,
) -> Result<Option<i64>, StoreError> {
    let inserted = conn.query_opt(
        "INSERT INTO points_ledger (group_id, member_id, amount, reason, event_id, day, time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, reason) DO NOTHING \
         RETURNING id",
        &[
            credit.group_id.into(),
            credit.member_id.into(),
            credit.amount.into(),
            credit.reason.into(),
            credit.event_id.into(),
            credit.day.into(),
            credit.time.into(),
        ],
    )?;
    if inserted.is_none() {
        return Ok(None);
    }
    let balance = conn.query_int(
        "INSERT INTO points_balances (group_id, member_id, balance) VALUES ($1, $2, $3) \
         ON CONFLICT (group_id, member_id) DO UPDATE \
         SET balance = points_balances.balance + $3 RETURNING balance",
        &[
            credit.group_id.into(),
            credit.member_id.into(),
            credit.amount.into(),
        ],
    )?;
    Ok(Some(balance))
}

/// Whose points a leaderboard ranks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Board {
    Group(i64),
    /// Every group of a group set: a member's points in all of them together.
    Set(String),
}

/// All time ranks balances; a period ranks the points earned in it (credits only: a prize
/// bought this week does not push its winner down this week's board).
fn top(
    conn: &mut dyn Conn,
    board: &Board,
    days: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<Standing>, StoreError> {
    let (groups, key): (&str, Value<'_>) = match board {
        Board::Group(id) => ("group_id = $1", (*id).into()),
        Board::Set(name) => (
            "group_id IN (SELECT group_id FROM group_sets WHERE set_name = $1)",
            name.as_str().into(),
        ),
    };
    let rows = match days {
        None => conn.query(
            &format!(
                "SELECT t.member_id, m.name, t.points FROM \
                 (SELECT member_id, CAST(SUM(balance) AS BIGINT) AS points FROM points_balances \
                  WHERE {groups} GROUP BY member_id) t JOIN members m ON m.id = t.member_id \
                 WHERE t.points <> 0 ORDER BY t.points DESC, t.member_id LIMIT $2"
            ),
            &[key, limit.into()],
        )?,
        Some((first, last)) => conn.query(
            &format!(
                "SELECT t.member_id, m.name, t.points FROM \
                 (SELECT member_id, CAST(SUM(amount) AS BIGINT) AS points FROM points_ledger \
                  WHERE {groups} AND day >= $3 AND day <= $4 AND amount > 0 GROUP BY member_id) t \
                 JOIN members m ON m.id = t.member_id \
                 ORDER BY t.points DESC, t.member_id LIMIT $2"
            ),
            &[key, limit.into(), first.into(), last.into()],
        )?,
    };
    rows.iter()
        .map(|row| {
            Ok(Standing {
                member_id: row.int(0)?,
                name: row.text(1)?,
                points: row.int(2)?,
            })
        })
        .collect()
}

impl Database {
    /// A member's balance and the sum of their ledger (equal, unless something is broken).
    pub fn points_of(&self, group_id: i64, member_id: i64) -> Result<(i64, i64), StoreError> {
        self.with_conn(|conn| {
            let row = conn.query_opt(
                "SELECT (SELECT COALESCE(MAX(balance), 0) FROM points_balances \
                  WHERE group_id = $1 AND member_id = $2), \
                 (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM points_ledger \
                  WHERE group_id = $1 AND member_id = $2)",
                &[group_id.into(), member_id.into()],
            )?;
            match row {
                Some(row) => Ok((row.int(0)?, row.int(1)?)),
                None => Ok((0, 0)),
            }
        })
    }

    /// A leaderboard for the console (see [`Writer::points_top`]).
    pub fn leaderboard(
        &self,
        board: &Board,
        days: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<Standing>, StoreError> {
        self.with_conn(|conn| top(conn, board, days, limit))
    }

    /// An operator's award (positive) or deduction (negative, for a prize): `Err(balance)`, and
    /// nothing written, when a deduction is more than the balance.
    #[allow(clippy::too_many_arguments)]
    pub fn adjust_points(
        &self,
        group_id: i64,
        member_id: i64,
        amount: i64,
        note: &str,
        operator: &str,
        day: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Result<i64, i64>, StoreError> {
        let time = now.timestamp_millis();
        self.in_transaction(|conn| {
            let balance = conn
                .query_opt(
                    "SELECT balance FROM points_balances WHERE group_id = $1 AND member_id = $2",
                    &[group_id.into(), member_id.into()],
                )?
                .map(|row| row.int(0))
                .transpose()?
                .unwrap_or(0);
            if balance + amount < 0 {
                return Ok(Err(balance));
            }
            let id = conn.query_int(
                "INSERT INTO points_adjustments (group_id, member_id, amount, note, operator, time) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    group_id.into(),
                    member_id.into(),
                    amount.into(),
                    note.into(),
                    operator.into(),
                    time.into(),
                ],
            )?;
            let credit = Credit {
                group_id,
                member_id,
                amount,
                reason: if amount < 0 { "deduct" } else { "award" },
                event_id: -id,
                day,
                time,
            };
            Ok(Ok(award_on(conn, &credit)?.unwrap_or(balance + amount)))
        })
    }

    /// A member's balance in each group they have points in: `(group id, title, balance)`.
    pub fn balances_of(&self, member_id: i64) -> Result<Vec<(i64, String, i64)>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                "SELECT b.group_id, COALESCE(g.title, g.chat), b.balance FROM points_balances b \
                 JOIN groups g ON g.id = b.group_id WHERE b.member_id = $1 ORDER BY b.group_id",
                &[member_id.into()],
            )?;
            rows.iter()
                .map(|row| Ok((row.int(0)?, row.text(1)?, row.int(2)?)))
                .collect()
        })
    }
}
