/**
 * A small printable map as inline SVG: areas, footprints and numbered markers drawn in a flat
 * projection fitted to a frame, with a scale bar and a north arrow, as a printed map a leader signs
 * must have. At the scale of a district or a village, longitude scaled by cos(latitude) is true to
 * well under a percent, so the scale bar is honest. No tiles, fonts or scripts: the same string
 * prints to PDF. Pure.
 *
 * @example
 * svgMap({ frame: village, shapes: [{ geometry: village, fill: '#e5e7eb', stroke: '#111827' }], north: '北', ariaLabel: '地图' })
 * // => '<svg ...><path .../>...<g class="scale-bar">...</g><g class="north-arrow">...</g></svg>'
 */
import type { Geometry, Position } from 'geojson';
import { escapeMarkup } from '../markup.js';
import { CHART_FONT_FAMILY, textWidth } from './text-width.js';

export interface MapShape {
  geometry: Geometry;
  fill: string;
  stroke: string;
  fillOpacity?: number;
  strokeWidth?: number;
  /** A name drawn at labelAt (or the middle of the shape's box). */
  label?: string;
  labelAt?: Position | null;
}

export interface MapMarker {
  at: Position;
  /** A short text in the marker, such as the item's number. */
  label: string;
  colour: string;
}

export interface MapSpec {
  /** What the map is fitted to. */
  frame: Geometry;
  /** Drawn in order, the first at the bottom. */
  shapes: readonly MapShape[];
  markers?: readonly MapMarker[];
  /** Small dots (lon, lat) under the markers, such as every case of the period. */
  dots?: readonly Position[];
  dotColour?: string;
  /** The letter of the north arrow: 北 or N. */
  north: string;
  ariaLabel: string;
  width?: number;
  maxHeight?: number;
}

const PAD = 14;
/** A column on the right for the north arrow, so it never sits on the drawing, px. */
const ARROW_COLUMN = 30;
/** The closest two numbered markers' centres may be, px (their circles are 8 px in radius). */
const MARKER_GAP = 18;
/** Space under the drawing for the scale bar, px. */
const SCALE_STRIP = 26;
/** Metres in a degree of latitude (mean Earth radius 6,371 km). */
const METRES_PER_DEGREE = 111_195;

export function polygonsOf(geometry: Geometry): Position[][][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  if (geometry.type === 'GeometryCollection') return geometry.geometries.flatMap(polygonsOf);
  return [];
}

function pointsOf(geometry: Geometry): Position[] {
  if (geometry.type === 'Point') return [geometry.coordinates];
  if (geometry.type === 'MultiPoint' || geometry.type === 'LineString') return geometry.coordinates;
  return polygonsOf(geometry).flat(2);
}

/** The longest round distance (1, 2 or 5 times a power of ten, metres) not over `metres`. */
export function niceFloor(metres: number): number {
  const power = 10 ** Math.floor(Math.log10(metres));
  return [5, 2, 1].map((m) => m * power).find((v) => v <= metres)!;
}

const distanceLabel = (metres: number) => (metres >= 1000 ? `${metres / 1000} km` : `${metres} m`);

