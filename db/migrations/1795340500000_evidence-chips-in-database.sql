-- Up Migration
-- Evidence chips (the before/after crops a reviewer looks at) live in the database, beside the
-- observations that name them: readable by every API instance whatever the raster store (a
-- directory or /vsis3/, where the chips used to be skipped). Named by the SHA-256 of the image, so
-- a stage re-run, or two flights drawing the same crop, store it once. A chip is 10-40 kB of WebP.
CREATE TABLE evidence_chip (
  digest     text PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
  media_type text NOT NULL CHECK (media_type IN ('image/webp', 'image/jpeg')),
  image      bytea NOT NULL,
  stored_at  timestamptz NOT NULL DEFAULT now()  -- last stored by a flight: chips no observation names are swept a day after
);

-- Chips drawn before this were files in the raster store; their paths are not digests. The files
-- stay where they are, but are no longer served: their observations show no chip.
UPDATE candidate_observation SET evidence_before = NULL, evidence_after = NULL
 WHERE evidence_before IS NOT NULL OR evidence_after IS NOT NULL;
ALTER TABLE candidate_observation
  ADD CONSTRAINT candidate_observation_evidence_before_fkey FOREIGN KEY (evidence_before) REFERENCES evidence_chip (digest),
  ADD CONSTRAINT candidate_observation_evidence_after_fkey FOREIGN KEY (evidence_after) REFERENCES evidence_chip (digest);
-- the sweep of unnamed chips, and deleting a chip, look up the observations naming it
CREATE INDEX candidate_observation_evidence_before_idx ON candidate_observation (evidence_before) WHERE evidence_before IS NOT NULL;
CREATE INDEX candidate_observation_evidence_after_idx ON candidate_observation (evidence_after) WHERE evidence_after IS NOT NULL;
COMMENT ON COLUMN candidate_observation.evidence_before IS 'the earlier image''s chip: evidence_chip.digest';
COMMENT ON COLUMN candidate_observation.evidence_after IS 'this flight''s chip: evidence_chip.digest';

-- Down Migration
DROP INDEX IF EXISTS candidate_observation_evidence_before_idx, candidate_observation_evidence_after_idx;
ALTER TABLE candidate_observation
  DROP CONSTRAINT IF EXISTS candidate_observation_evidence_before_fkey,
  DROP CONSTRAINT IF EXISTS candidate_observation_evidence_after_fkey;
UPDATE candidate_observation SET evidence_before = NULL, evidence_after = NULL;
DROP TABLE IF EXISTS evidence_chip;
