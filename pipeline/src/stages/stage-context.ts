/** What every pipeline stage is given, and the error that ends a flight for good. */
import type pg from 'pg';
import type { PipelineConfig } from '../config.js';
import type { ChangeDetector } from '../model/index.js';

export interface StageContext {
  pool: pg.Pool;
  config: PipelineConfig;
  /** Reports the stage's own progress, 0..1 (to the job and to the flight row). */
  progress(fraction: number): Promise<void>;
  /**
   * The worker's change detector of a model-store version (its ONNX sessions loaded once per
   * process; model/served-detectors.ts): the version a flight's detection run recorded, or, when
   * none is given, the version served now.
   */
  changeDetector(version?: string): Promise<ChangeDetector>;
}

/**
 * The flight cannot be processed as uploaded (bad file, no georeference...). The message is shown
 * to the operator as the flight's failure reason; retrying would not help, so the queue does not.
 */
export class FlightRejectedError extends Error {
  override name = 'FlightRejectedError';
}
