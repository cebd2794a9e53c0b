/**
 * Villages (“零”违建居村考核): each village's pass or fail for a chosen period; one village's
 * criteria, the coverage map of the period's flights over its boundary, the items that block it
 * (each candidate linked to its review screen), and the assessment's HTML and PDF exports.
 */
import type { Geometry } from 'geojson';
import type { GeoJSONSource } from 'maplibre-gl';
import { periodOf } from '#domain/report-periods.js';
import { assessmentApi, type Assessment, type BlockingItem, type Criterion, type Period, type Village } from '../api/assessment.js';
import { dateField } from '../date-field.js';
import { clear, formatNumber, h } from '../dom.js';
import { lang, t, tOf } from '../i18n/i18n.js';
import { createMap, whenLoaded } from '../map/create-map.js';
import { boundsOf, setOverlayVisible, showFlightImagery } from '../map/layers.js';
import { register } from '../router.js';
import './insight.css';

const CRITERIA: Criterion[] = ['no_illegal_in_register', 'no_illegal_outside_register', 'zero_new_construction', 'full_coverage'];
/** How many assessments the list asks for at once. */
const PARALLEL = 4;

/** The day after `day` (YYYY-MM-DD): the API's periods end before `to`, the form shows the last day. */
export const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The current quarter (by Shanghai time, whatever the browser's zone) as [first day, last day]. */
function thisQuarter(): [string, string] {
  const { start, end } = periodOf('quarterly', new Date());
  return [start, end];
}

const verdictBadge = (verdict: 'pass' | 'fail' | null) =>
  h('span', { class: `verdict verdict-${verdict ?? 'unknown'}`, 'data-testid': 'village-verdict', 'data-verdict': verdict ?? '' },
    verdict ? t(`villages.${verdict}`) : '…');

function blockingItem(item: BlockingItem): HTMLElement {
  const reason = lang() === 'zh' ? item.reasonZh : item.reason;
  if (item.kind === 'candidate') {
    return h('li', { 'data-kind': 'candidate', 'data-candidate': item.candidateId },
      h('a', { href: `#/candidate/${item.candidateId}` }, `#${item.candidateId}`), ' ',
      `${tOf('type', item.changeType)} · ${tOf('status', item.status)} · ${formatNumber(item.areaM2)} ${t('unit.m2')} — ${reason}`);
  }
  if (item.kind === 'register_entry') {
    return h('li', { 'data-kind': 'register_entry' }, h('strong', {}, item.externalId), ` · ${formatNumber(item.areaM2)} ${t('unit.m2')} — ${reason}`);
  }
  return h('li', { 'data-kind': 'coverage' }, reason);
}

function coverageMap(container: HTMLElement, assessment: Assessment) {
  const map = createMap(container);
  const feature = (geometry: Geometry, properties: Record<string, string> = {}) => ({ type: 'Feature' as const, geometry, properties });
  const collections = (a: Assessment) => ({
    village: { type: 'FeatureCollection' as const, features: [feature(a.map.village)] },
    covered: { type: 'FeatureCollection' as const, features: a.map.covered ? [feature(a.map.covered)] : [] },
    items: { type: 'FeatureCollection' as const, features: a.map.items.map((i) => feature(i.geometry, { kind: i.kind, id: i.id })) },
  });
  void whenLoaded(map).then(() => {
    for (const key of ['baseline', 'register', 'candidates'] as const) setOverlayVisible(map, key, false);
    setOverlayVisible(map, 'footprints', true);
    const data = collections(assessment);
    map.addSource('assessment-covered', { type: 'geojson', data: data.covered });
    map.addSource('assessment-village', { type: 'geojson', data: data.village });
    map.addSource('assessment-items', { type: 'geojson', data: data.items });
    map.addLayer({ id: 'assessment-covered', type: 'fill', source: 'assessment-covered', paint: { 'fill-color': '#00e5ff', 'fill-opacity': 0.18 } });
    map.addLayer({ id: 'assessment-village', type: 'line', source: 'assessment-village', paint: { 'line-color': '#ffd92f', 'line-width': 3 } });
    map.addLayer({ id: 'assessment-items', type: 'fill', source: 'assessment-items', paint: { 'fill-color': '#e41a1c', 'fill-opacity': 0.6 } });
    const latest = assessment.coverage.flights[0];
    if (latest) showFlightImagery(map, latest.id);
    map.fitBounds(boundsOf(assessment.map.village as { coordinates: unknown }), { padding: 30, duration: 0 });
  });
  return {
    map,
    update: (a: Assessment) => {
      const data = collections(a);
      void (map.getSource('assessment-covered') as GeoJSONSource | undefined)?.setData(data.covered);
      void (map.getSource('assessment-items') as GeoJSONSource | undefined)?.setData(data.items);
    },
  };
}

register({
  pattern: '/villages',
  roles: ['assessor', 'reviewer'],
  nav: 'villages.nav',
  async mount(root) {
    const [first, last] = thisQuarter();
    const { input: from, field: fromField } = dateField({ value: first, 'data-testid': 'villages-from' });
    const { input: to, field: toField } = dateField({ value: last, 'data-testid': 'villages-to' });
    const list = h('tbody');
    const detail = h('div', { class: 'village-detail', 'data-testid': 'village-detail' });
    const problem = h('div', { class: 'notice', hidden: true, 'data-testid': 'villages-problem' });
    let villages: Village[] = [];
    let selected: string | null = null;
    let generation = 0;
    let shown: ReturnType<typeof coverageMap> | null = null;

    const period = (): Period => ({ from: from.value, to: to.value ? nextDay(to.value) : '' });

    const showDetail = async (village: Village, assessment?: Assessment) => {
      selected = village.id;
      list.querySelectorAll('tr').forEach((row) => row.classList.toggle('current', row.dataset.village === village.id));
      const p = period();
      const a = assessment ?? await assessmentApi.assess(village.id, p);
      shown?.map.remove();
      shown = null;
      clear(detail);
      const mapBox = h('div', { class: 'village-map', 'data-testid': 'village-map' });
      detail.dataset.village = village.id;
      detail.append(
        h('div', { class: 'detail-head' }, h('h3', {}, `${a.village.name}${a.village.street ? ` · ${a.village.street}` : ''}`), verdictBadge(a.verdict),
          h('a', { href: assessmentApi.htmlUrl(village.id, p, lang() === 'en' ? 'en' : undefined), target: '_blank', rel: 'noopener', 'data-testid': 'village-export-html' }, t('villages.exportHtml')),
          h('a', { href: assessmentApi.pdfUrl(village.id, p, lang() === 'en' ? 'en' : undefined), target: '_blank', rel: 'noopener', 'data-testid': 'village-export-pdf' }, t('villages.exportPdf'))),
        h('ul', { class: 'criteria' }, ...CRITERIA.map((c) => h('li', { class: a.criteria[c] ? 'ok' : 'bad', 'data-criterion': c, 'data-ok': String(a.criteria[c]) },
          `${a.criteria[c] ? '✔' : '✘'} ${t(`villages.criterion.${c}`)}`))),
        h('p', { 'data-testid': 'village-coverage' }, t('villages.coverage', {
          percent: a.coverage.percent, required: a.coverage.requiredPercent, flights: a.coverage.flights.length,
        })),
        mapBox,
        h('h4', {}, t('villages.blocking', { count: a.blocking.length })),
        a.blocking.length ? h('ol', { class: 'blocking', 'data-testid': 'village-blocking' }, ...a.blocking.map(blockingItem)) : h('p', { class: 'muted' }, t('villages.noBlocking')));
      shown = coverageMap(mapBox, a);
    };

    /** Each village's verdict, a few requests at a time; a newer period cancels the older run. */
    const assessAll = async () => {
      const run = ++generation;
      problem.hidden = true;
      const p = period();
      const queue = [...villages];
      const worker = async () => {
        for (let v = queue.shift(); v && run === generation; v = queue.shift()) {
          const row = list.querySelector<HTMLElement>(`tr[data-village="${v.id}"]`);
          try {
            const a = await assessmentApi.assess(v.id, p);
            if (run !== generation || !row) return;
            row.querySelector('.verdict-cell')!.replaceChildren(verdictBadge(a.verdict));
            row.querySelector('.blocking-cell')!.textContent = String(a.blocking.length);
            row.querySelector('.coverage-cell')!.textContent = `${a.coverage.percent}%`;
            row.dataset.verdict = a.verdict;
            if (v.id === selected) await showDetail(v, a);
          } catch (error) {
            if (run !== generation) return;
            problem.hidden = false;
            problem.textContent = error instanceof Error ? error.message : String(error);
          }
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
    };

    const renderList = () => {
      clear(list);
      for (const v of villages) {
        const row = h('tr', { 'data-village': v.id, 'data-code': v.code, 'data-testid': `village-${v.code}`, onclick: () => void showDetail(v) },
          h('td', {}, v.name), h('td', { class: 'muted' }, v.street?.name ?? ''), h('td', { class: 'verdict-cell' }, verdictBadge(null)),
          h('td', { class: 'coverage-cell' }), h('td', { class: 'blocking-cell' }));
        list.append(row);
      }
    };

    for (const input of [from, to]) input.addEventListener('change', () => void assessAll());
    root.append(h('div', { class: 'insight villages' },
      h('div', { class: 'villages-side' },
        h('h2', {}, t('villages.title')),
        h('div', { class: 'period' }, h('label', {}, t('villages.from'), ' ', fromField), h('label', {}, t('villages.to'), ' ', toField)),
        problem,
        h('table', { class: 'villages-table', 'data-testid': 'villages-table' },
          h('thead', {}, h('tr', {}, h('th', {}, t('villages.village')), h('th', {}, t('villages.street')), h('th', {}, t('villages.verdict')),
            h('th', {}, t('villages.coverageShort')), h('th', {}, t('villages.blockingShort')))),
          list)),
      detail));
    ({ villages } = await assessmentApi.villages());
    renderList();
    if (!villages.length) detail.append(h('p', { class: 'muted' }, t('villages.none')));
    void assessAll();
    return { dispose: () => { generation += 1; shown?.map.remove(); } };
  },
});
