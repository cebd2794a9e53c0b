/**
 * The files of an evaluation sub-folder by name without extension, so that A/x.jpg pairs with
 * label/x.png and dsm/x.TIF with mask_vec/x.geojson. Hidden files (".x", macOS's "._x") are
 * skipped; two files with one name (x.png and x.tif) are refused rather than one picked at random.
 */
import fs from 'node:fs';

/** File names in `dir` whose extension matches `extension`, keyed by the name without it. */
export function filesByStem(dir: string, extension: RegExp): Map<string, string> {
  const byStem = new Map<string, string>();
  for (const file of fs.readdirSync(dir).sort()) {
    if (file.startsWith('.') || !extension.test(file)) continue;
    const stem = file.slice(0, file.lastIndexOf('.'));
    const other = byStem.get(stem);
    if (other) throw new Error(`${dir}: ${other} and ${file} have the same name; keep one`);
    byStem.set(stem, file);
  }
  return byStem;
}
