/**
 * `npm run model -- list`'s table of the model store's versions, and the scoring of a folder with a
 * version's sidecar by the evaluation's code (adapt's before and after). The versions' listing,
 * promotion and rollback are pipeline/src/model-versions.ts, shared with the API.
 */
import { ChangeDetector, MAIN_ALONE, type Network } from '#pipeline/model/change-detector.js';
import { scoredAlone, SHIPPED, type EvalJson } from '#pipeline/model-store.js';
import { METRIC_NAME, type ListedVersion, type ModelStoreListing } from '#pipeline/model-versions.js';
import { evaluatePairs, evaluateSurfaces, type Layout } from '../eval/evaluate.js';
import { toJson } from '../eval/report.js';

const f3 = (v: number) => v.toFixed(3);

/** The patrol check's object F1, base -> version; a dash for versions made before patrol checks. */
const patrolCell = (p: ListedVersion['patrol']) => (p ? `${f3(p.before)} -> ${f3(p.after)}` : '-');

export function listTable(l: ModelStoreListing): string {
  const lines = [`model store ${l.store}: ${l.served === SHIPPED ? 'no version promoted; the shipped networks (models/) serve' : `${l.served} serves`}`];
  if (!l.versions.length) return [...lines, 'no versions yet (npm run model -- adapt --folders <dir>)'].join('\n');
  lines.push('', '  version                          network  base                             held back  metric     before   after    gain    patrol object F1');
  for (const v of l.versions) {
    lines.push(
      `${v.promoted ? '*' : ' '} ${v.version.padEnd(32)} ${v.network.padEnd(8)} ${v.base.padEnd(32)} ${String(v.held_back).padStart(9)}  ${METRIC_NAME[v.metric].padEnd(9)}  ${f3(v.before)}  ${f3(v.after)}  ${(v.gain >= 0 ? '+' : '') + f3(v.gain)}  ${patrolCell(v.patrol)}`,
    );
  }
  return lines.join('\n');
}

/** A version's detector as its adapted network is scored (scoredAlone). */
export function adaptedDetector(specPath: string, threads: number, network: Network): Promise<ChangeDetector> {
  return ChangeDetector.load({ specPath, threads, ...(scoredAlone(network) ? MAIN_ALONE : {}) });
}

/** A folder in a layout scored by `npm run eval`'s code with a version's sidecar, by the network adapted (adaptedDetector). */
export async function scoreFolder(dir: string, layout: Layout, specPath: string, gsd: number | undefined, threads: number, network: Network): Promise<EvalJson> {
  const detector = await adaptedDetector(specPath, threads, network);
  try {
    const result = layout === 'surface' ? await evaluateSurfaces(dir, detector) : await evaluatePairs(dir, detector, { gsd });
    return JSON.parse(toJson(result, { dir, provider: detector.provider })) as EvalJson;
  } finally {
    await detector.close();
  }
}
