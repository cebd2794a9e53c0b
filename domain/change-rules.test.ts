/**
 * Golden tests of the change rules: each test/change-rules/in/<case>.geojson holds one detected change and what
 * surrounds it (features tagged by `role`); test/change-rules/out/<case>.json is the expected classification
 * and triage. Regenerate on purpose with REGEN=1 and review the diff.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Feature, FeatureCollection } from 'geojson';
import { area } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { classifyChange, type Areal } from './classify-change.js';
import { triageChange } from './triage.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const IN = path.join(HERE, 'test', 'change-rules', 'in');
const OUT = path.join(HERE, 'test', 'change-rules', 'out');

type Props = Record<string, string | number>;

// Golden files are trusted test data: their properties are cast to the types the rules take.
const as = <T>(value: unknown) => value as T;

function run(collection: FeatureCollection<Areal, Props>) {
  const byRole = (role: string) => collection.features.filter((f: Feature<Areal, Props>) => f.properties.role === role);
  const [change] = byRole('change');
  if (!change) throw new Error('a golden case needs one feature with role "change"');
  const classification = classifyChange(
    { geometry: change.geometry, kind: as<'new' | 'demolished'>(change.properties.kind), heightGainM: as<number>(change.properties.heightGainM) },
    byRole('baseline').map((f) => ({ id: String(f.properties.id), geometry: f.geometry, heightM: Number(f.properties.heightM) })),
  );
  const triage = triageChange(
    {
      geometry: change.geometry,
      changeType: classification.changeType,
      areaM2: Math.round(area(change) * 10) / 10,
      heightGainM: Number(change.properties.heightGainM),
      observedOn: String(change.properties.observedOn),
    },
    {
      permits: byRole('permit').map((f) => as({ ...f.properties, geometry: f.geometry })),
      registerEntries: byRole('register').map((f) => as({ ...f.properties, geometry: f.geometry })),
      earlierRejections: byRole('rejection').map((f) => as({ ...f.properties, geometry: f.geometry })),
      zones: byRole('zone').map((f) => as({ ...f.properties, geometry: f.geometry })),
    },
  );
  return { classification: { ...classification, overlapWithBaseline: Math.round(classification.overlapWithBaseline * 1000) / 1000 }, triage };
}

describe('change rules (golden)', () => {
  for (const file of fs.readdirSync(IN).filter((f) => f.endsWith('.geojson')).sort()) {
    const name = file.replace(/\.geojson$/, '');
    it(name, () => {
      const actual = run(JSON.parse(fs.readFileSync(path.join(IN, file), 'utf8')));
      const expectedFile = path.join(OUT, `${name}.json`);
      if (process.env.REGEN) fs.writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
      expect(actual).toEqual(JSON.parse(fs.readFileSync(expectedFile, 'utf8')));
    });
  }
});
