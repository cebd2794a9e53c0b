import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One service's block of `docker-compose config`'s output (services are indented two spaces). */
function serviceBlock(config: string, name: string): string {
  const start = config.indexOf(`\n  ${name}:\n`);
  if (start < 0) throw new Error(`no service ${name}`);
  const rest = config.slice(start + 1);
  const end = rest.slice(1).search(/\n {2}\S|\n\S/);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

/** A Dockerfile stage's text, from its FROM line to the next. */
function dockerStage(dockerfile: string, name: string): string {
  const stages = dockerfile.split(/^(?=FROM )/m);
  const stage = stages.find((s) => new RegExp(`^FROM \\S+ AS ${name}\\b`).test(s));
  if (!stage) throw new Error(`no Dockerfile stage ${name}`);
  return stage;
}

describe('docker-compose.yml', () => {
  // Debian's docker-compose validates without an engine; setup.sh installs it.
  const config = execFileSync('docker-compose', ['config'], { cwd: ROOT, encoding: 'utf8' });

  it('is a valid compose file with PostGIS, Redis (AOF), the API, a scalable worker and a model worker', () => {
    execFileSync('docker-compose', ['config', '-q'], { cwd: ROOT });
    const services = execFileSync('docker-compose', ['config', '--services'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(services.sort()).toEqual(['api', 'migrate', 'model', 'postgis', 'redis', 'worker']);
    expect(config).toContain('--appendonly');
    // A worker with a fixed container name or host port could not be scaled with --scale worker=N.
    expect(serviceBlock(config, 'worker')).not.toMatch(/container_name|ports:/);
  });

  it('runs the adaptation queue in the model service, on the image with PyTorch, and never on the detection workers', () => {
    const model = serviceBlock(config, 'model');
    expect(model).toMatch(/command:\n {4}- npm\n {4}- run\n {4}- model\n {4}- --\n {4}- worker\n/);
    expect(model).toMatch(/target: model\n/);
    const worker = serviceBlock(config, 'worker');
    expect(worker).toMatch(/ADAPT_ON_DETECTION_WORKERS: '0'/);
    expect(worker).toMatch(/target: app\n/);
    // The service's command is one scripts/model.ts knows: given an argument it refuses it by name.
    const run = spawnSync('npx', ['tsx', 'scripts/model.ts', 'worker', 'extra'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr + run.stdout).toContain('worker takes no arguments');
    // The trainer runs in Python: only the model stage installs Debian's PyTorch.
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerStage(dockerfile, 'model')).toMatch(/^FROM app AS model\b[\s\S]*python3-torch/);
    expect(dockerStage(dockerfile, 'app')).not.toContain('python3-torch');
  });

  it('shares one model store between the API (promotes), the detection workers (serve) and the model worker (adapts)', () => {
    for (const name of ['api', 'worker', 'model']) {
      const service = serviceBlock(config, name);
      expect(service, name).toContain('MODEL_STORE: /data/models');
      expect(service, name).toMatch(/- models:\/data\/models/);
    }
    expect(config).toMatch(/\nvolumes:\n(?: {2}\S+:.*\n)*? {2}models: \{\}/);
  });
});
