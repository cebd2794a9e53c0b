/**
 * Villages (居村) and their zero-violation assessment (“零”违建居村) for a period: as JSON, as a
 * self-contained HTML page, and as that page printed to PDF.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type pg from 'pg';
import { listVillages } from '#db/sql/admin-areas.js';
import type { AssessmentPeriod } from '#domain/village-assessment.js';
import { assessVillageInDatabase, type VillageAssessmentReport } from '../assessment/assess-village.js';
import { renderAssessmentHtml } from '../assessment/render-html.js';
import { closePdfPrinter, PdfPrinterUnavailable, printPdf } from '../pdf/print-pdf.js';
import type { AssessmentReply, Sendable, VillageList } from '../api-contract.js';
import { sendProblem } from '../problem.js';
import { REPORT_LANGUAGES, type ReportLanguage } from '../reports/report-text.js';
import { idParams } from './id-schema.js';

/** Longest period one assessment may span, days: a year (leap years included). */
export const MAX_PERIOD_DAYS = 366;
const ROLES = ['assessor', 'reviewer'] as const;
const DAY_MS = 86_400_000;
const PERIOD_QUERY = {
  type: 'object', additionalProperties: false, required: ['from', 'to'],
  properties: {
    from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'first day, YYYY-MM-DD (China Standard Time)' },
    to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'day after the last, YYYY-MM-DD: the period is [from, to)' },
  },
};

/** A calendar day as ms since the epoch, or null when it is no real day (2026-02-30, or the year 0000, which PostgreSQL rightly refuses: 1 BC precedes AD 1). */
function dayOf(text: string): number | null {
  if (text.startsWith('0000')) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === text ? ms : null;
}

/** The period, or the reason it is not a valid one. */
export function checkPeriod(from: string, to: string): AssessmentPeriod | string {
  const start = dayOf(from);
  const end = dayOf(to);
  if (start === null) return `from is not a calendar day: ${JSON.stringify(from)} (YYYY-MM-DD)`;
  if (end === null) return `to is not a calendar day: ${JSON.stringify(to)} (YYYY-MM-DD)`;
  if (start >= end) return 'from must be before to: the period is [from, to), so to is the day after the last day';
  if ((end - start) / DAY_MS > MAX_PERIOD_DAYS) return `the period is longer than ${MAX_PERIOD_DAYS} days: assess a year at most at a time`;
  return { from, to };
}

/** The printed page's query: the period and the page's one language. */
const PAGE_QUERY = {
  ...PERIOD_QUERY,
  properties: { ...PERIOD_QUERY.properties, lang: { type: 'string', enum: REPORT_LANGUAGES, default: 'zh', description: 'the page language: zh (Chinese) or en (English)' } },
};

type PeriodRequest = { Params: { id: string }; Querystring: { from: string; to: string } };
type PageRequest = { Params: { id: string }; Querystring: { from: string; to: string; lang: ReportLanguage } };

/** The assessment, or the problem already sent. */
async function assessmentOrProblem(pool: pg.Pool, id: string, query: { from: string; to: string }, reply: FastifyReply): Promise<VillageAssessmentReport | null> {
  const period = checkPeriod(query.from, query.to);
  if (typeof period === 'string') {
    await sendProblem(reply, 400, 'The period is not valid', period);
    return null;
  }
  const report = await assessVillageInDatabase(pool, id, period);
  if (!report) await sendProblem(reply, 404, 'No such village', `village ${id} does not exist (GET /api/villages lists them)`);
  return report;
}

export function villageRoutes(app: FastifyInstance, pool: pg.Pool): void {
  // The PDF printer keeps one browser for the process; it goes when the app closes.
  app.addHook('onClose', async () => closePdfPrinter());

  app.get<{ Querystring: { street?: string; limit: number; offset: number }; Reply: Sendable<VillageList> }>('/api/villages', {
    config: { roles: ROLES },
    schema: {
      tags: ['villages'], summary: 'Villages with their latest verdict',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          street: { type: 'string', maxLength: 32, description: 'street/town code' },
          limit: { type: 'integer', minimum: 1, maximum: 5000, default: 1000 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
      },
    },
  }, async (request) => {
    const { villages, matched } = await listVillages(pool, { streetCode: request.query.street, limit: request.query.limit, offset: request.query.offset });
    return { numberMatched: matched, numberReturned: villages.length, villages };
  });

  app.get<PeriodRequest & { Reply: Sendable<AssessmentReply> }>('/api/villages/:id/assessment', {
    config: { roles: ROLES },
    schema: { tags: ['villages'], summary: 'A village\'s assessment for a period, as JSON', params: idParams('id'), querystring: PERIOD_QUERY },
  }, async (request, reply) => {
    const report = await assessmentOrProblem(pool, request.params.id, request.query, reply);
    if (!report) return reply;
    return { ...report.assessment, map: report.map };
  });

  app.get<PageRequest>('/api/villages/:id/assessment.html', {
    config: { roles: ROLES },
    schema: { tags: ['villages'], summary: 'A village\'s assessment as a printable page', params: idParams('id'), querystring: PAGE_QUERY },
  }, async (request, reply) => {
    const report = await assessmentOrProblem(pool, request.params.id, request.query, reply);
    if (!report) return reply;
    return reply.type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
      .send(renderAssessmentHtml(report, new Date(), request.query.lang));
  });

  app.get<PageRequest>('/api/villages/:id/assessment.pdf', {
    config: { roles: ROLES },
    schema: { tags: ['villages'], summary: 'A village\'s assessment as PDF', params: idParams('id'), querystring: PAGE_QUERY },
  }, async (request, reply) => {
    const report = await assessmentOrProblem(pool, request.params.id, request.query, reply);
    if (!report) return reply;
    const { village, period } = report.assessment;
    const asPdf = () => reply.type('application/pdf')
      .header('content-disposition', `inline; filename="village-assessment-${village.code.replace(/[^\w.-]/g, '_')}-${period.from}-${period.to}${request.query.lang === 'en' ? '-en' : ''}.pdf"`);
    // HEAD: the headers are known from the assessment; printing a PDF only to drop it is not done.
    if (request.method === 'HEAD') return asPdf().send();
    let pdf: Buffer;
    try {
      pdf = await printPdf(renderAssessmentHtml(report, new Date(), request.query.lang), { pageNumbers: request.query.lang });
    } catch (error) {
      if (!(error instanceof PdfPrinterUnavailable)) throw error;
      request.log.error(error);
      return sendProblem(reply, 503, 'The PDF printer is not available', 'Chromium could not be started on the server; the HTML version works meanwhile. Tell the administrator.');
    }
    return asPdf().send(pdf);
  });
}
