/**
 * Imports one vector layer (GeoJSON, GeoPackage, Shapefile, any CRS GDAL knows) into its table in
 * a single transaction. Features with unusable properties or geometries are listed with their
 * index and reason; unless `skipInvalid` is set, any such feature rolls the whole import back, so
 * a file is either imported completely or not at all. Re-importing a file updates rows by key.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type pg from 'pg';
import { inTransaction } from '#db/connection.js';
import { checkStagedGeometries, copyIntoStaging, createStaging, type StagedFeature } from '#db/sql/import-staging.js';
import { upsertBaselineFromImport } from '#db/sql/baseline-buildings.js';
import { upsertAdminAreasFromImport } from '#db/sql/admin-areas.js';
import { upsertRegisterFromImport } from '#db/sql/register.js';
import { upsertPermitsFromImport } from '#db/sql/planning-permits.js';
import { upsertZonesFromImport } from '#db/sql/sensitive-zones.js';
import { mapFeature, type ImportKind } from './import-kinds.js';
import { openVectorSource } from '../raster/vector-source.js';

export interface ImportOptions {
  kind: ImportKind;
  file: string;
  /** Layer name in a multi-layer file (GeoPackage). Default: the only layer, or the first. */
  layer?: string;
  /** Baseline only: the survey the buildings belong to. Default: the file's base name. */
  source?: string;
  /** Baseline only: survey date for features without a survey_date property. */
  surveyDate?: string;
  /** Import the usable features and list the rest, instead of rejecting the whole file. Default false. */
  skipInvalid?: boolean;
  /** Called every 10,000 features read. */
  onProgress?: (read: number, total: number | null) => void;
}

export interface FeatureProblem {
  index: number;
  reason: string;
}

export interface ImportReport {
  kind: ImportKind;
  file: string;
  layer: string;
  sourceCrs: string;
  read: number;
  imported: number;
  repaired: FeatureProblem[];
  rejected: FeatureProblem[];
  seconds: number;
}

/** Thrown when features cannot be imported and `skipInvalid` is off; nothing was written. */
export class ImportRejectedError extends Error {
  constructor(
    readonly file: string,
    readonly rejected: FeatureProblem[],
  ) {
    const shown = rejected.slice(0, 20).map((p) => `  feature ${p.index}: ${p.reason}`).join('\n');
    const more = rejected.length > 20 ? `\n  ... and ${rejected.length - 20} more` : '';
    super(
      `${path.basename(file)}: ${rejected.length} feature(s) cannot be imported; nothing was written.\n${shown}${more}\n` +
        'Fix them, or pass --skip-invalid to import the rest.',
    );
    this.name = 'ImportRejectedError';
  }
}

async function upsert(client: pg.PoolClient, options: ImportOptions, rejected: FeatureProblem[]): Promise<number> {
  switch (options.kind) {
    case 'baseline':
      return upsertBaselineFromImport(client, options.source ?? path.parse(options.file).name);
    case 'register':
      return upsertRegisterFromImport(client);
    case 'permits':
      return upsertPermitsFromImport(client);
    case 'zones':
      return upsertZonesFromImport(client);
    case 'admin-areas': {
      const { count, orphans } = await upsertAdminAreasFromImport(client);
      for (const orphan of orphans) rejected.push({ index: orphan.idx, reason: `parent_code ${orphan.parent} is not a known area` });
      return count;
    }
  }
}

export async function importLayer(pool: pg.Pool, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const source = openVectorSource(options.file, options.layer);
  const rejected: FeatureProblem[] = [];
  const firstIndexOfKey = new Map<string, number>();
  let read = 0;

  function* mappedFeatures(): Generator<StagedFeature> {
    for (const feature of source.features()) {
      read += 1;
      if (read % 10_000 === 0) options.onProgress?.(read, source.featureCount);
      if (!feature.wkb) {
        rejected.push({ index: feature.index, reason: 'feature has no geometry' });
        continue;
      }
      const geometryHash = createHash('sha1').update(feature.wkb).digest('hex').slice(0, 24);
      const outcome = mapFeature(options.kind, feature.properties, { geometryHash, surveyDate: options.surveyDate });
      if (!outcome.ok) {
        rejected.push({ index: feature.index, reason: outcome.reason });
        continue;
      }
      const earlier = firstIndexOfKey.get(outcome.feature.key);
      if (earlier !== undefined) {
        rejected.push({ index: feature.index, reason: `duplicate key ${outcome.feature.key} (also feature ${earlier})` });
        continue;
      }
      firstIndexOfKey.set(outcome.feature.key, feature.index);
      yield { index: feature.index, key: outcome.feature.key, attrs: outcome.feature.attrs, wkb: feature.wkb };
    }
  }

  try {
    return await inTransaction(pool, async (client) => {
      await createStaging(client);
      await copyIntoStaging(client, mappedFeatures());
      const verdicts = await checkStagedGeometries(client);
      const repaired = verdicts.filter((v) => v.verdict === 'repaired').map(({ index, reason }) => ({ index, reason }));
      rejected.push(...verdicts.filter((v) => v.verdict === 'rejected').map(({ index, reason }) => ({ index, reason })));
      const imported = await upsert(client, options, rejected);
      rejected.sort((a, b) => a.index - b.index);
      if (rejected.length && !options.skipInvalid) throw new ImportRejectedError(options.file, rejected);
      options.onProgress?.(read, source.featureCount);
      return {
        kind: options.kind,
        file: options.file,
        layer: source.layerName,
        sourceCrs: source.crsName,
        read,
        imported,
        repaired,
        rejected,
        seconds: (performance.now() - started) / 1000,
      };
    });
  } finally {
    source.close();
  }
}
