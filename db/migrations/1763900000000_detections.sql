-- Up Migration
-- Pieces cut from a detection run's probability map by the vectorise stage, before classification
-- and triage turn them into candidates. Replaced as a whole when a run's vectorise stage re-runs.
CREATE TABLE detection (
  id               bigserial PRIMARY KEY,
  detection_run_id bigint NOT NULL REFERENCES detection_run (id) ON DELETE CASCADE,
  kind             text NOT NULL CHECK (kind IN ('new', 'demolished')),
  geom             geometry(MultiPolygon, 4326) NOT NULL,
  area_m2          real NOT NULL,
  score            real NOT NULL,            -- mean probability inside the piece
  height_gain_m    real,                     -- median surface-model height minus baseline height
  shape            text                      -- how regularisation shaped it: rectangle, orthogonal, simplified
);
CREATE INDEX detection_geom_idx ON detection USING gist (geom);
CREATE INDEX detection_run_idx ON detection (detection_run_id);

-- Down Migration
DROP TABLE IF EXISTS detection;
