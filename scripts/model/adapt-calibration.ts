/**
 * The calibration map of an adapted network (issue 18 item 5's map, pipeline/src/model/calibration.ts):
 * the base's map was fitted for the base's ONNX file, and the detector drops a map whose file hash
 * differs (its scores stay raw, with a warning). adapt refits the adapted network's map as
 * models/calibrate.ts fits the shipped ones: the evaluation's objects (its raw score and whether it
 * matched a true change), here on the files the version adapted on (never its held-back share,
 * which scores it). Fitted on what the network trained on, the map leans confident; the held-back
 * share's figures are unchanged by it (calibration bends a candidate's score, not what is detected).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fitCalibration, type CalibrationMap, type ScoredDetection } from '#pipeline/model/calibration.js';
import type { Network } from '#pipeline/model/change-detector.js';
import { evaluatePairs, evaluateSurfaces, type Layout } from '../eval/evaluate.js';
import { adaptedDetector } from './versions.js';

/** Fewer detected objects than this on the adapted-on files: no map (raw scores), rather than one from a handful. */
export const MIN_CALIBRATION_OBJECTS = 10;

/**
 * The adapted network's objects on a folder of the adapted-on files, scored with the version's
 * sidecar, fitted into a map that names the version's ONNX file and its hash; null when too few.
 */
export async function refitCalibration(
  o: { dir: string; layout: Layout; specPath: string; network: Network; onnxFile: string; gsd?: number; threads: number },
): Promise<CalibrationMap | null> {
  const samples: ScoredDetection[] = [];
  const detector = await adaptedDetector(o.specPath, o.threads, o.network);
  try {
    const objects = (_name: string, network: Network, detected: ReadonlyArray<{ raw: number; state: string }>) => {
      if (network !== o.network) return;
      for (const d of detected) if (d.state !== 'ignored') samples.push({ score: d.raw, hit: d.state === 'tp' });
    };
    if (o.layout === 'surface') await evaluateSurfaces(o.dir, detector, { objects });
    else await evaluatePairs(o.dir, detector, { gsd: o.gsd, objects });
  } finally {
    await detector.close();
  }
  if (samples.length < MIN_CALIBRATION_OBJECTS) return null;
  return {
    ...fitCalibration(samples),
    data: ['adapted-on files'],
    onnx: o.onnxFile.split('/').pop()!,
    onnx_sha256: createHash('sha256').update(fs.readFileSync(o.onnxFile)).digest('hex'),
  };
}
