/**
 * The reports API: the weekly diff report (周报) and the monthly and quarterly roll-ups (月报、季报)
 * of an area as JSON, and the addresses of their CSV, HTML and PDF downloads.
 */
import type { PeriodReport, ReportKind, StoredReportList } from '#api/api-contract.js';
import { query, request } from './client.js';

export type { FigureKey, Figures, PeriodReport, QuotaProgress, ReportArea, ReportKind, StoredReport } from '#api/api-contract.js';
// The figures' order is the domain's (domain/weekly-report.ts), as every report format shows them.
export { FIGURE_KEYS } from '#domain/weekly-report.js';

const path = (kind: ReportKind, period: string) => `/api/reports/${kind}/${encodeURIComponent(period)}`;

export const reportsApi = {
  report: (kind: ReportKind, period: string, area?: string) => request<PeriodReport>('GET', `${path(kind, period)}${query({ area })}`),
  /** A download; pages (html, pdf) in `page.lang` (the server's default: Chinese) and `page.form` (default: the table report). */
  downloadUrl: (kind: ReportKind, period: string, format: 'csv' | 'html' | 'pdf', area?: string, page: { lang?: 'en'; form?: 'bulletin' } = {}) =>
    `${path(kind, period)}${query({ area, format, ...page })}`,
  stored: (kind?: ReportKind) => request<StoredReportList>('GET', `/api/reports/stored${query({ kind, limit: 50 })}`),
};
