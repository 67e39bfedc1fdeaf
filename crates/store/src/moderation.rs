//! Moderation's state: rule documents per scope, group sets, offences, the fleet blacklist, the
//! operators' ad samples and night mode. The pipeline's moderation feature reads and writes it
//! through the [`Writer`] (inside the event's transaction); the console through [`Database`].

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::sql::{Conn, Row, Value};
use crate::{Database, StoreError, Writer};

/// Scopes of rule documents, most specific first: a group's own, its set's, the deployment's.
pub fn group_scope(group_id: i64) -> String {
    format!("group:{group_id}")
}

pub fn set_scope(name: &str) -> String {
    format!("set:{name}")
}

pub const DEFAULT_SCOPE: &str = "default";

/// The features whose settings are documents per scope (a group's, its set's, the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Documents {
    Moderation,
    Engagement,
}

impl Documents {
    fn table(self) -> &'static str {
        match self {
            Documents::Moderation => "moderation_rules",
            Documents::Engagement => "engagement_rules",
        }
    }
}

/// A stored rule document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesRecord {
    pub scope: String,
    pub rules: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// One offence, as the ladder recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offence {
    pub member_id: i64,
    pub group_id: i64,
    pub event_id: i64,
    /// The message's own time.
    pub time: i64,
    pub detector: String,
    /// Why, in Chinese and in English (an offence stored before both were kept has the two
    /// joined in each: `联系方式 / contact details`).
    pub reason: Reason,
    pub step: String,
    /// The platform message the offence is about (for an edit, the message it changed).
    pub message: Option<String>,
}

/// An offence with the names an operator reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffenceLine {
    pub id: i64,
    pub offence: Offence,
    pub member_name: String,
    pub user_id: String,
    pub group_title: String,
    pub text: Option<String>,
    /// The message was too old for the platform to let the bot delete it: it is still there.
    pub left_in_place: bool,
    /// An operator marked it a mistake: it no longer counts on the member's ladder.
    pub forgiven: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlacklistEntry {
    pub member_id: i64,
    pub platform: String,
    pub user_id: String,
    pub name: String,
    pub group_id: i64,
    pub reason: Reason,
    pub added_at: i64,
}

/// A reason as each language reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reason {
    pub zh: String,
    pub en: String,
}

impl Reason {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Reason {
        Reason {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn in_language(&self, en: bool) -> &str {
        if en { &self.en } else { &self.zh }
    }

    /// As stored: the Chinese, and the English when it was kept apart (rows from before both
    /// were kept hold the two in one, shown as they are).
    fn read(row: &Row, zh: usize, en: usize) -> Result<Reason, StoreError> {
        let zh = row.text(zh)?;
        let en = row.opt_text(en)?.unwrap_or_else(|| zh.clone());
        Ok(Reason { zh, en })
    }
}

/// Where a member is active, with the bot account that last spoke for the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveGroup {
    pub group_id: i64,
    pub platform: String,
    pub chat: String,
    pub account: Option<String>,
    /// The member's role there (`member`, `admin`, `owner`); `member` for a group listing.
    pub role: String,
}

/// A stored event, as backtesting replays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayedEvent {
    pub id: i64,
    pub group_id: i64,
    pub member_id: Option<i64>,
    pub time: i64,
    pub payload: String,
}

pub(crate) fn effective_rules(
    conn: &mut dyn Conn,
    kind: Documents,
    group_id: i64,
) -> Result<Option<String>, StoreError> {
    let rows = conn.query(
        &format!(
            "SELECT scope, rules FROM {} WHERE scope = $1 OR scope = $2 \
             OR scope = (SELECT 'set:' || set_name FROM group_sets WHERE group_id = $3)",
            kind.table()
        ),
        &[
            group_scope(group_id).as_str().into(),
            DEFAULT_SCOPE.into(),
            group_id.into(),
        ],
    )?;
    let mut best: Option<(u8, String)> = None;
    for row in rows {
        let scope = row.text(0)?;
        let rank = if scope.starts_with("group:") {
            0
        } else if scope.starts_with("set:") {
            1
        } else {
            2
        };
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, row.text(1)?));
        }
    }
    Ok(best.map(|(_, rules)| rules))
}

