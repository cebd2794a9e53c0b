/**
 * Sliding-window minimum and maximum over a 2D grid (square window, separable), in O(1) per cell
 * with a monotonic deque: the ground estimate runs a 60 m window over whole flights, where a naive
 * window scan would cost a thousand comparisons per cell. NaN cells are ignored; a window holding
 * only NaN gives NaN.
 */

/** Sliding min (or max) of width 2*radius+1 along one line of `n` values read with `stride`. */
function slideLine(
  src: Float32Array,
  dst: Float32Array,
  start: number,
  stride: number,
  n: number,
  radius: number,
  isMin: boolean,
  deque: Int32Array,
  line: Float64Array,
): void {
  const empty = isMin ? Infinity : -Infinity;
  for (let i = 0; i < n; i++) {
    const v = src[start + i * stride]!;
    line[i] = v === v ? v : empty;
  }
  let head = 0;
  let tail = 0;
  let next = 0; // next index to push
  for (let i = 0; i < n; i++) {
    const hi = Math.min(n - 1, i + radius);
    while (next <= hi) {
      const v = line[next]!;
      while (tail > head && (isMin ? line[deque[tail - 1]!]! >= v : line[deque[tail - 1]!]! <= v)) tail--;
      deque[tail++] = next++;
    }
    while (deque[head]! < i - radius) head++;
    const best = line[deque[head]!]!;
    dst[start + i * stride] = best === empty ? NaN : best;
  }
}

/** Square-window minimum (isMin) or maximum of a width x height grid; returns a new array. */
export function slidingExtremum(values: Float32Array, width: number, height: number, radius: number, isMin: boolean): Float32Array {
  const tmp = new Float32Array(values.length);
  const out = new Float32Array(values.length);
  const deque = new Int32Array(Math.max(width, height));
  const line = new Float64Array(Math.max(width, height));
  for (let r = 0; r < height; r++) slideLine(values, tmp, r * width, 1, width, radius, isMin, deque, line);
  for (let c = 0; c < width; c++) slideLine(tmp, out, c, width, height, radius, isMin, deque, line);
  return out;
}

/** Box mean over a (2*radius+1)^2 window, edges averaged over the part inside; NaN ignored. */
export function boxMean(values: Float32Array, width: number, height: number, radius: number): Float32Array {
  const pass = (src: Float32Array, dst: Float32Array, lines: number, n: number, along: number, across: number) => {
    for (let l = 0; l < lines; l++) {
      let sum = 0;
      let count = 0;
      const at = (i: number) => src[l * across + i * along]!;
      for (let i = 0; i < Math.min(n, radius); i++) {
        const v = at(i);
        if (v === v) {
          sum += v;
          count++;
        }
      }
      for (let i = 0; i < n; i++) {
        const add = i + radius;
        if (add < n) {
          const v = at(add);
          if (v === v) {
            sum += v;
            count++;
          }
        }
        const drop = i - radius - 1;
        if (drop >= 0) {
          const v = at(drop);
          if (v === v) {
            sum -= v;
            count--;
          }
        }
        dst[l * across + i * along] = count > 0 ? sum / count : NaN;
      }
    }
  };
  const tmp = new Float32Array(values.length);
  const out = new Float32Array(values.length);
  pass(values, tmp, height, width, 1, width);
  pass(tmp, out, width, height, width, 1);
  return out;
}
