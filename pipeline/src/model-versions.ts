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
 *
 * So is a version whose object F1 on its patrol check (whole generated validation scenes in the
 * mode its network serves, scripts/model/adapt-patrol.ts) falls more than PATROL_MARGIN below the
 * version serving now: the held-back share asks less than a patrol does, and a version adapted hard
 * on it can gain there while finding less of a whole patrol.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  listVersions, metricValue, promotedVersion, promotions, readVersion, recordPromotion, rollback, scoredAlone, SHIPPED, versionDir, versionExists,
  type EvalJson, type PatrolCheck, type Promotion, type VersionRecord,
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
  /** Object F1 of the base and of the version on its patrol check (null: a version made before patrol checks). */
  patrol: { before: number; after: number } | null;
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
    const patrol = r.patrol_check ? { before: r.patrol_check.before.object.f1, after: r.patrol_check.after.object.f1 } : null;
    return { version: r.version, promoted: r.version === served, created_at: r.created_at, network: r.network, base: r.base, metric: r.metric, held_back: r.held_back.length, before, after, gain: after - before, patrol };
  });
  return { store, served, versions, promotions: promotions(store) };
}

/**
 * Scores `version` on the held-back share of `record`'s version as adapt scored it: the evaluation
 * (scripts/eval.ts --json) over that share's folder, in a child process, by the network adapted
 * (--main-alone where scoredAlone, as scripts/model/versions.ts adaptedDetector loads it).
 */
export async function scoreOnHeldBack(store: string, record: VersionRecord, version: string, threads = 2): Promise<EvalJson> {
  const dir = path.join(versionDir(store, record.version), 'held-back');
  const missing = record.held_back_files.flatMap(({ name: _name, ...files }) => Object.values(files) as string[]).filter((f) => !fs.existsSync(f));
  if (!fs.existsSync(dir) || missing.length) throw new Error(`its held-back files are gone (${missing.slice(0, 2).join(', ') || dir})`);
  // A pair folder is read at the version's ground resolution; surface models carry their own.
  const gsd = record.layout === 'pairs' && record.gsd ? ['--gsd', String(record.gsd)] : [];
  const alone = scoredAlone(record.network) ? ['--main-alone'] : [];
  return evalInChild(store, [dir, '--json', '--model', version, '--threads', String(threads), ...gsd, ...alone], version);
}

/** Scores `version` on the scenes of a version's patrol check, in its mode, as adapt scored its base there. */
export async function scoreOnPatrols(store: string, check: PatrolCheck, version: string, threads = 2): Promise<EvalJson> {
  if (!fs.existsSync(check.folder)) throw new Error(`its patrol scenes are gone (${check.folder})`);
  return evalInChild(store, [check.folder, '--json', '--mode', check.mode, '--model', version, '--threads', String(threads)], version);
}

/** npm run eval --json in a child process (minutes of inference kept out of the API's process). */
async function evalInChild(store: string, evalArgs: string[], version: string): Promise<EvalJson> {
  const args = ['--import', 'tsx', 'scripts/eval.ts', ...evalArgs];
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
  /** The patrol check's object F1 of the version and of the served one, when the version has one (null: could not be scored). */
  patrol?: { candidate: number; current: number | null; margin: number | null; allowed: number };
  forced: boolean;
  message: string;
}

/** The served version's object F1 on a version's patrol check: from its record when it is the version's base, else scored afresh. */
async function servedOnPatrols(store: string, record: VersionRecord, served: string, threads: number): Promise<{ current: number | null; why: string }> {
  const check = record.patrol_check!;
  if (record.base === served) return { current: check.before.object.f1, why: '' };
  try {
    return { current: (await scoreOnPatrols(store, check, served, threads)).object.f1, why: '' };
  } catch (error) {
    return { current: null, why: (error as Error).message };
  }
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
  const problems: string[] = [];
  if (current === null) problems.push(`${version} cannot be compared with ${served}, which serves now: ${why}`);
  else if (margin! < 0) problems.push(`${version} scores ${name} ${f3(candidate)} on ${share}, ${f3(-margin!)} below ${served}, which serves now (${f3(current)})${overlap}`);
  // The patrol check: whole generated scenes, which the held-back share does not stand for.
  let patrol: PromoteResult['patrol'];
  let patrolSays = '';
  const check = record.patrol_check;
  if (check) {
    const scenes = `its patrol check (${check.seeds.length} generated validation scenes, mode ${check.mode})`;
    const p = { candidate: check.after.object.f1, ...(await servedOnPatrols(store, record, served, o.threads ?? 2)) };
    const fall = p.current === null ? null : p.current - p.candidate;
    patrol = { candidate: p.candidate, current: p.current, margin: fall === null ? null : -fall, allowed: check.margin };
    if (p.current === null) problems.push(`${version}'s patrol check cannot be compared with ${served}: ${p.why}`);
    else if (fall! > check.margin + 1e-9) {
      problems.push(`${version} scores object F1 ${f3(p.candidate)} on ${scenes}, ${f3(fall!)} below ${served}, which serves now (${f3(p.current)}), more than the ${f3(check.margin)} allowed`);
    } else patrolSays = `; object F1 ${f3(p.candidate)} on ${scenes} against ${f3(p.current)} (${fall! <= 0 ? '+' : '-'}${f3(Math.abs(fall!))})`;
  }
  const result = { ...base, current, margin, ...(patrol ? { patrol } : {}) };
  if (problems.length) {
    const detail = problems.join('; and ');
    if (!o.force) return { ...result, promoted: false, message: `refused: ${detail}; promote it anyway with --force` };
    recordPromotion(store, { version, forced: true, margin });
    return { ...result, promoted: true, message: `promoted ${version} by force in place of ${served}: ${detail}` };
  }
  recordPromotion(store, { version, forced: false, margin });
  return {
    ...result,
    promoted: true,
    message: `promoted ${version} in place of ${served}: ${name} ${f3(candidate)} on ${share} against ${f3(current!)} (${margin! >= 0 ? '+' : ''}${f3(margin!)})${overlap}${patrolSays}`,
  };
}

/** Undoes the latest promotion: the versions served before and after, and that in words. */
export function rollbackVersion(store: string): { from: string; to: string; message: string } {
  const { from, to } = rollback(store);
  return { from, to, message: `rolled back: ${from} no longer serves; ${to === SHIPPED ? 'the shipped networks (models/) serve' : `${to} serves`}` };
}
