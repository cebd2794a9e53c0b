/**
 * Resumable uploads of flight rasters by the tus protocol (https://tus.io), at /api/uploads:
 * POST creates an upload (Upload-Length, Upload-Metadata), PATCH appends bytes at an offset, HEAD
 * tells how much has arrived so a client can resume after a broken connection, DELETE cancels.
 * Bytes stream to the uploads area of the raster store chunk by chunk, never held in memory.
 *
 * The routes live in their own plugin scope whose only body parser passes the request stream on
 * untouched, so fastify never reads a tus body; authentication (the app's onRequest hook) and
 * roles apply as on every route. Uploads are private to the operator who made them.
 */
import { Server, type Upload } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../problem.js';
import { UPLOAD_ID_PATTERN, type UploadArea } from '../uploads/upload-area.js';
import { acceptClientMetadata, MetadataProblem, mayUseUpload } from '../uploads/upload-metadata.js';

export const UPLOADS_PATH = '/api/uploads';

/**
 * The authenticated uploader travels to tus's hooks (which see tus's own request object, not
 * fastify's) in this request header; any value a client sends in it is replaced first.
 */
const UPLOADER_HEADER = 'x-lingwei-uploader';

/** Sets the uploader header to the authenticated user (tus reads the raw header list), dropping any the client sent. */
function passUploader(request: FastifyRequest): void {
  const raw = request.raw;
  const kept: string[] = [];
  for (let i = 0; i < raw.rawHeaders.length; i += 2) {
    if (raw.rawHeaders[i]!.toLowerCase() !== UPLOADER_HEADER) kept.push(raw.rawHeaders[i]!, raw.rawHeaders[i + 1]!);
  }
  raw.rawHeaders = request.user ? [...kept, UPLOADER_HEADER, request.user.id] : kept;
  // The parsed header map too: which of the two tus reads first is the library's business.
  delete raw.headers[UPLOADER_HEADER];
  if (request.user) raw.headers[UPLOADER_HEADER] = request.user.id;
}

/**
 * The upload id of a tus request: the last segment of the URL's path, never of its query string
 * (tus's default reads the whole URL, so `<own id>?x=/<other id>` would reach another upload
 * after the ownership check passed on the path's id).
 */
export function uploadIdOf(url: string): string | undefined {
  const last = new URL(url, 'http://localhost').pathname.split('/').pop();
  return last && last !== UPLOADS_PATH.split('/').pop() ? decodeURIComponent(last) : undefined;
}

/** An error tus answers with its status and body (tus responses are plain text by the protocol). */
class TusRefusal extends Error {
  constructor(readonly status_code: number, readonly body: string) {
    super(body);
  }
}

/** tus's status for a checksum that does not match (the checksum extension's 460). */
const CHECKSUM_MISMATCH = 460;

export function createTusServer(area: UploadArea, maxBytes: number): Server {
  return new Server({
    path: UPLOADS_PATH,
    datastore: area.store,
    maxSize: maxBytes,
    // A relative Location works behind any proxy; tus clients resolve it against the endpoint.
    relativeLocation: true,
    // No cross-origin access: the viewer uploads from the API's own origin, and tus's default
    // (Access-Control-Allow-Origin: *) would let any page's script read the answers.
    allowedOrigins: () => false,
    getFileIdFromRequest: (req) => uploadIdOf(req.url),
    async onUploadCreate(req, upload) {
      try {
        return { metadata: acceptClientMetadata(upload.metadata, req.headers.get(UPLOADER_HEADER) ?? '') };
      } catch (error) {
        if (error instanceof MetadataProblem) throw new TusRefusal(400, `${error.message}\n`);
        throw error;
      }
    },
    // The checksum is verified as the last byte arrives, so a damaged upload is refused while the
    // client still has the file at hand.
    async onUploadFinish(_req, upload: Upload) {
      const stored = await area.find(upload.id);
      if (!stored) throw new TusRefusal(404, 'The upload disappeared before it could be checked.\n');
      const verified = await area.verify(stored);
      if ('problem' in verified) throw new TusRefusal(CHECKSUM_MISMATCH, `Checksum mismatch: ${verified.problem}\n`);
      return {};
    },
  });
}

/** How often the API looks for abandoned uploads, ms. */
const SWEEP_EVERY_MS = 3600_000;

export function uploadRoutes(app: FastifyInstance, area: UploadArea | null, maxBytes: number, expiryHours: number): void {
  const tus = area ? createTusServer(area, maxBytes) : null;
  if (area) {
    // Abandoned uploads (never made into a flight) are removed at start and every hour after.
    const sweep = () => void area.removeAbandoned(expiryHours).then(
      (ids) => ids.length && app.log.info({ uploads: ids }, 'removed abandoned uploads'),
      (error: unknown) => app.log.error(error, 'could not remove abandoned uploads'),
    );
    app.addHook('onReady', async () => sweep());
    const timer = setInterval(sweep, SWEEP_EVERY_MS).unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  const handle = async (request: FastifyRequest<{ Params: { id?: string } }>, reply: FastifyReply) => {
    if (!area || !tus) {
      return sendProblem(reply, 501, 'Uploads are not available', 'The raster store is an object store (/vsis3/); set UPLOAD_DIR to a directory on the API machine to accept uploads.');
    }
    const { id } = request.params;
    if (id) {
      const upload = await area.find(id);
      // Another operator's upload is answered like a missing one: ids are not to be probed.
      if (!upload || !mayUseUpload(request.user!, upload.metadata)) {
        return sendProblem(reply, 404, 'No such upload', `Upload ${id} does not exist, was cancelled, or was already made into a flight. Start a new upload.`);
      }
    }
    passUploader(request);
    // tus writes its answer itself, past fastify's onSend: the browser headers go on first.
    reply.raw.setHeader('x-content-type-options', 'nosniff');
    reply.raw.setHeader('x-frame-options', 'DENY');
    reply.hijack();
    await tus.handle(request.raw, reply.raw);
  };

  const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: UPLOAD_ID_PATTERN } } } as const;
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.route({
      method: 'POST',
      url: UPLOADS_PATH,
      config: { roles: ['operator'] },
      schema: { tags: ['uploads'], summary: 'Creates a resumable upload (tus): headers Tus-Resumable, Upload-Length, Upload-Metadata (filename, sha256)' },
      handler: handle,
    });
    scope.route({
      method: ['HEAD', 'PATCH', 'DELETE'],
      url: `${UPLOADS_PATH}/:id`,
      config: { roles: ['operator'] },
      schema: { tags: ['uploads'], summary: 'tus: HEAD tells the offset to resume at, PATCH appends bytes, DELETE cancels', params: idParams },
      handler: handle,
    });
    // tus's capability discovery (versions, extensions, the size limit) is public: it carries no data.
    scope.route({
      method: 'OPTIONS',
      url: UPLOADS_PATH,
      schema: { tags: ['uploads'], summary: 'tus: the server\'s protocol versions, extensions and size limit' },
      handler: handle,
    });
  });
}
