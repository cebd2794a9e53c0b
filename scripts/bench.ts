/**
 * `npm run bench`: runs every `*.bench.ts` beside the code (or those whose path contains one of
 * the arguments) and prints their figures. Each bench measures a reference in the same run and
 * prints the ratio, so figures compare across machines. Benches are never run by `npm test`.
 * Settings go by environment: BENCH_GSD (metres a pixel of the generated flight, default 0.1;
 * 0.03 for drone resolution) and BENCH_FLIGHT_KM (its side, default 1) for the pipeline bench.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = new Set(['node_modules', '.git', '.lingwei', 'dist']);

function findBenches(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findBenches(full);
    return entry.name.endsWith('.bench.ts') ? [full] : [];
  });
}

const filters = process.argv.slice(2);
const benches = findBenches(ROOT)
  .filter((file) => !filters.length || filters.some((f) => file.includes(f)))
  .sort();
if (!benches.length) {
  console.error(`no bench matches ${filters.join(' ')}`);
  process.exit(2);
}
for (const file of benches) {
  console.log(`\n=== ${path.relative(ROOT, file)}`);
  const bench = (await import(pathToFileURL(file).href)) as { default: () => Promise<void> };
  await bench.default();
}
// Every bench closes what it opened; exit anyway so a stray handle cannot hang the run.
process.exit(0);
