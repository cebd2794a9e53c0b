/**
 * Serving model versions' ONNX sessions (issue 19) with the real networks, copied into a model
 * store as versions: a job's version stays open for as long as the job holds it, whatever is
 * promoted meanwhile; versions no one holds are closed once two newer ones have been asked for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordPromotion } from '../model-store.js';
import type { ChangeDetector } from './change-detector.js';
import { servedDetectors } from './served-detectors.js';
import { storeCopiedVersion } from './testing/store-version.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-served-detectors-'));
const store = path.join(dir, 'models');
// The promoted pointer decides: no MODEL_VERSION (vitest.config pins "shipped" for other tests).
const env = { MODEL_STORE: store };
storeCopiedVersion(store, 'office-1');
storeCopiedVersion(store, 'office-2');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const promote = (version: string) => recordPromotion(store, { version, forced: false, margin: 0.1 });
/** One blank chip through the main network: throws once the sessions are closed. */
const detectOneChip = async (d: ChangeDetector) => (await d.detectChips(new Float32Array(d.channels * d.spec.chip_px ** 2), 1)).length;

describe('served detectors', () => {
  it('keeps a version open for the job that holds it through two promotions, and closes it when that job lets go', async () => {
    fs.rmSync(path.join(store, 'promoted.json'), { force: true });
    const detectors = servedDetectors({ threads: 1, env });
    try {
      // Two jobs at once (WORKER_CONCURRENCY 2): the first detects with the version served when it started.
      const first = await detectors.hold();
      expect(first.version).toBe('shipped');
      promote('office-1');
      const second = await detectors.hold();
      promote('office-2');
      const third = await detectors.hold();
      expect([second.version, third.version]).toEqual(['office-1', 'office-2']);
      // The old code closed "shipped" here, as the third version was asked for: "Session already disposed".
      const chipValues = 2 * first.detector.spec.chip_px ** 2;
      expect(await detectOneChip(first.detector)).toBe(chipValues);
      expect(await detectOneChip(second.detector)).toBe(chipValues);
      expect(detectors.open()).toEqual(['shipped', 'office-1', 'office-2']);

      first.release();
      first.release(); // a second release does not take another job's hold
      // No one holds "shipped" and two newer versions were asked for: closed.
      expect(detectors.open()).toEqual(['office-1', 'office-2']);
      await new Promise((resolve) => setImmediate(resolve)); // the sessions are released a turn later
      await expect(detectOneChip(first.detector)).rejects.toThrow(/disposed/);
      // Released but among the last two asked: kept open for the flight's next job.
      second.release();
      third.release();
      expect(detectors.open()).toEqual(['office-1', 'office-2']);
      const again = await detectors.hold('office-1');
      expect(again.detector).toBe(second.detector); // reused, not opened again
      expect(await detectOneChip(again.detector)).toBe(chipValues);
      again.release();
    } finally {
      await detectors.close();
    }
  });

  it('counts every holder of a version: it stays open until the last one lets go', async () => {
    const detectors = servedDetectors({ threads: 1, env });
    try {
      const a = await detectors.hold('shipped');
      const b = await detectors.hold('shipped');
      expect(b.detector).toBe(a.detector);
      expect(detectors.holders('shipped')).toBe(2);
      for (const version of ['office-1', 'office-2']) (await detectors.hold(version)).release();
      a.release();
      expect(detectors.open()).toContain('shipped');
      expect(await detectOneChip(b.detector)).toBeGreaterThan(0);
      b.release();
      expect(detectors.holders('shipped')).toBe(0);
      expect(detectors.open()).toEqual(['office-1', 'office-2']);
    } finally {
      await detectors.close();
    }
  });

  it('refuses a version the store does not hold without closing what is open, and does not keep a version that failed to open', async () => {
    storeCopiedVersion(store, 'broken');
    fs.writeFileSync(path.join(store, 'versions', 'broken', 'change-detector.onnx'), 'not an ONNX file');
    const detectors = servedDetectors({ threads: 1, env });
    try {
      const held = await detectors.hold('office-1');
      (await detectors.hold('office-2')).release();
      await expect(detectors.hold('no-such-version')).rejects.toThrow(/no version no-such-version in the model store/);
      await expect(detectors.hold('broken')).rejects.toThrow(/cannot load the change-detection model/);
      expect(detectors.open()).toEqual(['office-1', 'office-2']);
      expect(detectors.holders('broken')).toBe(0);
      expect(await detectOneChip(held.detector)).toBeGreaterThan(0);
      held.release();
    } finally {
      await detectors.close();
    }
  });
});
