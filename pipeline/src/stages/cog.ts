/**
 * The COG job: rewrites the uploaded orthophoto and surface model as full-resolution Cloud
 * Optimized GeoTIFFs with overviews (what the tile server, STAC and the next flight's comparison
 * read) unless an upload is one already, and records them. It is a job of its own in the flight's
 * flow (queue/flight-flow.ts), after the detection chain in the queue's order, because at drone
 * resolution it is most of a flight's CPU time and nothing the candidates need comes from it:
 * ingest's reduced rasters serve detection. The flight is done when both have ended.
 */
import type pg from 'pg';
import { inTransaction } from '#db/connection.js';
import { getFlight, lockFlightUnlessFailed, upsertFlightAsset, type AssetRow } from '#db/sql/flights.js';
import { groundResolutionM, type AssetRole } from '../core/flight-checks.js';
import { decodeReportingErrors } from '../raster/gdal-child.js';
import { ensureFlightDir, FLIGHT_FILES, flightPath, mediumOf, removeFlightFiles } from '../raster-store.js';
import { inspectedUploads, needsWarp, pixelOptions, removeVrts, unreadableToTheEnd, warpedNorthUpMetric, withDeclaredFill, writeThroughChild } from './ingest.js';
import { claimCogOverviews, COG_BLOCK_PX, isUsableCog, removeCogOverviews } from './cog-sources.js';
import { inspectRaster, type InspectedRaster } from './inspect-raster.js';
import { COG_STAGE, FlightRejectedError, StageNotReadyError, type StageContext } from './stage.js';
import { surfaceHeights } from './surface-heights.js';

/**
 * COG creation options per role: JPEG for colour (as drone software ships), lossless for heights.
 * Heights use DEFLATE at level 1: with the floating-point predictor the file is no larger than at
 * the default level 6 (75.9 against 76.6 MB for the bench's 1 km² surface model) and encoding
 * takes a fifth less CPU; every GeoTIFF reader reads DEFLATE, which ZSTD (faster still) cannot claim.
 */
export function cogCreationOptions(role: AssetRole): string[] {
  const common = ['-of', 'COG', '-co', 'OVERVIEWS=AUTO', '-co', 'NUM_THREADS=2', '-co', `BLOCKSIZE=${COG_BLOCK_PX}`, '-co', 'RESAMPLING=AVERAGE'];
  if (role === 'surface_model') return [...common, '-co', 'COMPRESS=DEFLATE', '-co', 'LEVEL=1', '-co', 'PREDICTOR=YES'];
  return [...common, '-co', 'COMPRESS=JPEG', '-co', 'QUALITY=90'];
}

/** Stores an upload that is already a usable COG under the COG's name: a hard link, or a copy. */
async function storeAsUploaded(role: AssetRole, upload: string, target: string): Promise<void> {
  // Every tile decoded once (overviews too, which ingest's reduced read does not decode), so that
  // a COG stored as uploaded fails with the operator's message if any of it is corrupt, as a
  // re-encoded one does: not later in the tile server.
  try {
    await decodeReportingErrors(upload);
  } catch (error) {
    throw unreadableToTheEnd(role, error);
  }
  await mediumOf(target).storeLocalFile(upload, target, true);
}

async function writeCog(role: AssetRole, upload: InspectedRaster, target: string, undeclaredFill: number | null): Promise<InspectedRaster> {
  if (isUsableCog(role, upload)) {
    await storeAsUploaded(role, upload.path, target);
    return upload;
  }
  // The overviews ingest made in its pass (stages/cog-sources.ts): the COG driver copies them
  // and decodes the upload once, instead of twice to make them itself.
  const withOverviews = claimCogOverviews(role, target);
  if (withOverviews) {
    try {
      await writeThroughChild(role, withOverviews, target, [...cogCreationOptions(role), ...(await pixelOptions(role, inspectRaster(withOverviews), withOverviews))]);
    } finally {
      removeCogOverviews(withOverviews);
    }
    return upload;
  }
  const declared = role === 'surface_model' && upload.nodata === null ? await withDeclaredFill(upload.path, target, undeclaredFill) : upload.path;
  const source = needsWarp(upload) ? await warpedNorthUpMetric(role, declared, target, upload) : declared;
  try {
    const meta = source === upload.path ? upload : inspectRaster(source);
    await writeThroughChild(role, source, target, [...cogCreationOptions(role), ...(await pixelOptions(role, meta, source))]);
  } finally {
    removeVrts(upload.path, source, declared);
  }
  return source === upload.path ? upload : inspectRaster(target);
}

