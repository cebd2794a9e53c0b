/**
 * Promotions from two processes at once (the API and `npm run model`, or two API requests) all
 * land in promoted.json: each read-modify-write holds the store's lock. Real processes on the
 * real filesystem. And where the store lies when the raster store is an object store (/vsis3/),
 * which has no folder beside it: a local one, from which workers read what is served.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { storeCopiedVersion } from './model/testing/store-version.js';
import { modelStoreDir, promotions, recordPromotion, rollback, servedSpecPath, servedVersion, SHIPPED, VERSION_SPEC } from './model-store.js';
import { tempDir } from './stages/testing/flight-files.js';

const MODEL_STORE_TS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'model-store.ts');
const dir = tempDir('model-store');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const EACH = 40;

/** A process that promotes EACH versions named `<prefix>-<i>` once `go` exists; resolves with its exit code. */
function promoter(store: string, prefix: string, go: string): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
    const fs = await import('node:fs');
    const { recordPromotion } = await import(${JSON.stringify(MODEL_STORE_TS)});
    while (!fs.existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < ${EACH}; i++) recordPromotion(${JSON.stringify(store)}, { version: ${JSON.stringify(prefix)} + '-' + i, forced: false, margin: null });
  `], { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve) => child.on('exit', resolve));
}

describe('promotions from two processes at once', () => {
  it('keeps every entry of both', async () => {
    const store = path.join(dir, 'models');
    const go = path.join(dir, 'go');
    const done = Promise.all([promoter(store, 'a', go), promoter(store, 'b', go)]);
    // Both start together once both have loaded the module.
    await new Promise((r) => setTimeout(r, 1500));
    fs.writeFileSync(go, '');
    expect(await done).toEqual([0, 0]);
    const versions = promotions(store).map((p) => p.version);
    expect(versions).toHaveLength(2 * EACH);
    expect(new Set(versions).size).toBe(2 * EACH);
    // Each entry names the one before it: no two read the same history.
    const history = promotions(store);
    history.slice(1).forEach((p, i) => expect(p.replaced).toBe(history[i]!.version));
    expect(fs.readdirSync(store).sort()).toEqual(['promoted.json']);
    expect(rollback(store)).toEqual({ from: versions.at(-1), to: versions.at(-2) });
  }, 30_000);
});

describe('the model store beside an object store', () => {
  const ROOT = path.resolve(path.dirname(MODEL_STORE_TS), '..', '..');
  const objectStore = '/vsis3/lingwei-rasters/flights';

  it('lies in a local folder, since an object store has none to sit beside; MODEL_STORE moves it', () => {
    expect(modelStoreDir({ RASTER_STORE: objectStore })).toBe(path.join(ROOT, '.lingwei', 'models'));
    expect(modelStoreDir({ RASTER_STORE: '/data/lingwei/rasters' })).toBe('/data/lingwei/models');
    expect(modelStoreDir({ RASTER_STORE: objectStore, MODEL_STORE: dir })).toBe(dir);
  });

  it('serves what is promoted there to workers whose rasters are in the object store; MODEL_VERSION pins another', () => {
    const store = path.join(dir, 'beside-object-store');
    const env = { RASTER_STORE: objectStore, MODEL_STORE: store };
    storeCopiedVersion(store, 'office-1');
    expect(servedVersion(env)).toBe(SHIPPED);
    recordPromotion(store, { version: 'office-1', forced: false, margin: 0.1 });
    expect(servedVersion(env)).toBe('office-1');
    expect(servedSpecPath(env)).toBe(path.join(store, 'versions', 'office-1', VERSION_SPEC));
    expect(servedVersion({ ...env, MODEL_VERSION: SHIPPED })).toBe(SHIPPED);
  });
});
