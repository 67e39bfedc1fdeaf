//! Schema migrations, embedded in the binary and applied at start-up, each in its own
//! transaction. PostgreSQL instances starting together take an advisory lock so that one applies
//! them and the others wait.

use crate::sql::{Conn, Value};
use crate::{Backend, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        sqlite: include_str!("../migrations/sqlite/0001_core.sql"),
        postgres: include_str!("../migrations/postgres/0001_core.sql"),
    },
    Migration {
        version: 2,
        name: "operators",
        sqlite: include_str!("../migrations/sqlite/0002_operators.sql"),
        postgres: include_str!("../migrations/postgres/0002_operators.sql"),
    },
    Migration {
        version: 3,
        name: "sessions",
        sqlite: include_str!("../migrations/sqlite/0003_sessions.sql"),
        postgres: include_str!("../migrations/postgres/0003_sessions.sql"),
    },
    Migration {
        version: 4,
        name: "outbox_by_group",
        sqlite: include_str!("../migrations/sqlite/0004_outbox_by_group.sql"),
        postgres: include_str!("../migrations/postgres/0004_outbox_by_group.sql"),
    },
    Migration {
        version: 5,
        name: "audit",
        sqlite: include_str!("../migrations/sqlite/0005_audit.sql"),
        postgres: include_str!("../migrations/postgres/0005_audit.sql"),
    },
    Migration {
        version: 6,
        name: "member_timeline",
        sqlite: include_str!("../migrations/sqlite/0006_member_timeline.sql"),
        postgres: include_str!("../migrations/postgres/0006_member_timeline.sql"),
    },
    Migration {
        version: 7,
        name: "api_tokens",
        sqlite: include_str!("../migrations/sqlite/0007_api_tokens.sql"),
        postgres: include_str!("../migrations/postgres/0007_api_tokens.sql"),
    },
    Migration {
        version: 8,
        name: "operator_groups",
        sqlite: include_str!("../migrations/sqlite/0008_operator_groups.sql"),
        postgres: include_str!("../migrations/postgres/0008_operator_groups.sql"),
    },
    Migration {
        version: 9,
        name: "moderation",
        sqlite: include_str!("../migrations/sqlite/0009_moderation.sql"),
        postgres: include_str!("../migrations/postgres/0009_moderation.sql"),
    },
    Migration {
        version: 10,
        name: "points",
        sqlite: include_str!("../migrations/sqlite/0010_points.sql"),
        postgres: include_str!("../migrations/postgres/0010_points.sql"),
    },
    Migration {
        version: 11,
        name: "engagement",
        sqlite: include_str!("../migrations/sqlite/0011_engagement.sql"),
        postgres: include_str!("../migrations/postgres/0011_engagement.sql"),
    },
    Migration {
        version: 12,
        name: "rewards",
        sqlite: include_str!("../migrations/sqlite/0012_rewards.sql"),
        postgres: include_str!("../migrations/postgres/0012_rewards.sql"),
    },
    Migration {
        version: 13,
        name: "roles",
        sqlite: include_str!("../migrations/sqlite/0013_roles.sql"),
        postgres: include_str!("../migrations/postgres/0013_roles.sql"),
    },
    Migration {
        version: 14,
        name: "invites_paid",
        sqlite: include_str!("../migrations/sqlite/0014_invites_paid.sql"),
        postgres: include_str!("../migrations/postgres/0014_invites_paid.sql"),
    },
    Migration {
        version: 15,
        name: "adapter_cursors",
        sqlite: include_str!("../migrations/sqlite/0015_adapter_cursors.sql"),
        postgres: include_str!("../migrations/postgres/0015_adapter_cursors.sql"),
    },
    Migration {
        version: 16,
        name: "offence_message",
        sqlite: include_str!("../migrations/sqlite/0016_offence_message.sql"),
        postgres: include_str!("../migrations/postgres/0016_offence_message.sql"),
    },
    Migration {
        version: 17,
        name: "message_edited",
        sqlite: include_str!("../migrations/sqlite/0017_message_edited.sql"),
        postgres: include_str!("../migrations/postgres/0017_message_edited.sql"),
    },
    Migration {
        version: 18,
        name: "offence_message_backfill",
        sqlite: include_str!("../migrations/sqlite/0018_offence_message_backfill.sql"),
        postgres: include_str!("../migrations/postgres/0018_offence_message_backfill.sql"),
    },
    Migration {
        version: 19,
        name: "reason_in_each_language",
        sqlite: include_str!("../migrations/sqlite/0019_reason_in_each_language.sql"),
        postgres: include_str!("../migrations/postgres/0019_reason_in_each_language.sql"),
    },
    Migration {
        version: 20,
        name: "offences_by_time",
        sqlite: include_str!("../migrations/sqlite/0020_offences_by_time.sql"),
        postgres: include_str!("../migrations/postgres/0020_offences_by_time.sql"),
    },
    Migration {
        version: 21,
        name: "offence_forgiven",
        sqlite: include_str!("../migrations/sqlite/0021_offence_forgiven.sql"),
        postgres: include_str!("../migrations/postgres/0021_offence_forgiven.sql"),
    },
    Migration {
        version: 22,
        name: "offences_by_event",
        sqlite: include_str!("../migrations/sqlite/0022_offences_by_event.sql"),
        postgres: include_str!("../migrations/postgres/0022_offences_by_event.sql"),
    },
];

