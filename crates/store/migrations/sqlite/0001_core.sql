-- Steward's core: groups, people, memberships, the event log, messages, join requests and the
-- outbox. Times are milliseconds since the Unix epoch; flags are 0/1 integers, so that the same
-- statements run on PostgreSQL.

CREATE TABLE groups (
    id             INTEGER PRIMARY KEY,
    platform       TEXT    NOT NULL,
    chat           TEXT    NOT NULL,
    title          TEXT,
    first_seen_at  INTEGER NOT NULL,
    last_event_at  INTEGER NOT NULL,
    member_count   INTEGER NOT NULL DEFAULT 0,
    message_count  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (platform, chat)
);

-- A person; one person may have accounts on several platforms (linked by the CRM later).
CREATE TABLE persons (
    id            INTEGER PRIMARY KEY,
    display_name  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- An account on one platform.
CREATE TABLE members (
    id             INTEGER PRIMARY KEY,
    platform       TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    person_id      INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    is_bot         INTEGER NOT NULL DEFAULT 0,
    first_seen_at  INTEGER NOT NULL,
    -- The time of the event the name comes from: an older event never renames.
    name_seen_at   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (platform, user_id)
);
CREATE INDEX members_person ON members (person_id);

CREATE TABLE memberships (
    group_id           INTEGER NOT NULL,
    member_id          INTEGER NOT NULL,
    status             TEXT    NOT NULL,      -- active, left, kicked
    nickname           TEXT,
    role               TEXT    NOT NULL DEFAULT 'member',
    joined_at          INTEGER,
    left_at            INTEGER,
    inviter_member_id  INTEGER,
    invite_link        TEXT,
    message_count      INTEGER NOT NULL DEFAULT 0,
    first_message_at   INTEGER,
    last_message_at    INTEGER,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX memberships_member ON memberships (member_id);

-- Every accepted event, once: `dedup_key` makes a redelivery a no-op. Indexes cost every write
-- (each is one more page written per event): add one with the feature whose query needs it.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    dedup_key    TEXT    NOT NULL UNIQUE,
    group_id     INTEGER NOT NULL,
    member_id    INTEGER,
    kind         TEXT    NOT NULL,
    account      TEXT    NOT NULL,
    platform_id  TEXT,
    time         INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    payload      TEXT    NOT NULL
);

CREATE TABLE messages (
    event_id             INTEGER PRIMARY KEY,
    group_id             INTEGER NOT NULL,
    member_id            INTEGER NOT NULL,
    platform_message_id  TEXT    NOT NULL,
    time                 INTEGER NOT NULL,
    text                 TEXT    NOT NULL,
    reply_to             TEXT,
    recalled_at          INTEGER
);
CREATE INDEX messages_group_time ON messages (group_id, time);

CREATE TABLE join_requests (
    event_id    INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL,
    member_id   INTEGER NOT NULL,
    request_id  TEXT    NOT NULL,
    answer      TEXT,
    time        INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending'
);
CREATE INDEX join_requests_group ON join_requests (group_id, status);

-- Actions waiting for an adapter: pending -> claimed -> sent, or back to pending for a retry, or
-- failed for good.
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    event_id            INTEGER,
    platform            TEXT    NOT NULL,
    account             TEXT    NOT NULL,
    chat                TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    action              TEXT    NOT NULL,
    repeat_is_harmless  INTEGER NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'pending',
    attempts            INTEGER NOT NULL DEFAULT 0,
    not_before          INTEGER NOT NULL,
    claimed_until       INTEGER,
    answer              TEXT,
    last_error          TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (platform, account, status, not_before);
