-- Up Migration
-- Login sessions of the viewer (cookie) and bearer tokens of scripts and GIS clients. Only a
-- SHA-256 of each secret is stored, so a database dump does not hand out sessions.
CREATE TABLE api_session (
  token_sha256 text PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('cookie', 'bearer')),
  label        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX api_session_user_idx ON api_session (user_id);

-- Down Migration
DROP TABLE IF EXISTS api_session;
