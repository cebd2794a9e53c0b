/**
 * `npm run demo`: the main job on the bundled fixture scene (scripts/setup.sh has run before this).
 * Today it loads the scene into PostGIS and prints what is there; the detection pipeline adds
 * ingesting the later flight, scoring against the ground truth and serving the viewer.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createPool, databaseUrl } from '../db/connection.js';
import { loadScene } from '../pipeline/src/import/load-scene.js';
import { describeImport } from './commands/import.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    scene: { type: 'string', default: path.join(ROOT, 'fixtures', 'scene') },
  },
});

const pool = createPool();
try {
  console.log(`[demo] loading the scene ${path.relative(ROOT, values.scene!) || values.scene} into ${databaseUrl()}`);
  for (const report of await loadScene(pool, values.scene!)) console.log(`[demo] ${describeImport(report)}`);
  const { rows } = await pool.query(`
    SELECT a.level, a.code, a.name, a.name_en,
           (SELECT count(*) FROM baseline_building b WHERE ST_Intersects(a.geom, ST_PointOnSurface(b.footprint)))::int AS buildings,
           (SELECT count(*) FROM register_entry r WHERE r.village_id = a.id OR r.street_id = a.id)::int AS register_entries,
           round(lw_area_m2(a.geom) / 10000)::int AS hectares
      FROM admin_area a ORDER BY array_position(ARRAY['district','street','village'], a.level), a.code`);
  console.log('[demo] what is loaded, by administrative area:');
  console.table(rows);
  const { rows: totals } = await pool.query(`
    SELECT (SELECT count(*) FROM baseline_building)::int AS baseline_buildings,
           (SELECT round(sum(area_m2))::int FROM baseline_building) AS baseline_m2,
           (SELECT count(*) FROM register_entry)::int AS register_entries,
           (SELECT count(*) FROM planning_permit)::int AS permits,
           (SELECT count(*) FROM sensitive_zone)::int AS zones`);
  console.table(totals);
} finally {
  await pool.end();
}
