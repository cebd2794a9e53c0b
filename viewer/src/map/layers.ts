/**
 * Every map layer of the viewer in one place: sources, paint, status colours, the legend's
 * entries. No glyphs URL or sprites (nothing is fetched from outside): MapLibre draws the labels'
 * letters with the browser's own fonts when a style names no glyphs. The base imagery is a flight's
 * own orthophoto from the API's raster tiles; an online basemap goes under it only when the API is
 * configured with one (basemap.ts).
 */
import type { ExpressionSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import { rasterUrls } from '../api/client.js';
import { lang } from '../i18n/i18n.js';
import { imageryAnchor } from './basemap.js';

export const STATUS_COLOURS: Record<string, string> = {
  pending: '#f28e2b',
  permitted: '#59a14f',
  in_register: '#9c6ade',
  previously_rejected: '#8c8c8c',
  verified: '#e41a1c',
  rejected: '#c7c7c7',
  scheduled: '#1f78b4',
  demolished: '#0b3d91',
  demolition_confirmed: '#1b9e77',
  still_standing: '#7a0019',
  merged: '#dddddd',
};

const statusColour: ExpressionSpecification = ['match', ['get', 'status'],
  ...Object.entries(STATUS_COLOURS).flat(), '#ffffff'] as unknown as ExpressionSpecification;

/** Toggleable overlays, in drawing order, with their map layer ids and legend colour. */
export const OVERLAYS = [
  { key: 'villages', label: 'map.villages', layers: ['villages-line', 'street-labels', 'village-labels'], colour: '#ffd92f', defaultOn: true },
  { key: 'footprints', label: 'map.footprints', layers: ['footprints-line'], colour: '#00e5ff', defaultOn: false },
  { key: 'baseline', label: 'map.baseline', layers: ['baseline-line'], colour: '#f7f7f7', defaultOn: true },
  { key: 'register', label: 'map.register', layers: ['register-fill', 'register-line'], colour: '#9c6ade', defaultOn: true },
  { key: 'permits', label: 'map.permits', layers: ['permits-fill', 'permits-line'], colour: '#59a14f', defaultOn: false },
  { key: 'zones', label: 'map.zones', layers: ['zones-fill', 'zones-line'], colour: '#ff7f00', defaultOn: false },
  { key: 'candidates', label: 'map.candidates', layers: ['candidates-clusters', 'candidates-cluster-count', 'candidates-fill', 'candidates-line'], colour: '#f28e2b', defaultOn: true },
] as const;
export type OverlayKey = (typeof OVERLAYS)[number]['key'];

const vector = (layer: string, generation = 0) => ({
  type: 'vector' as const,
  tiles: [`${location.origin}/api/tiles/${layer}/{z}/{x}/{y}.mvt${generation ? `?g=${generation}` : ''}`],
  minzoom: 10,
  maxzoom: 20,
});

/** The API draws candidates below this zoom as clusters (points with count, pending, priority, area). */
const CLUSTERS_BELOW_ZOOM = 14;

const EMPTY = { type: 'geojson' as const, data: { type: 'FeatureCollection' as const, features: [] } };

/** Letters drawn by the browser (no glyphs URL): the system's CJK sans fonts, as the page uses. */
const LABEL_FONT = ['Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', 'sans-serif'];
const HALO = { 'text-halo-color': 'rgba(0,0,0,0.85)', 'text-halo-width': 1.6 };

/** An area's name in the interface's language (the English name where the import had one). */
const areaName = (): ExpressionSpecification => (lang() === 'en' ? ['coalesce', ['get', 'name_en'], ['get', 'name']] : ['get', 'name']);

export function baseStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {
      candidates: vector('candidates'),
      baseline: vector('baseline'),
      register: vector('register'),
      villages: vector('villages'),
      flights: vector('flights'),
      permits: EMPTY,
      zones: EMPTY,
      measure: EMPTY,
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#1e2328' } },
      { id: 'villages-line', type: 'line', source: 'villages', 'source-layer': 'villages', paint: { 'line-color': '#ffd92f', 'line-width': 2, 'line-dasharray': [3, 2] } },
      { id: 'footprints-line', type: 'line', source: 'flights', 'source-layer': 'flights', layout: { visibility: 'none' }, paint: { 'line-color': '#00e5ff', 'line-width': 2 } },
      { id: 'baseline-line', type: 'line', source: 'baseline', 'source-layer': 'baseline', paint: { 'line-color': '#f7f7f7', 'line-width': 1, 'line-opacity': 0.7 } },
      { id: 'register-fill', type: 'fill', source: 'register', 'source-layer': 'register', paint: { 'fill-color': '#9c6ade', 'fill-opacity': 0.25 } },
      { id: 'register-line', type: 'line', source: 'register', 'source-layer': 'register', paint: { 'line-color': '#9c6ade', 'line-width': 1.5 } },
      { id: 'permits-fill', type: 'fill', source: 'permits', layout: { visibility: 'none' }, paint: { 'fill-color': '#59a14f', 'fill-opacity': 0.2 } },
      { id: 'permits-line', type: 'line', source: 'permits', layout: { visibility: 'none' }, paint: { 'line-color': '#59a14f', 'line-width': 1.5, 'line-dasharray': [2, 1] } },
      { id: 'zones-fill', type: 'fill', source: 'zones', layout: { visibility: 'none' }, paint: { 'fill-color': '#ff7f00', 'fill-opacity': 0.15 } },
      { id: 'zones-line', type: 'line', source: 'zones', layout: { visibility: 'none' }, paint: { 'line-color': '#ff7f00', 'line-width': 1 } },
      // Names under the candidates: a name never hides an outline or a cluster's count.
      // Streets above villages: where two names collide, the street's stays (placed first).
      { id: 'village-labels', type: 'symbol', source: 'villages', 'source-layer': 'area_labels', minzoom: 13, filter: ['==', ['get', 'level'], 'village'],
        layout: { 'text-field': areaName(), 'text-font': LABEL_FONT, 'text-size': ['interpolate', ['linear'], ['zoom'], 13, 12, 17, 15], 'text-max-width': 8 },
        paint: { 'text-color': '#ffffff', ...HALO } },
      { id: 'street-labels', type: 'symbol', source: 'villages', 'source-layer': 'area_labels', filter: ['==', ['get', 'level'], 'street'],
        layout: { 'text-field': areaName(), 'text-font': LABEL_FONT, 'text-size': ['interpolate', ['linear'], ['zoom'], 10, 13, 15, 17], 'text-max-width': 8 },
        paint: { 'text-color': '#ffe066', ...HALO } },
      { id: 'candidates-clusters', type: 'circle', source: 'candidates', 'source-layer': 'candidates', maxzoom: CLUSTERS_BELOW_ZOOM,
        filter: ['==', ['geometry-type'], 'Point'],
        paint: {
          'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 6, 2, 10, 10, 18, 100, 30],
          // Orange while any candidate in the cluster awaits review, grey when all are decided.
          'circle-color': ['case', ['>', ['get', 'pending'], 0], '#f28e2b', '#9aa5b1'],
          'circle-opacity': 0.8, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1,
        } },
      { id: 'candidates-cluster-count', type: 'symbol', source: 'candidates', 'source-layer': 'candidates', maxzoom: CLUSTERS_BELOW_ZOOM,
        filter: ['all', ['==', ['geometry-type'], 'Point'], ['>', ['get', 'count'], 1]],
        layout: { 'text-field': ['to-string', ['get', 'count']], 'text-font': LABEL_FONT, 'text-size': 12, 'text-allow-overlap': true, 'text-ignore-placement': true },
        paint: { 'text-color': '#ffffff', 'text-halo-color': 'rgba(0,0,0,0.6)', 'text-halo-width': 1 } },
      { id: 'candidates-fill', type: 'fill', source: 'candidates', 'source-layer': 'candidates', paint: { 'fill-color': statusColour, 'fill-opacity': 0.35 } },
      { id: 'candidate-focus', type: 'line', source: 'candidates', 'source-layer': 'candidates', filter: ['==', ['get', 'id'], -1], paint: { 'line-color': '#ffffff', 'line-width': 8 } },
      { id: 'candidates-line', type: 'line', source: 'candidates', 'source-layer': 'candidates', paint: { 'line-color': statusColour, 'line-width': 2.5 } },
      { id: 'measure-fill', type: 'fill', source: 'measure', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#00e5ff', 'fill-opacity': 0.2 } },
      { id: 'measure-line', type: 'line', source: 'measure', paint: { 'line-color': '#00e5ff', 'line-width': 2 } },
      { id: 'measure-points', type: 'circle', source: 'measure', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 4, 'circle-color': '#00e5ff' } },
    ],
  };
}

