-- Up Migration
-- The reduced rasters ingest makes of each upload in one pass (pipeline/src/stages/reduced-raster.ts,
-- issue 20): what detection and co-registration read, so that candidates never wait for the
-- full-resolution COGs, which are a job of their own.
ALTER TABLE flight_asset DROP CONSTRAINT flight_asset_role_check;
ALTER TABLE flight_asset ADD CONSTRAINT flight_asset_role_check CHECK (role IN ('upload', 'cog', 'reduced'));

-- Down Migration
DELETE FROM flight_asset WHERE role = 'reduced';
ALTER TABLE flight_asset DROP CONSTRAINT flight_asset_role_check;
ALTER TABLE flight_asset ADD CONSTRAINT flight_asset_role_check CHECK (role IN ('upload', 'cog'));
