/**
 * The viewer's build: viewer/ → viewer/dist, served by the API at /. Everything (maplibre-gl and
 * its CSS included) is bundled: the viewer makes no request outside the API. LINGWEI_BASEMAP_URL,
 * an XYZ raster template, adds an online basemap under the flights' imagery.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: '/',
  define: { __LINGWEI_BASEMAP__: JSON.stringify(process.env.LINGWEI_BASEMAP_URL ?? '') },
  worker: { format: 'es' },
  build: { outDir: path.join(root, 'dist'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  // `npx vite --config viewer/vite.config.ts` for development: the API on 8080 behind the dev server.
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  logLevel: 'warn',
});
