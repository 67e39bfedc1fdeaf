//! The little SQL surface the store needs, over either driver: run a statement with parameters,
//! read rows of integers and text. The store's logic is written once against it; only the
//! drivers and the migrations know which database is underneath.

use crate::StoreError;

/// A parameter. Every column in Steward's schema is a 64-bit integer or text, so that the same
/// statements run on SQLite and PostgreSQL; times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Int(Option<i64>),
    Text(Option<&'a str>),
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(value: Option<i64>) -> Self {
        Value::Int(value)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(value: &'a str) -> Self {
        Value::Text(Some(value))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Value::Text(value)
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(value: &'a String) -> Self {
        Value::Text(Some(value.as_str()))
    }
}

/// One value read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => f.write_str("NULL"),
            Cell::Int(value) => write!(f, "{value}"),
            Cell::Text(text) => write!(f, "{text:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub Vec<Cell>);

impl Row {
    pub fn int(&self, index: usize) -> Result<i64, StoreError> {
        match self.0.get(index) {
            Some(Cell::Int(value)) => Ok(*value),
            other => Err(StoreError::Corrupt(format!(
                "column {index}: expected an integer, got {other:?}"
            ))),
        }
    }

    pub fn opt_int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        match self.0.get(index) {
            Some(Cell::Null) => Ok(None),
            _ => self.int(index).map(Some),
        }
    }

    pub fn text(&self, index: usize) -> Result<String, StoreError> {
        match self.0.get(index) {
            Some(Cell::Text(text)) => Ok(text.clone()),
            other => Err(StoreError::Corrupt(format!(
                "column {index}: expected text, got {other:?}"
            ))),
        }
    }

    pub fn opt_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        match self.0.get(index) {
            Some(Cell::Null) => Ok(None),
            _ => self.text(index).map(Some),
        }
    }
}

/// A connection to either database. Statements use PostgreSQL's `$1` placeholders; the SQLite
/// driver rewrites them.
pub(crate) trait Conn: Send {
    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Value<'_>]) -> Result<Vec<Row>, StoreError>;
    /// Runs several statements without parameters (migrations, transaction control).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;

    fn query_opt(&mut self, sql: &str, params: &[Value<'_>]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    fn query_int(&mut self, sql: &str, params: &[Value<'_>]) -> Result<i64, StoreError> {
        match self.query_opt(sql, params)? {
            Some(row) => row.int(0),
            None => Err(StoreError::Corrupt(format!("no row from `{sql}`"))),
        }
    }
}
