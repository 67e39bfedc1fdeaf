//! The console's operators: names, roles and password hashes. Hashing and checking passwords is
//! the web layer's job; the store keeps the PHC string it is given.

use chrono::{DateTime, Utc};
use steward_domain::OperatorRole;

use crate::sql::Row;
use crate::{Database, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    pub role: OperatorRole,
    /// `zh` or `en`; `None` follows the browser.
    pub language: Option<String>,
    pub created_at: i64,
    pub disabled: bool,
}

const COLUMNS: &str = "id, name, password_hash, role, language, created_at, disabled_at";

fn operator(row: &Row) -> Result<Operator, StoreError> {
    Ok(Operator {
        id: row.int(0)?,
        name: row.text(1)?,
        password_hash: row.text(2)?,
        role: row
            .text(3)?
            .parse()
            .map_err(|err| StoreError::Corrupt(format!("operator role: {err}")))?,
        language: row.opt_text(4)?,
        created_at: row.int(5)?,
        disabled: row.opt_int(6)?.is_some(),
    })
}

impl Database {
    /// Adds an operator; a name already taken is a [`StoreError::Conflict`].
    pub fn create_operator(
        &self,
        name: &str,
        password_hash: &str,
        role: OperatorRole,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(
                "INSERT INTO operators (name, password_hash, role, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING id",
                &[
                    name.into(),
                    password_hash.into(),
                    role.as_str().into(),
                    now.timestamp_millis().into(),
                ],
            )?
            .map(|row| row.int(0))
            .transpose()?
            .ok_or_else(|| {
                StoreError::Conflict(format!("an operator named `{name}` exists already"))
            })
        })
    }

    pub fn operator_by_name(&self, name: &str) -> Result<Option<Operator>, StoreError> {
        self.with_conn(|conn| {
            let sql = format!("SELECT {COLUMNS} FROM operators WHERE name = $1");
            conn.query_opt(&sql, &[name.into()])?
                .as_ref()
                .map(operator)
                .transpose()
        })
    }

    /// All operators, by name.
    pub fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        self.with_conn(|conn| {
            let sql = format!("SELECT {COLUMNS} FROM operators ORDER BY name");
            conn.query(&sql, &[])?.iter().map(operator).collect()
        })
    }

    /// Replaces an operator's password hash and ends their sessions (a reset is how a stolen
    /// account is taken back); `false` when there is no such operator.
    pub fn set_operator_password(
        &self,
        name: &str,
        password_hash: &str,
    ) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            let changed = conn.execute(
                "UPDATE operators SET password_hash = $2 WHERE name = $1",
                &[name.into(), password_hash.into()],
            )?;
            conn.execute(
                "DELETE FROM sessions WHERE operator_id IN (SELECT id FROM operators WHERE name = $1)",
                &[name.into()],
            )?;
            Ok(changed == 1)
        })
    }
}

/// A group as the console's overview lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSummary {
    pub id: i64,
    pub platform: String,
    pub chat: String,
    pub title: Option<String>,
    pub member_count: i64,
    pub message_count: i64,
    pub last_event_at: i64,
}

