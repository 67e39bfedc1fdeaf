//! The embedded SQLite driver: WAL journal, one writer, prepared statements cached per
//! connection.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 512;

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
        // Every statement a connection runs stays prepared: the writer's alone (the pipeline,
        // moderation, engagement) are some fifty and growing with each feature, and the console's
        // connections run more.
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let synchronous = match durability {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        };
        let mut conn = SqliteConn { connection };
        conn.batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
             PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32000; \
             PRAGMA wal_autocheckpoint = 0;"
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

/// Keeps the write-ahead log short without stalling the writer.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold and makes that
/// batch wait while it copies the log and fsyncs (measured here: 50 ms and more under load). A long
/// log is no better: every page the writer misses in its cache is looked up in the log's index,
/// which grows with the log (throughput halved without restarts). So the work is split:
///
/// - this thread runs a PASSIVE checkpoint every `CHECKPOINT_EVERY`: it copies the log into the
///   database file and fsyncs, never blocking the writer. Under a steady load it never *finishes*
///   (the writer keeps appending), and only a finished checkpoint lets the log start again;
/// - once the log is `FINISH_AT_FRAMES` long, right after one of these passes, the writer finishes
///   the job between two batches ([`crate::Writer::after_commit`]): only the frames written since
///   the pass are left to copy, about a millisecond. With `Durability::Normal` it skips the fsync
///   there and wakes this thread, which fsyncs the database file at once; the writer's
///   next transaction starts the log afresh. With `Durability::Full` the writer fsyncs itself.
pub(crate) struct Checkpointer {
    thread: Option<std::thread::JoinHandle<()>>,
    pub(crate) progress: Arc<CheckpointProgress>,
}

