/**
 * POST /api/flights: makes a flight of completed uploads (an orthophoto, optionally a surface
 * model). The files are checked before anything is queued: a file that is not a usable raster
 * gets 422 with the reason, is removed, and leaves no flight row, so no worker ever sees it. A good pair is
 * taken in exactly as the CLI takes in files (pipeline/src/flight-intake.ts: copied into the
 * flight's folder, deduplicated by SHA-256, queued as one BullMQ flow); the uploads are then
 * removed, and the flight's progress is at GET /api/flights/:id and its /events.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { PipelineConfig } from '#pipeline/config.js';
import { takeInFlight } from '#pipeline/flight-intake.js';
import type { FlightCreated, NewFlight } from '../api-contract.js';
import { sendProblem } from '../problem.js';
import { checkUploadedRasters } from '../uploads/check-uploaded-rasters.js';
import { UPLOAD_ID_PATTERN, type StoredUpload, type UploadArea } from '../uploads/upload-area.js';
import { mayUseUpload } from '../uploads/upload-metadata.js';

const uploadId = { type: 'string', pattern: UPLOAD_ID_PATTERN, description: 'the id at the end of the tus upload URL' } as const;

export function flightCreateRoute(app: FastifyInstance, pool: pg.Pool, config: PipelineConfig, area: UploadArea | null): void {
  // Uploads being made into a flight right now: a second request for the same upload waits its turn.
  const inProgress = new Set<string>();

  app.post<{ Body: NewFlight; Reply: FlightCreated }>('/api/flights', {
    config: { roles: ['operator'] },
    schema: {
      tags: ['flights'],
      summary: 'Makes a flight of completed uploads and queues it for detection',
      body: {
        type: 'object', additionalProperties: false, required: ['orthophoto', 'captured_at'],
        properties: {
          orthophoto: uploadId,
          surface_model: uploadId,
          captured_at: { type: 'string', format: 'date-time', description: 'when the flight was flown, ISO 8601 with offset' },
          operator: { type: 'string', minLength: 1, maxLength: 100, description: 'the pilot (飞手), as a label' },
          purpose: { type: 'string', enum: ['patrol', 'reference'], default: 'patrol', description: 'reference: earlier imagery to compare against, not searched' },
        },
      },
    },
  }, async (request, reply) => {
    if (!area) return sendProblem(reply, 501, 'Uploads are not available', 'Set UPLOAD_DIR to a directory on the API machine to accept uploads.');
    const body = request.body;
    if (body.surface_model === body.orthophoto) {
      return sendProblem(reply, 400, 'The request is not valid', 'The orthophoto and the surface model must be two different uploads.');
    }
    const ids = [body.orthophoto, body.surface_model].filter((id): id is string => id !== undefined);
    const busy = ids.find((id) => inProgress.has(id));
    if (busy) return sendProblem(reply, 409, 'The upload is being made into a flight', `Upload ${busy} is being taken in by another request; look for the flight in GET /api/flights.`);
    ids.forEach((id) => inProgress.add(id));
    try {
      const uploads: StoredUpload[] = [];
      const sums: string[] = [];
      for (const id of ids) {
        const upload = await area.find(id);
        if (!upload || !mayUseUpload(request.user!, upload.metadata)) {
          return sendProblem(reply, 404, 'No such upload', `Upload ${id} does not exist, was cancelled, or was already made into a flight.`);
        }
        if (!upload.complete) {
          return sendProblem(reply, 409, 'The upload is not complete', `Upload ${id} has ${upload.offset} of ${upload.size ?? 'an undeclared number of'} bytes: resume it, then create the flight.`);
        }
        // Normally verified as the last byte arrived; done here if the API stopped in between.
        const verified = await area.verify(upload);
        if ('problem' in verified) return sendProblem(reply, 422, 'Checksum mismatch', verified.problem);
        uploads.push(upload);
        sums.push(verified.sha256);
      }
      const [ortho, dsm] = uploads as [StoredUpload, StoredUpload | undefined];
      const { problems, refused } = await checkUploadedRasters({ orthophoto: ortho.path, surfaceModel: dsm?.path }, config.workLimits);
      if (problems.length) {
        // A refused file can never make a flight: removed now rather than at the week's expiry, so
        // a stream of bad multi-GB uploads cannot fill the disk. The operator uploads a corrected one.
        const removed = refused.map((role) => (role === 'orthophoto' ? ortho : dsm!).id);
        for (const id of removed) await area.remove(id);
        const detail = `${problems.join(' ')} The refused upload${removed.length > 1 ? 's were' : ' was'} removed: upload the corrected file${removed.length > 1 ? 's' : ''}.`;
        return sendProblem(reply, 422, 'These files cannot make a flight', detail, { problems, removed });
      }

      const { flightId, duplicate } = await takeInFlight(pool, config, {
        orthophoto: ortho.path,
        surfaceModel: dsm?.path,
        capturedAt: body.captured_at,
        operator: body.operator,
        purpose: body.purpose,
        uploadedBy: request.user!.id,
        // Verified when the last byte arrived, and on the store's disk: neither hashed nor copied again.
        sha256: { orthophoto: sums[0], surfaceModel: sums[1] },
        link: true,
      });
      for (const upload of uploads) await area.remove(upload.id);
      const url = `/api/flights/${flightId}`;
      return reply.code(duplicate ? 200 : 201).header('location', url).send({ id: flightId, url, events: `${url}/events`, duplicate });
    } finally {
      ids.forEach((id) => inProgress.delete(id));
    }
  });
}
