/**
 * In-place radix-2 FFT on split real/imaginary arrays, and its 2D form over a square power-of-two
 * grid. Small and dependency-free: co-registration needs a few 512x512 transforms per flight.
 */

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Transforms `re`/`im` (length a power of two) in place; `inverse` divides by n. */
export function fft1d(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (!isPowerOfTwo(n) || im.length !== n) throw new Error(`fft1d needs equal power-of-two lengths, got ${n} and ${im.length}`);
  for (let i = 1, j = 0; i < n; i += 1) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / size;
    const wRe = Math.cos(angle);
    const wIm = Math.sin(angle);
    for (let start = 0; start < n; start += size) {
      let curRe = 1;
      let curIm = 0;
      for (let k = 0; k < size / 2; k += 1) {
        const a = start + k;
        const b = a + size / 2;
        const tRe = re[b]! * curRe - im[b]! * curIm;
        const tIm = re[b]! * curIm + im[b]! * curRe;
        re[b] = re[a]! - tRe;
        im[b] = im[a]! - tIm;
        re[a] = re[a]! + tRe;
        im[a] = im[a]! + tIm;
        const next = curRe * wRe - curIm * wIm;
        curIm = curRe * wIm + curIm * wRe;
        curRe = next;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i += 1) {
      re[i] = re[i]! / n;
      im[i] = im[i]! / n;
    }
  }
}

/** 2D FFT of a size x size grid stored row-major, in place: rows, then columns. */
export function fft2d(re: Float64Array, im: Float64Array, size: number, inverse = false): void {
  const rowRe = new Float64Array(size);
  const rowIm = new Float64Array(size);
  for (let pass = 0; pass < 2; pass += 1) {
    const stride = pass === 0 ? 1 : size;
    const step = pass === 0 ? size : 1;
    for (let line = 0; line < size; line += 1) {
      const base = line * step;
      for (let k = 0; k < size; k += 1) {
        rowRe[k] = re[base + k * stride]!;
        rowIm[k] = im[base + k * stride]!;
      }
      fft1d(rowRe, rowIm, inverse);
      for (let k = 0; k < size; k += 1) {
        re[base + k * stride] = rowRe[k]!;
        im[base + k * stride] = rowIm[k]!;
      }
    }
  }
}
