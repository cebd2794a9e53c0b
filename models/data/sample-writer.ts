/**
 * The training-data format the Python trainer reads with numpy: one little-endian float16 file
 * per sample holding planes x rows x columns, and an index.json describing every sample (kind,
 * size, plane names, extras). float16 halves the size of hundreds of scenes; normalised inputs
 * and 0..1 targets lose nothing that matters at that precision.
 */
import fs from 'node:fs';
import path from 'node:path';

export type SampleKind = 'scene' | 'pair' | 'surface' | 'single';

export interface SampleEntry {
  file: string;
  kind: SampleKind;
  /** Where it came from: 'synthetic', 'levir_cd', 'uav_dsm_vietnam'... */
  source: string;
  name: string;
  width: number;
  height: number;
  planes: string[];
  extra?: Record<string, unknown>;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half precision bits of a number (round to nearest, overflow to infinity). */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    if ((mant >>> (shift - 1)) & 1) half += 1;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  // Round to nearest; a carry into the exponent is the correct rounding (up to infinity).
  if (mant & 0x1000) half += 1;
  return half;
}

export class SampleWriter {
  private readonly entries: SampleEntry[] = [];

  constructor(readonly dir: string) {
    fs.mkdirSync(path.join(dir, 'samples'), { recursive: true });
  }

  /** Writes planes (each width*height values) as one sample. */
  write(entry: Omit<SampleEntry, 'file' | 'planes'>, planes: Record<string, ArrayLike<number>>): void {
    const names = Object.keys(planes);
    const n = entry.width * entry.height;
    const out = new Uint16Array(names.length * n);
    names.forEach((name, p) => {
      const values = planes[name]!;
      if (values.length !== n) throw new Error(`${entry.name}: plane ${name} holds ${values.length} values, expected ${n}`);
      for (let i = 0; i < n; i++) out[p * n + i] = toHalf(values[i]!);
    });
    const file = `samples/${entry.source}-${entry.name}.f16`.replace(/[^A-Za-z0-9_./-]/g, '_');
    fs.writeFileSync(path.join(this.dir, file), Buffer.from(out.buffer));
    this.entries.push({ ...entry, file, planes: names });
  }

  get count(): number {
    return this.entries.length;
  }

  finish(meta: Record<string, unknown>): void {
    fs.writeFileSync(path.join(this.dir, 'index.json'), JSON.stringify({ ...meta, samples: this.entries }, null, 1));
  }
}
