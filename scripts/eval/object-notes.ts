/**
 * Why each miss and each false alarm on a surface-model tile (issue 18 item 3: "report misses and
 * false alarms per object and why"), pure (no I/O): what the surface model shows in and around the
 * object, and a reason read from that, after the categories of the model card's hand-made
 * per-object tables (MODEL_CARD.md, "Object decision"). `npm run eval -- <surface dir> --objects
 * <file.json>` writes them for every tile.
 *
 * The reasons are a first reading for a person going through the objects, not a verdict: a house
 * under a tree and a tree both show a raised rough surface.
 */
import type { Grid } from '#pipeline/model/grid.js';
import { slidingExtremum } from '#pipeline/model/sliding-extremum.js';

/**
 * A 3 x 3 plane residual (root mean square) above this is a rough surface (crowns); at or under it
 * a flat one (roofs), metres. On uav_dsm_vietnam (0.21 m) roofs have a median residual of 1-2 cm,
 * the surface round houses standing among trees 3-12 cm.
 */
export const FLAT_RESIDUAL_M = 0.03;
/** Raised: this far above the estimated ground, metres. */
export const RAISED_M = 2;
/** A building whose median height above ground is under this is too low for a height rule, metres. */
export const LOW_M = 1.5;
/** The band round a missed building whose raised rough share says "under or among trees", metres. */
export const RING_M = 2;
/** Share of that band raised and rough from which a miss reads as under or among trees. */
export const CANOPY_RING_SHARE = 0.4;
/** A detection with less than this share of flat pixels reads as a rough top (a crown). */
export const FLAT_SHARE = 0.6;

/** The reasons, misses first, in the order they are tested. */
export const REASONS = ['too_low', 'canopy', 'merged', 'fragment_missed', 'not_detected', 'piece_of_withheld', 'on_mapped', 'rough_top', 'low', 'flat_unmapped'] as const;
export type Reason = (typeof REASONS)[number];

export interface ObjectNote {
  tile: string;
  kind: 'missed' | 'false_alarm';
  /** Object number within the tile: the withheld building's (outline order) or the detection's. */
  index: number;
  areaM2: number;
  /** Median height above the estimated ground over the object's pixels with heights, metres (null: none). */
  heightM: number | null;
  /** Highest and mean probability of new structure over the object, in the served map. */
  peakP: number;
  meanP: number;
  /** Share of the object's pixels with a 3 x 3 plane residual at or under FLAT_RESIDUAL_M. */
  flatShare: number;
  /** Missed buildings: share of the RING_M band round the outline that is raised and rough. */
  canopyRingShare?: number;
  /** The reason in one word, for counting (REASONS). */
  reason: Reason;
  /** Centre of the object on the tile's grid (map coordinates), to find it in GIS. */
  x: number;
  y: number;
  why: string;
}

/** What noteObjects reads, all on the tile's grid (the truth's). */
export interface NoteInputs {
  tile: string;
  grid: Grid;
  /** Probability of new structure, as the evaluation scored it. */
  p: Float32Array;
  /** Height above the estimated ground, NaN where unknown. */
  height: Float32Array;
  /** 3 x 3 plane residual of the surface model (planeResidual), NaN where unknown. */
  residual: Float32Array;
  /** 1 on the baseline's buildings (the outlines not withheld). */
  mapped: Uint8Array;
  /** Withheld buildings as labels (k = building k - 1) and how the object match judged each. */
  truthLabels: Int32Array;
  truthStates: readonly ('found' | 'missed' | 'ignored')[];
  /** Detections as labels (k = detection k - 1) and how the object match judged each. */
  detectionLabels: Int32Array;
  detectionStates: readonly ('tp' | 'fp' | 'ignored')[];
}

/**
 * Root-mean-square residual of the least-squares plane through each pixel's 3 x 3 neighbourhood,
 * metres; NaN at the edge and where any neighbour has no height. On a regular grid the plane's
 * slopes are sum(x z) / 6 and sum(y z) / 6 with x, y in {-1, 0, 1}; a tilted flat roof scores 0.
 */
