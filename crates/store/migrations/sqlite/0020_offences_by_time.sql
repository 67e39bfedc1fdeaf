-- The moderation page lists every group's offences newest first, a page at a time: an index in
-- that order, so that a page reads its 100 offences instead of all of them.
CREATE INDEX offences_time ON offences (time, id);