/** Shows one flight's orthophoto (or surface model) as the base imagery (null: none). */
export function showFlightImagery(map: MapLibreMap, flightId: string | null, kind: 'ortho' | 'dsm' = 'ortho'): void {
  if (map.getLayer('flight-imagery')) map.removeLayer('flight-imagery');
  if (map.getSource('flight-imagery')) map.removeSource('flight-imagery');
  if (!flightId) return;
  map.addSource('flight-imagery', { type: 'raster', tiles: [`${location.origin}${rasterUrls.flightTiles(flightId, kind)}`], tileSize: 256, minzoom: 12, maxzoom: 22 });
  map.addLayer({ id: 'flight-imagery', type: 'raster', source: 'flight-imagery' }, imageryAnchor(map));
}

export function setOverlayVisible(map: MapLibreMap, key: OverlayKey, visible: boolean): void {
  const overlay = OVERLAYS.find((o) => o.key === key)!;
  for (const id of overlay.layers) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
}

/**
 * Reloads the candidate tiles after a decision: the API's tiles are never stale, the browser's might be.
 * MapLibre (6.17) takes up a new tile URL on the next animation frame, and drops it when a layer
 * of the source changed in between (the focus filter of the flight to the next candidate does):
 * the tiles on screen then keep the status from before the decision. Asking for a repaint first
 * puts the map's own frame, which applies pending layer changes, ahead of the new URL.
 */