export function planeResidual(z: ArrayLike<number>, valid: Uint8Array, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height).fill(Number.NaN);
  for (let r = 1; r < height - 1; r++) {
    for (let c = 1; c < width - 1; c++) {
      let sum = 0;
      let sx = 0;
      let sy = 0;
      let ok = true;
      for (let dy = -1; dy <= 1 && ok; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const k = (r + dy) * width + c + dx;
          if (!valid[k]) {
            ok = false;
            break;
          }
          const v = z[k]!;
          sum += v;
          sx += dx * v;
          sy += dy * v;
        }
      }
      if (!ok) continue;
      const a = sum / 9;
      const b = sx / 6;
      const d = sy / 6;
      let sq = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sq += (z[(r + dy) * width + c + dx]! - (a + b * dx + d * dy)) ** 2;
      out[r * width + c] = Math.sqrt(sq / 9);
    }
  }
  return out;
}

interface Members {
  pixels: number[];
  col0: number;
  row0: number;
  col1: number;
  row1: number;
}

/** Each label's pixels and bounding box (labels k + 1 -> entry k). */
function members(labels: Int32Array, count: number, width: number): Members[] {
  const out: Members[] = Array.from({ length: count }, () => ({ pixels: [], col0: Infinity, row0: Infinity, col1: -1, row1: -1 }));
  for (let k = 0; k < labels.length; k++) {
    const m = out[labels[k]! - 1];
    if (!m) continue;
    m.pixels.push(k);
    const r = Math.floor(k / width);
    const c = k - r * width;
    m.col0 = Math.min(m.col0, c);
    m.col1 = Math.max(m.col1, c);
    m.row0 = Math.min(m.row0, r);
    m.row1 = Math.max(m.row1, r);
  }
  return out;
}

/** Pixels within `radius` pixels (a square) of the object and not in it: its mask, cut to its box and the band, under a square maximum. */
function band(m: Members, radius: number, width: number, height: number): number[] {
  const c0 = Math.max(0, m.col0 - radius);
  const r0 = Math.max(0, m.row0 - radius);
  const w = Math.min(width - 1, m.col1 + radius) - c0 + 1;
  const h = Math.min(height - 1, m.row1 + radius) - r0 + 1;
  const inside = new Float32Array(w * h);
  for (const k of m.pixels) inside[(Math.floor(k / width) - r0) * w + (k % width) - c0] = 1;
  const near = slidingExtremum(inside, w, h, radius, false);
  const out: number[] = [];
  for (let i = 0; i < near.length; i++) if (near[i]! > 0.5 && !inside[i]) out.push((Math.floor(i / w) + r0) * width + (i % w) + c0);
  return out;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}

const pct = (v: number) => `${Math.round(v * 100)}%`;
const metres = (v: number | null) => (v === null ? 'unknown' : `${v.toFixed(1)} m`);

