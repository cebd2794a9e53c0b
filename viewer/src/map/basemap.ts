/**
 * The optional online basemap (Tianditu imagery and labels, or any XYZ / WMTS template), as the
 * API is configured at run time (GET /api/viewer-config). Offline by default: with none configured
 * no source is added and the map requests nothing outside the API. The imagery goes under
 * everything; the labels over the flights' orthophotos, under the vector overlays.
 */
import { AttributionControl, type Map as MapLibreMap } from 'maplibre-gl';
import { api, type BasemapSettings } from '../api/client.js';

let settings: Promise<BasemapSettings | null> | undefined;

/** The configured basemap, asked once per page load; none when the API cannot say. */
export function basemapSettings(): Promise<BasemapSettings | null> {
  settings ??= api.viewerConfig().then((config) => config.basemap, () => null);
  return settings;
}

/** The layer the flights' imagery goes under: the basemap's labels when there are some. */
export const imageryAnchor = (map: MapLibreMap): string => (map.getLayer('basemap-labels') ? 'basemap-labels' : 'villages-line');

export function addBasemap(map: MapLibreMap, basemap: BasemapSettings | null): void {
  if (!basemap || map.getSource('basemap-imagery')) return;
  const raster = (tiles: string[]) => ({ type: 'raster' as const, tiles, tileSize: 256, maxzoom: basemap.maxzoom, ...(basemap.attribution ? { attribution: basemap.attribution } : {}) });
  map.addSource('basemap-imagery', raster(basemap.imagery));
  // Directly above the background: under a flight's imagery if one is already shown.
  const above = map.getStyle().layers.find((layer) => layer.type !== 'background')?.id;
  map.addLayer({ id: 'basemap-imagery', type: 'raster', source: 'basemap-imagery' }, above);
  if (basemap.labels.length) {
    map.addSource('basemap-labels', raster(basemap.labels));
    map.addLayer({ id: 'basemap-labels', type: 'raster', source: 'basemap-labels' }, 'villages-line');
  }
  if (basemap.attribution) map.addControl(new AttributionControl({ compact: false }), 'bottom-right');
}
