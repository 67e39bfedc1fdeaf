//! Where Steward keeps everything: one [`Database`] with two backends, embedded SQLite (the
//! default, one file, WAL) and PostgreSQL (several instances sharing one deployment).
//!
//! The store's statements are written once, in SQL both databases accept; a driver per backend
//! runs them and the migrations differ only in column types. The pipeline writes through a
//! [`Writer`] (one connection, one thread, explicit transactions); everything else reads and
//! updates through `Database`'s methods, which borrow a pooled connection.

mod console;
pub mod engagement;
mod migrate;
pub mod moderation;
mod operators;
pub mod outbox;
pub mod points;
mod postgres;
mod read;
mod sql;
mod sqlite;
pub mod testing;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use console::{
    AuditEntry, GroupActivity, GroupMember, MemberRecord, MembershipLine, MessageLine, TimelineLine,
};
pub use moderation::{
    ActiveGroup, BlacklistEntry, Offence, OffenceLine, Reason, ReplayedEvent, RulesRecord,
};
pub use operators::{GroupSummary, Operator};
pub use outbox::{ActionOutcome, OutboxEntry, OutboxStatus};
pub use read::{Counts, TableDump};
pub use sql::{Cell, Row};
pub use writer::{PreparedEvent, Recorded, StoredEvent, Writer};

use crate::sql::Conn;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or opened at all.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A statement failed. `transient` errors (a deadlock, a busy file) may succeed on a retry.
    #[error("database error: {message}")]
    Database { message: String, transient: bool },
    #[error("database URL `{0}` is not supported: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The row would break a uniqueness rule (an operator name taken, say).
    #[error("{0}")]
    Conflict(String),
    #[error("migration: {0}")]
    Migration(String),
    /// Stored data that does not read back as Steward wrote it.
    #[error("stored data is not as expected: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            StoreError::Database {
                transient: true,
                ..
            }
        )
    }
}

/// How hard a commit tries to reach the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// SQLite `synchronous=NORMAL` in WAL mode: a commit survives the process being killed, but
    /// the last commits before a power loss or OS crash may roll back.
    #[default]
    Normal,
    /// SQLite `synchronous=FULL`: every commit is fsynced; slower, survives power loss.
    Full,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Backend {
    /// `sqlite://steward-data/steward.db`, `sqlite:///var/lib/steward.db`, `sqlite:file.db`,
    /// `postgres://user:pass@host:5432/db` (also `postgresql://`).
    pub fn parse(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"));
        match path {
            Some(path) if !path.is_empty() => Ok(Backend::Sqlite(PathBuf::from(
                path.split('?').next().unwrap_or(path),
            ))),
            _ => Err(StoreError::UnsupportedUrl(url.to_owned())),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// The URL without a password, for logs.
    pub fn describe(&self) -> String {
        match self {
            Backend::Sqlite(path) => format!("sqlite://{}", path.display()),
            Backend::Postgres(url) => postgres::redact(url),
        }
    }
}

/// Statements that differ between the backends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialect {
    /// Starts the writer's transaction. SQLite takes the write lock at once, so that a second
    /// process waits for it instead of failing halfway through.
    pub begin: &'static str,
    /// Appended to a claim's inner SELECT so that several instances never claim one row twice.
    pub skip_locked: &'static str,
}

const SQLITE: Dialect = Dialect {
    begin: "BEGIN IMMEDIATE",
    skip_locked: "",
};
const POSTGRES: Dialect = Dialect {
    begin: "BEGIN",
    skip_locked: " FOR UPDATE SKIP LOCKED",
};

pub struct Database {
    backend: Backend,
    durability: Durability,
    dialect: Dialect,
    pool: Mutex<Vec<Box<dyn Conn>>>,
    _checkpointer: Option<sqlite::Checkpointer>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend.describe())
            .finish()
    }
}

/// Connections kept for reuse by readers; more may be open at once, the rest are closed.
const POOL_SIZE: usize = 8;

