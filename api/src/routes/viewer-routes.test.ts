/** Serving the built viewer: index and assets with their caching, a clear page without a build, and the API's 404s untouched. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { useProblemErrors } from '../problem.js';
import { viewerRoutes } from './viewer-routes.js';

const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-viewer-dist-'));
afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));

async function serve() {
  const app = Fastify();
  useProblemErrors(app);
  await viewerRoutes(app, dist);
  return app;
}

describe('the viewer routes', () => {
  it('say how to build the viewer when there is no build', async () => {
    const app = await serve();
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build:viewer');
    await app.close();
  });

  it('serve a build made while the API runs: index revalidated, hashed assets cached for good', async () => {
    const app = await serve();
    fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><script src="/assets/index-abc.js"></script>');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
    const index = await app.inject({ url: '/' });
    expect([index.statusCode, index.headers['cache-control']]).toEqual([200, 'no-cache']);
    expect(index.body).toContain('/assets/index-abc.js');
    const asset = await app.inject({ url: '/assets/index-abc.js' });
    expect([asset.statusCode, asset.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable']);
    await app.close();
  });

  it('leave unknown paths to the API\'s problem+json 404', async () => {
    const app = await serve();
    for (const url of ['/api/nothing-here', '/assets/missing.js', '/../../etc/passwd']) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    await app.close();
  });
});
