-- An operator's mark on a message forgives the offences it brought (0021), found by their event.
CREATE INDEX offences_event ON offences (event_id);
