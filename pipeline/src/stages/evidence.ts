/**
 * Evidence chips for the viewer: before and after crops around a candidate with its outline
 * drawn, encoded as WebP by sharp, named by the SHA-256 of the image. They are kept in the
 * database with the observation (see db/sql/candidates.ts), so any raster store works.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { EvidenceChip } from '#db/sql/evidence-chips.js';
import { gridForExtent, type Grid } from '../model/grid.js';
import { readOnGridAsync } from '../raster/read-on-grid.js';

/** Longest side of a chip, pixels. */
const CHIP_PX = 384;
/** Context shown around the outline, metres. */
const CONTEXT_M = 6;

export interface EvidenceChips {
  before: EvidenceChip | null;
  after: EvidenceChip;
}

function outlineSvg(rings: number[][][], grid: Grid, colour: string): Buffer {
  const [x0, dx, , y0, , dy] = grid.geoTransform;
  const paths = rings
    .map((ring) => `M${ring.map(([x, y]) => `${((x! - x0) / dx).toFixed(1)},${((y! - y0) / dy).toFixed(1)}`).join('L')}Z`)
    .join(' ');
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${grid.width}" height="${grid.height}">
    <path d="${paths}" fill="none" stroke="${colour}" stroke-width="2.5" stroke-linejoin="round"/></svg>`);
}

async function chip(uri: string, shift: { dx: number; dy: number }, grid: Grid, crs: string, rings: number[][][]): Promise<EvidenceChip> {
  const { bands, valid } = await readOnGridAsync(uri, grid, { bands: [1, 2, 3], shift, crs });
  const pixels = Buffer.alloc(grid.width * grid.height * 3);
  for (let i = 0; i < valid.length; i += 1) {
    for (let b = 0; b < 3; b += 1) pixels[i * 3 + b] = valid[i] ? Math.max(0, Math.min(255, Math.round(bands[b]![i]!))) : 40;
  }
  const image = await sharp(pixels, { raw: { width: grid.width, height: grid.height, channels: 3 } })
    .composite([{ input: outlineSvg(rings, grid, '#ff3b30') }])
    .webp({ quality: 82 })
    .toBuffer();
  return { digest: createHash('sha256').update(image).digest('hex'), mediaType: 'image/webp', image };
}

/**
 * Draws the chips of one candidate outline (`rings` in the flight's CRS, `after.crs` as WKT) from
 * this flight's orthophoto and, when there is one, the earlier image (warped if in another CRS).
 */
export async function drawEvidence(
  rings: number[][][],
  after: { uri: string; shift: { dx: number; dy: number }; gsd: number; crs: string },
  before: { uri: string; shift: { dx: number; dy: number } } | null,
): Promise<EvidenceChips> {
  const xs = rings[0]!.map((p) => p[0]!);
  const ys = rings[0]!.map((p) => p[1]!);
  const extent = [Math.min(...xs) - CONTEXT_M, Math.min(...ys) - CONTEXT_M, Math.max(...xs) + CONTEXT_M, Math.max(...ys) + CONTEXT_M] as const;
  const gsd = Math.max(after.gsd, Math.max(extent[2] - extent[0], extent[3] - extent[1]) / CHIP_PX);
  const grid = gridForExtent(extent, gsd);
  const [afterChip, beforeChip] = await Promise.all([chip(after.uri, after.shift, grid, after.crs, rings), before ? chip(before.uri, before.shift, grid, after.crs, rings) : null]);
  return { after: afterChip, before: beforeChip };
}
