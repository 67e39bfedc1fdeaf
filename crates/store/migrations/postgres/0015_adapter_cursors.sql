-- Where an adapter's stream of events stands (a Matrix /sync's next_batch), saved once the events
-- before it are committed: a restart carries on from there, losing nothing and reading nothing twice.
CREATE TABLE adapter_cursors (
    platform  TEXT NOT NULL,
    account   TEXT NOT NULL,
    cursor    TEXT NOT NULL,
    PRIMARY KEY (platform, account)
);
