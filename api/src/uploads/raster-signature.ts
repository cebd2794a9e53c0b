/**
 * What a file is, from its first bytes: a TIFF (classic or BigTIFF, which GeoTIFFs are) or, in
 * words an operator recognises, what else it looks like. Pure; the caller reads the bytes.
 */
export const SIGNATURE_BYTES = 8;

export type Signature = { tiff: true } | { tiff: false; looksLike: string };

const OTHERS: Array<[string, (b: Buffer) => boolean]> = [
  ['a PNG image', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['a JPEG photo', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['a ZIP archive (unpack it and upload the .tif inside)', (b) => b.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))],
  ['a PDF document', (b) => b.subarray(0, 5).toString('latin1') === '%PDF-'],
  ['a 7-Zip archive (unpack it and upload the .tif inside)', (b) => b.subarray(0, 6).equals(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]))],
  ['a gzip archive (unpack it and upload the .tif inside)', (b) => b[0] === 0x1f && b[1] === 0x8b],
];

export function rasterSignature(head: Buffer): Signature {
  const order = head.subarray(0, 2).toString('latin1');
  // Byte order mark, then 42 (classic TIFF) or 43 (BigTIFF, for files over 4 GiB).
  const version = head.length < 4 ? -1 : order === 'II' ? head.readUInt16LE(2) : order === 'MM' ? head.readUInt16BE(2) : -1;
  if (version === 42 || version === 43) return { tiff: true };
  for (const [name, test] of OTHERS) if (head.length >= SIGNATURE_BYTES && test(head)) return { tiff: false, looksLike: name };
  if (head.length === 0) return { tiff: false, looksLike: 'an empty file' };
  const text = head.every((byte) => byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f));
  return { tiff: false, looksLike: text ? 'a text file' : 'a file of an unknown kind' };
}
