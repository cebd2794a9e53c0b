/** `cli import <kind> <file>`: loads a vector layer into its PostGIS table in one transaction. */
import { parseArgs } from 'node:util';
import { createPool } from '#db/connection.js';
import { IMPORT_KINDS, isImportKind } from '#pipeline/import/import-kinds.js';
import { ImportRejectedError, importLayer, type ImportReport } from '#pipeline/import/import-layer.js';
import { VectorSourceError } from '#pipeline/raster/vector-source.js';
import { mediumOf } from '#pipeline/raster-store.js';

export const IMPORT_USAGE =
  `import <${IMPORT_KINDS.join('|')}> <file.geojson|.gpkg|.shp> [--layer NAME] [--source NAME] ` +
  '[--survey-date YYYY-MM-DD] [--skip-invalid]';

export function describeImport(report: ImportReport): string {
  const lines = [
    `imported ${report.imported} of ${report.read} ${report.kind} feature(s) from ${report.file} ` +
      `(layer ${report.layer}, ${report.sourceCrs}) in ${report.seconds.toFixed(1)} s`,
  ];
  for (const p of report.repaired.slice(0, 10)) lines.push(`  repaired feature ${p.index}: ${p.reason}`);
  if (report.repaired.length > 10) lines.push(`  ... ${report.repaired.length - 10} more repaired`);
  for (const p of report.rejected.slice(0, 10)) lines.push(`  skipped feature ${p.index}: ${p.reason}`);
  if (report.rejected.length > 10) lines.push(`  ... ${report.rejected.length - 10} more skipped`);
  return lines.join('\n');
}

export async function runImportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      layer: { type: 'string' },
      source: { type: 'string' },
      'survey-date': { type: 'string' },
      'skip-invalid': { type: 'boolean', default: false },
    },
  });
  const [kind, file] = positionals;
  if (!kind || !file || positionals.length > 2) {
    console.error(`usage: npm run cli -- ${IMPORT_USAGE}`);
    return 2;
  }
  if (!isImportKind(kind)) {
    console.error(`unknown kind "${kind}": use one of ${IMPORT_KINDS.join(', ')}`);
    return 2;
  }
  // A file or folder GDAL opens; GDAL's virtual paths (/vsizip/..., /vsicurl/...) it checks itself.
  if (!mediumOf(file).mayExist(file)) {
    console.error(`${file}: no such file or folder`);
    return 2;
  }
  const pool = createPool();
  try {
    const report = await importLayer(pool, {
      kind,
      file,
      layer: values.layer,
      source: values.source,
      surveyDate: values['survey-date'],
      skipInvalid: values['skip-invalid'],
      onProgress: (read, total) => process.stderr.write(`\r  read ${read}${total ? ` / ${total}` : ''} features`),
    });
    process.stderr.write('\n');
    console.log(describeImport(report));
    return 0;
  } catch (error) {
    process.stderr.write('\n');
    if (error instanceof ImportRejectedError || error instanceof VectorSourceError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await pool.end();
  }
}
