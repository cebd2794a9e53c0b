-- Up Migration
-- Which flight the "before" evidence chip of an observation was cut from (issue 22 item 8): a
-- reviewer must see the flight number and capture date on each image. The raise stage records it
-- as it draws the chip; rows from before this get the flight the same rule chose then (earlierFlight:
-- the newest earlier finished flight over the same ground, preferring one covering most of it),
-- among the flights that existed when the row was written (one uploaded later, even if flown
-- earlier, cannot be what the chip was cut from).
ALTER TABLE candidate_observation ADD COLUMN before_flight_id bigint REFERENCES flight (id) ON DELETE SET NULL;
UPDATE candidate_observation o SET before_flight_id = (
  SELECT e.id FROM flight f
    JOIN flight e ON e.id <> f.id AND e.status = 'done' AND e.captured_at < f.captured_at AND ST_Intersects(e.footprint, f.footprint)
                 AND e.created_at < o.observed_at
   WHERE f.id = o.flight_id
   ORDER BY ST_Area(ST_Intersection(e.footprint, f.footprint)) / NULLIF(ST_Area(f.footprint), 0) > 0.5 DESC, e.captured_at DESC
   LIMIT 1)
 WHERE o.evidence_before IS NOT NULL;

-- Down Migration
ALTER TABLE candidate_observation DROP COLUMN IF EXISTS before_flight_id;
