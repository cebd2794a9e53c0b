/**
 * The operator's side of the API: resumable tus uploads of a flight's rasters (/api/uploads),
 * making a flight of them (POST /api/flights), and following its processing live (Server-Sent
 * Events at /api/flights/:id/events). Requests go to the same origin with the session cookie,
 * like every other call of the viewer (api/client.ts).
 */
import { Upload } from 'tus-js-client';
import type { FlightCreated, FlightList, FlightProgress, NewFlight } from '#api/api-contract.js';
import { request } from './client.js';

export type { FlightListItem as FlightRow, FlightProgress, NewFlight } from '#api/api-contract.js';

/** Bytes per PATCH: small enough that a dropped connection loses little, large enough to be quick. */
export const CHUNK_BYTES = 8 * 1024 * 1024;
/** Waits before each retry after a failed request (then tus asks the server how much arrived and resumes there). */
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10000, 20000];

export interface UploadHandlers {
  onProgress: (sent: number, total: number) => void;
  /** A request failed and will be retried from where the server says the upload stands. */
  onRetry?: () => void;
}

/**
 * Uploads one file by tus and resolves with its upload id. A broken connection is retried, and the
 * upload resumes at the server's offset; the upload's URL is kept in localStorage under the
 * file's fingerprint (name, size, type, date), so choosing the same file after a reload or a crash
 * resumes it too. `chunkSize` is for tests.
 */
export function uploadFile(file: File, handlers: UploadHandlers, chunkSize = CHUNK_BYTES): { done: Promise<string>; abort: () => void } {
  let upload: Upload | undefined;
  const done = new Promise<string>((resolve, reject) => {
    upload = new Upload(file, {
      endpoint: `${location.origin}/api/uploads`,
      chunkSize,
      retryDelays: RETRY_DELAYS_MS,
      metadata: { filename: file.name },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: handlers.onProgress,
      onShouldRetry: (error, attempt, options) => {
        handlers.onRetry?.();
        // tus's own rule (retry network errors and 5xx, 409/423), kept.
        const status = error.originalResponse?.getStatus() ?? 0;
        return attempt < (options.retryDelays?.length ?? 0) && (status === 0 || status >= 500 || status === 409 || status === 423);
      },
      onError: reject,
      onSuccess: () => resolve(upload!.url!.split('/').pop()!),
    });
    void upload.findPreviousUploads().then((previous) => {
      if (previous[0]) upload!.resumeFromPreviousUpload(previous[0]);
      upload!.start();
    }, reject);
  });
  // abort() pauses (the server keeps what arrived); abort(true) would delete the upload.
  return { done, abort: () => void upload?.abort() };
}

/** The plain sentence in a tus error: the server's response body, else the error itself. */
export function uploadErrorText(error: unknown): string {
  const body = (error as { originalResponse?: { getBody(): string } | null }).originalResponse?.getBody?.();
  return body?.trim() || (error instanceof Error ? error.message : String(error));
}

export const flightsApi = {
  create: (body: NewFlight) => request<FlightCreated>('POST', '/api/flights', body),
  recent: (limit = 20) => request<FlightList>('GET', `/api/flights?limit=${limit}`),
};

/**
 * Follows a flight's processing until it is done or failed. The browser's EventSource reconnects
 * by itself after a dropped connection; the stream is closed here once the flight has finished
 * (the server ends it then, and EventSource would otherwise reconnect).
 */
export function followFlight(flightId: string, onProgress: (progress: FlightProgress) => void): () => void {
  const source = new EventSource(`/api/flights/${encodeURIComponent(flightId)}/events`);
  source.addEventListener('progress', (event) => {
    const progress = JSON.parse((event as MessageEvent<string>).data) as FlightProgress;
    onProgress(progress);
    if (progress.status === 'done' || progress.status === 'failed') source.close();
  });
  return () => source.close();
}
