/**
 * Mirror averaging: mirrored planes golden in and out, a mirror undone by itself, and an average
 * that is the network's answer where the network has no handedness and the mean of its looks where
 * it has; then the shipped networks on their real ONNX files under a sidecar that gives the
 * aerial-tile network two looks (the opt-in MODEL_CARD.md measures), where it answers a mirrored
 * flight with its answer mirrored, and the image-pair network (one look) does not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeDetector } from './change-detector.js';
import { gridForExtent } from './grid.js';
import { mirrorAveraged, mirrorPlanes } from './mirror-chips.js';
import { chipsOf, DEFAULT_SPEC_PATH, ONNX_FIELD } from './model-spec.js';
import type { ChangeInputs, RgbInput } from './prepare.js';

// Two 3 x 3 planes (one chip of two channels, or two chips of one).
const PLANES = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90]);

function mirrored(leftRight: boolean, topBottom: boolean, src = PLANES): number[] {
  const out = new Float32Array(src.length);
  mirrorPlanes(src, out, 3, leftRight, topBottom);
  return [...out];
}

describe('mirrorPlanes', () => {
  it('mirrors every plane on its own, left-right, top-bottom or both', () => {
    expect(mirrored(true, false)).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7, 30, 20, 10, 60, 50, 40, 90, 80, 70]);
    expect(mirrored(false, true)).toEqual([7, 8, 9, 4, 5, 6, 1, 2, 3, 70, 80, 90, 40, 50, 60, 10, 20, 30]);
    expect(mirrored(true, true)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 90, 80, 70, 60, 50, 40, 30, 20, 10]);
    expect(mirrored(false, false)).toEqual([...PLANES]);
  });

  it('undoes itself', () => {
    for (const [leftRight, topBottom] of [[true, false], [false, true], [true, true]] as const) {
      expect(mirrored(leftRight, topBottom, Float32Array.from(mirrored(leftRight, topBottom)))).toEqual([...PLANES]);
    }
  });

  it('refuses values that are not whole planes', () => {
    expect(() => mirrorPlanes(new Float32Array(10), new Float32Array(10), 3, true, false)).toThrow(/not whole 3 x 3 planes/);
  });
});

describe('mirrorAveraged', () => {
  it('runs the network once per look and gives back the answer of a network without handedness', async () => {
    let runs = 0;
    const doubled = async (chips: Float32Array) => {
      runs += 1;
      return chips.map((v) => v * 2);
    };
    expect([...(await mirrorAveraged(PLANES, 3, 4, doubled))]).toEqual([...PLANES].map((v) => v * 2));
    expect(runs).toBe(4);
    runs = 0;
    expect([...(await mirrorAveraged(PLANES, 3, 1, doubled))]).toEqual([...PLANES].map((v) => v * 2));
    expect(runs).toBe(1);
  });

  it('averages the looks, each put back on the chip\'s pixels, where the network has a handedness', async () => {
    // A network that answers 1 on the left column of whatever it is shown and 0 elsewhere.
    const leftColumn = async (chips: Float32Array) => chips.map((_, i) => (i % 3 === 0 ? 1 : 0));
    const one = new Float32Array(9);
    // Two looks: the left column from the chip as it is, the right one from its mirror.
    expect([...(await mirrorAveraged(one, 3, 2, leftColumn))]).toEqual([0.5, 0, 0.5, 0.5, 0, 0.5, 0.5, 0, 0.5]);
    // Four looks: top-bottom mirrors see the left column again.
    expect([...(await mirrorAveraged(one, 3, 4, leftColumn))]).toEqual([0.5, 0, 0.5, 0.5, 0, 0.5, 0.5, 0, 0.5]);
  });
});

describe('mirrored looks on the shipped networks (real ONNX files)', () => {
  let detector: ChangeDetector;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-mirrors-'));
  beforeAll(async () => {
    // The shipped sidecar with two looks for the aerial-tile network, beside links to its files.
    const spec = JSON.parse(fs.readFileSync(DEFAULT_SPEC_PATH, 'utf8')) as Record<string, unknown> & { network_chips?: Record<string, unknown> };
    spec.network_chips = { ...spec.network_chips, aerial: { chip_px: 256, overlap_px: 48, mirrors: 2 } };
    for (const field of Object.values(ONNX_FIELD)) {
      const file = spec[field] as string | undefined;
      if (file) fs.symlinkSync(path.join(path.dirname(DEFAULT_SPEC_PATH), file), path.join(dir, file));
    }
    fs.writeFileSync(path.join(dir, 'change-detector.json'), JSON.stringify(spec));
    detector = await ChangeDetector.load({ specPath: path.join(dir, 'change-detector.json'), threads: 2, executionProvider: 'cpu' });
  }, 120_000);
  afterAll(async () => {
    await detector?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // 128 m at the model's 0.5 m: one 256 px chip, so the tiling is its own mirror image.
  const grid = gridForExtent([500_000, 3_450_000, 500_128, 3_450_128], 0.5);
  const side = grid.width;
  /** Paving on both dates; on the after date a tan roof left of the middle and a grey shed near the top left. */
  const image = (after: boolean, leftRight: boolean): RgbInput => {
    const bands = [new Uint8Array(side * side), new Uint8Array(side * side), new Uint8Array(side * side)] as const;
    for (let row = 0; row < side; row++) {
      for (let col = 0; col < side; col++) {
        const at = row * side + (leftRight ? side - 1 - col : col);
        const roof = after && row >= 90 && row < 150 && col >= 40 && col < 110;
        const shed = after && row >= 20 && row < 44 && col >= 20 && col < 60;
        const colour = roof ? [196, 160, 112] : shed ? [120, 124, 130] : [142 + ((row * 7 + col * 13) % 9), 140, 136];
        for (let band = 0; band < 3; band++) bands[band]![at] = colour[band]!;
      }
    }
    return { grid, bands };
  };
  const flight = (leftRight: boolean, withBaseline: boolean): ChangeInputs => ({
    afterRgb: image(true, leftRight),
    beforeRgb: image(false, leftRight),
    ...(withBaseline ? { baseline: [] } : {}),
  });
  /** How far the map of the mirrored flight is from the map of the flight, mirrored. */
  async function handedness(withBaseline: boolean): Promise<{ network: string; largest: number; highest: number }> {
    const options = { surfaceRise: false, buildingSplit: false } as const;
    const map = await detector.detectRaster(flight(false, withBaseline), options);
    const ofMirrored = await detector.detectRaster(flight(true, withBaseline), options);
    const back = new Float32Array(map.newProb.length);
    mirrorPlanes(ofMirrored.newProb, back, side, true, false);
    let largest = 0;
    let highest = 0;
    for (let i = 0; i < back.length; i++) {
      largest = Math.max(largest, Math.abs(back[i]! - map.newProb[i]!));
      highest = Math.max(highest, map.newProb[i]!);
    }
    return { network: map.network, largest, highest };
  }

  it('gives the aerial-tile network\'s map of a mirrored flight as its map mirrored, to the bit', async () => {
    expect(chipsOf(detector.spec, 'aerial').mirrors).toBe(2);
    const { network, largest, highest } = await handedness(true);
    expect(network).toBe('aerial');
    // The scene is not blank to it: the map has something to mirror.
    expect(highest).toBeGreaterThan(0.3);
    expect(largest).toBe(0);
  }, 120_000);

  it('leaves the image-pair network, one look a chip, with its own handedness', async () => {
    expect(chipsOf(detector.spec, 'pair').mirrors).toBe(1);
    const { network, largest } = await handedness(false);
    expect(network).toBe('pair');
    expect(largest).toBeGreaterThan(1e-3);
  }, 120_000);
});