impl Writer {
    /// The rule document in force for a group (its own, its set's, the default), if any.
    pub fn moderation_rules(&mut self, group_id: i64) -> Result<Option<String>, StoreError> {
        effective_rules(self.conn.as_mut(), Documents::Moderation, group_id)
    }

    /// Up to `limit` events recorded before `before_id`, newest first (a page of the log read
    /// backwards by its primary key: moderation's windows are refilled this way after a start).
    pub fn events_before(
        &mut self,
        before_id: i64,
        limit: i64,
    ) -> Result<Vec<ReplayedEvent>, StoreError> {
        let rows = self.conn.query(
            "SELECT id, group_id, member_id, time, payload FROM events \
             WHERE id < $1 ORDER BY id DESC LIMIT $2",
            &[before_id.into(), limit.into()],
        )?;
        rows.iter().map(replayed).collect()
    }

    /// Every stored rule document.
    pub fn rule_documents(&mut self) -> Result<Vec<String>, StoreError> {
        let rows = self.conn.query("SELECT rules FROM moderation_rules", &[])?;
        rows.iter().map(|row| row.text(0)).collect()
    }

    /// The members on the fleet blacklist now.
    pub fn blacklisted_members(&mut self) -> Result<HashSet<i64>, StoreError> {
        let rows = self.conn.query(
            "SELECT member_id FROM blacklist WHERE lifted_at IS NULL",
            &[],
        )?;
        rows.iter().map(|row| row.int(0)).collect()
    }

    /// Offences of a member (in any group) with message times in `(from, to]`. When an operator
    /// lifted the member's blacklisting, only offences after the lift count: the ladder starts
    /// over. An offence an operator marked a mistake does not count.
    pub fn offences_between(
        &mut self,
        member_id: i64,
        from: i64,
        to: i64,
    ) -> Result<i64, StoreError> {
        self.conn.query_int(
            "SELECT COUNT(*) FROM offences WHERE member_id = $1 AND time <= $3 \
             AND forgiven_at IS NULL AND time > \
             (SELECT MAX(t) FROM (SELECT CAST($2 AS BIGINT) AS t UNION ALL \
              SELECT lifted_at FROM blacklist WHERE member_id = $1 AND lifted_at IS NOT NULL) AS bounds)",
            &[member_id.into(), from.into(), to.into()],
        )
    }

