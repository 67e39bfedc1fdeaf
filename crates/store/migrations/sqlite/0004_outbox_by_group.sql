-- The group page lists the bot's actions in one group, newest first.
CREATE INDEX outbox_chat ON outbox (platform, chat, id);
