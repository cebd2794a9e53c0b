-- Up Migration
-- The foundation schema. Geometries are stored in lon/lat (EPSG:4326); areas and distances are
-- computed in UTM zone 51N (EPSG:32651), whose scale error over Shanghai (120.9-122.2 E) is below
-- 0.01%, far inside the 0.5% the office needs. Every geometry column has a GiST index.

CREATE EXTENSION IF NOT EXISTS postgis;

-- The metric CRS for Shanghai, in one place so that every area and distance agrees.
CREATE FUNCTION lw_metric(g geometry) RETURNS geometry
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT ST_Transform(g, 32651) $$;

CREATE FUNCTION lw_area_m2(g geometry) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT ST_Area(ST_Transform(g, 32651)) $$;

-- Administrative areas: district (区) > street/town (街镇) > village/community (居村).
CREATE TABLE admin_area (
  id          bigserial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  level       text NOT NULL CHECK (level IN ('district', 'street', 'village')),
  name        text NOT NULL,
  name_en     text,
  parent_id   bigint REFERENCES admin_area (id),
  geom        geometry(MultiPolygon, 4326) NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_area_geom_idx ON admin_area USING gist (geom);
CREATE INDEX admin_area_parent_idx ON admin_area (parent_id);

-- The area of `lvl` that contains a point on the surface of g: how rows without a village code
-- (register entries, candidates) are placed in their street and village.
CREATE FUNCTION lw_admin_area_at(g geometry, lvl text) RETURNS bigint
  LANGUAGE sql STABLE STRICT PARALLEL SAFE
  AS $$ SELECT id FROM admin_area WHERE level = lvl AND ST_Intersects(geom, ST_PointOnSurface(g))
        ORDER BY id LIMIT 1 $$;

-- The 3D baseline: what is legally there, enough to rasterise a height model.
CREATE TABLE baseline_building (
  id            bigserial PRIMARY KEY,
  source        text NOT NULL,              -- survey or file the building came from
  source_key    text NOT NULL,              -- the feature's id in that source (or a geometry hash)
  footprint     geometry(MultiPolygon, 4326) NOT NULL,
  height_m      real NOT NULL CHECK (height_m >= 0 AND height_m < 700), -- roof top above ground
  ground_elev_m real,                       -- ground elevation above the vertical datum
  roof_type     text,
  survey_date   date NOT NULL,
  area_m2       real NOT NULL,
  imported_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, source_key)
);
CREATE INDEX baseline_building_footprint_idx ON baseline_building USING gist (footprint);

-- The stock register of illegal buildings (存量违建台账).
CREATE TABLE register_entry (
  id             bigserial PRIMARY KEY,
  external_id    text NOT NULL UNIQUE,
  footprint      geometry(MultiPolygon, 4326) NOT NULL,
  area_m2        real NOT NULL,
  -- the four categories of deferred stock (暂缓保留): 公共服务, 生产加工经营仓储, 设施设备, 个人居住
  category       text CHECK (category IN ('public_service', 'production_business_storage',
                                          'facilities_equipment', 'personal_residence')),
  -- the three disposal measures: 登记 registration, 承诺 commitment, 注记 annotation
  measure        text CHECK (measure IN ('registration', 'commitment', 'annotation')),
  status         text NOT NULL DEFAULT 'stock' CHECK (status IN ('stock', 'deferred', 'demolished')),
  street_id      bigint REFERENCES admin_area (id),
  village_id     bigint REFERENCES admin_area (id),
  registered_on  date,
  demolished_on  date,
  last_safety_inspection date,              -- 三年一轮"双检测"
  notes          text,
  imported_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX register_entry_footprint_idx ON register_entry USING gist (footprint);
CREATE INDEX register_entry_village_idx ON register_entry (village_id);

-- Planning permits (规划许可): construction inside a valid one is not a violation.
CREATE TABLE planning_permit (
  id          bigserial PRIMARY KEY,
  permit_no   text NOT NULL UNIQUE,
  geom        geometry(MultiPolygon, 4326) NOT NULL,
  valid_from  date NOT NULL,
  valid_to    date NOT NULL,
  holder      text,
  description text,
  imported_at timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_to >= valid_from)
);
CREATE INDEX planning_permit_geom_idx ON planning_permit USING gist (geom);