    pub fn record_offence(&mut self, offence: &Offence) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO offences (member_id, group_id, event_id, time, detector, reason, step, \
             message, reason_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                offence.member_id.into(),
                offence.group_id.into(),
                offence.event_id.into(),
                offence.time.into(),
                offence.detector.as_str().into(),
                offence.reason.zh.as_str().into(),
                offence.step.as_str().into(),
                offence.message.as_deref().into(),
                offence.reason.en.as_str().into(),
            ],
        )?;
        Ok(())
    }

    /// Whether the platform message `message` of the group already brought the member an
    /// offence.
    pub fn message_caught(
        &mut self,
        group_id: i64,
        member_id: i64,
        message: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_opt(
                "SELECT 1 FROM offences WHERE group_id = $1 AND message = $2 AND member_id = $3",
                &[group_id.into(), message.into(), member_id.into()],
            )?
            .is_some())
    }

    /// Puts a member on the fleet blacklist (again, if an operator had lifted it).
    pub fn blacklist(
        &mut self,
        member_id: i64,
        group_id: i64,
        reason: &Reason,
        time: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO blacklist (member_id, group_id, reason, added_at, reason_en) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (member_id) DO UPDATE SET group_id = $2, \
             reason = $3, added_at = $4, reason_en = $5, lifted_at = NULL, lifted_by = NULL",
            &[
                member_id.into(),
                group_id.into(),
                reason.zh.as_str().into(),
                time.into(),
                reason.en.as_str().into(),
            ],
        )?;
        Ok(())
    }

    /// The groups a member is active in, other than `except`.
    pub fn active_groups_of(
        &mut self,
        member_id: i64,
        except: i64,
    ) -> Result<Vec<ActiveGroup>, StoreError> {
        let rows = self.conn.query(
            &format!(
                "{GROUP_WITH_ACCOUNT}, s.role FROM memberships s JOIN groups g ON g.id = s.group_id \
                 WHERE s.member_id = $1 AND s.status = 'active' AND s.group_id <> $2 ORDER BY g.id"
            ),
            &[member_id.into(), except.into()],
        )?;
        rows.iter().map(active_group).collect()
    }

    /// A line in the audit log, inside the event's transaction: the bot's own decisions.
    pub fn audit(
        &mut self,
        time: i64,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO audit_log (time, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
            &[
                time.into(),
                actor.into(),
                action.into(),
                target.into(),
                detail.into(),
            ],
        )?;
        Ok(())
    }

    /// Who wrote the message whose dedup key is `key` (Steward's member id), if Steward saw it.
    pub fn message_author(&mut self, key: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_opt(
                "SELECT member_id FROM messages WHERE event_id = \
                 (SELECT id FROM events WHERE dedup_key = $1)",
                &[key.into()],
            )?
            .map(|row| row.int(0))
            .transpose()
    }

    /// A group's title (or its chat id) for messages and the audit log.
    pub fn group_label(&mut self, group_id: i64) -> Result<String, StoreError> {
        let row = self.conn.query_opt(
            "SELECT COALESCE(title, chat) FROM groups WHERE id = $1",
            &[group_id.into()],
        )?;
        Ok(row.map(|row| row.text(0)).transpose()?.unwrap_or_default())
    }
}

/// A group (`g`) with the bot account that last spoke for it.
/// Whether a membership's status says the member is no longer in the group.
fn departed(status: Option<&str>) -> bool {
    matches!(status, Some("left" | "kicked"))
}

/// The bot account that last spoke for the group `g`.
macro_rules! last_account {
    () => {
        "(SELECT e.account FROM messages m JOIN events e ON e.id = m.event_id \
         WHERE m.group_id = g.id ORDER BY m.time DESC LIMIT 1)"
    };
}

const GROUP_WITH_ACCOUNT: &str = concat!("SELECT g.id, g.platform, g.chat, ", last_account!());

/// A row of [`GROUP_WITH_ACCOUNT`], with the member's role as a fifth column when there is one.
fn active_group(row: &Row) -> Result<ActiveGroup, StoreError> {
    Ok(ActiveGroup {
        group_id: row.int(0)?,
        platform: row.text(1)?,
        chat: row.text(2)?,
        account: row.opt_text(3)?,
        role: match row.0.get(4) {
            Some(_) => row.opt_text(4)?.unwrap_or_else(|| "member".to_owned()),
            None => "member".to_owned(),
        },
    })
}

const BLACKLIST_ENTRY: &str = "SELECT b.member_id, m.platform, m.user_id, m.name, b.group_id, \
     b.reason, b.added_at, b.reason_en FROM blacklist b JOIN members m ON m.id = b.member_id \
     WHERE b.lifted_at IS NULL";

fn blacklist_entry(row: &Row) -> Result<BlacklistEntry, StoreError> {
    Ok(BlacklistEntry {
        member_id: row.int(0)?,
        platform: row.text(1)?,
        user_id: row.text(2)?,
        name: row.text(3)?,
        group_id: row.int(4)?,
        reason: Reason::read(row, 5, 7)?,
        added_at: row.int(6)?,
    })
}

