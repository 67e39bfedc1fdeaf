-- Moderation: rule documents (JSON) per scope — 'default', 'set:<name>', 'group:<id>' — the most
-- specific one wins; which set a group belongs to; every offence (the ladder counts them by the
-- message's own time); the fleet blacklist; the samples operators confirmed or corrected, which
-- fine-tune the ad model; the night-mode state per group.
CREATE TABLE moderation_rules (
    scope       TEXT    PRIMARY KEY,
    rules       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL
);

CREATE TABLE group_sets (
    group_id  INTEGER PRIMARY KEY,
    set_name  TEXT    NOT NULL
);

CREATE TABLE offences (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL,
    group_id   INTEGER NOT NULL,
    event_id   INTEGER NOT NULL,
    time       INTEGER NOT NULL,
    detector   TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    step       TEXT    NOT NULL
);
CREATE INDEX offences_member_time ON offences (member_id, time);
CREATE INDEX offences_group_time ON offences (group_id, time);

CREATE TABLE blacklist (
    member_id  INTEGER PRIMARY KEY,
    group_id   INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    added_at   INTEGER NOT NULL,
    lifted_at  INTEGER,
    lifted_by  TEXT
);

CREATE TABLE ad_samples (
    id        INTEGER PRIMARY KEY,
    text      TEXT    NOT NULL,
    is_ad     INTEGER NOT NULL,
    event_id  INTEGER,
    added_by  TEXT    NOT NULL,
    added_at  INTEGER NOT NULL
);

CREATE UNIQUE INDEX ad_samples_event ON ad_samples (event_id);

CREATE TABLE night_state (
    group_id    INTEGER PRIMARY KEY,
    muted       INTEGER NOT NULL,
    changed_at  INTEGER NOT NULL
);
