//! The PostgreSQL driver, for several Steward instances sharing one deployment. Blocking client
//! (the `postgres` crate) because the store runs on the pipeline's writer threads and on
//! `spawn_blocking`, never on the async runtime's own threads.

use std::collections::HashMap;

use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls, Statement};

use crate::StoreError;
use crate::sql::{Cell, Conn, Row, Value};

pub(crate) struct PostgresConn {
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

impl Drop for PostgresConn {
    /// The blocking client closes its connection by blocking on a runtime of its own, which
    /// panics on a thread that drives an async runtime. A `Database` may well be dropped there
    /// (at the end of an async `main`), so the client is closed on a thread of its own.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = std::thread::Builder::new()
                .name("steward-pg-close".into())
                .spawn(move || drop(client));
        }
    }
}

impl PostgresConn {
    pub(crate) fn connect(url: &str) -> Result<PostgresConn, StoreError> {
        let client = Client::connect(url, NoTls).map_err(|err| {
            StoreError::Unavailable(format!(
                "cannot connect to PostgreSQL at {}: {err}",
                redact(url)
            ))
        })?;
        Ok(PostgresConn {
            client: Some(client),
            statements: HashMap::new(),
        })
    }

    fn client(&mut self) -> Result<&mut Client, StoreError> {
        self.client.as_mut().ok_or_else(|| StoreError::Database {
            message: "connection closed".into(),
            transient: true,
        })
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client()?.prepare(sql).map_err(error)?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// Hides the password in a connection URL before it goes into an error message.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn error(err: postgres::Error) -> StoreError {
    let transient = err
        .code()
        .is_some_and(|code| matches!(code.code(), "40001" | "40P01" | "55P03"))
        || err.is_closed();
    let message = match err.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => err.to_string(),
    };
    StoreError::Database { message, transient }
}

fn bind<'a>(params: &'a [Value<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| -> &(dyn ToSql + Sync) {
            match param {
                Value::Int(value) => value,
                Value::Text(value) => value,
            }
        })
        .collect()
}

impl Conn for PostgresConn {
    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        self.client()?
            .execute(&statement, &bind(params))
            .map_err(error)
    }

    fn query(&mut self, sql: &str, params: &[Value<'_>]) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql)?;
        let rows = self
            .client()?
            .query(&statement, &bind(params))
            .map_err(error)?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|index| {
                        let type_ = row.columns()[index].type_();
                        let cell = if *type_ == Type::INT8 {
                            row.try_get::<_, Option<i64>>(index)
                                .map(|v| v.map_or(Cell::Null, Cell::Int))
                        } else if *type_ == Type::INT4 {
                            row.try_get::<_, Option<i32>>(index)
                                .map(|v| v.map_or(Cell::Null, |v| Cell::Int(i64::from(v))))
                        } else {
                            row.try_get::<_, Option<String>>(index)
                                .map(|v| v.map_or(Cell::Null, Cell::Text))
                        };
                        cell.map_err(error)
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client()?.batch_execute(sql).map_err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact("postgres://steward:s3cret@db:5432/x"),
            "postgres://steward:***@db:5432/x"
        );
        assert_eq!(redact("postgres://db/x"), "postgres://db/x");
    }
}
