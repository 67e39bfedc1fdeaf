-- What operators did (signing in and out, managing operators, and every console action to come),
-- with who and why. What the bot did is the outbox, linked to the event that caused it.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    time    INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT,
    detail  TEXT
);
