/**
 * The reports API: the weekly diff report (周报) and the monthly and quarterly roll-ups (月报、季报)
 * of an area as JSON, and the addresses of their CSV, HTML and PDF downloads.
 */
import { query, request } from './client.js';

export type ReportKind = 'weekly' | 'monthly' | 'quarterly';
export const FIGURE_KEYS = ['newCandidates', 'verified', 'rejected', 'scheduled', 'demolished', 'confirmedDemolished', 'registerReduction'] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];
export type Figures = Record<FigureKey, { count: number; m2: number }>;

export interface ReportArea { id: string; code: string; name: string; nameEn: string | null; level: 'district' | 'street' | 'village' }
export interface QuotaProgress { year: number; targetM2: number | null; targetCount: number | null; done: { count: number; m2: number }; progressM2: number | null; progressCount: number | null }

export interface PeriodReport {
  kind: ReportKind;
  period: { kind: ReportKind; label: string; start: string; end: string };
  area: ReportArea | null;
  total: { figures: Figures; previous: Figures; change: Figures; quota: QuotaProgress | null };
  rows: Array<{ area: ReportArea; figures: Figures; previous: Figures; change: Figures; quota: QuotaProgress | null }>;
  trend: Array<{ label: string; start: string; end: string; figures: Figures }>;
}

export interface StoredReport { id: string; kind: string; periodStart: string; periodEnd: string; label: string; area: { id: string; code: string; name: string } | null }

const path = (kind: ReportKind, period: string) => `/api/reports/${kind}/${encodeURIComponent(period)}`;

export const reportsApi = {
  report: (kind: ReportKind, period: string, area?: string) => request<PeriodReport>('GET', `${path(kind, period)}${query({ area })}`),
  /** A download; pages (html, pdf) in `page.lang` (the server's default: Chinese) and `page.form` (default: the table report). */
  downloadUrl: (kind: ReportKind, period: string, format: 'csv' | 'html' | 'pdf', area?: string, page: { lang?: 'en'; form?: 'bulletin' } = {}) =>
    `${path(kind, period)}${query({ area, format, ...page })}`,
  stored: (kind?: ReportKind) => request<{ reports: StoredReport[]; matched: number }>('GET', `/api/reports/stored${query({ kind, limit: 50 })}`),
};
