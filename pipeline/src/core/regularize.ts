/**
 * Regularisation of detected outlines: raster polygons come out as pixel staircases, while the
 * structures are mostly rectangles or right-angled shapes. A shape that nearly fills its
 * minimum-area rectangle becomes that rectangle; a right-angled shape (L, T, U) has its edges
 * snapped to the two dominant directions; anything else (round water tanks, odd sheds) is only
 * simplified. Pure, planar: coordinates in metres of a projected CRS.
 *
 * @example
 * regularizeRing(staircase) // => { ring: [[0,0],[10,0],[10,12],[0,12],[0,0]], shape: 'rectangle', angle: 0 }
 */

export type Point = [number, number];
export type Ring = Point[];

export interface RegularizeOptions {
  /** Share of its minimum rectangle a shape must fill to become that rectangle. Default 0.85. */
  rectangleFill?: number;
  /** Douglas-Peucker tolerance before snapping, metres. Default 0.6. */
  simplifyM?: number;
  /** Largest area change a regularised shape may make, as a share. Default 0.2. */
  maxAreaChange?: number;
  /** Share of the simplified outline within 15 degrees of the two axes for right-angle snapping. Default 0.75. */
  axisAlignedShare?: number;
}

export interface Regularized {
  ring: Ring;
  shape: 'rectangle' | 'orthogonal' | 'simplified';
  /** Orientation of the dominant axis, radians. */
  angle: number;
}

