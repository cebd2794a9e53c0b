/**
 * A worker's change detectors by model-store version (issue 19): the version a new flight is
 * detected with is read from the store's promoted pointer when the flight is planned (so a
 * promotion or rollback reaches running workers at their next flight, without a restart), and the
 * later stages of that flight ask for the version its detection run recorded, whichever worker
 * runs them. Each version's ONNX sessions are opened once and reused.
 *
 * Sessions of versions no longer asked for are released, keeping the two most recently asked:
 * with several flights in hand (WORKER_CONCURRENCY above 1), a flight planned just before a
 * promotion still finds its version open while the next flight already uses the new one.
 */
import { modelStoreDir, servedVersion, specPathOf } from '../model-store.js';
import { ChangeDetector } from './change-detector.js';

/** Versions whose sessions stay open at once. */
const KEPT_OPEN = 2;

export interface ServedDetectors {
  /** The version a flight planned now is detected with: MODEL_VERSION, else the promoted one, else "shipped". */
  versionForNewFlight(): string;
  /** The sidecar a version is served from. */
  specPathOf(version: string): string;
  /** That version's detector (default: the version for a new flight), opened on first use. */
  detector(version?: string): Promise<ChangeDetector>;
  /** The versions whose sessions are open now, most recently asked last. */
  open(): string[];
  close(): Promise<void>;
}

export function servedDetectors(options: { threads?: number; env?: NodeJS.ProcessEnv } = {}): ServedDetectors {
  const env = options.env ?? process.env;
  const loaded = new Map<string, Promise<ChangeDetector>>();
  const store = () => modelStoreDir(env);
  const versionForNewFlight = () => servedVersion(env);
  const release = (detector: Promise<ChangeDetector>) => void detector.then((d) => d.close()).catch(() => undefined);
  return {
    versionForNewFlight,
    specPathOf: (version) => specPathOf(store(), version),
    detector(version = versionForNewFlight()) {
      let detector = loaded.get(version);
      if (detector) {
        loaded.delete(version); // re-inserted below: the map's order is the order asked in
      } else {
        let specPath: string;
        try {
          specPath = specPathOf(store(), version);
        } catch (error) {
          // An unknown version closes nothing that is open.
          return Promise.reject(error as Error);
        }
        detector = ChangeDetector.load({ specPath, threads: options.threads });
        // A version that failed to open is not kept: the next ask tries again.
        detector.catch(() => loaded.get(version) === detector && loaded.delete(version));
      }
      loaded.set(version, detector);
      while (loaded.size > KEPT_OPEN) {
        const [oldest, stale] = loaded.entries().next().value!;
        loaded.delete(oldest);
        release(stale);
      }
      return detector;
    },
    open: () => [...loaded.keys()],
    async close() {
      const all = [...loaded.values()];
      loaded.clear();
      for (const detector of all) await detector.then((d) => d.close(), () => undefined);
    },
  };
}
