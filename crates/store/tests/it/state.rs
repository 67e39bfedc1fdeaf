//! Recording events: the state they change, exactly once.

use steward_store::testing::TestDatabase;
use steward_store::{Cell, Offence, Reason, Recorded};

use crate::fixtures::{at, join, leave, message, recall, record};

fn members_of(database: &steward_store::Database, chat: &str) -> i64 {
    let dump = database.dump().unwrap();
    let groups = dump.iter().find(|table| table.table == "groups").unwrap();
    let row = groups
        .rows
        .iter()
        .find(|row| row.0[2] == Cell::Text(chat.into()))
        .unwrap();
    row.int(6).unwrap()
}

fn a_day_in_a_group_is_counted_once(test: &TestDatabase) {
    let database = test.open().unwrap();
    let day = vec![
        join("g1", "u1", "小林", 0),
        join("g1", "u2", "Alice", 1),
        message("g1", "m1", "u1", "小林", "大家好", 2),
        message("g1", "m2", "u2", "Alice", "hello", 3),
        message("g1", "m3", "u1", "小林", "签到", 4),
        recall("g1", "m3", "u1", 5),
        leave("g1", "u2", 6),
    ];
    let first = record(&database, &day);
    assert!(
        first
            .iter()
            .all(|outcome| matches!(outcome, Recorded::New(_)))
    );
    let after_once = database.dump().unwrap();

    let second = record(&database, &day);
    assert!(second.iter().all(|outcome| *outcome == Recorded::Duplicate));
    assert_eq!(
        database.dump().unwrap(),
        after_once,
        "a redelivered day changed the database"
    );

    let counts = database.counts().unwrap();
    assert_eq!(
        (
            counts.events,
            counts.messages,
            counts.groups,
            counts.members
        ),
        (7, 3, 1, 2)
    );
    assert_eq!(counts.active_memberships, 1);
    assert_eq!(members_of(&database, "g1"), 1);
    assert_eq!(database.verify().unwrap(), Vec::<String>::new());
    let dump = database.dump().unwrap();
    let messages = &dump
        .iter()
        .find(|table| table.table == "messages")
        .unwrap()
        .rows;
    let recalled: Vec<bool> = messages
        .iter()
        .map(|row| row.opt_int(7).unwrap().is_some())
        .collect();
    assert_eq!(recalled, [false, false, true], "only m3 was recalled");
}

fn the_same_message_id_in_another_chat_is_another_message(test: &TestDatabase) {
    let database = test.open().unwrap();
    let outcomes = record(
        &database,
        &[
            message("g1", "1", "u1", "a", "hi", 0),
            message("g2", "1", "u1", "a", "hi", 0),
        ],
    );
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Recorded::New(_)))
    );
    assert_eq!(database.counts().unwrap().messages, 2);
}

fn a_member_who_speaks_before_being_seen_joining_counts_as_a_member(test: &TestDatabase) {
    let database = test.open().unwrap();
    record(&database, &[message("g1", "1", "u9", "老王", "在吗", 0)]);
    assert_eq!(members_of(&database, "g1"), 1);
    record(&database, &[join("g1", "u9", "老王", 1)]);
    assert_eq!(
        members_of(&database, "g1"),
        1,
        "a join of an active member must not count twice"
    );
    assert_eq!(database.verify().unwrap(), Vec::<String>::new());
}

fn a_redelivered_old_event_does_not_rename_anybody(test: &TestDatabase) {
    let database = test.open().unwrap();
    let old = message("g1", "1", "u1", "old name", "hi", 0);
    record(
        &database,
        &[old.clone(), message("g1", "2", "u1", "new name", "hi", 1)],
    );
    record(&database, &[old]);
    let dump = database.dump().unwrap();
    let members = dump.iter().find(|table| table.table == "members").unwrap();
    assert_eq!(members.rows[0].text(4).unwrap(), "new name");
}

