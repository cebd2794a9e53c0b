/**
 * The body of a file response: the file (or a byte range of it) for GET, nothing for HEAD.
 * fastify answers HEAD by running the GET handler and draining the stream it returns, which read
 * a multi-GB COG from disk for every GDAL /vsicurl/ open (GDAL starts with a HEAD request); an
 * empty stream keeps the Content-Length the handler set.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';

export function fileBody(request: FastifyRequest, file: string, range?: { start: number; end: number }): Readable {
  return request.method === 'HEAD' ? Readable.from([]) : fs.createReadStream(file, range);
}
