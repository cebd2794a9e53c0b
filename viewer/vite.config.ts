/**
 * The viewer's build: viewer/ → viewer/dist, served by the API at /. Everything (maplibre-gl and
 * its CSS included) is bundled: the viewer makes no request outside the API. An online basemap is
 * a run-time setting of the API (LINGWEI_BASEMAP_URL, GET /api/viewer-config), not of the build.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: '/',
  worker: { format: 'es' },
  build: { outDir: path.join(root, 'dist'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  // `npx vite --config viewer/vite.config.ts` for development: the API on 8080 behind the dev server.
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  logLevel: 'warn',
});
