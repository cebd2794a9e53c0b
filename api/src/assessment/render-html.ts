/**
 * The village assessment as one self-contained HTML page in one language (Chinese or English,
 * never both): verdict, the four criteria, coverage and the flights used, every blocking item
 * with its evidence as before/after thumbnails (flight number and capture date under each), and a
 * map of the village, the covered part and the blocking items with scale bar and north arrow.
 * Images are data: URLs; no scripts, fonts or anything from elsewhere: the same page is printed to
 * PDF. Headings stay with what follows them. Pure: data in, HTML out.
 */
import type { Geometry } from 'geojson';
import { addDays, shanghaiDate } from '#domain/report-periods.js';
import type { BlockingItem, Criterion, VillageAssessment } from '#domain/village-assessment.js';
import type { CaseEvidence } from '#db/sql/evidence-chips.js';
import { escapeMarkup } from '../markup.js';
import type { ReportLanguage } from '../reports/report-text.js';
import { evidenceThumb } from '../reports/evidence-thumb.js';
import { svgMap, type MapShape } from '../reports/svg-map.js';
import { CHART_FONT_FAMILY } from '../reports/text-width.js';
import type { AssessmentMap } from './assess-village.js';

const number = (x: number, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** An instant as Shanghai local time, YYYY-MM-DD HH:MM. */
const local = (instant: string | null) => (instant ? new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : '—');
const day = (instant: string) => shanghaiDate(new Date(instant));

const WORDS = {
  zh: {
    title: '“零”违建居村考核', code: '代码', colon: '：', open: '（', close: '）', period: '考核期', inclusive: '含首尾日，北京时间', generated: '生成时间', verdict: '结论',
    pass: '通过', fail: '未通过', criteria: '考核标准', met: '✔ 符合', notMet: '✘ 不符合',
    criterion: {
      no_illegal_in_register: '数据库内无违法建筑', no_illegal_outside_register: '数据库外无违法建筑',
      zero_new_construction: '考核期内新建违建零增长', full_coverage: '考核期内航飞全覆盖',
    } as Record<Criterion, string>,
    coverage: (percent: string) => `航飞覆盖 ${percent}%`,
    coverageNote: (required: string, village: string, covered: string) => `（要求 ${required}%；居村面积 ${village} m²，已覆盖 ${covered} m²）`,
    flight: '航飞', captured: '拍摄时间', coveredM2: '覆盖面积（m²）', share: '占比', none: '无',
    map: '地图', notCovered: '未覆盖', covered: '已覆盖', candidate: '疑似违建图斑', registerEntry: '台账违建', north: '北',
    blocking: (n: number) => `未通过项（${n}）`, nothingBlocks: '无：没有影响考核通过的事项。',
    columns: ['#', '对象', '原因', '类型', '面积（m²）', '状态', '时间', '证据（前期 → 后期）'],
    registerItem: (externalId: string) => `台账 ${externalId}`, candidateItem: (id: string) => `图斑 #${id}`, coverageItem: '航飞覆盖',
    registered: '登记', firstSeen: '首次发现', before: '前期', after: '后期', flightNo: (id: string) => `航飞 #${id}`, noImage: '无影像',
    alsoSeen: '另见', reason: (item: BlockingItem) => item.reasonZh,
    changeTypes: { new_structure: '新建', extension: '扩建', rooftop_addition: '屋顶加层', added_floor: '加层', demolished: '拆除' } as Record<string, string>,
    statuses: { stock: '存量', deferred: '暂缓保留', pending: '待核查', verified: '确认违建', scheduled: '已排期', demolished: '已拆除待复核', still_standing: '复核未拆除' } as Record<string, string>,
    categories: { public_service: '公共服务', production_business_storage: '生产加工经营仓储', facilities_equipment: '设施设备', personal_residence: '个人居住' } as Record<string, string>,
  },
  en: {
    title: 'Zero-violation village assessment', code: 'code', colon: ': ', open: ' (', close: ')', period: 'Period', inclusive: 'inclusive, China Standard Time', generated: 'Generated', verdict: 'Verdict',
    pass: 'PASS', fail: 'FAIL', criteria: 'Criteria', met: '✔ met', notMet: '✘ not met',
    criterion: {
      no_illegal_in_register: 'No illegal building in the register', no_illegal_outside_register: 'No illegal building outside the register',
      zero_new_construction: 'Zero new illegal construction in the period', full_coverage: 'Village fully covered by done flights in the period',
    } as Record<Criterion, string>,
    coverage: (percent: string) => `Coverage ${percent}%`,
    coverageNote: (required: string, village: string, covered: string) => ` (required ${required}%; village ${village} m², covered ${covered} m²)`,
    flight: 'Flight', captured: 'Captured', coveredM2: 'Covered m²', share: 'Share', none: 'none',
    map: 'Map', notCovered: 'not covered', covered: 'covered', candidate: 'candidate', registerEntry: 'register entry', north: 'N',
    blocking: (n: number) => `Blocking items (${n})`, nothingBlocks: 'None: nothing blocks the certification.',
    columns: ['#', 'Item', 'Reason', 'Type', 'Area m²', 'Status', 'Date', 'Evidence (before → after)'],
    registerItem: (externalId: string) => `Register entry ${externalId}`, candidateItem: (id: string) => `Candidate #${id}`, coverageItem: 'Coverage',
    registered: 'registered', firstSeen: 'first seen', before: 'before', after: 'after', flightNo: (id: string) => `flight #${id}`, noImage: 'no image',
    alsoSeen: 'also seen by', reason: (item: BlockingItem) => item.reason,
    changeTypes: { new_structure: 'new structure', extension: 'extension', rooftop_addition: 'rooftop addition', added_floor: 'added floor', demolished: 'demolished' } as Record<string, string>,
    statuses: { stock: 'stock', deferred: 'deferred', pending: 'pending', verified: 'verified', scheduled: 'scheduled', demolished: 'demolished, unconfirmed', still_standing: 'still standing' } as Record<string, string>,
    categories: { public_service: 'public service', production_business_storage: 'production, business, storage', facilities_equipment: 'facilities and equipment', personal_residence: 'personal residence' } as Record<string, string>,
  },
} as const;

type Words = (typeof WORDS)[ReportLanguage];

const COLOURS = { village: '#e5e7eb', covered: '#bbf7d0', candidate: '#b91c1c', registerEntry: '#b45309' };

function itemKey(item: BlockingItem): string {
  if (item.kind === 'candidate') return `candidate:${item.candidateId}`;
  if (item.kind === 'register_entry') return `register_entry:${item.registerEntryId}`;
  return 'coverage';
}

function mapFigure(map: AssessmentMap, numbers: Map<string, number>, w: Words): string {
  const shapes: MapShape[] = [
    { geometry: map.village, fill: COLOURS.village, stroke: 'none', strokeWidth: 0 },
    ...(map.covered ? [{ geometry: map.covered, fill: COLOURS.covered, stroke: 'none', strokeWidth: 0 }] : []),
    { geometry: map.village, fill: 'none', stroke: '#111827', strokeWidth: 1.5 },
    ...map.items.map((item) => {
      const colour = item.kind === 'register_entry' ? COLOURS.registerEntry : COLOURS.candidate;
      return { geometry: item.geometry, fill: colour, fillOpacity: 0.6, stroke: colour };
    }),
  ];
  const middle = (geometry: Geometry): [number, number] => {
    const points = geometry.type === 'Polygon' ? geometry.coordinates.flat() : geometry.type === 'MultiPolygon' ? geometry.coordinates.flat(2) : [];
    const xs = points.map((p) => p[0]!);
    const ys = points.map((p) => p[1]!);
    return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
  };
  const svg = svgMap({
    frame: map.village, shapes, north: w.north, ariaLabel: w.map, width: 560, maxHeight: 420,
    markers: map.items.map((item) => ({
      at: middle(item.geometry), label: String(numbers.get(`${item.kind}:${item.id}`) ?? ''),
      colour: item.kind === 'register_entry' ? COLOURS.registerEntry : COLOURS.candidate,
    })),
  });
  const entry = (colour: string, label: string) => `<span class="legend-entry"><i style="background:${colour}"></i>${label}</span>`;
  return `<figure class="map">${svg}<div class="legend">${entry(COLOURS.village, w.notCovered)}${entry(COLOURS.covered, w.covered)}${entry(COLOURS.candidate, w.candidate)}${entry(COLOURS.registerEntry, w.registerEntry)}</div></figure>`;
}

function evidenceCell(item: Extract<BlockingItem, { kind: 'candidate' }>, thumbnails: CaseEvidence | undefined, w: Words): string {
  if (!thumbnails && item.evidence.length === 0) return '—';
  const flightLabel = (id: string, capturedAt: string | null) =>
    `<span class="nowrap">${escapeMarkup(w.flightNo(id))}</span>${capturedAt ? ` <span class="nowrap">${day(capturedAt)}</span>` : ''}`;
  const thumb = (chip: CaseEvidence['before'], caption: string) => evidenceThumb(chip, caption, w.noImage);
  const shown = thumbnails
    ? `<div class="thumbs">${thumb(thumbnails.before, thumbnails.beforeFlight ? `${w.before} · ${flightLabel(thumbnails.beforeFlight.id, thumbnails.beforeFlight.capturedAt)}` : w.before)}`
      + `${thumb(thumbnails.after, `${w.after} · ${flightLabel(thumbnails.flightId, thumbnails.capturedAt)}`)}</div>`
    : '';
  const others = item.evidence.filter((e) => e.flightId !== thumbnails?.flightId);
  const also = others.length
    ? `<div class="also">${w.alsoSeen} ${others.map((e) => `<span class="nowrap">${escapeMarkup(w.flightNo(e.flightId))} ${day(e.observedAt)}</span>`).join(', ')}</div>`
    : '';
  return shown + also;
}

function itemRow(item: BlockingItem, n: number, thumbnails: Map<string, CaseEvidence>, w: Words): string {
  const cells = (what: string, type: string, area: string, status: string, seen: string, evidence: string) =>
    `<tr><td>${n}</td><td>${what}</td><td>${escapeMarkup(w.reason(item))}</td>`
    + `<td>${type}</td><td class="num">${area}</td><td>${status}</td><td>${seen}</td><td class="evidence">${evidence}</td></tr>`;
  if (item.kind === 'register_entry') {
    return cells(escapeMarkup(w.registerItem(item.externalId)),
      escapeMarkup(item.category ? w.categories[item.category] ?? item.category : '—'), number(item.areaM2), escapeMarkup(w.statuses[item.status] ?? item.status),
      `${w.registered} <span class="nowrap">${escapeMarkup(item.registeredOn ?? '—')}</span>`, '—');
  }
  if (item.kind === 'candidate') {
    return cells(escapeMarkup(w.candidateItem(item.candidateId)),
      escapeMarkup(w.changeTypes[item.changeType] ?? item.changeType), number(item.areaM2), escapeMarkup(w.statuses[item.status] ?? item.status),
      `${w.firstSeen} <span class="nowrap">${escapeMarkup(local(item.firstSeenAt))}</span>`, evidenceCell(item, thumbnails.get(item.candidateId), w));
  }
  return cells(w.coverageItem, '—', '—', `${number(item.coveragePercent, 2)}% / ${number(item.requiredPercent, 2)}%`, '—', '—');
}

export interface AssessmentPage {
  assessment: VillageAssessment;
  map: AssessmentMap;
  /** The newest evidence chips of the blocking candidates, by candidate id. */
  thumbnails: Map<string, CaseEvidence>;
}

export function renderAssessmentHtml({ assessment, map, thumbnails }: AssessmentPage, generatedAt: Date, lang: ReportLanguage = 'zh'): string {
  const w = WORDS[lang];
  const { village, period, coverage } = assessment;
  const pass = assessment.verdict === 'pass';
  const numbers = new Map(assessment.blocking.map((item, i) => [itemKey(item), i + 1]));
  const villageName = lang === 'en' && village.nameEn ? village.nameEn : village.name;
  const criteria = (Object.keys(w.criterion) as Criterion[]).map((c) =>
    `<li class="${assessment.criteria[c] ? 'ok' : 'bad'}">${assessment.criteria[c] ? w.met : w.notMet} — ${escapeMarkup(w.criterion[c])}</li>`).join('');
  const flights = coverage.flights.length
    ? coverage.flights.map((f) => `<tr><td>${escapeMarkup(w.flightNo(f.id))}</td><td>${escapeMarkup(local(f.capturedAt))}</td><td class="num">${number(f.coveredM2, 0)}</td>`
      + `<td class="num">${coverage.villageAreaM2 > 0 ? number((100 * f.coveredM2) / coverage.villageAreaM2, 2) : '0.00'}%</td></tr>`).join('')
    : `<tr><td colspan="4">${w.none}</td></tr>`;
  const blocking = assessment.blocking.length
    ? assessment.blocking.map((item, i) => itemRow(item, i + 1, thumbnails, w)).join('')
    : `<tr><td colspan="8">${w.nothingBlocks}</td></tr>`;
  const title = `${w.title} — ${villageName}`;
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeMarkup(title)}</title>
<style>
  body { font-family: ${CHART_FONT_FAMILY}; color: #111827; margin: 24px; font-size: 12px; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 18px 0 6px; break-after: avoid; page-break-after: avoid; }
  .sub, .note { color: #4b5563; font-size: 11px; }
  .verdict { display: inline-block; padding: 6px 14px; font-size: 18px; font-weight: bold; border-radius: 4px; color: #fff; background: ${pass ? '#15803d' : '#b91c1c'}; }
  ul.criteria { list-style: none; padding: 0; margin: 4px 0; } .ok { color: #15803d; } .bad { color: #b91c1c; }
  table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #d1d5db; padding: 3px 5px; vertical-align: top; text-align: left; }
  th { background: #f3f4f6; } td.num { text-align: right; white-space: nowrap; } .nowrap { white-space: nowrap; }
  td.evidence { width: 150px; }
  .thumbs { display: flex; gap: 4px; } figure.thumb { margin: 0; width: 72px; }
  figure.thumb img, .no-image { display: block; width: 72px; height: 72px; object-fit: cover; border: 1px solid #d1d5db; }
  .no-image { background: #f3f4f6; color: #6b7280; font-size: 10px; display: flex; align-items: center; justify-content: center; }
  figure.thumb figcaption, .also { font-size: 9.5px; color: #374151; margin-top: 2px; }
  figure.map { margin: 4px 0; }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 11px; margin-top: 4px; }
  .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
  tr, figure, section.keep { break-inside: avoid; page-break-inside: avoid; }
  @page { size: A4 portrait; margin: 12mm; } @media print { body { margin: 0; } }
</style></head>
<body>
<h1>${escapeMarkup(title)}</h1>
<div class="sub">${lang === 'zh' && village.street ? `${escapeMarkup(village.street)} · ` : ''}${escapeMarkup(villageName)} · ${w.code} ${escapeMarkup(village.code)}</div>
<p>${w.period}${w.colon}${escapeMarkup(period.from)} — ${escapeMarkup(addDays(period.to, -1))}${w.open}${w.inclusive}${w.close} · ${w.generated}${w.colon}${escapeMarkup(local(generatedAt.toISOString()))}</p>
<p>${w.verdict}${w.colon}<span class="verdict" id="verdict">${pass ? w.pass : w.fail}</span></p>
<section class="keep"><h2>${w.criteria}</h2>
<ul class="criteria">${criteria}</ul></section>
<section class="keep"><h2>${w.coverage(number(coverage.percent, 2))}<span class="sub">${w.coverageNote(number(coverage.requiredPercent, 2), number(coverage.villageAreaM2, 0), number(coverage.coveredAreaM2, 0))}</span></h2>
<table><thead><tr><th>${w.flight}</th><th>${w.captured}</th><th>${w.coveredM2}</th><th>${w.share}</th></tr></thead><tbody>${flights}</tbody></table></section>
<section class="keep"><h2>${w.map}</h2>
${mapFigure(map, numbers, w)}</section>
<h2>${w.blocking(assessment.blocking.length)}</h2>
<table class="blocking"><thead><tr>${w.columns.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody>${blocking}</tbody></table>
</body></html>
`;
}
