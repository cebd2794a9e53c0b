-- Up Migration
-- Sessions and bearer tokens get a number, so that they can be listed and revoked one by one
-- without ever showing the secret's digest.
ALTER TABLE api_session ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY UNIQUE;

-- Failed logins per account name ('account:<name>') and per client address ('address:<ip>'), for
-- the back-off of api/src/auth/login-throttle.ts. Shared through the database so that every API
-- instance counts the same failures. Names that do not exist are counted too, so the answers of
-- real and unknown accounts stay alike.
CREATE TABLE login_throttle (
  key             text PRIMARY KEY,
  failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  last_failure_at timestamptz
);
-- Forgotten counts are swept by age.
CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure_at);

-- Down Migration
DROP TABLE IF EXISTS login_throttle;
ALTER TABLE api_session DROP COLUMN IF EXISTS id;
