/**
 * What an upload's tus metadata (Upload-Metadata) may say, and who may use an upload. Pure.
 *
 * The client's keys are labels only: `filename` is shown back to people and never becomes a path
 * (files are stored under the server's random upload id), and `sha256` is the checksum the server
 * verifies when the last byte arrives. The server's own keys (`uploader`, `verified_sha256`) are
 * always set by the server; a client sending them is ignored.
 */
import type { AuthenticatedUser } from '../auth/authenticate.js';

export type UploadMetadata = Record<string, string | null>;

/** Keys only the server writes. */
const SERVER_KEYS = ['uploader', 'verified_sha256'] as const;
const SHA256 = /^[0-9a-f]{64}$/i;
const MAX_VALUE_CHARS = 1024;

export class MetadataProblem extends Error {
  override name = 'MetadataProblem';
}

/**
 * The metadata stored with a new upload: the client's labels, checked, plus its uploader.
 * Throws MetadataProblem with a sentence for the operator.
 */
export function acceptClientMetadata(client: UploadMetadata | undefined, uploaderId: string): UploadMetadata {
  const accepted: UploadMetadata = {};
  for (const [key, value] of Object.entries(client ?? {})) {
    if ((SERVER_KEYS as readonly string[]).includes(key)) continue;
    if (value !== null && value.length > MAX_VALUE_CHARS) throw new MetadataProblem(`The upload's "${key}" is longer than ${MAX_VALUE_CHARS} characters.`);
    accepted[key] = value;
  }
  if (accepted.sha256 !== undefined) {
    if (accepted.sha256 === null || !SHA256.test(accepted.sha256)) {
      throw new MetadataProblem('The upload\'s "sha256" must be the SHA-256 of the whole file as 64 hexadecimal digits, or left out.');
    }
    accepted.sha256 = accepted.sha256.toLowerCase();
  }
  accepted.uploader = uploaderId;
  return accepted;
}

/** Uploads are private to their uploader; admin may use any. Others see them as unknown (404). */
export function mayUseUpload(user: AuthenticatedUser, metadata: UploadMetadata | undefined): boolean {
  return user.role === 'admin' || metadata?.uploader === user.id;
}

/** Why the stored bytes do not match the checksum the client announced, or null when they do. */
export function checksumMismatch(claimed: string | null | undefined, actual: string): string | null {
  if (!claimed || claimed.toLowerCase() === actual) return null;
  return `The file's SHA-256 is ${actual} but the upload announced ${claimed.toLowerCase()}: the file changed or was damaged on the way. Upload it again.`;
}