export function refreshCandidates(map: MapLibreMap): void {
  const source = map.getSource('candidates') as { setTiles?: (tiles: string[]) => void } | undefined;
  if (!source?.setTiles) return;
  map.triggerRepaint();
  source.setTiles(vector('candidates', Date.now()).tiles);
}

/** Haloes one candidate in white, under its status colour (or none). */
export function focusCandidate(map: MapLibreMap, id: string | null): void {
  map.setFilter('candidate-focus', ['==', ['to-string', ['get', 'id']], id ?? '']);
}

/** Candidate filter from the map screen's controls: statuses, types, least area. */
export function filterCandidates(map: MapLibreMap, statuses: string[] | null, types: string[] | null, minArea: number): void {
  const all: ExpressionSpecification[] = [['>=', ['to-number', ['get', 'area_m2']], minArea]];
  if (statuses) all.push(['in', ['get', 'status'], ['literal', statuses]]);
  if (types) all.push(['in', ['get', 'change_type'], ['literal', types]]);
  const filter: ExpressionSpecification = ['all', ...all];
  map.setFilter('candidates-fill', filter);
  map.setFilter('candidates-line', filter);
}

/** Loads the GeoJSON overlays (permits, zones) once; a role that may not read them just sees none. */
export async function loadGeoJsonOverlays(map: MapLibreMap, load: (name: 'permits' | 'zones') => Promise<unknown>): Promise<void> {
  for (const name of ['permits', 'zones'] as const) {
    try {
      const data = await load(name);
      (map.getSource(name) as { setData: (d: unknown) => void } | undefined)?.setData(data);
    } catch {
      // not allowed or unreachable: the layer stays empty, the rest of the map works
    }
  }
}

/** Metres per degree of latitude (and of longitude at the equator). */
const METRES_PER_DEGREE = 111_320;

/**
 * A candidate's bounds grown to show its surroundings: at least `metres` on every side, or its
 * own size when larger, so a reviewer sees the roof among its neighbours.
 */
export function boundsWithSurroundings([[w, s], [e, n]]: [[number, number], [number, number]], metres = 60): [[number, number], [number, number]] {
  const lat = (s + n) / 2;
  const dy = Math.max(metres / METRES_PER_DEGREE, n - s);
  const dx = Math.max(metres / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180)), e - w);
  return [[w - dx, s - dy], [e + dx, n + dy]];
}

/** [[w, s], [e, n]] of a GeoJSON geometry's coordinates. */
export function boundsOf(geometry: { coordinates: unknown }): [[number, number], [number, number]] {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as [number, number];
      w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y);
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  visit(geometry.coordinates);
  return [[w, s], [e, n]];
}
