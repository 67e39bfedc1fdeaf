//! Reads for the console's pages: one group's recent messages, its members, the bot's actions.
//! Every list is one page, found through an index; nothing reads a whole table.

use crate::operators::GroupSummary;
use crate::sql::Row;
use crate::{Database, StoreError};

/// A message as the group page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageLine {
    pub event_id: i64,
    pub time: i64,
    pub member_id: i64,
    pub member_name: String,
    pub nickname: Option<String>,
    pub text: String,
    pub recalled: bool,
    /// Changed by its author since it was sent.
    pub edited: bool,
}

/// A member of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    pub member_id: i64,
    pub user_id: String,
    pub name: String,
    pub nickname: Option<String>,
    pub role: String,
    pub status: String,
    pub message_count: i64,
    pub joined_at: Option<i64>,
    pub last_message_at: Option<i64>,
}

/// Escapes `%`, `_` and `\` so that a search finds the text as typed.
fn like_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A row of the message queries below: event id, time, member id, name, nickname, text, recalled.
fn message_line(row: &Row) -> Result<MessageLine, StoreError> {
    Ok(MessageLine {
        event_id: row.int(0)?,
        time: row.int(1)?,
        member_id: row.int(2)?,
        member_name: row.text(3)?,
        nickname: row.opt_text(4)?,
        text: row.text(5)?,
        recalled: row.opt_int(6)?.is_some(),
        edited: row.opt_int(7)?.is_some(),
    })
}

pub(crate) fn summary(row: &Row) -> Result<GroupSummary, StoreError> {
    Ok(GroupSummary {
        id: row.int(0)?,
        platform: row.text(1)?,
        chat: row.text(2)?,
        title: row.opt_text(3)?,
        member_count: row.int(4)?,
        message_count: row.int(5)?,
        last_event_at: row.int(6)?,
    })
}

/// A member as the member page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub id: i64,
    pub platform: String,
    pub user_id: String,
    pub person_id: i64,
    pub name: String,
    pub is_bot: bool,
    pub first_seen_at: i64,
}

/// One of a member's groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipLine {
    pub group_id: i64,
    pub group: String,
    pub nickname: Option<String>,
    pub role: String,
    pub status: String,
    pub message_count: i64,
    pub joined_at: Option<i64>,
    pub left_at: Option<i64>,
    pub last_message_at: Option<i64>,
}

/// A message in a member's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineLine {
    pub event_id: i64,
    pub time: i64,
    pub group_id: i64,
    pub group: String,
    pub text: String,
    pub recalled: bool,
    /// Changed by its author since it was sent.
    pub edited: bool,
}

/// How busy a group is now, for the overview.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupActivity {
    pub messages_today: i64,
    /// Members who wrote today.
    pub writers_today: i64,
    /// Messages in the last 24 hours.
    pub last_day: i64,
    /// Messages in the 24 hours before those.
    pub day_before: i64,
}

/// One line of the operators' audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub time: i64,
    /// Who: an operator's name.
    pub actor: String,
    /// What: `sign_in`, `sign_out`, `operator_created`, `password_changed`, ...
    pub action: String,
    /// To what or whom, when it applies.
    pub target: Option<String>,
    /// Why, or the details.
    pub detail: Option<String>,
}

/// A page of a list ordered by id, newest first: `before` is the last id of the previous page.
fn before_id(before: Option<i64>) -> i64 {
    before.unwrap_or(i64::MAX)
}

