-- Up Migration
-- A generation number per map layer, bumped by every statement that changes the layer's table,
-- whoever runs it (the API, a worker, an import). Tile caches key on it, so a cached tile can
-- never outlive the data it shows.
CREATE TABLE tile_layer_generation (
  layer      text PRIMARY KEY,
  generation bigint NOT NULL DEFAULT 0
);
INSERT INTO tile_layer_generation (layer) VALUES ('candidates'), ('baseline'), ('register'), ('villages'), ('flights');

CREATE FUNCTION lw_bump_tile_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tile_layer_generation SET generation = generation + 1 WHERE layer = TG_ARGV[0];
  RETURN NULL;
END $$;

CREATE TRIGGER candidate_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON candidate
  FOR EACH STATEMENT EXECUTE FUNCTION lw_bump_tile_generation('candidates');
CREATE TRIGGER baseline_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON baseline_building
  FOR EACH STATEMENT EXECUTE FUNCTION lw_bump_tile_generation('baseline');
CREATE TRIGGER register_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON register_entry
  FOR EACH STATEMENT EXECUTE FUNCTION lw_bump_tile_generation('register');
CREATE TRIGGER admin_area_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_area
  FOR EACH STATEMENT EXECUTE FUNCTION lw_bump_tile_generation('villages');
CREATE TRIGGER flight_tiles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON flight
  FOR EACH STATEMENT EXECUTE FUNCTION lw_bump_tile_generation('flights');

-- Down Migration
DROP TRIGGER IF EXISTS candidate_tiles ON candidate;
DROP TRIGGER IF EXISTS baseline_tiles ON baseline_building;
DROP TRIGGER IF EXISTS register_tiles ON register_entry;
DROP TRIGGER IF EXISTS admin_area_tiles ON admin_area;
DROP TRIGGER IF EXISTS flight_tiles ON flight;
DROP FUNCTION IF EXISTS lw_bump_tile_generation();
DROP TABLE IF EXISTS tile_layer_generation;
