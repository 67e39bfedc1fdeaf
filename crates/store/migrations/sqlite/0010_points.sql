-- Engagement's points: a ledger (every credit and debit, once per event and reason) and the
-- balance beside it, updated in the same transaction (verify checks they agree); daily sign-ins
-- with their streaks. Days are counted in the group's time zone, by the event's own time.
CREATE TABLE points_ledger (
    id         INTEGER PRIMARY KEY,
    group_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    amount     INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    event_id   INTEGER NOT NULL,
    day        INTEGER NOT NULL,
    time       INTEGER NOT NULL,
    UNIQUE (event_id, reason)
);
CREATE INDEX points_ledger_member ON points_ledger (group_id, member_id, reason, day);

CREATE TABLE points_balances (
    group_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    balance    INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX points_balances_rank ON points_balances (group_id, balance);

CREATE TABLE checkins (
    group_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    day        INTEGER NOT NULL,
    streak     INTEGER NOT NULL,
    event_id   INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id, day)
);
