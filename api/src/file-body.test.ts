import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { fileBody } from './file-body.js';

const asRequest = (method: string) => ({ method }) as FastifyRequest;

async function bytesOf(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe('fileBody', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-body-')), 'cog.tif');
  fs.writeFileSync(file, 'abcdefghij');

  it('streams the file, or a byte range of it, for GET', async () => {
    expect((await bytesOf(fileBody(asRequest('GET'), file))).toString()).toBe('abcdefghij');
    expect((await bytesOf(fileBody(asRequest('GET'), file, { start: 2, end: 4 }))).toString()).toBe('cde');
  });

  it('does not open the file at all for HEAD', async () => {
    // A path that does not exist: opening it would fail.
    expect((await bytesOf(fileBody(asRequest('HEAD'), `${file}.missing`))).length).toBe(0);
    await expect(bytesOf(fileBody(asRequest('GET'), `${file}.missing`))).rejects.toThrow(/ENOENT/);
  });
});