/// An arbitrary number that names Steward's migration lock in `pg_advisory_lock`.
const ADVISORY_LOCK: i64 = 0x0053_7465_7761_7264;

pub(crate) fn run(conn: &mut dyn Conn, backend: &Backend) -> Result<(), StoreError> {
    let postgres = matches!(backend, Backend::Postgres(_));
    if postgres {
        conn.execute("SELECT pg_advisory_lock($1)", &[Value::from(ADVISORY_LOCK)])
            .map_err(|err| {
                StoreError::Migration(format!("cannot take the migration lock: {err}"))
            })?;
    }
    let result = apply(conn, postgres);
    if postgres {
        let _ = conn.execute(
            "SELECT pg_advisory_unlock($1)",
            &[Value::from(ADVISORY_LOCK)],
        );
    }
    result
}

fn apply(conn: &mut dyn Conn, postgres: bool) -> Result<(), StoreError> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS steward_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )?;
    let newest: i64 = conn.query_int(
        "SELECT COALESCE(MAX(version), 0) FROM steward_migrations",
        &[],
    )?;
    let known = MIGRATIONS.last().map_or(0, |migration| migration.version);
    if newest > known {
        return Err(StoreError::Migration(format!(
            "the database is at schema version {newest}, newer than this Steward knows ({known}); \
             run a newer Steward"
        )));
    }
    for migration in MIGRATIONS
        .iter()
        .filter(|migration| migration.version > newest)
    {
        let sql = if postgres {
            migration.postgres
        } else {
            migration.sqlite
        };
        let outcome = conn
            .batch("BEGIN")
            .and_then(|()| conn.batch(sql))
            .and_then(|()| {
                conn.execute(
                "INSERT INTO steward_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[
                    migration.version.into(),
                    migration.name.into(),
                    chrono::Utc::now().timestamp_millis().into(),
                ],
            )
            });
        match outcome {
            Ok(_) => conn.batch("COMMIT")?,
            Err(err) => {
                let _ = conn.batch("ROLLBACK");
                return Err(StoreError::Migration(format!(
                    "{:04}_{} failed: {err}",
                    migration.version, migration.name
                )));
            }
        }
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
    }
    Ok(())
}

pub(crate) fn applied(conn: &mut dyn Conn) -> Result<Vec<(i64, String)>, StoreError> {
    conn.query(
        "SELECT version, name FROM steward_migrations ORDER BY version",
        &[],
    )?
    .iter()
    .map(|row| Ok((row.int(0)?, row.text(1)?)))
    .collect()
}

#[cfg(test)]
mod tests {
    use crate::Database;

