-- Up Migration
-- Evidence chips (the before/after crops a reviewer looks at) live in the database, beside the
-- observation that shows them: written in the flight's raise transaction, so a failed flight
-- leaves none behind; readable by every API instance whatever the raster store (a directory or
-- /vsis3/, where the chips used to be skipped). Named by the SHA-256 of the image, so a stage
-- re-run, or two flights drawing the same crop, store it once. A chip is 10-40 kB of WebP.
CREATE TABLE evidence_chip (
  digest     text PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
  media_type text NOT NULL CHECK (media_type IN ('image/webp', 'image/jpeg')),
  image      bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Chips drawn before this were files in the raster store; their paths are not digests. The files
-- stay where they are, but are no longer served: their observations show no chip.
UPDATE candidate_observation SET evidence_before = NULL, evidence_after = NULL
 WHERE evidence_before IS NOT NULL OR evidence_after IS NOT NULL;
ALTER TABLE candidate_observation
  ADD CONSTRAINT candidate_observation_evidence_before_fkey FOREIGN KEY (evidence_before) REFERENCES evidence_chip (digest),
  ADD CONSTRAINT candidate_observation_evidence_after_fkey FOREIGN KEY (evidence_after) REFERENCES evidence_chip (digest);
COMMENT ON COLUMN candidate_observation.evidence_before IS 'the earlier image''s chip: evidence_chip.digest';
COMMENT ON COLUMN candidate_observation.evidence_after IS 'this flight''s chip: evidence_chip.digest';

-- Down Migration
ALTER TABLE candidate_observation
  DROP CONSTRAINT IF EXISTS candidate_observation_evidence_before_fkey,
  DROP CONSTRAINT IF EXISTS candidate_observation_evidence_after_fkey;
UPDATE candidate_observation SET evidence_before = NULL, evidence_after = NULL;
DROP TABLE IF EXISTS evidence_chip;