/// The tables that record what happened. Groups, persons and members are identities: on
/// PostgreSQL they are created outside the batch transaction (see `Writer`) and may outlive a
/// rollback, with no counts attached.
fn history(database: &steward_store::Database) -> Vec<steward_store::TableDump> {
    let identities = ["groups", "persons", "members"];
    database
        .dump()
        .unwrap()
        .into_iter()
        .filter(|table| !identities.contains(&table.table))
        .collect()
}

fn a_rolled_back_transaction_leaves_no_event_and_no_state(test: &TestDatabase) {
    let database = test.open().unwrap();
    let empty = history(&database);
    let mut writer = database.writer().unwrap();
    writer.begin().unwrap();
    let event = steward_store::PreparedEvent::new(message("g1", "1", "u1", "a", "hi", 0)).unwrap();
    writer.record(&event, crate::fixtures::at(0)).unwrap();
    writer.rollback().unwrap();
    assert_eq!(history(&database), empty);
    assert_eq!(database.verify().unwrap(), Vec::<String>::new());
    // The writer forgot the ids of rows that may be gone and records the event again.
    writer.begin().unwrap();
    assert!(matches!(
        writer.record(&event, crate::fixtures::at(0)).unwrap(),
        Recorded::New(_)
    ));
    writer.commit().unwrap();
    let counts = database.counts().unwrap();
    assert_eq!(
        (
            counts.events,
            counts.messages,
            counts.groups,
            counts.members
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(database.verify().unwrap(), Vec::<String>::new());
}

fn reopening_applies_no_migration_twice(test: &TestDatabase) {
    let first = test.open().unwrap();
    record(&first, &[message("g1", "1", "u1", "a", "hi", 0)]);
    drop(first);
    let again = test.open().unwrap();
    assert_eq!(
        again.migrations().unwrap(),
        vec![
            (1, "core".to_owned()),
            (2, "operators".to_owned()),
            (3, "sessions".to_owned()),
            (4, "outbox_by_group".to_owned()),
            (5, "audit".to_owned()),
            (6, "member_timeline".to_owned()),
            (7, "api_tokens".to_owned()),
            (8, "operator_groups".to_owned()),
            (9, "moderation".to_owned()),
            (10, "points".to_owned()),
            (11, "engagement".to_owned()),
            (12, "rewards".to_owned()),
            (13, "roles".to_owned()),
            (14, "invites_paid".to_owned()),
            (15, "adapter_cursors".to_owned()),
            (16, "offence_message".to_owned()),
            (17, "message_edited".to_owned()),
            (18, "offence_message_backfill".to_owned()),
            (19, "reason_in_each_language".to_owned()),
            (20, "offences_by_time".to_owned()),
            (21, "offence_forgiven".to_owned()),
            (22, "offences_by_event".to_owned()),
        ]
    );
    assert_eq!(again.counts().unwrap().messages, 1);
}

fn history_fed_late_does_not_rename_anybody_back(test: &TestDatabase) {
    let database = test.open().unwrap();
    record(&database, &[message("g1", "2", "u1", "new name", "hi", 10)]);
    // An older message arrives later (an import of history, a slow bridge).
    record(&database, &[message("g1", "1", "u1", "old name", "hi", 5)]);
    let dump = database.dump().unwrap();
    let members = dump.iter().find(|table| table.table == "members").unwrap();
    assert_eq!(members.rows[0].text(4).unwrap(), "new name");
}

/// Records events that are all new; where each landed.
fn record_new(
    database: &steward_store::Database,
    events: &[steward_domain::Event],
) -> Vec<steward_store::StoredEvent> {
    record(database, events)
        .into_iter()
        .map(|outcome| match outcome {
            Recorded::New(stored) => stored,
            Recorded::Duplicate => panic!("new events"),
        })
        .collect()
}

fn offences_page_back_by_group_member_and_cursor(test: &TestDatabase) {
    let database = test.open().unwrap();
    let stored = record_new(
        &database,
        &[
            message("g1", "1", "u1", "a", "x", 0),
            message("g2", "1", "u2", "b", "y", 1),
        ],
    );
    let mut writer = database.writer().unwrap();
    writer.begin().unwrap();
    // 30 offences, alternating between the two members' groups, three at each moment, the
    // moments shuffled against the order stored (pages of 4 end inside ties).
    let time_of = |n: usize| ((n * 7) % 30 / 3) as i64;
    for n in 0..30 {
        let line = &stored[n % 2];
        writer
            .record_offence(&Offence {
                member_id: line.member_id,
                group_id: line.group_id,
                event_id: line.id,
                time: time_of(n),
                detector: "link".into(),
                reason: Reason::new(format!("{n}"), format!("{n}")),
                step: "warn".into(),
                message: None,
            })
            .unwrap();
    }
    writer.commit().unwrap();
    drop(writer);
    let pages = |group: Option<i64>, member: Option<i64>| {
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let page = database.offences_before(group, member, 4, before).unwrap();
            seen.extend(
                page.iter()
                    .map(|line| line.offence.reason.zh.parse::<usize>().unwrap()),
            );
            if page.len() < 4 {
                return seen;
            }
            before = page.last().map(|line| (line.offence.time, line.id));
        }
    };
    // Newest first, the latest stored first among equals.
    let mut newest_first: Vec<usize> = (0..30).collect();
    newest_first.sort_by_key(|n| std::cmp::Reverse((time_of(*n), *n)));
    assert_eq!(pages(None, None), newest_first);
    let of = |parity: usize| -> Vec<usize> {
        newest_first
            .iter()
            .copied()
            .filter(|n| n % 2 == parity)
            .collect()
    };
    assert_eq!(pages(Some(stored[0].group_id), None), of(0));
    assert_eq!(pages(None, Some(stored[1].member_id)), of(1));
    assert_eq!(
        pages(Some(stored[0].group_id), Some(stored[1].member_id)),
        Vec::<usize>::new()
    );
}

fn an_offence_marked_a_mistake_no_longer_counts(test: &TestDatabase) {
    let database = test.open().unwrap();
    let stored = record_new(
        &database,
        &[
            message("g1", "1", "u1", "a", "x", 0),
            message("g1", "2", "u1", "a", "y", 1),
        ],
    );
    let member = stored[0].member_id;
    let mut writer = database.writer().unwrap();
    writer.begin().unwrap();
    for (time, line) in stored.iter().enumerate() {
        writer
            .record_offence(&Offence {
                member_id: member,
                group_id: line.group_id,
                event_id: line.id,
                time: time as i64 + 1,
                detector: "classifier".into(),
                reason: Reason::new("疑似广告", "reads as an ad"),
                step: "warn".into(),
                message: None,
            })
            .unwrap();
    }
    assert_eq!(writer.offences_between(member, 0, 10).unwrap(), 2);
    writer.commit().unwrap();
    drop(writer);
    let count = || {
        let mut writer = database.writer().unwrap();
        writer.begin().unwrap();
        let count = writer.offences_between(member, 0, 10).unwrap();
        writer.commit().unwrap();
        count
    };
    // Marked a mistake: kept and shown as such, not counted; marked again: counted again.
    assert_eq!(
        database
            .forgive_offences(stored[0].id, true, "lin", at(0))
            .unwrap(),
        1
    );
    assert_eq!(
        database
            .forgive_offences(stored[0].id, true, "lin", at(0))
            .unwrap(),
        0
    );
    assert_eq!(count(), 1);
    let lines = database.offences(None, None, 10).unwrap();
    assert_eq!(
        lines.iter().map(|line| line.forgiven).collect::<Vec<_>>(),
        [false, true]
    );
    assert_eq!(
        database
            .forgive_offences(stored[0].id, false, "lin", at(0))
            .unwrap(),
        1
    );
    assert_eq!(count(), 2);
}

steward_store::on_both_backends!(
    an_offence_marked_a_mistake_no_longer_counts,
    offences_page_back_by_group_member_and_cursor,
    history_fed_late_does_not_rename_anybody_back,
    a_day_in_a_group_is_counted_once,
    the_same_message_id_in_another_chat_is_another_message,
    a_member_who_speaks_before_being_seen_joining_counts_as_a_member,
    a_redelivered_old_event_does_not_rename_anybody,
    a_rolled_back_transaction_leaves_no_event_and_no_state,
    reopening_applies_no_migration_twice,
);
