/** Measuring an outline on real GeoTIFFs of a flight's detection output, as vectorise does. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeGeoTiff } from '../raster/index.js';
import { ensureFlightDir, flightPath } from '../raster-store.js';
import { HEIGHT_CHANGE_FILE, PROBABILITY_FILE } from './detect.js';
import { measurePiece } from './measure-piece.js';
import { tempDir } from './testing/flight-files.js';

const store = tempDir('measure');
afterAll(() => fs.rmSync(store, { recursive: true, force: true }));

describe('measurePiece', () => {
  it('measures the height gain from finite heights only: infinities in the height-change map never become "Infinity m"', () => {
    const [w, h, gsd, x0, y0] = [40, 40, 0.5, 350_000, 3_450_000];
    const geoTransform: [number, number, number, number, number, number] = [x0, gsd, 0, y0, 0, -gsd];
    ensureFlightDir(store, '1');
    writeGeoTiff(flightPath(store, '1', PROBABILITY_FILE), { width: w, height: h, bands: [new Uint8Array(w * h).fill(230), new Uint8Array(w * h)], geoTransform, srs: 32651 });
    // Most of the outline holds infinity (a broken surface model), the rest a 3 m gain.
    const heights = new Float32Array(w * h).map((_, i) => (i % 5 < 3 ? Number.POSITIVE_INFINITY : 3));
    writeGeoTiff(flightPath(store, '1', HEIGHT_CHANGE_FILE), { width: w, height: h, bands: [heights], geoTransform, srs: 32651, nodata: -9999 });
    const outline = [[[x0 + 5, y0 - 5], [x0 + 15, y0 - 5], [x0 + 15, y0 - 15], [x0 + 5, y0 - 15], [x0 + 5, y0 - 5]]];
    const measured = measurePiece(store, '1', [outline], gsd, 'new');
    expect(measured.medianHeightChangeM).toBe(3);
    expect(measured.meanProbability).toBeCloseTo(230 / 255, 3);
    expect(fs.existsSync(path.join(store, 'flights', '1', HEIGHT_CHANGE_FILE))).toBe(true);
  });
});