impl Database {
    /// Opens a session for an operator; expired sessions are cleared on the way.
    pub fn create_session(
        &self,
        token_hash: &str,
        operator_id: i64,
        csrf: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = now.timestamp_millis();
        self.with_conn(|conn| {
            conn.execute("DELETE FROM sessions WHERE expires_at <= $1", &[now.into()])?;
            conn.execute(
                "INSERT INTO sessions (token_hash, operator_id, csrf, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    token_hash.into(),
                    operator_id.into(),
                    csrf.into(),
                    now.into(),
                    expires_at.timestamp_millis().into(),
                ],
            )?;
            Ok(())
        })
    }

    /// The operator and CSRF token of a live session of an operator who is not disabled.
    pub fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Operator, String)>, StoreError> {
        self.with_conn(|conn| {
            let sql = format!(
                "SELECT o.{}, s.csrf FROM sessions s JOIN operators o ON o.id = s.operator_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND o.disabled_at IS NULL",
                COLUMNS.replace(", ", ", o.")
            );
            match conn.query_opt(&sql, &[token_hash.into(), now.timestamp_millis().into()])? {
                Some(row) => Ok(Some((operator(&row)?, row.text(7)?))),
                None => Ok(None),
            }
        })
    }

    /// Stores an API token's hash for an operator.
    pub fn create_api_token(
        &self,
        token_hash: &str,
        operator_id: i64,
        label: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            conn.execute(
                "INSERT INTO api_tokens (token_hash, operator_id, label, created_at) VALUES ($1, $2, $3, $4)",
                &[token_hash.into(), operator_id.into(), label.into(), now.timestamp_millis().into()],
            )?;
            Ok(())
        })
    }

    /// The operator an API token belongs to, unless they are disabled.
    pub fn api_token_operator(&self, token_hash: &str) -> Result<Option<Operator>, StoreError> {
        self.with_conn(|conn| {
            let sql = format!(
                "SELECT o.{} FROM api_tokens t JOIN operators o ON o.id = t.operator_id \
                 WHERE t.token_hash = $1 AND o.disabled_at IS NULL",
                COLUMNS.replace(", ", ", o.")
            );
            conn.query_opt(&sql, &[token_hash.into()])?
                .as_ref()
                .map(operator)
                .transpose()
        })
    }

    /// The language an operator reads the console in: `zh`, `en`, or `None` to follow the browser.
    pub fn set_operator_language(
        &self,
        operator_id: i64,
        language: Option<&str>,
    ) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            conn.execute(
                "UPDATE operators SET language = $2 WHERE id = $1",
                &[operator_id.into(), language.into()],
            )?;
            Ok(())
        })
    }

    /// Puts a group in an operator's care (`true`) or takes it out (`false`).
    pub fn set_operator_group(
        &self,
        operator_id: i64,
        group_id: i64,
        assigned: bool,
    ) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            if assigned {
                conn.execute(
                    "INSERT INTO operator_groups (operator_id, group_id) VALUES ($1, $2) \
                     ON CONFLICT (operator_id, group_id) DO NOTHING",
                    &[operator_id.into(), group_id.into()],
                )?;
            } else {
                conn.execute(
                    "DELETE FROM operator_groups WHERE operator_id = $1 AND group_id = $2",
                    &[operator_id.into(), group_id.into()],
                )?;
            }
            Ok(())
        })
    }

    /// The operators (by name) who look after a group.
    pub fn group_operators(&self, group_id: i64) -> Result<Vec<Operator>, StoreError> {
        self.with_conn(|conn| {
            let sql = format!(
                "SELECT o.{} FROM operator_groups a JOIN operators o ON o.id = a.operator_id \
                 WHERE a.group_id = $1 ORDER BY o.name",
                COLUMNS.replace(", ", ", o.")
            );
            conn.query(&sql, &[group_id.into()])?
                .iter()
                .map(operator)
                .collect()
        })
    }

    /// Whether an operator may act on a group: owners everywhere, operators where assigned,
    /// viewers nowhere.
    pub fn may_act_on(&self, operator: &Operator, group_id: i64) -> Result<bool, StoreError> {
        match operator.role {
            OperatorRole::Owner => Ok(true),
            OperatorRole::Viewer => Ok(false),
            OperatorRole::Operator => self.with_conn(|conn| {
                Ok(conn
                    .query_opt(
                        "SELECT 1 FROM operator_groups WHERE operator_id = $1 AND group_id = $2",
                        &[operator.id.into(), group_id.into()],
                    )?
                    .is_some())
            }),
        }
    }

    /// Revokes every API token of an operator; returns how many there were.
    pub fn revoke_api_tokens(&self, operator_id: i64) -> Result<u64, StoreError> {
        self.with_conn(|conn| {
            conn.execute(
                "DELETE FROM api_tokens WHERE operator_id = $1",
                &[operator_id.into()],
            )
        })
    }

    pub fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            conn.execute(
                "DELETE FROM sessions WHERE token_hash = $1",
                &[token_hash.into()],
            )?;
            Ok(())
        })
    }

    /// Names a group as its platform shows it (events carry no group names); `false` when the
    /// group is not known yet.
    pub fn set_group_title(
        &self,
        platform: &str,
        chat: &str,
        title: &str,
    ) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            let changed = conn.execute(
                "UPDATE groups SET title = $3 WHERE platform = $1 AND chat = $2",
                &[platform.into(), chat.into(), title.into()],
            )?;
            Ok(changed == 1)
        })
    }

    /// A group's id by its platform and chat.
    pub fn group_id(&self, platform: &str, chat: &str) -> Result<Option<i64>, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(
                "SELECT id FROM groups WHERE platform = $1 AND chat = $2",
                &[platform.into(), chat.into()],
            )?
            .map(|row| row.int(0))
            .transpose()
        })
    }

    /// A member's display name by platform and platform id.
    pub fn member_name(&self, platform: &str, user_id: &str) -> Result<Option<String>, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(
                "SELECT name FROM members WHERE platform = $1 AND user_id = $2",
                &[platform.into(), user_id.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
        })
    }

    /// One page of groups, most recently active first, and the number of groups in all.
    pub fn groups_page(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<GroupSummary>, i64), StoreError> {
        self.with_conn(|conn| {
            let total = conn.query_int("SELECT COUNT(*) FROM groups", &[])?;
            let rows = conn.query(
                "SELECT id, platform, chat, title, member_count, message_count, last_event_at \
                 FROM groups ORDER BY last_event_at DESC, id LIMIT $1 OFFSET $2",
                &[limit.into(), offset.into()],
            )?;
            let groups = rows
                .iter()
                .map(crate::console::summary)
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok((groups, total))
        })
    }
}
