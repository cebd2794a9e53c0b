import { describe, expect, it } from 'vitest';
import { planBlocks } from './plan-blocks.js';

describe('planBlocks', () => {
  it('tiles the grid exactly with cores, each read with its margin', () => {
    const blocks = planBlocks({ width: 1200, height: 700 }, { blockPx: 512, marginPx: 64 });
    expect(blocks).toHaveLength(6);
    const covered = new Uint8Array(1200 * 700);
    for (const b of blocks) {
      for (let r = b.row; r < b.row + b.height; r += 1) for (let c = b.col; c < b.col + b.width; c += 1) covered[r * 1200 + c]! += 1;
      expect(b.readWidth).toBe(b.width + 128);
      expect(b.readCol).toBe(b.col - 64);
    }
    expect(covered.every((n) => n === 1)).toBe(true);
  });

  it('gives one block to a flight smaller than a block', () => {
    expect(planBlocks({ width: 400, height: 400 })).toEqual([
      { col: 0, row: 0, width: 400, height: 400, readCol: -64, readRow: -64, readWidth: 528, readHeight: 528 },
    ]);
  });
});
