/**
 * The village assessment as one self-contained HTML page (Chinese with English labels): verdict,
 * the four criteria, coverage and the flights used, every blocking item with its evidence, and a
 * small inline SVG map of the village, the covered part and the blocking items. No scripts, no
 * fonts, no images from anywhere: the same page is printed to PDF. Pure: data in, HTML out.
 */
import type { Geometry, Position } from 'geojson';
import { addDays } from '#domain/report-periods.js';
import type { BlockingItem, Criterion, VillageAssessment } from '#domain/village-assessment.js';
import type { AssessmentMap } from './assess-village.js';
import { escapeMarkup } from '../markup.js';

const number = (x: number, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** An instant as Shanghai local time, YYYY-MM-DD HH:MM. */
const local = (instant: string | null) => (instant ? new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : '—');

const CRITERIA: Record<Criterion, string> = {
  no_illegal_in_register: '数据库内无违法建筑 · No illegal building in the register',
  no_illegal_outside_register: '数据库外无违法建筑 · No illegal building outside the register',
  zero_new_construction: '新建违建零增长 · Zero new illegal construction in the period',
  full_coverage: '航飞全覆盖 · Village fully covered by done flights in the period',
};

const CHANGE_TYPES: Record<string, string> = {
  new_structure: '新建 new structure', extension: '扩建 extension', rooftop_addition: '屋顶加层 rooftop addition',
  added_floor: '加层 added floor', demolished: '拆除 demolished',
};

const STATUSES: Record<string, string> = {
  stock: '存量 stock', deferred: '暂缓保留 deferred', pending: '待核查 pending', verified: '确认违建 verified',
  scheduled: '已排期 scheduled', demolished: '已拆除待复核 demolished, unconfirmed', still_standing: '复核未拆除 still standing',
};

// --- the map -------------------------------------------------------------------------------

const WIDTH = 560;
const MAX_HEIGHT = 420;
const PAD = 12;

function polygonsOf(geometry: Geometry): Position[][][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  if (geometry.type === 'GeometryCollection') return geometry.geometries.flatMap(polygonsOf);
  return [];
}

/** A flat projection fitted to the village: at village scale lon/lat scaled by cos(latitude) is true to within a hair. */
function projection(village: Geometry) {
  const points = polygonsOf(village).flat(2);
  const lons = points.map((p) => p[0]!);
  const lats = points.map((p) => p[1]!);
  const [w, e, s, n] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const squeeze = Math.cos((((s + n) / 2) * Math.PI) / 180);
  const spanX = Math.max((e - w) * squeeze, 1e-9);
  const spanY = Math.max(n - s, 1e-9);
  const scale = Math.min((WIDTH - 2 * PAD) / spanX, (MAX_HEIGHT - 2 * PAD) / spanY);
  const height = Math.ceil(spanY * scale + 2 * PAD);
  const xy = (p: Position): [number, number] => [PAD + (p[0]! - w) * squeeze * scale, PAD + (n - p[1]!) * scale];
  return { xy, height };
}

function pathOf(geometry: Geometry, xy: (p: Position) => [number, number]): string {
  return polygonsOf(geometry)
    .flatMap((rings) => rings.map((ring) => `M${ring.map((p) => xy(p).map((v) => v.toFixed(1)).join(' ')).join('L')}Z`))
    .join('');
}

function markerAt(geometry: Geometry, xy: (p: Position) => [number, number]): [number, number] {
  const points = polygonsOf(geometry).flat(2).map(xy);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}

function mapSvg(map: AssessmentMap, numbers: Map<string, number>): string {
  const { xy, height } = projection(map.village);
  const village = pathOf(map.village, xy);
  const covered = map.covered ? pathOf(map.covered, xy) : '';
  const items = map.items.map((item) => {
    const [x, y] = markerAt(item.geometry, xy);
    const label = numbers.get(`${item.kind}:${item.id}`) ?? '';
    const colour = item.kind === 'register_entry' ? '#b45309' : '#b91c1c';
    return `<path d="${pathOf(item.geometry, xy)}" fill="${colour}" fill-opacity="0.6" stroke="${colour}" stroke-width="1"/>`
      + `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="7" fill="#fff" stroke="${colour}" stroke-width="1.5"/>`
      + `<text x="${x.toFixed(1)}" y="${(y + 3.5).toFixed(1)}" font-size="9" text-anchor="middle" fill="${colour}">${label}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="village map">`
    + `<path d="${village}" fill="#e5e7eb" fill-rule="evenodd"/>`
    + (covered ? `<path d="${covered}" fill="#bbf7d0" fill-rule="evenodd"/>` : '')
    + `<path d="${village}" fill="none" stroke="#111827" stroke-width="1.5"/>`
    + items + '</svg>';
}

// --- the page ------------------------------------------------------------------------------

function itemKey(item: BlockingItem): string {
  if (item.kind === 'candidate') return `candidate:${item.candidateId}`;
  if (item.kind === 'register_entry') return `register_entry:${item.registerEntryId}`;
  return 'coverage';
}

function itemRow(item: BlockingItem, n: number): string {
  const cells = (what: string, type: string, area: string, status: string, seen: string, evidence: string) =>
    `<tr><td>${n}</td><td>${what}</td><td>${escapeMarkup(item.reasonZh)}<br><span class="en">${escapeMarkup(item.reason)}</span></td>`
    + `<td>${type}</td><td class="num">${area}</td><td>${status}</td><td>${seen}</td><td class="evidence">${evidence}</td></tr>`;
  if (item.kind === 'register_entry') {
    return cells(`台账 Register entry ${escapeMarkup(item.externalId)}<br><span class="en">id ${escapeMarkup(item.registerEntryId)}</span>`,
      escapeMarkup(item.category ?? '—'), number(item.areaM2), escapeMarkup(STATUSES[item.status] ?? item.status),
      `登记 registered ${escapeMarkup(item.registeredOn ?? '—')}`, '—');
  }
  if (item.kind === 'candidate') {
    const link = (url: string | null, label: string) => (url ? `<a href="${escapeMarkup(url)}">${label}</a>` : '—');
    const evidence = item.evidence.length
      ? item.evidence.map((e) => `航飞 flight ${escapeMarkup(e.flightId)} (${escapeMarkup(local(e.observedAt))}): `
        + `${link(e.before, '前 before')} → ${link(e.after, '后 after')}`).join('<br>')
      : '—';
    return cells(`图斑 Candidate ${escapeMarkup(item.candidateId)}<br><span class="en">/api/candidates/${escapeMarkup(item.candidateId)}</span>`,
      escapeMarkup(CHANGE_TYPES[item.changeType] ?? item.changeType), number(item.areaM2), escapeMarkup(STATUSES[item.status] ?? item.status),
      `首次发现 first seen ${escapeMarkup(local(item.firstSeenAt))}`, evidence);
  }
  return cells('航飞覆盖 Coverage', '—', '—', `${number(item.coveragePercent, 2)}% / ${number(item.requiredPercent, 2)}%`, '—', '—');
}

export function renderAssessmentHtml({ assessment, map }: { assessment: VillageAssessment; map: AssessmentMap }, generatedAt: Date): string {
  const { village, period, coverage } = assessment;
  const pass = assessment.verdict === 'pass';
  const numbers = new Map(assessment.blocking.map((item, i) => [itemKey(item), i + 1]));
  const criteria = (Object.keys(CRITERIA) as Criterion[]).map((c) =>
    `<li class="${assessment.criteria[c] ? 'ok' : 'bad'}">${assessment.criteria[c] ? '✔ 符合 met' : '✘ 不符合 not met'} — ${escapeMarkup(CRITERIA[c])}</li>`).join('');
  const flights = coverage.flights.length
    ? coverage.flights.map((f) => `<tr><td>${escapeMarkup(f.id)}</td><td>${escapeMarkup(local(f.capturedAt))}</td><td class="num">${number(f.coveredM2, 0)}</td>`
      + `<td class="num">${coverage.villageAreaM2 > 0 ? number((100 * f.coveredM2) / coverage.villageAreaM2, 2) : '0.00'}%</td></tr>`).join('')
    : '<tr><td colspan="4">无 none</td></tr>';
  const blocking = assessment.blocking.length
    ? assessment.blocking.map((item, i) => itemRow(item, i + 1)).join('')
    : '<tr><td colspan="8">无 None: nothing blocks the certification.</td></tr>';
  const title = `“零”违建居村考核 Zero-violation village assessment — ${village.name}`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeMarkup(title)}</title>
<style>
  body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei", sans-serif; color: #111827; margin: 24px; font-size: 13px; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 20px 0 6px; }
  .en { color: #4b5563; font-size: 11px; }
  .verdict { display: inline-block; padding: 6px 14px; font-size: 18px; font-weight: bold; border-radius: 4px; color: #fff; background: ${pass ? '#15803d' : '#b91c1c'}; }
  ul.criteria { list-style: none; padding: 0; } .ok { color: #15803d; } .bad { color: #b91c1c; }
  table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #d1d5db; padding: 3px 5px; vertical-align: top; text-align: left; }
  th { background: #f3f4f6; } td.num { text-align: right; } td.evidence { font-size: 10px; word-break: break-all; }
  .legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
  tr { page-break-inside: avoid; }
</style></head>
<body>
<h1>${escapeMarkup(title)}</h1>
<div class="en">${escapeMarkup(village.street ?? '')} · ${escapeMarkup(village.name)}${village.nameEn ? ` (${escapeMarkup(village.nameEn)})` : ''} · 代码 code ${escapeMarkup(village.code)} · id ${escapeMarkup(village.id)}</div>
<p>考核期 Period: ${escapeMarkup(period.from)} — ${escapeMarkup(addDays(period.to, -1))} (含 inclusive, 北京时间 China Standard Time) ·
生成 Generated: ${escapeMarkup(local(generatedAt.toISOString()))}</p>
<p>结论 Verdict: <span class="verdict" id="verdict">${pass ? '通过 PASS' : '未通过 FAIL'}</span></p>
<h2>考核标准 Criteria</h2>
<ul class="criteria">${criteria}</ul>
<h2>航飞覆盖 Coverage: ${number(coverage.percent, 2)}% <span class="en">(required ${number(coverage.requiredPercent, 2)}%; village ${number(coverage.villageAreaM2, 0)} m², covered ${number(coverage.coveredAreaM2, 0)} m²)</span></h2>
<table><thead><tr><th>航飞 Flight</th><th>拍摄时间 Captured</th><th>覆盖面积 Covered m²</th><th>占比 Share</th></tr></thead><tbody>${flights}</tbody></table>
<h2>地图 Map</h2>
${mapSvg(map, numbers)}
<div class="legend en"><span style="background:#e5e7eb"></span>未覆盖 not covered<span style="background:#bbf7d0"></span>已覆盖 covered<span style="background:#b91c1c"></span>图斑 candidate<span style="background:#b45309"></span>台账 register entry</div>
<h2>未通过项 Blocking items (${assessment.blocking.length})</h2>
<table><thead><tr><th>#</th><th>对象 Item</th><th>原因 Reason</th><th>类型 Type</th><th>面积 Area m²</th><th>状态 Status</th><th>时间 Date</th><th>证据 Evidence (before → after)</th></tr></thead>
<tbody>${blocking}</tbody></table>
</body></html>
`;
}
