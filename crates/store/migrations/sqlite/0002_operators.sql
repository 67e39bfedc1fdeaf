-- The console's operators. Passwords are argon2 PHC strings; the store never sees a password.
CREATE TABLE operators (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    role           TEXT    NOT NULL,      -- owner, operator, viewer
    language       TEXT,                  -- zh, en; NULL: from the browser
    created_at     INTEGER NOT NULL,
    disabled_at    INTEGER
);
