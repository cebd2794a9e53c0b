/**
 * Golden tests: test/regularize/in/*.json are real GDAL polygonize outputs of known shapes at
 * 0.25 m with edge noise; test/regularize/out/*.json the expected regularised rings (REGEN=1 to
 * rewrite, then review the diff). Beside the golden check, properties that must hold whatever
 * the numbers: the area stays close to the true shape's, and orthogonal corners are right angles.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { minimumAreaRectangle, regularizeRing, ringArea, simplifyRing, type Ring } from './regularize.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test', 'regularize');
const TRUE_AREAS: Record<string, { area: number; shape: string }> = {
  'rectangle-rotated-17deg': { area: 120, shape: 'rectangle' },
  'small-shed-3x4': { area: 12, shape: 'rectangle' },
  'l-shape-rotated-20deg': { area: 16 * 6 + 6 * 10, shape: 'orthogonal' },
  't-shape-rotated-minus-35deg': { area: 18 * 5 + 5 * 11, shape: 'orthogonal' },
  'round-water-tank': { area: Math.PI * 3.2 ** 2, shape: 'simplified' },
};
const round = (ring: Ring) => ring.map(([x, y]) => [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000]);

describe('regularizeRing (golden)', () => {
  for (const file of fs.readdirSync(path.join(DIR, 'in')).sort()) {
    const name = file.replace(/\.json$/, '');
    it(name, () => {
      const { ring } = JSON.parse(fs.readFileSync(path.join(DIR, 'in', file), 'utf8')) as { ring: Ring };
      const result = regularizeRing(ring);
      const truth = TRUE_AREAS[name]!;
      expect(result.shape).toBe(truth.shape);
      expect(Math.abs(ringArea(result.ring) - truth.area) / truth.area).toBeLessThan(0.12);
      if (result.shape !== 'simplified') {
        const open = result.ring.slice(0, -1);
        open.forEach((p, i) => {
          const a = open[(i + open.length - 1) % open.length]!;
          const b = open[(i + 1) % open.length]!;
          const dot = (a[0] - p[0]) * (b[0] - p[0]) + (a[1] - p[1]) * (b[1] - p[1]);
          expect(Math.abs(dot) / (Math.hypot(a[0] - p[0], a[1] - p[1]) * Math.hypot(b[0] - p[0], b[1] - p[1]))).toBeLessThan(1e-6);
        });
      }
      const actual = { shape: result.shape, angle: Math.round(result.angle * 1e4) / 1e4, ring: round(result.ring) };
      const expectedFile = path.join(DIR, 'out', file);
      if (process.env.REGEN) fs.writeFileSync(expectedFile, `${JSON.stringify(actual)}\n`);
      expect(actual).toEqual(JSON.parse(fs.readFileSync(expectedFile, 'utf8')));
    });
  }
});

describe('geometry helpers', () => {
  it('minimumAreaRectangle finds a rotated rectangle exactly', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const ring: Ring = [[0, 0], [10, 0], [10, 4], [0, 4], [0, 0]].map(([x, y]) => [x! * c - y! * s, x! * s + y! * c]);
    expect(minimumAreaRectangle(ring).area).toBeCloseTo(40, 9);
  });
  it('simplifyRing keeps a square and drops collinear points', () => {
    const ring: Ring = [[0, 0], [5, 0.01], [10, 0], [10, 10], [0, 10], [0, 0]];
    expect(simplifyRing(ring, 0.1)).toEqual([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]);
  });
});
