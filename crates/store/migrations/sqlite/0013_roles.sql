-- Roles members claim in a group (`我是运动委员`): pending until an operator approves or
-- rejects; the approved ones are shown on the member's page and reminded of their duty. Each
-- reminder is recorded by its day, so that it goes out once.
CREATE TABLE role_claims (
    group_id    INTEGER NOT NULL,
    member_id   INTEGER NOT NULL,
    role        TEXT    NOT NULL,
    status      TEXT    NOT NULL,      -- pending, approved, rejected
    event_id    INTEGER NOT NULL,
    claimed_at  INTEGER NOT NULL,
    decided_by  TEXT,
    decided_at  INTEGER,
    PRIMARY KEY (group_id, member_id, role)
);

CREATE TABLE role_reminders (
    group_id  INTEGER NOT NULL,
    role      TEXT    NOT NULL,
    day       INTEGER NOT NULL,
    PRIMARY KEY (group_id, role, day)
);