-- Sensitive zones: safety-hazard areas (Jing'an item 26) and historic protected buildings (item 3).
CREATE TABLE sensitive_zone (
  id          bigserial PRIMARY KEY,
  zone_key    text NOT NULL UNIQUE,
  kind        text NOT NULL CHECK (kind IN ('river_bank', 'lake_bank', 'elevated_road', 'railway',
                                            'factory_warehouse', 'commercial_rooftop',
                                            'historic_protected_building')),
  name        text,
  geom        geometry(MultiPolygon, 4326) NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sensitive_zone_geom_idx ON sensitive_zone USING gist (geom);

-- Users and roles.
CREATE TABLE app_user (
  id            bigserial PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  display_name  text,
  role          text NOT NULL CHECK (role IN ('operator', 'reviewer', 'assessor', 'admin')),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz
);

-- Flights (航飞/架次) and their assets.
CREATE TABLE flight (
  id             bigserial PRIMARY KEY,
  kind           text NOT NULL DEFAULT 'drone' CHECK (kind IN ('drone', 'aerial_tiles')),
  status         text NOT NULL DEFAULT 'uploaded'
                 CHECK (status IN ('uploaded', 'queued', 'processing', 'done', 'failed')),
  stage          text,                      -- current pipeline stage, for progress
  progress       real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
  captured_at    timestamptz,
  operator       text,
  uploaded_by    bigint REFERENCES app_user (id),
  footprint      geometry(MultiPolygon, 4326),  -- valid pixels of the orthophoto
  gsd_m          real,
  source_crs     text,
  shift_dx_m     real,                      -- co-registration shift applied (metres, east)
  shift_dy_m     real,                      -- (metres, north)
  failure_reason text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'failed' OR failure_reason IS NOT NULL)
);
CREATE INDEX flight_footprint_idx ON flight USING gist (footprint);
CREATE INDEX flight_captured_idx ON flight (captured_at);

CREATE TABLE flight_asset (
  id            bigserial PRIMARY KEY,
  flight_id     bigint NOT NULL REFERENCES flight (id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('orthophoto', 'surface_model', 'tile_set')),
  role          text NOT NULL DEFAULT 'upload' CHECK (role IN ('upload', 'cog')),
  uri           text NOT NULL,              -- path in the raster store, or /vsis3/...
  sha256        text,
  bytes         bigint,
  width         integer,
  height        integer,
  band_count    integer,
  data_type     text,
  gsd_m         real,
  crs           text,
  footprint     geometry(MultiPolygon, 4326),
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (flight_id, kind, role)
);
CREATE INDEX flight_asset_footprint_idx ON flight_asset USING gist (footprint);

CREATE TABLE detection_run (
  id              bigserial PRIMARY KEY,
  flight_id       bigint NOT NULL REFERENCES flight (id) ON DELETE CASCADE,
  model_name      text NOT NULL,
  model_sha256    text,
  params          jsonb NOT NULL DEFAULT '{}',
  status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  chip_count      integer,
  candidate_count integer,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);
CREATE INDEX detection_run_flight_idx ON detection_run (flight_id);

-- Candidates (疑似违建图斑): flagged changes, carried from detection to demolition.
CREATE TABLE candidate (
  id             bigserial PRIMARY KEY,
  geom           geometry(MultiPolygon, 4326) NOT NULL,
  change_type    text NOT NULL CHECK (change_type IN ('new_structure', 'extension', 'rooftop_addition',
                                                      'added_floor', 'demolished')),
  -- pending: in the review queue; permitted / in_register / previously_rejected: set aside by triage
  status         text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'permitted', 'in_register', 'previously_rejected',
                                   'verified', 'rejected', 'scheduled', 'demolished',
                                   'demolition_confirmed', 'still_standing', 'merged')),
  priority       integer NOT NULL DEFAULT 0,
  triage         jsonb NOT NULL DEFAULT '{}',  -- permit numbers, register ids, zones, earlier rejections
  area_m2        real NOT NULL,
  height_gain_m  real,
  score          real,                         -- model confidence 0..1
  street_id      bigint REFERENCES admin_area (id),
  village_id     bigint REFERENCES admin_area (id),
  first_flight_id bigint REFERENCES flight (id),
  last_flight_id  bigint REFERENCES flight (id),
  first_seen_at  timestamptz,
  last_seen_at   timestamptz,
  merged_into    bigint REFERENCES candidate (id),
  version        integer NOT NULL DEFAULT 1,   -- optimistic concurrency: every change increments it
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidate_geom_idx ON candidate USING gist (geom);
CREATE INDEX candidate_status_priority_idx ON candidate (status, priority DESC);
CREATE INDEX candidate_village_idx ON candidate (village_id);

