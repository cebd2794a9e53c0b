import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SETUP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'setup.sh');

describe('scripts/setup.sh', () => {
  // npm test has just run setup, so this is the second run: it must find everything in place.
  it('is idempotent: a second run installs, starts and migrates nothing', () => {
    const output = execFileSync('bash', [SETUP], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined } });
    expect(output).toContain('[setup] Debian packages present');
    expect(output).toMatch(/PostgreSQL answers at .* \(left as it is\)/);
    expect(output).toMatch(/Redis answers at .* \(left as it is\)/);
    expect(output).toContain('[setup] npm packages up to date');
    expect(output).toContain('[migrate] schema up to date');
    expect(output).not.toMatch(/installing|started/);
  });

  it('refuses to touch a server the user configured that does not answer', () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync('bash', [SETUP], {
        encoding: 'utf8',
        stdio: 'pipe',
        env: { ...process.env, DATABASE_URL: 'postgres://someone:secret@127.0.0.1:1/elsewhere' },
      });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr).toContain('nothing answers at DATABASE_URL=postgres://someone:secret@127.0.0.1:1/elsewhere');
  });

  it('stops with the server\'s reason when a configured server answers but refuses the login (it went on to a migration stack trace)', () => {
    const url = 'postgres://lingwei:lingwei@127.0.0.1:5432/lingwei_no_such_database';
    let failure: { status: number; stdout: string; stderr: string } | undefined;
    try {
      execFileSync('bash', [SETUP], { encoding: 'utf8', stdio: 'pipe', env: { ...process.env, DATABASE_URL: url } });
    } catch (error) {
      failure = error as { status: number; stdout: string; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr).toContain(`PostgreSQL answers at ${url} but refuses the login`);
    expect(failure?.stderr).toContain('database "lingwei_no_such_database" does not exist');
    expect(failure?.stdout).not.toContain('npm packages');
  });
});
