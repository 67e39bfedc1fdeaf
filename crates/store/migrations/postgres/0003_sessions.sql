-- Console sessions. The cookie holds a random token; only its BLAKE2 hash is stored, so that a
-- copy of the database does not log anybody in.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    operator_id  BIGINT NOT NULL,
    csrf         TEXT    NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_operator ON sessions (operator_id);
