-- Up Migration
-- The daily sweep of unnamed evidence chips selects by age first; without this index it read every
-- chip (10-40 kB each, one or two per candidate observation) to find the few a failed flight left.
CREATE INDEX evidence_chip_stored_at_idx ON evidence_chip (stored_at);

-- Down Migration
DROP INDEX IF EXISTS evidence_chip_stored_at_idx;
