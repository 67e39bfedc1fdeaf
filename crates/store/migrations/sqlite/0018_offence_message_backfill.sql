-- Offences recorded before 0016 learn the platform message they are about from the message their
-- event stored, so that an edit of a message caught before the upgrade is not counted again.
-- (An offence on an edit stored no message row of its own: it stays without one.)
UPDATE offences
SET message = (SELECT m.platform_message_id FROM messages m WHERE m.event_id = offences.event_id)
WHERE message IS NULL;