-- One row per flight that saw a candidate: the history across flights, with evidence chips.
CREATE TABLE candidate_observation (
  candidate_id     bigint NOT NULL REFERENCES candidate (id) ON DELETE CASCADE,
  flight_id        bigint NOT NULL REFERENCES flight (id) ON DELETE CASCADE,
  detection_run_id bigint REFERENCES detection_run (id),
  geom             geometry(MultiPolygon, 4326) NOT NULL,
  score            real,
  area_m2          real,
  height_gain_m    real,
  evidence_before  text,                       -- raster store paths of the evidence chips
  evidence_after   text,
  observed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (candidate_id, flight_id)
);
CREATE INDEX candidate_observation_geom_idx ON candidate_observation USING gist (geom);
CREATE INDEX candidate_observation_flight_idx ON candidate_observation (flight_id);

-- The audit trail: who did what, when and why. Append-only, enforced below.
CREATE TABLE review_event (
  id                bigserial PRIMARY KEY,
  candidate_id      bigint NOT NULL REFERENCES candidate (id),
  actor_id          bigint REFERENCES app_user (id),  -- null for the pipeline itself
  action            text NOT NULL CHECK (action IN ('raise', 'observe', 'triage', 'verify', 'reject',
                                                    'reopen', 'merge', 'schedule', 'mark_demolished',
                                                    'confirm_demolished', 'still_standing')),
  from_status       text,
  to_status         text,
  reason_code       text CHECK (reason_code IN ('false_detection', 'permitted_construction',
                                                'already_in_register', 'not_a_structure', 'other')),
  reason_text       text,
  candidate_version integer,
  payload           jsonb NOT NULL DEFAULT '{}',
  at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_event_candidate_idx ON review_event (candidate_id, at);

CREATE FUNCTION lw_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
END $$;
CREATE TRIGGER review_event_append_only BEFORE UPDATE OR DELETE ON review_event
  FOR EACH ROW EXECUTE FUNCTION lw_forbid_change();

-- Demolition schedules (已排期 -> 已拆除), with what a later flight confirmed.
CREATE TABLE demolition_schedule (
  id                 bigserial PRIMARY KEY,
  candidate_id       bigint NOT NULL REFERENCES candidate (id),
  scheduled_for      date NOT NULL,
  team               text NOT NULL,
  status             text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'done', 'cancelled')),
  created_by         bigint REFERENCES app_user (id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  demolished_at      timestamptz,
  confirmation       text CHECK (confirmation IN ('confirmed', 'still_standing')),
  confirmed_by_flight_id bigint REFERENCES flight (id)
);
-- At most one open schedule per candidate.
CREATE UNIQUE INDEX demolition_schedule_open_idx ON demolition_schedule (candidate_id)
  WHERE status = 'scheduled';
CREATE INDEX demolition_schedule_date_idx ON demolition_schedule (scheduled_for);

-- Stored reports: weekly diff reports, monthly/quarterly bulletins, village assessments.
CREATE TABLE stored_report (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('weekly', 'monthly', 'quarterly', 'village_assessment')),
  period_start date NOT NULL,
  period_end   date NOT NULL,
  area_id      bigint REFERENCES admin_area (id),
  content      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (period_end >= period_start)
);
CREATE UNIQUE INDEX stored_report_unique_idx
  ON stored_report (kind, period_start, COALESCE(area_id, 0));

-- Down Migration
DROP TABLE IF EXISTS stored_report, demolition_schedule, review_event, candidate_observation,
  candidate, detection_run, flight_asset, flight, app_user, sensitive_zone, planning_permit,
  register_entry, baseline_building, admin_area CASCADE;
DROP FUNCTION IF EXISTS lw_forbid_change(), lw_admin_area_at(geometry, text), lw_area_m2(geometry),
  lw_metric(geometry);