function assetRow(role: AssetRole, uri: string, meta: InspectedRaster): AssetRow {
  const bytes = mediumOf(uri).storedBytes(uri);
  return {
    kind: role,
    role: 'cog',
    uri,
    sha256: null,
    bytes,
    width: meta.width,
    height: meta.height,
    band_count: meta.bandCount,
    data_type: meta.dataType,
    gsd_m: groundResolutionM(meta),
    crs: meta.crs,
  };
}

/**
 * The fill value the surface model does not declare: the one ingest declared in the reduced
 * raster (so the heights are not read a second time to find it), or, when the job runs before
 * ingest has written it (another worker took it at once), found by reading them.
 */
async function undeclaredFillOf(reducedUri: string | null, upload: InspectedRaster): Promise<number | null> {
  if (upload.nodata !== null) return null;
  if (reducedUri) return inspectRaster(reducedUri).nodata;
  return (await surfaceHeights(upload.path)).undeclaredFill;
}

export async function writeFlightCogs(ctx: StageContext, flightId: string): Promise<{ orthophoto: string; surfaceModel: string | null }> {
  const flight = await getFlight(ctx.pool, flightId);
  if (!flight) throw new FlightRejectedError(`Flight ${flightId} does not exist.`);
  // A flight rejected by ingest meanwhile has no uploads left to write.
  if (flight.status === 'failed') throw new FlightRejectedError(flight.failure_reason ?? 'The flight failed.');
  // Not before ingest's verdict (its reduced rasters recorded): an upload it rejects is not
  // written, and its folder is not made again after the failure has removed it.
  // A flight whose chain is past ingest without reduced rasters was ingested by a version before
  // them (a deploy between its stages): ingest's verdict is in, and the COG job would otherwise
  // wait for rows that never come.
  const pastIngest = flight.status === 'done' || (flight.stage !== null && flight.stage !== 'ingest' && flight.stage !== COG_STAGE);
  if (!pastIngest && !flight.assets.some((a) => a.kind === 'orthophoto' && a.role === 'reduced')) throw new StageNotReadyError(`flight ${flightId}: ingest has not accepted the uploads yet`);
  const { ortho, dsm } = inspectedUploads(flight.assets);
  ensureFlightDir(ctx.config.rasterStore, flightId);
  const orthoCog = flightPath(ctx.config.rasterStore, flightId, FLIGHT_FILES.orthophotoCog);
  const dsmCog = dsm ? flightPath(ctx.config.rasterStore, flightId, FLIGHT_FILES.surfaceModelCog) : null;
  await ctx.progress(0.05);
  // One after the other: the job runs after detection in a worker that holds the model, and each
  // write is a GDAL child with a cache of its own; at drone resolution two at once took the worker
  // and its children past 1 GB (1.28 GB for 1 km² at 3 cm). The COG writer compresses on two
  // threads, so one write alone keeps two cores busy most of the time.
  const orthoMeta = await writeCog('orthophoto', ortho, orthoCog, null);
  await ctx.progress(0.6);
  const dsmMeta = dsm && dsmCog ? await writeCog('surface_model', dsm, dsmCog, await undeclaredFillOf(flight.assets.find((a) => a.kind === 'surface_model' && a.role === 'reduced')?.uri ?? null, dsm)) : null;
  await ctx.progress(0.95);
  // Recorded under the flight's row lock: a flight that failed meanwhile (another stage of its
  // chain) gets no COGs recorded after its failure, and keeps no files, as a failed flight does.
  const failed = await inTransaction(ctx.pool, async (client: pg.PoolClient) => {
    const now = await lockFlightUnlessFailed(client, flightId);
    if (now.failed) return now;
    await upsertFlightAsset(client, flightId, assetRow('orthophoto', orthoCog, orthoMeta));
    if (dsmMeta && dsmCog) await upsertFlightAsset(client, flightId, assetRow('surface_model', dsmCog, dsmMeta));
    return null;
  });
  if (failed) {
    removeFlightFiles(ctx.config.rasterStore, flightId);
    throw new FlightRejectedError(failed.reason ?? 'The flight failed.');
  }
  return { orthophoto: orthoCog, surfaceModel: dsmCog };
}