/// Shared by the background checkpointer and the writer.
#[derive(Debug, Default)]
pub(crate) struct CheckpointProgress {
    /// Background passes completed.
    pub(crate) passes: AtomicU64,
    /// Frames in the log at the last pass.
    pub(crate) log_frames: AtomicI64,
    /// Whether the writer may finish checkpoints without an fsync of its own (see above).
    pub(crate) finish_without_sync: bool,
    signal: Mutex<Signal>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct Signal {
    stop: bool,
    pass_now: bool,
    /// The writer finished a checkpoint without an fsync: make the database file durable now.
    sync_database: bool,
}

impl CheckpointProgress {
    /// Asks for the database file to be fsynced now, after the writer finished a checkpoint
    /// without doing so.
    pub(crate) fn request_sync(&self) {
        if let Ok(mut signal) = self.signal.lock() {
            signal.pass_now = true;
            signal.sync_database = true;
        }
        self.wake.notify_all();
    }
}

const CHECKPOINT_EVERY: Duration = Duration::from_millis(20);
/// When the last pass found nothing new to copy.
const IDLE_CHECKPOINT_EVERY: Duration = Duration::from_millis(500);
/// The writer finishes a checkpoint once the log holds this many frames (128 MiB of 4 KiB pages).
pub(crate) const FINISH_AT_FRAMES: i64 = 32_768;

/// The database file, opened once per file for the checkpointer's fsync and never closed.
///
/// Closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
/// included: the locks belong to the process and the file, not to the descriptor. A descriptor
/// opened and closed for each fsync took away the shared lock each of the server's connections
/// holds on its database. Another process opening the same database (`steward backtest` or
/// `steward operator` beside a running server) then found no other user when it closed, and
/// deleted the write-ahead log the server was still writing to: the database was corrupt.
fn sync_handle(path: &Path) -> std::io::Result<Arc<File>> {
    static OPEN: OnceLock<Mutex<HashMap<PathBuf, Arc<File>>>> = OnceLock::new();
    // The same file under the same name: a database deleted and created again at a path (as
    // tests do) is a new file, and gets a descriptor of its own.
    let key = std::fs::canonicalize(path)?;
    let mut open = OPEN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(file) = open.get(&key)
        && same_file(file, path)
    {
        return Ok(Arc::clone(file));
    }
    let file = Arc::new(File::open(path)?);
    // The descriptor it replaces stays open: its file may still have connections.
    if let Some(old) = open.insert(key, Arc::clone(&file)) {
        std::mem::forget(old);
    }
    Ok(file)
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => (open.dev(), open.ino()) == (named.dev(), named.ino()),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    true
}

impl Checkpointer {
    pub(crate) fn start(path: &Path, durability: Durability) -> Result<Checkpointer, StoreError> {
        let mut conn = SqliteConn::open(path, durability)?;
        let database_file = sync_handle(path).map_err(|err| {
            StoreError::Unavailable(format!("cannot open {}: {err}", path.display()))
        })?;
        let progress = Arc::new(CheckpointProgress {
            finish_without_sync: durability == Durability::Normal,
            ..CheckpointProgress::default()
        });
        let shared = Arc::clone(&progress);
        let thread = std::thread::Builder::new()
            .name("steward-checkpoint".into())
            .spawn(move || {
                let mut wait = CHECKPOINT_EVERY;
                let mut last_log_frames = -1;
                loop {
                    let Ok(signal) = shared.signal.lock() else {
                        return;
                    };
                    let Ok((mut signal, _)) =
                        shared.wake.wait_timeout_while(signal, wait, |signal| {
                            !signal.stop && !signal.pass_now
                        })
                    else {
                        return;
                    };
                    if signal.stop {
                        return;
                    }
                    signal.pass_now = false;
                    let sync_database = std::mem::take(&mut signal.sync_database);
                    drop(signal);
                    if sync_database {
                        // SQLite fsyncs the file only after a pass that reaches the end of the
                        // log, which a steady load prevents: do it directly, so that the pages
                        // the writer copied are on disk a few milliseconds after the log restarts.
                        if let Err(err) = database_file.sync_data() {
                            tracing::warn!(error = %err, "fsync of the database file failed");
                        }
                    }
                    match conn.query("PRAGMA wal_checkpoint(PASSIVE)", &[]) {
                        Ok(rows) => {
                            // (busy, frames in the log, frames copied); -1 while another
                            // checkpoint (the writer's) runs.
                            let log_frames =
                                rows.first().and_then(|row| row.int(1).ok()).unwrap_or(-1);
                            if log_frames >= 0 {
                                shared.log_frames.store(log_frames, Ordering::Release);
                                shared.passes.fetch_add(1, Ordering::AcqRel);
                            }
                            // An idle server should not wake fifty times a second: slow down
                            // while the log does not change between passes.
                            wait = if log_frames == last_log_frames {
                                IDLE_CHECKPOINT_EVERY
                            } else {
                                CHECKPOINT_EVERY
                            };
                            last_log_frames = log_frames;
                        }
                        Err(err) => tracing::warn!(error = %err, "WAL checkpoint failed"),
                    }
                }
            })
            .map_err(|err| {
                StoreError::Unavailable(format!("cannot start the checkpointer: {err}"))
            })?;
        Ok(Checkpointer {
            thread: Some(thread),
            progress,
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        if let Ok(mut signal) = self.progress.signal.lock() {
            signal.stop = true;
        }
        self.progress.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Statements use PostgreSQL's `$1` placeholders. SQLite reads `$1` as a parameter *named* `$1`
/// whose index is the order of first appearance, so each value is bound by its name.
const PARAMETER_NAMES: [&str; 24] = [
    "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
    "$16", "$17", "$18", "$19", "$20", "$21", "$22", "$23", "$24",
];

fn bind(
    statement: &mut rusqlite::CachedStatement<'_>,
    params: &[Value<'_>],
) -> Result<(), StoreError> {
    if params.len() != statement.parameter_count() {
        return Err(StoreError::Database {
            message: format!(
                "statement takes {} parameters, {} given",
                statement.parameter_count(),
                params.len()
            ),
            transient: false,
        });
    }
    for (position, value) in params.iter().enumerate() {
        let name = PARAMETER_NAMES
            .get(position)
            .ok_or_else(|| StoreError::Database {
                message: format!("more than {} parameters", PARAMETER_NAMES.len()),
                transient: false,
            })?;
        let index = statement
            .parameter_index(name)
            .map_err(error)?
            .ok_or_else(|| StoreError::Database {
                message: format!("statement has no parameter {name}"),
                transient: false,
            })?;
        statement
            .raw_bind_parameter(index, Param(*value))
            .map_err(error)?;
    }
    Ok(())
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
        let mut statement = self.connection.prepare_cached(sql).map_err(error)?;
        bind(&mut statement, params)?;
        let changed = statement.raw_execute().map_err(error)?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value<'_>]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self.connection.prepare_cached(sql).map_err(error)?;
        let columns = statement.column_count();
        bind(&mut statement, params)?;
        let mut rows = statement.raw_query();
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
    use super::*;

    /// The POSIX locks this process holds on a file, from the kernel's list.
    #[cfg(target_os = "linux")]
    fn locks_held(path: &Path) -> usize {
        use std::os::unix::fs::MetadataExt;
        let inode = std::fs::metadata(path).unwrap().ino();
        let pid = std::process::id().to_string();
        std::fs::read_to_string("/proc/locks")
            .unwrap()
            .lines()
            .filter(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                fields.contains(&pid.as_str())
                    && fields
                        .iter()
                        .any(|field| field.rsplit(':').next() == Some(&inode.to_string()))
                    && fields.iter().filter(|field| field.contains(':')).count() >= 2
            })
            .count()
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_checkpointers_fsync_keeps_the_connections_locks() {
        let dir = std::env::temp_dir().join(format!("steward-locks-{}", std::process::id()));
        let path = dir.join("t.db");
        let database = crate::Database::open_sqlite(&path).unwrap();
        let held = locks_held(&path);
        // Each connection holds a shared lock on a database in WAL mode while it is open: its
        // last one to close takes the log away.
        assert!(held > 0, "no lock held on {}", path.display());
        let checkpointer = database._checkpointer.as_ref().unwrap();
        for _ in 0..3 {
            let passes = checkpointer.progress.passes.load(Ordering::Acquire);
            checkpointer.progress.request_sync();
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while checkpointer.progress.passes.load(Ordering::Acquire) == passes {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no pass after the sync"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            assert_eq!(
                locks_held(&path),
                held,
                "the fsync dropped the process's locks"
            );
        }
        drop(database);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn parameters_bind_by_number_whatever_order_they_appear_in() {
        let dir = std::env::temp_dir().join(format!("steward-sqlite-{}", std::process::id()));
        let mut conn = SqliteConn::open(&dir.join("t.db"), Durability::Normal).unwrap();
        let rows = conn
            .query(
                "SELECT $3, $1, $2 || $2, $1",
                &[Value::from(1), "b".into(), Value::Int(None)],
            )
            .unwrap();
        assert_eq!(
            rows,
            vec![Row(vec![
                Cell::Null,
                Cell::Int(1),
                Cell::Text("bb".into()),
                Cell::Int(1)
            ])]
        );
        assert!(
            conn.query("SELECT $1", &[]).is_err(),
            "a missing parameter must be an error"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
