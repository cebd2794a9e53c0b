/**
 * The bulletin form (通报) of a period report, in one language: a masthead with the issuing office,
 * the bulletin's number and date; a summary paragraph written from the figures; the key figures;
 * a compact table by street; the key cases with their before/after evidence as thumbnails; an
 * overview map with scale bar and north arrow; the trend; a line to sign. A4 portrait, as an
 * office prints its bulletins. Self-contained (images as data: URLs), no scripts. Pure.
 */
import type { Geometry, Position } from 'geojson';
import type { PeriodReport, QuotaProgress } from '#domain/weekly-report.js';
import { addDays, shanghaiDate } from '#domain/report-periods.js';
import type { CaseEvidence } from '#db/sql/evidence-chips.js';
import type { MapArea, PeriodCase } from '#db/sql/reports.js';
import { escapeMarkup as esc } from '../markup.js';
import { evidenceThumb } from './evidence-thumb.js';
import { reportStyle, summaryTable } from './report-html.js';
import { areaName, dayName, formatNumber as num, periodDays, periodName, REPORT_WORDS, summaryParagraph, type ReportLanguage } from './report-text.js';
import { lineChart } from './svg-chart.js';
import { svgMap, type MapShape } from './svg-map.js';

/** The facts a bulletin shows beyond the report's figures, read from the database (load-bulletin.ts). */
export interface BulletinFacts {
  /** The period's cases, the key ones first. */
  cases: PeriodCase[];
  /** Evidence of the key cases, by candidate id. */
  evidence: Map<string, CaseEvidence>;
  map: { area: MapArea | null; parts: MapArea[] };
}

export interface BulletinOptions {
  lang: ReportLanguage;
  /** The issuing office, as printed in the masthead. */
  office: string;
  /** The bulletin's number, e.g. 2026年第47期; default from the period. */
  number?: string;
  /** Date of issue, YYYY-MM-DD; default the day after the period. */
  issuedOn?: string;
  /** How many key cases are shown with their evidence. Default 6. */
  keyCases?: number;
}

const WORDS = {
  zh: {
    title: { weekly: '违法建筑治理周报', monthly: '违法建筑治理月报', quarterly: '违法建筑治理季报' },
    sections: ['一、总体情况', '二、主要指标', '三、各街镇情况', '四、重点案件', '五、分布图', '六、近期趋势'],
    number: (report: PeriodReport) => `${report.period.label.slice(0, 4)}年第${Number(report.period.label.slice(report.kind === 'monthly' ? 5 : 6))}期`,
    newCount: '新增图斑（宗）', verifiedCount: '确认违建（宗）', demolishedCount: '已拆除（宗）', demolishedM2: '已拆除（m²）',
    registerM2: '存量减量（m²）', quotaM2: '年度指标（m²）', doneM2: '累计拆除（m²）', progress: '完成率',
    noCases: '本期无新增或确认的违建案件。', before: '前期影像', after: '后期影像', flight: (id: string) => `航飞 #${id}`,
    verified: '确认违建', raised: '待核查', area: '面积', firstSeen: '首次发现', where: '位置',
    changeTypes: { new_structure: '新建', extension: '扩建', rooftop_addition: '屋顶加层', added_floor: '加层', demolished: '拆除' } as Record<string, string>,
    statuses: { pending: '待核查', verified: '确认违建', scheduled: '已排期', demolished: '已拆除', demolition_confirmed: '航飞确认拆除', still_standing: '复核未拆除' } as Record<string, string>,
    mapCase: '重点案件', mapOther: '其他新增图斑', mapLegendArea: '街镇界', north: '北', mapLabel: '分布图',
    moreCases: (n: number) => `另有${n}宗见分布图。`,
    sign: '签发：', signDate: '日期：', coordinate: (lon: number, lat: number) => `东经${lon.toFixed(5)}°，北纬${lat.toFixed(5)}°`,
    noImage: '无影像',
  },
  en: {
    title: { weekly: 'Weekly bulletin on illegal construction', monthly: 'Monthly bulletin on illegal construction', quarterly: 'Quarterly bulletin on illegal construction' },
    sections: ['1. Overview', '2. Key figures', '3. By street', '4. Key cases', '5. Overview map', '6. Recent trend'],
    number: (report: PeriodReport) => `No. ${Number(report.period.label.slice(report.kind === 'monthly' ? 5 : 6))}, ${report.period.label.slice(0, 4)}`,
    newCount: 'New (cases)', verifiedCount: 'Verified (cases)', demolishedCount: 'Demolished (cases)', demolishedM2: 'Demolished (m²)',
    registerM2: 'Register reduction (m²)', quotaM2: 'Quota (m²)', doneM2: 'Done (m²)', progress: 'Progress',
    noCases: 'No new or verified case in the period.', before: 'Before', after: 'After', flight: (id: string) => `Flight #${id}`,
    verified: 'Verified', raised: 'Pending', area: 'Area', firstSeen: 'First seen', where: 'Location',
    changeTypes: { new_structure: 'New structure', extension: 'Extension', rooftop_addition: 'Rooftop addition', added_floor: 'Added floor', demolished: 'Demolished' } as Record<string, string>,
    statuses: { pending: 'Pending', verified: 'Verified', scheduled: 'Scheduled', demolished: 'Demolished', demolition_confirmed: 'Demolition confirmed', still_standing: 'Still standing' } as Record<string, string>,
    mapCase: 'Key case', mapOther: 'Other new case', mapLegendArea: 'Street boundary', north: 'N', mapLabel: 'Overview map',
    moreCases: (n: number) => `${n} more on the map.`,
    sign: 'Signed:', signDate: 'Date:', coordinate: (lon: number, lat: number) => `${lon.toFixed(5)}° E, ${lat.toFixed(5)}° N`,
    noImage: 'no image',
  },
} as const;

