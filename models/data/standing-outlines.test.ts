import { describe, expect, it } from 'vitest';
import { gridForExtent } from '#pipeline/model/grid.js';
import { standingOutlines } from './standing-outlines.js';

/** A 20 x 20 m block at 1 m. */
const grid = gridForExtent([0, 0, 20, 20], 1);
const box = (x0: number, y0: number, x1: number, y1: number) => ({ type: 'Polygon' as const, coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] });

describe('standing outlines of a block', () => {
  const house = { source: 'baseline' as const, id: '1', heightM: 6, geometry: box(2, 2, 8, 8) };
  const shed = { source: 'register' as const, id: '7', heightM: null, geometry: box(12, 2, 16, 6) };

  it('keeps the known buildings and adds the standing reviewed structures after them', () => {
    const { features, removed } = standingOutlines(grid, [house, shed], [
      { candidateId: '30', label: 'standing', geometry: box(10, 12, 18, 18) },
      { candidateId: '31', label: 'negative', geometry: box(2, 12, 6, 16) },
    ]);
    expect(features.map((f) => [f.properties.source, f.properties.id, f.properties.height_m])).toEqual([['baseline', '1', 6], ['register', '7', null], ['reviewed', '30', null]]);
    expect(removed).toEqual([]);
  });

  it('drops a known building at least half covered by a confirmed demolition, and keeps one it only grazes', () => {
    const { features, removed } = standingOutlines(grid, [house, shed], [
      { candidateId: '40', label: 'gone', geometry: box(3, 3, 8, 8) }, // 25 of the house's 36 m²
      { candidateId: '41', label: 'gone', geometry: box(12, 2, 13, 6) }, // 4 of the shed's 16 m²
    ]);
    expect(features.map((f) => f.properties.id)).toEqual(['7']);
    expect(removed).toEqual(['baseline:1']);
  });

  it('leaves out outlines with no pixel on the block (they only touch its edge)', () => {
    const { features } = standingOutlines(grid, [{ ...house, geometry: box(20, 0, 30, 10) }], [{ candidateId: '50', label: 'standing', geometry: box(-10, 0, 0, 10) }]);
    expect(features).toEqual([]);
  });
});
