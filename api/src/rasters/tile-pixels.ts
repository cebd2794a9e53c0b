/**
 * How a surface model (DSM, heights in metres) is drawn as a map tile: a hillshade, which shows
 * roofs, added floors and sheds by their shadows at any height, or a colour ramp of heights, which
 * shows how tall things are. Also how an orthophoto window becomes RGBA. Pure: arrays in, RGBA out.
 *
 * @example
 * hillshade({ heights, valid, width: 256, height: 256, cellSize: 0.5 }) // RGBA, 256 * 256 * 4 bytes
 */

export const DSM_STYLES = ['hillshade', 'ramp'] as const;
export type DsmStyle = (typeof DSM_STYLES)[number];

/**
 * A window of heights with a margin of one pixel on every side (the hillshade needs each pixel's
 * eight neighbours): (width + 2) x (height + 2) values, row-major, north row first.
 */
export interface HeightWindow {
  heights: ArrayLike<number>;
  /** Non-zero where the height is data (not nodata, inside the flight). Same layout. */
  valid: ArrayLike<number>;
  /** Output width and height, pixels (the window without its margin). */
  width: number;
  height: number;
  /** Ground size of a pixel, metres. */
  cellSize: number;
}

/** Where the light comes from: gdaldem's defaults (north-west, 45° up), so shading looks familiar. */
export const LIGHT = { azimuthDeg: 315, altitudeDeg: 45 } as const;

/**
 * Horn's method, as `gdaldem hillshade` computes it: grey 1..255 (0 is left for "no data"), fully
 * opaque where the height is valid, transparent elsewhere. A missing neighbour takes the centre's
 * height, so the flight's edge is drawn flat instead of as a cliff.
 */
export function hillshade(window: HeightWindow, light: { azimuthDeg: number; altitudeDeg: number } = LIGHT): Uint8Array {
  const { heights, valid, width, height, cellSize } = window;
  const stride = width + 2;
  const az = (light.azimuthDeg * Math.PI) / 180;
  const alt = (light.altitudeDeg * Math.PI) / 180;
  const sinAlt = Math.sin(alt);
  const eastLight = Math.sin(az) * Math.cos(alt);
  const northLight = Math.cos(az) * Math.cos(alt);
  const out = new Uint8Array(width * height * 4);
  for (let row = 0; row < height; row += 1) {
    for (let col = 0; col < width; col += 1) {
      const centre = (row + 1) * stride + col + 1;
      const o = (row * width + col) * 4;
      if (!valid[centre]) continue; // transparent
      const z = heights[centre]!;
      const at = (dr: number, dc: number) => {
        const i = centre + dr * stride + dc;
        return valid[i] ? heights[i]! : z;
      };
      // Rises to the east and to the north, metres per metre.
      const dzdx = (at(-1, 1) + 2 * at(0, 1) + at(1, 1) - (at(-1, -1) + 2 * at(0, -1) + at(1, -1))) / (8 * cellSize);
      const dzdy = (at(-1, -1) + 2 * at(-1, 0) + at(-1, 1) - (at(1, -1) + 2 * at(1, 0) + at(1, 1))) / (8 * cellSize);
      // Cosine between the surface normal (-dzdx, -dzdy, 1) and the direction to the light.
      const shade = (sinAlt - dzdx * eastLight - dzdy * northLight) / Math.sqrt(1 + dzdx * dzdx + dzdy * dzdy);
      const grey = shade <= 0 ? 1 : Math.round(1 + 254 * shade);
      out[o] = grey;
      out[o + 1] = grey;
      out[o + 2] = grey;
      out[o + 3] = 255;
    }
  }
  return out;
}

/** The height ramp: low blue, through green and pale yellow, to high red (ColorBrewer "Spectral"). */
export const RAMP_STOPS: ReadonlyArray<readonly [number, readonly [number, number, number]]> = [
  [0, [43, 131, 186]],
  [0.25, [171, 221, 164]],
  [0.5, [255, 255, 191]],
  [0.75, [253, 174, 97]],
  [1, [215, 25, 28]],
];

/** The ramp's colour at t (0..1, clamped). */
export function rampColour(t: number): [number, number, number] {
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
  for (let s = 1; s < RAMP_STOPS.length; s += 1) {
    const [t1, c1] = RAMP_STOPS[s]!;
    if (u <= t1) {
      const [t0, c0] = RAMP_STOPS[s - 1]!;
      const f = (u - t0) / (t1 - t0);
      return [0, 1, 2].map((b) => Math.round(c0[b]! + f * (c1[b]! - c0[b]!))) as [number, number, number];
    }
  }
  return [...RAMP_STOPS[RAMP_STOPS.length - 1]![1]] as [number, number, number];
}

/**
 * Heights coloured from `range.low` (first colour) to `range.high` (last), clamped beyond; the
 * margin of the window is skipped so both styles read the same window.
 */
export function colourRamp(window: HeightWindow, range: HeightRange): Uint8Array {
  const { heights, valid, width, height } = window;
  const stride = width + 2;
  const span = range.high - range.low || 1;
  const out = new Uint8Array(width * height * 4);
  for (let row = 0; row < height; row += 1) {
    for (let col = 0; col < width; col += 1) {
      const i = (row + 1) * stride + col + 1;
      if (!valid[i]) continue;
      const [r, g, b] = rampColour((heights[i]! - range.low) / span);
      const o = (row * width + col) * 4;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = 255;
    }
  }
  return out;
}

export interface HeightRange {
  low: number;
  high: number;
}

/**
 * The range the ramp spans for a whole flight: the 2nd to the 98th percentile of a coarse sample
 * of its heights (one tall chimney or a noisy pixel must not wash out the rest). The same range
 * for every tile, so neighbouring tiles match. At least 1 m wide; null when nothing is valid.
 */
export function heightRange(heights: ArrayLike<number>, valid: ArrayLike<number>): HeightRange | null {
  const values: number[] = [];
  for (let i = 0; i < heights.length; i += 1) if (valid[i] && Number.isFinite(heights[i])) values.push(heights[i]!);
  if (!values.length) return null;
  values.sort((a, b) => a - b);
  const pick = (q: number) => values[Math.min(values.length - 1, Math.max(0, Math.round(q * (values.length - 1))))]!;
  const low = pick(0.02);
  const high = pick(0.98);
  if (high - low >= 1) return { low, high };
  const middle = (low + high) / 2;
  return { low: middle - 0.5, high: middle + 0.5 };
}

/**
 * An orthophoto window as RGBA: its red, green and blue bands with the warp's alpha (0 outside the
 * flight or under its mask). Pixels of the black collar that photogrammetry software leaves around
 * an orthophoto (all three bands under 2, as ingest traces the footprint) are transparent too.
 */
export function orthophotoRgba(red: ArrayLike<number>, green: ArrayLike<number>, blue: ArrayLike<number>, alpha: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(red.length * 4);
  for (let i = 0; i < red.length; i += 1) {
    const r = red[i]!;
    const g = green[i]!;
    const b = blue[i]!;
    if (!alpha[i] || r + g + b < 6) continue;
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = alpha[i]!;
  }
  return out;
}
