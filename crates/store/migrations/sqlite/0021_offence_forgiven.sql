-- An offence an operator marked a mistake (*Not an ad* on its message): kept, with when and by
-- whom, and no longer counted on the member's ladder.
ALTER TABLE offences ADD COLUMN forgiven_at BIGINT;
ALTER TABLE offences ADD COLUMN forgiven_by TEXT;
