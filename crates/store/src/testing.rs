//! Databases for tests, on both backends: the same store story runs on SQLite and on a real
//! PostgreSQL server.
//!
//! PostgreSQL tests read the server's URL from `STEWARD_TEST_POSTGRES_URL` (`scripts/test` starts
//! a server and sets it) and create a fresh database per test. Without the variable they are
//! skipped with a message, unless `STEWARD_REQUIRE_POSTGRES=1` (set by `scripts/test` and CI), which
//! turns a missing server into a failure.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Database, Durability, StoreError};

/// A database that exists for one test and is removed afterwards.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Directory(PathBuf),
    PostgresDatabase { server: String, name: String },
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(label: &str) -> String {
    let label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    format!(
        "{label}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDatabase {
    /// A new SQLite file in a new temporary directory.
    pub fn sqlite(label: &str) -> Result<TestDatabase, StoreError> {
        let dir = std::env::temp_dir().join(format!("steward-test-{}", unique(label)));
        std::fs::create_dir_all(&dir)
            .map_err(|err| StoreError::Unavailable(format!("{}: {err}", dir.display())))?;
        Ok(TestDatabase {
            url: format!("sqlite://{}", dir.join("steward.db").display()),
            cleanup: Cleanup::Directory(dir),
        })
    }

    /// A new, empty PostgreSQL database on the test server; `Ok(None)` when no server is
    /// configured and none is required.
    pub fn postgres(label: &str) -> Result<Option<TestDatabase>, StoreError> {
        let Some(server) = std::env::var("STEWARD_TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.is_empty())
        else {
            if std::env::var("STEWARD_REQUIRE_POSTGRES").is_ok_and(|value| value == "1") {
                return Err(StoreError::Unavailable(
                    "STEWARD_REQUIRE_POSTGRES=1 but STEWARD_TEST_POSTGRES_URL is not set".into(),
                ));
            }
            eprintln!(
                "skipped on PostgreSQL: STEWARD_TEST_POSTGRES_URL is not set (scripts/test sets it)"
            );
            return Ok(None);
        };
        let name = format!("steward_{}", unique(label));
        let mut admin = postgres::Client::connect(&server, postgres::NoTls)
            .map_err(|err| StoreError::Unavailable(format!("test server {server}: {err}")))?;
        // Two statements, two calls: CREATE DATABASE cannot run inside the implicit transaction
        // of a multi-statement query.
        for statement in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin.batch_execute(&statement).map_err(|err| {
                let detail = err
                    .as_db_error()
                    .map_or_else(|| err.to_string(), |db| db.message().to_owned());
                StoreError::Unavailable(format!("{statement}: {detail}"))
            })?;
        }
        let url = match server.rfind('/') {
            Some(slash) if slash > server.find("://").map_or(0, |i| i + 2) => {
                let (base, rest) = server.split_at(slash);
                let query = rest.find('?').map_or("", |q| &rest[q..]);
                format!("{base}/{name}{query}")
            }
            _ => format!("{server}/{name}"),
        };
        Ok(Some(TestDatabase {
            url,
            cleanup: Cleanup::PostgresDatabase { server, name },
        }))
    }

    pub fn open(&self) -> Result<Database, StoreError> {
        Database::open(&self.url, Durability::Normal)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Directory(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresDatabase { server, name } => {
                if let Ok(mut admin) = postgres::Client::connect(server, postgres::NoTls) {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

/// Defines each listed test function `fn(&TestDatabase)` twice, in modules `sqlite` and
/// `postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let database = $crate::testing::TestDatabase::sqlite(stringify!($name)).unwrap();
                    super::$name(&database);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(database) =
                        $crate::testing::TestDatabase::postgres(stringify!($name)).unwrap()
                    {
                        super::$name(&database);
                    }
                }
            )*
        }
    };
}
