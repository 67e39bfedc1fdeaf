-- Engagement's settings and state: a settings document per scope like moderation's ('default',
-- 'set:<name>', 'group:<id>'; the most specific wins); the welcome of each group (when the last
-- went out, by the joins' own time, and the batch collecting the joins that follow it); nickname
-- reminders; profiles parsed from self-introductions, with their tags; keyword answers'
-- cooldowns; questions, answered or not; join screening: codes operators issue, their uses, and
-- each member's screening in each group.
CREATE TABLE engagement_rules (
    scope       TEXT    PRIMARY KEY,
    rules       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL
);

CREATE TABLE welcome_state (
    group_id   INTEGER PRIMARY KEY,
    last_at    INTEGER NOT NULL,
    outbox_id  INTEGER,
    members    TEXT    NOT NULL
);

CREATE TABLE nickname_reminders (
    group_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id)
);

CREATE TABLE profiles (
    member_id   INTEGER PRIMARY KEY,
    city        TEXT,
    hours       TEXT,
    occupation  TEXT,
    interests   TEXT,
    intro       TEXT    NOT NULL,
    event_id    INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE profile_tags (
    member_id  INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    tag        TEXT    NOT NULL,
    PRIMARY KEY (member_id, kind, tag)
);

CREATE TABLE answer_cooldowns (
    group_id  INTEGER NOT NULL,
    entry     TEXT    NOT NULL,
    last_at   INTEGER NOT NULL,
    PRIMARY KEY (group_id, entry)
);

-- Keyed by the question's event alone: a reply finds it through the events' dedup key, and the
-- console reads open questions newest first by that key. A second index here cost every question
-- a random B-tree insert (a tenth of the pipeline's throughput).
CREATE TABLE questions (
    event_id     INTEGER PRIMARY KEY,
    group_id     INTEGER NOT NULL,
    member_id    INTEGER NOT NULL,
    time         INTEGER NOT NULL,
    answered_at  INTEGER,
    answered_by  INTEGER
);

-- Leaderboards of a period (today, this week, this month) sum the ledger by day.
CREATE INDEX points_ledger_day ON points_ledger (group_id, day);

-- Codes for join screening, valid in a scope ('default', 'set:<name>', 'group:<id>').
CREATE TABLE join_codes (
    code        TEXT    PRIMARY KEY,
    scope       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,      -- invite, paid
    max_uses    INTEGER NOT NULL,
    uses        INTEGER NOT NULL DEFAULT 0,
    expires_at  INTEGER,
    note        TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE join_code_uses (
    code       TEXT    NOT NULL,
    group_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    event_id   INTEGER NOT NULL,
    time       INTEGER NOT NULL,
    PRIMARY KEY (code, event_id)
);

-- A member's screening in a group: pending (with the queued removal), passed or failed.
CREATE TABLE screenings (
    group_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    outbox_id  INTEGER,
    deadline   INTEGER,
    PRIMARY KEY (group_id, member_id)
);