/** The notes of one tile: every missed withheld building and every false alarm, with why. */
export function noteObjects(t: NoteInputs): ObjectNote[] {
  const { width, height: rows, geoTransform: g } = t.grid;
  const pixelArea = Math.abs(g[1] * g[5]);
  const ringPx = Math.max(1, Math.round(RING_M / Math.abs(g[1])));
  const describe = (m: Members) => {
    const heights: number[] = [];
    let flat = 0;
    let withResidual = 0;
    let peak = 0;
    let sum = 0;
    for (const k of m.pixels) {
      if (Number.isFinite(t.height[k]!)) heights.push(t.height[k]!);
      if (Number.isFinite(t.residual[k]!)) {
        withResidual++;
        if (t.residual[k]! <= FLAT_RESIDUAL_M) flat++;
      }
      peak = Math.max(peak, t.p[k]!);
      sum += t.p[k]!;
    }
    const col = (m.col0 + m.col1 + 1) / 2;
    const row = (m.row0 + m.row1 + 1) / 2;
    const heightM = median(heights);
    return {
      areaM2: +(m.pixels.length * pixelArea).toFixed(2),
      heightM: heightM === null ? null : +heightM.toFixed(2),
      peakP: +peak.toFixed(3),
      meanP: +(sum / Math.max(1, m.pixels.length)).toFixed(3),
      flatShare: +(withResidual ? flat / withResidual : 0).toFixed(2),
      x: +(g[0] + col * g[1] + row * g[2]).toFixed(2),
      y: +(g[3] + col * g[4] + row * g[5]).toFixed(2),
    };
  };
  const notes: ObjectNote[] = [];
  const truths = members(t.truthLabels, t.truthStates.length, width);
  truths.forEach((m, i) => {
    if (t.truthStates[i] !== 'missed') return;
    const d = describe(m);
    const ring = band(m, ringPx, width, rows).filter((k) => Number.isFinite(t.height[k]!) && Number.isFinite(t.residual[k]!));
    const canopy = ring.length ? ring.filter((k) => t.height[k]! > RAISED_M && t.residual[k]! > FLAT_RESIDUAL_M).length / ring.length : 0;
    const covered = m.pixels.filter((k) => t.detectionLabels[k]! > 0).length / Math.max(1, m.pixels.length);
    const [reason, why]: [Reason, string] =
      d.heightM !== null && d.heightM < LOW_M
        ? ['too_low', `too low for heights: ${metres(d.heightM)} above the ground`]
        : canopy >= CANOPY_RING_SHARE
          ? ['canopy', `under or among trees: raised rough surface covers ${pct(canopy)} of a ${RING_M} m band round it`]
          : covered >= 0.5
            ? ['merged', `inside a detection that matched another building or was too large for it (${pct(covered)} covered)`]
            : covered > 0
              ? ['fragment_missed', `only ${pct(covered)} of it detected: too little to match`]
              : ['not_detected', `not detected: peak p ${d.peakP} in the served map, ${metres(d.heightM)} high, ${pct(d.flatShare)} flat`];
    notes.push({ tile: t.tile, kind: 'missed', index: i, ...d, canopyRingShare: +canopy.toFixed(2), reason, why });
  });
  const detections = members(t.detectionLabels, t.detectionStates.length, width);
  detections.forEach((m, i) => {
    if (t.detectionStates[i] !== 'fp') return;
    const d = describe(m);
    const onTruth = m.pixels.filter((k) => t.truthLabels[k]! > 0 && t.truthStates[t.truthLabels[k]! - 1] !== 'ignored').length / Math.max(1, m.pixels.length);
    const onMapped = m.pixels.filter((k) => t.mapped[k]).length / Math.max(1, m.pixels.length);
    const [reason, why]: [Reason, string] =
      onTruth > 0
        ? ['piece_of_withheld', `a piece of a withheld building that another detection matched, or too little of it (${pct(onTruth)} on it)`]
        : onMapped >= 0.2
          ? ['on_mapped', `on a mapped building (${pct(onMapped)} inside the baseline's outlines): its edge or a part the baseline height misses`]
          : d.flatShare < FLAT_SHARE
            ? ['rough_top', `rough top, ${pct(d.flatShare)} flat, ${metres(d.heightM)} high: a tree crown or clutter`]
            : d.heightM !== null && d.heightM < LOW_M
              ? ['low', `low (${metres(d.heightM)}): a wall, a car or ground the estimate missed`]
              : ['flat_unmapped', `raised flat surface, ${metres(d.heightM)} high, ${pct(d.flatShare)} flat, with no outline in the labels: an unmapped structure, or a new one`];
    notes.push({ tile: t.tile, kind: 'false_alarm', index: i, ...d, reason, why });
  });
  return notes;
}

/** How many missed buildings and false alarms each reason has. */
export function reasonCounts(notes: readonly ObjectNote[]): Record<ObjectNote['kind'], Partial<Record<Reason, number>>> {
  const counts: Record<ObjectNote['kind'], Partial<Record<Reason, number>>> = { missed: {}, false_alarm: {} };
  for (const n of notes) counts[n.kind][n.reason] = (counts[n.kind][n.reason] ?? 0) + 1;
  return counts;
}

/** The counts as lines for the terminal, reasons in REASONS order. */
export function reasonTable(notes: readonly ObjectNote[]): string {
  const counts = reasonCounts(notes);
  return (['missed', 'false_alarm'] as const)
    .map((kind) => `${kind === 'missed' ? 'missed' : 'false alarms'}: ` + (REASONS.filter((r) => counts[kind][r]).map((r) => `${r} ${counts[kind][r]}`).join(', ') || 'none'))
    .join('\n');
}
