/**
 * The map (地图): a flight's orthophoto as base imagery (by default the newest flight over the
 * view, followed as the view moves; or the flight picked), candidates coloured by status, cluster
 * counts, baseline buildings, register, permits, zones, village boundaries and the names of
 * streets and villages, flight footprints; filters; click a candidate for its detail; the measure
 * tool; the legend. #/map/flight/<id> opens on that flight.
 */
import { Popup, type Map as MapLibreMap } from 'maplibre-gl';
import { api, type Flight } from '../api/client.js';
import { formatDate, formatNumber, h } from '../dom.js';
import { t, tOf } from '../i18n/i18n.js';
import { createMap, whenLoaded } from '../map/create-map.js';
import { boundsOf, filterCandidates, loadGeoJsonOverlays, OVERLAYS, setOverlayVisible, showFlightImagery, STATUS_COLOURS } from '../map/layers.js';
import { legend } from '../map/legend.js';
import { measureControl } from '../map/measure.js';
import { register, type ScreenContext } from '../router.js';

const TYPES = ['new_structure', 'extension', 'rooftop_addition', 'added_floor', 'demolished'];

/** The flight select's value that follows the view (the newest flight over it). */
const AUTO = 'auto';

/** Follows the view with the newest finished flight over it (after the view settles). */
function followNewestFlight(map: MapLibreMap, show: (flightId: string | null) => void): () => void {
  let asked = 0;
  const look = async () => {
    const ask = ++asked;
    const b = map.getBounds();
    try {
      const { flight } = await api.flightCovering([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]);
      if (ask === asked) show(flight?.id ?? null);
    } catch {
      // the view keeps the imagery it has
    }
  };
  const onMoveEnd = () => void look();
  map.on('moveend', onMoveEnd);
  onMoveEnd();
  return () => map.off('moveend', onMoveEnd);
}

const ROLES = ['operator', 'reviewer', 'assessor'] as const;

function mountMap(root: HTMLElement, { role, params }: ScreenContext) {
  const mapBox = h('div', { class: 'map-full', 'data-testid': 'map' });
  const flightSelect = h('select', { 'data-testid': 'flight-select' },
    h('option', { value: AUTO }, t('map.flightAuto')), h('option', { value: '' }, t('map.flightNone')));
  const statusBoxes = Object.keys(STATUS_COLOURS).filter((s) => s !== 'merged')
    .map((status) => h('input', { type: 'checkbox', value: status, checked: true, 'data-testid': `filter-status-${status}` }));
  const typeBoxes = TYPES.map((type) => h('input', { type: 'checkbox', value: type, checked: true }));
  const minArea = h('input', { type: 'number', min: 0, value: 0, step: 5, class: 'narrow' });
  const panel = h('div', { class: 'map-panel panel' },
    h('h3', {}, t('map.layers')),
    h('label', {}, t('map.flight'), ' ', flightSelect),
    ...OVERLAYS.map((o) => {
      const box = h('input', { type: 'checkbox', 'data-testid': `layer-${o.key}`, ...(o.defaultOn ? { checked: true } : {}) });
      box.addEventListener('change', () => setOverlayVisible(map, o.key, box.checked));
      return h('label', { class: 'layer-toggle' }, box, ' ', t(o.label));
    }),
    h('h3', {}, t('map.filters')),
    h('div', { class: 'filter-group' }, ...statusBoxes.map((b) => h('label', {}, b, ' ', tOf('status', b.value)))),
    h('div', { class: 'filter-group' }, ...typeBoxes.map((b) => h('label', {}, b, ' ', tOf('type', b.value)))),
    h('label', {}, t('map.minArea'), ' ', minArea));
  root.append(h('div', { class: 'map-layout' }, mapBox, panel));

  const map = createMap(mapBox);
  root.querySelector('.map-layout')!.append(measureControl(map), legend());

  const applyFilters = () => filterCandidates(map,
    statusBoxes.filter((b) => b.checked).map((b) => b.value),
    typeBoxes.filter((b) => b.checked).map((b) => b.value),
    Number(minArea.value) || 0);
  for (const input of [...statusBoxes, ...typeBoxes, minArea]) input.addEventListener('change', applyFilters);
  let shownFlight: string | null = null;
  const show = (flightId: string | null) => {
    if (flightId === shownFlight) return;
    shownFlight = flightId;
    mapBox.dataset.flight = flightId ?? '';
    showFlightImagery(map, flightId);
  };
  let stopFollowing: (() => void) | undefined;
  const applyFlightChoice = () => {
    stopFollowing?.();
    stopFollowing = undefined;
    if (flightSelect.value === AUTO) stopFollowing = followNewestFlight(map, show);
    else show(flightSelect.value || null);
  };
  flightSelect.addEventListener('change', applyFlightChoice);

  // Candidates need a reviewer's or assessor's eyes; an operator sees the rest.
  if (role === 'operator') root.querySelectorAll<HTMLInputElement>('[data-testid=layer-candidates]').forEach((box) => (box.checked = false));

  map.on('click', 'candidates-fill', (event) => {
    const feature = event.features?.[0];
    if (!feature) return;
    const p = feature.properties as { id: number; status: string; change_type: string; area_m2: number; priority: number };
    new Popup({ closeButton: true })
      .setLngLat(event.lngLat)
      .setDOMContent(h('div', { class: 'popup', 'data-testid': 'map-popup' },
        h('strong', {}, `#${p.id} `), tOf('status', p.status), h('br'),
        `${tOf('type', p.change_type)} · ${formatNumber(p.area_m2)} ${t('unit.m2')} · P${p.priority}`, h('br'),
        h('a', { href: `#/candidate/${p.id}` }, t('action.openDossier'))))
      .addTo(map);
  });
  map.on('mouseenter', 'candidates-fill', () => (map.getCanvas().style.cursor = 'pointer'));
  map.on('mouseleave', 'candidates-fill', () => (map.getCanvas().style.cursor = ''));

  void whenLoaded(map).then(async () => {
    if (role === 'operator') setOverlayVisible(map, 'candidates', false);
    void loadGeoJsonOverlays(map, (name) => api.overlay(name));
    const { flights } = await api.flights();
    const done = flights.filter((f: Flight) => f.status === 'done');
    for (const flight of done) flightSelect.append(h('option', { value: flight.id }, `#${flight.id} ${formatDate(flight.captured_at)} ${tOf('upload.kind', flight.kind)}`));
    // Opens over the flight asked for, else the one flown last, with the newest flight over the view as imagery.
    const asked = params.id && done.find((f) => f.id === params.id);
    const opening = asked || [...done].sort((a, b) => (b.captured_at ?? '').localeCompare(a.captured_at ?? ''))[0];
    if (opening) {
      const { footprint } = await api.flight(opening.id);
      if (footprint) map.fitBounds(boundsOf(footprint), { padding: 40, duration: 0 });
    }
    flightSelect.value = asked ? asked.id : AUTO;
    applyFlightChoice();
  });

  return { dispose: () => { stopFollowing?.(); map.remove(); } };
}

register({ pattern: '/map', roles: ROLES, nav: 'nav.map', mount: mountMap });
register({ pattern: '/map/flight/:id', roles: ROLES, mount: mountMap });
