/**
 * Bounds the work a flight may take before it is queued: a small upload can declare billions of
 * pixels (a sparse TIFF: 7 MB declaring 200,000 x 200,000 px at 1 cm), each of which ingest would
 * decode and re-encode while the worker's progress stands still for hours. Pure: it judges the
 * rasters' declared sizes and block counts, read by the adapters; each problem is a sentence the
 * operator can act on, naming the setting that raises the limit.
 */
import type { AssetRole } from './flight-checks.js';

export interface WorkLimits {
  /** FLIGHT_MAX_PIXELS: the most pixels one raster of a flight may declare. Default 4 billion. */
  maxPixels: number;
  /** FLIGHT_MAX_EMPTY_SHARE: the largest share of a raster's blocks that may hold no data. Default 0.9. */
  maxEmptyBlockShare: number;
  /** FLIGHT_MAX_WORK_HOURS: the most worker time one flight may be estimated to take, hours. Default 2. */
  maxWorkHours: number;
}

export const DEFAULT_WORK_LIMITS: WorkLimits = { maxPixels: 4e9, maxEmptyBlockShare: 0.9, maxWorkHours: 2 };

export interface RasterWork {
  role: AssetRole;
  width: number;
  height: number;
  /** Blocks of the full-resolution image and how many hold no data; null when unknown (not a TIFF). */
  blocks: { total: number; empty: number } | null;
}

/**
 * Worker CPU time per unit of work, from the pipeline bench (docs/benchmarks.md: a 1 km² flight
 * at 10 cm, 100 + 25 megapixels, takes about 10 CPU s to ingest and 6 s to detect on 4 megapixels
 * of the model's 0.5 m grid). Rounded up: an estimate to refuse absurd flights by, not a forecast.
 */
export const CPU_SECONDS_PER_INPUT_MEGAPIXEL = 0.1;
export const CPU_SECONDS_PER_KM2_DETECTED = 8;

/** Estimated worker hours for a flight of these rasters covering `areaKm2`. */
export function estimatedWorkHours(rasters: ReadonlyArray<Pick<RasterWork, 'width' | 'height'>>, areaKm2: number): number {
  const megapixels = rasters.reduce((sum, r) => sum + (r.width * r.height) / 1e6, 0);
  return (megapixels * CPU_SECONDS_PER_INPUT_MEGAPIXEL + areaKm2 * CPU_SECONDS_PER_KM2_DETECTED) / 3600;
}

const NAMES: Record<AssetRole, string> = { orthophoto: 'orthophoto', surface_model: 'surface model' };
const inWords = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} billion` : n >= 1e6 ? `${(n / 1e6).toFixed(0)} million` : String(Math.round(n)));

export interface WorkProblem {
  /** The raster at fault, or the flight as a whole (too much work together). */
  about: AssetRole | 'flight';
  problem: string;
}

/** Problems with the work a flight would take, each a sentence for the operator; empty when it may be queued. */
export function checkFlightWork(rasters: readonly RasterWork[], areaKm2: number, limits: WorkLimits = DEFAULT_WORK_LIMITS): WorkProblem[] {
  const problems: WorkProblem[] = [];
  const push = (about: WorkProblem['about'], problem: string) => problems.push({ about, problem });
  for (const raster of rasters) {
    const name = NAMES[raster.role];
    const pixels = raster.width * raster.height;
    if (pixels > limits.maxPixels) {
      push(raster.role, `The ${name} declares ${raster.width} x ${raster.height} pixels (${inWords(pixels)}), more than the ${inWords(limits.maxPixels)} pixels one flight's file may have (FLIGHT_MAX_PIXELS). Split the flight into parts, or export it at a coarser resolution.`);
    }
    const { blocks } = raster;
    if (blocks && blocks.total > 0 && blocks.empty / blocks.total > limits.maxEmptyBlockShare) {
      push(raster.role, `The ${name} holds data in only ${blocks.total - blocks.empty} of its ${blocks.total} blocks (${(100 * (1 - blocks.empty / blocks.total)).toFixed(1)}%); the rest are empty, declared but never written. Crop it to the area that was flown (at most ${Math.round(limits.maxEmptyBlockShare * 100)}% empty, FLIGHT_MAX_EMPTY_SHARE).`);
    }
  }
  const hours = estimatedWorkHours(rasters, areaKm2);
  if (hours > limits.maxWorkHours) {
    push('flight', `This flight would take a worker about ${hours.toFixed(1)} hours, more than the ${limits.maxWorkHours}-hour limit per flight (FLIGHT_MAX_WORK_HOURS). Split it into smaller flights.`);
  }
  return problems;
}
