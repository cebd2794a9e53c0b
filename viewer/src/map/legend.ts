/** The legend: candidate colours by status, then the overlays. */
import { h } from '../dom.js';
import { t, tOf } from '../i18n/i18n.js';
import { OVERLAYS, STATUS_COLOURS } from './layers.js';

export function legend(): HTMLElement {
  const swatch = (colour: string) => h('span', { class: 'swatch', style: `background:${colour}` });
  return h('div', { class: 'legend panel', 'data-testid': 'legend' },
    h('h3', {}, t('map.legend')),
    h('div', { class: 'legend-group' }, t('map.candidates')),
    ...Object.entries(STATUS_COLOURS).filter(([status]) => status !== 'merged')
      .map(([status, colour]) => h('div', { class: 'legend-row' }, swatch(colour), tOf('status', status))),
    ...OVERLAYS.filter((o) => o.key !== 'candidates').map((o) => h('div', { class: 'legend-row' }, swatch(o.colour), t(o.label))));
}