export function svgMap(spec: MapSpec): string {
  const width = spec.width ?? 560;
  const maxHeight = spec.maxHeight ?? 420;
  const points = pointsOf(spec.frame);
  const lons = points.map((p) => p[0]!);
  const lats = points.map((p) => p[1]!);
  const [w, e, s, n] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const squeeze = Math.cos((((s + n) / 2) * Math.PI) / 180);
  const spanX = Math.max((e - w) * squeeze, 1e-9);
  const spanY = Math.max(n - s, 1e-9);
  // px per degree of latitude
  const drawingWidth = width - 2 * PAD - ARROW_COLUMN;
  const scale = Math.min(drawingWidth / spanX, (maxHeight - 2 * PAD - SCALE_STRIP) / spanY);
  const offsetX = PAD + (drawingWidth - spanX * scale) / 2;
  const drawingHeight = Math.ceil(spanY * scale + 2 * PAD);
  const height = drawingHeight + SCALE_STRIP;
  const xy = (p: Position): [number, number] => [offsetX + (p[0]! - w) * squeeze * scale, PAD + (n - p[1]!) * scale];
  const path = (geometry: Geometry) => polygonsOf(geometry)
    .flatMap((rings) => rings.map((ring) => `M${ring.map((p) => xy(p).map((v) => v.toFixed(1)).join(' ')).join('L')}Z`))
    .join('');
  const middle = (geometry: Geometry): [number, number] => {
    const projected = pointsOf(geometry).map(xy);
    const xs = projected.map((p) => p[0]);
    const ys = projected.map((p) => p[1]);
    return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
  };

  const shapes = spec.shapes.map((shape) => `<path d="${path(shape.geometry)}" fill="${shape.fill}" fill-opacity="${shape.fillOpacity ?? 1}" fill-rule="evenodd" stroke="${shape.stroke}" stroke-width="${shape.strokeWidth ?? 1}"/>`);
  const labels = spec.shapes.filter((shape) => shape.label).map((shape) => {
    const [x, y] = shape.labelAt ? xy(shape.labelAt) : middle(shape.geometry);
    // Kept whole inside the drawing: a name at the edge moves in rather than being cut.
    const half = textWidth(shape.label!, 12) / 2;
    const cx = Math.min(Math.max(x, half + 2), width - ARROW_COLUMN - half);
    return `<text class="map-label" x="${cx.toFixed(1)}" y="${(y + 4).toFixed(1)}" text-anchor="middle" font-size="12" fill="#1f2937" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeMarkup(shape.label)}</text>`;
  });
  const dots = (spec.dots ?? []).map((dot) => {
    const [x, y] = xy(dot);
    return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${spec.dotColour ?? '#b91c1c'}" fill-opacity="0.8"/>`;
  });
  // A marker that would cover one already placed moves to the nearest free spot around its point
  // (rings of eight directions) with a leader line back to it: numbers never print over each other.
  const placed: Array<[number, number]> = [];
  const free = ([x, y]: [number, number]) => !placed.some(([ox, oy]) => Math.hypot(ox - x, oy - y) < MARKER_GAP);
  const spots = (px: number, py: number): Array<[number, number]> => [[px, py], ...[1, 2, 3, 4].flatMap((ring) =>
    [[0, 1], [1, 0], [0, -1], [-1, 0], [1, 1], [1, -1], [-1, 1], [-1, -1]].map(([dx, dy]): [number, number] => [px + dx! * ring * MARKER_GAP, py + dy! * ring * MARKER_GAP]))];
  const markers = (spec.markers ?? []).map((marker) => {
    const [px, py] = xy(marker.at);
    const inside = ([x, y]: [number, number]) => x >= 9 && x <= width - ARROW_COLUMN && y >= 9 && y <= drawingHeight;
    const [x, y] = spots(px, py).find((spot) => spot[0] === px && spot[1] === py ? free(spot) : inside(spot) && free(spot)) ?? [px, py];
    placed.push([x, y]);
    const leader = x !== px || y !== py ? `<line x1="${px.toFixed(1)}" y1="${py.toFixed(1)}" x2="${x.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${marker.colour}" stroke-width="1"/>` : '';
    return `<g class="map-marker">${leader}<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="8" fill="#fff" stroke="${marker.colour}" stroke-width="1.8"/>`
      + `<text x="${x.toFixed(1)}" y="${(y + 3.5).toFixed(1)}" font-size="10" font-weight="bold" text-anchor="middle" fill="${marker.colour}">${escapeMarkup(marker.label)}</text></g>`;
  });

  // Scale bar: the longest round distance up to a quarter of the width, in two halves.
  const metresPerPx = METRES_PER_DEGREE / scale;
  const metres = niceFloor((width / 4) * metresPerPx);
  const barPx = metres / metresPerPx;
  const [bx, by] = [offsetX, drawingHeight + 6];
  const scaleBar = `<g class="scale-bar">`
    + `<rect x="${bx}" y="${by}" width="${(barPx / 2).toFixed(1)}" height="5" fill="#111827"/>`
    + `<rect x="${(bx + barPx / 2).toFixed(1)}" y="${by}" width="${(barPx / 2).toFixed(1)}" height="5" fill="#fff" stroke="#111827" stroke-width="0.8"/>`
    + `<text x="${bx}" y="${by + 17}" font-size="10" fill="#111827">0</text>`
    + `<text x="${(bx + barPx).toFixed(1)}" y="${by + 17}" font-size="10" text-anchor="middle" fill="#111827">${distanceLabel(metres)}</text></g>`;
  // Beside the drawing's top right corner, however narrow the area is.
  const [nx, ny] = [offsetX + spanX * scale + ARROW_COLUMN / 2 + 2, PAD];
  const northArrow = `<g class="north-arrow"><circle cx="${nx}" cy="${ny + 14}" r="13" fill="#fff" fill-opacity="0.85"/>`
    + `<path d="M${nx} ${ny + 2}L${nx + 6} ${ny + 20}L${nx} ${ny + 16}L${nx - 6} ${ny + 20}Z" fill="#111827"/>`
    + `<text x="${nx}" y="${ny + 33}" font-size="11" font-weight="bold" text-anchor="middle" fill="#111827">${escapeMarkup(spec.north)}</text></g>`;

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeMarkup(spec.ariaLabel)}" font-family="${escapeMarkup(CHART_FONT_FAMILY)}">`
    + shapes.join('') + dots.join('') + labels.join('') + markers.join('') + scaleBar + northArrow + '</svg>';
}
