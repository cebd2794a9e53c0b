/**
 * Counts the blocks (tiles or strips) of a TIFF's full-resolution image that hold no data: a
 * sparse file (GDAL's SPARSE_OK, or a hand-made one) declares blocks with no bytes, which GDAL
 * reads as nodata. A few MB can so declare billions of pixels, each of which ingest would then
 * decode, re-encode and detect on. Read from the first image directory's byte counts (TIFF and
 * BigTIFF, either byte order), never from the pixels.
 */
import fs from 'node:fs/promises';
import { mediumOf } from '../raster-store.js';

export interface BlockCount {
  total: number;
  empty: number;
}

const TILE_BYTE_COUNTS = 325;
const STRIP_BYTE_COUNTS = 279;
/** Bytes of each TIFF field type the byte counts may have: SHORT, LONG, LONG8. */
const TYPE_BYTES: Record<number, number> = { 3: 2, 4: 4, 16: 8 };
/** Byte counts read at once (8 MB at most). */
const CHUNK = 1 << 20;

/**
 * The blocks of the first image of the TIFF at `file`, and how many are empty; null when it is
 * not a TIFF this can read, or not a local file (an upload already in an object store: the API
 * checked it when it was a local upload).
 */
export async function countEmptyBlocks(file: string): Promise<BlockCount | null> {
  if (mediumOf(file).virtual) return null;
  const handle = await fs.open(file, 'r');
  try {
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead < length) throw new Error('short read');
      return buffer;
    };
    const header = await read(0, 16);
    const little = header.toString('latin1', 0, 2) === 'II';
    if (!little && header.toString('latin1', 0, 2) !== 'MM') return null;
    const u16 = (b: Buffer, at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const u32 = (b: Buffer, at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
    const u64 = (b: Buffer, at: number) => Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
    const big = u16(header, 2) === 43;
    if (!big && u16(header, 2) !== 42) return null;
    const ifd = big ? u64(header, 8) : u32(header, 4);
    const entrySize = big ? 20 : 12;
    const entryCount = big ? u64(await read(ifd, 8), 0) : u16(await read(ifd, 2), 0);
    const entries = await read(ifd + (big ? 8 : 2), entryCount * entrySize);
    for (const tag of [TILE_BYTE_COUNTS, STRIP_BYTE_COUNTS]) {
      for (let e = 0; e < entryCount; e += 1) {
        const at = e * entrySize;
        if (u16(entries, at) !== tag) continue;
        const type = u16(entries, at + 2);
        const width = TYPE_BYTES[type];
        if (!width) return null;
        const count = big ? u64(entries, at + 4) : u32(entries, at + 4);
        const inline = count * width <= (big ? 8 : 4);
        const valueAt = at + (big ? 12 : 8);
        const value = (b: Buffer, i: number) => (width === 2 ? u16(b, i) : width === 4 ? u32(b, i) : u64(b, i));
        let empty = 0;
        if (inline) {
          for (let i = 0; i < count; i += 1) if (value(entries, valueAt + i * width) === 0) empty += 1;
        } else {
          const offset = big ? u64(entries, valueAt) : u32(entries, valueAt);
          for (let start = 0; start < count; start += CHUNK) {
            const n = Math.min(CHUNK, count - start);
            const chunk = await read(offset + start * width, n * width);
            for (let i = 0; i < n; i += 1) if (value(chunk, i * width) === 0) empty += 1;
          }
        }
        return { total: count, empty };
      }
    }
    return null;
  } catch {
    return null; // a damaged directory: the readability checks say what is wrong with the file
  } finally {
    await handle.close();
  }
}
