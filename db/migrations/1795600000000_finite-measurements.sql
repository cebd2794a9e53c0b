-- Up Migration
-- No measurement is ever stored as infinity or NaN (issue 21): a surface model holding infinities
-- gave candidates a height gain of Infinity, which PostgreSQL's JSON served as the string
-- "Infinity" and the viewer showed as "Infinity m". PostgreSQL orders NaN above Infinity, so
-- "below Infinity and above -Infinity" admits finite numbers only. Rows stored before are mended
-- first: an unknown height is NULL, an area is measured again from the outline.
CREATE FUNCTION lw_finite(v double precision) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT v IS NULL OR (v > '-Infinity'::float8 AND v < 'Infinity'::float8) $$;

UPDATE detection SET height_gain_m = NULL WHERE NOT lw_finite(height_gain_m);
UPDATE detection SET score = 0 WHERE NOT lw_finite(score);
UPDATE detection SET area_m2 = lw_area_m2(geom) WHERE NOT lw_finite(area_m2);
UPDATE candidate_observation SET height_gain_m = NULL WHERE NOT lw_finite(height_gain_m);
UPDATE candidate_observation SET score = NULL WHERE NOT lw_finite(score);
UPDATE candidate_observation SET area_m2 = lw_area_m2(geom) WHERE NOT lw_finite(area_m2);
UPDATE candidate SET height_gain_m = NULL WHERE NOT lw_finite(height_gain_m);
UPDATE candidate SET score = NULL WHERE NOT lw_finite(score);
UPDATE candidate SET area_m2 = lw_area_m2(geom) WHERE NOT lw_finite(area_m2);
UPDATE flight SET shift_dx_m = NULL, shift_dy_m = NULL WHERE NOT lw_finite(shift_dx_m) OR NOT lw_finite(shift_dy_m);
UPDATE flight SET gsd_m = NULL WHERE NOT lw_finite(gsd_m);

ALTER TABLE detection ADD CONSTRAINT detection_finite_measures
  CHECK (lw_finite(area_m2) AND lw_finite(score) AND lw_finite(height_gain_m));
ALTER TABLE candidate_observation ADD CONSTRAINT candidate_observation_finite_measures
  CHECK (lw_finite(area_m2) AND lw_finite(score) AND lw_finite(height_gain_m));
ALTER TABLE candidate ADD CONSTRAINT candidate_finite_measures
  CHECK (lw_finite(area_m2) AND lw_finite(score) AND lw_finite(height_gain_m));
ALTER TABLE flight ADD CONSTRAINT flight_finite_measures
  CHECK (lw_finite(shift_dx_m) AND lw_finite(shift_dy_m) AND lw_finite(gsd_m));

-- Down Migration
ALTER TABLE flight DROP CONSTRAINT IF EXISTS flight_finite_measures;
ALTER TABLE candidate DROP CONSTRAINT IF EXISTS candidate_finite_measures;
ALTER TABLE candidate_observation DROP CONSTRAINT IF EXISTS candidate_observation_finite_measures;
ALTER TABLE detection DROP CONSTRAINT IF EXISTS detection_finite_measures;
DROP FUNCTION IF EXISTS lw_finite(double precision);
