/**
 * `npm run demo`: the main job on the bundled fixture scene (scripts/setup.sh has run before this):
 * load the scene's baseline, register, permits, zones and areas into PostGIS; start a pipeline
 * worker (its own process, as in production); take in the earlier flight as reference imagery and
 * the later flight as a patrol; wait for the pipeline; score the candidates against the scene's
 * ground truth and write the score as JSON; create the demo accounts; then serve the API and the
 * viewer (built by setup) until Ctrl-C. `--once` exits after scoring (for scripts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildApi } from '#api/server.js';
import { hashPassword } from '#api/auth/passwords.js';
import { createPool, databaseUrl } from '#db/connection.js';
import { upsertUser } from '#db/sql/users.js';
import { loadConfig } from '#pipeline/config.js';
import { takeInFlight } from '#pipeline/flight-intake.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { loadScene } from '#pipeline/import/load-scene.js';
import { ROLES } from '#domain/vocabulary.js';
import { scoreFlight } from './eval/score-flight.js';
import { describeImport } from './commands/import.js';
import { summariseFlight, waitForFlight } from './commands/ingest.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    scene: { type: 'string', default: path.join(ROOT, 'fixtures', 'scene') },
    once: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(ROOT, '.lingwei', 'demo', 'score.json') },
  },
});
const scene = values.scene!;
const manifest = JSON.parse(fs.readFileSync(path.join(scene, 'scene.json'), 'utf8')) as {
  dates: { before: string; after: string };
  flight_time_local: { before: string; after: string };
};
const capturedAt = (which: 'before' | 'after') => `${manifest.dates[which]}T${manifest.flight_time_local[which]}:00+08:00`;

const pool = createPool();
let serving = false;
const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'pipeline', 'src', 'worker.ts')], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: process.env,
});
try {
  console.log(`[demo] loading the scene ${path.relative(ROOT, scene) || scene} into ${databaseUrl()}`);
  for (const report of await loadScene(pool, scene)) console.log(`[demo] ${describeImport(report)}`);

  const config = loadConfig();
  const file = (name: string) => path.join(scene, name);
  console.log('[demo] the earlier flight (spring survey) as reference imagery');
  // The same files taken in again are the same flight (recognised by their SHA-256): its stored
  // results are shown, and the demo says so, since this code did not produce them.
  const takenBefore = (label: string, id: string) =>
    console.log(`[demo] ${label} was taken in before, as flight ${id}: shown as stored, not run again (docs/setup.md says how to run the demo afresh)`);
  const { flightId: before, duplicate: beforeAgain } = await takeInFlight(pool, config, { orthophoto: file('before_ortho.tif'), surfaceModel: file('before_dsm.tif'), capturedAt: capturedAt('before'), operator: 'demo', purpose: 'reference' });
  if (beforeAgain) takenBefore('the earlier flight', before);
  const beforeFlight = await waitForFlight(pool, before, `flight ${before} (reference)`);
  if (beforeFlight.status === 'failed') throw new Error(`reference flight failed: ${beforeFlight.failure_reason}`);

  console.log('[demo] the patrol flight (autumn) through the whole pipeline');
  const { flightId: after, duplicate: afterAgain } = await takeInFlight(pool, config, { orthophoto: file('after_ortho.tif'), surfaceModel: file('after_dsm.tif'), capturedAt: capturedAt('after'), operator: 'demo' });
  if (afterAgain) takenBefore('the patrol flight', after);
  const flight = await waitForFlight(pool, after, `flight ${after} (patrol)`);
  if (flight.status === 'failed') throw new Error(`patrol flight failed: ${flight.failure_reason}`);
  console.log(`[demo] flight ${after} done; drift corrected ${(flight.shift_dx_m ?? 0).toFixed(2)} m east, ${(flight.shift_dy_m ?? 0).toFixed(2)} m north`);
  console.log(await summariseFlight(pool, after));

  const score = await scoreFlight(pool, after, file('ground_truth.geojson'));
  fs.mkdirSync(path.dirname(values.out!), { recursive: true });
  fs.writeFileSync(values.out!, `${JSON.stringify({ flight: after, scene, ...score }, null, 2)}\n`);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`[demo] against the ground truth (${score.truths} true changes of at least ${score.minAreaM2} m², ${score.candidates} candidates):`);
  console.log(`[demo]   object precision ${pct(score.object.precision)}, recall ${pct(score.object.recall)}, F1 ${pct(score.object.f1)}` +
    ` (TP ${score.object.tp}, FP ${score.object.fp}, FN ${score.object.fn}); triage as expected for ${pct(score.triageAgreement)} of those found`);
  for (const [type, { found, total }] of Object.entries(score.recallByType)) console.log(`[demo]   ${type.padEnd(17)} found ${found} of ${total}`);
  console.log(`[demo] score written to ${values.out}`);

  const password = process.env.LINGWEI_DEMO_PASSWORD || 'lingwei-demo';
  const hash = await hashPassword(password);
  for (const role of ROLES) await upsertUser(pool, { username: role, role, passwordHash: hash });
  console.log(`[demo] accounts ${ROLES.join(', ')} (user name = role), password "${password}" (LINGWEI_DEMO_PASSWORD)`);

  if (!values.once) {
    const redis = createRedisConnection(config.redisUrl);
    const app = await buildApi({ pool, redis, cachePrefix: config.queuePrefix, pipeline: config });
    const port = Number(process.env.PORT ?? 8080);
    await app.listen({ host: '127.0.0.1', port });
    serving = true;
    console.log(`[demo] viewer at http://127.0.0.1:${port}/ (log in as reviewer, operator or assessor), API at http://127.0.0.1:${port}/api,`
      + ` OpenAPI at http://127.0.0.1:${port}/docs. Ctrl-C stops.`);
    process.on('SIGINT', () => void app.close().then(() => worker.kill('SIGTERM')).then(() => pool.end()).then(() => redis.disconnect()).then(() => process.exit(0)));
  }
} finally {
  if (!serving) {
    worker.kill('SIGTERM');
    await pool.end();
  }
}
