/**
 * The uploads area of the raster store: tus's FileStore (each upload is `<dir>/<id>`, streamed to
 * disk chunk by chunk, with `<dir>/<id>.json` beside it holding size and metadata), plus what the
 * API needs on top: finding an upload, verifying its checksum once it is complete, removing it.
 */
import fs from 'node:fs';
import { FileStore } from '@tus/file-store';
import { ERRORS, Upload } from '@tus/server';
import { sha256Of } from '#pipeline/flight-intake.js';
import { uploadsDir } from '#pipeline/raster-store.js';
import { checksumMismatch, type UploadMetadata } from './upload-metadata.js';

/** tus's default upload ids: 16 random bytes as hex. Anything else is not an upload id. */
export const UPLOAD_ID_PATTERN = '^[0-9a-f]{32}$';

export interface StoredUpload {
  id: string;
  /** The file on disk (named by the id, never by the client's file name). */
  path: string;
  /** Declared size in bytes; null while the client deferred it. */
  size: number | null;
  /** Bytes received so far. */
  offset: number;
  complete: boolean;
  metadata: UploadMetadata;
}

export type Verification = { sha256: string } | { problem: string };

export class UploadArea {
  readonly store: FileStore;

  constructor(readonly directory: string) {
    // FileStore makes its directory without waiting; made here first so its first request finds it.
    fs.mkdirSync(directory, { recursive: true });
    this.store = new FileStore({ directory });
  }

  /** The upload with this id, or null when there is none (or its file is gone). */
  async find(id: string): Promise<StoredUpload | null> {
    if (!new RegExp(UPLOAD_ID_PATTERN).test(id)) return null;
    let upload: Upload;
    try {
      upload = await this.store.getUpload(id);
    } catch (error) {
      if (error === ERRORS.FILE_NOT_FOUND || error === ERRORS.FILE_NO_LONGER_EXISTS) return null;
      throw error;
    }
    const size = upload.size ?? null;
    const offset = upload.offset;
    return { id, path: upload.storage!.path, size, offset, complete: size !== null && offset === size, metadata: upload.metadata ?? {} };
  }

  /**
   * Checks a complete upload against the SHA-256 its client announced (if any) and records the
   * verified sum, so the check runs once. A mismatching upload is removed: its bytes are wrong
   * and the only remedy is to upload the file again.
   */
  async verify(upload: StoredUpload): Promise<Verification> {
    if (upload.metadata.verified_sha256) return { sha256: upload.metadata.verified_sha256 };
    const sha256 = await sha256Of(upload.path);
    const problem = checksumMismatch(upload.metadata.sha256, sha256);
    if (problem) {
      await this.remove(upload.id);
      return { problem };
    }
    const record = await this.store.configstore.get(upload.id);
    if (record) await this.store.configstore.set(upload.id, new Upload({ ...record, metadata: { ...record.metadata, verified_sha256: sha256 } }));
    return { sha256 };
  }

  /**
   * Removes the uploads started more than `expiryHours` before `now`, finished or not, that were
   * never made into a flight (those are removed when taken in); returns their ids. tus's own
   * expiry only removes unfinished uploads.
   */
  async removeAbandoned(expiryHours: number, now = new Date()): Promise<string[]> {
    const removed: string[] = [];
    for (const id of (await this.store.configstore.list?.()) ?? []) {
      const record = await this.store.configstore.get(id);
      const started = record?.creation_date ? new Date(record.creation_date).getTime() : Number.NaN;
      if (now.getTime() - started > expiryHours * 3600_000) {
        await this.remove(id);
        removed.push(id);
      }
    }
    return removed;
  }

  /** Removes an upload's file and its record; removing one that is gone is not an error. */
  async remove(id: string): Promise<void> {
    await this.store.remove(id).catch((error: unknown) => {
      if (error !== ERRORS.FILE_NOT_FOUND) throw error;
    });
  }
}

/** The uploads area: UPLOAD_DIR when set, else `<raster store>/uploads`; null when neither is a directory. */
export function openUploadArea(rasterStore: string, directory: string | null): UploadArea | null {
  const dir = directory ?? uploadsDir(rasterStore);
  return dir ? new UploadArea(dir) : null;
}
