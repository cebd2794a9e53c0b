/** A MapLibre map with the viewer's style; tiles the API lacks (a flight without raster tiles) fail quietly. */
import { Map as MapLibreMap, NavigationControl, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';
import { addBasemap, basemapSettings } from './basemap.js';
import { baseStyle } from './layers.js';

/** Shanghai, until a flight or candidate gives a better place. */
const SHANGHAI: [number, number] = [121.47, 31.23];

// maplibre-gl 6 loads its worker from a file beside its module; Vite bundles that file for us.
setWorkerUrl(workerUrl);

export function createMap(container: HTMLElement): MapLibreMap {
  const map = new MapLibreMap({
    container,
    style: baseStyle(),
    center: SHANGHAI,
    zoom: 10,
    maxZoom: 22,
    attributionControl: false,
  });
  map.once('load', () => ready.add(map));
  void Promise.all([whenLoaded(map), basemapSettings()]).then(([, basemap]) => addBasemap(map, basemap));
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.on('error', (event) => {
    // A missing tile is an empty patch of map, not a failure of the page.
    const status = (event.error as { status?: number } | undefined)?.status;
    if (status !== 404 && status !== 204) console.warn('[map]', event.error?.message ?? event);
  });
  (window as unknown as { lingwei?: Record<string, unknown> }).lingwei ??= {};
  (window as unknown as { lingwei: Record<string, unknown> }).lingwei.map = map;
  return map;
}

/**
 * Maps whose style has loaded once. (map.loaded() and isStyleLoaded() turn false again whenever
 * tiles are loading, so they cannot tell whether layers may be added.)
 */
const ready = new WeakSet<MapLibreMap>();

/** Whether layers and sources may be changed now. */
export const isReady = (map: MapLibreMap): boolean => ready.has(map);

export function whenLoaded(map: MapLibreMap): Promise<void> {
  return ready.has(map) ? Promise.resolve() : new Promise((resolve) => map.once('load', () => resolve()));
}
