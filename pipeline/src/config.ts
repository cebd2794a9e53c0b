/**
 * The pipeline's settings, read once from the environment. Every setting has a default that works
 * on a development machine after scripts/setup.sh.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WORK_LIMITS, type WorkLimits } from './core/work-bounds.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PipelineConfig {
  /** REDIS_URL: the queues' Redis. Default redis://127.0.0.1:6379. */
  redisUrl: string;
  /**
   * RASTER_STORE: where flights' rasters, COGs and evidence chips live, shared by the API and every
   * worker: a directory, or a GDAL virtual path such as /vsis3/bucket/prefix (credentials from
   * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_ENDPOINT, AWS_REGION). Default .lingwei/rasters.
   */
  rasterStore: string;
  /** WORKER_CONCURRENCY: stage jobs one worker runs at once. Default 1 (detection uses every core). */
  concurrency: number;
  /** MODEL_THREADS: threads of the ONNX session. Default 2. */
  modelThreads: number;
  /** QUEUE_PREFIX: Redis key prefix of the queues, so tests and deployments can share a server. Default "lingwei". */
  queuePrefix: string;
  /**
   * FLIGHT_MAX_PIXELS, FLIGHT_MAX_EMPTY_SHARE, FLIGHT_MAX_WORK_HOURS: the work one flight may take,
   * checked before it is queued (core/work-bounds.ts). Defaults 4e9, 0.9, 2.
   */
  workLimits: WorkLimits;
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return parsed;
}

function positiveNumber(name: string, value: string | undefined, fallback: number, most = Infinity): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!(parsed > 0 && parsed <= most)) throw new Error(`${name} must be a positive number${most < Infinity ? ` up to ${most}` : ''}, got ${JSON.stringify(value)}`);
  return parsed;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return {
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    rasterStore: env.RASTER_STORE || path.join(ROOT, '.lingwei', 'rasters'),
    concurrency: positiveInteger('WORKER_CONCURRENCY', env.WORKER_CONCURRENCY, 1),
    modelThreads: positiveInteger('MODEL_THREADS', env.MODEL_THREADS, 2),
    queuePrefix: env.QUEUE_PREFIX || 'lingwei',
    workLimits: {
      maxPixels: positiveNumber('FLIGHT_MAX_PIXELS', env.FLIGHT_MAX_PIXELS, DEFAULT_WORK_LIMITS.maxPixels),
      maxEmptyBlockShare: positiveNumber('FLIGHT_MAX_EMPTY_SHARE', env.FLIGHT_MAX_EMPTY_SHARE, DEFAULT_WORK_LIMITS.maxEmptyBlockShare, 1),
      maxWorkHours: positiveNumber('FLIGHT_MAX_WORK_HOURS', env.FLIGHT_MAX_WORK_HOURS, DEFAULT_WORK_LIMITS.maxWorkHours),
    },
  };
}