impl Database {
    /// Opens (creating the SQLite file if needed) and applies the migrations this build knows.
    pub fn open(url: &str, durability: Durability) -> Result<Database, StoreError> {
        let backend = Backend::parse(url)?;
        let dialect = match backend {
            Backend::Sqlite(_) => SQLITE,
            Backend::Postgres(_) => POSTGRES,
        };
        let mut database = Database {
            backend,
            durability,
            dialect,
            pool: Mutex::new(Vec::new()),
            _checkpointer: None,
        };
        let mut conn = database.connect()?;
        migrate::run(conn.as_mut(), &database.backend)?;
        database.give_back(conn);
        if let Backend::Sqlite(path) = &database.backend {
            database._checkpointer = Some(sqlite::Checkpointer::start(path, durability)?);
        }
        Ok(database)
    }

    pub fn open_sqlite(path: &Path) -> Result<Database, StoreError> {
        Database::open(&format!("sqlite://{}", path.display()), Durability::Normal)
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// How many writer threads may write at once: SQLite has one writer.
    pub fn max_writers(&self) -> usize {
        match self.backend {
            Backend::Sqlite(_) => 1,
            Backend::Postgres(_) => 16,
        }
    }

    /// A connection of its own for one writer thread.
    pub fn writer(&self) -> Result<Writer, StoreError> {
        let identity = match self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(_) => Some(self.connect()?),
        };
        let checkpoints = self
            ._checkpointer
            .as_ref()
            .map(|checkpointer| Arc::clone(&checkpointer.progress));
        Ok(Writer::new(
            self.connect()?,
            identity,
            checkpoints,
            self.dialect,
        ))
    }

    /// The migrations applied to this database, oldest first, as `(version, name)`.
    pub fn migrations(&self) -> Result<Vec<(i64, String)>, StoreError> {
        self.with_conn(migrate::applied)
    }

    fn connect(&self) -> Result<Box<dyn Conn>, StoreError> {
        Ok(match &self.backend {
            Backend::Sqlite(path) => Box::new(sqlite::SqliteConn::open(path, self.durability)?),
            Backend::Postgres(url) => Box::new(postgres::PostgresConn::connect(url)?),
        })
    }

    fn give_back(&self, conn: Box<dyn Conn>) {
        if let Ok(mut pool) = self.pool.lock()
            && pool.len() < POOL_SIZE
        {
            pool.push(conn);
        }
    }

    /// Runs `work` on a pooled connection. A connection whose work failed is closed, not reused:
    /// it may be inside a broken transaction.
    pub(crate) fn with_conn<T>(
        &self,
        work: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.pool.lock().ok().and_then(|mut pool| pool.pop());
        let mut conn = match pooled {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let result = work(conn.as_mut());
        if result.is_ok() {
            self.give_back(conn);
        }
        result
    }

    /// Runs `work` inside a transaction on a pooled connection.
    pub(crate) fn in_transaction<T>(
        &self,
        work: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let begin = self.dialect.begin;
        self.with_conn(|conn| {
            conn.batch(begin)?;
            match work(conn) {
                Ok(value) => {
                    conn.batch("COMMIT")?;
                    Ok(value)
                }
                Err(err) => {
                    let _ = conn.batch("ROLLBACK");
                    Err(err)
                }
            }
        })
    }
}

/// Milliseconds since the Unix epoch, the one time format in the schema.
pub fn millis(time: chrono::DateTime<chrono::Utc>) -> i64 {
    time.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        let check = |url: &str, expected: Option<Backend>| {
            assert_eq!(Backend::parse(url).ok(), expected, "{url}");
        };
        check(
            "sqlite://steward-data/steward.db",
            Some(Backend::Sqlite("steward-data/steward.db".into())),
        );
        check(
            "sqlite:///var/lib/s.db",
            Some(Backend::Sqlite("/var/lib/s.db".into())),
        );
        check("sqlite:s.db?mode=rwc", Some(Backend::Sqlite("s.db".into())));
        check(
            "postgres://u@h/db",
            Some(Backend::Postgres("postgres://u@h/db".into())),
        );
        check("mysql://u@h/db", None);
        check("sqlite://", None);
    }
}
