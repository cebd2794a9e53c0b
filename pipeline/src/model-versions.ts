/**
 * The model store's versions as an admin sees and changes them (issue 19): each version with its
 * held-back scores, which one serves, promotion and rollback. One code for `npm run model`
 * (scripts/model.ts) and the API's /api/models routes; the store itself is model-store.ts.
 *
 * Promotion compares the version with the one served now on the version's own held-back share,
 * by the figure the version records as deciding (pixel F1 for image pairs, object F1 for surface
 * models): from the version's record when it was adapted from the version served now, else by
 * scoring the served one there afresh with the evaluation (`npm run eval`, in a child process, so
 * that minutes of inference never run in the API's process). A version that scores worse is
 * refused, with by how much, unless forced.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  listVersions, metricValue, promotedVersion, promotions, readVersion, recordPromotion, rollback, SHIPPED, versionDir, versionExists,
  type EvalJson, type Promotion, type VersionRecord,
} from './model-store.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const f3 = (v: number) => v.toFixed(3);
export const METRIC_NAME = { pixel_f1: 'pixel F1', object_f1: 'object F1' } as const;

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

export interface ModelStoreListing {
  store: string;
  /** The promoted version ("shipped": the networks in models/). */
  served: string;
  versions: ListedVersion[];
  promotions: Promotion[];
}

export function modelStoreListing(store: string): ModelStoreListing {
  const served = promotedVersion(store);
  const versions = listVersions(store).map((r) => {
    const before = metricValue(r.metric, r.before);
    const after = metricValue(r.metric, r.after);
    return { version: r.version, promoted: r.version === served, created_at: r.created_at, network: r.network, base: r.base, metric: r.metric, held_back: r.held_back.length, before, after, gain: after - before };
  });
  return { store, served, versions, promotions: promotions(store) };
}

/**
 * Scores `version` on the held-back share of `record`'s version as adapt scored it: the evaluation
 * (scripts/eval.ts --json) over that share's folder, in a child process.
 */
export async function scoreOnHeldBack(store: string, record: VersionRecord, version: string, threads = 2): Promise<EvalJson> {
  const dir = path.join(versionDir(store, record.version), 'held-back');
  const missing = record.held_back_files.flatMap(({ name: _name, ...files }) => Object.values(files) as string[]).filter((f) => !fs.existsSync(f));
  if (!fs.existsSync(dir) || missing.length) throw new Error(`its held-back files are gone (${missing.slice(0, 2).join(', ') || dir})`);
  // A pair folder is read at the version's ground resolution; surface models carry their own.
  const gsd = record.layout === 'pairs' && record.gsd ? ['--gsd', String(record.gsd)] : [];
  const args = ['--import', 'tsx', 'scripts/eval.ts', dir, '--json', '--model', version, '--threads', String(threads), ...gsd];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, env: { ...process.env, MODEL_STORE: store }, maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as EvalJson;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1);
    throw new Error(`scoring ${version} on it failed: ${stderr || (error as Error).message}`, { cause: error });
  }
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

export async function promoteVersion(store: string, version: string, o: { force?: boolean; threads?: number } = {}): Promise<PromoteResult> {
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
    current = record.base === served ? metricValue(metric, record.before) : metricValue(metric, await scoreOnHeldBack(store, record, served, o.threads ?? 2));
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

/** Undoes the latest promotion: the versions served before and after, and that in words. */
export function rollbackVersion(store: string): { from: string; to: string; message: string } {
  const { from, to } = rollback(store);
  return { from, to, message: `rolled back: ${from} no longer serves; ${to === SHIPPED ? 'the shipped networks (models/) serve' : `${to} serves`}` };
}
