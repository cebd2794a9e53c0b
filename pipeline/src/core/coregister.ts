/**
 * Co-registration: how far the new flight's content sits from the reference (an earlier
 * orthophoto, or the baseline height model), so that 0.3 to 1.5 m of drift between flights does
 * not turn every roof edge into a false change. Phase correlation is used because it ignores
 * brightness and contrast differences between dates and finds the shift in one pass; several
 * windows across the flight vote through the median so that real changes cannot drag it.
 */
import { fft2d, isPowerOfTwo } from './fft.js';

export interface ShiftEstimate {
  /** Content of `moving` appears displaced by (dx, dy) pixels from `reference` (x right, y down). */
  dx: number;
  dy: number;
  /** Height of the normalised correlation peak, 0..1: near 0 means no reliable match. */
  peak: number;
}

export interface ShiftOptions {
  /** Largest shift looked for, pixels. Default size / 4. */
  maxShiftPx?: number;
}

function prepare(image: Float32Array, size: number): Float64Array {
  let mean = 0;
  let valid = 0;
  for (const v of image) {
    if (Number.isFinite(v)) {
      mean += v;
      valid += 1;
    }
  }
  mean = valid ? mean / valid : 0;
  const out = new Float64Array(size * size);
  for (let y = 0; y < size; y += 1) {
    // A Hann window hides the image border, which would otherwise correlate with itself at zero shift.
    const wy = 0.5 - 0.5 * Math.cos((2 * Math.PI * y) / (size - 1));
    for (let x = 0; x < size; x += 1) {
      const v = image[y * size + x]!;
      const wx = 0.5 - 0.5 * Math.cos((2 * Math.PI * x) / (size - 1));
      out[y * size + x] = Number.isFinite(v) ? (v - mean) * wx * wy : 0;
    }
  }
  return out;
}

/**
 * Sub-pixel offset of a peak from its larger neighbour. A phase-correlation peak is a sampled
 * sinc, for which side / (side + centre) is the offset (Foroosh et al. 2002); a parabola
 * through three samples is biased by up to a third of a pixel.
 */
function refine(left: number, centre: number, right: number): number {
  const side = Math.max(left, right, 0);
  if (side <= 0 || centre <= 0) return 0;
  return (right >= left ? 1 : -1) * Math.min(0.5, side / (side + centre));
}

/** Estimates the shift between two size x size single-band images (size a power of two). */
export function estimateShift(reference: Float32Array, moving: Float32Array, size: number, options: ShiftOptions = {}): ShiftEstimate {
  if (!isPowerOfTwo(size) || reference.length !== size * size || moving.length !== size * size) {
    throw new Error(`estimateShift needs two ${size}x${size} images with size a power of two`);
  }
  const maxShift = Math.min(options.maxShiftPx ?? size / 4, size / 2 - 1);
  const aRe = prepare(reference, size);
  const bRe = prepare(moving, size);
  const aIm = new Float64Array(size * size);
  const bIm = new Float64Array(size * size);
  fft2d(aRe, aIm, size);
  fft2d(bRe, bIm, size);
  // Normalised cross-power spectrum B * conj(A) / |B * conj(A)|: its inverse peaks at the shift.
  for (let i = 0; i < size * size; i += 1) {
    const re = bRe[i]! * aRe[i]! + bIm[i]! * aIm[i]!;
    const im = bIm[i]! * aRe[i]! - bRe[i]! * aIm[i]!;
    const magnitude = Math.hypot(re, im) || 1;
    aRe[i] = re / magnitude;
    aIm[i] = im / magnitude;
  }
  fft2d(aRe, aIm, size, true);
  const at = (dx: number, dy: number) => aRe[((dy + size) % size) * size + ((dx + size) % size)]!;
  let best = { dx: 0, dy: 0, value: -Infinity };
  for (let dy = -maxShift; dy <= maxShift; dy += 1) {
    for (let dx = -maxShift; dx <= maxShift; dx += 1) {
      const value = at(dx, dy);
      if (value > best.value) best = { dx, dy, value };
    }
  }
  const { dx, dy, value } = best;
  return {
    dx: dx + refine(at(dx - 1, dy), value, at(dx + 1, dy)),
    dy: dy + refine(at(dx, dy - 1), value, at(dx, dy + 1)),
    peak: Math.max(0, value),
  };
}

/**
 * Combines the estimates of several windows: the median of those whose peak is at least
 * `minPeak`, or null when too few windows found a reliable match.
 */
export function combineShifts(estimates: ShiftEstimate[], minPeak = 0.05, minWindows = 1): ShiftEstimate | null {
  const reliable = estimates.filter((e) => e.peak >= minPeak);
  if (reliable.length < minWindows) return null;
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  return {
    dx: median(reliable.map((e) => e.dx)),
    dy: median(reliable.map((e) => e.dy)),
    peak: median(reliable.map((e) => e.peak)),
  };
}

/**
 * Sobel gradient magnitude of a width x height image; NaN (missing) pixels and the border give 0.
 * Comparing edges rather than brightness makes two dates of different season and sun comparable.
 */
export function gradientMagnitude(image: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const at = (dx: number, dy: number) => image[(y + dy) * width + x + dx]!;
      const gx = at(1, -1) + 2 * at(1, 0) + at(1, 1) - at(-1, -1) - 2 * at(-1, 0) - at(-1, 1);
      const gy = at(-1, 1) + 2 * at(0, 1) + at(1, 1) - at(-1, -1) - 2 * at(0, -1) - at(1, -1);
      const magnitude = Math.hypot(gx, gy);
      out[y * width + x] = Number.isFinite(magnitude) ? magnitude : 0;
    }
  }
  return out;
}
