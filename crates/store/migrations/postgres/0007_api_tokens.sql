-- Tokens for the REST API, one operator each. As with sessions, only the token's hash is kept.
CREATE TABLE api_tokens (
    token_hash   TEXT    PRIMARY KEY,
    operator_id  BIGINT NOT NULL,
    label        TEXT    NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX api_tokens_operator ON api_tokens (operator_id);
