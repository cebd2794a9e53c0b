/**
 * Loads a scene folder (the fixture generator's output, or any folder laid out the same way) into
 * PostGIS: admin areas first, because register entries are placed in their village.
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { ImportKind } from './import-kinds.js';
import { importLayer, type ImportReport } from './import-layer.js';

/** The scene's layer files, in the order they must be loaded. */
export const SCENE_LAYERS: ReadonlyArray<{ kind: ImportKind; file: string }> = [
  { kind: 'admin-areas', file: 'admin_areas.geojson' },
  { kind: 'baseline', file: 'baseline_buildings.geojson' },
  { kind: 'register', file: 'register.geojson' },
  { kind: 'permits', file: 'permits.geojson' },
  { kind: 'zones', file: 'zones.geojson' },
];

export async function loadScene(pool: pg.Pool, sceneDir: string, source = 'fixture-3d-survey'): Promise<ImportReport[]> {
  const missing = SCENE_LAYERS.filter((layer) => !fs.existsSync(path.join(sceneDir, layer.file)));
  if (missing.length) {
    throw new Error(`${sceneDir} is not a scene folder: missing ${missing.map((m) => m.file).join(', ')}`);
  }
  const reports: ImportReport[] = [];
  for (const layer of SCENE_LAYERS) {
    reports.push(await importLayer(pool, { kind: layer.kind, file: path.join(sceneDir, layer.file), source }));
  }
  return reports;
}