fn offence_line(row: &Row) -> Result<OffenceLine, StoreError> {
    let event = row
        .opt_text(11)?
        .and_then(|payload| serde_json::from_str::<steward_domain::Event>(&payload).ok());
    Ok(OffenceLine {
        id: row.int(0)?,
        offence: Offence {
            member_id: row.int(1)?,
            group_id: row.int(2)?,
            event_id: row.int(3)?,
            time: row.int(4)?,
            detector: row.text(5)?,
            reason: Reason::read(row, 6, 13)?,
            step: row.text(7)?,
            message: row.opt_text(12)?,
        },
        member_name: row.text(8)?,
        user_id: row.text(9)?,
        group_title: row.text(10)?,
        text: event.as_ref().and_then(text_of),
        left_in_place: event
            .as_ref()
            .is_some_and(steward_domain::Event::beyond_delete_window),
        forgiven: row.opt_int(14)?.is_some(),
    })
}

/// What a member wrote in a message or an edit, read from the event itself: the text that was
/// judged (a message's stored text changes when it is edited).
fn text_of(event: &steward_domain::Event) -> Option<String> {
    event.kind.written().map(|_| event.plain_text())
}

fn written_text(payload: &str) -> Option<String> {
    text_of(&serde_json::from_str::<steward_domain::Event>(payload).ok()?)
}

impl Database {
    pub fn rules(&self, scope: &str) -> Result<Option<RulesRecord>, StoreError> {
        self.document(Documents::Moderation, scope)
    }

    pub fn all_rules(&self) -> Result<Vec<RulesRecord>, StoreError> {
        self.all_documents(Documents::Moderation)
    }

    pub fn effective_rules(&self, group_id: i64) -> Result<Option<String>, StoreError> {
        self.effective_document(Documents::Moderation, group_id)
    }

    pub fn set_rules(
        &self,
        scope: &str,
        rules: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_document(Documents::Moderation, scope, rules, by, now)
    }

    pub fn delete_rules(&self, scope: &str) -> Result<bool, StoreError> {
        self.delete_document(Documents::Moderation, scope)
    }