const PAGE_WIDTH_PX = 700;
const pct = (ratio: number | null | undefined) => (ratio === null || ratio === undefined ? '—' : `${(ratio * 100).toFixed(1)}%`);
/** An instant as the Shanghai calendar day. */
const shanghaiDay = (instant: string) => shanghaiDate(new Date(instant));

function streetTable(report: PeriodReport, lang: ReportLanguage): string {
  const w = WORDS[lang];
  const level = report.area?.level === 'village' ? REPORT_WORDS[lang].level.village : REPORT_WORDS[lang].level.street;
  const quotaCells = (quota: QuotaProgress | null) => (quota?.targetM2
    ? `<td class="num">${num(quota.targetM2)}</td><td class="num">${num(quota.done.m2)}</td><td class="num">${pct(quota.progressM2)}</td>`
    : '<td class="num">—</td><td class="num">—</td><td class="num">—</td>');
  const row = (name: string, f: PeriodReport['total']['figures'], quota: QuotaProgress | null, total = false) => `<tr${total ? ' class="total"' : ''}><th scope="row">${esc(name)}</th>`
    + `<td class="num">${num(f.newCandidates.count)}</td><td class="num">${num(f.verified.count)}</td><td class="num">${num(f.demolished.count)}</td>`
    + `<td class="num">${num(f.demolished.m2)}</td><td class="num">${num(f.registerReduction.m2)}</td>${quotaCells(quota)}</tr>`;
  const head = [level, w.newCount, w.verifiedCount, w.demolishedCount, w.demolishedM2, w.registerM2, w.quotaM2, w.doneM2, w.progress];
  return `<table class="figures streets"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>
${report.rows.map((r) => row(areaName(r.area, lang), r.figures, r.quota)).join('\n')}
${report.rows.length > 1 ? row(REPORT_WORDS[lang].total, report.total.figures, report.total.quota, true) : ''}
</tbody></table>`;
}

