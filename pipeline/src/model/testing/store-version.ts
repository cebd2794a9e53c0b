/**
 * Test helper: a model-store version made without training, by copying a sidecar and its networks
 * (the shipped ones by default) into <store>/versions/<name>/, with a version record whose
 * held-back scores are given. The networks are real; only the record's provenance is made up, for
 * tests of what serves, records and lists versions (adapting itself is tested in
 * scripts/model/model.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadModelSpec, DEFAULT_SPEC_PATH, type ModelSpec } from '../model-spec.js';
import { PATROL_MARGIN, versionDir, VERSION_SPEC, type EvalJson, type VersionRecord } from '../../model-store.js';

function scores(f1: number): EvalJson {
  return {
    layout: 'pairs',
    pixel: { precision: f1, recall: f1, f1, iou: f1 / (2 - f1), tp: 0, fp: 0, fn: 0, tn: 0 },
    object: { precision: f1, recall: f1, f1, tp: 0, fp: 0, fn: 0 },
  };
}

/** `patrol`: the object F1 of the base and the version on a patrol check (none when absent, as for versions made before patrol checks). */
export function storeCopiedVersion(
  store: string, name: string,
  o: { before?: number; after?: number; base?: string; fromSpec?: string; patrol?: { before: number; after: number } } = {},
): string {
  const from = o.fromSpec ?? DEFAULT_SPEC_PATH;
  const spec = loadModelSpec(from);
  const dir = versionDir(store, name);
  fs.mkdirSync(dir, { recursive: true });
  const raw = JSON.parse(fs.readFileSync(from, 'utf8')) as ModelSpec & Record<string, unknown>;
  for (const key of ['onnx', 'surface_only_onnx', 'aerial_onnx', 'pair_onnx'] as const) {
    const file = raw[key];
    if (!file) continue;
    fs.copyFileSync(path.join(spec.dir, file), path.join(dir, path.basename(file)));
    raw[key] = path.basename(file);
  }
  raw.version = name;
  fs.writeFileSync(path.join(dir, VERSION_SPEC), `${JSON.stringify(raw, null, 2)}\n`);
  const record: VersionRecord = {
    version: name,
    created_at: new Date().toISOString(),
    network: 'pair',
    layout: 'pairs',
    base: o.base ?? 'shipped',
    metric: 'pixel_f1',
    folders: [],
    seed: 1,
    steps: 0,
    held_back: [],
    held_back_files: [],
    trained_on: [],
    before: scores(o.before ?? 0.4),
    after: scores(o.after ?? 0.5),
    ...(o.patrol ? { patrol_check: { seeds: [901, 902, 903], mode: 'rgb_pair', folder: path.join(dir, 'patrol'), metric: 'object_f1', margin: PATROL_MARGIN, before: scores(o.patrol.before), after: scores(o.patrol.after) } } : {}),
    seconds: { export: 0, train: 0, score: 0, total: 0 },
    training: {},
  };
  fs.writeFileSync(path.join(dir, 'version.json'), `${JSON.stringify(record, null, 2)}\n`);
  return dir;
}
