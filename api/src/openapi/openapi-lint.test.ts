/**
 * The OpenAPI document the API serves at /docs/json, linted by Redocly CLI (recommended rules) and
 * Spectral (spectral:oas), as a reviewer of the API would (issue 22 item 3): zero errors from both.
 * And the document tells the truth about security: every operation it says needs credentials
 * answers 401 without them, every one it says is public does not.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool } from '#db/testing/test-database.js';
import { tempDir } from '#pipeline/stages/testing/flight-files.js';
import { buildApi } from '../server.js';
import { TAGS } from './document.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const bin = (name: string) => path.join(ROOT, 'node_modules/.bin', name);
const pool = createTestPool();
const dir = tempDir('openapi-lint');
const file = path.join(dir, 'openapi.json');
let app: FastifyInstance;

interface Operation {
  operationId?: string; summary?: string; description?: string; tags?: string[]; security?: unknown[];
  parameters?: Array<{ in: string; name: string; style?: string; explode?: boolean; schema?: Record<string, unknown> }>;
  responses: Record<string, unknown>;
}
interface Document {
  servers?: Array<{ url: string }>; security?: unknown[]; tags?: Array<{ name: string }>;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string; in?: string }> };
  paths: Record<string, Record<string, Operation>>;
}
let document: Document;
const operations = () => Object.entries(document.paths).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ path: p, method, op })));

beforeAll(async () => {
  app = await buildApi({ pool, config: { publicBaseUrl: 'https://lingwei.example.org' } });
  const response = await app.inject({ url: '/docs/json' });
  expect(response.statusCode).toBe(200);
  document = response.json();
  fs.writeFileSync(file, response.body);
});
afterAll(async () => {
  await app.close();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs a linter that exits non-zero when it finds errors; its JSON report either way. */
async function lint(command: string, args: string[]): Promise<string> {
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  return run(command, args, { cwd: ROOT, env, maxBuffer: 1 << 24 }).then(({ stdout }) => stdout, (error: Error & { stdout?: string; stderr?: string }) => {
    if (!error.stdout?.trim()) throw new Error(`${command} failed: ${error.stderr ?? error.message}`);
    return error.stdout;
  });
}

describe('the OpenAPI document, linted', () => {
  it('has no error from Redocly CLI (recommended rules)', async () => {
    const report = JSON.parse(await lint(bin('redocly'), ['lint', file, '--config', 'api/src/openapi/redocly.yaml', '--format', 'json', '--max-problems', '1000'])) as
      { problems: Array<{ severity: string; ruleId: string; message: string; location: Array<{ pointer: string }> }> };
    const errors = report.problems.filter((p) => p.severity === 'error');
    const warnings = report.problems.filter((p) => p.severity === 'warn');
    console.info(`redocly lint: ${errors.length} errors, ${warnings.length} warnings (${[...new Set(warnings.map((w) => w.ruleId))].join(', ')})`);
    expect(errors.map((e) => `${e.ruleId}: ${e.message} at ${e.location[0]?.pointer}`)).toEqual([]);
  }, 60_000);

  it('has no error from Spectral (spectral:oas)', async () => {
    const report = JSON.parse(await lint(bin('spectral'), ['lint', file, '--ruleset', 'api/src/openapi/spectral.yaml', '--format', 'json', '--quiet'])) as
      Array<{ severity: number; code: string; message: string; path: string[] }>;
    const errors = report.filter((p) => p.severity === 0);
    const warnings = report.filter((p) => p.severity === 1);
    console.info(`spectral lint: ${errors.length} errors, ${warnings.length} warnings (${[...new Set(warnings.map((w) => w.code))].join(', ')})`);
    expect(errors.map((e) => `${e.code}: ${e.message} at ${e.path.join('.')}`)).toEqual([]);
  }, 60_000);
});

describe('what the document declares', () => {
  it('names the three ways to authenticate, logged in by default, and the public base URL as server', () => {
    expect(document.components?.securitySchemes).toEqual({
      bearerToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      basicToken: expect.objectContaining({ type: 'http', scheme: 'basic' }),
      sessionCookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'lingwei_session' }),
    });
    expect(document.security).toEqual([{ bearerToken: [] }, { basicToken: [] }, { sessionCookie: [] }]);
    expect(document.servers).toEqual([expect.objectContaining({ url: 'https://lingwei.example.org' })]);
  });

  it('gives every operation a unique operationId, a summary, declared tags and problem+json errors', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const declaredTags = new Set(TAGS.map((t) => t.name));
    for (const { path: p, method, op } of operations()) {
      const where = `${method} ${p}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(op.summary, where).toBeTruthy();
      expect(op.description, where).toMatch(op.security?.length === 0 ? /Public: no credentials needed\.$/ : /(Roles: [a-z, ]+ \(and admin\)|Role: admin)\.$/);
      expect(op.tags?.filter((t) => !declaredTags.has(t)), where).toEqual([]);
      if (op.security?.length !== 0) {
        expect(op.responses['401'], where).toMatchObject({ content: { 'application/problem+json': { schema: { required: ['type', 'title', 'status'] } } } });
      }
    }
  });

  it('writes bbox as a form-style array of four numbers, and OGC API\'s limit with its maximum', () => {
    const parameters = operations().flatMap(({ path: p, op }) => (op.parameters ?? []).map((parameter) => ({ path: p, parameter })));
    const bboxes = parameters.filter(({ parameter }) => parameter.in === 'query' && parameter.name === 'bbox');
    expect(bboxes.length).toBeGreaterThan(5);
    for (const { parameter } of bboxes) {
      expect(parameter).toMatchObject({ style: 'form', explode: false, schema: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'number' } } });
    }
    const limits = parameters.filter(({ parameter }) => parameter.in === 'query' && parameter.name === 'limit');
    expect(limits.filter(({ parameter }) => typeof parameter.schema?.maximum !== 'number').map(({ path: p }) => p)).toEqual([]);
    expect(limits.find(({ path: p }) => p === '/ogc/collections/candidates/items')?.parameter.schema?.maximum).toBe(10_000);
  });

  it('is true about security: an operation said to need credentials answers 401 without them, a public one does not', async () => {
    const mismatched: string[] = [];
    for (const { path: p, method, op } of operations()) {
      if (method === 'options') continue; // answered by CORS-style handling of the upload protocol
      const url = p.replace(/\{[^}]+\}/g, '1');
      const response = await app.inject({ method: method.toUpperCase() as 'GET', url });
      const needsLogin = op.security?.length !== 0;
      if (needsLogin !== (response.statusCode === 401)) mismatched.push(`${method} ${p}: documented ${needsLogin ? 'login' : 'public'}, answered ${response.statusCode}`);
    }
    expect(mismatched).toEqual([]);
  }, 60_000);
});
