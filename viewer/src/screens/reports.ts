/**
 * Reports (报表): the weekly diff report (周报) and the monthly and quarterly roll-ups (月报、季报)
 * for everywhere or one street: the figures against the period before, the 8-week trend and the
 * figures per street as charts, each street's yearly quota, and the CSV / HTML / PDF downloads;
 * below, the reports the Monday job stored.
 */
import { assessmentApi } from '../api/assessment.js';
import { FIGURE_KEYS, reportsApi, type FigureKey, type PeriodReport, type ReportKind } from '../api/reports.js';
import { barChart, lineChart, type Series } from '../charts/svg-charts.js';
import { clear, h } from '../dom.js';
import { lang, t } from '../i18n/i18n.js';
import { register } from '../router.js';
import { periodOf } from '#domain/report-periods.js';
import './insight.css';

const KINDS: ReportKind[] = ['weekly', 'monthly', 'quarterly'];
/** The figures the charts draw, with their colours (the map's status colours where one exists). */
const CHARTED: Array<{ key: FigureKey; colour: string }> = [
  { key: 'newCandidates', colour: '#f28e2b' }, { key: 'verified', colour: '#e41a1c' }, { key: 'demolished', colour: '#0b3d91' },
];

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const seriesOf = (values: (key: FigureKey) => number[]): Series[] => CHARTED.map(({ key, colour }) => ({ name: t(`reports.figure.${key}`), colour, values: values(key) }));

function figuresTable(report: PeriodReport): HTMLElement {
  const { figures, previous, change } = report.total;
  return h('table', { class: 'figures-table', 'data-testid': 'report-figures' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, t('reports.count')), h('th', {}, t('reports.area')), h('th', {}, t('reports.previous')), h('th', {}, t('reports.change')))),
    h('tbody', {}, ...FIGURE_KEYS.map((key) => h('tr', { 'data-figure': key },
      h('th', {}, t(`reports.figure.${key}`)), h('td', {}, figures[key].count), h('td', {}, `${figures[key].m2} ${t('unit.m2')}`),
      h('td', {}, previous[key].count), h('td', {}, `${signed(change[key].count)} / ${signed(change[key].m2)} ${t('unit.m2')}`)))));
}

function quotaTable(report: PeriodReport): HTMLElement | null {
  const rows = report.rows.filter((row) => row.quota);
  if (!rows.length) return null;
  const share = (value: number | null) => (value === null ? '–' : `${Math.round(value * 1000) / 10}%`);
  return h('table', { class: 'figures-table', 'data-testid': 'report-quota' },
    h('thead', {}, h('tr', {}, h('th', {}, t('reports.street')), h('th', {}, t('reports.quotaTarget')), h('th', {}, t('reports.quotaDone')), h('th', {}, t('reports.quotaProgress')))),
    h('tbody', {}, ...rows.map(({ area, quota }) => h('tr', {}, h('td', {}, area.name),
      h('td', {}, quota!.targetM2 === null ? '–' : `${quota!.targetM2} ${t('unit.m2')}`), h('td', {}, `${quota!.done.m2} ${t('unit.m2')}`), h('td', {}, share(quota!.progressM2))))));
}

