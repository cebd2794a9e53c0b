/**
 * `npm run model -- list | promote <version> [--force] | rollback`: the model store's versions
 * (pipeline/src/model-store.ts), which one serves, and changing that.
 *
 * Promotion compares the version with the one served now on the version's own held-back share,
 * by the figure the version records as deciding (pixel F1 for image pairs, object F1 for surface models): from the version's
 * record when it was adapted from the version served now, else by scoring the served one there
 * afresh with the evaluation's code. A version that scores worse is refused, with by how much,
 * unless forced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ChangeDetector } from '#pipeline/model/change-detector.js';
import {
  listVersions,
  metricValue,
  promotedVersion,
  promotions,
  readVersion,
  recordPromotion,
  rollback,
  SHIPPED,
  specPathOf,
  versionDir,
  versionExists,
  type EvalJson,
  type Promotion,
  type VersionRecord,
} from '#pipeline/model-store.js';
import { evaluatePairs, evaluateSurfaces, type Layout } from '../eval/evaluate.js';
import { toJson } from '../eval/report.js';

const f3 = (v: number) => v.toFixed(3);
const METRIC_NAME = { pixel_f1: 'pixel F1', object_f1: 'object F1' } as const;

export interface ListedVersion {
  version: string;
  promoted: boolean;
  created_at: string;
  network: string;
  base: string;
  metric: VersionRecord['metric'];
  held_back: number;
  before: number;
  after: number;
  gain: number;
}

export function list(store: string): { store: string; served: string; versions: ListedVersion[]; promotions: Promotion[] } {
  const served = promotedVersion(store);
  const versions = listVersions(store).map((r) => {
    const before = metricValue(r.metric, r.before);
    const after = metricValue(r.metric, r.after);
    return { version: r.version, promoted: r.version === served, created_at: r.created_at, network: r.network, base: r.base, metric: r.metric, held_back: r.held_back.length, before, after, gain: after - before };
  });
  return { store, served, versions, promotions: promotions(store) };
}

export function listTable(l: ReturnType<typeof list>): string {
  const lines = [`model store ${l.store}: ${l.served === SHIPPED ? 'no version promoted; the shipped networks (models/) serve' : `${l.served} serves`}`];
  if (!l.versions.length) return [...lines, 'no versions yet (npm run model -- adapt --folders <dir>)'].join('\n');
  lines.push('', '  version                          network  base                             held back  metric     before   after    gain');
  for (const v of l.versions) {
    lines.push(
      `${v.promoted ? '*' : ' '} ${v.version.padEnd(32)} ${v.network.padEnd(8)} ${v.base.padEnd(32)} ${String(v.held_back).padStart(9)}  ${METRIC_NAME[v.metric].padEnd(9)}  ${f3(v.before)}  ${f3(v.after)}  ${v.gain >= 0 ? '+' : ''}${f3(v.gain)}`,
    );
  }
  return lines.join('\n');
}

/** A folder in a layout scored by `npm run eval`'s code with a version's sidecar. */
export async function scoreFolder(dir: string, layout: Layout, specPath: string, gsd: number | undefined, threads: number): Promise<EvalJson> {
  const detector = await ChangeDetector.load({ specPath, threads });
  try {
    const result = layout === 'surface' ? await evaluateSurfaces(dir, detector) : await evaluatePairs(dir, detector, { gsd });
    return JSON.parse(toJson(result, { dir, provider: detector.provider })) as EvalJson;
  } finally {
    await detector.close();
  }
}

/** Scores a version on another version's held-back share, as adapt did. */
async function scoreOn(store: string, record: VersionRecord, version: string, threads: number): Promise<EvalJson> {
  const dir = path.join(versionDir(store, record.version), 'held-back');
  const missing = record.held_back_files.flatMap(({ name: _name, ...files }) => Object.values(files)).filter((f) => !fs.existsSync(f));
  if (!fs.existsSync(dir) || missing.length) throw new Error(`its held-back files are gone (${missing.slice(0, 2).join(', ') || dir})`);
  return scoreFolder(dir, record.layout, specPathOf(store, version), record.gsd, threads);
}

export interface PromoteResult {
  promoted: boolean;
  version: string;
  replaced: string;
  metric: VersionRecord['metric'];
  /** The version's figure and the served one's, on the version's held-back share. */
  candidate: number;
  current: number | null;
  margin: number | null;
  forced: boolean;
  message: string;
}

export async function promote(store: string, version: string, o: { force?: boolean; threads?: number } = {}): Promise<PromoteResult> {
  if (version === SHIPPED) throw new Error('"shipped" is not a stored version: npm run model -- rollback goes back towards it');
  if (!versionExists(store, version)) throw new Error(`no version ${version} in the model store ${store} (npm run model -- list)`);
  const record = readVersion(store, version);
  const served = promotedVersion(store);
  const metric = record.metric;
  const candidate = metricValue(metric, record.after);
  const name = METRIC_NAME[metric];
  const share = `its held-back share (${record.held_back.length} ${record.layout === 'pairs' ? 'pairs' : 'files'})`;
  const base = { version, replaced: served, metric, candidate, forced: !!o.force };
  if (served === version) return { ...base, promoted: false, current: candidate, margin: 0, forced: false, message: `${version} is already the promoted version` };
  let current: number | null;
  let why = '';
  try {
    current = record.base === served ? metricValue(metric, record.before) : metricValue(metric, await scoreOn(store, record, served, o.threads ?? 2));
  } catch (error) {
    current = null;
    why = (error as Error).message;
  }
  // A served version adapted on some of these held-back files scores them flatteringly: say so.
  let overlap = '';
  if (record.base !== served && served !== SHIPPED) {
    const trained = new Set(readVersion(store, served).trained_on_files ?? []);
    const shared = record.held_back_files.filter((f) => trained.has(path.resolve('dsm' in f ? f.dsm : f.before))).map((f) => f.name);
    if (shared.length) overlap = ` (${served} was adapted on ${shared.length} of these held-back ${record.layout === 'surface' ? 'tiles' : 'pairs'}, ${shared.join(', ')}, so its figure flatters it)`;
  }
  const margin = current === null ? null : candidate - current;
  if (current === null || margin! < 0) {
    const detail =
      current === null
        ? `${version} cannot be compared with ${served}, which serves now: ${why}`
        : `${version} scores ${name} ${f3(candidate)} on ${share}, ${f3(-margin!)} below ${served}, which serves now (${f3(current)})${overlap}`;
    if (!o.force) return { ...base, promoted: false, current, margin, message: `refused: ${detail}; promote it anyway with --force` };
    recordPromotion(store, { version, forced: true, margin });
    return { ...base, promoted: true, current, margin, message: `promoted ${version} by force in place of ${served}: ${detail}` };
  }
  recordPromotion(store, { version, forced: false, margin });
  return {
    ...base,
    promoted: true,
    current,
    margin,
    message: `promoted ${version} in place of ${served}: ${name} ${f3(candidate)} on ${share} against ${f3(current)} (${margin! >= 0 ? '+' : ''}${f3(margin!)})${overlap}`,
  };
}

export function rollbackMessage(store: string): string {
  const { from, to } = rollback(store);
  return `rolled back: ${from} no longer serves; ${to === SHIPPED ? 'the shipped networks (models/) serve' : `${to} serves`}`;
}