impl Database {
    /// Records what an operator did.
    pub fn record_audit(
        &self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            conn.execute(
                "INSERT INTO audit_log (time, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
                &[now.timestamp_millis().into(), actor.into(), action.into(), target.into(), detail.into()],
            )?;
            Ok(())
        })
    }

    /// Operators' actions, newest first.
    pub fn audit_page(
        &self,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.with_conn(|conn| {
            conn.query(
                "SELECT id, time, actor, action, target, detail FROM audit_log \
                 WHERE id < $1 ORDER BY id DESC LIMIT $2",
                &[before_id(before).into(), limit.into()],
            )?
            .iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.int(0)?,
                    time: row.int(1)?,
                    actor: row.text(2)?,
                    action: row.text(3)?,
                    target: row.opt_text(4)?,
                    detail: row.opt_text(5)?,
                })
            })
            .collect()
        })
    }

    pub fn member(&self, id: i64) -> Result<Option<MemberRecord>, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(
                "SELECT id, platform, user_id, person_id, name, is_bot, first_seen_at \
                 FROM members WHERE id = $1",
                &[id.into()],
            )?
            .map(|row| {
                Ok(MemberRecord {
                    id: row.int(0)?,
                    platform: row.text(1)?,
                    user_id: row.text(2)?,
                    person_id: row.int(3)?,
                    name: row.text(4)?,
                    is_bot: row.int(5)? != 0,
                    first_seen_at: row.int(6)?,
                })
            })
            .transpose()
        })
    }

    /// The groups a member is or was in; a member is in a handful, so all of them.
    pub fn memberships_of(&self, member_id: i64) -> Result<Vec<MembershipLine>, StoreError> {
        self.with_conn(|conn| {
            conn.query(
                "SELECT s.group_id, COALESCE(g.title, g.chat), s.nickname, s.role, s.status, \
                 s.message_count, s.joined_at, s.left_at, s.last_message_at \
                 FROM memberships s JOIN groups g ON g.id = s.group_id \
                 WHERE s.member_id = $1 ORDER BY s.message_count DESC, s.group_id LIMIT 500",
                &[member_id.into()],
            )?
            .iter()
            .map(|row| {
                Ok(MembershipLine {
                    group_id: row.int(0)?,
                    group: row.text(1)?,
                    nickname: row.opt_text(2)?,
                    role: row.text(3)?,
                    status: row.text(4)?,
                    message_count: row.int(5)?,
                    joined_at: row.opt_int(6)?,
                    left_at: row.opt_int(7)?,
                    last_message_at: row.opt_int(8)?,
                })
            })
            .collect()
        })
    }

    /// A member's messages in all groups, newest first, paged like [`Database::recent_messages`].
    pub fn member_timeline(
        &self,
        member_id: i64,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<TimelineLine>, StoreError> {
        let (time, event_id) = before.unwrap_or((i64::MAX, i64::MAX));
        self.with_conn(|conn| {
            conn.query(
                "SELECT m.event_id, m.time, m.group_id, COALESCE(g.title, g.chat), m.text, m.recalled_at, m.edited_at \
                 FROM messages m JOIN groups g ON g.id = m.group_id \
                 WHERE m.member_id = $1 AND (m.time < $2 OR (m.time = $2 AND m.event_id < $3)) \
                 ORDER BY m.time DESC, m.event_id DESC LIMIT $4",
                &[member_id.into(), time.into(), event_id.into(), limit.into()],
            )?
            .iter()
            .map(|row| {
                Ok(TimelineLine {
                    event_id: row.int(0)?,
                    time: row.int(1)?,
                    group_id: row.int(2)?,
                    group: row.text(3)?,
                    text: row.text(4)?,
                    recalled: row.opt_int(5)?.is_some(),
                    edited: row.opt_int(6)?.is_some(),
                })
            })
            .collect()
        })
    }

    pub fn group(&self, id: i64) -> Result<Option<GroupSummary>, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(
                "SELECT id, platform, chat, title, member_count, message_count, last_event_at \
                 FROM groups WHERE id = $1",
                &[id.into()],
            )?
            .as_ref()
            .map(summary)
            .transpose()
        })
    }

    /// The newest messages of a group, newest first; `before` (a time and an event id from the
    /// last line of the previous page) pages back through history along the index.
    pub fn recent_messages(
        &self,
        group_id: i64,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<MessageLine>, StoreError> {
        let (time, event_id) = before.unwrap_or((i64::MAX, i64::MAX));
        self.with_conn(|conn| {
            conn.query(
                "SELECT m.event_id, m.time, m.member_id, p.name, s.nickname, m.text, m.recalled_at, m.edited_at \
                 FROM messages m JOIN members p ON p.id = m.member_id \
                 LEFT JOIN memberships s ON s.group_id = m.group_id AND s.member_id = m.member_id \
                 WHERE m.group_id = $1 AND (m.time < $2 OR (m.time = $2 AND m.event_id < $3)) \
                 ORDER BY m.time DESC, m.event_id DESC LIMIT $4",
                &[group_id.into(), time.into(), event_id.into(), limit.into()],
            )?
            .iter()
            .map(message_line)
            .collect()
        })
    }

    /// A group's messages after the message `after` (an event id), oldest first: what a live view
    /// has not shown yet. Reads along the primary key from the cursor on.
    pub fn messages_after(
        &self,
        group_id: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<MessageLine>, StoreError> {
        self.with_conn(|conn| {
            conn.query(
                "SELECT m.event_id, m.time, m.member_id, p.name, s.nickname, m.text, m.recalled_at, m.edited_at \
                 FROM messages m JOIN members p ON p.id = m.member_id \
                 LEFT JOIN memberships s ON s.group_id = m.group_id AND s.member_id = m.member_id \
                 WHERE m.event_id > $1 AND m.group_id = $2 ORDER BY m.event_id LIMIT $3",
                &[after.into(), group_id.into(), limit.into()],
            )?
            .iter()
            .map(message_line)
            .collect()
        })
    }

    /// A group's activity for the overview: messages and distinct writers since `today` (both in
    /// milliseconds), and messages in the 24 hours before `now` and in the 24 hours before that.
    /// Counted along the (group_id, time) index.
    pub fn group_activity(
        &self,
        group_id: i64,
        today: i64,
        now: i64,
    ) -> Result<GroupActivity, StoreError> {
        const DAY: i64 = 24 * 60 * 60 * 1000;
        // One pass over the group's last two days (and today): the overview asks for each of
        // up to 50 groups a page.
        self.with_conn(|conn| {
            let row = conn
                .query_opt(
                    "SELECT COUNT(CASE WHEN time >= $2 THEN 1 END), \
                     COUNT(DISTINCT CASE WHEN time >= $2 THEN member_id END), \
                     COUNT(CASE WHEN time >= $3 AND time < $4 THEN 1 END), \
                     COUNT(CASE WHEN time >= $5 AND time < $3 THEN 1 END) \
                     FROM messages WHERE group_id = $1 AND time >= $6",
                    &[
                        group_id.into(),
                        today.into(),
                        (now - DAY).into(),
                        now.into(),
                        (now - 2 * DAY).into(),
                        today.min(now - 2 * DAY).into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Corrupt("no row from a count".into()))?;
            Ok(GroupActivity {
                messages_today: row.int(0)?,
                writers_today: row.int(1)?,
                last_day: row.int(2)?,
                day_before: row.int(3)?,
            })
        })
    }

    /// One page of a group's members, present ones first, the most talkative first, optionally
    /// only those whose name, nickname or id contains `search`; and how many match in all.
    pub fn group_members(
        &self,
        group_id: i64,
        search: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<GroupMember>, i64), StoreError> {
        let pattern = like_pattern(search.unwrap_or_default());
        const MATCHES: &str = "FROM memberships s JOIN members p ON p.id = s.member_id \
             WHERE s.group_id = $1 AND (LOWER(p.name) LIKE $2 ESCAPE '\\' \
             OR LOWER(COALESCE(s.nickname, '')) LIKE $2 ESCAPE '\\' OR LOWER(p.user_id) LIKE $2 ESCAPE '\\')";
        self.with_conn(|conn| {
            let total = conn.query_int(
                &format!("SELECT COUNT(*) {MATCHES}"),
                &[group_id.into(), pattern.as_str().into()],
            )?;
            let members = conn
                .query(
                    &format!(
                        "SELECT p.id, p.user_id, p.name, s.nickname, s.role, s.status, \
                         s.message_count, s.joined_at, s.last_message_at {MATCHES} \
                         ORDER BY CASE WHEN s.status = 'active' THEN 0 ELSE 1 END, \
                         s.message_count DESC, p.id LIMIT $3 OFFSET $4"
                    ),
                    &[
                        group_id.into(),
                        pattern.as_str().into(),
                        limit.into(),
                        offset.into(),
                    ],
                )?
                .iter()
                .map(|row| {
                    Ok(GroupMember {
                        member_id: row.int(0)?,
                        user_id: row.text(1)?,
                        name: row.text(2)?,
                        nickname: row.opt_text(3)?,
                        role: row.text(4)?,
                        status: row.text(5)?,
                        message_count: row.int(6)?,
                        joined_at: row.opt_int(7)?,
                        last_message_at: row.opt_int(8)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok((members, total))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn a_search_matches_its_text_literally() {
        assert_eq!(like_pattern("Lin"), "%lin%");
        assert_eq!(like_pattern("100%_\\"), "%100\\%\\_\\\\%");
    }
}
