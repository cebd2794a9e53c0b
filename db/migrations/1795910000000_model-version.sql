-- Up Migration
-- Which model-store version (issue 19) raised what: a detection run records the version that
-- served its flight (chosen when the flight is planned: the promoted one, or MODEL_VERSION), and
-- a candidate the version of the run that raised it. "shipped" is models/ itself; everything
-- detected before versions existed was.
ALTER TABLE detection_run ADD COLUMN model_version text NOT NULL DEFAULT 'shipped';
ALTER TABLE candidate ADD COLUMN model_version text;
UPDATE candidate SET model_version = 'shipped' WHERE first_flight_id IS NOT NULL;

-- Down Migration
ALTER TABLE candidate DROP COLUMN IF EXISTS model_version;
ALTER TABLE detection_run DROP COLUMN IF EXISTS model_version;
