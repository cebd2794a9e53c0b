import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('docker-compose.yml', () => {
  it('is a valid compose file with PostGIS, Redis (AOF), the API and a scalable worker', () => {
    // Debian's docker-compose validates without an engine; setup.sh installs it.
    execFileSync('docker-compose', ['config', '-q'], { cwd: ROOT });
    const services = execFileSync('docker-compose', ['config', '--services'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(services.sort()).toEqual(['api', 'migrate', 'postgis', 'redis', 'worker']);
    const config = execFileSync('docker-compose', ['config'], { cwd: ROOT, encoding: 'utf8' });
    expect(config).toContain('--appendonly');
    // A worker with a fixed container name or host port could not be scaled with --scale worker=N.
    const worker = config.slice(config.indexOf('\n  worker:'));
    expect(worker).not.toMatch(/container_name|ports:/);
  });
});
