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

fn a_set_typed_in_another_case_is_the_set_in_use(test: &TestDatabase) {
    let database = test.open().unwrap();
    // In use nowhere: as typed.
    assert_eq!(database.known_set_name("Gaming").unwrap(), "Gaming");
    // Named by stored rules (of either feature) or by a group in it: that spelling.
    database
        .set_rules("set:gaming", "{}", "lin", at(0))
        .unwrap();
    assert_eq!(database.known_set_name("GAMING").unwrap(), "gaming");
    database
        .set_document(Documents::Engagement, "set:VIP会员", "{}", "lin", at(0))
        .unwrap();
    assert_eq!(database.known_set_name("vip会员").unwrap(), "VIP会员");
    database.set_group_set(1, Some("Chat")).unwrap();
    assert_eq!(database.known_set_name("chat").unwrap(), "Chat");
    // The exact spelling wins where two are in use.
    database.set_group_set(2, Some("chat")).unwrap();
    assert_eq!(database.known_set_name("chat").unwrap(), "chat");
    assert_eq!(database.known_set_name("Chat").unwrap(), "Chat");
    // A prefix or a pattern is no match.
    assert_eq!(database.known_set_name("gam").unwrap(), "gam");
    assert_eq!(database.known_set_name("gam%").unwrap(), "gam%");
}

steward_store::on_both_backends!(
    a_set_typed_in_another_case_is_the_set_in_use,
    operators_have_unique_names_and_keep_their_role,
    a_session_lives_until_it_expires_or_is_deleted,
);
