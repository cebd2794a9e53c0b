/**
 * A worker's change detectors by model-store version (issue 19): the version a new flight is
 * detected with is read from the store's promoted pointer when the flight is planned (so a
 * promotion or rollback reaches running workers at their next flight, without a restart), and the
 * later stages of that flight ask for the version its detection run recorded, whichever worker
 * runs them. Each version's ONNX sessions are opened once and reused.
 *
 * A stage job holds the version it detects with until it finishes (queue/flight-worker.ts releases
 * what a job held). A version's sessions are closed only when no job holds it and it is not one of
 * the two versions asked for last: with several flights in hand (WORKER_CONCURRENCY above 1), two
 * promotions during one long detection used to close the sessions that detection was still running
 * on ("Session already disposed"); the two kept unheld spare the next jobs of a flight planned just
 * before a promotion from opening its version again.
 */
import { modelStoreDir, servedVersion, specPathOf } from '../model-store.js';
import { ChangeDetector } from './change-detector.js';

/** Versions whose sessions stay open while no job holds them. */
const KEPT_OPEN = 2;

/** A version's detector held by one job: its sessions stay open until every holder has released it. */
export interface HeldDetector {
  readonly version: string;
  readonly detector: ChangeDetector;
  /** Lets go of the version (a second call does nothing). */
  release(): void;
}

export interface ServedDetectors {
  /** The version a flight planned now is detected with: MODEL_VERSION, else the promoted one, else "shipped". */
  versionForNewFlight(): string;
  /** The sidecar a version is served from. */
  specPathOf(version: string): string;
  /** Holds that version's detector (default: the version for a new flight), opened on first use. */
  hold(version?: string): Promise<HeldDetector>;
  /** The versions whose sessions are open now, least recently asked first. */
  open(): string[];
  /** How many holders a version has now. */
  holders(version: string): number;
  /** Closes every version's sessions, held or not: for the end of the process, once its jobs are done. */
  close(): Promise<void>;
}

interface Served {
  detector: Promise<ChangeDetector>;
  holders: number;
}

export function servedDetectors(options: { threads?: number; env?: NodeJS.ProcessEnv } = {}): ServedDetectors {
  const env = options.env ?? process.env;
  /** In the order asked: a version asked again moves to the end. */
  const served = new Map<string, Served>();
  const store = () => modelStoreDir(env);
  const versionForNewFlight = () => servedVersion(env);

  const closeUnheld = () => {
    const recent = new Set([...served.keys()].slice(-KEPT_OPEN));
    for (const [version, entry] of served) {
      if (entry.holders > 0 || recent.has(version)) continue;
      served.delete(version);
      void entry.detector.then((d) => d.close()).catch(() => undefined);
    }
  };

  const hold = async (version = versionForNewFlight()): Promise<HeldDetector> => {
    let entry = served.get(version);
    if (entry) {
      served.delete(version); // set again below: the map's order is the order asked in
    } else {
      // An unknown version throws here, before anything open is touched.
      const specPath = specPathOf(store(), version);
      entry = { detector: ChangeDetector.load({ specPath, threads: options.threads }), holders: 0 };
    }
    served.set(version, entry);
    // Counted before the sessions have opened, so that no one closes them while they open.
    entry.holders += 1;
    let detector: ChangeDetector;
    try {
      detector = await entry.detector;
    } catch (error) {
      entry.holders -= 1;
      // A version that failed to open is not kept: the next ask tries again.
      if (served.get(version) === entry) served.delete(version);
      throw error;
    }
    // Only a version that opened makes older ones give way.
    closeUnheld();
    let held = true;
    return {
      version,
      detector,
      release() {
        if (!held) return;
        held = false;
        entry.holders -= 1;
        closeUnheld();
      },
    };
  };

  return {
    versionForNewFlight,
    specPathOf: (version) => specPathOf(store(), version),
    hold,
    open: () => [...served.keys()],
    holders: (version) => served.get(version)?.holders ?? 0,
    async close() {
      const all = [...served.values()];
      served.clear();
      for (const entry of all) await entry.detector.then((d) => d.close(), () => undefined);
    },
  };
}
