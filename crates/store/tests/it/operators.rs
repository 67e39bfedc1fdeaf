//! Operators: one name each, found by name, their password hash replaceable.

use steward_domain::OperatorRole;
use steward_store::StoreError;
use steward_store::moderation::Documents;
use steward_store::testing::TestDatabase;

use crate::fixtures::at;

fn operators_have_unique_names_and_keep_their_role(test: &TestDatabase) {
    let database = test.open().unwrap();
    database
        .create_operator("lin", "$argon2id$a", OperatorRole::Owner, at(0))
        .unwrap();
    database
        .create_operator("amy", "$argon2id$b", OperatorRole::Viewer, at(1))
        .unwrap();
    let taken = database.create_operator("lin", "$argon2id$c", OperatorRole::Viewer, at(2));
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");

    let lin = database.operator_by_name("lin").unwrap().unwrap();
    assert_eq!(
        (lin.role, lin.password_hash.as_str(), lin.disabled),
        (OperatorRole::Owner, "$argon2id$a", false)
    );
    assert_eq!(database.operator_by_name("nobody").unwrap(), None);
    let names: Vec<String> = database
        .operators()
        .unwrap()
        .into_iter()
        .map(|operator| operator.name)
        .collect();
    assert_eq!(names, ["amy", "lin"]);

    assert!(
        database
            .set_operator_password("lin", "$argon2id$d")
            .unwrap()
    );
    assert!(
        !database
            .set_operator_password("nobody", "$argon2id$e")
            .unwrap()
    );
    assert_eq!(
        database
            .operator_by_name("lin")
            .unwrap()
            .unwrap()
            .password_hash,
        "$argon2id$d"
    );
}

fn a_session_lives_until_it_expires_or_is_deleted(test: &TestDatabase) {
    let database = test.open().unwrap();
    let id = database
        .create_operator("lin", "$argon2id$a", OperatorRole::Operator, at(0))
        .unwrap();
    database
        .create_session("hash-1", id, "csrf-1", at(0), at(60))
        .unwrap();
    let (operator, csrf) = database.session("hash-1", at(30)).unwrap().unwrap();
    assert_eq!(
        (operator.name.as_str(), operator.role, csrf.as_str()),
        ("lin", OperatorRole::Operator, "csrf-1")
    );
    assert_eq!(database.session("hash-1", at(60)).unwrap(), None, "expired");
    assert_eq!(database.session("other", at(30)).unwrap(), None);
    database
        .create_session("hash-2", id, "csrf-2", at(0), at(60))
        .unwrap();
    database.delete_session("hash-2").unwrap();
    assert_eq!(database.session("hash-2", at(1)).unwrap(), None, "deleted");
    database
        .create_session("hash-3", id, "csrf-3", at(0), at(60))
        .unwrap();
    assert!(
        database
            .set_operator_password("lin", "$argon2id$new")
            .unwrap()
    );
    assert_eq!(
        database.session("hash-3", at(1)).unwrap(),
        None,
        "a password reset left a session alive"
    );
}

fn every_sets_name_in_use_is_known_once(test: &TestDatabase) {
    let database = test.open().unwrap();
    assert!(database.set_names().unwrap().is_empty());
    // Named by stored rules of either feature, or by a group in it; `set:`-less scopes are none.
    database
        .set_rules("set:gaming", "{}", "lin", at(0))
        .unwrap();
    database.set_rules("default", "{}", "lin", at(0)).unwrap();
    database
        .set_document(Documents::Engagement, "set:VIP会员", "{}", "lin", at(0))
        .unwrap();
    database.set_group_set(1, Some("Chat")).unwrap();
    database.set_group_set(2, Some("gaming")).unwrap();
    database.set_group_set(3, Some("chat")).unwrap();
    assert_eq!(
        database.set_names().unwrap(),
        ["Chat", "VIP会员", "chat", "gaming"]
    );
}

steward_store::on_both_backends!(
    every_sets_name_in_use_is_known_once,
    operators_have_unique_names_and_keep_their_role,
    a_session_lives_until_it_expires_or_is_deleted,
);