    /// A scope's stored document of one feature.
    pub fn document(
        &self,
        kind: Documents,
        scope: &str,
    ) -> Result<Option<RulesRecord>, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(
                &format!(
                    "SELECT scope, rules, updated_at, updated_by FROM {} WHERE scope = $1",
                    kind.table()
                ),
                &[scope.into()],
            )?
            .map(|row| rules_record(&row))
            .transpose()
        })
    }

    /// Every stored document of one feature, default first, then sets, then groups.
    pub fn all_documents(&self, kind: Documents) -> Result<Vec<RulesRecord>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                &format!(
                    "SELECT scope, rules, updated_at, updated_by FROM {} ORDER BY scope",
                    kind.table()
                ),
                &[],
            )?;
            rows.iter().map(rules_record).collect()
        })
    }

    /// The document in force for a group, if any is stored.
    pub fn effective_document(
        &self,
        kind: Documents,
        group_id: i64,
    ) -> Result<Option<String>, StoreError> {
        self.with_conn(|conn| effective_rules(conn, kind, group_id))
    }

    pub fn set_document(
        &self,
        kind: Documents,
        scope: &str,
        document: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            conn.execute(
                &format!(
                    "INSERT INTO {} (scope, rules, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (scope) DO UPDATE SET rules = $2, \
                     updated_at = $3, updated_by = $4",
                    kind.table()
                ),
                &[
                    scope.into(),
                    document.into(),
                    now.timestamp_millis().into(),
                    by.into(),
                ],
            )?;
            Ok(())
        })
    }

    /// Removes a scope's document (the group falls back to its set's or the default).
    pub fn delete_document(&self, kind: Documents, scope: &str) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            Ok(conn.execute(
                &format!("DELETE FROM {} WHERE scope = $1", kind.table()),
                &[scope.into()],
            )? > 0)
        })
    }

    pub fn group_set(&self, group_id: i64) -> Result<Option<String>, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(
                "SELECT set_name FROM group_sets WHERE group_id = $1",
                &[group_id.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
        })
    }

    /// Every set's name in use: by a group in it, or by either feature's stored document; each
    /// once, sorted (by bytes, the same on both databases).
    pub fn set_names(&self) -> Result<Vec<String>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                "SELECT set_name FROM group_sets \
                 UNION SELECT SUBSTR(scope, 5) FROM moderation_rules WHERE scope LIKE 'set:%' \
                 UNION SELECT SUBSTR(scope, 5) FROM engagement_rules WHERE scope LIKE 'set:%'",
                &[],
            )?;
            let mut names = rows
                .iter()
                .map(|row| row.text(0))
                .collect::<Result<Vec<_>, _>>()?;
            names.sort();
            names.dedup();
            Ok(names)
        })
    }

    /// Puts a group in a set (or takes it out, with `None`).
    pub fn set_group_set(&self, group_id: i64, set: Option<&str>) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            match set {
                Some(name) => conn.execute(
                    "INSERT INTO group_sets (group_id, set_name) VALUES ($1, $2) \
                     ON CONFLICT (group_id) DO UPDATE SET set_name = $2",
                    &[group_id.into(), name.into()],
                )?,
                None => conn.execute(
                    "DELETE FROM group_sets WHERE group_id = $1",
                    &[group_id.into()],
                )?,
            };
            Ok(())
        })
    }

    /// Set names and how many groups each holds.
    pub fn group_sets(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                "SELECT set_name, COUNT(*) FROM group_sets GROUP BY set_name ORDER BY set_name",
                &[],
            )?;
            rows.iter()
                .map(|row| Ok((row.text(0)?, row.int(1)?)))
                .collect()
        })
    }

    /// The groups of a set.
    pub fn groups_in_set(&self, name: &str) -> Result<Vec<i64>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                "SELECT group_id FROM group_sets WHERE set_name = $1 ORDER BY group_id",
                &[name.into()],
            )?;
            rows.iter().map(|row| row.int(0)).collect()
        })
    }

    /// Offences, newest first; of one group when `group_id` is given.
    pub fn offences(
        &self,
        group_id: Option<i64>,
        member_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<OffenceLine>, StoreError> {
        self.offences_before(group_id, member_id, limit, None)
    }

    /// [`Database::offences`] older than `before`, an offence's (time, id): the next page back.
    pub fn offences_before(
        &self,
        group_id: Option<i64>,
        member_id: Option<i64>,
        limit: i64,
        before: Option<(i64, i64)>,
    ) -> Result<Vec<OffenceLine>, StoreError> {
        // Only the conditions asked for, so that each list reads an index newest first and
        // stops after `limit` (an `OR` for "any group" made both databases read every offence and
        // sort them: 240 ms a page at 300,000 offences on SQLite).
        let (before_time, before_id) = before.unwrap_or((i64::MAX, i64::MAX));
        let mut params: Vec<Value> = vec![limit.into(), before_time.into(), before_id.into()];
        let mut conditions = vec!["(o.time, o.id) < ($2, $3)".to_owned()];
        for (column, value) in [("o.group_id", group_id), ("o.member_id", member_id)] {
            if let Some(value) = value {
                params.push(value.into());
                conditions.push(format!("{column} = ${}", params.len()));
            }
        }
        let sql = format!(
            "SELECT o.id, o.member_id, o.group_id, o.event_id, o.time, o.detector, o.reason, \
             o.step, m.name, m.user_id, COALESCE(g.title, g.chat), e.payload, o.message, \
             o.reason_en, o.forgiven_at FROM offences o JOIN members m ON m.id = o.member_id \
             JOIN groups g ON g.id = o.group_id \
             LEFT JOIN events e ON e.id = o.event_id \
             WHERE {} ORDER BY o.time DESC, o.id DESC LIMIT $1",
            conditions.join(" AND ")
        );
        self.with_conn(|conn| {
            let rows = conn.query(&sql, &params)?;
            rows.iter().map(offence_line).collect()
        })
    }

    /// Members on the fleet blacklist, newest first.
    pub fn blacklisted(&self) -> Result<Vec<BlacklistEntry>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                &format!("{BLACKLIST_ENTRY} ORDER BY b.added_at DESC, b.member_id"),
                &[],
            )?;
            rows.iter().map(blacklist_entry).collect()
        })
    }

    /// A member's blacklisting in force, if any.
    pub fn blacklisting(&self, member_id: i64) -> Result<Option<BlacklistEntry>, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(
                &format!("{BLACKLIST_ENTRY} AND b.member_id = $1"),
                &[member_id.into()],
            )?
            .map(|row| blacklist_entry(&row))
            .transpose()
        })
    }

    /// Lifts a member's blacklisting; false when they were not on it.
    pub fn lift_blacklist(
        &self,
        member_id: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            Ok(conn.execute(
                "UPDATE blacklist SET lifted_at = $2, lifted_by = $3 \
                 WHERE member_id = $1 AND lifted_at IS NULL",
                &[member_id.into(), now.timestamp_millis().into(), by.into()],
            )? > 0)
        })
    }

    /// Records a message an operator marked as an ad (or as not one).
    /// Marks the offences a message brought as a mistake (`forgiven`), so that they no longer
    /// count on their member's ladder, or counts them again; how many changed.
    pub fn forgive_offences(
        &self,
        event_id: i64,
        forgiven: bool,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.with_conn(|conn| {
            if forgiven {
                conn.execute(
                    "UPDATE offences SET forgiven_at = $2, forgiven_by = $3 \
                     WHERE event_id = $1 AND forgiven_at IS NULL",
                    &[event_id.into(), now.timestamp_millis().into(), by.into()],
                )
            } else {
                conn.execute(
                    "UPDATE offences SET forgiven_at = NULL, forgiven_by = NULL \
                     WHERE event_id = $1 AND forgiven_at IS NOT NULL",
                    &[event_id.into()],
                )
            }
        })
    }

    pub fn add_ad_sample(
        &self,
        text: &str,
        is_ad: bool,
        event_id: Option<i64>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            // One sample per message: a second mark replaces the first.
            conn.execute(
                "INSERT INTO ad_samples (text, is_ad, event_id, added_by, added_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO UPDATE \
                 SET is_ad = $2, added_by = $4, added_at = $5",
                &[
                    text.into(),
                    i64::from(is_ad).into(),
                    event_id.into(),
                    by.into(),
                    now.timestamp_millis().into(),
                ],
            )?;
            Ok(())
        })
    }

    /// Every sample operators marked, oldest first.
    pub fn ad_samples(&self) -> Result<Vec<(String, bool)>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query("SELECT text, is_ad FROM ad_samples ORDER BY id", &[])?;
            rows.iter()
                .map(|row| Ok((row.text(0)?, row.int(1)? != 0)))
                .collect()
        })
    }

    /// A message's text as it was judged (or an edit's new text) and group, by its event id.
    pub fn message_text(&self, event_id: i64) -> Result<Option<(String, i64)>, StoreError> {
        self.with_conn(|conn| {
            let Some(row) = conn.query_opt(
                "SELECT payload, group_id FROM events WHERE id = $1 \
                 AND kind IN ('message', 'message_edited')",
                &[event_id.into()],
            )?
            else {
                return Ok(None);
            };
            let group = row.int(1)?;
            Ok(written_text(&row.text(0)?).map(|text| (text, group)))
        })
    }

    /// Stored events after `after_id` with times in `[from, to)`, in the order they were
    /// recorded: what a backtest replays.
    pub fn replay_events(
        &self,
        after_id: i64,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<ReplayedEvent>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                "SELECT id, group_id, member_id, time, payload FROM events \
                 WHERE id > $1 AND time >= $2 AND time < $3 ORDER BY id LIMIT $4",
                &[after_id.into(), from.into(), to.into(), limit.into()],
            )?;
            rows.iter().map(replayed).collect()
        })
    }

    /// The last event id (the end of a backtest's replay), 0 when empty.
    pub fn last_event_id(&self) -> Result<i64, StoreError> {
        self.with_conn(|conn| conn.query_int("SELECT COALESCE(MAX(id), 0) FROM events", &[]))
    }

    /// Every group with its platform, chat and the bot account that last spoke for it.
    pub fn groups_with_accounts(&self) -> Result<Vec<ActiveGroup>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                &format!("{GROUP_WITH_ACCOUNT} FROM groups g ORDER BY g.id"),
                &[],
            )?;
            rows.iter().map(active_group).collect()
        })
    }

    /// One group with the bot account that last spoke for it.
    pub fn group_with_account(&self, group_id: i64) -> Result<Option<ActiveGroup>, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(
                &format!("{GROUP_WITH_ACCOUNT} FROM groups g WHERE g.id = $1"),
                &[group_id.into()],
            )?
            .map(|row| active_group(&row))
            .transpose()
        })
    }

    /// Whether the bot `account` is in the group as far as its events tell: false once its
    /// own membership was recorded as left or kicked (OneBot's `kick_me`, Telegram's
    /// `my_chat_member`), true again when it joins; true when nothing was recorded.
    pub fn bot_in_group(
        &self,
        group_id: i64,
        platform: &str,
        account: &str,
    ) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            let status = conn
                .query_opt(
                    "SELECT s.status FROM memberships s JOIN members m ON m.id = s.member_id \
                     WHERE s.group_id = $1 AND m.platform = $2 AND m.user_id = $3",
                    &[group_id.into(), platform.into(), account.into()],
                )?
                .map(|row| row.text(0))
                .transpose()?;
            Ok(!departed(status.as_deref()))
        })
    }

    /// Whether the bot that last spoke for the group has left it or was removed
    /// ([`Database::bot_in_group`]), for the console; false for a group no bot spoke for.
    /// One query: the console asks it for every group of a page.
    pub fn bot_removed(&self, group_id: i64) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            let status = conn
                .query_opt(
                    concat!(
                        "SELECT s.status FROM groups g \
                         JOIN members b ON b.platform = g.platform \
                         JOIN memberships s ON s.member_id = b.id AND s.group_id = g.id \
                         WHERE g.id = $1 AND b.user_id = ",
                        last_account!()
                    ),
                    &[group_id.into()],
                )?
                .map(|row| row.text(0))
                .transpose()?;
            Ok(departed(status.as_deref()))
        })
    }

    /// Whether night mode last muted the group.
    pub fn night_muted(&self, group_id: i64) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            Ok(conn
                .query_opt(
                    "SELECT muted FROM night_state WHERE group_id = $1",
                    &[group_id.into()],
                )?
                .map(|row| row.int(0))
                .transpose()?
                == Some(1))
        })
    }
}