function caseCard(item: PeriodCase, n: number, evidence: CaseEvidence | undefined, lang: ReportLanguage): string {
  const w = WORDS[lang];
  const place = [item.street, item.village].filter(Boolean).map((a) => (lang === 'en' && a!.nameEn ? a!.nameEn : a!.name)).join(lang === 'zh' ? ' ' : ', ');
  const thumb = (chip: CaseEvidence['before'], caption: string) => evidenceThumb(chip, caption, w.noImage);
  const flightLabel = (id: string, capturedAt: string | null) => `<span class="nowrap">${esc(w.flight(id))}</span>${capturedAt ? ` · <span class="nowrap">${shanghaiDay(capturedAt)}</span>` : ''}`;
  const flight = evidence ? flightLabel(evidence.flightId, evidence.capturedAt) : '';
  const beforeFlight = evidence?.beforeFlight ? flightLabel(evidence.beforeFlight.id, evidence.beforeFlight.capturedAt) : '';
  return `<div class="case">
<div class="case-head"><span class="case-number">${n}</span> ${esc(place || '—')} · ${esc(w.changeTypes[item.changeType] ?? item.changeType)} · ${num(item.areaM2)} m² · ${esc(w.statuses[item.status] ?? item.status)}</div>
<div class="case-meta">${w.coordinate(item.lon, item.lat)}${item.firstSeenAt ? ` · ${w.firstSeen} <span class="nowrap">${shanghaiDay(item.firstSeenAt)}</span>` : ''}</div>
<div class="thumbs">${thumb(evidence?.before ?? null, beforeFlight ? `${w.before} · ${beforeFlight}` : w.before)}${thumb(evidence?.after ?? null, flight ? `${w.after} · ${flight}` : w.after)}</div>
</div>`;
}

function overviewMap(facts: BulletinFacts, keyCases: PeriodCase[], lang: ReportLanguage): string {
  const w = WORDS[lang];
  const parse = (area: MapArea) => JSON.parse(area.geometry) as Geometry;
  const mapName = (area: MapArea) => (lang === 'en' && area.nameEn ? area.nameEn : area.name);
  const all = [...(facts.map.area ? [facts.map.area] : []), ...facts.map.parts];
  if (all.length === 0) return '';
  const frame: Geometry = facts.map.area ? parse(facts.map.area) : { type: 'GeometryCollection', geometries: facts.map.parts.map(parse) };
  const shapes: MapShape[] = [
    ...facts.map.parts.map((part) => ({ geometry: parse(part), fill: '#f3f4f6', stroke: '#9ca3af', strokeWidth: 0.8, label: mapName(part), labelAt: [part.labelLon, part.labelLat] as Position })),
    ...(facts.map.area ? [{ geometry: parse(facts.map.area), fill: 'none', stroke: '#111827', strokeWidth: 1.6, label: facts.map.parts.length ? undefined : mapName(facts.map.area) }] : []),
  ];
  const keyIds = new Set(keyCases.map((c) => c.id));
  const svg = svgMap({
    frame, shapes, north: w.north, ariaLabel: w.mapLabel, width: PAGE_WIDTH_PX, maxHeight: 520,
    dots: facts.cases.filter((c) => !keyIds.has(c.id)).map((c) => [c.lon, c.lat]),
    markers: keyCases.map((c, i) => ({ at: [c.lon, c.lat], label: String(i + 1), colour: '#b91c1c' })),
  });
  const legend = `<div class="map-legend"><span class="legend-entry"><i class="marker"></i>${w.mapCase}</span><span class="legend-entry"><i class="dot"></i>${w.mapOther}</span><span class="legend-entry"><i class="boundary"></i>${w.mapLegendArea}</span></div>`;
  return `<figure class="map">${svg}${legend}</figure>`;
}

