/**
 * Which layout a folder is in, decided from its sub-folders; a folder that is empty, missing or
 * in no known layout gets a message that says what was expected.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Layout } from './evaluate.js';

export const LAYOUT_HELP = [
  'expected one of:',
  '  pairs:          A/ (before), B/ (after), label/ (0/255 change masks), same file names (.png/.tif/.jpg/.bmp)',
  '  surface models: dsm/*.tif (Float32 heights, nodata set), mask/*.tif (building 0/1), mask_vec/*.geojson (building polygons, same CRS)',
  '  scenes:         folders written by the fixture generator (scene.json + GeoTIFFs + GeoJSON)',
].join('\n');

export function detectLayout(dir: string): Layout {
  if (!fs.existsSync(dir)) throw new Error(`${dir}: no such folder`);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
  const entries = fs.readdirSync(dir);
  if (!entries.length) throw new Error(`${dir}: the folder is empty\n${LAYOUT_HELP}`);
  const has = (name: string) => entries.includes(name) && fs.statSync(path.join(dir, name)).isDirectory();
  if (has('A') || has('B') || has('label')) return 'pairs';
  if (has('dsm') || has('mask_vec')) return 'surface';
  if (entries.includes('scene.json')) return 'scenes';
  if (entries.some((e) => fs.existsSync(path.join(dir, e, 'scene.json')))) return 'scenes';
  // A dataset's root (train/ val/ test/ each holding A/ B/ label/): name the folders to point at.
  const inner = entries.filter((e) => has(e) && ['A', 'dsm'].some((s) => fs.existsSync(path.join(dir, e, s))));
  const hint = inner.length ? `\npoint the evaluation at one of its sub-folders: ${inner.map((e) => path.join(dir, e)).join(', ')}` : '';
  throw new Error(`${dir}: not a layout the evaluation knows (found ${entries.slice(0, 6).join(', ')}${entries.length > 6 ? ', ...' : ''})${hint}\n${LAYOUT_HELP}`);
}
