-- The platform message an offence is about (for an edit: the message it changed), so that one
-- message is one offence however often it is edited: a message caught once is not counted again.
ALTER TABLE offences ADD COLUMN message TEXT;
CREATE INDEX offences_group_message ON offences (group_id, message);
