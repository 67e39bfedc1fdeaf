-- Engagement's rewards: points operators award or deduct by hand (the ledger row's event_id is
-- minus the adjustment's id: there is no event); invitations waiting for the invited member's
-- first week; levels reached and badges earned; birthdays from profiles and the greetings sent;
-- lottery draws with their candidates and winners.
CREATE TABLE points_adjustments (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL,
    member_id   INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    note        TEXT    NOT NULL,
    operator    TEXT    NOT NULL,
    time        INTEGER NOT NULL
);

CREATE TABLE invites (
    event_id           INTEGER PRIMARY KEY,
    group_id           INTEGER NOT NULL,
    member_id          INTEGER NOT NULL,
    inviter_member_id  INTEGER NOT NULL,
    joined_at          INTEGER NOT NULL,
    points             INTEGER NOT NULL,
    day                INTEGER NOT NULL
);

CREATE TABLE levels (
    group_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    level      INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    reached_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id)
);

CREATE TABLE badges (
    group_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    badge      TEXT    NOT NULL,
    event_id   INTEGER NOT NULL,
    time       INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id, badge)
);

ALTER TABLE profiles ADD COLUMN birthday TEXT;

CREATE TABLE birthday_greetings (
    group_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    year       INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id, year)
);

CREATE TABLE lotteries (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL,
    rule        TEXT    NOT NULL,
    prize       TEXT    NOT NULL,
    candidates  INTEGER NOT NULL,
    winners     TEXT    NOT NULL,
    operator    TEXT    NOT NULL,
    time        INTEGER NOT NULL
);