const BULLETIN_STYLE = `
.masthead { text-align: center; margin-bottom: 10px; }
.masthead .title { color: #c00000; font-size: 30px; font-weight: bold; margin: 6px 0 4px; } html[lang=zh-CN] .masthead .title { letter-spacing: 4px; }
.nowrap { white-space: nowrap; } table.streets tbody th { min-width: 6em; }
.masthead .number { font-size: 14px; margin-bottom: 10px; }
.masthead .issuer { display: flex; justify-content: space-between; font-size: 13px; border-bottom: 3px solid #c00000; padding-bottom: 6px; }
p.lead { font-size: 13px; line-height: 1.8; text-indent: 2em; margin: 6px 0; text-align: justify; }
.cases { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 8px; }
.case { border: 1px solid #cbd5e1; padding: 6px; break-inside: avoid; page-break-inside: avoid; }
.case-head { font-weight: bold; font-size: 12px; } .case-meta { color: #4b5563; font-size: 10.5px; margin: 2px 0 4px; }
.case-number { display: inline-block; min-width: 18px; height: 18px; line-height: 18px; border-radius: 9px; background: #b91c1c; color: #fff; text-align: center; font-size: 11px; }
.thumbs { display: flex; gap: 6px; } figure.thumb { margin: 0; flex: 1; }
figure.thumb img, .no-image { display: block; width: 100%; aspect-ratio: 1; object-fit: cover; border: 1px solid #d1d5db; }
.no-image { background: #f3f4f6; color: #6b7280; display: flex; align-items: center; justify-content: center; }
figure.thumb figcaption { font-size: 10px; color: #374151; margin-top: 2px; }
.map-legend { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 11px; margin-top: 4px; }
.map-legend i { display: inline-block; vertical-align: middle; margin-right: 4px; }
.map-legend .marker { width: 12px; height: 12px; border-radius: 7px; border: 1.8px solid #b91c1c; background: #fff; }
.map-legend .dot { width: 5px; height: 5px; border-radius: 3px; background: #b91c1c; }
.map-legend .boundary { width: 16px; height: 0; border-top: 1px solid #9ca3af; }
.sign { display: flex; justify-content: flex-end; gap: 60px; margin-top: 20px; font-size: 13px; break-inside: avoid; }
.sign span { min-width: 150px; border-bottom: 1px solid #111827; padding-bottom: 2px; }
section.keep { break-inside: avoid; page-break-inside: avoid; }`;

export function bulletinHtml(report: PeriodReport, facts: BulletinFacts, options: BulletinOptions): string {
  const { lang } = options;
  const w = WORDS[lang];
  const title = w.title[report.kind];
  const number = options.number ?? w.number(report);
  const issuedOn = options.issuedOn ?? addDays(report.period.end, 1);
  const keyCases = facts.cases.slice(0, options.keyCases ?? 6);
  const [overview, figures, streets, cases, map, trend] = w.sections;
  const trendChart = lineChart({
    title: REPORT_WORDS[lang].trendChart(report.trend.length), unit: REPORT_WORDS[lang].count, width: PAGE_WIDTH_PX, height: 220,
    xLabels: report.trend.map((point) => point.label.slice(5)),
    series: (['newCandidates', 'verified', 'demolished', 'registerReduction'] as const).map((key) => ({
      name: REPORT_WORDS[lang].figures[key], values: report.trend.map((point) => point.figures[key].count),
    })),
  });
  const more = facts.cases.length - keyCases.length;
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<title>${esc(title)} · ${esc(number)}</title>
<style>${reportStyle('A4 portrait')}${BULLETIN_STYLE}</style>
</head>
<body>
<header class="masthead">
<div class="title">${esc(title)}</div>
<div class="number">${esc(number)}</div>
<div class="issuer"><span>${esc(options.office)}</span><span>${dayName(issuedOn, lang)}</span></div>
</header>
<section class="keep"><h2>${overview}</h2>
<p class="meta">${esc(areaName(report.area, lang))} · ${periodName(report.period, lang)} · ${periodDays(report.period, lang)}</p>
<p class="lead">${esc(summaryParagraph(report, lang))}</p></section>
<section class="keep"><h2>${figures}</h2>
${summaryTable(report, lang)}</section>
<h2>${streets}</h2>
${streetTable(report, lang)}
<h2>${cases}</h2>
${keyCases.length ? `<div class="cases">${keyCases.map((c, i) => caseCard(c, i + 1, facts.evidence.get(c.id), lang)).join('\n')}</div>${more > 0 ? `<p class="note">${w.moreCases(more)}</p>` : ''}` : `<p>${w.noCases}</p>`}
<section class="keep"><h2>${map}</h2>
${overviewMap(facts, keyCases, lang)}</section>
<section class="keep"><h2>${trend}</h2>
<figure>${trendChart}</figure>
<div class="sign"><span>${w.sign}</span><span>${w.signDate}</span></div></section>
</body>
</html>
`;
}
