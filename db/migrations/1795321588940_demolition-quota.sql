-- Up Migration
-- Yearly demolition quotas (拆违指标) per street/town (街镇): a target in m², in count, or both.
-- Reports measure each street's demolitions this year to date against it.
CREATE TABLE demolition_quota (
  id           bigserial PRIMARY KEY,
  street_id    bigint NOT NULL REFERENCES admin_area (id),
  year         integer NOT NULL CHECK (year BETWEEN 2000 AND 2099),
  target_m2    double precision CHECK (target_m2 > 0),
  target_count integer CHECK (target_count > 0),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (street_id, year),
  CHECK (target_m2 IS NOT NULL OR target_count IS NOT NULL)
);

-- Quotas are given to streets only; a district's is the sum of its streets'.
CREATE FUNCTION lw_quota_street_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM admin_area WHERE id = NEW.street_id AND level = 'street') THEN
    RAISE EXCEPTION 'demolition_quota: admin area % is not a street (街镇)', NEW.street_id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER demolition_quota_street_only BEFORE INSERT OR UPDATE ON demolition_quota
  FOR EACH ROW EXECUTE FUNCTION lw_quota_street_only();

-- Reports select by time: the audit trail by when, the register by demolition date.
CREATE INDEX review_event_at_idx ON review_event (at);
CREATE INDEX register_entry_demolished_on_idx ON register_entry (demolished_on) WHERE demolished_on IS NOT NULL;

-- Down Migration
DROP INDEX IF EXISTS register_entry_demolished_on_idx;
DROP INDEX IF EXISTS review_event_at_idx;
DROP TABLE IF EXISTS demolition_quota;
DROP FUNCTION IF EXISTS lw_quota_street_only();
