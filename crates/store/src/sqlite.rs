//! The embedded SQLite driver: WAL journal, one writer, prepared statements cached per
//! connection.

use std::path::Path;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use crate::sql::{Cell, Conn, Row, Value};
use crate::{Durability, StoreError};

pub(crate) struct SqliteConn {
    connection: Connection,
}

impl SqliteConn {
    pub(crate) fn open(path: &Path, durability: Durability) -> Result<SqliteConn, StoreError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|err| {
                StoreError::Unavailable(format!("cannot create {}: {err}", parent.display()))
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let connection = Connection::open_with_flags(path, flags).map_err(|err| {
            StoreError::Unavailable(format!(
                "cannot open SQLite database {}: {err}",
                path.display()
            ))
        })?;
        connection
            .busy_timeout(Duration::from_secs(10))
            .map_err(|err| StoreError::Unavailable(err.to_string()))?;
        connection.set_prepared_statement_cache_capacity(64);
        let synchronous = match durability {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        };
        let mut conn = SqliteConn { connection };
        conn.batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
             PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32000;"
        ))
        .map_err(|err| {
            StoreError::Unavailable(format!(
                "{} is not a usable SQLite database: {err}",
                path.display()
            ))
        })?;
        Ok(conn)
    }
}

/// `$1` → `?1`: SQLite reads `$1` as a named parameter, so positional binding would depend on the
/// order placeholders first appear in.
fn rewrite_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

struct Param<'a>(Value<'a>);

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Int(Some(value)) => ToSqlOutput::Borrowed(ValueRef::Integer(value)),
            Value::Text(Some(text)) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Value::Int(None) | Value::Text(None) => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

fn error(err: rusqlite::Error) -> StoreError {
    let transient = matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    StoreError::Database {
        message: err.to_string(),
        transient,
    }
}

impl Conn for SqliteConn {
    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> Result<u64, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached(&rewrite_placeholders(sql))
            .map_err(error)?;
        let params: Vec<Param<'_>> = params.iter().copied().map(Param).collect();
        let changed = statement
            .execute(rusqlite::params_from_iter(params.iter()))
            .map_err(error)?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value<'_>]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached(&rewrite_placeholders(sql))
            .map_err(error)?;
        let columns = statement.column_count();
        let params: Vec<Param<'_>> = params.iter().copied().map(Param).collect();
        let mut rows = statement
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(error)? {
            let mut cells = Vec::with_capacity(columns);
            for index in 0..columns {
                let cell = match row.get_ref(index).map_err(error)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(value) => Cell::Int(value),
                    // Sums and averages may come back as reals; Steward stores none.
                    ValueRef::Real(value) => Cell::Int(value as i64),
                    ValueRef::Text(text) | ValueRef::Blob(text) => {
                        Cell::Text(String::from_utf8_lossy(text).into_owned())
                    }
                };
                cells.push(cell);
            }
            out.push(Row(cells));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.connection.execute_batch(sql).map_err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite_placeholders;

    #[test]
    fn placeholders_become_numbered_question_marks() {
        assert_eq!(
            rewrite_placeholders("a = $1 AND b = $12"),
            "a = ?1 AND b = ?12"
        );
        assert_eq!(rewrite_placeholders("price = '$'"), "price = '$'");
    }
}
