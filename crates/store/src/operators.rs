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

    /// Replaces an operator's password hash; `false` when there is no such operator.
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
            Ok(changed == 1)
        })
    }
}
