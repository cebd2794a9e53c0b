-- Up Migration
-- Patrol coverage (a village assessment's "full coverage") counts only the ground a flight's
-- detection actually examined: its planned blocks over valid pixels (issue 21). The orthophoto's
-- footprint alone counted a flight whose surface model held no heights, a reference flight that
-- is never searched, and the parts of a flight outside every imported area.
ALTER TABLE flight ADD COLUMN examined_area geometry(MultiPolygon, 4326);
CREATE INDEX flight_examined_area_idx ON flight USING gist (examined_area);
-- Flights done before: their footprint where detection ran at all (reference flights have no run).
UPDATE flight f SET examined_area = f.footprint
 WHERE f.status = 'done' AND f.footprint IS NOT NULL
   AND EXISTS (SELECT 1 FROM detection_run r WHERE r.flight_id = f.id);

-- Down Migration
DROP INDEX IF EXISTS flight_examined_area_idx;
ALTER TABLE flight DROP COLUMN IF EXISTS examined_area;
