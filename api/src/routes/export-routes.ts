/**
 * Downloads of candidates as GeoPackage, GeoJSON and CSV, with the filters of GET /api/candidates
 * (all matching rows, most urgent first, no paging). Rows come from the database in batches (one
 * snapshot): CSV and GeoJSON are streamed as they come; the GeoPackage is written by GDAL to a
 * temporary file, streamed, and removed once sent (or once the client goes away).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { countCandidates, exportCandidateBatches } from '#db/sql/candidate-reads.js';
import { attachment, exportFilename } from '../exports/attachment.js';
import { candidatesCsvChunks } from '../exports/csv.js';
import { candidatesGeoJsonChunks } from '../exports/geojson.js';
import { writeCandidatesGeoPackage } from '../exports/geopackage.js';
import { sendProblem } from '../problem.js';
import { CANDIDATE_FILTER_PROPERTIES, candidateFilterOf, type CandidateFilterQuery } from './candidate-query.js';

/** The most candidates one export carries; beyond it the filters must narrow the selection. */
export const EXPORT_MAX_ROWS = 100_000;

const FORMATS = {
  gpkg: 'application/geopackage+sqlite3',
  geojson: 'application/geo+json',
  csv: 'text/csv; charset=utf-8',
} as const;

export function exportRoutes(app: FastifyInstance, pool: pg.Pool): void {
  for (const format of Object.keys(FORMATS) as Array<keyof typeof FORMATS>) {
    app.get<{ Querystring: CandidateFilterQuery }>(`/api/exports/candidates.${format}`, {
      config: { roles: ['reviewer', 'assessor'] },
      schema: {
        tags: ['exports'],
        summary: `Candidates as ${format === 'gpkg' ? 'GeoPackage' : format === 'geojson' ? 'GeoJSON' : 'CSV (UTF-8 with BOM, lon/lat centroid and WKT)'}`,
        querystring: { type: 'object', additionalProperties: false, properties: CANDIDATE_FILTER_PROPERTIES },
      },
    }, async (request, reply) => {
      const filter = candidateFilterOf(request.query);
      if (typeof filter === 'string') return sendProblem(reply, 400, 'The request is not valid', filter);
      const matched = await countCandidates(pool, filter);
      if (matched > EXPORT_MAX_ROWS) {
        return sendProblem(reply, 422, 'Too many candidates for one export',
          `${matched} candidates match; one export carries at most ${EXPORT_MAX_ROWS}. Narrow it with bbox, street, village, status or dates.`);
      }
      reply.header('Content-Disposition', attachment(exportFilename('candidates', format, new Date()))).type(FORMATS[format]);
      // HEAD: the status and headers are known now; the rows (and a GeoPackage) would be thrown away.
      if (request.method === 'HEAD') return reply.send();
      const batches = exportCandidateBatches(pool, filter, EXPORT_MAX_ROWS);
      if (format === 'csv') return reply.send(Readable.from(candidatesCsvChunks(batches)));
      if (format === 'geojson') return reply.send(Readable.from(candidatesGeoJsonChunks(batches)));
      const folder = await mkdtemp(join(tmpdir(), 'lingwei-export-'));
      const removeFolder = () => void rm(folder, { recursive: true, force: true });
      try {
        const file = join(folder, 'candidates.gpkg');
        await writeCandidatesGeoPackage(file, batches);
        const stream = createReadStream(file);
        stream.on('close', removeFolder);
        return reply.send(stream);
      } catch (error) {
        removeFolder();
        throw error;
      }
    });
  }
}