impl Database {
    /// Night mode's switch: records that the group is now muted (or not) and queues the
    /// mute-all action, in one transaction; false (and nothing queued) when the group already was.
    pub fn night_switch(
        &self,
        group_id: i64,
        muted: bool,
        request: &steward_domain::ActionRequest,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            conn.batch(self.dialect.begin)?;
            let result = (|| {
                let changed = conn.query_opt(
                    "INSERT INTO night_state (group_id, muted, changed_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (group_id) DO UPDATE SET muted = $2, changed_at = $3 \
                     WHERE night_state.muted <> $2 RETURNING group_id",
                    &[
                        group_id.into(),
                        i64::from(muted).into(),
                        now.timestamp_millis().into(),
                    ],
                )?;
                if changed.is_some() {
                    crate::writer::enqueue_on(conn, None, request, now)?;
                }
                Ok(changed.is_some())
            })();
            match result {
                Ok(changed) => {
                    conn.batch("COMMIT")?;
                    Ok(changed)
                }
                Err(err) => {
                    let _ = conn.batch("ROLLBACK");
                    Err(err)
                }
            }
        })
    }
}

fn replayed(row: &Row) -> Result<ReplayedEvent, StoreError> {
    Ok(ReplayedEvent {
        id: row.int(0)?,
        group_id: row.int(1)?,
        member_id: row.opt_int(2)?,
        time: row.int(3)?,
        payload: row.text(4)?,
    })
}

fn rules_record(row: &Row) -> Result<RulesRecord, StoreError> {
    Ok(RulesRecord {
        scope: row.text(0)?,
        rules: row.text(1)?,
        updated_at: row.int(2)?,
        updated_by: row.text(3)?,
    })
}
