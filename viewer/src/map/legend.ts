/** The legend: candidate colours by status, cluster circles, then the overlays. */
import { h } from '../dom.js';
import { t, tOf } from '../i18n/i18n.js';
import { OVERLAYS, STATUS_COLOURS } from './layers.js';

/**
 * `compact`: the review queue's legend, folded open over its map's corner, with the statuses a
 * reviewer meets and the overlays drawn there (no footprints, permits or zones toggles exist there).
 */
export function legend(options: { compact?: boolean } = {}): HTMLElement {
  const swatch = (colour: string) => h('span', { class: 'swatch', style: `background:${colour}` });
  const overlays = OVERLAYS.filter((o) => o.key !== 'candidates' && (!options.compact || ['villages', 'baseline', 'register'].includes(o.key)));
  const rows = [
    h('div', { class: 'legend-group' }, t('map.candidates')),
    ...Object.entries(STATUS_COLOURS).filter(([status]) => status !== 'merged')
      .map(([status, colour]) => h('div', { class: 'legend-row' }, swatch(colour), tOf('status', status))),
    h('div', { class: 'legend-row' }, h('span', { class: 'swatch cluster-swatch' }, '3'), t('map.clusters')),
    ...overlays.map((o) => h('div', { class: 'legend-row' }, swatch(o.colour), t(o.label))),
  ];
  if (options.compact) {
    return h('details', { class: 'legend legend-compact panel', 'data-testid': 'legend', open: true }, h('summary', {}, t('map.legend')), h('div', { class: 'legend-columns' }, ...rows));
  }
  return h('div', { class: 'legend panel', 'data-testid': 'legend' }, h('h3', {}, t('map.legend')), ...rows);
}