export function ringArea(ring: Ring): number {
  let twice = 0;
  for (let i = 0; i + 1 < ring.length; i += 1) twice += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return Math.abs(twice) / 2;
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Convex hull by the monotone chain, counter-clockwise, not closed. */
export function convexHull(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const half = (list: Point[]) => {
    const out: Point[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

const rotate = ([x, y]: Point, angle: number): Point => [x * Math.cos(angle) - y * Math.sin(angle), x * Math.sin(angle) + y * Math.cos(angle)];

/** The minimum-area enclosing rectangle (rotating calipers over the hull's edge directions). */
export function minimumAreaRectangle(ring: Ring): { ring: Ring; area: number; angle: number } {
  const hull = convexHull(ring.slice(0, -1));
  let best = { area: Infinity, angle: 0, box: [0, 0, 0, 0] as [number, number, number, number] };
  for (let i = 0; i < hull.length; i += 1) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const p of hull) {
      const [x, y] = rotate(p, -angle);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    const area = (maxX - minX) * (maxY - minY);
    if (area < best.area - 1e-9) best = { area, angle, box: [minX, minY, maxX, maxY] };
  }
  const [minX, minY, maxX, maxY] = best.box;
  const corners: Point[] = [[minX, minY], [maxX, minY], [maxX, maxY], [minX, maxY]].map((p) => rotate(p as Point, best.angle));
  return { ring: [...corners, corners[0]!], area: best.area, angle: best.angle };
}

/** Douglas-Peucker on a closed ring. */
export function simplifyRing(ring: Ring, tolerance: number): Ring {
  const open = ring.slice(0, -1);
  if (open.length <= 4) return ring;
  // Split at the two mutually farthest-apart vertices so that the closed ring keeps its extent.
  let far = 0;
  for (let i = 1; i < open.length; i += 1) {
    if (Math.hypot(open[i]![0] - open[0]![0], open[i]![1] - open[0]![1]) > Math.hypot(open[far]![0] - open[0]![0], open[far]![1] - open[0]![1])) far = i;
  }
  const keep = new Uint8Array(open.length + 1);
  const points = [...open, open[0]!];
  const mark = (first: number, last: number) => {
    let index = -1;
    let distance = tolerance;
    const [ax, ay] = points[first]!;
    const [bx, by] = points[last]!;
    const length = Math.hypot(bx - ax, by - ay) || 1;
    for (let i = first + 1; i < last; i += 1) {
      const d = Math.abs((bx - ax) * (ay - points[i]![1]) - (ax - points[i]![0]) * (by - ay)) / length;
      if (d > distance) {
        distance = d;
        index = i;
      }
    }
    if (index >= 0) {
      keep[index] = 1;
      mark(first, index);
      mark(index, last);
    }
  };
  keep[0] = keep[far] = keep[open.length] = 1;
  mark(0, far);
  mark(far, open.length);
  const out = points.filter((_, i) => keep[i]);
  return out.length >= 4 ? out : ring;
}

/** Share of the ring's perimeter whose edges run within 15 degrees of the axes of `angle`. */
function axisAlignment(ring: Ring, angle: number): number {
  let aligned = 0;
  let total = 0;
  for (let i = 0; i + 1 < ring.length; i += 1) {
    const [ax, ay] = ring[i]!;
    const [bx, by] = ring[i + 1]!;
    const length = Math.hypot(bx - ax, by - ay);
    const off = Math.abs(((Math.atan2(by - ay, bx - ax) - angle) % (Math.PI / 2) + Math.PI / 2) % (Math.PI / 2));
    if (Math.min(off, Math.PI / 2 - off) <= Math.PI / 12) aligned += length;
    total += length;
  }
  return total ? aligned / total : 0;
}

/** Snaps the edges of a simplified ring to the axes of `angle`; null if it is not right-angled. */
function orthogonalize(ring: Ring, angle: number): Ring | null {
  const local = ring.slice(0, -1).map((p) => rotate(p, -angle));
  type Edge = { horizontal: boolean; level: number; weight: number };
  const edges: Edge[] = [];
  for (let i = 0; i < local.length; i += 1) {
    const [ax, ay] = local[i]!;
    const [bx, by] = local[(i + 1) % local.length]!;
    const horizontal = Math.abs(bx - ax) >= Math.abs(by - ay);
    const weight = Math.hypot(bx - ax, by - ay);
    const level = horizontal ? (ay + by) / 2 : (ax + bx) / 2;
    const last = edges[edges.length - 1];
    if (last && last.horizontal === horizontal) {
      last.level = (last.level * last.weight + level * weight) / (last.weight + weight);
      last.weight += weight;
    } else edges.push({ horizontal, level, weight });
  }
  while (edges.length > 1 && edges[0]!.horizontal === edges[edges.length - 1]!.horizontal) {
    const first = edges.shift()!;
    const last = edges[edges.length - 1]!;
    last.level = (last.level * last.weight + first.level * first.weight) / (last.weight + first.weight);
    last.weight += first.weight;
  }
  if (edges.length < 4 || edges.length % 2) return null;
  const corners: Point[] = edges.map((edge, i) => {
    const next = edges[(i + 1) % edges.length]!;
    const local: Point = edge.horizontal ? [next.level, edge.level] : [edge.level, next.level];
    return rotate(local, angle);
  });
  return [...corners, corners[0]!];
}

export function regularizeRing(ring: Ring, options: RegularizeOptions = {}): Regularized {
  const { rectangleFill = 0.85, simplifyM = 0.6, maxAreaChange = 0.2, axisAlignedShare = 0.75 } = options;
  const area = ringArea(ring);
  const rectangle = minimumAreaRectangle(ring);
  const within = (candidate: Ring) => Math.abs(ringArea(candidate) - area) <= maxAreaChange * area;
  if (area >= rectangleFill * rectangle.area) return { ring: rectangle.ring, shape: 'rectangle', angle: rectangle.angle };
  const simplified = simplifyRing(ring, simplifyM);
  const orthogonal = axisAlignment(simplified, rectangle.angle) >= axisAlignedShare ? orthogonalize(simplified, rectangle.angle) : null;
  if (orthogonal && within(orthogonal)) return { ring: orthogonal, shape: 'orthogonal', angle: rectangle.angle };
  return { ring: simplified, shape: 'simplified', angle: rectangle.angle };
}
