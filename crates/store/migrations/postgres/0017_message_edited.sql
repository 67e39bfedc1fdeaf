-- When a message was last edited by its author (Telegram, Matrix): the console marks it.
ALTER TABLE messages ADD COLUMN edited_at BIGINT;