register({
  pattern: '/reports',
  roles: ['assessor', 'reviewer'],
  nav: 'reports.nav',
  async mount(root) {
    const kind = h('select', { 'data-testid': 'report-kind' }, ...KINDS.map((k) => h('option', { value: k }, t(`reports.kind.${k}`))));
    const period = h('input', { type: 'text', size: 10, value: periodOf('weekly', new Date()).label, 'data-testid': 'report-period' });
    const area = h('select', { 'data-testid': 'report-area' }, h('option', { value: '' }, t('reports.everywhere')));
    const body = h('div', { class: 'report-body', 'data-testid': 'report-body' });
    const stored = h('div', { class: 'stored' });
    let generation = 0;

    const load = async () => {
      const run = ++generation;
      const k = kind.value as ReportKind;
      const label = period.value.trim();
      clear(body);
      body.append(h('p', { class: 'muted' }, t('common.loading')));
      let report: PeriodReport;
      try {
        report = await reportsApi.report(k, label, area.value || undefined);
      } catch (error) {
        if (run !== generation) return;
        clear(body);
        body.append(h('p', { class: 'notice', 'data-testid': 'report-problem' }, error instanceof Error ? error.message : String(error)));
        return;
      }
      if (run !== generation) return;
      const a = area.value || undefined;
      // Printed pages in the language the viewer is in.
      const page = lang() === 'en' ? { lang: 'en' as const } : {};
      const streets = report.rows.filter((row) => row.area.id !== report.area?.id);
      clear(body);
      body.dataset.period = report.period.label;
      body.append(
        h('div', { class: 'detail-head' },
          h('h3', {}, `${t(`reports.kind.${k}`)} ${report.period.label} (${report.period.start} – ${report.period.end}) · ${report.area?.name ?? t('reports.everywhere')}`),
          h('a', { href: reportsApi.downloadUrl(k, report.period.label, 'csv', a), download: '', 'data-testid': 'report-csv' }, t('reports.csv')),
          h('a', { href: reportsApi.downloadUrl(k, report.period.label, 'html', a, page), target: '_blank', rel: 'noopener', 'data-testid': 'report-html' }, t('reports.html')),
          h('a', { href: reportsApi.downloadUrl(k, report.period.label, 'pdf', a, page), download: '', 'data-testid': 'report-pdf' }, t('reports.pdf')),
          h('a', { href: reportsApi.downloadUrl(k, report.period.label, 'pdf', a, { ...page, form: 'bulletin' }), download: '', 'data-testid': 'report-bulletin' }, t('reports.bulletin'))),
        figuresTable(report),
        h('div', { class: 'charts' },
          h('figure', { 'data-testid': 'report-trend-chart' }, h('figcaption', {}, t('reports.trend')),
            lineChart(t('reports.trend'), report.trend.map((w) => w.label.replace(/^\d{4}-/, '')), seriesOf((key) => report.trend.map((w) => w.figures[key].count)))),
          streets.length ? h('figure', { 'data-testid': 'report-street-chart' }, h('figcaption', {}, t('reports.perStreet')),
            barChart(t('reports.perStreet'), streets.map((row) => row.area.name), seriesOf((key) => streets.map((row) => row.figures[key].count)))) : ''),
        quotaTable(report) ?? '');
    };

    const loadStored = async () => {
      const { reports } = await reportsApi.stored();
      clear(stored);
      stored.append(h('h3', {}, t('reports.stored')), reports.length
        ? h('ul', { 'data-testid': 'stored-reports' }, ...reports.map((r) => h('li', {},
          `${t(`reports.kind.${r.kind as ReportKind}`)} ${r.label} · ${r.area?.name ?? t('reports.everywhere')} `,
          h('a', { href: `/api/reports/stored/${r.id}?format=html`, target: '_blank', rel: 'noopener' }, 'HTML'), ' ',
          h('a', { href: `/api/reports/stored/${r.id}?format=csv`, download: '' }, 'CSV'))))
        : h('p', { class: 'muted' }, t('reports.noStored')));
    };

    kind.addEventListener('change', () => {
      period.value = periodOf(kind.value as ReportKind, new Date()).label;
      void load();
    });
    for (const input of [period, area]) input.addEventListener('change', () => void load());
    root.append(h('div', { class: 'insight reports' },
      h('div', { class: 'report-head' }, h('h2', {}, t('reports.title')), kind,
        h('label', {}, t('reports.period'), ' ', period), area,
        h('button', { type: 'button', 'data-testid': 'report-load', onclick: () => void load() }, t('common.refresh'))),
      body, stored));

    // Streets to choose from, from the villages' streets (the report routes take an admin area id).
    const { villages } = await assessmentApi.villages();
    const streets = new Map(villages.flatMap((v) => (v.street ? [[v.street.id, v.street.name] as const] : [])));
    for (const [id, name] of streets) area.append(h('option', { value: id }, name));
    void load();
    void loadStored();
    return { dispose: () => { generation += 1; } };
  },
});
