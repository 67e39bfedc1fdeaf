-- A member's timeline across groups, newest first (the member page).
CREATE INDEX messages_member_time ON messages (member_id, time);
