/**
 * The upload settings, read once from the environment (pure: the environment is passed in).
 */
export interface UploadLimits {
  /** UPLOAD_MAX_BYTES: the largest file one upload may be. Default 20 GiB (a district's orthophoto at 5 cm). */
  maxBytes: number;
  /** UPLOAD_DIR: a directory for uploads in progress instead of `<RASTER_STORE>/uploads` (needed with an object store). */
  directory: string | null;
  /**
   * UPLOAD_EXPIRY_HOURS: an upload not made into a flight this long after it was started is
   * removed (a multi-GB file over a slow link can take days). Default 168 (a week).
   */
  expiryHours: number;
}

export const DEFAULT_UPLOAD_MAX_BYTES = 20 * 1024 ** 3;

export function loadUploadLimits(env: NodeJS.ProcessEnv = process.env): UploadLimits {
  const raw = env.UPLOAD_MAX_BYTES;
  let maxBytes = DEFAULT_UPLOAD_MAX_BYTES;
  if (raw !== undefined && raw !== '') {
    maxBytes = Number(raw);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new Error(`UPLOAD_MAX_BYTES must be a positive whole number of bytes, got ${JSON.stringify(raw)}`);
  }
  const expiryRaw = env.UPLOAD_EXPIRY_HOURS;
  const expiryHours = expiryRaw === undefined || expiryRaw === '' ? 168 : Number(expiryRaw);
  if (!(expiryHours > 0)) throw new Error(`UPLOAD_EXPIRY_HOURS must be a positive number of hours, got ${JSON.stringify(expiryRaw)}`);
  return { maxBytes, directory: env.UPLOAD_DIR || null, expiryHours };
}
