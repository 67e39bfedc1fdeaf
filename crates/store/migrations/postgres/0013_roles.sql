-- Roles members claim in a group (`我是运动委员`): pending until an operator approves or
-- rejects; the approved ones are shown on the member's page and reminded of their duty. Each
-- reminder is recorded by its day, so that it goes out once.
CREATE TABLE role_claims (
    group_id    BIGINT NOT NULL,
    member_id   BIGINT NOT NULL,
    role        TEXT    NOT NULL,
    status      TEXT    NOT NULL,      -- pending, approved, rejected
    event_id    BIGINT NOT NULL,
    claimed_at  BIGINT NOT NULL,
    decided_by  TEXT,
    decided_at  BIGINT,
    PRIMARY KEY (group_id, member_id, role)
);

CREATE TABLE role_reminders (
    group_id  BIGINT NOT NULL,
    role      TEXT    NOT NULL,
    day       BIGINT NOT NULL,
    PRIMARY KEY (group_id, role, day)
);
