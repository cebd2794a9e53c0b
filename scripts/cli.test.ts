/**
 * The command line as a user runs it (issue 22 item 11): the real process, `npm run cli` included,
 * against the real test database. Help is usage and exit 0; mistakes are one line and exit 2, with
 * no stack trace; an empty list says so; npm prints no warnings about the project's .npmrc.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables, testDatabaseUrl } from '#db/testing/test-database.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pool = createTestPool();

beforeAll(() => emptyTables(pool));
afterAll(() => pool.end());

/**
 * The environment of a user's shell: none of the npm_config_* variables that `npm test` or npx
 * hands down, and the test database.
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return { ...env, DATABASE_URL: testDatabaseUrl(), LINGWEI_DEBUG: undefined };
}

function cli(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env: { ...userEnvironment(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
    });
  });
}
const lingwei = (...args: string[]) => cli(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args]);

/** No stack trace: neither "at file:line" frames nor the source line Node prints above an uncaught error. */
const expectNoStack = (text: string) => {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(text).not.toMatch(/^\s*\^+\s*$/m);
};

describe('cli', () => {
  it('npm run cli -- --help prints the usage and exits 0, with no npm warnings', async () => {
    // Not --silent: that would hide npm's own warnings too.
    const help = await cli('npm', ['run', 'cli', '--', '--help']);
    expect(help.code, help.err).toBe(0);
    expect(help.out).toContain('usage: npm run cli -- <command> [options]');
    for (const command of ['import', 'ingest', 'quota', 'user']) expect(help.out).toContain(`  ${command} `);
    expect(help.err).not.toMatch(/npm warn/i);
  });

  it('-h and help <command> are help too; nothing at all or an unknown command is a usage mistake (exit 2)', async () => {
    expect((await lingwei('-h')).code).toBe(0);
    const ingest = await lingwei('help', 'ingest');
    expect([ingest.code, ingest.out.trim()]).toEqual([0, expect.stringMatching(/^usage: npm run cli -- ingest <ortho\.tif/)]);
    const unknown = await lingwei('frobnicate');
    expect([unknown.code, unknown.err.split('\n')[0]]).toEqual([2, 'unknown command: frobnicate']);
    expect((await lingwei()).code).toBe(2);
  });

  it('<command> --help prints that command\'s usage and exits 0, where it was a stack trace', async () => {
    for (const command of ['ingest', 'import', 'quota', 'user']) {
      const help = await lingwei(command, '--help');
      expect(help.code, help.err).toBe(0);
      expect(help.out).toMatch(new RegExp(`^usage: npm run cli -- ${command} `));
      expectNoStack(help.err);
    }
  });

  it('an unknown option or a missing value is one line and the usage, exit 2', async () => {
    const bogus = await lingwei('ingest', '--bogus', 'x.tif');
    expect([bogus.code, bogus.err.split('\n')[0]]).toEqual([2, "Unknown option '--bogus'"]);
    expect(bogus.err).toContain('usage: npm run cli -- ingest ');
    expectNoStack(bogus.err);
  });

  it('a missing file is one clear line and exit 2, for ingest (orthophoto or --dsm) and import', async () => {
    const ortho = await lingwei('ingest', '/nonexistent/ortho.tif');
    expect([ortho.code, ortho.err.trim()]).toEqual([2, '/nonexistent/ortho.tif: no such file or folder']);
    const dsm = await lingwei('ingest', path.join(ROOT, 'fixtures/scene/after_ortho.tif'), '--dsm', '/nonexistent/dsm.tif');
    expect([dsm.code, dsm.err.trim()]).toEqual([2, '/nonexistent/dsm.tif: no such file or folder']);
    const layer = await lingwei('import', 'baseline', '/nonexistent/buildings.gpkg');
    expect([layer.code, layer.err.trim()]).toEqual([2, '/nonexistent/buildings.gpkg: no such file or folder']);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM flight');
    expect(rows[0]!.n).toBe(0);
  });

  it('quota list says when there are no quotas, and refuses a year that is no year', async () => {
    const empty = await lingwei('quota', 'list');
    expect([empty.code, empty.out.trim()]).toEqual([0, expect.stringContaining('no quotas')]);
    const none2031 = await lingwei('quota', 'list', '--year', '2031');
    expect([none2031.code, none2031.out.trim()]).toEqual([0, 'no quotas for 2031']);
    const bad = await lingwei('quota', 'list', '--year', 'abc');
    expect([bad.code, bad.err.trim()]).toEqual([2, '--year must be a year such as 2026, not abc']);
  });

  it('a failure is one line naming the command, without a stack trace, exit 1', async () => {
    const down = await cli(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'quota', 'list'], { DATABASE_URL: 'postgres://lingwei:lingwei@127.0.0.1:1/nowhere' });
    expect(down.code).toBe(1);
    expect(down.err.trim().split('\n')).toHaveLength(1);
    expect(down.err).toMatch(/^quota failed: .*ECONNREFUSED/);
  });
});
