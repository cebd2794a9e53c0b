/**
 * The README's "token from a shell" block (issue 22 item 6: a token from the user name and
 * password, with no login step), run as written by bash, curl and jq against the API listening on
 * a port, with the real database: it must end with a working 90-day bearer token.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { hashPassword } from './auth/passwords.js';
import { buildApi } from './server.js';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');
// Quotes and a backslash: the block must pass the password through as it is.
const PASSWORD = `it's a "pass\\word" 密码`;
const pool = createTestPool();
let app: FastifyInstance;
let address = '';
let dir = '';

beforeAll(async () => {
  await emptyTables(pool);
  await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: await hashPassword(PASSWORD) });
  app = await buildApi({ pool });
  address = await app.listen({ host: '127.0.0.1', port: 0 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-readme-token-'));
});
afterAll(async () => {
  await app.close();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The sh block after the marker comment. */
function readmeBlock(marker: string): string {
  const text = fs.readFileSync(README, 'utf8');
  const at = text.indexOf(`<!-- ${marker} -->`);
  expect(at, `README has no <!-- ${marker} --> block`).toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(at));
  return block![1]!;
}

describe('README: a bearer token from a shell', () => {
  it('mints a 90-day token with the user name and password, and the token works', async () => {
    // Only the address differs from the README: the test's API listens on a free port.
    const script = readmeBlock('token-from-a-shell').replace('API=http://127.0.0.1:8080', `API=${address}`);
    expect(script).toContain(`API=${address}`);
    const output = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const child = execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }));
      child.stdin!.end(`${PASSWORD}\n`);
    });
    expect(output.code, output.err).toBe(0);
    expect(JSON.parse(output.out.trim().split('\n').at(-1)!)).toMatchObject({ user: { username: 'reviewer', role: 'reviewer' } });
    expect(fs.existsSync(path.join(dir, 'cookies.txt'))).toBe(false);
    const { rows } = await pool.query<{ days: number; label: string }>(
      `SELECT round(extract(epoch FROM expires_at - created_at) / 86400)::int AS days, label FROM api_session WHERE kind = 'bearer'`);
    expect(rows).toEqual([{ days: 90, label: 'QGIS' }]);
  });
});
