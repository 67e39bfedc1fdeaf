//! The console's reads: pages of messages and members, through the indexes.

use steward_store::testing::TestDatabase;

use crate::fixtures::{join, leave, message, record};

fn a_group_page_lists_messages_newest_first_and_pages_back(test: &TestDatabase) {
    let database = test.open().unwrap();
    let mut events = vec![join("g1", "u1", "小林", 0), join("g1", "u2", "Alice", 0)];
    for n in 0..7 {
        let (user, name) = if n % 2 == 0 {
            ("u1", "小林")
        } else {
            ("u2", "Alice")
        };
        events.push(message(
            "g1",
            &n.to_string(),
            user,
            name,
            &format!("message {n}"),
            n + 1,
        ));
    }
    events.push(message("g2", "x", "u1", "小林", "elsewhere", 3));
    record(&database, &events);
    let (groups, total) = database.groups_page(0, 10).unwrap();
    assert_eq!(total, 2);
    let g1 = groups.iter().find(|group| group.chat == "g1").unwrap().id;
    assert_eq!(database.group(g1).unwrap().unwrap().message_count, 7);

    let first = database.recent_messages(g1, None, 3).unwrap();
    let texts: Vec<&str> = first.iter().map(|line| line.text.as_str()).collect();
    assert_eq!(texts, ["message 6", "message 5", "message 4"]);
    let last = first.last().unwrap();
    let second = database
        .recent_messages(g1, Some((last.time, last.event_id)), 10)
        .unwrap();
    let texts: Vec<&str> = second.iter().map(|line| line.text.as_str()).collect();
    assert_eq!(texts, ["message 3", "message 2", "message 1", "message 0"]);
    assert_eq!(second[0].member_name, "Alice");
}

fn members_are_searched_and_paged_with_the_present_first(test: &TestDatabase) {
    let database = test.open().unwrap();
    record(
        &database,
        &[
            join("g1", "u1", "小林", 0),
            join("g1", "u2", "Alice_100%", 0),
            join("g1", "u3", "Bob", 0),
            message("g1", "1", "u3", "Bob", "hi", 1),
            message("g1", "2", "u3", "Bob", "hi", 2),
            message("g1", "3", "u2", "Alice_100%", "hi", 3),
            leave("g1", "u3", 4),
        ],
    );
    let group = database.groups_page(0, 1).unwrap().0[0].id;
    let (all, total) = database.group_members(group, None, 0, 10).unwrap();
    assert_eq!(total, 3);
    let names: Vec<&str> = all.iter().map(|member| member.name.as_str()).collect();
    assert_eq!(
        names,
        ["Alice_100%", "小林", "Bob"],
        "present first, then by messages"
    );
    assert_eq!(all[2].status, "left");
    let (found, total) = database.group_members(group, Some("alice"), 0, 10).unwrap();
    assert_eq!(
        (found.len(), total, found[0].name.as_str()),
        (1, 1, "Alice_100%")
    );
    assert_eq!(
        database
            .group_members(group, Some("100%"), 0, 10)
            .unwrap()
            .1,
        1
    );
    assert_eq!(
        database.group_members(group, Some("%"), 0, 10).unwrap().1,
        1,
        "% is literal"
    );
    assert_eq!(
        database.group_members(group, Some("小"), 0, 10).unwrap().1,
        1
    );
    let (page, _) = database.group_members(group, None, 1, 1).unwrap();
    assert_eq!(page[0].name, "小林");
}

fn a_member_page_has_the_member_their_groups_and_their_timeline(test: &TestDatabase) {
    let database = test.open().unwrap();
    record(
        &database,
        &[
            join("g1", "u1", "小林", 0),
            message("g1", "1", "u1", "小林", "in g1", 1),
            message("g2", "1", "u1", "小林", "in g2", 2),
            message("g2", "2", "u2", "Amy", "not mine", 3),
            leave("g1", "u1", 4),
        ],
    );
    let groups = database.groups_page(0, 10).unwrap().0;
    let g1 = groups.iter().find(|group| group.chat == "g1").unwrap().id;
    let lin = database.group_members(g1, Some("小林"), 0, 1).unwrap().0[0].member_id;
    let member = database.member(lin).unwrap().unwrap();
    assert_eq!(
        (member.name.as_str(), member.user_id.as_str()),
        ("小林", "u1")
    );
    assert_eq!(database.member(999_999).unwrap(), None);
    let memberships = database.memberships_of(lin).unwrap();
    let statuses: Vec<(&str, &str)> = memberships
        .iter()
        .map(|line| (line.group.as_str(), line.status.as_str()))
        .collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.contains(&("g1", "left")) && statuses.contains(&("g2", "active")));
    let timeline = database.member_timeline(lin, None, 10).unwrap();
    let texts: Vec<&str> = timeline.iter().map(|line| line.text.as_str()).collect();
    assert_eq!(texts, ["in g2", "in g1"]);
    let last = &timeline[0];
    let older = database
        .member_timeline(lin, Some((last.time, last.event_id)), 10)
        .unwrap();
    assert_eq!(older.len(), 1);
}

fn activity_counts_today_writers_and_the_last_two_days(test: &TestDatabase) {
    let database = test.open().unwrap();
    // Minutes from 08:00 on 1 March 2026 (the fixtures' clock).
    record(
        &database,
        &[
            message("g1", "1", "u1", "a", "two days ago", -1_800),
            message("g1", "2", "u1", "a", "yesterday", -600),
            message("g1", "3", "u1", "a", "today", 10),
            message("g1", "4", "u2", "b", "today", 20),
            message("g1", "5", "u2", "b", "today", 30),
        ],
    );
    let group = database.groups_page(0, 1).unwrap().0[0].id;
    let at = |minute: i64| crate::fixtures::at(minute).timestamp_millis();
    let activity = database.group_activity(group, at(0), at(60)).unwrap();
    assert_eq!((activity.messages_today, activity.writers_today), (3, 2));
    assert_eq!((activity.last_day, activity.day_before), (4, 1));
}

steward_store::on_both_backends!(
    activity_counts_today_writers_and_the_last_two_days,
    a_member_page_has_the_member_their_groups_and_their_timeline,
    a_group_page_lists_messages_newest_first_and_pages_back,
    members_are_searched_and_paged_with_the_present_first,
);
