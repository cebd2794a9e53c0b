/** The measure tool: click points on the map; shows the path's length and, from 3 points, the area. */
import type { Map as MapLibreMap, MapMouseEvent } from 'maplibre-gl';
import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { pathLengthM, polygonAreaM2, type LonLat } from './geodesy.js';

export function measureControl(map: MapLibreMap): HTMLElement {
  let points: LonLat[] = [];
  let active = false;
  const readout = h('div', { class: 'measure-readout', 'data-testid': 'measure-readout' });
  const button = h('button', { type: 'button', class: 'measure-toggle', 'data-testid': 'measure-toggle' }, t('map.measure'));

  const draw = () => {
    const features: object[] = points.map((p) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } }));
    if (points.length >= 2) features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: points } });
    if (points.length >= 3) features.push({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[...points, points[0]]] } });
    (map.getSource('measure') as { setData: (d: unknown) => void } | undefined)?.setData({ type: 'FeatureCollection', features });
    const parts = [];
    if (points.length >= 2) parts.push(t('map.distance', { m: pathLengthM(points).toFixed(1) }));
    if (points.length >= 3) parts.push(t('map.areaMeasured', { m2: polygonAreaM2(points).toFixed(1) }));
    readout.textContent = active && !parts.length ? t('map.measureHint') : parts.join(' · ');
  };
  const onClick = (event: MapMouseEvent) => {
    points.push([event.lngLat.lng, event.lngLat.lat]);
    draw();
  };
  const onDoubleClick = (event: MapMouseEvent) => {
    event.preventDefault();
    stop();
  };
  const stop = () => {
    active = false;
    button.classList.remove('active');
    map.off('click', onClick);
    map.off('dblclick', onDoubleClick);
    map.doubleClickZoom.enable();
    map.getCanvas().style.cursor = '';
  };
  button.addEventListener('click', () => {
    if (active) return stop();
    active = true;
    points = [];
    button.classList.add('active');
    map.doubleClickZoom.disable();
    map.on('click', onClick);
    map.on('dblclick', onDoubleClick);
    map.getCanvas().style.cursor = 'crosshair';
    draw();
  });
  const clearButton = h('button', { type: 'button', onclick: () => { points = []; draw(); } }, t('map.clear'));
  return h('div', { class: 'measure panel' }, button, clearButton, readout);
}
