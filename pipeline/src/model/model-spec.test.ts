/**
 * The sidecar's chips: each network runs on its own chip side and overlap where the sidecar gives
 * them (network_chips), else on chip_px and overlap_px; a sidecar with unusable ones is refused
 * when it is read, not when a flight is half detected.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chipsOf, DEFAULT_SPEC_PATH, loadModelSpec } from './model-spec.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-model-spec-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const shipped = JSON.parse(fs.readFileSync(DEFAULT_SPEC_PATH, 'utf8')) as Record<string, unknown>;
const sidecarWith = (networkChips: unknown): string => {
  const file = path.join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ ...shipped, network_chips: networkChips }));
  return file;
};

describe('chips of each network', () => {
  it('gives the surface network its own chips and every other network the sidecar\'s, each one look a chip', () => {
    const spec = loadModelSpec();
    expect(chipsOf(spec, 'surface_only')).toEqual({ chip: 336, overlap: 32, mirrors: 1 });
    for (const network of ['main', 'aerial', 'pair'] as const) expect(chipsOf(spec, network)).toEqual({ chip: 256, overlap: 48, mirrors: 1 });
    // Without network_chips, every network runs on chip_px and overlap_px.
    expect(chipsOf({ chip_px: 256, overlap_px: 48 }, 'surface_only')).toEqual({ chip: 256, overlap: 48, mirrors: 1 });
  });

  it('refuses a network\'s chip that is not a multiple of the stride, or an overlap as wide as the chip', () => {
    expect(() => loadModelSpec(sidecarWith({ surface_only: { chip_px: 330, overlap_px: 32 } }))).toThrow(/network_chips\.surface_only\.chip_px must be a positive multiple of stride_px/);
    expect(() => loadModelSpec(sidecarWith({ aerial: { chip_px: 256, overlap_px: 256 } }))).toThrow(/network_chips\.aerial\.overlap_px must lie in \[0, chip_px\)/);
    expect(loadModelSpec(sidecarWith({ pair: { chip_px: 320, overlap_px: 0 } })).network_chips).toEqual({ pair: { chip_px: 320, overlap_px: 0 } });
  });

  it('gives a network the mirrored looks its chips name, one by default, and refuses a count it cannot take', () => {
    const spec = loadModelSpec(sidecarWith({ aerial: { chip_px: 256, overlap_px: 48, mirrors: 4 } }));
    expect(chipsOf(spec, 'aerial')).toEqual({ chip: 256, overlap: 48, mirrors: 4 });
    expect(chipsOf(spec, 'pair')).toEqual({ chip: 256, overlap: 48, mirrors: 1 });
    expect(() => loadModelSpec(sidecarWith({ pair: { chip_px: 256, overlap_px: 48, mirrors: 3 } }))).toThrow(/network_chips\.pair\.mirrors must be one of 1, 2, 4/);
  });
});
