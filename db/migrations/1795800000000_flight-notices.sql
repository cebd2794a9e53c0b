-- Up Migration
-- What the operator must know about a flight that ended "done" but whose result is doubtful
-- (issue 21): it does not match its reference (co-registration found no correlation), or it lies
-- outside every imported area (nothing was searched). Sentences, shown with the flight.
ALTER TABLE flight ADD COLUMN notices text[] NOT NULL DEFAULT '{}';

-- Down Migration
ALTER TABLE flight DROP COLUMN IF EXISTS notices;
