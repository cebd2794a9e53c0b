/**
 * The quota file: one street's yearly demolition quota (拆违指标) per line. Pure: text in, quotas
 * or the lines that are wrong out.
 *
 * ```csv
 * street,year,target_m2,target_count
 * 310115001,2026,12000,40
 * 花木街道,2026,8000,
 * ```
 *
 * `street` is the street's code or name; at least one of `target_m2` and `target_count` per line.
 * Chinese headers are accepted: 街镇, 年度, 目标面积, 目标宗数.
 */
import type { QuotaInput } from '#db/sql/quotas.js';
import { parseCsv } from '../csv.js';

const COLUMNS: Record<string, keyof QuotaInput> = {
  street: 'street', 街镇: 'street',
  year: 'year', 年度: 'year',
  target_m2: 'targetM2', 目标面积: 'targetM2',
  target_count: 'targetCount', 目标宗数: 'targetCount',
};

export interface QuotaFileProblem {
  line: number;
  reason: string;
}

/** Parses a positive number; '' is null. */
function target(text: string, what: string): number | null | string {
  if (text.trim() === '') return null;
  const value = Number(text.trim());
  return Number.isFinite(value) && value > 0 ? value : `${what} must be a positive number, not "${text}"`;
}

/** Validates `--m2` / `--count` and year values the same way for the CLI and the file. */
export function checkQuota(street: string, yearText: string, m2Text: string, countText: string): QuotaInput | string {
  if (!street.trim()) return 'the street is missing';
  if (!/^\d{4}$/.test(yearText.trim()) || Number(yearText) < 2000 || Number(yearText) > 2099) return `year must be 2000 to 2099, not "${yearText}"`;
  const targetM2 = target(m2Text, 'target m²');
  if (typeof targetM2 === 'string') return targetM2;
  const targetCount = target(countText, 'target count');
  if (typeof targetCount === 'string') return targetCount;
  if (targetCount !== null && !Number.isInteger(targetCount)) return `target count must be a whole number, not "${countText}"`;
  if (targetM2 === null && targetCount === null) return 'give a target in m², in count, or both';
  return { street: street.trim(), year: Number(yearText), targetM2, targetCount };
}

export function parseQuotaFile(text: string): { quotas: Array<QuotaInput & { line: number }>; problems: QuotaFileProblem[] } {
  const [header, ...lines] = parseCsv(text);
  const columns = (header ?? []).map((name) => COLUMNS[name.trim().toLowerCase()] ?? COLUMNS[name.trim()]);
  const missing = (['street', 'year'] as const).filter((c) => !columns.includes(c));
  if (missing.length > 0 || !columns.some((c) => c === 'targetM2' || c === 'targetCount')) {
    return { quotas: [], problems: [{ line: 1, reason: 'the header must name street, year and target_m2 and/or target_count' }] };
  }
  const quotas: Array<QuotaInput & { line: number }> = [];
  const problems: QuotaFileProblem[] = [];
  const seen = new Map<string, number>();
  lines.forEach((fields, i) => {
    const line = i + 2;
    if (fields.every((f) => f.trim() === '')) return;
    const value = (key: keyof QuotaInput) => fields[columns.indexOf(key)] ?? '';
    const quota = checkQuota(value('street'), value('year'), value('targetM2'), value('targetCount'));
    if (typeof quota === 'string') return void problems.push({ line, reason: quota });
    const key = `${quota.street}|${quota.year}`;
    if (seen.has(key)) return void problems.push({ line, reason: `${quota.street} ${quota.year} is already on line ${seen.get(key)}` });
    seen.set(key, line);
    quotas.push({ ...quota, line });
  });
  return { quotas, problems };
}