    #[test]
    fn offences_from_before_0016_learn_their_message() {
        let dir = std::env::temp_dir().join(format!("steward-migrate-{}", std::process::id()));
        let path = dir.join("t.db");
        let database = Database::open_sqlite(&path).unwrap();
        // As a database upgraded from before 0016 has them, at version 17: offences without
        // their message, one on a stored message, one on an edit (no message row of its own).
        database
            .with_conn(|conn| {
                conn.batch(
                    "INSERT INTO messages (event_id, group_id, member_id, platform_message_id, \
                     time, text) VALUES (7, 1, 1, 'm7', 0, 'ad');
                     INSERT INTO offences (member_id, group_id, event_id, time, detector, reason, \
                     step) VALUES (1, 1, 7, 0, 'link', 'r', 'warn'), (1, 1, 8, 0, 'link', 'r', 'warn');
                     DELETE FROM steward_migrations WHERE version >= 18;
                     ALTER TABLE offences DROP COLUMN reason_en;
                     ALTER TABLE blacklist DROP COLUMN reason_en;
                     DROP INDEX offences_time;
                     ALTER TABLE offences DROP COLUMN forgiven_at;
                     ALTER TABLE offences DROP COLUMN forgiven_by;
                     DROP INDEX offences_event;",
                )
            })
            .unwrap();
        drop(database);
        let database = Database::open_sqlite(&path).unwrap();
        let messages = database
            .with_conn(|conn| {
                conn.query("SELECT message FROM offences ORDER BY event_id", &[])?
                    .iter()
                    .map(|row| row.opt_text(0))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        assert_eq!(messages, vec![Some("m7".to_owned()), None]);
        assert!(database.migrations().unwrap().iter().any(|(v, _)| *v == 18));
        drop(database);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn reasons_from_before_0019_show_as_stored_and_new_ones_in_each_language() {
        use crate::{Offence, Reason};
        let dir = std::env::temp_dir().join(format!("steward-reasons-{}", std::process::id()));
        let database = Database::open_sqlite(&dir.join("t.db")).unwrap();
        // An offence and a blacklisting as stored before 0019: both languages in `reason`.
        database
            .with_conn(|conn| {
                conn.batch(
                    "INSERT INTO groups (id, platform, chat, first_seen_at, last_event_at) \
                     VALUES (1, 'qq', 'g1', 0, 0);
                     INSERT INTO persons (id, display_name, created_at) VALUES (1, 'a', 0);
                     INSERT INTO members (id, platform, user_id, person_id, name, first_seen_at) \
                     VALUES (1, 'qq', 'u1', 1, 'a', 0);
                     INSERT INTO offences (member_id, group_id, event_id, time, detector, reason, \
                     step) VALUES (1, 1, 7, 0, 'link', '链接 / a link', 'warn');
                     INSERT INTO blacklist (member_id, group_id, reason, added_at) \
                     VALUES (1, 1, '链接 / a link', 0);",
                )
            })
            .unwrap();
        let old = Reason::new("链接 / a link", "链接 / a link");
        assert_eq!(
            database.offences(None, None, 10).unwrap()[0].offence.reason,
            old
        );
        assert_eq!(database.blacklisted().unwrap()[0].reason, old);
        // Stored now, each language apart.
        let new = Reason::new("联系方式（QQ 号）", "contact details (a QQ number)");
        let mut writer = database.writer().unwrap();
        writer.begin().unwrap();
        writer
            .record_offence(&Offence {
                member_id: 1,
                group_id: 1,
                event_id: 8,
                time: 1,
                detector: "contact".into(),
                reason: new.clone(),
                step: "kick".into(),
                message: None,
            })
            .unwrap();
        writer.blacklist(1, 1, &new, 1).unwrap();
        writer.commit().unwrap();
        drop(writer);
        assert_eq!(
            database.offences(None, None, 1).unwrap()[0].offence.reason,
            new
        );
        assert_eq!(database.blacklisted().unwrap()[0].reason, new);
        drop(database);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
