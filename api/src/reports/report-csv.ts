/**
 * A period report as CSV: one row per street (or the area itself for a street or village report)
 * and a total row, every figure's count and m², its change against the period before, and the
 * quota columns. Pure.
 */
import { FIGURE_KEYS, FIGURE_LABELS, type Figures, type PeriodReport, type QuotaProgress } from '#domain/weekly-report.js';
import { writeCsv, type CsvCell } from '../csv.js';

const percent = (ratio: number | null) => (ratio === null ? null : Math.round(ratio * 1000) / 10);

export const REPORT_CSV_HEADER: readonly string[] = [
  '代码 code', '区域 area',
  ...FIGURE_KEYS.flatMap((key) => {
    const { zh, en } = FIGURE_LABELS[key];
    return [`${zh}(宗) ${en} count`, `${zh}(m²) ${en} m²`, `${zh}环比(宗) ${en} change count`, `${zh}环比(m²) ${en} change m²`];
  }),
  '年度指标(m²) quota target m²', '年度指标(宗) quota target count', '年度累计拆除(m²) demolished this year m²',
  '年度累计拆除(宗) demolished this year count', '完成率(m²,%) progress m² %', '完成率(宗,%) progress count %',
];

function cells(figures: Figures, change: Figures, quota: QuotaProgress | null): CsvCell[] {
  return [
    ...FIGURE_KEYS.flatMap((key) => [figures[key].count, figures[key].m2, change[key].count, change[key].m2]),
    quota?.targetM2 ?? null, quota?.targetCount ?? null, quota?.done.m2 ?? null, quota?.done.count ?? null,
    percent(quota?.progressM2 ?? null), percent(quota?.progressCount ?? null),
  ];
}

export function reportCsv(report: PeriodReport): string {
  return writeCsv([
    REPORT_CSV_HEADER,
    ...report.rows.map((row) => [row.area.code, row.area.name, ...cells(row.figures, row.change, row.quota)]),
    [report.area?.code ?? '', `合计 Total${report.area ? ` ${report.area.name}` : ''}`, ...cells(report.total.figures, report.total.change, report.total.quota)],
  ]);
}
